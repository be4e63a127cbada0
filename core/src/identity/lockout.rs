//! Lockout after consecutive failed logins.
//!
//! Failed logins are counted per user. The failure that reaches the tenant's
//! threshold (5 by default) locks the account; it stays locked until an explicit
//! [`LockoutState::unlock`] by an administrator or support. A successful login
//! resets the count. While locked, every attempt is refused — a correct password
//! included — and no attempt ever unlocks.
//!
//! ```
//! use zeugnis_core::lockout::{Attempt, LockoutState, MaxFailedAttempts};
//! let max = MaxFailedAttempts::default(); // 5
//! let mut state = LockoutState::default();
//! for _ in 0..4 {
//!     state = state.record(Attempt::WrongCredentials, max).state;
//! }
//! assert!(!state.is_locked());
//! let outcome = state.record(Attempt::WrongCredentials, max);
//! assert!(outcome.newly_locked);
//! // the right password does not help any more
//! assert!(!outcome.state.record(Attempt::CorrectCredentials, max).accepted);
//! assert!(!outcome.state.unlock().is_locked());
//! ```

/// The number of consecutive failures that locks an account (1 to 5; the default 5
/// is the most a tenant may allow — a policy can only make it stricter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct MaxFailedAttempts(u8);

/// A threshold outside 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the number of failed logins before lockout must be between 1 and {max}, got {got}", max = MaxFailedAttempts::MAX)]
pub struct InvalidThreshold {
    /// The rejected value.
    pub got: u8,
}

impl MaxFailedAttempts {
    /// The default and the most allowed: 5.
    pub const MAX: u8 = 5;

    /// Checks a threshold.
    ///
    /// # Errors
    /// [`InvalidThreshold`] outside `1..=5`.
    pub const fn new(n: u8) -> Result<Self, InvalidThreshold> {
        if n >= 1 && n <= Self::MAX {
            Ok(Self(n))
        } else {
            Err(InvalidThreshold { got: n })
        }
    }

    /// The threshold.
    #[must_use]
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl Default for MaxFailedAttempts {
    fn default() -> Self {
        Self(Self::MAX)
    }
}

impl TryFrom<u8> for MaxFailedAttempts {
    type Error = InvalidThreshold;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<MaxFailedAttempts> for u8 {
    fn from(value: MaxFailedAttempts) -> Self {
        value.0
    }
}

/// What a login attempt turned out to be, before lockout is considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attempt {
    /// Password (and second factor, where required) were right.
    CorrectCredentials,
    /// The password or a second-factor code was wrong or missing.
    WrongCredentials,
}

/// A user's lockout state.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct LockoutState {
    consecutive_failures: u32,
    locked: bool,
}

/// The result of recording an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct LockoutOutcome {
    /// The state to store.
    pub state: LockoutState,
    /// Whether the login is accepted.
    pub accepted: bool,
    /// Whether this attempt locked the account (audit it, notify).
    pub newly_locked: bool,
}

impl LockoutState {
    /// Restores a stored state.
    #[must_use]
    pub const fn from_parts(consecutive_failures: u32, locked: bool) -> Self {
        Self {
            consecutive_failures,
            locked,
        }
    }

    /// Consecutive failures since the last success or unlock.
    #[must_use]
    pub const fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }

    /// Whether the account is locked.
    #[must_use]
    pub const fn is_locked(&self) -> bool {
        self.locked
    }

    /// Records an attempt.
    pub fn record(self, attempt: Attempt, max: MaxFailedAttempts) -> LockoutOutcome {
        if self.locked {
            // Refused whatever the credentials; the count keeps growing so the audit
            // log shows continued attempts, but nothing here unlocks.
            let state = Self {
                consecutive_failures: self.consecutive_failures.saturating_add(1),
                locked: true,
            };
            return LockoutOutcome {
                state,
                accepted: false,
                newly_locked: false,
            };
        }
        match attempt {
            Attempt::CorrectCredentials => LockoutOutcome {
                state: Self::default(),
                accepted: true,
                newly_locked: false,
            },
            Attempt::WrongCredentials => {
                let failures = self.consecutive_failures.saturating_add(1);
                let locked = failures >= u32::from(max.get());
                LockoutOutcome {
                    state: Self {
                        consecutive_failures: failures,
                        locked,
                    },
                    accepted: false,
                    newly_locked: locked,
                }
            }
        }
    }

    /// Unlocks the account and resets the count (an administrator or support did it).
    #[must_use]
    pub const fn unlock(self) -> Self {
        Self {
            consecutive_failures: 0,
            locked: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stricter_threshold_locks_earlier() {
        let max = MaxFailedAttempts::new(3).unwrap();
        let mut s = LockoutState::default();
        for _ in 0..2 {
            s = s.record(Attempt::WrongCredentials, max).state;
        }
        assert!(s.record(Attempt::WrongCredentials, max).newly_locked);
    }

    #[test]
    fn the_threshold_cannot_be_loosened_beyond_five() {
        assert_eq!(MaxFailedAttempts::new(6), Err(InvalidThreshold { got: 6 }));
        assert_eq!(MaxFailedAttempts::new(0), Err(InvalidThreshold { got: 0 }));
        assert!(
            InvalidThreshold { got: 9 }
                .to_string()
                .contains("between 1 and 5")
        );
    }

    #[test]
    fn success_resets_the_count() {
        let max = MaxFailedAttempts::default();
        let mut s = LockoutState::default();
        for _ in 0..4 {
            s = s.record(Attempt::WrongCredentials, max).state;
        }
        s = s.record(Attempt::CorrectCredentials, max).state;
        assert_eq!(s.consecutive_failures(), 0);
        for _ in 0..4 {
            s = s.record(Attempt::WrongCredentials, max).state;
        }
        assert!(!s.is_locked());
    }

    #[test]
    fn locked_user_cannot_log_in_even_with_the_right_password() {
        let max = MaxFailedAttempts::default();
        let locked = LockoutState::from_parts(5, true);
        let o = locked.record(Attempt::CorrectCredentials, max);
        assert!(!o.accepted && o.state.is_locked() && !o.newly_locked);
    }
}
