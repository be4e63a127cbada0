use std::sync::{Arc, Mutex};

use time::Duration;

use super::{active_tenant, audit_actions, clock_at, commits, recording_uow, run, t0, tenant_id};
use crate::audit::{AuditAction, AuditTarget};
use crate::id::MessageId;
use crate::mail::{MailSettings, RetryPolicy, TemplatePart};
use crate::ports::{
    ClaimedMessage, DeliveryError, Destination, Mail, MessageKind, MessageParams, MockClock,
    MockMailTransport, MockMessageRenderer, MockOutboxQueue, MockSettingsStore, MockSmsGateway,
    MockTenantStore, OutgoingMessage, Rendered, RenderedContent, TemplateProblem, Version,
    Versioned, Write,
};
use crate::services::delivery::{DeliveryPolicy, DeliveryRound, DeliveryService};
use crate::settings::TenantSettings;
use crate::tenant::{Tenant, TenantStatus};
use crate::values::{Email, Name, Phone, Slug, Timestamp};

fn message(n: u8, to: Destination) -> OutgoingMessage {
    OutgoingMessage {
        id: MessageId::from_bytes([n; 16]),
        tenant: tenant_id(),
        kind: MessageKind::OneTimeCode,
        to,
        params: MessageParams::new().with("code", "123456"),
        created_at: t0(),
        expires_at: None,
    }
}

fn lease_end() -> Timestamp {
    t0() + Duration::minutes(5)
}

fn email(n: u8) -> ClaimedMessage {
    ClaimedMessage {
        message: message(
            n,
            Destination::Email(Email::parse("chef@firma.de").unwrap()),
        ),
        attempts: 0,
        lease_until: lease_end(),
    }
}

fn settings_with(mail: MailSettings) -> MockSettingsStore {
    let mut s = MockSettingsStore::new();
    s.expect_settings().returning(move |_| {
        Ok(Versioned {
            value: TenantSettings {
                mail: mail.clone(),
                ..TenantSettings::default()
            },
            version: Version(1),
        })
    });
    s
}

fn renderer(problems: Vec<TemplateProblem>) -> MockMessageRenderer {
    let mut r = MockMessageRenderer::new();
    r.expect_render().returning(move |m, _| {
        Ok(Rendered {
            content: match m.to {
                Destination::Sms(_) => RenderedContent::Sms("Code 123456".into()),
                _ => RenderedContent::Mail {
                    subject: "Ihr Code".into(),
                    text: "Code 123456".into(),
                    html: "<p>Code 123456</p>".into(),
                },
            },
            problems: problems.clone(),
        })
    });
    r
}

/// What the outbox was told, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Told {
    Delivered(MessageId),
    RetryAt(MessageId, Timestamp),
    Released(MessageId),
}

fn queue(claims: Vec<ClaimedMessage>) -> (MockOutboxQueue, Arc<Mutex<Vec<Told>>>) {
    let told = Arc::new(Mutex::new(Vec::new()));
    let mut q = MockOutboxQueue::new();
    q.expect_claim_due()
        .returning(move |_, _, _| Ok(claims.clone()));
    let t = Arc::clone(&told);
    q.expect_delivered().returning(move |_, id| {
        t.lock().unwrap().push(Told::Delivered(id));
        Ok(())
    });
    let t = Arc::clone(&told);
    q.expect_retry_at().returning(move |c, at| {
        assert_eq!(c.lease_until, lease_end(), "the claim names itself");
        t.lock().unwrap().push(Told::RetryAt(c.message.id, at));
        Ok(())
    });
    let t = Arc::clone(&told);
    q.expect_release().returning(move |c| {
        t.lock().unwrap().push(Told::Released(c.message.id));
        Ok(())
    });
    (q, told)
}

fn mail_transport(
    answers: Vec<Result<(), DeliveryError>>,
) -> (MockMailTransport, Arc<Mutex<Vec<Mail>>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let s = Arc::clone(&sent);
    let mut t = MockMailTransport::new();
    t.expect_send().returning(move |m| {
        s.lock().unwrap().push(m.clone());
        answers.lock().unwrap().next().unwrap_or(Ok(()))
    });
    (t, sent)
}

type Shared<T> = Arc<Mutex<Vec<T>>>;
/// The ports, what the outbox was told, the mails sent, the commits.
type Setup = (
    Ports,
    Shared<Told>,
    Shared<Mail>,
    Shared<crate::ports::ChangeSet>,
);

struct Ports {
    queue: MockOutboxQueue,
    tenants: MockTenantStore,
    settings: MockSettingsStore,
    renderer: MockMessageRenderer,
    mail: MockMailTransport,
    sms: MockSmsGateway,
    uow: crate::ports::MockUnitOfWork,
    clock: MockClock,
    policy: DeliveryPolicy,
    stop: std::sync::atomic::AtomicBool,
}

impl Ports {
    fn round(&self) -> DeliveryRound {
        run(DeliveryService {
            queue: &self.queue,
            tenants: &self.tenants,
            settings: &self.settings,
            renderer: &self.renderer,
            mail: &self.mail,
            sms: &self.sms,
            uow: &self.uow,
            clock: &self.clock,
            policy: &self.policy,
            stop: Some(&self.stop),
        }
        .run_once())
        .unwrap()
    }
}

fn ports(claims: Vec<ClaimedMessage>, answers: Vec<Result<(), DeliveryError>>) -> Setup {
    let (queue, told) = queue(claims);
    let (mail, sent) = mail_transport(answers);
    let (uow, log) = recording_uow(vec![]);
    (
        Ports {
            queue,
            tenants: active_tenant(),
            settings: settings_with(MailSettings::default()),
            renderer: renderer(vec![]),
            mail,
            sms: MockSmsGateway::new(),
            uow,
            clock: clock_at(t0()),
            policy: DeliveryPolicy::default(),
            stop: std::sync::atomic::AtomicBool::new(false),
        },
        told,
        sent,
        log,
    )
}

#[test]
fn a_sent_mail_is_deleted_and_goes_out_under_the_tenant_name() {
    let (p, told, sent, log) = ports(vec![email(1)], vec![Ok(())]);
    let round = p.round();
    assert_eq!((round.claimed, round.sent, round.failed), (1, 1, 0));
    assert_eq!(
        *told.lock().unwrap(),
        [Told::Delivered(MessageId::from_bytes([1; 16]))]
    );
    let sent = sent.lock().unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].id,
        MessageId::from_bytes([1; 16]),
        "the message id is the idempotency key"
    );
    assert_eq!(sent[0].from_name, "Firma GmbH");
    assert_eq!(sent[0].to.as_str(), "chef@firma.de");
    assert!(
        commits(&log).is_empty(),
        "a plain success writes no audit entry"
    );
}

#[test]
fn the_sender_name_setting_is_used_when_set() {
    let (mut p, _, sent, _) = ports(vec![email(1)], vec![Ok(())]);
    p.settings = settings_with(MailSettings {
        sender_name: Some(Name::new("Personalabteilung Firma").unwrap()),
        ..MailSettings::default()
    });
    p.round();
    assert_eq!(sent.lock().unwrap()[0].from_name, "Personalabteilung Firma");
}

#[test]
fn a_transient_failure_is_retried_after_the_back_off() {
    let (p, told, _, log) = ports(
        vec![
            email(1),
            ClaimedMessage {
                attempts: 3,
                ..email(2)
            },
        ],
        vec![
            Err(DeliveryError::Transient("connection refused".into())),
            Err(DeliveryError::Transient("connection refused".into())),
        ],
    );
    let round = p.round();
    assert_eq!((round.retrying, round.failed, round.sent), (2, 0, 0));
    assert_eq!(
        *told.lock().unwrap(),
        [
            Told::RetryAt(MessageId::from_bytes([1; 16]), t0() + Duration::seconds(30)),
            // fourth attempt failed: 30 s · 2³
            Told::RetryAt(MessageId::from_bytes([2; 16]), t0() + Duration::minutes(4)),
        ]
    );
    assert!(commits(&log).is_empty());
    assert_eq!(round.failures.len(), 2);
    assert_eq!(round.failures[1].attempt, 4);
    assert!(!round.failures[1].gave_up);
}

#[test]
fn the_last_attempt_fails_the_message_with_an_audit_entry_in_one_transaction() {
    let max = RetryPolicy::default().max_attempts();
    let (p, told, _, log) = ports(
        vec![ClaimedMessage {
            attempts: max - 1,
            ..email(1)
        }],
        vec![Err(DeliveryError::Transient("timeout".into()))],
    );
    let round = p.round();
    assert_eq!((round.failed, round.retrying), (1, 0));
    assert!(
        told.lock().unwrap().is_empty(),
        "no retry, no delete: the failure record stays"
    );
    let commits = commits(&log);
    assert_eq!(commits.len(), 1);
    assert_eq!(
        commits[0].writes()[0],
        Write::FailMessage(MessageId::from_bytes([1; 16]), lease_end()),
        "only while the claim is this worker's"
    );
    assert_eq!(audit_actions(&commits[0]), [AuditAction::DeliveryFailed]);
    let Write::AppendAudit(e) = &commits[0].writes()[1] else {
        panic!("audit entry expected")
    };
    assert_eq!(
        e.target,
        AuditTarget::Message(MessageId::from_bytes([1; 16]))
    );
    let detail = e.detail.as_ref().unwrap().as_str();
    assert!(
        detail.contains("one_time_code") && detail.contains("timeout"),
        "{detail}"
    );
    assert!(
        !detail.contains("chef@firma.de"),
        "no recipient in the audit log"
    );
}

#[test]
fn a_permanent_failure_is_not_retried() {
    let (p, told, _, log) = ports(
        vec![email(1)],
        vec![Err(DeliveryError::Permanent(
            "recipient refused (550)".into(),
        ))],
    );
    let round = p.round();
    assert_eq!((round.failed, round.retrying), (1, 0));
    assert!(told.lock().unwrap().is_empty());
    assert_eq!(
        audit_actions(&commits(&log)[0]),
        [AuditAction::DeliveryFailed]
    );
    assert!(round.failures[0].gave_up);
}

#[test]
fn a_broken_tenant_template_is_reported_and_the_default_still_sent() {
    let (mut p, told, sent, log) = ports(vec![email(1)], vec![Ok(())]);
    p.renderer = renderer(vec![TemplateProblem {
        part: TemplatePart::Html,
        reason: "syntax error: unexpected end of input (line 3)".into(),
    }]);
    let round = p.round();
    assert_eq!(round.sent, 1);
    assert_eq!(sent.lock().unwrap().len(), 1);
    assert_eq!(
        *told.lock().unwrap(),
        [Told::Delivered(MessageId::from_bytes([1; 16]))]
    );
    assert_eq!(round.fallbacks.len(), 1);
    let commits = commits(&log);
    assert_eq!(
        audit_actions(&commits[0]),
        [AuditAction::MailTemplateFailed]
    );
    let Write::AppendAudit(e) = &commits[0].writes()[0] else {
        panic!("audit entry expected")
    };
    assert!(
        e.detail
            .as_ref()
            .unwrap()
            .as_str()
            .starts_with("one_time_code html: syntax error")
    );
}

#[test]
fn messages_of_a_deleted_tenant_are_dropped_unsent() {
    let (mut p, told, sent, _) = ports(vec![email(1)], vec![]);
    let mut tenants = MockTenantStore::new();
    tenants.expect_tenant().returning(|id| {
        Ok(Some(Tenant {
            id,
            slug: Slug::parse("weg").unwrap(),
            name: Name::new("Weg GmbH").unwrap(),
            status: TenantStatus::Deleted,
            created_at: t0(),
        }))
    });
    p.tenants = tenants;
    let round = p.round();
    assert_eq!((round.dropped, round.sent), (1, 0));
    assert!(sent.lock().unwrap().is_empty());
    assert_eq!(
        *told.lock().unwrap(),
        [Told::Delivered(MessageId::from_bytes([1; 16]))]
    );
}

#[test]
fn an_sms_goes_to_the_gateway_with_its_id() {
    let phone = Phone::parse("+4915112345678").unwrap();
    let claims = vec![ClaimedMessage {
        message: message(7, Destination::Sms(phone.clone())),
        attempts: 0,
        lease_until: lease_end(),
    }];
    let (mut p, told, sent, _) = ports(claims, vec![]);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = Arc::clone(&seen);
    p.sms.expect_send().returning(move |id, to, text| {
        s.lock().unwrap().push((id, to.clone(), text.to_owned()));
        Ok(())
    });
    assert_eq!(p.round().sent, 1);
    assert!(sent.lock().unwrap().is_empty(), "no e-mail for an SMS");
    assert_eq!(
        *seen.lock().unwrap(),
        [(
            MessageId::from_bytes([7; 16]),
            phone,
            "Code 123456".to_owned()
        )]
    );
    assert_eq!(
        *told.lock().unwrap(),
        [Told::Delivered(MessageId::from_bytes([7; 16]))]
    );
}

#[test]
fn a_round_that_used_half_its_lease_releases_the_rest_unsent() {
    let (mut p, told, sent, _) = ports(vec![email(1), email(2), email(3)], vec![]);
    // Each reading of the clock is two minutes later; the lease is five minutes.
    let now = Arc::new(Mutex::new(t0()));
    let mut clock = MockClock::new();
    clock.expect_now().returning(move || {
        let mut n = now.lock().unwrap();
        let at = *n;
        *n = at + Duration::minutes(2);
        at
    });
    p.clock = clock;
    let round = p.round();
    assert_eq!(sent.lock().unwrap().len(), 1);
    assert_eq!(round.released, 2);
    assert_eq!(
        *told.lock().unwrap(),
        [
            Told::Delivered(MessageId::from_bytes([1; 16])),
            Told::Released(MessageId::from_bytes([2; 16])),
            Told::Released(MessageId::from_bytes([3; 16])),
        ]
    );
}

#[test]
fn a_message_the_default_cannot_render_fails_for_good() {
    let (mut p, _, sent, log) = ports(vec![email(1)], vec![]);
    let mut r = MockMessageRenderer::new();
    r.expect_render().returning(|_, _| {
        Err(DeliveryError::Permanent(
            "missing placeholder `code`".into(),
        ))
    });
    p.renderer = r;
    let round = p.round();
    assert_eq!(round.failed, 1);
    assert!(sent.lock().unwrap().is_empty());
    assert_eq!(
        audit_actions(&commits(&log)[0]),
        [AuditAction::DeliveryFailed]
    );
}

#[test]
fn a_round_asked_to_stop_releases_what_it_has_not_started() {
    let (p, told, sent, _) = ports(vec![email(1), email(2)], vec![]);
    p.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let round = p.round();
    assert!(sent.lock().unwrap().is_empty());
    assert_eq!(round.released, 2);
    assert_eq!(
        *told.lock().unwrap(),
        [
            Told::Released(MessageId::from_bytes([1; 16])),
            Told::Released(MessageId::from_bytes([2; 16])),
        ]
    );
}

#[test]
fn a_tenant_whose_settings_do_not_read_delays_only_its_own_messages() {
    let (mut p, told, sent, _) = ports(vec![email(1)], vec![]);
    let mut settings = MockSettingsStore::new();
    settings.expect_settings().returning(|_| {
        Err(crate::ports::StoreError::Unavailable(
            "a stored settings cannot be read".into(),
        ))
    });
    p.settings = settings;
    let round = p.round();
    assert!(sent.lock().unwrap().is_empty());
    assert_eq!(round.retrying, 1, "counted as a failed attempt: {round:?}");
    assert_eq!(
        *told.lock().unwrap(),
        [Told::RetryAt(
            MessageId::from_bytes([1; 16]),
            t0() + Duration::seconds(30)
        )]
    );
    assert!(
        round.failures[0]
            .error
            .to_string()
            .contains("mail settings")
    );
}

#[test]
fn a_failure_whose_claim_was_taken_over_is_left_to_the_new_holder() {
    let (mut p, _, _, _) = ports(
        vec![email(1)],
        vec![Err(DeliveryError::Permanent("refused (550)".into()))],
    );
    let (uow, log) = recording_uow(vec![Err(crate::ports::StoreError::NotFound)]);
    p.uow = uow;
    let round = p.round();
    assert_eq!((round.failed, round.lost), (0, 1));
    assert!(commits(&log).is_empty());
}

#[test]
fn a_round_that_cannot_record_gives_back_what_it_has_not_started() {
    let (mut p, _, sent, _) = ports(vec![email(1), email(2), email(3)], vec![]);
    let mut q = MockOutboxQueue::new();
    let claims = vec![email(1), email(2), email(3)];
    q.expect_claim_due()
        .returning(move |_, _, _| Ok(claims.clone()));
    q.expect_delivered().returning(|_, _| {
        Err(crate::ports::StoreError::Unavailable(
            "database down".into(),
        ))
    });
    let released = Arc::new(Mutex::new(Vec::new()));
    let r = Arc::clone(&released);
    q.expect_release().returning(move |c| {
        r.lock().unwrap().push(c.message.id);
        Ok(())
    });
    p.queue = q;
    let result = run(DeliveryService {
        queue: &p.queue,
        tenants: &p.tenants,
        settings: &p.settings,
        renderer: &p.renderer,
        mail: &p.mail,
        sms: &p.sms,
        uow: &p.uow,
        clock: &p.clock,
        policy: &p.policy,
        stop: None,
    }
    .run_once());
    assert!(result.is_err());
    assert_eq!(
        sent.lock().unwrap().len(),
        1,
        "the first was sent, its record failed"
    );
    assert_eq!(
        *released.lock().unwrap(),
        [
            MessageId::from_bytes([2; 16]),
            MessageId::from_bytes([3; 16])
        ]
    );
}
