//! Tenants: customer organisations, strictly apart from one another.

use crate::id::TenantId;
use crate::values::{Name, Slug, Timestamp};

/// The lifecycle status of a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TenantStatus {
    /// Normal operation.
    Active,
    /// The contract ended: 30 days of viewing and downloading, nothing changes.
    ReadOnly {
        /// When all data is deleted.
        delete_after: Timestamp,
    },
    /// Deleted (its data is gone; only the tombstone remains for operators).
    Deleted,
}

/// A tenant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tenant {
    /// The tenant's id.
    pub id: TenantId,
    /// Short name in URLs.
    pub slug: Slug,
    /// Display name.
    pub name: Name,
    /// Status.
    pub status: TenantStatus,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A change refused because of the tenant's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TenantError {
    /// The tenant is read-only after the end of its contract.
    #[error(
        "this organisation's contract has ended; its data can be viewed and downloaded but not changed"
    )]
    ReadOnly,
    /// The tenant is deleted.
    #[error("this organisation no longer exists")]
    Deleted,
}

impl Tenant {
    /// The days a tenant stays read-only after its contract ends.
    pub const READ_ONLY_DAYS: i64 = 30;

    /// Checks that the tenant's data may be changed.
    ///
    /// # Errors
    /// [`TenantError::ReadOnly`] or [`TenantError::Deleted`].
    pub fn ensure_writable(&self) -> Result<(), TenantError> {
        match self.status {
            TenantStatus::Active => Ok(()),
            TenantStatus::ReadOnly { .. } => Err(TenantError::ReadOnly),
            TenantStatus::Deleted => Err(TenantError::Deleted),
        }
    }

    /// Checks that the tenant's data may be viewed.
    ///
    /// # Errors
    /// [`TenantError::Deleted`].
    pub fn ensure_readable(&self) -> Result<(), TenantError> {
        match self.status {
            TenantStatus::Deleted => Err(TenantError::Deleted),
            _ => Ok(()),
        }
    }

    /// Ends the contract: read-only for 30 days, then deletion.
    pub fn end_contract(&mut self, now: Timestamp) {
        if self.status == TenantStatus::Active {
            self.status = TenantStatus::ReadOnly {
                delete_after: now.saturating_add(time::Duration::days(Self::READ_ONLY_DAYS)),
            };
        }
    }

    /// Whether all data is due for deletion at `now`.
    #[must_use]
    pub fn is_due_for_deletion(&self, now: Timestamp) -> bool {
        matches!(self.status, TenantStatus::ReadOnly { delete_after } if now >= delete_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_contract_is_read_only_for_thirty_days_then_due() {
        let now = Timestamp::from_unix_timestamp(1_700_000_000).unwrap();
        let mut t = Tenant {
            id: TenantId::from_bytes([1; 16]),
            slug: Slug::parse("acme").unwrap(),
            name: Name::new("ACME GmbH").unwrap(),
            status: TenantStatus::Active,
            created_at: now,
        };
        assert_eq!(t.ensure_writable(), Ok(()));
        t.end_contract(now);
        assert_eq!(t.ensure_writable(), Err(TenantError::ReadOnly));
        assert_eq!(t.ensure_readable(), Ok(()));
        assert!(!t.is_due_for_deletion(now + time::Duration::days(29)));
        assert!(t.is_due_for_deletion(now + time::Duration::days(30)));
    }
}
