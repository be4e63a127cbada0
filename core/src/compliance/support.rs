//! Support access: vendor support has no access to a tenant's data unless the
//! tenant's administrator grants it for a period; the grant ends by itself at the
//! end of the period, or earlier when the administrator ends it.
//!
//! ```
//! use time::Duration;
//! use zeugnis_core::id::{TenantId, UserId};
//! use zeugnis_core::support::SupportGrant;
//! let now = time::UtcDateTime::from_unix_timestamp(1_700_000_000)?;
//! let mut grant = SupportGrant::new(TenantId::from_bytes([1; 16]), UserId::from_bytes([2; 16]), now, Duration::days(2))?;
//! assert!(grant.is_active(now + Duration::days(1)));
//! assert!(!grant.is_active(now + Duration::days(2)));
//! grant.end(now + Duration::hours(1));
//! assert!(!grant.is_active(now + Duration::hours(2)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use time::Duration;

use crate::id::{TenantId, UserId};
use crate::values::Timestamp;

/// A grant of support access to one tenant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SupportGrant {
    /// The tenant.
    pub tenant: TenantId,
    /// The administrator who granted it.
    pub granted_by: UserId,
    /// From when.
    pub from: Timestamp,
    /// Until when (exclusive).
    pub until: Timestamp,
    /// When it was ended early, if it was.
    pub ended_at: Option<Timestamp>,
}

/// A grant period that is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("support access can be granted for 1 hour up to 30 days")]
pub struct InvalidSupportPeriod;

impl SupportGrant {
    /// The longest period that can be granted at once.
    pub const MAX_PERIOD: Duration = Duration::days(30);

    /// Grants access from `now` for `period`.
    ///
    /// # Errors
    /// [`InvalidSupportPeriod`] outside 1 hour to 30 days.
    pub fn new(
        tenant: TenantId,
        granted_by: UserId,
        now: Timestamp,
        period: Duration,
    ) -> Result<Self, InvalidSupportPeriod> {
        if period < Duration::hours(1) || period > Self::MAX_PERIOD {
            return Err(InvalidSupportPeriod);
        }
        Ok(Self {
            tenant,
            granted_by,
            from: now,
            until: now.saturating_add(period),
            ended_at: None,
        })
    }

    /// Whether support may act in the tenant at `now`.
    #[must_use]
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.from <= now && now < self.until && self.ended_at.is_none_or(|end| now < end)
    }

    /// The administrator ends the grant early (no effect once it is over).
    pub fn end(&mut self, now: Timestamp) {
        if self.ended_at.is_none() && now < self.until {
            self.ended_at = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_outside_one_hour_to_thirty_days_are_refused() {
        let now = Timestamp::from_unix_timestamp(0).unwrap();
        let t = TenantId::from_bytes([1; 16]);
        let u = UserId::from_bytes([2; 16]);
        assert_eq!(
            SupportGrant::new(t, u, now, Duration::minutes(59)),
            Err(InvalidSupportPeriod)
        );
        assert_eq!(
            SupportGrant::new(t, u, now, Duration::days(31)),
            Err(InvalidSupportPeriod)
        );
        assert!(SupportGrant::new(t, u, now, Duration::days(30)).is_ok());
    }
}
