//! Opening the database with its master key: the embedded SQLite default or
//! Postgres, migrations applied, the master key checked — or generated on the
//! first start of a fresh database.

use std::path::{Path, PathBuf};

use zeugnis_crypto::{KeySource, MasterKey, MasterKeyring};
use zeugnis_store::{Location, OpenError, Store};

use crate::config::Config;

/// The environment variable that carries the master key (`keys.master_key`).
pub const MASTER_KEY_ENV: &str = "ZEUGNIS_KEYS__MASTER_KEY";

/// The database or its key could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// `database.url` is neither empty, `sqlite://…` nor `postgres://…`.
    #[error(
        "`database.url` must be empty (embedded SQLite), sqlite:///path or postgres://…; got a URL with scheme `{0}`"
    )]
    BadUrl(String),
    /// The database holds encrypted data but no master key is configured.
    #[error(
        "the master key is missing: the database holds data encrypted under master key {recorded}, but {} does not exist and {MASTER_KEY_ENV} is not set; restore the key file from your backup",
        path.display()
    )]
    MasterKeyMissing {
        /// Where the key file was expected.
        path: PathBuf,
        /// The id of the key the database expects.
        recorded: String,
    },
    /// A key could not be read, parsed or written.
    #[error(transparent)]
    Key(#[from] zeugnis_crypto::KeyError),
    /// The database could not be opened, migrated or checked.
    #[error(transparent)]
    Open(#[from] OpenError),
}

/// Where the data lives, from `database.url` and the data directory.
///
/// # Errors
/// [`StorageError::BadUrl`].
pub fn location(config: &Config) -> Result<Location, StorageError> {
    let url = config.database.url.trim();
    if url.is_empty() {
        return Ok(Location::Sqlite(config.data_dir.join("zeugnis.db")));
    }
    if let Some(path) = url.strip_prefix("sqlite://") {
        return Ok(Location::Sqlite(PathBuf::from(path)));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Location::Postgres(url.to_owned()));
    }
    let scheme = url.split_once("://").map_or("none", |(s, _)| s);
    Err(StorageError::BadUrl(scheme.to_owned()))
}

/// The master key file in use (configured, or `master.key` in the data folder).
#[must_use]
pub fn master_key_file(config: &Config) -> PathBuf {
    if config.keys.master_key_file.trim().is_empty() {
        config.data_dir.join("master.key")
    } else {
        PathBuf::from(config.keys.master_key_file.trim())
    }
}

/// The configured master key, or `None` when its file does not exist.
fn configured_key(config: &Config) -> Result<Option<(MasterKey, KeySource)>, StorageError> {
    if !config.keys.master_key.is_unset() {
        let key =
            MasterKey::from_encoded(config.keys.master_key.expose()).map_err(|e| match e {
                zeugnis_crypto::KeyError::NotBase64 { .. } => zeugnis_crypto::KeyError::NotBase64 {
                    origin: Some(KeySource::Env(MASTER_KEY_ENV.into())),
                },
                zeugnis_crypto::KeyError::WrongLength { got, .. } => {
                    zeugnis_crypto::KeyError::WrongLength {
                        origin: Some(KeySource::Env(MASTER_KEY_ENV.into())),
                        got,
                    }
                }
                other => other,
            })?;
        return Ok(Some((key, KeySource::Env(MASTER_KEY_ENV.into()))));
    }
    let path = master_key_file(config);
    if !path.exists() {
        return Ok(None);
    }
    let key = zeugnis_crypto::load_master_key_file(&path)?;
    if let Some(warning) = zeugnis_crypto::file_mode_warning(&path) {
        tracing::warn!("{warning}");
    }
    Ok(Some((key, KeySource::File(path))))
}

fn with_previous(config: &Config, mut ring: MasterKeyring) -> Result<MasterKeyring, StorageError> {
    for path in &config.keys.previous_master_key_files {
        let key = zeugnis_crypto::load_master_key_file(path)?;
        ring = ring.with_previous(key, KeySource::File(path.clone()));
    }
    Ok(ring)
}

/// Opens the store: connects, generates the master key on the first start of a
/// fresh database (and says where, once), applies migrations and checks the key.
///
/// # Errors
/// Every [`StorageError`], each saying what is wrong and which key or file.
pub async fn open(config: &Config) -> Result<Store, StorageError> {
    let location = location(config)?;
    let ring = match configured_key(config)? {
        Some((key, source)) => MasterKeyring::new(key, source),
        None => {
            let path = master_key_file(config);
            if let Some(recorded) = Store::recorded_master_key(&location).await? {
                return Err(StorageError::MasterKeyMissing { path, recorded });
            }
            let key = zeugnis_crypto::create_master_key_file(&path)?;
            // An absolute path: the operator must find the file to back it up.
            let path = std::fs::canonicalize(&path).unwrap_or(path);
            tracing::warn!(
                "generated a new master key {} in {}: back it up now, separately from the database — without it the data cannot be read",
                key.id(),
                path.display()
            );
            MasterKeyring::new(key, KeySource::Generated(path))
        }
    };
    let ring = with_previous(config, ring)?;
    tracing::info!(master_key = %ring.primary_id(), "opening the {location}");
    Ok(Store::open(&location, ring).await?)
}

/// What `zeugnis keys rotate` did.
#[derive(Debug)]
pub struct Rotation {
    /// Tenant keys re-wrapped.
    pub rewrapped: usize,
    /// The new master key's id.
    pub new_id: String,
    /// Where the new key is now.
    pub new_key: PathBuf,
    /// Where the old key was kept (when it came from a file).
    pub retired: Option<PathBuf>,
}

/// Re-wraps every tenant key under a new master key: `new_key_file` when given
/// (it must exist), otherwise a freshly generated one. When the current key is a
/// file, the new key takes its place and the old one is kept beside it as
/// `<file>.retired-<unix time>`.
///
/// # Errors
/// A [`StorageError`]; on failure the current key file is left in place.
pub async fn rotate(
    config: &Config,
    new_key_file: Option<&Path>,
) -> Result<Rotation, StorageError> {
    let location = location(config)?;
    let Some((current, source)) = configured_key(config)? else {
        let recorded = Store::recorded_master_key(&location)
            .await?
            .unwrap_or_default();
        return Err(StorageError::MasterKeyMissing {
            path: master_key_file(config),
            recorded,
        });
    };
    let current_file = match &source {
        KeySource::File(p) => Some(p.clone()),
        _ => None,
    };
    let (new, new_path, generated) = match new_key_file {
        Some(path) => (
            zeugnis_crypto::load_master_key_file(path)?,
            path.to_owned(),
            false,
        ),
        None => {
            let base = current_file
                .clone()
                .unwrap_or_else(|| master_key_file(config));
            let path = PathBuf::from(format!("{}.new", base.display()));
            (zeugnis_crypto::create_master_key_file(&path)?, path, true)
        }
    };
    let ring = MasterKeyring::new(new.clone(), KeySource::File(new_path.clone()))
        .with_previous(current, source);
    let ring = with_previous(config, ring)?;
    let store = Store::open(&location, ring).await?;
    let rewrapped = store.rotate_master_key().await.map_err(|e| {
        StorageError::Open(OpenError::MasterKey(format!("re-wrapping failed: {e}")))
    })?;
    let _ = store.close().await;

    let mut retired = None;
    let mut final_path = new_path.clone();
    if let (Some(file), true) = (current_file, generated) {
        let now = time::UtcDateTime::now().unix_timestamp();
        let keep = PathBuf::from(format!("{}.retired-{now}", file.display()));
        let io = |action: &'static str, path: PathBuf| {
            move |e: std::io::Error| zeugnis_crypto::KeyError::Io {
                action,
                path,
                error: e.to_string(),
            }
        };
        std::fs::rename(&file, &keep).map_err(io("keep the old key as", keep.clone()))?;
        std::fs::rename(&new_path, &file).map_err(io("move the new key to", file.clone()))?;
        retired = Some(keep);
        final_path = file;
    }
    Ok(Rotation {
        rewrapped,
        new_id: new.id().to_string(),
        new_key: final_path,
        retired,
    })
}
