//! An in-memory implementation of every store port (feature `memory`).
//!
//! [`MemoryStore`] implements every store trait of [`ports`](crate::ports)
//! ([`TenantStore`], [`UserStore`], [`CredentialStore`], [`ActionStore`],
//! [`SecondFactorStore`], [`RoleStore`], [`EmployeeStore`], [`ReferenceStore`],
//! [`HandoverStore`], [`ChallengeStore`], [`SessionStore`], [`AuditLog`],
//! [`LibraryStore`], [`SettingsStore`]), the [`UnitOfWork`] and the
//! [`OutboxQueue`]. It is meant for tests: an integrator's tests of their own
//! services over the core, and the core's own. It keeps the contracts of the SQL
//! store (`zeugnis-store`), checked by the same conformance suite
//! (`zeugnis-conformance`):
//!
//! - a change set commits as a whole or not at all: it is applied to a copy of
//!   the data, which replaces the data only when every write and precondition
//!   succeeded;
//! - stale versions, taken ids and taken unique values (a tenant's slug, an
//!   e-mail address or SSO identity within a tenant) are
//!   [`StoreError::Conflict`]; records that a write refers to but that do not
//!   exist are [`StoreError::NotFound`]; deletes cascade as the SQL schema does;
//! - every [`Precondition`](crate::ports::Precondition) is checked, and a
//!   referenced employee is never deleted;
//! - reference lists apply [`VisibilityFilter::admits`] and page with cursors
//!   bound to the tenant, viewer, scope and filters
//!   ([`StoreError::InvalidCursor`] for any other);
//! - the audit log is a hash chain whose numbering survives retention purges;
//! - outbox messages are claimed once per lease, released, rescheduled and
//!   failed only by the claim's holder.
//!
//! What it does **not** do: nothing is encrypted or persisted — values live in
//! plain process memory and are gone with the store — so it never answers
//! [`StoreError::Gone`] (there is no tenant key to destroy). The audit chain
//! is keyed by [`MemoryStore::chain_key`], derived from the tenant id and not
//! secret. One lock guards all data, and every commit copies it: fine for
//! tests, not for production data.
//!
//! ```
//! # futures_executor::block_on(async {
//! use zeugnis_core::memory::MemoryStore;
//! use zeugnis_core::ports::{ChangeSet, TenantStore, UnitOfWork, Write};
//! use zeugnis_core::tenant::{Tenant, TenantStatus};
//! use zeugnis_core::id::TenantId;
//! use zeugnis_core::values::{Name, Slug, Timestamp};
//!
//! let store = MemoryStore::new();
//! let tenant = Tenant {
//!     id: TenantId::from_bytes([1; 16]),
//!     slug: Slug::parse("firma")?,
//!     name: Name::new("Firma GmbH")?,
//!     status: TenantStatus::Active,
//!     created_at: Timestamp::UNIX_EPOCH,
//! };
//! let mut changes = ChangeSet::new(tenant.id);
//! changes.push(Write::InsertTenant(tenant.clone()));
//! store.commit(changes).await?;
//! assert_eq!(store.tenant(tenant.id).await?, Some(tenant));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod outbox;
mod read;
mod state;

use std::fmt;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use async_trait::async_trait;
use sha2::{Digest as _, Sha256};

use crate::audit::ChainKey;
#[cfg(doc)]
use crate::authz::VisibilityFilter;
use crate::id::TenantId;
#[cfg(doc)]
use crate::ports::{
    ActionStore, AuditLog, ChallengeStore, CredentialStore, EmployeeStore, HandoverStore,
    LibraryStore, OutboxQueue, ReferenceStore, RoleStore, SecondFactorStore, SessionStore,
    SettingsStore, TenantStore, UserStore,
};
use crate::ports::{ChangeSet, StoreError, UnitOfWork};

use state::State;

/// Every store port in process memory, for tests (see the [module](self)).
#[derive(Default)]
pub struct MemoryStore {
    state: RwLock<State>,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// An empty store: no tenant, no record.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The key the store chains a tenant's audit entries with, for checking
    /// them with [`verify_chain`](crate::audit::verify_chain). Derived from the
    /// tenant id: not a secret.
    #[must_use]
    pub fn chain_key(tenant: TenantId) -> ChainKey {
        chain_key(tenant)
    }

    fn read(&self) -> Result<RwLockReadGuard<'_, State>, StoreError> {
        self.state.read().map_err(|_| poisoned())
    }

    fn write(&self) -> Result<RwLockWriteGuard<'_, State>, StoreError> {
        self.state.write().map_err(|_| poisoned())
    }
}

fn poisoned() -> StoreError {
    StoreError::Unavailable("the memory store's lock is poisoned".into())
}

pub(crate) fn chain_key(tenant: TenantId) -> ChainKey {
    let mut h = Sha256::new();
    h.update(b"zeugnis memory store audit chain");
    h.update(tenant.as_bytes());
    ChainKey::from_bytes(h.finalize().into())
}

#[async_trait]
impl UnitOfWork for MemoryStore {
    async fn commit(&self, changes: ChangeSet) -> Result<(), StoreError> {
        let (tenant, writes, preconditions) = changes.into_parts()?;
        let mut guard = self.write()?;
        // All or nothing: the writes go to a copy that replaces the data only
        // when every write and precondition succeeded.
        let mut copy = guard.clone();
        copy.apply(tenant, writes, preconditions)?;
        *guard = copy;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::panic::AssertUnwindSafe;

    use futures_executor::block_on;

    use super::*;
    use crate::ports::TenantStore;

    #[test]
    fn a_poisoned_lock_makes_the_store_unavailable_instead_of_panicking() {
        let store = MemoryStore::new();
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let _held = store.state.write();
            panic!("a writer dies holding the lock");
        }));
        assert!(matches!(
            block_on(store.tenants()),
            Err(StoreError::Unavailable(_))
        ));
        let changes = ChangeSet::new(TenantId::from_bytes([1; 16]));
        assert!(matches!(
            block_on(store.commit(changes)),
            Err(StoreError::Unavailable(_))
        ));
    }
}
