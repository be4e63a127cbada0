//! Authentication adapters of zeugnis: how passwords are hashed, which
//! passwords are too common to accept, and how one-time codes are computed.
//!
//! - [`Argon2Hasher`]: Argon2id password hashing on the blocking thread pool,
//!   limited by a semaphore so a flood of logins waits instead of starving the
//!   runtime ([`PasswordHasher`](zeugnis_core::ports::PasswordHasher)).
//! - [`CommonPasswords`]: the common-password list shipped in the binary,
//!   built from the zxcvbn-ts lists (English and German)
//!   ([`BreachedPasswords`](zeugnis_core::password::BreachedPasswords)).
//! - [`TotpRs`]: RFC 6238 one-time codes (HMAC-SHA-1, 6 digits, 30 s), the
//!   `otpauth://` URI and its QR code as SVG
//!   ([`TotpEngine`](zeugnis_core::ports::TotpEngine)).
//!
//! Nothing here logs; passwords and secrets are never put into error messages.

mod common;
mod hasher;
mod totp;

pub use common::CommonPasswords;
pub use hasher::{Argon2Hasher, Argon2Params};
pub use totp::TotpRs;
