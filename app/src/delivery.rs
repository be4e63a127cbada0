//! The outbox worker: delivers queued messages in the background.
//!
//! Requests never talk to the mail server: they commit their message to the
//! outbox with their change and wake the worker, which sends it. A slow or
//! dead mail server therefore slows no request down, and a crash loses
//! nothing (see `docs/delivery.md`).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;
use zeugnis_core::id::MessageId;
use zeugnis_core::mail::RetryPolicy;
use zeugnis_core::ports::{Clock, Mail, MailTransport, SmsGateway};
use zeugnis_core::services::delivery::{DeliveryPolicy, DeliveryRound, DeliveryService};
use zeugnis_core::values::{Email, Timestamp};
use zeugnis_notify::{
    HttpSmsGateway, MailFolder, SmsFolder, SmsSettings, SmtpMailer, SmtpSecurity, SmtpSettings,
    Templates,
};
use zeugnis_store::Store;

use crate::config::{Config, SmtpSecurityConfig};

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The delivery configuration is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryConfigError {
    /// The SMTP settings are wrong.
    #[error(transparent)]
    Smtp(#[from] zeugnis_notify::SmtpConfigError),
    /// The SMS settings are wrong.
    #[error(transparent)]
    Sms(#[from] zeugnis_notify::SmsConfigError),
    /// `smtp.from` is missing.
    #[error(
        "smtp.from is required when smtp.host is set (the sender address, e.g. zeugnis@firma.de)"
    )]
    NoSender,
    /// The CA file cannot be read.
    #[error("cannot read smtp.ca_file `{}`", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The retry settings are wrong.
    #[error("delivery: {0}")]
    Retry(#[from] zeugnis_core::mail::RetryPolicyError),
    /// The lease does not cover a send that starts at half of it.
    #[error(
        "delivery.lease_secs ({lease}) must be at least twice the longest send ({longest_send} s, from smtp.timeout_secs or sms.timeout_secs)"
    )]
    LeaseTooShort {
        /// The lease.
        lease: u64,
        /// The longest timeout.
        longest_send: u64,
    },
    /// A number is out of range.
    #[error("{0}")]
    Range(&'static str),
}

/// Where mails and SMS go, built from the configuration.
pub struct Delivery {
    mail: Arc<dyn MailTransport>,
    sms: Arc<dyn SmsGateway>,
    templates: Arc<Templates>,
    policy: DeliveryPolicy,
    poll: Duration,
    wake: Arc<Notify>,
    /// How many rounds the worker has finished (tests wait on it).
    rounds: Arc<tokio::sync::watch::Sender<u64>>,
    /// What to say at startup.
    mail_target: String,
    sms_target: String,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("mail", &self.mail_target)
            .field("sms", &self.sms_target)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

fn security(s: SmtpSecurityConfig) -> SmtpSecurity {
    match s {
        SmtpSecurityConfig::Starttls => SmtpSecurity::StartTls,
        SmtpSecurityConfig::Tls => SmtpSecurity::Tls,
        SmtpSecurityConfig::Plain => SmtpSecurity::Plain,
    }
}

/// `host:port` of the configured mail server.
fn endpoint(config: &Config) -> String {
    let c = &config.smtp;
    let port = if c.port == 0 {
        security(c.security).default_port()
    } else {
        c.port
    };
    format!("{}:{port}", c.host.trim())
}

/// The SMTP transport of a configuration with a host.
///
/// # Errors
/// [`DeliveryConfigError`] naming the setting.
pub fn smtp_mailer(config: &Config) -> Result<SmtpMailer, DeliveryConfigError> {
    let c = &config.smtp;
    if c.from.trim().is_empty() {
        return Err(DeliveryConfigError::NoSender);
    }
    let extra_ca_pem = if c.ca_file.is_empty() {
        None
    } else {
        let path = PathBuf::from(&c.ca_file);
        Some(std::fs::read(&path).map_err(|source| DeliveryConfigError::CaFile { path, source })?)
    };
    if c.timeout_secs == 0 {
        return Err(DeliveryConfigError::Range(
            "smtp.timeout_secs must be at least 1",
        ));
    }
    Ok(SmtpMailer::new(&SmtpSettings {
        host: c.host.trim().to_owned(),
        port: (c.port != 0).then_some(c.port),
        security: security(c.security),
        credentials: (!c.username.is_empty())
            .then(|| (c.username.clone(), c.password.expose().to_owned())),
        from: c.from.trim().to_owned(),
        timeout: Duration::from_secs(c.timeout_secs),
        pool_size: c.pool_size,
        extra_ca_pem,
    })?)
}

impl Delivery {
    /// Checks the configuration and builds the transports: SMTP when a host is
    /// set, else the mail folder; the SMS gateway when a URL is set, else the
    /// SMS folder.
    ///
    /// # Errors
    /// [`DeliveryConfigError`] naming the setting.
    pub fn from_config(config: &Config) -> Result<Self, DeliveryConfigError> {
        let (mail, mail_target): (Arc<dyn MailTransport>, String) =
            if config.smtp.host.trim().is_empty() {
                let dir = config.data_dir.join("mail");
                let target = format!(
                    "no SMTP server configured: mails are written to {} as .eml files",
                    dir.display()
                );
                (Arc::new(MailFolder::new(dir)), target)
            } else {
                let mailer = smtp_mailer(config)?;
                let c = &config.smtp;
                let security = security(c.security);
                let port = if c.port == 0 {
                    security.default_port()
                } else {
                    c.port
                };
                let target = format!(
                    "mails go to the SMTP server {}:{port} ({}) as {}",
                    c.host.trim(),
                    match security {
                        SmtpSecurity::StartTls => "STARTTLS required",
                        SmtpSecurity::Tls => "TLS",
                        SmtpSecurity::Plain => "unencrypted: for a local test server only",
                    },
                    c.from.trim()
                );
                (Arc::new(mailer), target)
            };
        let s = &config.sms;
        let (sms, sms_target): (Arc<dyn SmsGateway>, String) = if s.url.trim().is_empty() {
            let dir = config.data_dir.join("sms");
            let target = format!(
                "no SMS gateway configured: SMS are written to {}",
                dir.display()
            );
            (Arc::new(SmsFolder::new(dir)), target)
        } else {
            if s.timeout_secs == 0 {
                return Err(DeliveryConfigError::Range(
                    "sms.timeout_secs must be at least 1",
                ));
            }
            let gateway = HttpSmsGateway::new(&SmsSettings {
                url: s.url.trim().to_owned(),
                token: (!s.token.is_unset()).then(|| s.token.expose().to_owned()),
                sender_id: s.sender_id.clone(),
                timeout: Duration::from_secs(s.timeout_secs),
            })?;
            let target = format!(
                "SMS go to the gateway {}",
                zeugnis_notify::redact_url(s.url.trim())
            );
            (Arc::new(gateway), target)
        };
        let d = &config.delivery;
        let secs = |n: u64, what: &'static str| {
            i64::try_from(n)
                .ok()
                .filter(|n| *n > 0)
                .map(time::Duration::seconds)
                .ok_or(DeliveryConfigError::Range(what))
        };
        let policy = DeliveryPolicy {
            batch: if d.batch == 0 {
                return Err(DeliveryConfigError::Range(
                    "delivery.batch must be at least 1",
                ));
            } else {
                d.batch
            },
            lease: secs(d.lease_secs, "delivery.lease_secs must be at least 1")?,
            retry: RetryPolicy::new(
                d.max_attempts,
                secs(
                    d.retry_first_secs,
                    "delivery.retry_first_secs must be at least 1",
                )?,
                secs(
                    d.retry_max_secs,
                    "delivery.retry_max_secs must be at least 1",
                )?,
            )?,
        };
        if d.poll_secs == 0 {
            return Err(DeliveryConfigError::Range(
                "delivery.poll_secs must be at least 1",
            ));
        }
        // A round stops starting sends at half the lease; a send started just
        // before must end before the lease does.
        let longest_send = [
            (!config.smtp.host.trim().is_empty()).then_some(config.smtp.timeout_secs),
            (!s.url.trim().is_empty()).then_some(s.timeout_secs),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
        if d.lease_secs < longest_send.saturating_mul(2) {
            return Err(DeliveryConfigError::LeaseTooShort {
                lease: d.lease_secs,
                longest_send,
            });
        }
        Ok(Self {
            mail,
            sms,
            templates: Arc::new(Templates::new()),
            policy,
            poll: Duration::from_secs(d.poll_secs),
            wake: Arc::new(Notify::new()),
            rounds: Arc::new(tokio::sync::watch::Sender::new(0)),
            mail_target,
            sms_target,
        })
    }

    /// Wakes the worker (after a commit that queued a message).
    #[must_use]
    pub fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// Counts the worker's finished rounds: a receiver sees a change after
    /// every round, so a test can wait for the outbox instead of for a time.
    #[must_use]
    pub fn rounds(&self) -> tokio::sync::watch::Receiver<u64> {
        self.rounds.subscribe()
    }

    /// Starts the worker on `clock` (the server's). After [`WorkerStop::stop`]
    /// it finishes the message in hand, gives back the rest of its round, and
    /// ends.
    #[must_use]
    pub fn spawn(self, store: Arc<Store>, clock: Arc<dyn Clock>) -> (WorkerStop, JoinHandle<()>) {
        tracing::info!("{}", self.mail_target);
        tracing::info!("{}", self.sms_target);
        let stop = WorkerStop {
            flag: Arc::new(AtomicBool::new(false)),
            wake: Arc::new(Notify::new()),
        };
        let (stopping, woken) = (Arc::clone(&stop.flag), Arc::clone(&stop.wake));
        let worker = tokio::spawn(async move {
            loop {
                let round = DeliveryService {
                    queue: store.as_ref(),
                    tenants: store.as_ref(),
                    settings: store.as_ref(),
                    renderer: self.templates.as_ref(),
                    mail: self.mail.as_ref(),
                    sms: self.sms.as_ref(),
                    uow: store.as_ref(),
                    clock: &*clock,
                    policy: &self.policy,
                    stop: Some(&stopping),
                }
                .run_once()
                .await;
                let more = match round {
                    Ok(round) => {
                        log_round(&round);
                        round.was_full(&self.policy)
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox: cannot claim or record messages; trying again");
                        false
                    }
                };
                self.rounds.send_modify(|n| *n = n.wrapping_add(1));
                if stopping.load(Ordering::Relaxed) {
                    break;
                }
                if more {
                    continue;
                }
                tokio::select! {
                    () = tokio::time::sleep(self.poll) => {}
                    () = self.wake.notified() => {}
                    () = woken.notified() => {}
                }
            }
        });
        (stop, worker)
    }
}

/// Tells a running worker to stop.
#[derive(Debug)]
pub struct WorkerStop {
    flag: Arc<AtomicBool>,
    wake: Arc<Notify>,
}

impl WorkerStop {
    /// The round in progress gives back what it has not started; a waiting
    /// worker wakes and ends.
    pub fn stop(&self) {
        self.flag.store(true, Ordering::Relaxed);
        // `notify_one` keeps a permit, so a worker that is not waiting yet
        // still sees it when it next waits.
        self.wake.notify_one();
    }
}

/// Sends a test mail directly (not through the outbox) with the configured
/// transport, and says where it went.
///
/// # Errors
/// The configuration is unusable, or the mail server refused or could not be
/// reached (the error says which).
pub async fn send_test_mail(config: &Config, to: Email) -> anyhow::Result<String> {
    let nanos = Timestamp::now().unix_timestamp_nanos();
    let id = MessageId::from_bytes(nanos.to_be_bytes());
    let mail = Mail {
        id,
        to,
        from_name: "zeugnis".to_owned(),
        subject: "zeugnis: Testnachricht".to_owned(),
        text: "Guten Tag,\n\ndiese Testnachricht zeigt, dass zeugnis E-Mails versenden kann.\n".to_owned(),
        html: "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>zeugnis: Testnachricht</title></head><body><p>Guten Tag,</p><p>diese Testnachricht zeigt, dass zeugnis E-Mails versenden kann.</p></body></html>".to_owned(),
    };
    if config.smtp.host.trim().is_empty() {
        let folder = MailFolder::new(config.data_dir.join("mail"));
        folder.send(&mail).await?;
        return Ok(format!(
            "no SMTP server configured: the test mail was written to {}",
            folder.dir().join(format!("{id}.eml")).display()
        ));
    }
    let mailer = smtp_mailer(config)?;
    mailer.send(&mail).await?;
    Ok(format!(
        "the mail server {} accepted the test mail",
        endpoint(config)
    ))
}

/// One line per failure and template fallback: ids and kinds, never
/// recipients or content.
fn log_round(round: &DeliveryRound) {
    for f in &round.failures {
        if f.gave_up {
            tracing::error!(
                message_id = %f.id, tenant = %f.tenant, kind = f.kind.key(), attempt = f.attempt,
                error = %f.error, "message failed for good; recorded in the tenant's audit log"
            );
        } else {
            tracing::warn!(
                message_id = %f.id, tenant = %f.tenant, kind = f.kind.key(), attempt = f.attempt,
                error = %f.error, "delivery failed; will retry"
            );
        }
    }
    for f in &round.fallbacks {
        tracing::warn!(
            tenant = %f.tenant, kind = f.kind.key(), part = f.problem.part.key(),
            reason = %f.problem.reason, "tenant mail template failed; the default was sent"
        );
    }
    if round.lost > 0 {
        tracing::warn!(
            count = round.lost,
            "failures not recorded: another worker took the messages over after this worker's lease ran out"
        );
    }
    for e in &round.unrecorded {
        tracing::warn!(error = %e, "an audit entry of the outbox could not be written");
    }
    if round.dropped > 0 {
        tracing::info!(
            count = round.dropped,
            "messages of deleted tenants dropped unsent"
        );
    }
    if round.sent > 0 {
        tracing::debug!(sent = round.sent, "messages delivered");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config {
            data_dir: PathBuf::from("/srv/zeugnis"),
            ..Config::default()
        }
    }

    fn refused(config: &Config) -> String {
        match Delivery::from_config(config) {
            Ok(d) => panic!("accepted: {d:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn without_servers_mails_and_sms_go_to_the_data_folder() {
        let d = Delivery::from_config(&config()).unwrap();
        assert!(
            d.mail_target.contains("no SMTP server configured"),
            "{}",
            d.mail_target
        );
        assert!(
            d.mail_target.contains("/srv/zeugnis/mail"),
            "{}",
            d.mail_target
        );
        assert!(
            d.sms_target.contains("/srv/zeugnis/sms"),
            "{}",
            d.sms_target
        );
    }

    #[tokio::test]
    async fn smtp_settings_are_checked_with_the_setting_named() {
        let mut c = config();
        c.smtp.host = "mail.firma.de".into();
        assert!(refused(&c).contains("smtp.from is required"));
        c.smtp.from = "keine adresse".into();
        assert!(refused(&c).contains("smtp.from"));
        c.smtp.from = "zeugnis@firma.de".into();
        c.smtp.security = SmtpSecurityConfig::Plain;
        c.smtp.username = "zeugnis".into();
        c.smtp.password = "geheim".into();
        let e = refused(&c);
        assert!(e.contains("unencrypted") && !e.contains("geheim"), "{e}");
        c.smtp.security = SmtpSecurityConfig::Starttls;
        c.smtp.ca_file = "/does/not/exist.pem".into();
        assert!(refused(&c).contains("smtp.ca_file"));
        c.smtp.ca_file = String::new();
        let d = Delivery::from_config(&c).unwrap();
        assert_eq!(
            d.mail_target,
            "mails go to the SMTP server mail.firma.de:587 (STARTTLS required) as zeugnis@firma.de"
        );
        assert!(!format!("{d:?}").contains("geheim"));
    }

    #[test]
    fn the_sms_gateway_url_is_logged_without_its_query() {
        let mut c = config();
        c.sms.url = "https://user:GEHEIM@sms.example.com/v1/send?api_key=GEHEIM".into();
        c.sms.token = "TOKEN-GEHEIM".into();
        let d = Delivery::from_config(&c).unwrap();
        assert_eq!(
            d.sms_target,
            "SMS go to the gateway https://sms.example.com/v1/send"
        );
        let debug = format!("{d:?}");
        assert!(!debug.contains("GEHEIM"), "{debug}");
        c.sms.url = "http://sms.example.com/send".into();
        assert!(refused(&c).contains("https"));
    }

    #[test]
    fn the_lease_must_cover_a_send_started_at_half_of_it() {
        let mut c = config();
        c.sms.url = "https://sms.example.com/send".into();
        c.sms.timeout_secs = 200;
        let e = refused(&c);
        assert!(
            e.contains("delivery.lease_secs (300)") && e.contains("200 s"),
            "{e}"
        );
        c.delivery.lease_secs = 400;
        assert!(Delivery::from_config(&c).is_ok());
    }

    #[test]
    fn delivery_numbers_must_be_positive() {
        for adjust in [
            (|c: &mut Config| c.delivery.batch = 0) as fn(&mut Config),
            |c| c.delivery.max_attempts = 0,
            |c| c.delivery.poll_secs = 0,
            |c| c.delivery.lease_secs = 0,
            |c| c.delivery.retry_first_secs = 0,
            |c| {
                c.delivery.retry_first_secs = 100;
                c.delivery.retry_max_secs = 10;
            },
        ] {
            let mut c = config();
            adjust(&mut c);
            assert!(Delivery::from_config(&c).is_err());
        }
    }
}
