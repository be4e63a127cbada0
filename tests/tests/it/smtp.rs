//! The SMTP transport against a real SMTP server: TLS is required unless plain
//! is chosen explicitly, failures are sorted into "retry" and "give up", and the
//! message arrives as it was built.

#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test that calls them"
)]

use std::time::Duration;

use zeugnis_core::id::MessageId;
use zeugnis_core::ports::{DeliveryError, Mail, MailTransport as _};
use zeugnis_core::values::Email;
use zeugnis_notify::{SmtpConfigError, SmtpMailer, SmtpSecurity, SmtpSettings};
use zeugnis_tests::smtp_sink::{SinkOptions, SinkTls, SmtpSink, free_port, start_sink_or_skip};

const FROM: &str = "zeugnis@firma.de";
const FROM_NAME: &str = "Personalabteilung Müller & Söhne";
const RECIPIENT: &str = "vorgesetzte@firma.de";
const SUBJECT: &str = "Bitte um Mitwirkung: Zeugnis für Jürgen Groß (Änderung)";
const LINK: &str = "https://zeugnis.firma.de/mitwirken/abc123?schritt=2&sprache=de";
const USER: &str = "mailer";
const PASSWORD: &str = "richtig-geheim";

fn mail_to(to: &str) -> Mail {
    Mail {
        id: MessageId::from_bytes([0x5a; 16]),
        to: Email::parse(to).expect("a valid test address"),
        from_name: FROM_NAME.to_owned(),
        subject: SUBJECT.to_owned(),
        text: format!("Guten Tag,\n\nbitte öffnen Sie: {LINK}\n\nGrüße\n"),
        html: format!("<p>Guten Tag,</p><p><a href=\"{LINK}\">Zeugnis öffnen</a></p>"),
    }
}

/// Settings for `localhost` on `port`, with a short timeout.
fn settings_for(port: u16, security: SmtpSecurity) -> SmtpSettings {
    SmtpSettings {
        host: "localhost".to_owned(),
        port: Some(port),
        security,
        credentials: None,
        from: FROM.to_owned(),
        timeout: Duration::from_secs(10),
        pool_size: 2,
        extra_ca_pem: None,
    }
}

/// Settings for the sink, trusting its CA when it has one.
fn settings(sink: &SmtpSink, security: SmtpSecurity) -> SmtpSettings {
    let extra_ca_pem = sink
        .ca_file()
        .map(|file| std::fs::read(file).expect("read the sink's CA certificate"));
    SmtpSettings {
        host: sink.host().to_owned(),
        extra_ca_pem,
        ..settings_for(sink.port(), security)
    }
}

fn mailer(settings: &SmtpSettings) -> SmtpMailer {
    SmtpMailer::new(settings).expect("the SMTP settings are accepted")
}

fn starttls_with_auth() -> SinkOptions {
    SinkOptions {
        tls: SinkTls::StartTls,
        require_tls: true,
        auth: Some((USER.to_owned(), PASSWORD.to_owned())),
        ..SinkOptions::default()
    }
}

fn with_credentials(mut settings: SmtpSettings, password: &str) -> SmtpSettings {
    settings.credentials = Some((USER.to_owned(), password.to_owned()));
    settings
}

#[tokio::test]
async fn starttls_with_login_delivers_the_whole_message() {
    let Some(sink) = start_sink_or_skip(starttls_with_auth()) else {
        return;
    };
    let mailer = mailer(&with_credentials(
        settings(&sink, SmtpSecurity::StartTls),
        PASSWORD,
    ));
    let mail = mail_to(RECIPIENT);

    mailer.send(&mail).await.unwrap();

    let received = sink.received();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert!(got.tls, "the mail travelled encrypted");
    assert_eq!(got.auth_user.as_deref(), Some(USER));
    assert_eq!(got.mail_from, FROM);
    assert_eq!(got.rcpt_tos, vec![RECIPIENT.to_owned()]);
    assert_eq!(got.subject, SUBJECT);
    assert!(got.from.contains(FROM_NAME), "From: {}", got.from);
    assert!(
        got.from.contains("<zeugnis@firma.de>"),
        "From: {}",
        got.from
    );
    assert_eq!(got.message_id, format!("<{}@firma.de>", mail.id));
    assert_eq!(got.content_type, "multipart/alternative");
    let text = got.text.as_deref().expect("a text/plain part");
    assert!(text.contains(LINK), "text: {text}");
    assert!(text.contains("öffnen"), "text: {text}");
    let html = got.html.as_deref().expect("a text/html part");
    assert!(html.contains(LINK) || html.contains(&LINK.replace('&', "&amp;")));
    assert!(html.contains("Zeugnis öffnen"), "html: {html}");
    assert!(
        got.raw.contains("Auto-Submitted: auto-generated"),
        "{}",
        got.raw
    );
}

#[tokio::test]
async fn implicit_tls_delivers_encrypted() {
    let Some(sink) = start_sink_or_skip(SinkOptions {
        tls: SinkTls::Implicit,
        ..SinkOptions::default()
    }) else {
        return;
    };
    let mailer = mailer(&settings(&sink, SmtpSecurity::Tls));

    mailer.send(&mail_to(RECIPIENT)).await.unwrap();

    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].tls);
    assert_eq!(received[0].rcpt_tos, vec![RECIPIENT.to_owned()]);
}

#[tokio::test]
async fn starttls_never_falls_back_to_plain() {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let mailer = mailer(&settings(&sink, SmtpSecurity::StartTls));

    let error = mailer.send(&mail_to(RECIPIENT)).await.unwrap_err();

    let DeliveryError::Transient(message) = &error else {
        panic!("expected a transient failure, got {error:?}");
    };
    assert!(message.contains("STARTTLS"), "{message}");
    assert!(sink.received().is_empty(), "nothing went out in clear");
}

/// A sink in `tls` mode whose CA the mailer does not trust refuses the mail,
/// and the error names TLS and the certificate.
async fn an_unknown_ca_is_refused(tls: SinkTls, security: SmtpSecurity) {
    let Some(sink) = start_sink_or_skip(SinkOptions {
        tls,
        require_tls: true,
        ..SinkOptions::default()
    }) else {
        return;
    };
    let mut settings = settings(&sink, security);
    settings.extra_ca_pem = None;
    let mailer = mailer(&settings);

    let error = mailer.send(&mail_to(RECIPIENT)).await.unwrap_err();

    let DeliveryError::Transient(message) = &error else {
        panic!("expected a transient failure, got {error:?}");
    };
    // The operator must learn that TLS and the certificate are the problem.
    assert!(message.contains("TLS with the mail server"), "{message}");
    assert!(message.contains("certificate"), "{message}");
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_certificate_from_an_unknown_ca_is_refused() {
    an_unknown_ca_is_refused(SinkTls::StartTls, SmtpSecurity::StartTls).await;
}

#[tokio::test]
async fn an_unknown_ca_is_refused_with_implicit_tls_too() {
    an_unknown_ca_is_refused(SinkTls::Implicit, SmtpSecurity::Tls).await;
}

#[tokio::test]
async fn plain_smtp_works_when_chosen_explicitly() {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let mailer = mailer(&settings(&sink, SmtpSecurity::Plain));

    mailer.send(&mail_to(RECIPIENT)).await.unwrap();

    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert!(!received[0].tls);
    assert_eq!(received[0].auth_user, None);
    assert_eq!(received[0].subject, SUBJECT);
}

#[tokio::test]
async fn plain_smtp_is_only_for_this_machine() {
    for host in ["localhost", "127.0.0.1", "::1", "[::1]"] {
        let mut settings = settings_for(2525, SmtpSecurity::Plain);
        settings.host = host.to_owned();
        assert!(SmtpMailer::new(&settings).is_ok(), "{host}");
    }
    for host in ["relay.intern", "10.0.0.5", "mail.firma.de"] {
        let mut settings = settings_for(25, SmtpSecurity::Plain);
        settings.host = host.to_owned();
        let error = SmtpMailer::new(&settings).unwrap_err();
        assert!(
            matches!(error, SmtpConfigError::PlainToAnotherMachine(_)),
            "{host}: {error:?}"
        );
        assert!(error.to_string().contains("starttls"), "{error}");
    }
}

/// A server that accepts connections and never says a word.
async fn silent_server() -> (u16, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    (port, task)
}

#[tokio::test]
async fn a_server_that_never_answers_is_given_up_on_after_the_timeout() {
    let (port, server) = silent_server().await;
    let mut settings = settings_for(port, SmtpSecurity::Plain);
    settings.timeout = Duration::from_secs(1);
    let mailer = mailer(&settings);
    // Without the adapter's own deadline both calls would wait forever.
    let bounded = Duration::from_secs(60);

    let error = tokio::time::timeout(bounded, mailer.send(&mail_to(RECIPIENT)))
        .await
        .expect("send gave up")
        .unwrap_err();
    let checked = tokio::time::timeout(bounded, mailer.check())
        .await
        .expect("check gave up")
        .unwrap_err();

    let DeliveryError::Transient(message) = &error else {
        panic!("expected a transient failure, got {error:?}");
    };
    assert!(message.contains("did not answer within 1 s"), "{message}");
    assert!(
        matches!(checked, DeliveryError::Transient(_)),
        "{checked:?}"
    );
    server.abort();
}

#[test]
fn plain_smtp_refuses_credentials() {
    let settings = with_credentials(settings_for(2525, SmtpSecurity::Plain), PASSWORD);

    let error = SmtpMailer::new(&settings).unwrap_err();

    assert!(
        matches!(error, SmtpConfigError::CredentialsInClear),
        "{error:?}"
    );
    assert!(!error.to_string().contains(PASSWORD));
}

#[tokio::test]
async fn a_refused_recipient_is_permanent_and_not_named() {
    let refused = "weg@firma.de";
    let Some(sink) = start_sink_or_skip(SinkOptions {
        reject: vec![refused.to_owned()],
        ..SinkOptions::default()
    }) else {
        return;
    };
    let mailer = mailer(&settings(&sink, SmtpSecurity::Plain));

    let error = mailer.send(&mail_to(refused)).await.unwrap_err();

    let DeliveryError::Permanent(message) = &error else {
        panic!("expected a permanent failure, got {error:?}");
    };
    assert!(message.contains("550"), "{message}");
    assert!(!error.to_string().contains(refused), "{error}");
    assert!(!error.to_string().contains("weg@"), "{error}");
    assert!(sink.received().is_empty());

    // The connection stays usable for the next mail.
    mailer.send(&mail_to(RECIPIENT)).await.unwrap();
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn a_wrong_password_is_transient_and_names_the_setting() {
    let Some(sink) = start_sink_or_skip(starttls_with_auth()) else {
        return;
    };
    let mailer = mailer(&with_credentials(
        settings(&sink, SmtpSecurity::StartTls),
        "falsch",
    ));

    let error = mailer.send(&mail_to(RECIPIENT)).await.unwrap_err();

    let DeliveryError::Transient(message) = &error else {
        panic!("expected a transient failure, got {error:?}");
    };
    assert!(message.contains("smtp.username"), "{message}");
    assert!(!message.contains("falsch"), "{message}");
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_server_that_is_down_is_transient_and_the_pool_recovers() {
    let port = free_port();
    let mailer = mailer(&settings_for(port, SmtpSecurity::Plain));

    let error = mailer.send(&mail_to(RECIPIENT)).await.unwrap_err();
    assert!(matches!(error, DeliveryError::Transient(_)), "{error:?}");

    let Some(sink) = start_sink_or_skip(SinkOptions {
        port: Some(port),
        ..SinkOptions::default()
    }) else {
        return;
    };
    mailer.send(&mail_to(RECIPIENT)).await.unwrap();
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn a_restarted_server_gets_the_next_mail() {
    let Some(mut sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let mailer = mailer(&settings(&sink, SmtpSecurity::Plain));
    mailer.send(&mail_to(RECIPIENT)).await.unwrap();

    // The pooled connection dies with the server; it is tested before reuse,
    // so the next mail does not fail on it.
    sink.restart();
    mailer.send(&mail_to(RECIPIENT)).await.unwrap();

    assert_eq!(sink.received().len(), 2);
}

#[tokio::test]
async fn long_lines_arrive_intact() {
    let Some(sink) = start_sink_or_skip(starttls_with_auth()) else {
        return;
    };
    let mailer = mailer(&with_credentials(
        settings(&sink, SmtpSecurity::StartTls),
        PASSWORD,
    ));
    let long_text: String = "Ärger über Öl und Straße, ".repeat(200);
    let long_html = format!("<p>{}</p>", "x".repeat(5000));
    let ascii_line = "a".repeat(5000);
    let mut mail = mail_to(RECIPIENT);
    mail.text = format!("{long_text}\n{ascii_line}\n.\n.punkt am Anfang\n");
    mail.html = long_html.clone();

    mailer.send(&mail).await.unwrap();

    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].text.as_deref(), Some(mail.text.as_str()));
    assert_eq!(
        received[0].html.as_deref().map(str::trim_end),
        Some(long_html.as_str())
    );
    for line in received[0].raw.split("\r\n") {
        assert!(line.len() <= 998, "a line of {} bytes", line.len());
    }
}

#[tokio::test]
async fn check_logs_in_without_sending() {
    let Some(sink) = start_sink_or_skip(starttls_with_auth()) else {
        return;
    };
    let mailer = mailer(&with_credentials(
        settings(&sink, SmtpSecurity::StartTls),
        PASSWORD,
    ));

    mailer.check().await.unwrap();

    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn check_fails_transient_against_a_dead_port() {
    let mailer = mailer(&settings_for(free_port(), SmtpSecurity::Plain));

    let error = mailer.check().await.unwrap_err();

    assert!(matches!(error, DeliveryError::Transient(_)), "{error:?}");
}

#[tokio::test]
async fn check_with_a_wrong_password_fails_and_names_the_setting() {
    let Some(sink) = start_sink_or_skip(starttls_with_auth()) else {
        return;
    };
    let mailer = mailer(&with_credentials(
        settings(&sink, SmtpSecurity::StartTls),
        "falsch",
    ));

    let error = mailer.check().await.unwrap_err();

    let DeliveryError::Transient(message) = &error else {
        panic!("expected a transient failure, got {error:?}");
    };
    assert!(message.contains("smtp.username"), "{message}");
}
