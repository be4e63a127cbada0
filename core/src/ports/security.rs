use std::fmt;

use async_trait::async_trait;

use crate::id::TenantId;
use crate::password::Password;

/// A password hash in PHC string form (`$argon2id$v=19$m=…`). `Debug` never shows
/// it.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string.
    #[must_use]
    pub fn new(phc: impl Into<String>) -> Self {
        Self(phc.into())
    }

    /// The PHC string, for storage.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(redacted)")
    }
}

/// The outcome of verifying a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCheck {
    /// The password matches.
    pub matches: bool,
    /// The hash uses weaker parameters than today's: re-hash after a successful
    /// login.
    pub needs_rehash: bool,
}

/// The hasher failed (not: the password was wrong).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashError {
    /// A stored hash cannot be parsed.
    #[error("a stored password hash is malformed")]
    Malformed,
    /// Hashing failed or the worker pool is gone; the message is for the log.
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Password hashing (Argon2id in production), on a bounded blocking pool.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a new password with a fresh salt.
    ///
    /// # Errors
    /// [`HashError::Failed`].
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError>;

    /// Verifies `password` against `hash`. With `hash = None` (unknown account, no
    /// password set) the adapter MUST verify against a dummy hash of the same cost
    /// and return `matches: false`, so the answer takes as long either way.
    ///
    /// # Errors
    /// [`HashError::Malformed`] for an unparsable stored hash; [`HashError::Failed`].
    async fn verify(
        &self,
        password: &Password,
        hash: Option<PasswordHash>,
    ) -> Result<PasswordCheck, HashError>;
}

/// Where an encrypted value lives; bound into the ciphertext as associated data,
/// so a ciphertext copied to another row, column or tenant fails to decrypt.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldContext {
    /// The tenant (selects the data key).
    pub tenant: TenantId,
    /// The table.
    pub table: &'static str,
    /// The column.
    pub column: &'static str,
    /// The row's key.
    pub row: String,
}

impl FieldContext {
    /// The associated-data bytes: an unambiguous encoding of all four parts.
    #[must_use]
    pub fn associated_data(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(64 + self.row.len());
        v.extend_from_slice(b"zeugnis-field-v1");
        v.extend_from_slice(self.tenant.as_bytes());
        for part in [self.table, self.column, self.row.as_str()] {
            v.extend_from_slice(&(part.len() as u64).to_be_bytes());
            v.extend_from_slice(part.as_bytes());
        }
        v
    }
}

/// A cryptographic failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The tenant's data key was destroyed: the data is gone for good.
    #[error("the tenant's data key was destroyed; the data is gone")]
    KeyDestroyed,
    /// The ciphertext does not belong here or was altered.
    #[error("an encrypted value failed its integrity check (altered or moved)")]
    Tampered,
    /// The master key does not unwrap the stored tenant keys.
    #[error("the master key does not match the one the data was encrypted with")]
    WrongMasterKey,
    /// The key store cannot be reached; the message is for the log.
    #[error("key store unavailable: {0}")]
    Unavailable(String),
}

/// Field encryption with per-tenant data keys (AES-256-GCM in production).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait FieldCipher: Send + Sync {
    /// Encrypts `plaintext` for `context` with a fresh random nonce.
    ///
    /// # Errors
    /// [`CryptoError::KeyDestroyed`], [`CryptoError::Unavailable`].
    async fn seal(&self, context: &FieldContext, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError>;

    /// Decrypts a value sealed for exactly this `context`.
    ///
    /// # Errors
    /// [`CryptoError::Tampered`] when the value was altered or sealed for another
    /// context; [`CryptoError::KeyDestroyed`]; [`CryptoError::Unavailable`].
    async fn open(&self, context: &FieldContext, sealed: &[u8]) -> Result<Vec<u8>, CryptoError>;
}

/// Management of the per-tenant data keys. Re-wrapping every tenant key under a
/// new master key (`zeugnis keys rotate`) is an operation of the key store
/// adapter itself; services never need it.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Creates the tenant's data key (wrapped by the master key).
    ///
    /// # Errors
    /// [`CryptoError::Unavailable`].
    async fn create_tenant_key(&self, tenant: TenantId) -> Result<(), CryptoError>;

    /// Destroys the tenant's data key (crypto-shredding): its data, backups
    /// included, becomes unreadable.
    ///
    /// # Errors
    /// [`CryptoError::Unavailable`].
    async fn destroy_tenant_key(&self, tenant: TenantId) -> Result<(), CryptoError>;
}

/// A TOTP shared secret (160 random bits, RFC 4226's recommended length).
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TotpSecret([u8; 20]);

impl TotpSecret {
    /// The secret's length in bytes.
    pub const LEN: usize = 20;

    /// Wraps secret bytes (from the random source, or read back from storage).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; Self::LEN]) -> Self {
        Self(bytes)
    }

    /// The secret, for the TOTP engine and for sealed storage. Never log it.
    #[must_use]
    pub const fn expose(&self) -> &[u8; Self::LEN] {
        &self.0
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(redacted)")
    }
}

/// What an authenticator app needs to enrol: the `otpauth://` URI (it holds the
/// secret) and the same URI as a QR code. Shown once, at enrolment; `Debug`
/// shows neither.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpProvisioning {
    /// `otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
    pub uri: String,
    /// The URI as a QR code, a standalone SVG document.
    pub qr_svg: String,
}

impl fmt::Debug for TotpProvisioning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpProvisioning(redacted)")
    }
}

/// Provisioning data could not be produced (e.g. an issuer or account name the
/// URI format cannot carry).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot set up the authenticator app: {0}")]
pub struct TotpSetupError(pub String);

/// The TOTP engine (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps). Which step
/// is acceptable (drift, reuse) is decided by
/// [`TotpGuard`](crate::second_factor::TotpGuard), not here.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait TotpEngine: Send + Sync {
    /// The first of `steps` whose code is `code`, or `None`. Every candidate is
    /// computed and compared in constant time; input that is not six ASCII
    /// digits (after removing spaces) matches nothing.
    fn matching_step(&self, secret: &TotpSecret, code: &str, steps: &[u64]) -> Option<u64>;

    /// The code for `step` (for tests and for the enrolment check).
    fn code_at(&self, secret: &TotpSecret, step: u64) -> String;

    /// The enrolment data for an authenticator app.
    ///
    /// # Errors
    /// [`TotpSetupError`] when `issuer` or `account` cannot be put in the URI.
    fn provisioning(
        &self,
        secret: &TotpSecret,
        issuer: &str,
        account: &str,
    ) -> Result<TotpProvisioning, TotpSetupError>;
}
