//! A tenant's data key and what is derived from it.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};
use zeugnis_core::audit::ChainKey;
use zeugnis_core::ports::FieldContext;

use crate::error::{KeyError, OpenError};
use crate::primitives::{self, KEY_LEN, derive_subkey, hmac_sha256, random_key};

const FIELD_LABEL: &str = "zeugnis-field-v1";
const CHAIN_LABEL: &str = "zeugnis-audit-chain-v1";
const LOOKUP_LABEL: &str = "zeugnis-lookup-v1";

/// A tenant's 256-bit data key. It never encrypts anything itself: HKDF-SHA-256
/// subkeys do, one for field encryption (AES-256-GCM), one for the audit chain and
/// one for lookup hashes. Stored only wrapped by the master key
/// ([`MasterKeyring::wrap`](crate::MasterKeyring::wrap)); wiped from memory on drop;
/// `Debug` is redacted.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DataKey {
    secret: [u8; KEY_LEN],
    field: [u8; KEY_LEN],
    chain: [u8; KEY_LEN],
    lookup: [u8; KEY_LEN],
}

impl DataKey {
    /// A new random data key from the operating system's generator.
    ///
    /// # Errors
    /// [`KeyError::Random`] when the generator fails.
    pub fn generate() -> Result<Self, KeyError> {
        Self::from_secret(&*random_key()?)
    }

    /// Builds the key and its subkeys from the 32 secret bytes.
    pub(crate) fn from_secret(secret: &[u8; KEY_LEN]) -> Result<Self, KeyError> {
        Ok(Self {
            secret: *secret,
            field: *derive_subkey(secret, FIELD_LABEL)?,
            chain: *derive_subkey(secret, CHAIN_LABEL)?,
            lookup: *derive_subkey(secret, LOOKUP_LABEL)?,
        })
    }

    /// The 32 secret bytes, for wrapping.
    pub(crate) fn secret(&self) -> &[u8; KEY_LEN] {
        &self.secret
    }

    /// Encrypts `plaintext` with AES-256-GCM under the field subkey and a fresh
    /// random 96-bit nonce, binding `associated_data`. The result is
    /// `[1][12-byte nonce][ciphertext + 16-byte tag]`.
    ///
    /// # Errors
    /// [`KeyError::Random`] when no nonce can be drawn; [`KeyError::TooLong`].
    pub fn seal(&self, associated_data: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, KeyError> {
        primitives::seal(&self.field, associated_data, plaintext)
    }

    /// Decrypts a value made by [`seal`](Self::seal) with the same associated data.
    ///
    /// # Errors
    /// [`OpenError::Tampered`] when the value is short, of an unknown version,
    /// altered, sealed under another key or with other associated data. Never
    /// panics.
    pub fn open(&self, associated_data: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        primitives::open(&self.field, associated_data, sealed).ok_or(OpenError::Tampered)
    }

    /// [`seal`](Self::seal) bound to where the value is stored
    /// ([`FieldContext::associated_data`]): tenant, table, column and row.
    ///
    /// # Errors
    /// As [`seal`](Self::seal).
    pub fn seal_field(
        &self,
        context: &FieldContext,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, KeyError> {
        self.seal(&context.associated_data(), plaintext)
    }

    /// [`open`](Self::open) of a value sealed with [`seal_field`](Self::seal_field)
    /// for exactly this `context`.
    ///
    /// # Errors
    /// [`OpenError::Tampered`], also when the value was sealed for another tenant,
    /// table, column or row.
    pub fn open_field(&self, context: &FieldContext, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        self.open(&context.associated_data(), sealed)
    }

    /// The tenant's audit chain key (HKDF subkey "zeugnis-audit-chain-v1").
    #[must_use]
    pub fn chain_key(&self) -> ChainKey {
        ChainKey::from_bytes(self.chain)
    }

    /// A keyed hash for equality lookups of encrypted values (e.g. the e-mail
    /// address a user signs in with): HMAC-SHA-256 under the lookup subkey over
    /// the length-prefixed `purpose` followed by `value`. Equal inputs give equal
    /// hashes for the same data key; without the key the hash reveals nothing.
    /// Normalise `value` (e.g. lowercase the e-mail address) before hashing.
    #[must_use]
    pub fn lookup_hash(&self, purpose: &str, value: &[u8]) -> [u8; 32] {
        let len = (purpose.len() as u64).to_be_bytes();
        hmac_sha256(&self.lookup, &[&len, purpose.as_bytes(), value])
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use zeugnis_core::id::TenantId;

    use super::*;
    use crate::primitives::{SEALED_OVERHEAD, hex};

    fn ctx(tenant: u8, table: &'static str, column: &'static str, row: &str) -> FieldContext {
        FieldContext {
            tenant: TenantId::from_bytes([tenant; 16]),
            table,
            column,
            row: row.to_owned(),
        }
    }

    #[test]
    fn seal_open_round_trip() {
        let key = DataKey::generate().unwrap();
        let sealed = key.seal(b"ad", b"Frau Anna Muster").unwrap();
        assert_eq!(sealed.len(), 16 + SEALED_OVERHEAD);
        assert_eq!(sealed[0], 1);
        assert_eq!(key.open(b"ad", &sealed).unwrap(), b"Frau Anna Muster");
        let empty = key.seal(b"", b"").unwrap();
        assert_eq!(key.open(b"", &empty).unwrap(), b"");
    }

    #[test]
    fn two_seals_differ() {
        let key = DataKey::generate().unwrap();
        let a = key.seal(b"ad", b"same").unwrap();
        let b = key.seal(b"ad", b"same").unwrap();
        assert_ne!(a, b);
        assert_ne!(a[1..13], b[1..13], "fresh nonce");
    }

    #[test]
    fn field_round_trip_and_context_binding() {
        let key = DataKey::generate().unwrap();
        let here = ctx(1, "employees", "name", "42");
        let sealed = key.seal_field(&here, b"Anna").unwrap();
        assert_eq!(key.open_field(&here, &sealed).unwrap(), b"Anna");
        for other in [
            ctx(1, "employees", "name", "43"),
            ctx(1, "employees", "email", "42"),
            ctx(1, "users", "name", "42"),
            ctx(2, "employees", "name", "42"),
        ] {
            assert_eq!(key.open_field(&other, &sealed), Err(OpenError::Tampered));
        }
        assert_eq!(key.open(b"", &sealed), Err(OpenError::Tampered));
    }

    #[test]
    fn another_data_key_cannot_open() {
        let a = DataKey::generate().unwrap();
        let b = DataKey::generate().unwrap();
        let sealed = a.seal(b"ad", b"x").unwrap();
        assert_eq!(b.open(b"ad", &sealed), Err(OpenError::Tampered));
    }

    #[test]
    fn flipping_any_bit_fails() {
        let key = DataKey::generate().unwrap();
        let sealed = key.seal(b"ad", b"Zeugnis").unwrap();
        for i in 0..sealed.len() {
            for bit in [0x01u8, 0x80] {
                let mut bad = sealed.clone();
                bad[i] ^= bit;
                assert_eq!(key.open(b"ad", &bad), Err(OpenError::Tampered), "byte {i}");
            }
        }
    }

    #[test]
    fn truncated_extended_and_empty_inputs_fail() {
        let key = DataKey::generate().unwrap();
        let sealed = key.seal(b"ad", b"Zeugnis").unwrap();
        for n in 0..sealed.len() {
            assert_eq!(key.open(b"ad", &sealed[..n]), Err(OpenError::Tampered));
        }
        let mut longer = sealed.clone();
        longer.push(0);
        assert_eq!(key.open(b"ad", &longer), Err(OpenError::Tampered));
        assert_eq!(key.open(b"ad", &[]), Err(OpenError::Tampered));
        assert_eq!(key.open(b"ad", &[1]), Err(OpenError::Tampered));
        assert_eq!(key.open(b"ad", &[1; 28]), Err(OpenError::Tampered));
        assert_eq!(key.open(b"ad", &[1; 29]), Err(OpenError::Tampered));
    }

    #[test]
    fn unknown_version_fails() {
        let key = DataKey::generate().unwrap();
        let mut sealed = key.seal(b"ad", b"x").unwrap();
        for v in [0u8, 2, 255] {
            sealed[0] = v;
            assert_eq!(key.open(b"ad", &sealed), Err(OpenError::Tampered));
        }
    }

    #[test]
    fn field_key_is_not_the_data_key() {
        let key = DataKey::generate().unwrap();
        assert_ne!(key.field, key.secret);
        assert_ne!(key.chain, key.secret);
        assert_ne!(key.lookup, key.secret);
        assert_ne!(key.field, key.chain);
        assert_ne!(key.field, key.lookup);
        let sealed = key.seal(b"ad", b"x").unwrap();
        assert_eq!(primitives::open(&key.secret, b"ad", &sealed), None);
        assert_eq!(primitives::open(&key.field, b"ad", &sealed).unwrap(), b"x");
    }

    #[test]
    fn chain_key_and_lookup_hash_are_deterministic_per_key() {
        let a = DataKey::generate().unwrap();
        let a2 = DataKey::from_secret(a.secret()).unwrap();
        let b = DataKey::generate().unwrap();
        // ChainKey is opaque: compare it through a chained audit entry.
        use zeugnis_core::audit::{AuditAction, AuditActor, AuditEntry, AuditEvent, AuditTarget};
        use zeugnis_core::id::UserId;
        let at = time::UtcDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let user = UserId::from_bytes([2; 16]);
        let event = AuditEvent::new(
            Some(TenantId::from_bytes([1; 16])),
            at,
            AuditActor::User(user),
            AuditAction::LoginSucceeded,
            AuditTarget::User(user),
        );
        let entry = |k: &DataKey| AuditEntry::chain(&k.chain_key(), None, event.clone()).hash;
        assert_eq!(entry(&a), entry(&a2));
        assert_eq!(entry(&a), entry(&a));
        assert_ne!(entry(&a), entry(&b));

        let h = a.lookup_hash("email", b"anna@example.org");
        assert_eq!(h, a.lookup_hash("email", b"anna@example.org"));
        assert_eq!(h, a2.lookup_hash("email", b"anna@example.org"));
        assert_ne!(h, b.lookup_hash("email", b"anna@example.org"));
        assert_ne!(h, a.lookup_hash("email", b"berta@example.org"));
        assert_ne!(h, a.lookup_hash("login", b"anna@example.org"));
        // The purpose is length-prefixed: moving bytes between purpose and value
        // gives another hash.
        assert_ne!(a.lookup_hash("ab", b"c"), a.lookup_hash("a", b"bc"));
    }

    #[test]
    fn debug_is_redacted() {
        let key = DataKey::generate().unwrap();
        let debug = format!("{key:?} {:?}", key.clone());
        assert_eq!(debug, "DataKey(redacted) DataKey(redacted)");
        for secret in [key.secret, key.field, key.chain, key.lookup] {
            assert!(!debug.contains(&hex(&secret)));
            assert!(!debug.contains(&STANDARD.encode(secret)));
        }
        assert_eq!(format!("{:?}", key.chain_key()), "ChainKey(redacted)");
    }
}
