//! Use cases that combine the domain rules with the ports.
//!
//! Services borrow their ports (`&dyn Trait`), so the app builds them per request
//! from the adapters it holds, and tests build them from mocks. Every change a
//! service makes goes out as one [`ChangeSet`](crate::ports::ChangeSet).

pub mod delivery;
pub mod handover;
pub mod login;
pub mod retention;

use crate::ports::StoreError;

/// How often a service re-reads and retries after a version conflict (another
/// request changed the same record first) before giving up.
pub const MAX_CONFLICT_RETRIES: usize = 64;

fn is_conflict(e: &StoreError) -> bool {
    matches!(e, StoreError::Conflict { .. })
}

#[cfg(test)]
mod tests;
