//! Second factors: enrolling an authenticator app (TOTP) or SMS codes, and
//! answering the second step of a login.
//!
//! * **TOTP** (RFC 6238, 30-second steps, one step of drift, no code twice):
//!   enrolment shows a secret (otpauth URI and QR code), and is complete once a
//!   code from the app confirms it; then 10 single-use recovery codes are shown,
//!   once.
//! * **SMS**: a 6-digit code to the stored phone number through the outbox,
//!   valid 5 minutes, single use, bound to the one login attempt, at most 5
//!   wrong entries.
//! * A wrong or missing code counts as a failed login, with the same lockout.
//! * Removing a factor needs the current password.

use std::net::IpAddr;

use crate::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget};
use crate::authz::{AccessError, Actor};
use crate::id::{ChallengeId, MessageId, TenantId, UserId};
use crate::lockout::Attempt;
use crate::otp::{CodeChallenge, CodePolicy, CodePurpose, OneTimeCode};
use crate::password::Password;
use crate::ports::{
    ChallengeStore, ChangeSet, Clock, CredentialStore, Destination, MessageKind, MessageParams,
    OutgoingMessage, PasswordHasher, RandomSource, SecondFactorStore, SettingsStore, StoreError,
    TotpEngine, TotpProvisioning, TotpSecret, UnitOfWork, UserStore, Versioned, Write,
    random_bytes, random_u64,
};
use crate::second_factor::{
    EnrolledTotp, RecoveryCode, RecoveryCodes, SecondFactors, TotpGuard, candidate_steps,
};
use crate::session::PendingLogin;
use crate::user::{User, UserStatus};
use crate::values::Timestamp;

use super::{FailedLogin, MAX_CONFLICT_RETRIES, audit_by, is_conflict};

/// How the second step is answered.
#[derive(Clone)]
#[non_exhaustive]
pub enum FactorAnswer {
    /// A code from the authenticator app.
    Totp(String),
    /// One of the recovery codes.
    Recovery(String),
    /// The code sent by SMS for this attempt.
    Sms(String),
}

impl std::fmt::Debug for FactorAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FactorAnswer::Totp(_) => "Totp(redacted)",
            FactorAnswer::Recovery(_) => "Recovery(redacted)",
            FactorAnswer::Sms(_) => "Sms(redacted)",
        })
    }
}

impl FactorAnswer {
    fn method(&self) -> &'static str {
        match self {
            FactorAnswer::Totp(_) => "totp",
            FactorAnswer::Recovery(_) => "recovery_code",
            FactorAnswer::Sms(_) => "sms",
        }
    }
}

/// Why a second-factor step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FactorError {
    /// The code is wrong, expired, used or for another attempt (it counted as a
    /// failed login; `locked` when it locked the account).
    #[error("the code is not correct or no longer valid")]
    WrongCode {
        /// This failure locked the account (the pending login is over).
        locked: bool,
    },
    /// The method is not set up for this account.
    #[error("this method is not set up for the account")]
    NotEnrolled,
    /// There is no enrolment to confirm, or a factor is already enrolled.
    #[error("{0}")]
    Enrolment(&'static str),
    /// No phone number is stored for SMS codes.
    #[error("no phone number is stored for the account; ask an administrator to add one")]
    NoPhone,
    /// The password given to confirm the change is wrong (counted as a failed
    /// login).
    #[error("the current password is not correct")]
    WrongPassword,
    /// A new code was sent moments ago.
    #[error("a code was sent moments ago; wait {seconds} seconds before asking for another")]
    TooSoon {
        /// Seconds to wait.
        seconds: i64,
    },
    /// Another request changed the same factors meanwhile; try again.
    #[error("the second factor was changed meanwhile; try again")]
    Conflict,
    /// Not allowed.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// Storage or the TOTP engine failed; the message is for the log.
    #[error("second factors unavailable: {0}")]
    Unavailable(String),
}

impl crate::classify::Classify for FactorError {
    fn classify(&self) -> crate::classify::Classified {
        use crate::classify::{Classified, ErrorKind};
        let message = self.to_string();
        match self {
            Self::WrongCode { locked: true } => Classified::new(
                ErrorKind::Unauthenticated,
                "locked",
                "the code is not correct; the account is now locked — an administrator must unlock it",
            )
            .field("code"),
            Self::WrongCode { locked: false } => {
                Classified::new(ErrorKind::Unauthenticated, "invalid_code", message).field("code")
            }
            Self::NotEnrolled => {
                Classified::new(ErrorKind::Conflict, "not_enrolled", message).field("method")
            }
            Self::Enrolment(_) => Classified::new(ErrorKind::Conflict, "enrolment", message),
            Self::NoPhone => Classified::new(ErrorKind::Conflict, "no_phone", message),
            Self::WrongPassword => {
                Classified::new(ErrorKind::Forbidden, "wrong_current_password", message)
                    .field("password")
            }
            Self::TooSoon { seconds } => {
                Classified::new(ErrorKind::TooManyRequests, "too_soon", message)
                    .retry_after(u64::try_from(*seconds).unwrap_or(1))
            }
            Self::Conflict => Classified::new(ErrorKind::Conflict, "conflict", message),
            Self::Access(a) => a.classify(),
            Self::Unavailable(cause) => Classified::unavailable(cause),
        }
    }
}

impl From<StoreError> for FactorError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => FactorError::Conflict,
            other => FactorError::Unavailable(other.to_string()),
        }
    }
}

/// How long to wait before another code can be sent for the same attempt.
pub const RESEND_AFTER: time::Duration = time::Duration::seconds(30);

/// What a confirmed TOTP enrolment hands out, once.
#[derive(Debug, Clone)]
pub struct Enrolled {
    /// The recovery codes, to show once.
    pub recovery_codes: Vec<RecoveryCode>,
}

/// Second-factor use cases.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct FactorService<'a> {
    /// Users.
    pub users: &'a dyn UserStore,
    /// Second factors.
    pub factors: &'a dyn SecondFactorStore,
    /// SMS code challenges.
    pub challenges: &'a dyn ChallengeStore,
    /// Password hashes (re-authentication).
    pub credentials: &'a dyn CredentialStore,
    /// Settings (lockout threshold).
    pub settings: &'a dyn SettingsStore,
    /// Hasher (re-authentication).
    pub hasher: &'a dyn PasswordHasher,
    /// TOTP.
    pub totp: &'a dyn TotpEngine,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Randomness.
    pub random: &'a dyn RandomSource,
}

fn event(tenant: TenantId, at: Timestamp, user: UserId, action: AuditAction) -> AuditEvent {
    AuditEvent::new(
        Some(tenant),
        at,
        AuditActor::User(user),
        action,
        AuditTarget::User(user),
    )
}

impl FactorService<'_> {
    async fn active_user(
        &self,
        tenant: TenantId,
        uid: UserId,
    ) -> Result<Versioned<User>, FactorError> {
        self.users
            .user(tenant, uid)
            .await?
            .filter(|u| u.value.status == UserStatus::Active)
            .ok_or(FactorError::Access(AccessError::Inactive))
    }

    async fn factors_of(
        &self,
        tenant: TenantId,
        uid: UserId,
    ) -> Result<(SecondFactors, Option<crate::ports::Version>), FactorError> {
        Ok(match self.factors.second_factors(tenant, uid).await? {
            Some(v) => (v.value, Some(v.version)),
            None => (SecondFactors::empty(uid), None),
        })
    }

    fn failed(&self) -> FailedLogin<'_> {
        FailedLogin {
            users: self.users,
            settings: self.settings,
            uow: self.uow,
            random: self.random,
        }
    }

    /// Checks the actor's current password before a change of their second
    /// factors; a wrong one counts as a failed login.
    async fn reauthenticate(
        &self,
        actor: &Actor,
        password: &Password,
        source_ip: Option<IpAddr>,
    ) -> Result<(), FactorError> {
        let (tenant, uid) = (actor.tenant(), actor.user());
        let stored = self.credentials.password_hash(tenant, uid).await?;
        let check = self
            .hasher
            .verify(password, stored.clone())
            .await
            .map_err(|e| FactorError::Unavailable(e.to_string()))?;
        if check.matches && stored.is_some() {
            return Ok(());
        }
        self.failed()
            .record(
                tenant,
                uid,
                self.clock.now(),
                source_ip,
                "wrong_current_password",
                Vec::new(),
            )
            .await?;
        Err(FactorError::WrongPassword)
    }

    /// Starts enrolling an authenticator app for the logged-in actor, after
    /// checking their password (changing a second factor needs it).
    ///
    /// # Errors
    /// [`FactorError::WrongPassword`]; as [`FactorService::start_totp`].
    pub async fn start_own_totp(
        &self,
        actor: &Actor,
        password: &Password,
        issuer: &str,
        source_ip: Option<IpAddr>,
    ) -> Result<TotpProvisioning, FactorError> {
        self.reauthenticate(actor, password, source_ip).await?;
        self.start_totp(actor.tenant(), actor.user(), issuer).await
    }

    /// Starts enrolling an authenticator app: a new secret, shown as otpauth URI
    /// and QR code, waiting for a code that confirms it. Refused while one is
    /// enrolled (remove it first).
    ///
    /// # Errors
    /// [`FactorError::Enrolment`] when an app is enrolled already.
    pub async fn start_totp(
        &self,
        tenant: TenantId,
        uid: UserId,
        issuer: &str,
    ) -> Result<TotpProvisioning, FactorError> {
        let user = self.active_user(tenant, uid).await?;
        let (mut factors, version) = self.factors_of(tenant, uid).await?;
        if factors.totp.is_some() {
            return Err(FactorError::Enrolment(
                "an authenticator app is set up already; remove it first to set up another",
            ));
        }
        let secret = TotpSecret::from_bytes(random_bytes(self.random));
        let provisioning = self
            .totp
            .provisioning(&secret, issuer, user.value.email.as_str())
            .map_err(|e| FactorError::Unavailable(e.to_string()))?;
        factors.pending_totp = Some(secret);
        let mut changes = ChangeSet::new(tenant);
        changes.push(Write::SaveSecondFactors(factors, version));
        self.uow.commit(changes).await?;
        Ok(provisioning)
    }

    /// Confirms an enrolment with a code from the app; issues the 10 recovery
    /// codes (replacing earlier ones).
    ///
    /// # Errors
    /// [`FactorError::Enrolment`] without a started enrolment;
    /// [`FactorError::WrongCode`] (not counted as a failed login: the account
    /// holder is logged in or just gave the password).
    pub async fn confirm_totp(
        &self,
        tenant: TenantId,
        uid: UserId,
        code: &str,
        source_ip: Option<IpAddr>,
        at_login: bool,
    ) -> Result<Enrolled, FactorError> {
        let user = self.active_user(tenant, uid).await?;
        let (mut factors, version) = self.factors_of(tenant, uid).await?;
        let secret = factors.pending_totp.take().ok_or(FactorError::Enrolment(
            "start setting up the authenticator app first",
        ))?;
        let now = self.clock.now();
        let step = self
            .totp
            .matching_step(&secret, code, &candidate_steps(now))
            .ok_or(FactorError::WrongCode { locked: false })?;
        let guard = TotpGuard::default()
            .accept(step, now)
            .map_err(|_| FactorError::WrongCode { locked: false })?;
        factors.totp = Some(EnrolledTotp { secret, guard });
        let codes: Vec<RecoveryCode> = (0..RecoveryCode::COUNT)
            .map(|_| RecoveryCode::from_random(random_bytes(self.random)))
            .collect();
        factors.recovery = RecoveryCodes::issue(&codes);
        let mut u = user.value;
        u.auth.totp = true;
        let mut changes = ChangeSet::new(tenant);
        if at_login {
            // The enrolment completes a login: like a right second factor it
            // resets the failure count, and the login is audited.
            let max = self
                .settings
                .settings(tenant)
                .await?
                .value
                .security
                .password_policy
                .max_failed_attempts();
            let outcome = u.lockout().record(Attempt::CorrectCredentials, max);
            if !outcome.accepted {
                return Err(FactorError::WrongCode { locked: true });
            }
            u.set_lockout(outcome.state);
        }
        changes
            .push(Write::SaveSecondFactors(factors, version))
            .push(Write::UpdateUser(u, user.version))
            .push(Write::AppendAudit(
                event(tenant, now, uid, AuditAction::SecondFactorEnrolled)
                    .from_ip(source_ip)
                    .with_detail("totp"),
            ));
        if at_login {
            changes.push(Write::AppendAudit(
                event(tenant, now, uid, AuditAction::LoginSucceeded)
                    .from_ip(source_ip)
                    .with_detail("totp_enrolment"),
            ));
        }
        match self.uow.commit(changes).await {
            Ok(()) => Ok(Enrolled {
                recovery_codes: codes,
            }),
            Err(e) if is_conflict(&e) => Err(FactorError::Enrolment(
                "the setup changed meanwhile; start again",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Sends a login code by SMS for this attempt (a new code replaces the last;
    /// wrong entries so far still count).
    ///
    /// # Errors
    /// [`FactorError::NotEnrolled`] unless SMS codes are on and a phone number
    /// is stored.
    pub async fn send_login_sms(
        &self,
        tenant: TenantId,
        pending: &PendingLogin,
    ) -> Result<Timestamp, FactorError> {
        let user = self.active_user(tenant, pending.user).await?;
        let phone = match (&user.value.phone, user.value.auth.sms) {
            (Some(p), true) => p.clone(),
            _ => return Err(FactorError::NotEnrolled),
        };
        self.send_code(
            tenant,
            pending.attempt,
            CodePurpose::Login(pending.attempt),
            phone,
        )
        .await
    }

    async fn send_code(
        &self,
        tenant: TenantId,
        id: ChallengeId,
        purpose: CodePurpose,
        phone: crate::values::Phone,
    ) -> Result<Timestamp, FactorError> {
        let now = self.clock.now();
        let code = OneTimeCode::from_random(random_u64(self.random));
        let policy = CodePolicy::default();
        let mut fresh = CodeChallenge::issue(id, tenant, purpose, &code, now, policy);
        let mut changes = ChangeSet::new(tenant);
        match self.challenges.challenge(tenant, id).await? {
            Some(old) => {
                let ready = old.value.issued_at.saturating_add(RESEND_AFTER);
                if now < ready && !old.value.used {
                    return Err(FactorError::TooSoon {
                        seconds: (ready - now).whole_seconds().max(1),
                    });
                }
                fresh.failed_attempts = old.value.failed_attempts;
                changes.push(Write::UpdateChallenge(fresh.clone(), old.version));
            }
            None => {
                changes.push(Write::InsertChallenge(fresh.clone()));
            }
        }
        changes.push(Write::Enqueue(OutgoingMessage {
            id: MessageId::from_random(random_bytes(self.random)),
            tenant,
            kind: MessageKind::OneTimeCode,
            to: Destination::Sms(phone),
            params: MessageParams::new()
                .with("code", code.expose())
                .with("valid_minutes", policy.validity.whole_minutes().to_string()),
            created_at: now,
            expires_at: Some(fresh.expires_at),
        }));
        self.uow.commit(changes).await?;
        Ok(fresh.expires_at)
    }

    /// Answers the second step of a login. On success the failure count is
    /// reset and the login is audited; the caller starts the session. A wrong
    /// answer counts as a failed login.
    ///
    /// # Errors
    /// [`FactorError::WrongCode`]; [`FactorError::NotEnrolled`].
    pub async fn verify_login(
        &self,
        tenant: TenantId,
        pending: &PendingLogin,
        answer: &FactorAnswer,
        source_ip: Option<IpAddr>,
    ) -> Result<(), FactorError> {
        let uid = pending.user;
        for _ in 0..MAX_CONFLICT_RETRIES {
            let user = self.active_user(tenant, uid).await?;
            let (mut factors, version) = self.factors_of(tenant, uid).await?;
            let now = self.clock.now();
            let mut changes = ChangeSet::new(tenant);
            let accepted = match answer {
                FactorAnswer::Totp(code) => {
                    let totp = factors.totp.as_mut().ok_or(FactorError::NotEnrolled)?;
                    let accepted = self
                        .totp
                        .matching_step(&totp.secret, code, &candidate_steps(now))
                        .and_then(|step| totp.guard.accept(step, now).ok());
                    if let Some(guard) = accepted {
                        totp.guard = guard;
                        changes.push(Write::SaveSecondFactors(factors.clone(), version));
                    }
                    accepted.is_some()
                }
                FactorAnswer::Recovery(code) => {
                    if factors.totp.is_none() {
                        return Err(FactorError::NotEnrolled);
                    }
                    let ok = factors.recovery.redeem(code).is_ok();
                    if ok {
                        changes
                            .push(Write::SaveSecondFactors(factors.clone(), version))
                            .push(Write::AppendAudit(
                                event(tenant, now, uid, AuditAction::RecoveryCodeUsed)
                                    .from_ip(source_ip)
                                    .with_detail(&format!("{} left", factors.recovery.remaining())),
                            ));
                    }
                    ok
                }
                FactorAnswer::Sms(code) => {
                    if !user.value.auth.sms {
                        return Err(FactorError::NotEnrolled);
                    }
                    match self.challenges.challenge(tenant, pending.attempt).await? {
                        Some(c) => {
                            let (next, verdict) =
                                c.value
                                    .verify(code, &CodePurpose::Login(pending.attempt), now);
                            changes.push(Write::UpdateChallenge(next, c.version));
                            let ok = verdict.is_ok();
                            if !ok {
                                // The wrong entry is counted on the challenge even
                                // though the login failure is recorded below.
                                self.uow
                                    .commit(std::mem::replace(&mut changes, ChangeSet::new(tenant)))
                                    .await
                                    .or_else(|e| if is_conflict(&e) { Ok(()) } else { Err(e) })?;
                            }
                            ok
                        }
                        None => false,
                    }
                }
            };
            if !accepted {
                let locked = self
                    .failed()
                    .record(
                        tenant,
                        uid,
                        now,
                        source_ip,
                        "wrong_second_factor",
                        vec![Write::AppendAudit(
                            event(tenant, now, uid, AuditAction::SecondFactorFailed)
                                .from_ip(source_ip)
                                .with_detail(answer.method()),
                        )],
                    )
                    .await?;
                return Err(FactorError::WrongCode { locked });
            }
            let mut u = user.value;
            let outcome = u.lockout().record(
                Attempt::CorrectCredentials,
                self.settings
                    .settings(tenant)
                    .await?
                    .value
                    .security
                    .password_policy
                    .max_failed_attempts(),
            );
            if !outcome.accepted {
                return Err(FactorError::WrongCode { locked: true });
            }
            if u.failed_logins != 0 {
                u.set_lockout(outcome.state);
                changes.push(Write::UpdateUser(u, user.version));
            }
            changes.push(Write::AppendAudit(
                event(tenant, now, uid, AuditAction::LoginSucceeded)
                    .from_ip(source_ip)
                    .with_detail(answer.method()),
            ));
            match self.uow.commit(changes).await {
                Ok(()) => return Ok(()),
                // A parallel answer changed the factors or the account first: a
                // replayed TOTP code then fails the guard on the next round.
                Err(e) if is_conflict(&e) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(FactorError::Unavailable(
            "too many concurrent changes to one account".into(),
        ))
    }

    /// Starts turning on SMS codes: sends a code to the stored phone number.
    /// Returns the challenge to confirm.
    ///
    /// # Errors
    /// [`FactorError::NoPhone`].
    pub async fn start_sms(&self, actor: &Actor) -> Result<(ChallengeId, Timestamp), FactorError> {
        let user = self.active_user(actor.tenant(), actor.user()).await?;
        let phone = user.value.phone.clone().ok_or(FactorError::NoPhone)?;
        let id = ChallengeId::from_random(random_bytes(self.random));
        let until = self
            .send_code(
                actor.tenant(),
                id,
                CodePurpose::SmsEnrolment(actor.user()),
                phone,
            )
            .await?;
        Ok((id, until))
    }

    /// Turns SMS codes on with the code sent by [`FactorService::start_sms`].
    ///
    /// # Errors
    /// [`FactorError::WrongCode`] (not counted as a failed login).
    pub async fn confirm_sms(
        &self,
        actor: &Actor,
        challenge: ChallengeId,
        code: &str,
        source_ip: Option<IpAddr>,
    ) -> Result<(), FactorError> {
        let (tenant, uid) = (actor.tenant(), actor.user());
        let c = self
            .challenges
            .challenge(tenant, challenge)
            .await?
            .ok_or(FactorError::WrongCode { locked: false })?;
        let now = self.clock.now();
        let (next, verdict) = c.value.verify(code, &CodePurpose::SmsEnrolment(uid), now);
        let mut changes = ChangeSet::new(tenant);
        changes.push(Write::UpdateChallenge(next, c.version));
        if verdict.is_err() {
            self.uow.commit(changes).await?;
            return Err(FactorError::WrongCode { locked: false });
        }
        let user = self.active_user(tenant, uid).await?;
        let mut u = user.value;
        u.auth.sms = true;
        changes
            .push(Write::UpdateUser(u, user.version))
            .push(Write::AppendAudit(
                audit_by(actor, now, AuditAction::SecondFactorEnrolled)
                    .from_ip(source_ip)
                    .with_detail("sms"),
            ));
        self.uow.commit(changes).await?;
        Ok(())
    }

    /// Removes the caller's own authenticator app and recovery codes, or SMS
    /// codes (`method` is `totp` or `sms`). Needs the current password; a wrong
    /// one counts as a failed login.
    ///
    /// # Errors
    /// [`FactorError::WrongPassword`]; [`FactorError::NotEnrolled`].
    pub async fn remove_own(
        &self,
        actor: &Actor,
        method: &str,
        password: &Password,
        source_ip: Option<IpAddr>,
    ) -> Result<(), FactorError> {
        self.reauthenticate(actor, password, source_ip).await?;
        self.remove_factors(actor, actor.user(), method, source_ip)
            .await
    }

    /// Starts turning on SMS codes for the logged-in actor after checking their
    /// password.
    ///
    /// # Errors
    /// [`FactorError::WrongPassword`]; as [`FactorService::start_sms`].
    pub async fn start_own_sms(
        &self,
        actor: &Actor,
        password: &Password,
        source_ip: Option<IpAddr>,
    ) -> Result<(ChallengeId, Timestamp), FactorError> {
        self.reauthenticate(actor, password, source_ip).await?;
        self.start_sms(actor).await
    }

    /// A login that stopped at the second step (a newer login of the same
    /// account replaced it): the missing code counts as a failed login, and the
    /// pending session ends in the same change set. Returns whether this locked
    /// the account.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn abandoned_login(
        &self,
        tenant: TenantId,
        uid: UserId,
        pending_session: crate::token::TokenHash,
        source_ip: Option<IpAddr>,
    ) -> Result<bool, FactorError> {
        let now = self.clock.now();
        Ok(self
            .failed()
            .record(
                tenant,
                uid,
                now,
                source_ip,
                "missing_second_factor",
                vec![
                    Write::DeleteSession(pending_session),
                    Write::AppendAudit(
                        event(tenant, now, uid, AuditAction::SecondFactorFailed)
                            .from_ip(source_ip)
                            .with_detail("missing"),
                    ),
                ],
            )
            .await?)
    }

    /// Removes another user's second factors (an Administrator helping
    /// someone who lost their phone): `method` `totp`, `sms` or `all`. The own
    /// factors go through [`FactorService::remove_own`], which asks for the
    /// password.
    ///
    /// # Errors
    /// [`FactorError::Access`] unless the actor holds the Administrator role and
    /// the account is not their own.
    pub async fn remove(
        &self,
        actor: &Actor,
        uid: UserId,
        method: &str,
        source_ip: Option<IpAddr>,
    ) -> Result<(), FactorError> {
        if uid == actor.user() || !actor.has_administrator_role() {
            return Err(AccessError::Forbidden {
                area: crate::access::Area::Users,
                needed: crate::access::AccessLevel::ReadWrite,
            }
            .into());
        }
        self.remove_factors(actor, uid, method, source_ip).await
    }

    async fn remove_factors(
        &self,
        actor: &Actor,
        uid: UserId,
        method: &str,
        source_ip: Option<IpAddr>,
    ) -> Result<(), FactorError> {
        let tenant = actor.tenant();
        let user = self
            .users
            .user(tenant, uid)
            .await?
            .ok_or(AccessError::NotFound)?;
        let mut u = user.value;
        let mut changes = ChangeSet::new(tenant);
        match method {
            "totp" if u.auth.totp => {
                u.auth.totp = false;
                changes.push(Write::DeleteSecondFactors(uid));
            }
            "sms" if u.auth.sms => u.auth.sms = false,
            "all" if u.auth.totp || u.auth.sms => {
                u.auth.totp = false;
                u.auth.sms = false;
                changes.push(Write::DeleteSecondFactors(uid));
            }
            _ => return Err(FactorError::NotEnrolled),
        }
        let mut event =
            audit_by(actor, self.clock.now(), AuditAction::SecondFactorRemoved).from_ip(source_ip);
        event.target = AuditTarget::User(uid);
        changes
            .push(Write::UpdateUser(u, user.version))
            .push(Write::AppendAudit(event.with_detail(method)));
        self.uow.commit(changes).await?;
        Ok(())
    }
}
