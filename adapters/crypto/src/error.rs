//! Errors. No message ever contains key bytes or the text a key was read from.

use std::path::PathBuf;

use zeugnis_core::ports::CryptoError;

use crate::master::{KeySource, MasterKeyId};

/// A key could not be loaded, created, used or matched.
///
/// Every message says what is wrong and with which key, file or variable, and
/// never contains key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The master key text is not standard base64.
    #[error("the master key{} is not valid base64", from(.origin))]
    NotBase64 {
        /// Where the text came from, when known.
        origin: Option<KeySource>,
    },
    /// The master key text decodes to the wrong number of bytes.
    #[error(
        "the master key{} must be 32 bytes encoded in base64, got {got} bytes",
        from(.origin)
    )]
    WrongLength {
        /// Where the text came from, when known.
        origin: Option<KeySource>,
        /// How many bytes it decoded to.
        got: usize,
    },
    /// The master key file does not exist.
    #[error("the master key file {} does not exist", .path.display())]
    FileMissing {
        /// The file.
        path: PathBuf,
    },
    /// The master key file exists and will not be overwritten.
    #[error(
        "the master key file {} already exists; refusing to overwrite it",
        .path.display()
    )]
    FileExists {
        /// The file.
        path: PathBuf,
    },
    /// The environment variable holding the master key is not set (or not UTF-8).
    #[error("the environment variable {name} holding the master key is not set")]
    EnvMissing {
        /// The variable's name.
        name: String,
    },
    /// Reading, writing or syncing a file failed.
    #[error("cannot {action} {}: {error}", .path.display())]
    Io {
        /// What was being done, e.g. "read the master key file".
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The operating system's message.
        error: String,
    },
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
    /// Deriving a subkey failed (not expected for 32-byte keys).
    #[error("deriving the subkey {label} failed")]
    Derivation {
        /// The subkey's label.
        label: &'static str,
    },
    /// The value is too long for AES-GCM (over 64 GiB).
    #[error("the value is too long to encrypt")]
    TooLong,
    /// The data was wrapped under a master key that is not configured.
    #[error(
        "the data was encrypted under master key {wanted}, but {}: wrong master key",
        configured_list(.configured)
    )]
    UnknownMasterKey {
        /// The id stored with the data.
        wanted: MasterKeyId,
        /// The configured keys: id and where each was loaded from.
        configured: Vec<(MasterKeyId, String)>,
    },
    /// The master key check value does not open under the key its id names.
    #[error(
        "the master key check value does not open under master key {key} ({origin}): \
         wrong master key, or the stored check value was altered"
    )]
    WrongMasterKey {
        /// The configured key with the matching id.
        key: MasterKeyId,
        /// Where it was loaded from.
        origin: String,
    },
    /// A wrapped key failed its integrity check: it was altered, or stored for
    /// another tenant.
    #[error("a wrapped key failed its integrity check (altered, or stored for another tenant)")]
    Tampered,
}

fn from(origin: &Option<KeySource>) -> String {
    origin
        .as_ref()
        .map(|o| format!(" from {o}"))
        .unwrap_or_default()
}

fn configured_list(configured: &[(MasterKeyId, String)]) -> String {
    match configured {
        [] => "no master key is configured".to_owned(),
        [(id, origin)] => format!("the configured master key ({origin}) is {id}"),
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|(id, origin)| format!("{id} ({origin})"))
                .collect();
            format!("the configured master keys are {}", list.join(", "))
        }
    }
}

/// A sealed value could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The value is truncated, of an unknown format version, altered, or was
    /// sealed under another key or for another place (associated data).
    #[error(
        "an encrypted value failed its integrity check (altered, truncated, or sealed for another place)"
    )]
    Tampered,
}

impl From<OpenError> for KeyError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::Tampered => Self::Tampered,
        }
    }
}

impl From<KeyError> for CryptoError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::UnknownMasterKey { .. } | KeyError::WrongMasterKey { .. } => {
                Self::WrongMasterKey
            }
            KeyError::Tampered => Self::Tampered,
            other => Self::Unavailable(other.to_string()),
        }
    }
}

impl From<OpenError> for CryptoError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::Tampered => Self::Tampered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> MasterKeyId {
        MasterKeyId::from_bytes([n; 8])
    }

    #[test]
    fn unknown_master_key_names_both_ids_and_the_source() {
        let e = KeyError::UnknownMasterKey {
            wanted: id(1),
            configured: vec![(id(2), "file /x/master.key".into())],
        };
        assert_eq!(
            e.to_string(),
            "the data was encrypted under master key 0101010101010101, but the configured \
             master key (file /x/master.key) is 0202020202020202: wrong master key"
        );
        let e = KeyError::UnknownMasterKey {
            wanted: id(1),
            configured: vec![
                (id(2), "file /a".into()),
                (id(3), "environment variable K".into()),
            ],
        };
        assert!(e.to_string().contains(
            "the configured master keys are 0202020202020202 (file /a), 0303030303030303 (environment variable K)"
        ));
    }

    #[test]
    fn origin_is_named() {
        let e = KeyError::WrongLength {
            origin: Some(KeySource::File("/x/master.key".into())),
            got: 3,
        };
        assert_eq!(
            e.to_string(),
            "the master key from file /x/master.key must be 32 bytes encoded in base64, got 3 bytes"
        );
        assert_eq!(
            KeyError::NotBase64 { origin: None }.to_string(),
            "the master key is not valid base64"
        );
    }

    #[test]
    fn maps_to_core_errors() {
        assert_eq!(
            CryptoError::from(KeyError::UnknownMasterKey {
                wanted: id(1),
                configured: vec![]
            }),
            CryptoError::WrongMasterKey
        );
        assert_eq!(
            CryptoError::from(KeyError::WrongMasterKey {
                key: id(1),
                origin: "file /x".into()
            }),
            CryptoError::WrongMasterKey
        );
        assert_eq!(CryptoError::from(KeyError::Tampered), CryptoError::Tampered);
        assert_eq!(
            CryptoError::from(OpenError::Tampered),
            CryptoError::Tampered
        );
        assert_eq!(
            CryptoError::from(KeyError::Random("no entropy".into())),
            CryptoError::Unavailable(
                "the operating system's random number generator failed: no entropy".into()
            )
        );
        assert!(matches!(
            CryptoError::from(KeyError::Io {
                action: "read the master key file",
                path: "/x".into(),
                error: "denied".into()
            }),
            CryptoError::Unavailable(m) if m == "cannot read the master key file /x: denied"
        ));
    }
}
