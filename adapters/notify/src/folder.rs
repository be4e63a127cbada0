//! The development default: with no SMTP server (or SMS gateway) configured,
//! messages are written as files into the data folder — `.eml` files any mail
//! program opens, and `.txt` files for SMS. They hold links and codes, so
//! only the owner may read them (0600 in a 0700 folder). Each write logs one
//! line naming the file, never its content.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use zeugnis_core::id::MessageId;
use zeugnis_core::ports::{DeliveryError, Mail, MailTransport, SmsGateway};
use zeugnis_core::values::Phone;

use crate::message::build;

/// The sender address of mails written to the folder.
const FOLDER_FROM: &str = "zeugnis@localhost";

/// Writes each mail as `<message id>.eml` into a folder.
#[derive(Debug, Clone)]
pub struct MailFolder {
    dir: PathBuf,
}

/// Writes each SMS as `<message id>.txt` into a folder.
#[derive(Debug, Clone)]
pub struct SmsFolder {
    dir: PathBuf,
}

impl MailFolder {
    /// Mails go into `dir` (created on first use).
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl SmsFolder {
    /// SMS go into `dir` (created on first use).
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Writes `bytes` to `dir/name` privately and atomically (a reader never sees
/// half a file; the same message written twice leaves one file).
async fn write_private(dir: &Path, name: String, bytes: Vec<u8>) -> Result<PathBuf, DeliveryError> {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        let fail = |what: &str, e: std::io::Error| {
            DeliveryError::Transient(format!("cannot {what} in {}: {e}", dir.display()))
        };
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&dir)
            .map_err(|e| fail("create the folder", e))?;
        let path = dir.join(&name);
        let tmp = dir.join(format!(".{name}.tmp"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp).map_err(|e| fail("write a file", e))?;
        file.write_all(&bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| fail("write a file", e))?;
        std::fs::rename(&tmp, &path).map_err(|e| fail("write a file", e))?;
        Ok(path)
    })
    .await
    .map_err(|e| DeliveryError::Transient(format!("the file writer stopped: {e}")))?
}

#[async_trait]
impl MailTransport for MailFolder {
    async fn send(&self, mail: &Mail) -> Result<(), DeliveryError> {
        let from: lettre::Address = FOLDER_FROM
            .parse()
            .map_err(|_| DeliveryError::Permanent("invalid folder sender".into()))?;
        let message = build(mail, &from)?;
        let path =
            write_private(&self.dir, format!("{}.eml", mail.id), message.formatted()).await?;
        tracing::info!(
            file = %path.display(),
            "mail written to the mail folder (no SMTP server configured)"
        );
        Ok(())
    }
}

#[async_trait]
impl SmsGateway for SmsFolder {
    async fn send(&self, id: MessageId, to: &Phone, text: &str) -> Result<(), DeliveryError> {
        let body = format!("To: {}\n\n{text}\n", to.as_str());
        let path = write_private(&self.dir, format!("{id}.txt"), body.into_bytes()).await?;
        tracing::info!(
            file = %path.display(),
            "SMS written to the SMS folder (no SMS gateway configured)"
        );
        Ok(())
    }
}
