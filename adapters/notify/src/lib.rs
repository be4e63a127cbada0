//! Delivery adapters of zeugnis: how queued messages leave the system.
//!
//! - [`Templates`]: the German default templates and tenant overrides
//!   ([`MessageRenderer`](zeugnis_core::ports::MessageRenderer)).
//! - [`SmtpMailer`]: SMTP with TLS required (STARTTLS or implicit), pooled
//!   ([`MailTransport`](zeugnis_core::ports::MailTransport)).
//! - [`HttpSmsGateway`]: an HTTP JSON SMS gateway
//!   ([`SmsGateway`](zeugnis_core::ports::SmsGateway)).
//! - [`MailFolder`] / [`SmsFolder`]: the development default, files in the
//!   data folder.

mod folder;
mod message;
mod sms;
mod smtp;
mod templates;

pub use folder::{MailFolder, SmsFolder};
pub use message::{build as build_message, message_id};
pub use sms::{HttpSmsGateway, SmsConfigError, SmsSettings, redact_url};
pub use smtp::{SmtpConfigError, SmtpMailer, SmtpSecurity, SmtpSettings};
pub use templates::Templates;
