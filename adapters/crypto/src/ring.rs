//! The configured master keys: wrapping tenant data keys and the check value.

use std::fmt;

use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;
use zeugnis_core::id::TenantId;

use crate::data::DataKey;
use crate::error::KeyError;
use crate::master::{KeySource, MasterKey, MasterKeyId};
use crate::primitives::{self, KEY_LEN};

const TENANT_KEY_AD: &[u8] = b"zeugnis-tenant-key-v1";
const CHECK_AD: &[u8] = b"zeugnis-master-key-check-v1";
const CHECK_PLAINTEXT: &[u8] = b"zeugnis master key check value v1";

/// A tenant data key wrapped (AES-256-GCM) by a master key, as stored: the id of
/// the master key that wrapped it and the sealed bytes (61 bytes). `Debug` shows
/// the id and the length only.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// The master key that wrapped it.
    pub master_key_id: MasterKeyId,
    /// `[1][12-byte nonce][encrypted data key + 16-byte tag]`.
    pub sealed: Vec<u8>,
}

impl fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappedKey")
            .field("master_key_id", &self.master_key_id)
            .field("sealed_len", &self.sealed.len())
            .finish()
    }
}

/// The configured master keys: the primary, which wraps everything new, and
/// previous ones that still unwrap what they wrapped until
/// [`rewrap`](Self::rewrap) (`zeugnis keys rotate`) has moved it to the primary.
#[derive(Debug, Clone)]
pub struct MasterKeyring {
    primary: (MasterKey, KeySource),
    previous: Vec<(MasterKey, KeySource)>,
}

impl MasterKeyring {
    /// A ring with only `primary`, loaded from `source`.
    #[must_use]
    pub fn new(primary: MasterKey, source: KeySource) -> Self {
        Self {
            primary: (primary, source),
            previous: Vec::new(),
        }
    }

    /// Adds a previous master key that can still unwrap (never wraps).
    #[must_use]
    pub fn with_previous(mut self, key: MasterKey, source: KeySource) -> Self {
        self.previous.push((key, source));
        self
    }

    /// The primary key's id.
    #[must_use]
    pub fn primary_id(&self) -> MasterKeyId {
        self.primary.0.id()
    }

    /// Where the primary key was loaded from.
    #[must_use]
    pub fn primary_source(&self) -> &KeySource {
        &self.primary.1
    }

    /// Every configured key's id and source, the primary first.
    #[must_use]
    pub fn configured(&self) -> Vec<(MasterKeyId, &KeySource)> {
        self.keys().map(|(k, s)| (k.id(), s)).collect()
    }

    fn keys(&self) -> impl Iterator<Item = &(MasterKey, KeySource)> {
        std::iter::once(&self.primary).chain(&self.previous)
    }

    fn find(&self, id: &MasterKeyId) -> Result<&(MasterKey, KeySource), KeyError> {
        self.keys()
            .find(|(k, _)| k.id() == *id)
            .ok_or_else(|| KeyError::UnknownMasterKey {
                wanted: *id,
                configured: self.keys().map(|(k, s)| (k.id(), s.to_string())).collect(),
            })
    }

    /// Wraps a tenant's data key under the primary master key, bound to `tenant`:
    /// the wrapped key does not unwrap for any other tenant.
    ///
    /// # Errors
    /// [`KeyError::Random`] when no nonce can be drawn.
    pub fn wrap(&self, tenant: TenantId, key: &DataKey) -> Result<WrappedKey, KeyError> {
        let primary = &self.primary.0;
        Ok(WrappedKey {
            master_key_id: primary.id(),
            sealed: primitives::seal(primary.wrap_key(), &tenant_ad(tenant), key.secret())?,
        })
    }

    /// Unwraps a tenant's data key with the configured master key its id names.
    ///
    /// # Errors
    /// [`KeyError::UnknownMasterKey`] when no configured key has its id (wrong
    /// master key: the message names both ids and where the configured key came
    /// from); [`KeyError::Tampered`] when the id matches but the wrapped key was
    /// altered or belongs to another tenant.
    pub fn unwrap(&self, tenant: TenantId, wrapped: &WrappedKey) -> Result<DataKey, KeyError> {
        let (master, _) = self.find(&wrapped.master_key_id)?;
        let plain = Zeroizing::new(
            primitives::open(master.wrap_key(), &tenant_ad(tenant), &wrapped.sealed)
                .ok_or(KeyError::Tampered)?,
        );
        let secret: &[u8; KEY_LEN] = plain
            .as_slice()
            .try_into()
            .map_err(|_| KeyError::Tampered)?;
        DataKey::from_secret(secret)
    }

    /// Unwraps with whichever configured key wrapped it and wraps again under the
    /// primary (for `zeugnis keys rotate`). The data key itself is unchanged, so
    /// everything sealed with it still opens.
    ///
    /// # Errors
    /// As [`unwrap`](Self::unwrap) and [`wrap`](Self::wrap).
    pub fn rewrap(&self, tenant: TenantId, wrapped: &WrappedKey) -> Result<WrappedKey, KeyError> {
        let key = self.unwrap(tenant, wrapped)?;
        self.wrap(tenant, &key)
    }

    /// A check value to store with [`primary_id`](Self::primary_id): a fixed text
    /// sealed under the primary key. [`verify_check_value`](Self::verify_check_value)
    /// at the next start detects a wrong master key even when there are no
    /// tenants yet.
    ///
    /// # Errors
    /// [`KeyError::Random`] when no nonce can be drawn.
    pub fn check_value(&self) -> Result<Vec<u8>, KeyError> {
        primitives::seal(self.primary.0.wrap_key(), CHECK_AD, CHECK_PLAINTEXT)
    }

    /// Verifies a stored check value made by [`check_value`](Self::check_value)
    /// under the key with id `id`.
    ///
    /// # Errors
    /// [`KeyError::UnknownMasterKey`] when no configured key has that id;
    /// [`KeyError::WrongMasterKey`] when the key with that id does not open it.
    pub fn verify_check_value(&self, id: &MasterKeyId, sealed: &[u8]) -> Result<(), KeyError> {
        let (master, source) = self.find(id)?;
        let wrong = || KeyError::WrongMasterKey {
            key: *id,
            origin: source.to_string(),
        };
        let plain = primitives::open(master.wrap_key(), CHECK_AD, sealed).ok_or_else(wrong)?;
        if bool::from(plain.as_slice().ct_eq(CHECK_PLAINTEXT)) {
            Ok(())
        } else {
            Err(wrong())
        }
    }
}

fn tenant_ad(tenant: TenantId) -> Vec<u8> {
    let mut ad = Vec::with_capacity(TENANT_KEY_AD.len() + 16);
    ad.extend_from_slice(TENANT_KEY_AD);
    ad.extend_from_slice(tenant.as_bytes());
    ad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(n: u8) -> TenantId {
        TenantId::from_bytes([n; 16])
    }

    fn ring() -> MasterKeyring {
        MasterKeyring::new(
            MasterKey::generate().unwrap(),
            KeySource::File("/etc/zeugnis/master.key".into()),
        )
    }

    #[test]
    fn wrap_unwrap_round_trip() {
        let ring = ring();
        let key = DataKey::generate().unwrap();
        let wrapped = ring.wrap(tenant(1), &key).unwrap();
        assert_eq!(wrapped.master_key_id, ring.primary_id());
        assert_eq!(wrapped.sealed.len(), 61);
        let again = ring.unwrap(tenant(1), &wrapped).unwrap();
        assert_eq!(again.secret(), key.secret());
    }

    #[test]
    fn wrapped_key_is_bound_to_its_tenant() {
        let ring = ring();
        let wrapped = ring.wrap(tenant(1), &DataKey::generate().unwrap()).unwrap();
        assert_eq!(
            ring.unwrap(tenant(2), &wrapped).unwrap_err(),
            KeyError::Tampered
        );
    }

    #[test]
    fn altered_wrapped_key_is_tampered() {
        let ring = ring();
        let wrapped = ring.wrap(tenant(1), &DataKey::generate().unwrap()).unwrap();
        for i in 0..wrapped.sealed.len() {
            let mut bad = wrapped.clone();
            bad.sealed[i] ^= 0x10;
            assert_eq!(
                ring.unwrap(tenant(1), &bad).unwrap_err(),
                KeyError::Tampered
            );
        }
        for n in 0..wrapped.sealed.len() {
            let short = WrappedKey {
                master_key_id: wrapped.master_key_id,
                sealed: wrapped.sealed[..n].to_vec(),
            };
            assert_eq!(
                ring.unwrap(tenant(1), &short).unwrap_err(),
                KeyError::Tampered
            );
        }
    }

    #[test]
    fn authentic_value_of_wrong_length_is_tampered() {
        let ring = ring();
        let sealed =
            primitives::seal(ring.primary.0.wrap_key(), &tenant_ad(tenant(1)), &[0; 31]).unwrap();
        let wrapped = WrappedKey {
            master_key_id: ring.primary_id(),
            sealed,
        };
        assert_eq!(
            ring.unwrap(tenant(1), &wrapped).unwrap_err(),
            KeyError::Tampered
        );
    }

    #[test]
    fn unknown_master_key_names_both_ids() {
        let old = ring();
        let new = ring();
        let wrapped = old.wrap(tenant(1), &DataKey::generate().unwrap()).unwrap();
        let err = new.unwrap(tenant(1), &wrapped).unwrap_err();
        assert_eq!(
            err,
            KeyError::UnknownMasterKey {
                wanted: old.primary_id(),
                configured: vec![(new.primary_id(), "file /etc/zeugnis/master.key".into())],
            }
        );
        let msg = err.to_string();
        assert!(msg.contains(&old.primary_id().to_string()), "{msg}");
        assert!(msg.contains(&new.primary_id().to_string()), "{msg}");
        assert!(msg.contains("file /etc/zeugnis/master.key"), "{msg}");
        assert!(msg.contains("wrong master key"), "{msg}");
    }

    #[test]
    fn rewrap_moves_a_key_to_the_primary() {
        let old_key = MasterKey::generate().unwrap();
        let old = MasterKeyring::new(old_key.clone(), KeySource::Env("OLD".into()));
        let data = DataKey::generate().unwrap();
        let sealed = data.seal(b"ad", b"Zeugnis").unwrap();
        let wrapped = old.wrap(tenant(1), &data).unwrap();

        let ring = MasterKeyring::new(MasterKey::generate().unwrap(), KeySource::Env("NEW".into()))
            .with_previous(old_key, KeySource::Env("OLD".into()));
        // The previous key still unwraps.
        assert!(ring.unwrap(tenant(1), &wrapped).is_ok());
        let moved = ring.rewrap(tenant(1), &wrapped).unwrap();
        assert_eq!(moved.master_key_id, ring.primary_id());
        assert_ne!(moved.master_key_id, wrapped.master_key_id);
        let again = ring.unwrap(tenant(1), &moved).unwrap();
        assert_eq!(again.open(b"ad", &sealed).unwrap(), b"Zeugnis");

        // Only the new key is needed now.
        let only_new = MasterKeyring::new(ring.primary.0.clone(), KeySource::Env("NEW".into()));
        assert!(only_new.unwrap(tenant(1), &moved).is_ok());
        assert!(matches!(
            only_new.unwrap(tenant(1), &wrapped),
            Err(KeyError::UnknownMasterKey { .. })
        ));
        // Rewrap keeps the tenant binding.
        assert_eq!(
            ring.rewrap(tenant(2), &wrapped).unwrap_err(),
            KeyError::Tampered
        );
    }

    #[test]
    fn check_value_verifies_only_with_the_right_key() {
        let ring = ring();
        let check = ring.check_value().unwrap();
        assert_eq!(ring.verify_check_value(&ring.primary_id(), &check), Ok(()));
        assert_ne!(check, ring.check_value().unwrap());

        let other = self::ring();
        assert!(matches!(
            other.verify_check_value(&ring.primary_id(), &check),
            Err(KeyError::UnknownMasterKey { wanted, .. }) if wanted == ring.primary_id()
        ));

        let mut bad = check.clone();
        bad[20] ^= 1;
        let err = ring
            .verify_check_value(&ring.primary_id(), &bad)
            .unwrap_err();
        assert_eq!(
            err,
            KeyError::WrongMasterKey {
                key: ring.primary_id(),
                origin: "file /etc/zeugnis/master.key".into()
            }
        );
        assert!(err.to_string().contains("file /etc/zeugnis/master.key"));
        assert!(ring.verify_check_value(&ring.primary_id(), &[]).is_err());

        // A wrapped tenant key is not a check value, even under the same key.
        let wrapped = ring.wrap(tenant(1), &DataKey::generate().unwrap()).unwrap();
        assert!(
            ring.verify_check_value(&ring.primary_id(), &wrapped.sealed)
                .is_err()
        );

        // A check value made under a previous key still verifies.
        let rotated =
            MasterKeyring::new(MasterKey::generate().unwrap(), KeySource::Env("NEW".into()))
                .with_previous(ring.primary.0.clone(), KeySource::Env("OLD".into()));
        assert_eq!(
            rotated.verify_check_value(&ring.primary_id(), &check),
            Ok(())
        );
    }

    #[test]
    fn configured_lists_primary_first() {
        let a = MasterKey::generate().unwrap();
        let b = MasterKey::generate().unwrap();
        let ring = MasterKeyring::new(a.clone(), KeySource::Env("A".into()))
            .with_previous(b.clone(), KeySource::Env("B".into()));
        assert_eq!(
            ring.configured(),
            vec![
                (a.id(), &KeySource::Env("A".into())),
                (b.id(), &KeySource::Env("B".into()))
            ]
        );
        assert_eq!(ring.primary_source(), &KeySource::Env("A".into()));
    }

    #[test]
    fn debug_shows_no_key_material() {
        use crate::primitives::hex;
        use base64::Engine as _;
        use base64::engine::general_purpose::STANDARD;

        let master = MasterKey::generate().unwrap();
        let ring = MasterKeyring::new(master.clone(), KeySource::Env("K".into()));
        let data = DataKey::generate().unwrap();
        let wrapped = ring.wrap(tenant(1), &data).unwrap();
        let debug = format!("{ring:?} {wrapped:?}");
        assert!(debug.contains(&master.id().to_string()));
        assert!(debug.contains("sealed_len: 61"));
        assert!(!debug.contains(&master.encode()));
        assert!(!debug.contains(&hex(data.secret())));
        assert!(!debug.contains(&STANDARD.encode(data.secret())));
        assert!(!debug.contains(&hex(&wrapped.sealed)));
    }
}
