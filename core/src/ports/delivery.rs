use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;

use crate::id::{MessageId, TenantId};
use crate::mail::{TemplateOverride, TemplatePart};
use crate::values::{Email, Phone, Timestamp};

use super::StoreError;

/// The kinds of message the system sends; each has a tenant-editable template.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MessageKind {
    /// Registration link for a new user.
    Invitation,
    /// Password reset link.
    PasswordReset,
    /// Handover link to a supervisor.
    HandoverLink,
    /// A reminder of a handover, with a fresh link.
    HandoverReminder,
    /// A one-time code.
    OneTimeCode,
    /// The account was locked.
    LockoutNotice,
    /// A security alert for administrators.
    SecurityAlert,
}

impl MessageKind {
    /// Stable key, e.g. `handover_link`.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::PasswordReset => "password_reset",
            Self::HandoverLink => "handover_link",
            Self::HandoverReminder => "handover_reminder",
            Self::OneTimeCode => "one_time_code",
            Self::LockoutNotice => "lockout_notice",
            Self::SecurityAlert => "security_alert",
        }
    }
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
    /// When this claim ends. It also identifies the claim: a worker whose
    /// lease ran out (and whose message another worker claimed since) can no
    /// longer release, reschedule or fail it.
    pub lease_until: Timestamp,
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

    /// The message was delivered (or can never be): delete it (its body may
    /// hold secrets).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn delivered(&self, tenant: TenantId, id: MessageId) -> Result<(), StoreError>;

    /// The worker gives a claimed message back unsent (its round ran out of
    /// time): the claim ends and it does not count as an attempt. Nothing
    /// happens when the claim is no longer the message's current one.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn release(&self, claim: &ClaimedMessage) -> Result<(), StoreError>;

    /// Delivery failed for now: try again at `next_attempt`. Nothing happens
    /// when the claim is no longer the message's current one.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    async fn retry_at(
        &self,
        claim: &ClaimedMessage,
        next_attempt: Timestamp,
    ) -> Result<(), StoreError>;
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

/// What a renderer needs besides the message.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    /// The tenant's display name (placeholder `organisation`).
    pub organisation: &'a str,
    /// The sender display name (placeholder `sender`).
    pub sender: &'a str,
    /// The tenant's own template for this kind of message, if any.
    pub custom: Option<&'a TemplateOverride>,
}

/// A rendered message.
#[derive(Clone, PartialEq, Eq)]
pub enum RenderedContent {
    /// An e-mail.
    Mail {
        /// Subject (one line).
        subject: String,
        /// Plain-text body.
        text: String,
        /// HTML document.
        html: String,
    },
    /// An SMS.
    Sms(String),
}

impl fmt::Debug for RenderedContent {
    /// Rendered texts hold links and codes: `Debug` shows only the shape.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mail { .. } => f.write_str("Mail { .. }"),
            Self::Sms(_) => f.write_str("Sms(..)"),
        }
    }
}

/// A tenant template that could not be used: the default was used instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateProblem {
    /// The part that failed.
    pub part: TemplatePart,
    /// Why (syntax error, unknown placeholder, too much work; never a
    /// parameter's value).
    pub reason: String,
}

/// The outcome of rendering: what to send, and the tenant template parts that
/// failed and were replaced by the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// What to send.
    pub content: RenderedContent,
    /// Parts rendered from the default because the tenant's failed.
    pub problems: Vec<TemplateProblem>,
}

/// A template engine holding the default templates.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait MessageRenderer: Send + Sync {
    /// Renders `message` for its destination (an e-mail, or an SMS), from the
    /// tenant's template where one is given and renders, else from the default.
    ///
    /// # Errors
    /// [`DeliveryError::Permanent`] when not even the default renders (a
    /// message queued without a placeholder its kind promises).
    fn render<'a>(
        &self,
        message: &OutgoingMessage,
        context: &RenderContext<'a>,
    ) -> Result<Rendered, DeliveryError>;
}

/// Builds the absolute links that go out in mails (the server knows its public
/// address; the core does not).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait LinkBuilder: Send + Sync {
    /// The link that redeems a registration or password-reset token of `tenant`.
    fn action_link(
        &self,
        tenant: &crate::tenant::Tenant,
        purpose: crate::action::ActionPurpose,
        token: &crate::token::ActionToken,
    ) -> String;

    /// The link of a handover of `tenant`: the public id and the secret, both in
    /// the path (never in a query string).
    fn handover_link(
        &self,
        tenant: &crate::tenant::Tenant,
        id: crate::token::HandoverId,
        secret: &crate::token::HandoverSecret,
    ) -> String;
}
