//! One-time codes sent by e-mail or SMS (second factor, handover link check).
//!
//! A [`CodeChallenge`] is valid for 5 minutes, accepts a limited number of tries
//! (5 by default), is used at most once and is bound to one purpose: the login
//! attempt or the handover it was issued for. Only a hash of the code is kept.
//!
//! ```
//! use time::Duration;
//! use zeugnis_core::id::{ChallengeId, TenantId};
//! use zeugnis_core::otp::*;
//! use zeugnis_core::token::HandoverId;
//!
//! let now = time::UtcDateTime::from_unix_timestamp(1_700_000_000)?;
//! let purpose = CodePurpose::HandoverLink(HandoverId::from_bytes([1; 16]));
//! let code = OneTimeCode::from_random(123_456);
//! let challenge = CodeChallenge::issue(
//!     ChallengeId::from_bytes([2; 16]), TenantId::from_bytes([3; 16]),
//!     purpose, &code, now, CodePolicy::default(),
//! );
//! let (used, result) = challenge.verify("123456", &purpose, now + Duration::minutes(4));
//! assert_eq!(result, Ok(()));
//! let (_, again) = used.verify("123456", &purpose, now + Duration::minutes(4));
//! assert_eq!(again, Err(CodeError::AlreadyUsed));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use time::Duration;

use crate::id::{ChallengeId, TenantId, UserId};
use crate::token::{HandoverId, TokenHash};
use crate::values::Timestamp;

/// A six-digit one-time code. `Debug` never shows it; `==` compares in constant
/// time.
#[derive(Clone)]
pub struct OneTimeCode(String);

impl PartialEq for OneTimeCode {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.0.as_bytes().ct_eq(other.0.as_bytes()))
    }
}

impl Eq for OneTimeCode {}

impl OneTimeCode {
    /// Makes a code from a random number (use a full 64-bit random value; the
    /// modulo bias of 2^64 mod 10^6 is negligible).
    #[must_use]
    pub fn from_random(random: u64) -> Self {
        Self(format!("{:06}", random % 1_000_000))
    }

    /// The code, for the message that delivers it. Never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(redacted)")
    }
}

/// What a code was issued for; a code only works for its own purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CodePurpose {
    /// The second step of one login attempt (identified by its pending-login id).
    Login(ChallengeId),
    /// The two-step check of one handover link.
    HandoverLink(HandoverId),
    /// Confirming the phone number of a user who turns on SMS codes.
    SmsEnrolment(UserId),
}

/// Validity and attempt limit of codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct CodePolicy {
    /// How long a code is valid (5 minutes).
    pub validity: Duration,
    /// Wrong entries allowed before the code is void (5).
    pub max_attempts: u8,
}

impl Default for CodePolicy {
    fn default() -> Self {
        Self {
            validity: Duration::minutes(5),
            max_attempts: 5,
        }
    }
}

/// An issued code awaiting entry.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CodeChallenge {
    /// The challenge's id.
    pub id: ChallengeId,
    /// The tenant.
    pub tenant: TenantId,
    /// What it was issued for.
    pub purpose: CodePurpose,
    /// Hash of the code (salted with the challenge id).
    pub code_hash: TokenHash,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// Wrong entries so far.
    pub failed_attempts: u8,
    /// Wrong entries allowed.
    pub max_attempts: u8,
    /// Whether it was used successfully.
    pub used: bool,
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodeError {
    /// The code is wrong; `remaining` tries are left.
    #[error("the code is not correct ({remaining} tries left)")]
    Wrong {
        /// Tries left.
        remaining: u8,
    },
    /// The code expired; request a new one.
    #[error("the code has expired; request a new one")]
    Expired,
    /// Too many wrong entries; request a new one.
    #[error("too many wrong entries; request a new code")]
    TooManyAttempts,
    /// The code was already used.
    #[error("the code was already used; request a new one")]
    AlreadyUsed,
    /// The code was issued for something else.
    #[error("the code is not valid here")]
    WrongPurpose,
}

fn salted(id: ChallengeId, code: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(16 + code.len());
    v.extend_from_slice(id.as_bytes());
    v.extend_from_slice(code.as_bytes());
    v
}

impl CodeChallenge {
    /// Issues a challenge for `code`.
    #[must_use]
    pub fn issue(
        id: ChallengeId,
        tenant: TenantId,
        purpose: CodePurpose,
        code: &OneTimeCode,
        now: Timestamp,
        policy: CodePolicy,
    ) -> Self {
        Self {
            id,
            tenant,
            purpose,
            code_hash: TokenHash::of(&salted(id, code.expose())),
            issued_at: now,
            expires_at: now.saturating_add(policy.validity),
            failed_attempts: 0,
            max_attempts: policy.max_attempts,
            used: false,
        }
    }

    /// Checks an entered code. Returns the state to store (attempts counted, used
    /// marked) and the verdict. Whitespace around the entry is ignored.
    pub fn verify(
        mut self,
        entered: &str,
        purpose: &CodePurpose,
        now: Timestamp,
    ) -> (Self, Result<(), CodeError>) {
        if &self.purpose != purpose {
            return (self, Err(CodeError::WrongPurpose));
        }
        if self.used {
            return (self, Err(CodeError::AlreadyUsed));
        }
        if now >= self.expires_at {
            return (self, Err(CodeError::Expired));
        }
        if self.failed_attempts >= self.max_attempts {
            return (self, Err(CodeError::TooManyAttempts));
        }
        if self
            .code_hash
            .matches_bytes(&salted(self.id, entered.trim()))
        {
            self.used = true;
            (self, Ok(()))
        } else {
            self.failed_attempts = self.failed_attempts.saturating_add(1);
            let remaining = self.max_attempts.saturating_sub(self.failed_attempts);
            let err = if remaining == 0 {
                CodeError::TooManyAttempts
            } else {
                CodeError::Wrong { remaining }
            };
            (self, Err(err))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (CodeChallenge, CodePurpose, Timestamp) {
        let now = Timestamp::from_unix_timestamp(1_700_000_000).unwrap();
        let purpose = CodePurpose::Login(ChallengeId::from_bytes([9; 16]));
        let c = CodeChallenge::issue(
            ChallengeId::from_bytes([1; 16]),
            TenantId::from_bytes([2; 16]),
            purpose,
            &OneTimeCode::from_random(42),
            now,
            CodePolicy::default(),
        );
        (c, purpose, now)
    }

    #[test]
    fn codes_have_six_digits() {
        assert_eq!(OneTimeCode::from_random(42).expose(), "000042");
        assert_eq!(OneTimeCode::from_random(u64::MAX).expose().len(), 6);
    }

    #[test]
    fn a_code_expires_after_five_minutes() {
        let (c, p, now) = setup();
        let (_, r) = c.clone().verify("000042", &p, now + Duration::seconds(299));
        assert_eq!(r, Ok(()));
        let (_, r) = c.verify("000042", &p, now + Duration::minutes(5));
        assert_eq!(r, Err(CodeError::Expired));
    }

    #[test]
    fn after_five_wrong_entries_even_the_right_code_is_refused() {
        let (mut c, p, now) = setup();
        for remaining in (0..5).rev() {
            let (next, r) = c.verify("999999", &p, now);
            c = next;
            let expected = if remaining == 0 {
                CodeError::TooManyAttempts
            } else {
                CodeError::Wrong { remaining }
            };
            assert_eq!(r, Err(expected));
        }
        assert_eq!(
            c.verify("000042", &p, now).1,
            Err(CodeError::TooManyAttempts)
        );
    }

    #[test]
    fn a_code_is_bound_to_its_purpose() {
        let (c, _, now) = setup();
        let other = CodePurpose::Login(ChallengeId::from_bytes([8; 16]));
        assert_eq!(
            c.verify("000042", &other, now).1,
            Err(CodeError::WrongPurpose)
        );
    }

    #[test]
    fn codes_never_print() {
        assert_eq!(
            format!("{:?}", OneTimeCode::from_random(1)),
            "OneTimeCode(redacted)"
        );
    }
}
