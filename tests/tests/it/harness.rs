//! The test doubles themselves (the SMTP sink and the SMS gateway double), and
//! the [`TestApp`] builder's users and outbox.

#![expect(
    clippy::expect_used,
    reason = "test helpers fail the test that calls them"
)]

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use zeugnis_core::access::{AccessLevel, Area, Permissions};
use zeugnis_tests::api::{ApiClient, SLUG, is_to, token_in_mail};
use zeugnis_tests::sms_gateway::GatewayDouble;
use zeugnis_tests::smtp_sink::{SinkOptions, SinkTls, find_python, start_sink_or_skip};
use zeugnis_tests::{TestApp, TestRole};

const WAIT: Duration = Duration::from_secs(10);

/// A minimal SMTP client speaking over a plain TCP connection.
struct RawSmtp {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl RawSmtp {
    /// Connects and reads the greeting, which must be 220.
    async fn connect(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect to the SMTP sink");
        let (read, writer) = stream.into_split();
        let mut smtp = Self {
            reader: BufReader::new(read),
            writer,
        };
        let greeting = smtp.reply().await;
        assert!(greeting.starts_with("220"), "greeting: {greeting}");
        smtp
    }

    /// Reads one reply, all its lines joined by `\n`.
    async fn reply(&mut self) -> String {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(WAIT, self.reader.read_line(&mut line))
                .await
                .expect("an SMTP reply in time")
                .expect("read an SMTP reply");
            assert!(n > 0, "connection closed; replies so far: {lines:?}");
            let line = line.trim_end().to_owned();
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if last {
                return lines.join("\n");
            }
        }
    }

    /// Sends one command line and returns the reply.
    async fn command(&mut self, line: &str) -> String {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .await
            .expect("send an SMTP command");
        self.reply().await
    }

    /// Sends `message` (CRLF line ends, without the final dot) after DATA.
    async fn data(&mut self, message: &str) -> String {
        let reply = self.command("DATA").await;
        assert!(reply.starts_with("354"), "DATA: {reply}");
        self.writer
            .write_all(message.as_bytes())
            .await
            .expect("send the message");
        self.command(".").await
    }
}

/// Delivers `message` to `recipients` in one plain SMTP session.
async fn send_mail(port: u16, from: &str, recipients: &[&str], message: &str) {
    let mut smtp = RawSmtp::connect(port).await;
    let ehlo = smtp.command("EHLO client.example.org").await;
    assert!(ehlo.starts_with("250"), "EHLO: {ehlo}");
    let reply = smtp.command(&format!("MAIL FROM:<{from}>")).await;
    assert!(reply.starts_with("250"), "MAIL: {reply}");
    for recipient in recipients {
        let reply = smtp.command(&format!("RCPT TO:<{recipient}>")).await;
        assert!(reply.starts_with("250"), "RCPT {recipient}: {reply}");
    }
    let reply = smtp.data(message).await;
    assert!(reply.starts_with("250"), "end of DATA: {reply}");
    smtp.command("QUIT").await;
}

fn simple_message(subject: &str) -> String {
    format!(
        "From: hr@example.org\r\nTo: j@example.org\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@example.org>\r\n\r\nHallo\r\n"
    )
}

#[tokio::test]
async fn sink_receives_and_parses_a_plain_mail() {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    assert_eq!(sink.host(), "localhost");
    assert_eq!(sink.ca_file(), None);
    let message = "From: =?UTF-8?Q?Personalabteilung_M=C3=BCller?= <hr@example.org>\r\n\
                   To: =?UTF-8?Q?J=C3=BCrgen_Gr=C3=A4f?= <j@example.org>\r\n\
                   Subject: =?UTF-8?Q?Ihr_Zeugnis_f=C3=BCr_J=C3=BCrgen?=\r\n\
                   Message-ID: <1234@zeugnis.example.org>\r\n\
                   MIME-Version: 1.0\r\n\
                   Content-Type: text/plain; charset=utf-8\r\n\
                   Content-Transfer-Encoding: quoted-printable\r\n\
                   \r\n\
                   Gr=C3=BC=C3=9Fe aus der Personalabteilung\r\n\
                   ..mit einem Punkt am Zeilenanfang\r\n";

    send_mail(
        sink.port(),
        "bounce@example.org",
        &["j@example.org"],
        message,
    )
    .await;

    let mails = sink.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.mail_from, "bounce@example.org");
    assert_eq!(mail.rcpt_tos, ["j@example.org"]);
    assert!(!mail.tls);
    assert_eq!(mail.auth_user, None);
    assert_eq!(mail.from, "Personalabteilung Müller <hr@example.org>");
    assert_eq!(mail.to, "Jürgen Gräf <j@example.org>");
    assert_eq!(mail.subject, "Ihr Zeugnis für Jürgen");
    assert_eq!(mail.message_id, "<1234@zeugnis.example.org>");
    assert_eq!(mail.content_type, "text/plain");
    assert_eq!(
        mail.text.as_deref(),
        Some("Grüße aus der Personalabteilung\n.mit einem Punkt am Zeilenanfang\n")
    );
    assert_eq!(mail.html, None);
    // The raw message as sent, after the SMTP dot-unstuffing.
    assert_eq!(mail.raw, message.replace("\n..mit", "\n.mit"));
}

#[tokio::test]
async fn sink_parses_both_parts_of_a_multipart_mail() {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let message = "From: hr@example.org\r\nTo: j@example.org\r\nSubject: Zeugnis\r\n\
                   MIME-Version: 1.0\r\n\
                   Content-Type: multipart/alternative; boundary=\"b\"\r\n\
                   \r\n\
                   --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo\r\n\
                   --b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hallo</p>\r\n\
                   --b--\r\n";

    send_mail(
        sink.port(),
        "bounce@example.org",
        &["j@example.org"],
        message,
    )
    .await;

    let mail = &sink.wait_for(1, WAIT).await[0];
    assert_eq!(mail.content_type, "multipart/alternative");
    // The line end before a boundary belongs to the boundary.
    assert_eq!(mail.text.as_deref(), Some("Hallo"));
    assert_eq!(mail.html.as_deref(), Some("<p>Hallo</p>"));
    assert_eq!(mail.message_id, "");
}

#[tokio::test]
async fn sink_rejects_the_configured_recipient_with_550() {
    let Some(sink) = start_sink_or_skip(SinkOptions {
        reject: vec!["gone@example.org".to_owned()],
        ..SinkOptions::default()
    }) else {
        return;
    };
    let mut smtp = RawSmtp::connect(sink.port()).await;
    smtp.command("EHLO client.example.org").await;
    smtp.command("MAIL FROM:<bounce@example.org>").await;

    let rejected = smtp.command("RCPT TO:<Gone@example.org>").await;
    let accepted = smtp.command("RCPT TO:<j@example.org>").await;
    let end = smtp.data(&simple_message("teilweise")).await;
    smtp.command("QUIT").await;

    assert_eq!(rejected, "550 5.1.1 mailbox unavailable");
    assert!(accepted.starts_with("250"), "{accepted}");
    assert!(end.starts_with("250"), "{end}");
    let mails = sink.wait_for(1, WAIT).await;
    assert_eq!(mails[0].rcpt_tos, ["j@example.org"]);
}

#[tokio::test]
async fn stopped_sink_frees_its_port_and_receives_again_after_restart() {
    let Some(mut sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let port = sink.port();
    send_mail(
        port,
        "a@example.org",
        &["j@example.org"],
        &simple_message("eins"),
    )
    .await;
    sink.wait_for(1, WAIT).await;

    sink.stop();
    assert!(!sink.is_running());
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
    drop(std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free"));

    sink.restart();
    assert_eq!(sink.port(), port);
    send_mail(
        port,
        "a@example.org",
        &["j@example.org"],
        &simple_message("zwei"),
    )
    .await;

    let mails = sink.wait_for(2, WAIT).await;
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(subjects, ["eins", "zwei"]);
}

#[tokio::test]
async fn sink_with_starttls_writes_the_certificates_and_offers_starttls() {
    let Some(sink) = start_sink_or_skip(SinkOptions {
        tls: SinkTls::StartTls,
        require_tls: true,
        auth: Some(("hr@example.org".to_owned(), "geheim".to_owned())),
        ..SinkOptions::default()
    }) else {
        return;
    };
    let ca = sink.ca().expect("a CA for a sink with TLS");
    assert_eq!(sink.ca_file().as_deref(), Some(ca.ca_file()));
    let ca_pem = std::fs::read_to_string(ca.ca_file()).unwrap();
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(ca_pem, ca.ca_pem());
    let cert_pem = std::fs::read_to_string(ca.cert_file()).unwrap();
    assert!(cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_ne!(cert_pem, ca_pem);
    let key_pem = std::fs::read_to_string(ca.key_file()).unwrap();
    assert!(key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));

    let mut smtp = RawSmtp::connect(sink.port()).await;
    let ehlo = smtp.command("EHLO client.example.org").await;
    assert!(ehlo.contains("250-STARTTLS"), "{ehlo}");
    // AUTH only after STARTTLS, and no mail before it.
    assert!(!ehlo.contains("AUTH"), "{ehlo}");
    let mail = smtp.command("MAIL FROM:<a@example.org>").await;
    assert!(mail.starts_with("530"), "{mail}");
    smtp.command("QUIT").await;
}

#[tokio::test]
async fn sink_with_implicit_tls_starts() {
    let Some(sink) = start_sink_or_skip(SinkOptions {
        tls: SinkTls::Implicit,
        ..SinkOptions::default()
    }) else {
        return;
    };
    let ca_file = sink.ca_file().expect("a CA for a sink with TLS");
    assert!(ca_file.is_file());
    let ca = sink.ca().unwrap();
    assert!(ca.cert_file().is_file());
    assert!(ca.key_file().is_file());
    assert!(sink.received().is_empty());
}

/// Sends one mail with python's smtplib, which checks the sink's certificate
/// against the test CA and the name `localhost`, and logs in.
const PYTHON_TLS_CLIENT: &str = r#"
import smtplib, ssl, sys
mode, port, ca = sys.argv[1], int(sys.argv[2]), sys.argv[3]
context = ssl.create_default_context(cafile=ca)
if mode == "implicit":
    smtp = smtplib.SMTP_SSL("localhost", port, context=context)
else:
    smtp = smtplib.SMTP("localhost", port)
    smtp.starttls(context=context)
smtp.login("hr@example.org", "geh:eim")
smtp.sendmail("hr@example.org", ["j@example.org"],
              "From: hr@example.org\r\nSubject: " + mode + "\r\n\r\nHallo\r\n")
smtp.quit()
"#;

#[tokio::test]
async fn sink_marks_mails_that_came_over_tls_and_the_user_that_logged_in() {
    for (tls, mode) in [
        (SinkTls::StartTls, "starttls"),
        (SinkTls::Implicit, "implicit"),
    ] {
        let Some(sink) = start_sink_or_skip(SinkOptions {
            tls,
            require_tls: true,
            auth: Some(("hr@example.org".to_owned(), "geh:eim".to_owned())),
            ..SinkOptions::default()
        }) else {
            return;
        };
        let ca_file = sink.ca_file().expect("a CA for a sink with TLS");
        let python = find_python().expect("the python the sink runs with");

        let output = std::process::Command::new(python)
            .arg("-c")
            .arg(PYTHON_TLS_CLIENT)
            .arg(mode)
            .arg(sink.port().to_string())
            .arg(&ca_file)
            .output()
            .expect("run the python SMTP client");

        assert!(
            output.status.success(),
            "{mode}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mail = &sink.wait_for(1, WAIT).await[0];
        assert_eq!(mail.subject, mode);
        assert!(mail.tls, "{mode}");
        assert_eq!(mail.auth_user.as_deref(), Some("hr@example.org"), "{mode}");
    }
}

#[tokio::test]
async fn gateway_records_the_request_and_answers_queued_responses_first() {
    let gateway = GatewayDouble::start().await;
    gateway.respond_with(503, r#"{"error":"busy"}"#);
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let body = serde_json::json!({ "to": "+491701234567", "text": "Ihr Zeugnis liegt bereit" });

    let first = client
        .post(gateway.url())
        .bearer_auth("s3cret")
        .json(&body)
        .send()
        .await
        .unwrap();
    let first_status = first.status();
    let first_body: serde_json::Value = first.json().await.unwrap();
    let second = client.post(gateway.url()).json(&body).send().await.unwrap();
    let second_status = second.status();
    let second_body: serde_json::Value = second.json().await.unwrap();

    assert_eq!(first_status, 503);
    assert_eq!(first_body, serde_json::json!({ "error": "busy" }));
    assert_eq!(second_status, 200);
    assert_eq!(second_body, serde_json::json!({ "status": "queued" }));
    let requests = gateway.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/send");
    assert_eq!(requests[0].headers["authorization"], "Bearer s3cret");
    assert_eq!(requests[0].headers["content-type"], "application/json");
    assert_eq!(requests[0].body, body);
    assert_eq!(requests[1].body, body);
}

#[tokio::test]
async fn gateway_accepts_any_path_and_records_requests_it_answers_late() {
    let gateway = GatewayDouble::start().await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let plain = client
        .get(gateway.url_for("/status?id=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 200);

    gateway.set_delay(Duration::from_secs(5));
    let late = client.post(gateway.url()).body("kein JSON").send().await;

    assert!(late.unwrap_err().is_timeout());
    let requests = gateway.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/status");
    assert_eq!(requests[0].body, serde_json::Value::Null);
    assert_eq!(requests[1].body, serde_json::json!("kein JSON"));
}

/// The builder's organisation and users, and the outbox as a test reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_user_registers_logged_in_users_and_deliver_outbox_returns_each_mail_once() {
    let reader = Permissions::none().with(Area::Employees, AccessLevel::Read);
    let app = TestApp::builder()
        .with_user(TestRole::Administrator, json!({"administrator": true}))
        .with_user(
            TestRole::custom("Lesen", reader),
            json!({"administrator": false, "location": ["Köln"]}),
        )
        .spawn()
        .await;
    let org = app.organisation();
    assert_eq!(org.slug, SLUG);
    let mut admin = app.admin();
    let r = admin.get("/session").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json["user"]["id"], org.admin_id.as_str());
    for n in [1, 2] {
        let user = app.user(n);
        assert_eq!(user.email, format!("user{n}@nordlicht.example"));
        let mut c = user.client.clone();
        let r = c.get("/session").await;
        assert_eq!(r.status, 200, "user {n}: {}", r.text());
        assert_eq!(r.json["user"]["id"], user.id.as_str());
        let r = admin.get(&format!("/users/{}", user.id)).await;
        assert_eq!(r.json["status"], "active", "user {n}: {}", r.text());
    }
    // The second user's role is the custom one: no list of users.
    let mut second = app.user(2).client.clone();
    assert_eq!(second.get("/users").await.status, 403);
    assert_eq!(app.user(1).client.clone().get("/users").await.status, 200);

    // The two invitations, then only what came since.
    let invitations = app.deliver_outbox().await;
    let to: Vec<&str> = invitations
        .iter()
        .flat_map(|m| m.rcpt_tos.iter().map(String::as_str))
        .collect();
    assert_eq!(to, ["user1@nordlicht.example", "user2@nordlicht.example"]);
    let r = ApiClient::new(&app)
        .post("/password/forgot", &json!({"email": app.user(1).email}))
        .await;
    assert_eq!(r.status, 202);
    let sent = app.deliver_outbox().await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent.iter().all(|m| is_to(m, &app.user(1).email)));
    assert!(
        sent.iter()
            .find_map(|m| token_in_mail(m, "/reset#"))
            .is_some(),
        "a reset link"
    );
    assert!(app.deliver_outbox().await.is_empty(), "nothing new");
}
