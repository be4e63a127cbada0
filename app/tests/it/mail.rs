//! Mail from the real `zeugnis serve`: the development default (mails as
//! `.eml` files in the data folder) and a crash between commit and send.

#![expect(
    clippy::expect_used,
    reason = "test helpers fail the test that calls them"
)]

use std::path::Path;
use std::time::Duration;

use crate::common::*;
use tokio::net::TcpListener;
use zeugnis_core::id::{MessageId, TenantId};
use zeugnis_core::ports::{
    ChangeSet, Destination, MessageKind, MessageParams, OutgoingMessage, UnitOfWork, Write,
};
use zeugnis_core::values::{Email, Timestamp};
use zeugnis_crypto::{KeySource, MasterKeyring, load_master_key_file};
use zeugnis_store::{Location, Store};
use zeugnis_tests::db::seed_tenant;
use zeugnis_tests::smtp_sink::{SinkOptions, free_port, start_sink_or_skip};

/// A secret of the message that must appear in the mail and nowhere else.
const SECRET: &str = "GEHEIM-7f3a9c";

/// The server's database, opened beside it as a second process would.
/// How many messages wait in the outbox of the database at `db`.
fn outbox_rows(db: &Path) -> i64 {
    let db = rusqlite::Connection::open(db).expect("the database opens");
    db.query_row("SELECT count(*) FROM outbox", [], |row| row.get(0))
        .expect("the outbox can be counted")
}

async fn open_store(dir: &Path) -> Store {
    let data = dir.join("data");
    let key_file = data.join("master.key");
    let key = load_master_key_file(&key_file).expect("the server wrote its key");
    Store::open(
        &Location::Sqlite(data.join("zeugnis.db")),
        MasterKeyring::new(key, KeySource::File(key_file)),
    )
    .await
    .expect("the server's database opens")
}

/// Commits a handover link as a request would: in a change set.
async fn queue_handover_link(store: &Store, tenant: TenantId) -> MessageId {
    let id = MessageId::from_bytes([0x42; 16]);
    let mut changes = ChangeSet::new(tenant);
    changes.push(Write::Enqueue(OutgoingMessage {
        id,
        tenant,
        kind: MessageKind::HandoverLink,
        to: Destination::Email(Email::parse("vorgesetzte@firma.de").expect("valid address")),
        params: MessageParams::new()
            .with("recipient_name", "Erika Vorgesetzte")
            .with("requested_by", "Hans Personal")
            .with("link", format!("https://zeugnis.example/h/{SECRET}"))
            .with("valid_until", "15.12.2026"),
        created_at: Timestamp::now(),
        expires_at: None,
    }));
    store.commit(changes).await.expect("the message is queued");
    id
}

fn assert_no_secrets(log: &str) {
    for secret in [SECRET, "vorgesetzte@firma.de", "Erika Vorgesetzte"] {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }
}

#[tokio::test]
async fn without_smtp_each_mail_is_written_as_eml_into_the_data_folder_with_one_log_line() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut command = zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    command.env("ZEUGNIS_DELIVERY__POLL_SECS", "1");
    let mut server = Server::start(command).await;
    let store = open_store(dir.path()).await;
    let tenant = seed_tenant(&store, 1, "Firma GmbH").await;
    let id = queue_handover_link(&store, tenant).await;

    let mail_dir = dir.path().join("data").join("mail");
    let file = mail_dir.join(format!("{id}.eml"));
    let arrived = tokio::time::timeout(PATIENCE, async {
        while !file.is_file() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(
        arrived.is_ok(),
        "no mail file:\n{}",
        server.log().join("\n")
    );
    let eml = std::fs::read_to_string(&file).expect("the mail file reads");
    assert!(
        eml.contains("Subject: Bitte um Mitwirkung an einem Arbeitszeugnis"),
        "{eml}"
    );
    assert!(
        eml.contains(&format!("Message-ID: <{id}@localhost>")),
        "{eml}"
    );
    assert!(eml.contains("To: vorgesetzte@firma.de"), "{eml}");
    assert!(eml.contains(SECRET), "the link is in the mail");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).expect("exists").permissions().mode() & 0o777;
        assert_eq!(
            mode(&file),
            0o600,
            "only the owner reads mails with live links"
        );
        assert_eq!(mode(&mail_dir), 0o700);
    }

    let log = server.log().join("\n");
    assert!(
        log.contains("no SMTP server configured: mails are written to"),
        "{log}"
    );
    let lines: Vec<_> = server
        .log()
        .iter()
        .filter(|l| l.contains("mail written to the mail folder"))
        .cloned()
        .collect();
    assert_eq!(lines.len(), 1, "one line per mail:\n{log}");
    assert!(
        lines[0].contains(&format!("{id}.eml")),
        "it names the file: {}",
        lines[0]
    );
    assert_no_secrets(&log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_in_flight_when_the_server_is_killed_is_sent_after_the_restart() {
    // The mail server's port first answers like a hung server: it accepts and
    // never replies, so the worker is caught between claim and send.
    // Port 0: no other test can take the port between choosing and binding.
    let hung = TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("a port to listen on");
    let port = hung.local_addr().expect("the bound address").port();
    let dir = tempfile::tempdir().expect("temporary directory");
    let serve = || {
        let mut command = zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
        command
            .env("ZEUGNIS_SMTP__HOST", "127.0.0.1")
            .env("ZEUGNIS_SMTP__PORT", port.to_string())
            .env("ZEUGNIS_SMTP__SECURITY", "plain")
            .env("ZEUGNIS_SMTP__FROM", "zeugnis@firma.de")
            .env("ZEUGNIS_SMTP__TIMEOUT_SECS", "5")
            .env("ZEUGNIS_DELIVERY__POLL_SECS", "1")
            .env("ZEUGNIS_DELIVERY__LEASE_SECS", "10")
            // The worker says at debug level when a round has delivered.
            .env("RUST_LOG", "info,zeugnis_app::delivery=debug");
        command
    };
    let mut server = Server::start(serve()).await;
    let store = open_store(dir.path()).await;
    let tenant = seed_tenant(&store, 1, "Firma GmbH").await;
    let id = queue_handover_link(&store, tenant).await;

    // The worker connects: the message is claimed and being sent.
    let (held, _) = tokio::time::timeout(PATIENCE, hung.accept())
        .await
        .expect("the worker did not try to send")
        .expect("accept");
    // The server still answers while its worker hangs on the mail server.
    assert_eq!(server.get("/ready").await.status(), 200);
    // Crash: no chance to record anything.
    server.child.start_kill().expect("kill");
    let _ = server.wait().await;
    let first_log = server.log().join("\n");
    assert!(
        first_log.contains(&format!(
            "mails go to the SMTP server 127.0.0.1:{port} (unencrypted: for a local test server only)"
        )),
        "{first_log}"
    );
    drop(held);
    drop(hung);

    // The mail server comes up on that port; the server restarts.
    let Some(sink) = start_sink_or_skip(SinkOptions {
        port: Some(port),
        ..SinkOptions::default()
    }) else {
        return;
    };
    let mut server = Server::start(serve()).await;
    let mails = sink.wait_for(1, PATIENCE).await;
    assert_eq!(mails[0].message_id, format!("<{id}@firma.de>"));
    assert_eq!(mails[0].rcpt_tos, ["vorgesetzte@firma.de"]);
    assert!(
        mails[0]
            .text
            .as_deref()
            .unwrap_or_default()
            .contains(SECRET)
    );
    // Sent once, then deleted: once the round that sent it is over and the
    // outbox is empty, nothing is left that could be sent a second time.
    server
        .wait_for_line(|l| l.contains("messages delivered"))
        .await;
    let db = dir.path().join("data").join("zeugnis.db");
    assert_eq!(outbox_rows(&db), 0, "the sent message left the outbox");
    assert_eq!(sink.received().len(), 1, "no duplicate after the restart");
    let log = format!("{first_log}\n{}", server.log().join("\n"));
    assert_no_secrets(&log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_test_sends_directly_and_reports_what_the_server_said() {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let with_smtp = |port: u16| {
        let mut command = zeugnis(dir.path(), &["mail", "test", "admin@firma.de"]);
        command
            .env("ZEUGNIS_SMTP__HOST", "localhost")
            .env("ZEUGNIS_SMTP__PORT", port.to_string())
            .env("ZEUGNIS_SMTP__SECURITY", "plain")
            .env("ZEUGNIS_SMTP__FROM", "zeugnis@firma.de")
            .env("ZEUGNIS_SMTP__TIMEOUT_SECS", "5");
        command
    };
    let ok = finish(with_smtp(sink.port())).await;
    assert!(ok.status.success(), "{ok:?}");
    assert_eq!(
        ok.stdout.trim(),
        format!(
            "the mail server localhost:{} accepted the test mail",
            sink.port()
        )
    );
    let mails = sink.wait_for(1, PATIENCE).await;
    assert_eq!(mails[0].rcpt_tos, ["admin@firma.de"]);
    assert_eq!(mails[0].subject, "zeugnis: Testnachricht");

    let down = finish(with_smtp(free_port())).await;
    assert!(!down.status.success());
    assert!(
        down.stderr
            .contains("cannot talk to the mail server at localhost:"),
        "{down:?}"
    );

    let refused = finish(zeugnis(dir.path(), &["mail", "test", "kein-at-zeichen"])).await;
    assert!(!refused.status.success());
    assert!(
        refused.stderr.contains("is not an e-mail address"),
        "{refused:?}"
    );

    let folder = finish(zeugnis(dir.path(), &["mail", "test", "admin@firma.de"])).await;
    assert!(folder.status.success(), "{folder:?}");
    assert!(
        folder
            .stdout
            .contains("no SMTP server configured: the test mail was written to"),
        "{folder:?}"
    );
    let written = std::fs::read_dir(dir.path().join("data").join("mail"))
        .expect("the mail folder exists")
        .count();
    assert_eq!(written, 1);
}
