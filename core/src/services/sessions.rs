//! Server-side sessions: starting one after a login, recognising it on every
//! request, listing and ending them.
//!
//! A session is found by the hash of its 256-bit token (the token itself is only
//! in the client's cookie). It is refused once idle or absolute timeout passed —
//! and removed —, and a user session is refused as soon as its account is no
//! longer active (deactivated, locked) or its role is gone, whatever the
//! timeouts say. Use is recorded at most once a minute, so reading does not
//! write on every request.

use std::net::IpAddr;

use time::Duration;

use crate::access::Role;
use crate::audit::{AuditAction, AuditTarget};
use crate::authz::Actor;
use crate::id::{TenantId, UserId};
use crate::ports::{
    ChangeSet, Clock, RandomSource, RoleStore, SessionStore, SettingsStore, StoreError,
    TenantStore, UnitOfWork, UserStore, Write, random_bytes,
};
use crate::session::{PendingLogin, Principal, Session};
use crate::token::{SecretToken as _, SessionToken, TokenHash};
use crate::user::User;
use crate::values::Timestamp;

use super::audit_by;

/// How long the step between password and second factor may take.
pub const PENDING_LOGIN_VALIDITY: Duration = Duration::minutes(5);

/// How often a session's last use is written at most.
pub const TOUCH_INTERVAL: Duration = Duration::minutes(1);

/// A session just started: the token goes into the cookie, once.
#[derive(Debug, Clone)]
pub struct StartedSession {
    /// The secret for the cookie.
    pub token: SessionToken,
    /// What was stored.
    pub session: Session,
}

/// Who a request's session belongs to.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Authenticated {
    /// A logged-in, active user.
    User {
        /// The session.
        session: Session,
        /// The account.
        user: Box<User>,
        /// Its role.
        role: Box<Role>,
        /// What the user may do.
        actor: Box<Actor>,
    },
    /// A login waiting for its second factor.
    PendingLogin {
        /// The session.
        session: Session,
        /// The attempt.
        pending: PendingLogin,
    },
    /// The holder of a handover link (the handover's state is checked by
    /// [`HandoverWorkService`](super::handover::HandoverWorkService) on every
    /// request).
    Handover {
        /// The session.
        session: Session,
        /// The handover it is bound to.
        handover: crate::token::HandoverId,
    },
}

/// How long a link holder's session lasts at most (and never past the link's
/// expiry); afterwards the link is opened again.
pub const HANDOVER_SESSION_VALIDITY: Duration = Duration::hours(2);

/// Session use cases.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct SessionService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// Users.
    pub users: &'a dyn UserStore,
    /// Roles.
    pub roles: &'a dyn RoleStore,
    /// Sessions.
    pub sessions: &'a dyn SessionStore,
    /// Settings (timeouts).
    pub settings: &'a dyn SettingsStore,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Randomness (tokens).
    pub random: &'a dyn RandomSource,
}

impl SessionService<'_> {
    /// Starts a session for `principal` with the tenant's timeouts (a pending
    /// login ends after [`PENDING_LOGIN_VALIDITY`]). `replaces` names a session
    /// to end in the same transaction (the pending login a second factor
    /// completed); if it is gone already — another request completed it — the
    /// start fails with [`StoreError::NotFound`].
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn start(
        &self,
        tenant: TenantId,
        principal: Principal,
        replaces: Option<TokenHash>,
    ) -> Result<StartedSession, StoreError> {
        self.start_until(tenant, principal, replaces, None).await
    }

    /// As [`SessionService::start`], ending at `until` at the latest (a link
    /// holder's session ends with its link).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn start_until(
        &self,
        tenant: TenantId,
        principal: Principal,
        replaces: Option<TokenHash>,
        until: Option<Timestamp>,
    ) -> Result<StartedSession, StoreError> {
        let now = self.clock.now();
        let settings = self.settings.settings(tenant).await?.value;
        let token = SessionToken::from_bytes(random_bytes(self.random));
        let not_after = match principal {
            Principal::PendingLogin(_) => Some(now.saturating_add(PENDING_LOGIN_VALIDITY)),
            Principal::Handover(_) => Some(now.saturating_add(HANDOVER_SESSION_VALIDITY)),
            Principal::User(_) => None,
        };
        let not_after = match (not_after, until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let session = Session {
            token_hash: token.hash(),
            tenant,
            principal,
            created_at: now,
            last_seen_at: now,
            timeouts: settings.security.sessions,
            not_after,
        };
        let mut changes = ChangeSet::new(tenant);
        if let Some(old) = replaces {
            changes.push(Write::ConsumeSession(old));
        }
        changes.push(Write::InsertSession(session.clone()));
        self.uow.commit(changes).await?;
        Ok(StartedSession { token, session })
    }

    /// The session behind `token`, if it is still valid. An expired session, or
    /// one whose account can no longer log in, is removed and `None`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn authenticate(
        &self,
        tenant: TenantId,
        token: &SessionToken,
    ) -> Result<Option<Authenticated>, StoreError> {
        let hash = token.hash();
        let Some(session) = self.sessions.session(tenant, &hash).await? else {
            return Ok(None);
        };
        let now = self.clock.now();
        let tenant_ok = self
            .tenants
            .tenant(tenant)
            .await?
            .is_some_and(|t| t.ensure_readable().is_ok());
        if !tenant_ok || !session.is_valid(now) {
            self.end_quietly(tenant, hash).await?;
            return Ok(None);
        }
        let found = match session.principal {
            Principal::User(uid) => {
                self.actor(tenant, uid)
                    .await?
                    .map(|(user, role, actor)| Authenticated::User {
                        session: session.clone(),
                        user: Box::new(user),
                        role: Box::new(role),
                        actor: Box::new(actor),
                    })
            }
            Principal::PendingLogin(pending) => {
                let usable = self
                    .users
                    .user(tenant, pending.user)
                    .await?
                    .is_some_and(|u| u.value.status == crate::user::UserStatus::Active);
                usable.then(|| Authenticated::PendingLogin {
                    session: session.clone(),
                    pending,
                })
            }
            Principal::Handover(handover) => Some(Authenticated::Handover {
                session: session.clone(),
                handover,
            }),
        };
        match found {
            None => {
                self.end_quietly(tenant, hash).await?;
                Ok(None)
            }
            Some(found) => {
                if now - session.last_seen_at >= TOUCH_INTERVAL {
                    let mut changes = ChangeSet::new(tenant);
                    changes.push(Write::TouchSession(hash, now));
                    self.uow.commit(changes).await?;
                }
                Ok(Some(found))
            }
        }
    }

    async fn actor(
        &self,
        tenant: TenantId,
        uid: UserId,
    ) -> Result<Option<(User, Role, Actor)>, StoreError> {
        let Some(user) = self.users.user(tenant, uid).await? else {
            return Ok(None);
        };
        let Some(role) = self.roles.role(tenant, user.value.role).await? else {
            return Ok(None);
        };
        Ok(Actor::for_user(&user.value, &role.value)
            .ok()
            .map(|actor| (user.value, role.value, actor)))
    }

    async fn end_quietly(&self, tenant: TenantId, hash: TokenHash) -> Result<(), StoreError> {
        let mut changes = ChangeSet::new(tenant);
        changes.push(Write::DeleteSession(hash));
        self.uow.commit(changes).await
    }

    /// Ends the session `hash` of the actor (logout).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn logout(
        &self,
        actor: &Actor,
        hash: TokenHash,
        source_ip: Option<IpAddr>,
    ) -> Result<(), StoreError> {
        let mut changes = ChangeSet::new(actor.tenant());
        let mut event =
            audit_by(actor, self.clock.now(), AuditAction::LoggedOut).from_ip(source_ip);
        event.target = AuditTarget::User(actor.user());
        changes
            .push(Write::DeleteSession(hash))
            .push(Write::AppendAudit(event));
        self.uow.commit(changes).await
    }

    /// Ends a pending login (the user gave up at the second factor).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn abandon(&self, tenant: TenantId, hash: TokenHash) -> Result<(), StoreError> {
        self.end_quietly(tenant, hash).await
    }

    /// The actor's own sessions (logged in ones), newest first.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn list(&self, actor: &Actor) -> Result<Vec<Session>, StoreError> {
        let now = self.clock.now();
        Ok(self
            .sessions
            .sessions_of(actor.tenant(), actor.user())
            .await?
            .into_iter()
            .filter(|s| matches!(s.principal, Principal::User(_)) && s.is_valid(now))
            .collect())
    }

    /// Ends one of the actor's own sessions. A session of someone else is
    /// [`StoreError::NotFound`], as is an unknown one.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn end_own(
        &self,
        actor: &Actor,
        hash: TokenHash,
        source_ip: Option<IpAddr>,
    ) -> Result<(), StoreError> {
        let own = self
            .sessions
            .session(actor.tenant(), &hash)
            .await?
            .is_some_and(|s| s.principal == Principal::User(actor.user()));
        if !own {
            return Err(StoreError::NotFound);
        }
        self.logout(actor, hash, source_ip).await
    }

    /// Ends every session of the actor's account ("log out everywhere"),
    /// the current one included.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn end_all(
        &self,
        actor: &Actor,
        source_ip: Option<IpAddr>,
    ) -> Result<(), StoreError> {
        let mut changes = ChangeSet::new(actor.tenant());
        let mut event =
            audit_by(actor, self.clock.now(), AuditAction::SessionsEnded).from_ip(source_ip);
        event.target = AuditTarget::User(actor.user());
        changes
            .push(Write::DeleteSessionsOfUser(actor.user()))
            .push(Write::AppendAudit(event));
        self.uow.commit(changes).await
    }
}
