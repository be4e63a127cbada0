//! The master key, its public id and where it came from.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::KeyError;
use crate::primitives::{KEY_LEN, derive_subkey, hex, hmac_sha256, random_key};

const ID_LABEL: &[u8] = b"zeugnis-master-key-id-v1";
const WRAP_LABEL: &str = "zeugnis-master-wrap-v1";

/// The public fingerprint of a [`MasterKey`]: the first 8 bytes of
/// HMAC-SHA-256(key, "zeugnis-master-key-id-v1"), shown as 16 lowercase hex digits.
///
/// It is stored next to every wrapped key, so the key that can open it is found
/// directly and a wrong key is reported as such. It reveals nothing about the key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MasterKeyId([u8; 8]);

impl MasterKeyId {
    /// Wraps the 8 id bytes (for storage adapters reading a column).
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 8]) -> Self {
        Self(bytes)
    }

    /// The 8 id bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }
}

impl fmt::Display for MasterKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl fmt::Debug for MasterKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKeyId({self})")
    }
}

/// The text given for a master key id is not 16 hexadecimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a master key id (expected 16 hexadecimal digits)")]
pub struct InvalidMasterKeyId;

impl FromStr for MasterKeyId {
    type Err = InvalidMasterKeyId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.as_bytes();
        if digits.len() != 16 {
            return Err(InvalidMasterKeyId);
        }
        let mut out = [0u8; 8];
        for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            let [hi, lo] = pair else {
                return Err(InvalidMasterKeyId);
            };
            *byte = (nibble(*hi)? << 4) | nibble(*lo)?;
        }
        Ok(Self(out))
    }
}

fn nibble(c: u8) -> Result<u8, InvalidMasterKeyId> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(InvalidMasterKeyId),
    }
}

/// Where a master key was loaded from, so messages can say which key is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeySource {
    /// A key file given in the configuration.
    File(PathBuf),
    /// An environment variable (its name).
    Env(String),
    /// A key file generated at this start.
    Generated(PathBuf),
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "file {}", path.display()),
            Self::Env(name) => write!(f, "environment variable {name}"),
            Self::Generated(path) => write!(f, "newly generated file {}", path.display()),
        }
    }
}

/// The installation's master key: 32 random bytes kept outside the database. It
/// only wraps the tenants' [`DataKey`](crate::DataKey)s (through a subkey derived
/// from it) and is wiped from memory on drop. `Debug` shows only its
/// [`MasterKeyId`].
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct MasterKey {
    secret: [u8; KEY_LEN],
    wrap: [u8; KEY_LEN],
    #[zeroize(skip)]
    id: MasterKeyId,
}

impl MasterKey {
    /// A new random master key from the operating system's generator.
    ///
    /// # Errors
    /// [`KeyError::Random`] when the generator fails.
    pub fn generate() -> Result<Self, KeyError> {
        Self::from_secret(&*random_key()?)
    }

    /// Reads a key from standard base64 of exactly 32 bytes, ignoring surrounding
    /// whitespace (the content of a key file or an environment variable).
    ///
    /// # Errors
    /// [`KeyError::NotBase64`] or [`KeyError::WrongLength`]; neither contains the
    /// text.
    pub fn from_encoded(text: &str) -> Result<Self, KeyError> {
        Self::decode(text.as_bytes(), None)
    }

    /// Like [`from_encoded`](Self::from_encoded), naming `origin` in errors.
    pub(crate) fn decode(text: &[u8], origin: Option<KeySource>) -> Result<Self, KeyError> {
        let bytes = Zeroizing::new(STANDARD.decode(text.trim_ascii()).map_err(|_| {
            KeyError::NotBase64 {
                origin: origin.clone(),
            }
        })?);
        let secret: &[u8; KEY_LEN] =
            bytes
                .as_slice()
                .try_into()
                .map_err(|_| KeyError::WrongLength {
                    origin,
                    got: bytes.len(),
                })?;
        Self::from_secret(secret)
    }

    fn from_secret(secret: &[u8; KEY_LEN]) -> Result<Self, KeyError> {
        let mac = hmac_sha256(secret, &[ID_LABEL]);
        let mut id = [0u8; 8];
        for (d, s) in id.iter_mut().zip(mac.iter()) {
            *d = *s;
        }
        Ok(Self {
            secret: *secret,
            wrap: *derive_subkey(secret, WRAP_LABEL)?,
            id: MasterKeyId(id),
        })
    }

    /// The key as standard base64 (44 characters), for writing the key file.
    /// Handle the result as a secret.
    #[must_use]
    pub fn encode(&self) -> String {
        STANDARD.encode(self.secret)
    }

    /// The key's public id.
    #[must_use]
    pub fn id(&self) -> MasterKeyId {
        self.id
    }

    /// The subkey that wraps data keys and check values.
    pub(crate) fn wrap_key(&self) -> &[u8; KEY_LEN] {
        &self.wrap
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_round_trips_to_the_same_id() {
        let key = MasterKey::generate().unwrap();
        let text = key.encode();
        assert_eq!(text.len(), 44);
        let again = MasterKey::from_encoded(&format!("  {text}\n")).unwrap();
        assert_eq!(again.id(), key.id());
        assert_eq!(again.encode(), text);
    }

    #[test]
    fn id_is_the_truncated_hmac() {
        let key = MasterKey::from_encoded(&STANDARD.encode([7u8; 32])).unwrap();
        let mac = hmac_sha256(&[7; 32], &[b"zeugnis-master-key-id-v1"]);
        assert_eq!(key.id().as_bytes(), &mac[..8]);
        assert_eq!(key.id().to_string(), hex(&mac[..8]));
        assert_eq!(key.id().to_string().len(), 16);
    }

    #[test]
    fn generated_keys_differ() {
        let a = MasterKey::generate().unwrap();
        let b = MasterKey::generate().unwrap();
        assert_ne!(a.id(), b.id());
        assert_ne!(a.encode(), b.encode());
    }

    #[test]
    fn wrong_lengths_are_rejected_without_echoing_the_input() {
        for n in [0usize, 1, 16, 31, 33, 64] {
            let text = STANDARD.encode(vec![0x5a; n]);
            let err = MasterKey::from_encoded(&text).unwrap_err();
            assert_eq!(
                err,
                KeyError::WrongLength {
                    origin: None,
                    got: n
                }
            );
            let msg = err.to_string();
            assert_eq!(
                msg,
                format!("the master key must be 32 bytes encoded in base64, got {n} bytes")
            );
            if !text.is_empty() {
                assert!(!msg.contains(&text));
            }
        }
    }

    #[test]
    fn non_base64_is_rejected_without_echoing_the_input() {
        for text in [
            "sekrit!!sekrit!!sekrit!!sekrit!!sekrit!!sek=",
            "not base64 at all",
            "AAAA AAAA",
            "QUFB-_",
        ] {
            let err = MasterKey::from_encoded(text).unwrap_err();
            assert_eq!(err, KeyError::NotBase64 { origin: None });
            let msg = err.to_string();
            assert_eq!(msg, "the master key is not valid base64");
            assert!(!msg.contains(text));
        }
    }

    #[test]
    fn id_parses_and_prints() {
        let id: MasterKeyId = "0123456789abcdef".parse().unwrap();
        assert_eq!(id.to_string(), "0123456789abcdef");
        assert_eq!(
            "0123456789ABCDEF"
                .parse::<MasterKeyId>()
                .unwrap()
                .to_string(),
            "0123456789abcdef"
        );
        assert_eq!(format!("{id:?}"), "MasterKeyId(0123456789abcdef)");
        for bad in [
            "",
            "0123",
            "0123456789abcdeg",
            "0123456789abcdef0",
            "ä123456789abcde",
        ] {
            assert_eq!(bad.parse::<MasterKeyId>(), Err(InvalidMasterKeyId));
        }
    }

    #[test]
    fn key_source_display() {
        assert_eq!(
            KeySource::File("/x/master.key".into()).to_string(),
            "file /x/master.key"
        );
        assert_eq!(
            KeySource::Env("ZEUGNIS_MASTER_KEY".into()).to_string(),
            "environment variable ZEUGNIS_MASTER_KEY"
        );
        assert_eq!(
            KeySource::Generated("/x/master.key".into()).to_string(),
            "newly generated file /x/master.key"
        );
    }

    #[test]
    fn debug_shows_only_the_id() {
        let key = MasterKey::generate().unwrap();
        let debug = format!("{key:?}");
        assert_eq!(
            debug,
            format!("MasterKey {{ id: MasterKeyId({}), .. }}", key.id())
        );
        assert!(!debug.contains(&key.encode()));
        assert!(!debug.contains(&hex(&key.secret)));
        assert!(!debug.contains(&hex(&key.wrap)));
    }
}
