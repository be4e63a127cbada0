//! Use cases that combine the domain rules with the ports.
//!
//! Services borrow their ports (`&dyn Trait`), so the app builds them per request
//! from the adapters it holds, and tests build them from mocks. Every change a
//! service makes goes out as one [`ChangeSet`](crate::ports::ChangeSet).

pub mod accounts;
pub mod audit;
pub mod delivery;
pub mod employees;
pub mod factors;
pub mod handover;
pub mod library;
pub mod login;
pub mod references;
pub mod retention;
pub mod roles;
pub mod sessions;
pub mod tenants;

use crate::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget};
use crate::authz::{Actor, Via};
use crate::ports::StoreError;
use crate::values::Timestamp;

/// How often a service re-reads and retries after a version conflict (another
/// request changed the same record first) before giving up.
pub const MAX_CONFLICT_RETRIES: usize = 64;

/// An audit event by `actor` (as support when support acts for the tenant),
/// without target.
fn audit_by(actor: &Actor, at: Timestamp, action: AuditAction) -> AuditEvent {
    let (who, on_behalf_of) = match actor.via() {
        Via::Support(operator) => (AuditActor::Support { operator }, Some(actor.user())),
        _ => (AuditActor::User(actor.user()), None),
    };
    let mut event = AuditEvent::new(Some(actor.tenant()), at, who, action, AuditTarget::None);
    event.on_behalf_of = on_behalf_of;
    event
}

fn is_conflict(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict { .. })
}

#[cfg(test)]
mod tests;

/// Records a failed login of a known account (a wrong password confirming a
/// change, a wrong second-factor code) with the same lockout as a wrong
/// password at login: counted exactly under concurrency, audited, and on the
/// failure that locks the account its sessions end and a notice is mailed.
struct FailedLogin<'a> {
    users: &'a dyn crate::ports::UserStore,
    settings: &'a dyn crate::ports::SettingsStore,
    uow: &'a dyn crate::ports::UnitOfWork,
    random: &'a dyn crate::ports::RandomSource,
}

impl FailedLogin<'_> {
    /// Returns whether this failure locked the account. `extra` writes (say
    /// the audit entry of a wrong code) commit in the same change set.
    async fn record(
        &self,
        tenant: crate::id::TenantId,
        uid: crate::id::UserId,
        now: Timestamp,
        source_ip: Option<std::net::IpAddr>,
        detail: &str,
        extra: Vec<crate::ports::Write>,
    ) -> Result<bool, StoreError> {
        use crate::ports::{
            ChangeSet, Destination, MessageKind, MessageParams, OutgoingMessage, Write,
            random_bytes,
        };
        let max = self
            .settings
            .settings(tenant)
            .await?
            .value
            .security
            .password_policy
            .max_failed_attempts();
        for _ in 0..MAX_CONFLICT_RETRIES {
            let Some(user) = self.users.user(tenant, uid).await? else {
                return Ok(false);
            };
            let mut u = user.value;
            let outcome = u
                .lockout()
                .record(crate::lockout::Attempt::WrongCredentials, max);
            u.set_lockout(outcome.state);
            let email = u.email.clone();
            let mut changes = ChangeSet::new(tenant);
            changes
                .push(Write::UpdateUser(u, user.version))
                .push(Write::AppendAudit(
                    AuditEvent::new(
                        Some(tenant),
                        now,
                        AuditActor::User(uid),
                        AuditAction::LoginFailed,
                        AuditTarget::User(uid),
                    )
                    .from_ip(source_ip)
                    .with_detail(detail),
                ));
            for w in &extra {
                changes.push(w.clone());
            }
            if outcome.newly_locked {
                changes
                    .push(Write::DeleteSessionsOfUser(uid))
                    .push(Write::AppendAudit(
                        AuditEvent::new(
                            Some(tenant),
                            now,
                            AuditActor::System,
                            AuditAction::AccountLocked,
                            AuditTarget::User(uid),
                        )
                        .from_ip(source_ip),
                    ))
                    .push(Write::Enqueue(OutgoingMessage {
                        id: crate::id::MessageId::from_random(random_bytes(self.random)),
                        tenant,
                        kind: MessageKind::LockoutNotice,
                        to: Destination::Email(email),
                        params: MessageParams::new(),
                        created_at: now,
                        expires_at: None,
                    }));
            }
            match self.uow.commit(changes).await {
                Ok(()) => return Ok(outcome.newly_locked),
                Err(e) if is_conflict(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Unavailable(
            "too many concurrent changes to one account".into(),
        ))
    }
}
