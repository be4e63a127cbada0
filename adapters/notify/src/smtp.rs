//! Sending mail over SMTP with lettre and rustls.
//!
//! TLS is required by default: STARTTLS (port 587) or implicit TLS (port 465).
//! A plain connection must be chosen explicitly and is meant for a test server
//! on the same machine; it refuses credentials, which would travel in clear.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use zeugnis_core::ports::{DeliveryError, Mail, MailTransport};

use crate::message::build;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpSecurity {
    /// Plain connection, then STARTTLS, which must succeed (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption at all: only for a test server on this machine.
    Plain,
}

impl SmtpSecurity {
    /// The usual port.
    #[must_use]
    pub const fn default_port(self) -> u16 {
        match self {
            Self::StartTls => 587,
            Self::Tls => 465,
            Self::Plain => 25,
        }
    }
}

/// Settings of the SMTP transport.
#[derive(Clone)]
pub struct SmtpSettings {
    /// The mail server's host name (checked against its certificate).
    pub host: String,
    /// Port; the security's usual port when `None`.
    pub port: Option<u16>,
    /// Connection protection.
    pub security: SmtpSecurity,
    /// User name and password, if the server wants them.
    pub credentials: Option<(String, String)>,
    /// The sender address (the display name is each tenant's).
    pub from: String,
    /// The longest one mail may take, from connecting to the server's last
    /// answer (lettre's own timeout covers only the connect).
    pub timeout: Duration,
    /// Most connections kept open.
    pub pool_size: u32,
    /// Extra trusted certificate authorities (PEM), e.g. a company CA.
    pub extra_ca_pem: Option<Vec<u8>>,
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("from", &self.from)
            .field("timeout", &self.timeout)
            .field("pool_size", &self.pool_size)
            .finish_non_exhaustive()
    }
}

/// A refused SMTP configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SmtpConfigError {
    /// The sender address does not parse.
    #[error("smtp.from {0:?} is not an e-mail address")]
    From(String),
    /// No host.
    #[error("smtp.host is empty")]
    NoHost,
    /// A plain connection to another machine.
    #[error(
        "smtp.security = \"plain\" is only for a test server on this machine (localhost), not {0:?}: use \"starttls\" or \"tls\""
    )]
    PlainToAnotherMachine(String),
    /// Credentials over a plain connection.
    #[error(
        "smtp.security = \"plain\" would send the password unencrypted; use \"starttls\" or \"tls\""
    )]
    CredentialsInClear,
    /// The CA file is no PEM certificate.
    #[error("the extra CA certificate is not a PEM certificate: {0}")]
    Certificate(String),
    /// Built outside a Tokio runtime (the connection pool needs one).
    #[error("the SMTP transport must be built inside a Tokio runtime")]
    NoRuntime,
    /// TLS parameters could not be built.
    #[error("TLS settings for {host}: {reason}")]
    Tls {
        /// The host.
        host: String,
        /// Why.
        reason: String,
    },
}

/// The SMTP mail transport (pooled connections).
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::Address,
    endpoint: String,
    deadline: Duration,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Builds the transport; nothing connects until the first mail. Call it
    /// inside a Tokio runtime: the connection pool starts a task.
    ///
    /// # Errors
    /// [`SmtpConfigError`] naming the setting that is wrong, or
    /// [`SmtpConfigError::NoRuntime`].
    pub fn new(s: &SmtpSettings) -> Result<Self, SmtpConfigError> {
        if s.host.trim().is_empty() {
            return Err(SmtpConfigError::NoHost);
        }
        let from: lettre::Address = s
            .from
            .parse()
            .map_err(|_| SmtpConfigError::From(s.from.clone()))?;
        if s.security == SmtpSecurity::Plain {
            if s.credentials.is_some() {
                return Err(SmtpConfigError::CredentialsInClear);
            }
            if !is_this_machine(s.host.trim()) {
                return Err(SmtpConfigError::PlainToAnotherMachine(s.host.clone()));
            }
        }
        let port = s.port.unwrap_or(s.security.default_port());
        let tls = match s.security {
            SmtpSecurity::Plain => Tls::None,
            SmtpSecurity::StartTls => Tls::Required(tls_parameters(s)?),
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters(s)?),
        };
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(SmtpConfigError::NoRuntime);
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.clone())
            .port(port)
            .tls(tls)
            .timeout(Some(s.timeout))
            .pool_config(PoolConfig::new().max_size(s.pool_size.max(1)));
        if let Some((user, password)) = &s.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            endpoint: format!("{}:{port}", s.host),
            deadline: s.timeout,
        })
    }

    /// Connects, greets and (with credentials) logs in, without sending.
    ///
    /// # Errors
    /// The [`DeliveryError`] a mail would meet.
    pub async fn check(&self) -> Result<(), DeliveryError> {
        let answer = tokio::time::timeout(self.deadline, self.transport.test_connection())
            .await
            .map_err(|_| self.silent())?;
        match answer {
            Ok(true) => Ok(()),
            Ok(false) => Err(DeliveryError::Transient(format!(
                "the mail server at {} did not accept a connection",
                self.endpoint
            ))),
            Err(e) => Err(classify(&e, &self.endpoint)),
        }
    }
}

impl SmtpMailer {
    fn silent(&self) -> DeliveryError {
        DeliveryError::Transient(format!(
            "the mail server at {} did not answer within {} s",
            self.endpoint,
            self.deadline.as_secs()
        ))
    }
}

/// `localhost` or a loopback address.
fn is_this_machine(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn tls_parameters(s: &SmtpSettings) -> Result<TlsParameters, SmtpConfigError> {
    let mut builder = TlsParameters::builder(s.host.clone());
    if let Some(pem) = &s.extra_ca_pem {
        let cert =
            Certificate::from_pem(pem).map_err(|e| SmtpConfigError::Certificate(e.to_string()))?;
        builder = builder.add_root_certificate(cert);
    }
    builder.build_rustls().map_err(|e| SmtpConfigError::Tls {
        host: s.host.clone(),
        reason: e.to_string(),
    })
}

/// Maps lettre's errors to the outbox's two cases. Server replies are named
/// by their code only: their text may repeat the recipient's address.
fn classify(e: &lettre::transport::smtp::Error, endpoint: &str) -> DeliveryError {
    let code = e.status().map(|c| c.to_string());
    if let Some(code) = code
        .as_deref()
        .filter(|c| matches!(*c, "530" | "534" | "535" | "538"))
    {
        // A configuration problem, not the message's: retry once fixed.
        return DeliveryError::Transient(format!(
            "the mail server at {endpoint} refused the login ({code}); check smtp.username and smtp.password"
        ));
    }
    if e.is_permanent() {
        DeliveryError::Permanent(format!(
            "the mail server at {endpoint} refused the message ({})",
            code.as_deref().unwrap_or("5xx")
        ))
    } else if e.is_transient() {
        DeliveryError::Transient(format!(
            "the mail server at {endpoint} deferred the message ({})",
            code.as_deref().unwrap_or("4xx")
        ))
    } else if e.is_timeout() {
        DeliveryError::Transient(format!(
            "the mail server at {endpoint} did not answer in time"
        ))
    } else if e.is_tls() || looks_like_tls(&chain(e)) {
        // lettre reports a failed rustls handshake (e.g. an unknown issuer) as
        // a connection error; the cause chain tells.
        DeliveryError::Transient(format!(
            "TLS with the mail server at {endpoint} failed: {}",
            chain(e)
        ))
    } else if e.is_client() {
        // The message itself cannot be sent this way (e.g. a non-ASCII
        // address to a server without SMTPUTF8).
        DeliveryError::Permanent(format!(
            "the message cannot be sent to the mail server at {endpoint}: {}",
            chain(e)
        ))
    } else {
        DeliveryError::Transient(format!(
            "cannot talk to the mail server at {endpoint}: {}",
            chain(e)
        ))
    }
}

fn looks_like_tls(chain: &str) -> bool {
    let lower = chain.to_ascii_lowercase();
    ["certificate", "tls", "handshake", "starttls"]
        .iter()
        .any(|w| lower.contains(w))
}

/// The error and its causes, each cause once (lettre's messages already
/// repeat their source's text).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

#[async_trait]
impl MailTransport for SmtpMailer {
    async fn send(&self, mail: &Mail) -> Result<(), DeliveryError> {
        let message = build(mail, &self.from)?;
        tokio::time::timeout(self.deadline, self.transport.send(message))
            .await
            .map_err(|_| self.silent())?
            .map(|_| ())
            .map_err(|e| classify(&e, &self.endpoint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> SmtpSettings {
        SmtpSettings {
            host: "mail.firma.de".into(),
            port: None,
            security: SmtpSecurity::StartTls,
            credentials: Some(("zeugnis".into(), "geheim".into())),
            from: "zeugnis@firma.de".into(),
            timeout: Duration::from_secs(5),
            pool_size: 2,
            extra_ca_pem: None,
        }
    }

    #[test]
    fn building_outside_a_runtime_is_an_error_not_a_panic() {
        assert!(matches!(
            SmtpMailer::new(&settings()),
            Err(SmtpConfigError::NoRuntime)
        ));
    }

    #[tokio::test]
    async fn debug_shows_no_password() {
        let s = settings();
        assert!(!format!("{s:?}").contains("geheim"));
        let mailer = SmtpMailer::new(&s).unwrap();
        assert_eq!(
            format!("{mailer:?}"),
            "SmtpMailer { endpoint: \"mail.firma.de:587\", .. }"
        );
    }
}
