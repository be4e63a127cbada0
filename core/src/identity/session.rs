//! Server-side sessions (kept in the database so every app instance sees them).
//!
//! A session is found by the hash of its 256-bit token; it ends after an idle
//! period without use or at an absolute limit, whichever comes first.

use crate::id::{ChallengeId, TenantId, UserId};
use crate::settings::SessionTimeouts;
use crate::token::{HandoverId, TokenHash};
use crate::values::Timestamp;

/// Whose session it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Principal {
    /// A logged-in user.
    User(UserId),
    /// A handover link holder (short-lived, bound to that handover).
    Handover(HandoverId),
    /// Someone who gave the right password and still owes the second factor: may
    /// only answer (or enrol) it, within a few minutes, for this one attempt.
    PendingLogin(PendingLogin),
}

/// The state of a login between the password and the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct PendingLogin {
    /// Who.
    pub user: UserId,
    /// This attempt (an SMS code is bound to it).
    pub attempt: ChallengeId,
    /// No second factor is enrolled but the tenant requires one: enrol first.
    pub enrolment_required: bool,
}

impl Principal {
    /// The user this session belongs to, fully logged in or not.
    #[must_use]
    pub const fn user(&self) -> Option<UserId> {
        match self {
            Principal::User(u) => Some(*u),
            Principal::PendingLogin(p) => Some(p.user),
            Principal::Handover(_) => None,
        }
    }
}

/// A session.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    /// Hash of the session token (the token itself lives only in the cookie).
    pub token_hash: TokenHash,
    /// The tenant.
    pub tenant: TenantId,
    /// Whose session.
    pub principal: Principal,
    /// When it started.
    pub created_at: Timestamp,
    /// Last request.
    pub last_seen_at: Timestamp,
    /// Idle and absolute limits in force when it started.
    pub timeouts: SessionTimeouts,
    /// A hard end regardless of the timeouts (a handover session ends with its
    /// link).
    pub not_after: Option<Timestamp>,
}

impl Session {
    /// Whether the session may still be used at `now`.
    #[must_use]
    pub fn is_valid(&self, now: Timestamp) -> bool {
        now < self.last_seen_at.saturating_add(self.timeouts.idle())
            && now < self.created_at.saturating_add(self.timeouts.absolute())
            && self.not_after.is_none_or(|end| now < end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn idle_and_absolute_timeouts_both_end_a_session() {
        let start = Timestamp::from_unix_timestamp(1_700_000_000).unwrap();
        let mut s = Session {
            token_hash: TokenHash::of(b"x"),
            tenant: TenantId::from_bytes([1; 16]),
            principal: Principal::User(UserId::from_bytes([2; 16])),
            created_at: start,
            last_seen_at: start,
            timeouts: SessionTimeouts::default(),
            not_after: None,
        };
        assert!(s.is_valid(start + Duration::minutes(29)));
        assert!(!s.is_valid(start + Duration::minutes(30)));
        for h in 1..12 {
            s.last_seen_at = start + Duration::hours(h);
        }
        assert!(s.is_valid(start + Duration::hours(11) + Duration::minutes(29)));
        assert!(!s.is_valid(start + Duration::hours(12)));
    }

    #[test]
    fn a_handover_session_ends_with_its_link() {
        let start = Timestamp::from_unix_timestamp(1_700_000_000).unwrap();
        let s = Session {
            token_hash: TokenHash::of(b"y"),
            tenant: TenantId::from_bytes([1; 16]),
            principal: Principal::Handover(HandoverId::from_bytes([3; 16])),
            created_at: start,
            last_seen_at: start,
            timeouts: SessionTimeouts::default(),
            not_after: Some(start + Duration::minutes(5)),
        };
        assert!(s.is_valid(start + Duration::minutes(4)));
        assert!(!s.is_valid(start + Duration::minutes(5)));
    }
}
