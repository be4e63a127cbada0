//! Reading and creating the master key file (and reading the key from the
//! environment).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::KeyError;
use crate::master::{KeySource, MasterKey};

/// A key file is 44 characters plus a newline; anything much larger is not one.
const MAX_FILE_LEN: u64 = 4096;

fn io_error(action: &'static str, path: &Path, error: &io::Error) -> KeyError {
    KeyError::Io {
        action,
        path: path.to_path_buf(),
        error: error.to_string(),
    }
}

/// Loads the master key from a file holding its base64 encoding (surrounding
/// whitespace is ignored).
///
/// # Errors
/// [`KeyError::FileMissing`], [`KeyError::Io`] when it cannot be read,
/// [`KeyError::NotBase64`] or [`KeyError::WrongLength`] for bad content. Every
/// message names the file and none contains its content.
pub fn load_master_key_file(path: impl AsRef<Path>) -> Result<MasterKey, KeyError> {
    let path = path.as_ref();
    let mut file = File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => KeyError::FileMissing {
            path: path.to_path_buf(),
        },
        _ => io_error("open the master key file", path, &e),
    })?;
    let mut text = Zeroizing::new(Vec::with_capacity(64));
    // Read one byte past the limit, so an oversized file is not silently cut.
    (&mut file)
        .take(MAX_FILE_LEN + 1)
        .read_to_end(&mut text)
        .map_err(|e| io_error("read the master key file", path, &e))?;
    let origin = Some(KeySource::File(path.to_path_buf()));
    if text.len() as u64 > MAX_FILE_LEN {
        return Err(KeyError::NotBase64 { origin });
    }
    MasterKey::decode(&text, origin)
}

/// Loads the master key from the environment variable `name` holding its base64
/// encoding.
///
/// # Errors
/// [`KeyError::EnvMissing`]; [`KeyError::NotBase64`] or
/// [`KeyError::WrongLength`], naming the variable but not its value.
pub fn load_master_key_env(name: &str) -> Result<MasterKey, KeyError> {
    let value = Zeroizing::new(std::env::var(name).map_err(|_| KeyError::EnvMissing {
        name: name.to_owned(),
    })?);
    MasterKey::decode(value.as_bytes(), Some(KeySource::Env(name.to_owned())))
}

/// Generates a new master key and writes it to `path` (base64 and a newline),
/// readable only by the owner (mode 0600 on Unix), then syncs the file and its
/// directory. Never overwrites an existing file; on failure no file is left
/// behind.
///
/// # Errors
/// [`KeyError::FileExists`]; [`KeyError::Io`] when the file cannot be created,
/// written or synced (e.g. the directory does not exist); [`KeyError::Random`].
pub fn create_master_key_file(path: impl AsRef<Path>) -> Result<MasterKey, KeyError> {
    let path = path.as_ref();
    let key = MasterKey::generate()?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => KeyError::FileExists {
            path: path.to_path_buf(),
        },
        _ => io_error("create the master key file", path, &e),
    })?;
    let written = write_and_sync(&mut file, &key, path);
    drop(file);
    if let Err(e) = written {
        // Nothing was ever encrypted under this key: remove the partial file so a
        // second attempt can start over.
        let _ = fs::remove_file(path);
        return Err(e);
    }
    Ok(key)
}

fn write_and_sync(file: &mut File, key: &MasterKey, path: &Path) -> Result<(), KeyError> {
    let mut text = Zeroizing::new(key.encode());
    text.push('\n');
    file.write_all(text.as_bytes())
        .map_err(|e| io_error("write the master key file", path, &e))?;
    file.sync_all()
        .map_err(|e| io_error("sync the master key file", path, &e))?;
    let dir = parent_dir(path);
    #[cfg(unix)]
    File::open(&dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error("sync the directory", &dir, &e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A warning when the key file can be read or written by its group or by others
/// (any of the permission bits 0o077 set), with the command to fix it; `None`
/// when only the owner has access, when the file cannot be inspected (loading it
/// will report that), or on systems without Unix permissions.
#[must_use]
pub fn file_mode_warning(path: impl AsRef<Path>) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let path = path.as_ref();
        let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "the master key file {} is accessible by its group or others (mode {mode:04o}); \
                 restrict it with: chmod 600 {}",
                path.display(),
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    #[test]
    fn create_writes_mode_0600_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let key = create_master_key_file(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(file_mode_warning(&path), None);
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n", key.encode()));
        let loaded = load_master_key_file(&path).unwrap();
        assert_eq!(loaded.id(), key.id());
    }

    #[test]
    fn create_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let key = create_master_key_file(&path).unwrap();
        let err = create_master_key_file(&path).unwrap_err();
        assert_eq!(err, KeyError::FileExists { path: path.clone() });
        assert!(err.to_string().contains(&path.display().to_string()));
        assert!(err.to_string().contains("refusing to overwrite"));
        // The original key is untouched.
        assert_eq!(load_master_key_file(&path).unwrap().id(), key.id());
    }

    #[test]
    fn create_in_a_missing_directory_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("master.key");
        let err = create_master_key_file(&path).unwrap_err();
        assert!(matches!(
            &err,
            KeyError::Io { action: "create the master key file", path: p, .. } if *p == path
        ));
        assert!(!path.exists());
    }

    #[test]
    fn missing_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope.key");
        let err = load_master_key_file(&path).unwrap_err();
        assert_eq!(err, KeyError::FileMissing { path: path.clone() });
        assert_eq!(
            err.to_string(),
            format!("the master key file {} does not exist", path.display())
        );
        assert_eq!(file_mode_warning(&path), None);
    }

    #[test]
    fn unreadable_path_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_master_key_file(dir.path()).unwrap_err();
        assert!(matches!(err, KeyError::Io { .. }), "{err:?}");
        assert!(err.to_string().contains(&dir.path().display().to_string()));
    }

    #[test]
    fn bad_content_names_the_file_but_not_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let origin = Some(KeySource::File(path.clone()));

        fs::write(&path, "c2VjcmV0LXNlY3JldA==\n").unwrap();
        let err = load_master_key_file(&path).unwrap_err();
        assert_eq!(
            err,
            KeyError::WrongLength {
                origin: origin.clone(),
                got: 13
            }
        );
        let msg = err.to_string();
        assert_eq!(
            msg,
            format!(
                "the master key from file {} must be 32 bytes encoded in base64, got 13 bytes",
                path.display()
            )
        );
        assert!(!msg.contains("c2VjcmV0"));

        fs::write(&path, "my secret password\n").unwrap();
        let err = load_master_key_file(&path).unwrap_err();
        assert_eq!(
            err,
            KeyError::NotBase64 {
                origin: origin.clone()
            }
        );
        assert!(!err.to_string().contains("secret"));

        fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        let err = load_master_key_file(&path).unwrap_err();
        assert_eq!(
            err,
            KeyError::NotBase64 {
                origin: origin.clone()
            }
        );

        fs::write(&path, "A".repeat(10_000)).unwrap();
        let err = load_master_key_file(&path).unwrap_err();
        assert_eq!(err, KeyError::NotBase64 { origin });

        fs::write(&path, "").unwrap();
        assert!(matches!(
            load_master_key_file(&path),
            Err(KeyError::WrongLength { got: 0, .. })
        ));
    }

    #[test]
    fn loose_permissions_are_warned_about() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        create_master_key_file(&path).unwrap();
        for mode in [0o640, 0o604, 0o644, 0o660, 0o601] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let warning = file_mode_warning(&path).unwrap();
            assert!(warning.contains(&path.display().to_string()), "{warning}");
            assert!(warning.contains(&format!("{mode:04o}")), "{warning}");
            assert!(warning.contains("chmod 600"), "{warning}");
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(file_mode_warning(&path), None);
    }

    #[test]
    fn env_variable_is_named() {
        // A name nobody sets; reading the environment is safe in parallel tests.
        let name = "ZEUGNIS_CRYPTO_TEST_SURELY_UNSET_7f3a";
        let err = load_master_key_env(name).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("the environment variable {name} holding the master key is not set")
        );
    }

    #[test]
    fn relative_paths_sync_the_current_directory() {
        assert_eq!(parent_dir(Path::new("master.key")), PathBuf::from("."));
        assert_eq!(parent_dir(Path::new("/x/master.key")), PathBuf::from("/x"));
    }
}
