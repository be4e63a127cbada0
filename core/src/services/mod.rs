//! Use cases that combine the domain rules with the ports.
//!
//! Services borrow their ports (`&dyn Trait`), so the app builds them per request
//! from the adapters it holds, and tests build them from mocks. Every change a
//! service makes goes out as one [`ChangeSet`](crate::ports::ChangeSet).

pub mod accounts;
pub mod delivery;
pub mod handover;
pub mod login;
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
