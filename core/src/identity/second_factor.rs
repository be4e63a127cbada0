//! Second-factor rules that do not need the cryptography itself: TOTP time steps
//! with at most one step of drift and no code accepted twice, and single-use
//! recovery codes.
//!
//! Computing a TOTP code (RFC 6238, HMAC-SHA-1, 30-second steps) is the auth
//! adapter's job; it tells this module which step a code matched, and the rules
//! here decide whether that step is acceptable.
//!
//! ```
//! use zeugnis_core::second_factor::{TotpGuard, TotpError, step_at, candidate_steps};
//! let now = time::UtcDateTime::from_unix_timestamp(1_700_000_000)?;
//! let steps = candidate_steps(now);
//! assert_eq!(steps, [step_at(now) - 1, step_at(now), step_at(now) + 1]);
//! let guard = TotpGuard::default().accept(step_at(now), now)?;
//! // The same code (same step) is never accepted twice, nor an older one.
//! assert_eq!(guard.accept(step_at(now), now), Err(TotpError::Reused));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use crate::token::TokenHash;
use crate::values::Timestamp;

/// The TOTP step length in seconds (RFC 6238 default).
pub const STEP_SECONDS: i64 = 30;

/// The time step `at` falls in.
#[must_use]
pub fn step_at(at: Timestamp) -> u64 {
    u64::try_from(at.unix_timestamp().div_euclid(STEP_SECONDS)).unwrap_or(0)
}

/// The steps a code may match at `now`: the current one and one either side.
#[must_use]
pub fn candidate_steps(now: Timestamp) -> [u64; 3] {
    let s = step_at(now);
    [s.saturating_sub(1), s, s.saturating_add(1)]
}

/// Why a TOTP code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TotpError {
    /// The code matched a step more than one step away from now.
    #[error("the code is not valid at this time; check the device's clock")]
    OutOfWindow,
    /// The code (or an older one) was already used.
    #[error("this code was already used; wait for the next one")]
    Reused,
}

/// Remembers the last step a user's TOTP code was accepted for, so no code is
/// ever accepted twice (and no older one after a newer).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct TotpGuard {
    last_step: Option<u64>,
}

impl TotpGuard {
    /// Restores a stored guard.
    #[must_use]
    pub const fn from_last_step(last_step: Option<u64>) -> Self {
        Self { last_step }
    }

    /// The last accepted step.
    #[must_use]
    pub const fn last_step(&self) -> Option<u64> {
        self.last_step
    }

    /// Accepts a code that matched `step` at `now`, returning the guard to store.
    ///
    /// # Errors
    /// [`TotpError::OutOfWindow`] when `step` is not within one step of now;
    /// [`TotpError::Reused`] when `step` is not after the last accepted step.
    pub fn accept(self, step: u64, now: Timestamp) -> Result<Self, TotpError> {
        if !candidate_steps(now).contains(&step) {
            return Err(TotpError::OutOfWindow);
        }
        if self.last_step.is_some_and(|last| step <= last) {
            return Err(TotpError::Reused);
        }
        Ok(Self {
            last_step: Some(step),
        })
    }
}

/// An enrolled authenticator app: its secret and the last step accepted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnrolledTotp {
    /// The shared secret.
    pub secret: crate::ports::TotpSecret,
    /// The last accepted step (no code twice).
    pub guard: TotpGuard,
}

/// A user's second factors: the authenticator app (enrolled, or being set up)
/// and the recovery codes. Stored sealed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SecondFactors {
    /// Whose.
    pub user: crate::id::UserId,
    /// The enrolled authenticator app.
    pub totp: Option<EnrolledTotp>,
    /// A secret shown for enrolment, not yet confirmed with a code.
    pub pending_totp: Option<crate::ports::TotpSecret>,
    /// Unused recovery codes.
    pub recovery: RecoveryCodes,
}

impl SecondFactors {
    /// Nothing enrolled yet.
    #[must_use]
    pub fn empty(user: crate::id::UserId) -> Self {
        Self {
            user,
            totp: None,
            pending_totp: None,
            recovery: RecoveryCodes::default(),
        }
    }
}

/// A recovery code as shown to the user once (`xxxx-xxxx`, lower-case letters and
/// digits without look-alikes). `Debug` never shows it.
#[derive(Clone)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    /// How many codes are issued at enrolment.
    pub const COUNT: usize = 10;

    const ALPHABET: &'static [u8; 32] = b"abcdefghjkmnpqrstuvwxyz023456789";

    /// Makes a code from 8 random bytes.
    #[must_use]
    pub fn from_random(bytes: [u8; 8]) -> Self {
        let mut s = String::with_capacity(9);
        for (i, b) in bytes.iter().enumerate() {
            if i == 4 {
                s.push('-');
            }
            let c = Self::ALPHABET
                .get(usize::from(b & 31))
                .copied()
                .unwrap_or(b'x');
            s.push(char::from(c));
        }
        Self(s)
    }

    /// The code, to show once. Never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The hash to store.
    #[must_use]
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(normalise(&self.0).as_bytes())
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(redacted)")
    }
}

fn normalise(entered: &str) -> String {
    entered
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The stored recovery codes of a user: hashes, each usable once.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct RecoveryCodes {
    unused: Vec<TokenHash>,
}

/// A recovery code that does not match any unused one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the recovery code is not valid or was already used")]
pub struct InvalidRecoveryCode;

impl RecoveryCodes {
    /// Stores the hashes of freshly issued codes (replacing any earlier set).
    #[must_use]
    pub fn issue(codes: &[RecoveryCode]) -> Self {
        Self {
            unused: codes.iter().map(RecoveryCode::hash).collect(),
        }
    }

    /// How many codes are left.
    #[must_use]
    pub fn remaining(&self) -> usize {
        self.unused.len()
    }

    /// Uses a code (case, spaces and hyphens ignored). Every stored hash is
    /// compared, in constant time each, whether or not one matched earlier.
    ///
    /// # Errors
    /// [`InvalidRecoveryCode`].
    pub fn redeem(&mut self, entered: &str) -> Result<(), InvalidRecoveryCode> {
        let candidate = normalise(entered);
        let mut hit = None;
        for (i, h) in self.unused.iter().enumerate() {
            if h.matches_bytes(candidate.as_bytes()) && hit.is_none() {
                hit = Some(i);
            }
        }
        match hit {
            Some(i) => {
                self.unused.remove(i);
                Ok(())
            }
            None => Err(InvalidRecoveryCode),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_unix_timestamp(secs).unwrap()
    }

    #[test]
    fn one_step_of_drift_either_way_is_accepted_two_are_not() {
        let now = at(1_700_000_015);
        let s = step_at(now);
        assert!(TotpGuard::default().accept(s - 1, now).is_ok());
        assert!(TotpGuard::default().accept(s + 1, now).is_ok());
        assert_eq!(
            TotpGuard::default().accept(s + 2, now),
            Err(TotpError::OutOfWindow)
        );
        assert_eq!(
            TotpGuard::default().accept(s - 2, now),
            Err(TotpError::OutOfWindow)
        );
    }

    #[test]
    fn an_older_code_is_refused_after_a_newer_one() {
        let now = at(1_700_000_015);
        let s = step_at(now);
        let g = TotpGuard::default().accept(s, now).unwrap();
        assert_eq!(g.accept(s - 1, now), Err(TotpError::Reused));
        assert!(g.accept(s + 1, now).is_ok());
    }

    #[test]
    fn recovery_codes_work_once_each_and_ignore_formatting() {
        let codes: Vec<_> = (0..RecoveryCode::COUNT)
            .map(|i| RecoveryCode::from_random([u8::try_from(i).unwrap(); 8]))
            .collect();
        let mut stored = RecoveryCodes::issue(&codes);
        assert_eq!(stored.remaining(), 10);
        let shown = codes[3].expose().to_uppercase().replace('-', " ");
        assert_eq!(stored.redeem(&shown), Ok(()));
        assert_eq!(stored.redeem(codes[3].expose()), Err(InvalidRecoveryCode));
        assert_eq!(stored.remaining(), 9);
        assert_eq!(stored.redeem("nope-nope"), Err(InvalidRecoveryCode));
    }

    #[test]
    fn recovery_codes_have_the_shown_format_and_never_print() {
        let c = RecoveryCode::from_random([0, 1, 2, 3, 4, 5, 6, 255]);
        assert_eq!(c.expose().len(), 9);
        assert_eq!(c.expose().chars().nth(4), Some('-'));
        assert_eq!(format!("{c:?}"), "RecoveryCode(redacted)");
    }
}
