//! Password login with lockout.
//!
//! Unknown address, wrong password, locked and inactive accounts all end in the
//! same [`LoginError::InvalidCredentials`], and the password hasher runs exactly
//! once in every case (against a dummy hash when there is no account), so neither
//! the answer nor its timing tells them apart. The audit log records what really
//! happened. Failed attempts update the lockout state with optimistic concurrency:
//! parallel attempts are each counted once.

use std::net::IpAddr;

use crate::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget};
use crate::id::{ChallengeId, MessageId, TenantId, UserId};
use crate::lockout::Attempt;
use crate::password::Password;
use crate::ports::{
    ChangeSet, Clock, CredentialStore, Destination, MessageKind, MessageParams, OutgoingMessage,
    PasswordHasher, RandomSource, SessionStore, SettingsStore, StoreError, TenantStore, UnitOfWork,
    UserStore, Write, random_bytes,
};
use crate::session::{PendingLogin, Principal};
use crate::user::User;

use super::factors::FactorService;
use super::sessions::{SessionService, StartedSession};
use super::tenants::TenantService;
use crate::settings::{SecondFactorRequirement, SsoMode};
use crate::user::UserStatus;
use crate::values::Email;

use super::{MAX_CONFLICT_RETRIES, is_conflict};

/// A login attempt. `Debug` shows neither the address nor the password (people
/// type passwords into the address field).
pub struct LoginRequest {
    /// The tenant whose login page was used.
    pub tenant: TenantId,
    /// The address as typed.
    pub email: String,
    /// The password as typed.
    pub password: Password,
    /// The client's address.
    pub source_ip: Option<IpAddr>,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("tenant", &self.tenant)
            .field("source_ip", &self.source_ip)
            .finish_non_exhaustive()
    }
}

/// A login that got past the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoginOutcome {
    /// Logged in: start a session.
    Authenticated {
        /// Who.
        user: UserId,
        /// The stored hash used weaker parameters and was renewed.
        rehashed: bool,
    },
    /// The password was right; a second factor must follow (the failure count is
    /// reset only when it succeeds).
    SecondFactorRequired {
        /// Who.
        user: UserId,
        /// No factor enrolled yet but the tenant requires one: enrol now.
        enrolment_required: bool,
        /// The stored hash used weaker parameters and was renewed.
        rehashed: bool,
    },
}

/// Why a login failed, as the client may learn it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoginError {
    /// Wrong address or password, or the account cannot log in: one answer for all.
    #[error("the e-mail address or password is not correct, or the account cannot log in")]
    InvalidCredentials,
    /// The tenant allows single sign-on only.
    #[error("this organisation signs in with single sign-on only")]
    PasswordLoginDisabled,
    /// Too many failed logins came from the client's address: it is refused
    /// for a while, before any account is looked at.
    #[error("too many failed logins from this address; try again in {retry_after_secs} seconds")]
    TooManyAttempts {
        /// Seconds until the address may try again (at least 1).
        retry_after_secs: u64,
    },
    /// Storage or hashing failed; the message is for the log.
    #[error("login unavailable: {0}")]
    Unavailable(String),
}

impl crate::classify::Classify for LoginError {
    fn classify(&self) -> crate::classify::Classified {
        use crate::classify::{Classified, ErrorKind};
        let message = self.to_string();
        match self {
            Self::InvalidCredentials => {
                Classified::new(ErrorKind::Unauthenticated, "invalid_credentials", message)
            }
            Self::PasswordLoginDisabled => {
                Classified::new(ErrorKind::Forbidden, "password_login_disabled", message)
            }
            Self::TooManyAttempts { retry_after_secs } => {
                Classified::new(ErrorKind::TooManyRequests, "too_many_attempts", message)
                    .retry_after(*retry_after_secs)
            }
            Self::Unavailable(cause) => Classified::unavailable(cause),
        }
    }
}

impl From<StoreError> for LoginError {
    fn from(e: StoreError) -> Self {
        LoginError::Unavailable(e.to_string())
    }
}

/// The login use case.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct LoginService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// Users.
    pub users: &'a dyn UserStore,
    /// Password hashes.
    pub credentials: &'a dyn CredentialStore,
    /// Settings.
    pub settings: &'a dyn SettingsStore,
    /// Hasher.
    pub hasher: &'a dyn PasswordHasher,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Randomness (message ids).
    pub random: &'a dyn RandomSource,
}

impl LoginService<'_> {
    /// Attempts a password login.
    ///
    /// # Errors
    /// [`LoginError`]; see the module documentation.
    pub async fn login(&self, req: LoginRequest) -> Result<LoginOutcome, LoginError> {
        let tenant = self
            .tenants
            .tenant(req.tenant)
            .await?
            .filter(|t| t.ensure_readable().is_ok());
        let settings = self.settings.settings(req.tenant).await?.value;
        if tenant.is_some() && settings.security.sso == SsoMode::Only {
            return Err(LoginError::PasswordLoginDisabled);
        }
        let email = Email::parse(&req.email).ok();
        let mut user = match (&tenant, &email) {
            (Some(_), Some(e)) => self.users.user_by_email(req.tenant, e).await?,
            _ => None,
        };
        // The same reads on every path: an unknown account looks up a hash that
        // cannot exist, so only the answer differs, not the work.
        let lookup = user
            .as_ref()
            .map_or(UserId::from_bytes([0; 16]), |u| u.value.id);
        let stored_hash = self.credentials.password_hash(req.tenant, lookup).await?;
        let hash = match &user {
            Some(u) if u.value.auth.password => stored_hash,
            _ => None,
        };
        let check = self
            .hasher
            .verify(&req.password, hash.clone())
            .await
            .map_err(|e| LoginError::Unavailable(e.to_string()))?;
        let attempt = if check.matches && hash.is_some() {
            Attempt::CorrectCredentials
        } else {
            Attempt::WrongCredentials
        };
        // The password was right but its hash uses weaker parameters than today's:
        // hash it again now, while it is at hand.
        let rehash = if check.matches && check.needs_rehash && hash.is_some() {
            self.hasher.hash(&req.password).await.ok()
        } else {
            None
        };
        let now = self.clock.now();
        let failed = |actor: AuditActor, target: AuditTarget, detail: &str| {
            AuditEvent::new(
                Some(req.tenant),
                now,
                actor,
                AuditAction::LoginFailed,
                target,
            )
            .from_ip(req.source_ip)
            .with_detail(detail)
        };

        for _ in 0..MAX_CONFLICT_RETRIES {
            let mut changes = ChangeSet::new(req.tenant);
            let Some(current) = user.take() else {
                if tenant.is_some() {
                    changes.push(Write::AppendAudit(failed(
                        AuditActor::Anonymous,
                        AuditTarget::None,
                        "unknown_account",
                    )));
                    self.uow.commit(changes).await?;
                }
                return Err(LoginError::InvalidCredentials);
            };
            let (mut u, version) = (current.value, current.version);
            let uid = u.id;
            let actor = || AuditActor::User(uid);
            let target = || AuditTarget::User(uid);
            let result = match u.status {
                UserStatus::Invited | UserStatus::Deactivated => {
                    changes.push(Write::AppendAudit(failed(
                        actor(),
                        target(),
                        "inactive_account",
                    )));
                    Err(LoginError::InvalidCredentials)
                }
                // An account that signs in by SSO only has no password to guess:
                // attempts are refused and audited but never lock it.
                UserStatus::Active | UserStatus::Locked if !u.auth.password => {
                    changes.push(Write::AppendAudit(failed(actor(), target(), "no_password")));
                    Err(LoginError::InvalidCredentials)
                }
                UserStatus::Active | UserStatus::Locked => {
                    let was_locked = u.status == UserStatus::Locked;
                    let policy = settings.security.password_policy;
                    let outcome = u.lockout().record(attempt, policy.max_failed_attempts());
                    if outcome.accepted {
                        let needs_second = u.auth.has_second_factor()
                            || settings.security.second_factor == SecondFactorRequirement::Required;
                        if let Some(h) = rehash.clone() {
                            changes.push(Write::SetPasswordHash(u.id, h));
                        }
                        if needs_second {
                            if !changes.writes().is_empty() {
                                self.uow.commit(changes).await?;
                            }
                            return Ok(LoginOutcome::SecondFactorRequired {
                                user: u.id,
                                enrolment_required: !u.auth.has_second_factor(),
                                rehashed: rehash.is_some(),
                            });
                        }
                        if u.failed_logins != 0 {
                            u.set_lockout(outcome.state);
                            changes.push(Write::UpdateUser(u.clone(), version));
                        }
                        changes.push(Write::AppendAudit(
                            AuditEvent::new(
                                Some(req.tenant),
                                now,
                                actor(),
                                AuditAction::LoginSucceeded,
                                target(),
                            )
                            .from_ip(req.source_ip),
                        ));
                        Ok(LoginOutcome::Authenticated {
                            user: u.id,
                            rehashed: rehash.is_some(),
                        })
                    } else {
                        let email = u.email.clone();
                        u.set_lockout(outcome.state);
                        changes.push(Write::UpdateUser(u, version));
                        let detail = if was_locked {
                            "locked_account"
                        } else {
                            "wrong_password"
                        };
                        changes.push(Write::AppendAudit(failed(actor(), target(), detail)));
                        if outcome.newly_locked {
                            changes.push(Write::AppendAudit(
                                AuditEvent::new(
                                    Some(req.tenant),
                                    now,
                                    AuditActor::System,
                                    AuditAction::AccountLocked,
                                    target(),
                                )
                                .from_ip(req.source_ip),
                            ));
                            changes.push(Write::Enqueue(OutgoingMessage {
                                id: MessageId::from_random(random_bytes(self.random)),
                                tenant: req.tenant,
                                kind: MessageKind::LockoutNotice,
                                to: Destination::Email(email),
                                params: MessageParams::new(),
                                created_at: now,
                                expires_at: None,
                            }));
                        }
                        Err(LoginError::InvalidCredentials)
                    }
                }
            };
            match self.uow.commit(changes).await {
                Ok(()) => return result,
                Err(e) if is_conflict(&e) => {
                    // Someone else changed the account first: re-read and decide again.
                    user = self.users.user(req.tenant, uid).await?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(LoginError::Unavailable(
            "too many concurrent changes to one account".into(),
        ))
    }
}

/// Failed logins per client address, kept by the edge (in memory per
/// instance). A burst from one address is refused for a while and counts as a
/// suspected attack.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait AddressThrottle: Send + Sync {
    /// Seconds the address must still wait, when it is refused now.
    fn refused_for(&self, ip: IpAddr) -> Option<u64>;
    /// Records a failed login from the address; `true` when this failure
    /// starts a refusal (a suspected attack).
    fn record_failure(&self, ip: IpAddr) -> bool;
}

/// What a login flow led to, with the session it started.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoggedIn {
    /// Logged in: the user's session.
    Session {
        /// The session (its token goes into the cookie).
        started: StartedSession,
        /// The account.
        user: Box<User>,
    },
    /// The password was right; the session is a pending login until the
    /// second factor is given.
    SecondFactorRequired {
        /// The pending login's session.
        started: StartedSession,
        /// No factor enrolled yet but the tenant requires one: enrol now.
        enrolment_required: bool,
    },
}

/// The whole login: the address throttle, the password step, the session it
/// starts, the rule that an abandoned second step counts as a failed login,
/// and the audit entry of a suspected attack. The edge maps input and output
/// only.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct LoginFlow<'a> {
    /// The password step.
    pub password: LoginService<'a>,
    /// Starting sessions.
    pub sessions: SessionService<'a>,
    /// The second step (an abandoned one counts as failed).
    pub factors: FactorService<'a>,
    /// The organisation a login names.
    pub tenants: TenantService<'a>,
    /// Sessions of an account (earlier pending logins).
    pub session_store: &'a dyn SessionStore,
    /// Failed logins per address.
    pub throttle: &'a dyn AddressThrottle,
}

/// A tenant id that belongs to no tenant: an unknown organisation is answered
/// like an unknown account, with the same work.
const NO_TENANT: TenantId = TenantId::from_bytes([0; 16]);

impl LoginFlow<'_> {
    /// Logs in with e-mail address and password at the organisation named by
    /// `tenant` (its short name; `None`: the only one there is). An unknown
    /// organisation is answered like an unknown account.
    ///
    /// # Errors
    /// [`LoginError::TooManyAttempts`] before anything is read;
    /// [`LoginError::InvalidCredentials`] for every wrong or unusable account,
    /// also when an earlier login of the account left its second step
    /// unanswered (that counts as a failed login now and ends);
    /// [`LoginError::PasswordLoginDisabled`]; [`LoginError::Unavailable`].
    pub async fn log_in(
        &self,
        tenant: Option<&str>,
        email: String,
        password: Password,
        source_ip: Option<IpAddr>,
    ) -> Result<LoggedIn, LoginError> {
        if let Some(ip) = source_ip
            && let Some(wait) = self.throttle.refused_for(ip)
        {
            return Err(LoginError::TooManyAttempts {
                retry_after_secs: wait.max(1),
            });
        }
        let tenant = self.tenants.for_login(tenant).await?.map(|t| t.id);
        let tenant_id = tenant.unwrap_or(NO_TENANT);
        let outcome = self
            .password
            .login(LoginRequest {
                tenant: tenant_id,
                email,
                password,
                source_ip,
            })
            .await;
        match outcome {
            Ok(LoginOutcome::Authenticated { user, .. }) => {
                let started = self
                    .sessions
                    .start(tenant_id, Principal::User(user), None)
                    .await?;
                let account = self
                    .password
                    .users
                    .user(tenant_id, user)
                    .await?
                    .ok_or(LoginError::InvalidCredentials)?
                    .value;
                Ok(LoggedIn::Session {
                    started,
                    user: Box::new(account),
                })
            }
            Ok(LoginOutcome::SecondFactorRequired {
                user,
                enrolment_required,
                ..
            }) => {
                for s in self.session_store.sessions_of(tenant_id, user).await? {
                    if matches!(s.principal, Principal::PendingLogin(_))
                        && self
                            .factors
                            .abandoned_login(tenant_id, user, s.token_hash, source_ip)
                            .await
                            .map_err(|e| LoginError::Unavailable(e.to_string()))?
                    {
                        return Err(LoginError::InvalidCredentials);
                    }
                }
                let started = self
                    .sessions
                    .start(
                        tenant_id,
                        Principal::PendingLogin(PendingLogin {
                            user,
                            attempt: ChallengeId::from_random(random_bytes(self.password.random)),
                            enrolment_required,
                        }),
                        None,
                    )
                    .await?;
                Ok(LoggedIn::SecondFactorRequired {
                    started,
                    enrolment_required,
                })
            }
            Err(LoginError::InvalidCredentials) => {
                if let Some(ip) = source_ip
                    && self.throttle.record_failure(ip)
                    && let Some(t) = tenant
                {
                    self.suspected_attack(t, ip).await?;
                }
                Err(LoginError::InvalidCredentials)
            }
            Err(e) => Err(e),
        }
    }

    /// Audits a burst of failures from one address in the organisation it
    /// aimed at.
    async fn suspected_attack(&self, tenant: TenantId, ip: IpAddr) -> Result<(), LoginError> {
        let mut changes = ChangeSet::new(tenant);
        changes.push(Write::AppendAudit(
            AuditEvent::new(
                Some(tenant),
                self.password.clock.now(),
                AuditActor::Anonymous,
                AuditAction::SuspectedAttack,
                AuditTarget::None,
            )
            .from_ip(Some(ip))
            .with_detail("failed_logins_per_address"),
        ));
        Ok(self.password.uow.commit(changes).await?)
    }
}
