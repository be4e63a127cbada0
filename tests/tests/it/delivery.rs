//! The outbox end to end: messages committed to a real database (SQLite and
//! Postgres), delivered by the core's delivery service through the real
//! template engine to a real SMTP server (and an HTTP SMS gateway double).

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use sea_orm::{ConnectionTrait, Statement};
use time::Duration;
use zeugnis_core::audit::AuditAction;
use zeugnis_core::id::{MessageId, TenantId};
use zeugnis_core::mail::{MailSettings, RetryPolicy, TemplateOverride};
use zeugnis_core::ports::{
    AuditLog, AuditQuery, ChangeSet, Clock, Destination, MessageKind, MessageParams,
    OutgoingMessage, PageRequest, SmsGateway, StoreError, UnitOfWork, Write,
};
use zeugnis_core::services::delivery::{DeliveryPolicy, DeliveryRound, DeliveryService};
use zeugnis_core::settings::TenantSettings;
use zeugnis_core::tenant::{Tenant, TenantStatus};
use zeugnis_core::values::{Email, Name, Phone, Slug, Timestamp};
use zeugnis_notify::{SmsFolder, SmtpMailer, SmtpSecurity, SmtpSettings, Templates};
use zeugnis_store::Store;
use zeugnis_tests::Backend;
use zeugnis_tests::db::{TestDb, seed_tenant};
use zeugnis_tests::sms_gateway::GatewayDouble;
use zeugnis_tests::smtp_sink::{SinkOptions, SinkTls, SmtpSink, start_sink_or_skip};

const WAIT: StdDuration = StdDuration::from_secs(20);

/// A clock the test moves by hand.
#[derive(Debug)]
struct TestClock(Mutex<Timestamp>);

impl TestClock {
    fn new() -> Self {
        Self(Mutex::new(Timestamp::now()))
    }

    fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

fn plain_mailer(sink: &SmtpSink) -> SmtpMailer {
    mailer(sink, SmtpSecurity::Plain)
}

fn mailer(sink: &SmtpSink, security: SmtpSecurity) -> SmtpMailer {
    SmtpMailer::new(&SmtpSettings {
        host: sink.host().to_owned(),
        port: Some(sink.port()),
        security,
        credentials: None,
        from: "zeugnis@firma.de".into(),
        timeout: StdDuration::from_secs(10),
        pool_size: 2,
        extra_ca_pem: sink.ca_file().map(|f| std::fs::read(f).unwrap()),
    })
    .unwrap()
}

struct Worker<'a> {
    store: &'a Store,
    mail: &'a SmtpMailer,
    sms: &'a dyn SmsGateway,
    templates: Templates,
    clock: &'a TestClock,
    policy: DeliveryPolicy,
}

impl<'a> Worker<'a> {
    fn new(
        store: &'a Store,
        mail: &'a SmtpMailer,
        sms: &'a dyn SmsGateway,
        clock: &'a TestClock,
    ) -> Self {
        Self {
            store,
            mail,
            sms,
            templates: Templates::new(),
            clock,
            policy: DeliveryPolicy::default(),
        }
    }

    async fn round(&self) -> DeliveryRound {
        DeliveryService {
            queue: self.store,
            tenants: self.store,
            settings: self.store,
            renderer: &self.templates,
            mail: self.mail,
            sms: self.sms,
            uow: self.store,
            clock: self.clock,
            policy: &self.policy,
            stop: None,
        }
        .run_once()
        .await
        .unwrap()
    }
}

fn handover_link(n: u8, tenant: TenantId, at: Timestamp) -> OutgoingMessage {
    OutgoingMessage {
        id: MessageId::from_bytes([n; 16]),
        tenant,
        kind: MessageKind::HandoverLink,
        to: Destination::Email(Email::parse(&format!("chef{n}@firma.de")).unwrap()),
        params: MessageParams::new()
            .with("recipient_name", "Eva <b>Chefin</b>")
            .with("requested_by", "Hans Personal")
            .with("link", format!("https://zeugnis.example/h/{n}?t=abc&x=1"))
            .with("valid_until", "15.12.2026"),
        created_at: at,
        expires_at: None,
    }
}

async fn enqueue(store: &Store, messages: Vec<OutgoingMessage>) {
    let Some(first) = messages.first() else {
        return;
    };
    let mut changes = ChangeSet::new(first.tenant);
    for m in messages {
        changes.push(Write::Enqueue(m));
    }
    store.commit(changes).await.unwrap();
}

async fn save_mail_settings(store: &Store, tenant: TenantId, mail: MailSettings) {
    let mut changes = ChangeSet::new(tenant);
    changes.push(Write::SaveSettings(
        TenantSettings {
            mail,
            ..TenantSettings::default()
        },
        None,
    ));
    store.commit(changes).await.unwrap();
}

/// Rows in the outbox: (state, whether a body is stored).
async fn outbox_rows(store: &Store) -> Vec<(String, bool)> {
    let conn = store.connection();
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        "SELECT state, data IS NOT NULL AS has_body FROM outbox ORDER BY created_at".to_owned(),
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| {
        let has_body = r
            .try_get::<bool>("", "has_body")
            .or_else(|_| r.try_get::<i32>("", "has_body").map(|n| n != 0))
            .unwrap();
        (r.try_get::<String>("", "state").unwrap(), has_body)
    })
    .collect()
}

/// The stored bodies, as the database holds them.
async fn outbox_bodies(store: &Store) -> Vec<Vec<u8>> {
    let conn = store.connection();
    conn.query_all_raw(Statement::from_string(
        conn.get_database_backend(),
        "SELECT data FROM outbox WHERE data IS NOT NULL".to_owned(),
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<Vec<u8>>("", "data").unwrap())
    .collect()
}

async fn audit_actions(store: &Store, tenant: TenantId) -> Vec<(AuditAction, String)> {
    store
        .entries(tenant, &AuditQuery::default(), PageRequest::first(50))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| {
            (
                e.event.action,
                e.event
                    .detail
                    .map(|d| d.as_str().to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn sms_folder() -> (tempfile::TempDir, SmsFolder) {
    let dir = tempfile::tempdir().unwrap();
    let folder = SmsFolder::new(dir.path().join("sms"));
    (dir, folder)
}

zeugnis_tests::on_both_databases!(
    a_handover_link_arrives_over_tls_with_sender_name_override_and_escaped_names,
    a_broken_tenant_template_sends_the_default_and_is_audited,
    messages_queued_while_the_mail_server_is_down_arrive_when_it_is_back,
    a_message_that_keeps_failing_is_failed_audited_and_its_body_deleted,
    a_rolled_back_change_sends_nothing,
    an_expired_code_is_deleted_unsent,
    a_code_by_sms_goes_to_the_gateway_with_its_idempotency_key,
    two_workers_on_one_database_send_every_message_once,
);

async fn a_handover_link_arrives_over_tls_with_sender_name_override_and_escaped_names(
    backend: Backend,
) {
    let Some(db) = TestDb::on_backend(
        backend,
        "a_handover_link_arrives_over_tls_with_sender_name_override_and_escaped_names",
    )
    .await
    else {
        return;
    };
    let Some(sink) = start_sink_or_skip(SinkOptions {
        tls: SinkTls::StartTls,
        require_tls: true,
        ..SinkOptions::default()
    }) else {
        return;
    };
    let store = &db.store;
    let tenant = seed_tenant(store, 1, "Müller & Söhne GmbH").await;
    let mut templates = BTreeMap::new();
    templates.insert(
        MessageKind::HandoverLink,
        TemplateOverride {
            subject: Some("Zeugnis: Ihre Mitwirkung für {{ organisation }}".into()),
            html: Some(
                "<p>Hallo {{ recipient_name }}, <a href=\"{{ link }}\">bitte hier</a>.</p>".into(),
            ),
            ..TemplateOverride::default()
        },
    );
    save_mail_settings(
        store,
        tenant,
        MailSettings {
            sender_name: Some(Name::new("Personalabteilung Müller").unwrap()),
            templates,
        },
    )
    .await;
    let clock = TestClock::new();
    let message = handover_link(1, tenant, clock.now());
    enqueue(store, vec![message.clone()]).await;

    let smtp = mailer(&sink, SmtpSecurity::StartTls);
    let (_dir, sms) = sms_folder();
    let round = Worker::new(store, &smtp, &sms, &clock).round().await;
    assert_eq!((round.sent, round.failures.len()), (1, 0), "{round:?}");

    let mail = sink.wait_for(1, WAIT).await.remove(0);
    assert!(mail.tls, "sent over STARTTLS");
    assert_eq!(mail.rcpt_tos, ["chef1@firma.de"]);
    assert!(
        mail.from.contains("Personalabteilung Müller"),
        "{}",
        mail.from
    );
    assert!(mail.from.contains("<zeugnis@firma.de>"), "{}", mail.from);
    assert_eq!(
        mail.subject,
        "Zeugnis: Ihre Mitwirkung für Müller & Söhne GmbH"
    );
    assert_eq!(mail.message_id, format!("<{}@firma.de>", message.id));
    assert!(
        mail.content_type.starts_with("multipart/alternative"),
        "{}",
        mail.content_type
    );
    let text = mail.text.unwrap();
    assert!(
        text.contains("https://zeugnis.example/h/1?t=abc&x=1"),
        "{text}"
    );
    assert!(
        text.contains("Guten Tag Eva <b>Chefin</b>,"),
        "default text, names as written: {text}"
    );
    let html = mail.html.unwrap();
    assert!(
        html.contains("Hallo Eva &lt;b&gt;Chefin&lt;"),
        "names escaped: {html}"
    );
    assert!(
        html.contains("href=\"https://zeugnis.example/h/1?t=abc&amp;x=1\""),
        "{html}"
    );
    assert!(!html.contains("<b>Chefin"), "{html}");

    assert!(
        outbox_rows(store).await.is_empty(),
        "a sent message is deleted"
    );
    assert!(audit_actions(store, tenant).await.is_empty());
}

async fn a_broken_tenant_template_sends_the_default_and_is_audited(backend: Backend) {
    let Some(db) = TestDb::on_backend(
        backend,
        "a_broken_tenant_template_sends_the_default_and_is_audited",
    )
    .await
    else {
        return;
    };
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let store = &db.store;
    let tenant = seed_tenant(store, 1, "Firma GmbH").await;
    let mut templates = BTreeMap::new();
    // Stored directly, as if saved before the check existed: a typo'd placeholder.
    templates.insert(
        MessageKind::HandoverLink,
        TemplateOverride {
            text: Some("Hallo {{ recipient_nmae }}: {{ link }}".into()),
            ..TemplateOverride::default()
        },
    );
    save_mail_settings(
        store,
        tenant,
        MailSettings {
            sender_name: None,
            templates,
        },
    )
    .await;
    let clock = TestClock::new();
    enqueue(store, vec![handover_link(1, tenant, clock.now())]).await;

    let smtp = plain_mailer(&sink);
    let (_dir, sms) = sms_folder();
    let round = Worker::new(store, &smtp, &sms, &clock).round().await;
    assert_eq!(round.sent, 1);
    assert_eq!(round.fallbacks.len(), 1);

    let mail = sink.wait_for(1, WAIT).await.remove(0);
    let text = mail.text.unwrap();
    assert!(
        text.starts_with("Guten Tag Eva <b>Chefin</b>,"),
        "the default was sent: {text}"
    );
    assert!(
        !text.contains("recipient_nmae") && !text.contains("{{"),
        "{text}"
    );
    assert!(
        mail.from.starts_with("Firma GmbH"),
        "the tenant name is the default sender name: {}",
        mail.from
    );
    let audit = audit_actions(store, tenant).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].0, AuditAction::MailTemplateFailed);
    assert!(
        audit[0].1.starts_with("handover_link text: "),
        "{}",
        audit[0].1
    );
    assert!(
        !audit[0].1.contains("Eva"),
        "no parameter values in the audit log"
    );
}

async fn messages_queued_while_the_mail_server_is_down_arrive_when_it_is_back(backend: Backend) {
    let Some(db) = TestDb::on_backend(
        backend,
        "messages_queued_while_the_mail_server_is_down_arrive_when_it_is_back",
    )
    .await
    else {
        return;
    };
    let Some(mut sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    sink.stop();
    let store = &db.store;
    let tenant = seed_tenant(store, 1, "Firma GmbH").await;
    let clock = TestClock::new();
    enqueue(
        store,
        (1..=3)
            .map(|n| handover_link(n, tenant, clock.now()))
            .collect(),
    )
    .await;
    let smtp = plain_mailer(&sink);
    let (_dir, sms) = sms_folder();
    let worker = Worker::new(store, &smtp, &sms, &clock);

    let down = worker.round().await;
    assert_eq!(
        (down.claimed, down.retrying, down.sent),
        (3, 3, 0),
        "{down:?}"
    );
    assert_eq!(outbox_rows(store).await.len(), 3, "nothing is lost");
    for body in outbox_bodies(store).await {
        for secret in [&b"zeugnis.example/h/"[..], b"chef1@firma.de", b"Chefin"] {
            assert!(
                !body.windows(secret.len()).any(|w| w == secret),
                "waiting bodies are encrypted"
            );
        }
    }

    sink.restart();
    clock.advance(Duration::seconds(10));
    let early = worker.round().await;
    assert_eq!(early.claimed, 0, "not due before the back-off ends");
    clock.advance(Duration::seconds(21));
    let back = worker.round().await;
    assert_eq!((back.claimed, back.sent), (3, 3), "{back:?}");
    let mails = sink.wait_for(3, WAIT).await;
    let ids: BTreeSet<_> = mails.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(ids.len(), 3);
    assert!(outbox_rows(store).await.is_empty());
}

async fn a_message_that_keeps_failing_is_failed_audited_and_its_body_deleted(backend: Backend) {
    let Some(db) = TestDb::on_backend(
        backend,
        "a_message_that_keeps_failing_is_failed_audited_and_its_body_deleted",
    )
    .await
    else {
        return;
    };
    let Some(mut sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    sink.stop();
    let store = &db.store;
    let tenant = seed_tenant(store, 1, "Firma GmbH").await;
    let clock = TestClock::new();
    enqueue(store, vec![handover_link(1, tenant, clock.now())]).await;
    let smtp = plain_mailer(&sink);
    let (_dir, sms) = sms_folder();
    let mut worker = Worker::new(store, &smtp, &sms, &clock);
    worker.policy.retry = RetryPolicy::new(2, Duration::seconds(5), Duration::seconds(5)).unwrap();

    assert_eq!(worker.round().await.retrying, 1);
    clock.advance(Duration::seconds(6));
    let last = worker.round().await;
    assert_eq!(last.failed, 1, "{last:?}");
    assert!(last.failures[0].gave_up);

    assert_eq!(
        outbox_rows(store).await,
        [("failed".to_owned(), false)],
        "only a record without recipient or parameters stays"
    );
    let audit = audit_actions(store, tenant).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].0, AuditAction::DeliveryFailed);
    assert!(
        audit[0].1.contains("handover_link after 2 attempt(s)"),
        "{}",
        audit[0].1
    );
    assert!(!audit[0].1.contains("chef1@firma.de"), "{}", audit[0].1);

    sink.restart();
    clock.advance(Duration::hours(1));
    assert_eq!(
        worker.round().await.claimed,
        0,
        "a failed message is never sent"
    );
    // The sink stores a mail before it answers `250`: what the finished
    // round sent is there already, and nothing else is on its way.
    assert!(sink.received().is_empty());
}

async fn a_rolled_back_change_sends_nothing(backend: Backend) {
    let Some(db) = TestDb::on_backend(backend, "a_rolled_back_change_sends_nothing").await else {
        return;
    };
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let store = &db.store;
    let tenant = seed_tenant(store, 1, "Firma GmbH").await;
    let clock = TestClock::new();
    // The message and a change that cannot be made (the tenant exists already).
    let mut changes = ChangeSet::new(tenant);
    changes
        .push(Write::Enqueue(handover_link(1, tenant, clock.now())))
        .push(Write::InsertTenant(Tenant {
            id: tenant,
            slug: Slug::parse("firma1").unwrap(),
            name: Name::new("Firma GmbH").unwrap(),
            status: TenantStatus::Active,
            created_at: clock.now(),
        }));
    let refused = store.commit(changes).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict { .. })),
        "{refused:?}"
    );

    let smtp = plain_mailer(&sink);
    let (_dir, sms) = sms_folder();
    let round = Worker::new(store, &smtp, &sms, &clock).round().await;
    assert_eq!(round.claimed, 0);
    assert!(outbox_rows(store).await.is_empty());
    // The sink stores a mail before it answers `250`: what the finished
    // round sent is there already, and nothing else is on its way.
    assert!(
        sink.received().is_empty(),
        "no mail for a change that rolled back"
    );
}

async fn an_expired_code_is_deleted_unsent(backend: Backend) {
    let Some(db) = TestDb::on_backend(backend, "an_expired_code_is_deleted_unsent").await else {
        return;
    };
    let Some(mut sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    sink.stop();
    let store = &db.store;
    let tenant = seed_tenant(store, 1, "Firma GmbH").await;
    let clock = TestClock::new();
    enqueue(
        store,
        vec![OutgoingMessage {
            id: MessageId::from_bytes([4; 16]),
            tenant,
            kind: MessageKind::OneTimeCode,
            to: Destination::Email(Email::parse("chef@firma.de").unwrap()),
            params: MessageParams::new()
                .with("code", "482913")
                .with("valid_minutes", "5"),
            created_at: clock.now(),
            expires_at: Some(clock.now() + Duration::minutes(5)),
        }],
    )
    .await;
    let smtp = plain_mailer(&sink);
    let (_dir, sms) = sms_folder();
    let worker = Worker::new(store, &smtp, &sms, &clock);
    assert_eq!(worker.round().await.retrying, 1, "the server is down");
    sink.restart();
    clock.advance(Duration::minutes(6));
    assert_eq!(
        worker.round().await.claimed,
        0,
        "a code past its validity is not sent"
    );
    assert!(
        outbox_rows(store).await.is_empty(),
        "and its body is deleted"
    );
    // The sink stores a mail before it answers `250`: what the finished
    // round sent is there already, and nothing else is on its way.
    assert!(sink.received().is_empty());
}

async fn a_code_by_sms_goes_to_the_gateway_with_its_idempotency_key(backend: Backend) {
    let Some(db) = TestDb::on_backend(
        backend,
        "a_code_by_sms_goes_to_the_gateway_with_its_idempotency_key",
    )
    .await
    else {
        return;
    };
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let gateway = GatewayDouble::start().await;
    let sms = zeugnis_notify::HttpSmsGateway::new(&zeugnis_notify::SmsSettings {
        url: gateway.url(),
        token: Some("gateway-token".into()),
        sender_id: "FirmaGmbH".into(),
        timeout: StdDuration::from_secs(5),
    })
    .unwrap();
    let store = &db.store;
    let tenant = seed_tenant(store, 1, "Firma GmbH").await;
    let clock = TestClock::new();
    let id = MessageId::from_bytes([5; 16]);
    enqueue(
        store,
        vec![OutgoingMessage {
            id,
            tenant,
            kind: MessageKind::OneTimeCode,
            to: Destination::Sms(Phone::parse("+4915112345678").unwrap()),
            params: MessageParams::new()
                .with("code", "482913")
                .with("valid_minutes", "5"),
            created_at: clock.now(),
            expires_at: Some(clock.now() + Duration::minutes(5)),
        }],
    )
    .await;
    let smtp = plain_mailer(&sink);
    let round = Worker::new(store, &smtp, &sms, &clock).round().await;
    assert_eq!(round.sent, 1, "{round:?}");
    let requests = gateway.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(
        r.headers.get("idempotency-key").map(String::as_str),
        Some(id.to_string().as_str())
    );
    assert_eq!(r.body["to"], "+4915112345678");
    assert_eq!(r.body["from"], "FirmaGmbH");
    let text = r.body["text"].as_str().unwrap();
    assert!(
        text.contains("482913") && text.contains("Firma GmbH") && text.contains("5 Minuten"),
        "{text}"
    );
    assert!(sink.received().is_empty(), "an SMS is no e-mail");
    assert!(outbox_rows(store).await.is_empty());
}

async fn two_workers_on_one_database_send_every_message_once(backend: Backend) {
    let Some(db) = TestDb::on_backend(
        backend,
        "two_workers_on_one_database_send_every_message_once",
    )
    .await
    else {
        return;
    };
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    const MESSAGES: u8 = 60;
    let tenant = seed_tenant(&db.store, 1, "Firma GmbH").await;
    let now = Timestamp::now();
    enqueue(
        &db.store,
        (1..=MESSAGES)
            .map(|n| handover_link(n, tenant, now))
            .collect(),
    )
    .await;
    // Two app instances: each its own connection pool and its own SMTP pool.
    let stores = [
        Arc::new(db.open_again().await),
        Arc::new(db.open_again().await),
    ];
    let mut workers = Vec::new();
    for store in stores {
        let smtp = plain_mailer(&sink);
        workers.push(tokio::spawn(async move {
            let clock = TestClock::new();
            let (_dir, sms) = sms_folder();
            let mut worker = Worker::new(&store, &smtp, &sms, &clock);
            worker.policy.batch = 4;
            let mut sent = 0;
            let mut idle = 0;
            while idle < 3 {
                let round = worker.round().await;
                assert!(round.failures.is_empty(), "{round:?}");
                sent += round.sent;
                if round.claimed == 0 {
                    idle += 1;
                    tokio::time::sleep(StdDuration::from_millis(20)).await;
                } else {
                    idle = 0;
                }
            }
            sent
        }));
    }
    let mut sent = Vec::new();
    for w in workers {
        sent.push(w.await.unwrap());
    }
    assert_eq!(
        sent.iter().sum::<usize>(),
        usize::from(MESSAGES),
        "{sent:?}"
    );
    assert!(sent.iter().all(|n| *n > 0), "both workers sent: {sent:?}");
    let mails = sink.wait_for(usize::from(MESSAGES), WAIT).await;
    // Both workers have returned, and the sink stores a mail before it
    // answers `250`: every mail sent is there, none is on its way.
    let mails_later = sink.received();
    assert_eq!(mails_later.len(), mails.len(), "no message arrives twice");
    assert_eq!(
        mails_later.len(),
        usize::from(MESSAGES),
        "no message arrives twice"
    );
    let ids: BTreeSet<_> = mails_later.iter().map(|m| m.message_id.clone()).collect();
    assert_eq!(
        ids.len(),
        usize::from(MESSAGES),
        "every message exactly once"
    );
    assert!(outbox_rows(&db.store).await.is_empty());
}
