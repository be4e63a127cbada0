//! Single-use links that act on an account: the registration link of an
//! invitation and the password-reset link.
//!
//! The link carries a random 256-bit [`ActionToken`]; only its hash is stored,
//! in a [`PendingAction`] that says what the link may do, for whom, and until
//! when. Redeeming it removes it, so a link works once; a newer reset link
//! replaces older ones.
//!
//! ```
//! use zeugnis_core::action::{ActionPurpose, PendingAction};
//! use zeugnis_core::id::{TenantId, UserId};
//! use zeugnis_core::token::{ActionToken, SecretToken as _};
//!
//! let now = time::UtcDateTime::from_unix_timestamp(1_700_000_000)?;
//! let token = ActionToken::from_bytes([7; 32]);
//! let action = PendingAction::issue(
//!     &token, TenantId::from_bytes([1; 16]), UserId::from_bytes([2; 16]),
//!     ActionPurpose::PasswordReset, now,
//! );
//! assert!(action.is_usable(ActionPurpose::PasswordReset, now));
//! assert!(!action.is_usable(ActionPurpose::Invitation, now));
//! assert!(!action.is_usable(ActionPurpose::PasswordReset, now + time::Duration::minutes(30)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use time::Duration;

use crate::id::{TenantId, UserId};
use crate::token::{ActionToken, SecretToken as _, TokenHash};
use crate::values::Timestamp;

/// What a link may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActionPurpose {
    /// Complete a registration: set the first password.
    Invitation,
    /// Set a new password after "forgot password".
    PasswordReset,
}

impl ActionPurpose {
    /// How long a link of this kind works: 72 hours for an invitation, 30 minutes
    /// for a password reset.
    #[must_use]
    pub const fn validity(self) -> Duration {
        match self {
            ActionPurpose::Invitation => Duration::hours(72),
            ActionPurpose::PasswordReset => Duration::minutes(30),
        }
    }

    /// Stable machine key (`invitation`, `password_reset`).
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            ActionPurpose::Invitation => "invitation",
            ActionPurpose::PasswordReset => "password_reset",
        }
    }

    /// The purpose with this key.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "invitation" => Some(ActionPurpose::Invitation),
            "password_reset" => Some(ActionPurpose::PasswordReset),
            _ => None,
        }
    }
}

/// An issued, not yet used link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAction {
    /// Hash of the link's token (the token itself is only in the mail).
    pub token_hash: TokenHash,
    /// The tenant.
    pub tenant: TenantId,
    /// The account it acts on.
    pub user: UserId,
    /// What it may do.
    pub purpose: ActionPurpose,
    /// When it was issued.
    pub created_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
}

impl PendingAction {
    /// A link for `purpose`, valid for [`ActionPurpose::validity`] from `now`.
    #[must_use]
    pub fn issue(
        token: &ActionToken,
        tenant: TenantId,
        user: UserId,
        purpose: ActionPurpose,
        now: Timestamp,
    ) -> Self {
        Self {
            token_hash: token.hash(),
            tenant,
            user,
            purpose,
            created_at: now,
            expires_at: now.saturating_add(purpose.validity()),
        }
    }

    /// Whether the link may be used for `purpose` at `now`.
    #[must_use]
    pub fn is_usable(&self, purpose: ActionPurpose, now: Timestamp) -> bool {
        self.purpose == purpose && now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purpose_keys_round_trip() {
        for p in [ActionPurpose::Invitation, ActionPurpose::PasswordReset] {
            assert_eq!(ActionPurpose::from_key(p.key()), Some(p));
        }
        assert_eq!(ActionPurpose::from_key("other"), None);
    }

    #[test]
    fn an_invitation_works_for_three_days() {
        let now = Timestamp::from_unix_timestamp(1_700_000_000).unwrap();
        let a = PendingAction::issue(
            &ActionToken::from_bytes([1; 32]),
            TenantId::from_bytes([1; 16]),
            UserId::from_bytes([2; 16]),
            ActionPurpose::Invitation,
            now,
        );
        assert!(a.is_usable(ActionPurpose::Invitation, now + Duration::hours(71)));
        assert!(!a.is_usable(ActionPurpose::Invitation, now + Duration::hours(72)));
    }
}
