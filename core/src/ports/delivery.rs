use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;

use crate::id::{MessageId, TenantId};
use crate::values::{Email, Phone, Timestamp};

use super::StoreError;

/// The kinds of message the system sends; each has a tenant-editable template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum MessageKind {
    /// Registration link for a new user.
    Invitation,
    /// Password reset link.
    PasswordReset,
    /// Handover link to a supervisor.
    HandoverLink,
    /// A one-time code.
    OneTimeCode,
    /// The account was locked.
    LockoutNotice,
    /// A security alert for administrators.
    SecurityAlert,
}

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Destination {
    /// An e-mail address.
    Email(Email),
    /// A phone number (SMS).
    Sms(Phone),
}

/// Template parameters of a message (links, codes, names). They can hold secrets:
/// the storage adapter encrypts them and `Debug` shows only the keys.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct MessageParams(BTreeMap<String, String>);

impl MessageParams {
    /// No parameters.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The same parameters with `key` set.
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    /// A parameter.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Every parameter.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl fmt::Debug for MessageParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// A message to deliver, written to the outbox in the same transaction as the
/// change that causes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// The message's id; also its idempotency key towards the transport.
    pub id: MessageId,
    /// The tenant.
    pub tenant: TenantId,
    /// Kind (selects the template).
    pub kind: MessageKind,
    /// Where it goes.
    pub to: Destination,
    /// Template parameters.
    pub params: MessageParams,
    /// When it was queued.
    pub created_at: Timestamp,
    /// After this it is no longer worth sending (e.g. a 5-minute code); it is
    /// deleted instead.
    pub expires_at: Option<Timestamp>,
}

/// A message claimed by a delivery worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedMessage {
    /// The message.
    pub message: OutgoingMessage,
    /// Delivery attempts before this one.
    pub attempts: u32,
}

/// The delivery side of the outbox. Claiming runs across tenants (an installation
/// job); every other call names the tenant.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait OutboxQueue: Send + Sync {
    /// Claims up to `limit` due messages for `lease`; a claimed message is not
    /// handed to another worker until the lease ends (`FOR UPDATE SKIP LOCKED` or
    /// equivalent). Messages past their `expires_at` are deleted, never handed
    /// out. How many attempts a message gets is the worker's policy.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn claim_due(
        &self,
        now: Timestamp,
        limit: u32,
        lease: time::Duration,
    ) -> Result<Vec<ClaimedMessage>, StoreError>;

    /// The message was delivered: delete it (its body may hold secrets).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn delivered(&self, tenant: TenantId, id: MessageId) -> Result<(), StoreError>;

    /// Delivery failed for now: try again at `next_attempt`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn retry_at(
        &self,
        tenant: TenantId,
        id: MessageId,
        next_attempt: Timestamp,
    ) -> Result<(), StoreError>;

    /// Delivery failed for good: delete the body, keep a failure record.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn failed(&self, tenant: TenantId, id: MessageId) -> Result<(), StoreError>;
}

/// A delivery failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryError {
    /// Worth retrying (server down, timeout, 4xx SMTP reply).
    #[error("temporary delivery failure: {0}")]
    Transient(String),
    /// Not worth retrying (address refused, 5xx reply, bad configuration).
    #[error("permanent delivery failure: {0}")]
    Permanent(String),
}

/// A rendered e-mail.
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    /// Idempotency key (the outbox message id).
    pub id: MessageId,
    /// Recipient.
    pub to: Email,
    /// Sender display name (tenant setting).
    pub from_name: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

impl fmt::Debug for Mail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mail")
            .field("id", &self.id)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

/// Sends e-mail (SMTP in production).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait MailTransport: Send + Sync {
    /// Sends one mail.
    ///
    /// # Errors
    /// [`DeliveryError::Transient`] or [`DeliveryError::Permanent`].
    async fn send(&self, mail: &Mail) -> Result<(), DeliveryError>;
}

/// Sends SMS (an HTTP gateway in production).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait SmsGateway: Send + Sync {
    /// Sends one SMS; `id` is the idempotency key.
    ///
    /// # Errors
    /// [`DeliveryError::Transient`] or [`DeliveryError::Permanent`].
    async fn send(&self, id: MessageId, to: &Phone, text: &str) -> Result<(), DeliveryError>;
}
