//! Random tokens for links, sessions and resets, and their hashes.
//!
//! A token is generated from random bytes supplied by the caller (the
//! [`RandomSource`](crate::ports::RandomSource) port) and shown to its holder once.
//! The server keeps only its [`TokenHash`] (SHA-256) and compares hashes in constant
//! time, so a database dump does not contain usable links or sessions.
//!
//! ```
//! use zeugnis_core::token::{HandoverId, HandoverSecret, SecretToken};
//! let id = HandoverId::from_bytes([0xab; 16]);
//! let secret = HandoverSecret::from_bytes([0x5e; 16]);
//! let stored = secret.hash();
//! let parsed: HandoverSecret = secret.expose_hex().parse().unwrap();
//! assert!(stored.matches(&parsed));
//! assert_eq!(id.to_string().len(), 32);
//! assert_eq!(format!("{secret:?}"), "HandoverSecret(redacted)");
//! ```

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A token in a URL or header was not well-formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed token: expected {expected} lower-case hexadecimal characters")]
pub struct MalformedToken {
    /// The number of hex characters expected.
    pub expected: usize,
}

fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn from_hex<const N: usize>(s: &str) -> Result<[u8; N], MalformedToken> {
    let err = MalformedToken { expected: N * 2 };
    let raw = s.as_bytes();
    if raw.len() != N * 2 {
        return Err(err);
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        _ => Err(err),
    };
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(raw.chunks_exact(2)) {
        let (hi, lo) = match pair {
            [hi, lo] => (*hi, *lo),
            _ => return Err(err),
        };
        *slot = (nibble(hi)? << 4) | nibble(lo)?;
    }
    Ok(out)
}

/// The SHA-256 hash of a secret token: what the server stores.
#[derive(Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// Hashes arbitrary secret bytes.
    #[must_use]
    pub fn of(secret: &[u8]) -> Self {
        Self(Sha256::digest(secret).into())
    }

    /// Wraps a stored hash.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The hash bytes (for storage).
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Whether `candidate` hashes to this value, compared in constant time.
    #[must_use]
    pub fn matches<T: SecretToken>(&self, candidate: &T) -> bool {
        self.matches_bytes(candidate.secret_bytes())
    }

    /// Whether the given secret bytes hash to this value (constant time).
    #[must_use]
    pub fn matches_bytes(&self, secret: &[u8]) -> bool {
        let other = Self::of(secret);
        bool::from(self.0.ct_eq(&other.0))
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(…)")
    }
}

/// A secret token: can be hashed, never printed by `Debug`.
pub trait SecretToken {
    /// The raw secret bytes.
    fn secret_bytes(&self) -> &[u8];

    /// The hash to store.
    fn hash(&self) -> TokenHash {
        TokenHash::of(self.secret_bytes())
    }
}

macro_rules! secret_token {
    ($(#[$meta:meta])* $name:ident, $len:literal) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name([u8; $len]);

        impl PartialEq for $name {
            /// Constant-time comparison.
            fn eq(&self, other: &Self) -> bool {
                bool::from(self.0.ct_eq(&other.0))
            }
        }

        impl Eq for $name {}

        impl $name {
            /// Builds the secret from random bytes.
            #[must_use]
            pub const fn from_bytes(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }

            /// The secret as lower-case hex, for the one place it is shown (a link,
            /// a cookie). Never log it.
            #[must_use]
            pub fn expose_hex(&self) -> String {
                to_hex(&self.0)
            }
        }

        impl SecretToken for $name {
            fn secret_bytes(&self) -> &[u8] {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(redacted)"))
            }
        }

        impl FromStr for $name {
            type Err = MalformedToken;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                from_hex::<$len>(s).map(Self)
            }
        }
    };
}

secret_token!(
    /// The secret half of a handover link (128 bits, 32 hex characters).
    HandoverSecret,
    16
);
secret_token!(
    /// A session id (256 bits), sent only in a cookie.
    SessionToken,
    32
);
secret_token!(
    /// A single-use token in a registration or password-reset link (256 bits).
    ActionToken,
    32
);

/// The public half of a handover link (128 random bits, 32 hex characters). It
/// identifies the handover; on its own it grants nothing.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct HandoverId([u8; 16]);

impl HandoverId {
    /// Builds the id from random bytes.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The id's bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for HandoverId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&to_hex(&self.0))
    }
}

impl fmt::Debug for HandoverId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HandoverId({self})")
    }
}

impl FromStr for HandoverId {
    type Err = MalformedToken;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        from_hex::<16>(s).map(Self)
    }
}

impl TryFrom<String> for HandoverId {
    type Error = MalformedToken;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<HandoverId> for String {
    fn from(value: HandoverId) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_is_lower_case_32_chars() {
        let s = HandoverSecret::from_bytes([0xAB; 16]);
        let hex = s.expose_hex();
        assert_eq!(hex, "ab".repeat(16));
        assert_eq!(hex.parse::<HandoverSecret>().unwrap(), s);
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for bad in [
            "",
            "ab",
            &"AB".repeat(16),
            &"zz".repeat(16),
            &"ab".repeat(17),
            "äb",
        ] {
            assert_eq!(
                bad.parse::<HandoverId>(),
                Err(MalformedToken { expected: 32 }),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_hash_matches_only_its_own_secret() {
        let a = SessionToken::from_bytes([1; 32]);
        let mut other = [1; 32];
        other[31] = 2;
        let b = SessionToken::from_bytes(other);
        assert!(a.hash().matches(&a));
        assert!(!a.hash().matches(&b));
    }

    #[test]
    fn secrets_and_hashes_never_print() {
        let s = ActionToken::from_bytes([9; 32]);
        assert_eq!(format!("{s:?}"), "ActionToken(redacted)");
        assert_eq!(format!("{:?}", s.hash()), "TokenHash(…)");
    }
}
