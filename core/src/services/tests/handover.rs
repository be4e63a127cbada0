use time::Duration;

use super::*;
use crate::audit::AuditAction;
use crate::employee::OrgAttributes;
use crate::handover::{Handover, HandoverRequest, HandoverTokens, LinkCheckChoice, Recipient};
use crate::id::{ChallengeId, EmployeeId, ReferenceId, UserId};
use crate::matrix::{PermissionMatrix, SectionAccess};
use crate::otp::{CodeError, CodePurpose};
use crate::ports::{
    ChallengeStore as _, Destination, HandoverStore, MessageKind, MockHandoverStore, Version,
    Versioned,
};
use crate::reference::{Reference, ReferenceContent, ReferenceStatus, Section, SectionContent};
use crate::services::handover::{HandoverLinkService, LinkError, LinkRequest, OpenOutcome};
use crate::settings::{AllowedDomains, CodeChannel, LinkCheckSettings, TenantSettings};
use crate::token::{HandoverId, HandoverSecret};
use crate::values::{Email, Name};

const SECRET: [u8; 16] = [0x5e; 16];

fn reference() -> Reference {
    let mut content = ReferenceContent::default();
    content.set(
        Section::Performance,
        SectionContent::new("stets zu unserer vollsten Zufriedenheit").unwrap(),
    );
    content.set(
        Section::Personal,
        SectionContent::new("geboren am 1. April 1990").unwrap(),
    );
    content.set(Section::Result, SectionContent::new("Zeugnistext").unwrap());
    Reference {
        org: OrgAttributes::default(),
        status: ReferenceStatus::WithSupervisor,
        content,
        ..draft(
            ReferenceId::from_bytes([0x44; 16]),
            EmployeeId::from_bytes([0x55; 16]),
            UserId::from_bytes([0x66; 16]),
        )
    }
}

fn handover(choice: LinkCheckChoice) -> Handover {
    let (h, _) = Handover::issue(
        tenant_id(),
        HandoverRequest {
            reference: reference().id,
            recipient: Recipient {
                name: Name::new("Petra Vorgesetzte").unwrap(),
                email: Email::parse("petra@firma.de").unwrap(),
                phone: None,
            },
            matrix: PermissionMatrix::none()
                .with(Section::Performance, SectionAccess::Write)
                .with(Section::Result, SectionAccess::Read),
            expires_in_days: 30,
            link_check: choice,
        },
        &LinkCheckSettings::default(),
        &AllowedDomains::any(),
        UserId::from_bytes([0x66; 16]),
        t0(),
        HandoverTokens {
            id: [0xab; 16],
            secret: SECRET,
        },
    )
    .unwrap();
    h
}

/// The memory store with the reference (and its subject), the handover if
/// any, and the settings.
struct World {
    store: MemoryStore,
}

impl World {
    fn new(stored: Option<Handover>) -> Self {
        Self::with(
            stored,
            TenantSettings::default(),
            ReferenceStatus::WithSupervisor,
        )
    }

    fn with(stored: Option<Handover>, settings: TenantSettings, status: ReferenceStatus) -> Self {
        let mut writes = vec![
            Write::SaveSettings(settings, None),
            Write::InsertEmployee(person(0x55, "Karla", "Muster")),
            Write::InsertReference(Reference {
                status,
                ..reference()
            }),
        ];
        writes.extend(stored.map(Write::InsertHandover));
        Self {
            store: seeded(writes),
        }
    }

    fn service<'a>(
        &'a self,
        handovers: &'a dyn HandoverStore,
        uow: &'a dyn UnitOfWork,
        clock: &'a MockClock,
        random: &'a MockRandomSource,
    ) -> HandoverLinkService<'a> {
        HandoverLinkService {
            tenants: &self.store,
            settings: &self.store,
            handovers,
            references: &self.store,
            challenges: &self.store,
            uow,
            clock,
            random,
        }
    }

    /// The handover as stored now, at its version.
    fn handover(&self) -> Versioned<Handover> {
        run(self
            .store
            .handover(tenant_id(), HandoverId::from_bytes([0xab; 16])))
        .unwrap()
        .expect("the handover is stored")
    }

    fn challenge(&self, id: ChallengeId) -> Versioned<crate::otp::CodeChallenge> {
        run(self.store.challenge(tenant_id(), id))
            .unwrap()
            .expect("the challenge is stored")
    }
}

fn request(secret: [u8; 16]) -> LinkRequest {
    LinkRequest {
        tenant: tenant_id(),
        id: HandoverId::from_bytes([0xab; 16]),
        secret: HandoverSecret::from_bytes(secret),
        source_ip: None,
    }
}

fn open(
    world: &World,
    at: time::UtcDateTime,
    secret: [u8; 16],
) -> (Result<OpenOutcome, LinkError>, Vec<ChangeSet>) {
    open_over(world, &world.store, at, secret)
}

/// [`open`] with another handover port.
fn open_over(
    world: &World,
    handovers: &dyn HandoverStore,
    at: time::UtcDateTime,
    secret: [u8; 16],
) -> (Result<OpenOutcome, LinkError>, Vec<ChangeSet>) {
    let uow = Recording::new(&world.store);
    let clock = clock_at(at);
    let random = counting_random();
    let result = run(world
        .service(handovers, &uow, &clock, &random)
        .open(request(secret)));
    (result, uow.commits())
}

#[test]
fn an_unknown_link_and_a_wrong_secret_get_the_same_answer_and_leave_no_trace() {
    let (unknown, c1) = open(&World::new(None), t0(), SECRET);
    let (wrong, c2) = open(
        &World::new(Some(handover(LinkCheckChoice::Off))),
        t0(),
        [0; 16],
    );
    assert_eq!(unknown, Err(LinkError::NotFound));
    assert_eq!(wrong, Err(LinkError::NotFound));
    assert!(c1.is_empty() && c2.is_empty());
}

#[test]
fn a_handover_of_another_tenant_is_not_found_even_if_a_store_returned_it() {
    let mut foreign = handover(LinkCheckChoice::Off);
    foreign.tenant = crate::id::TenantId::from_bytes([0x99; 16]);
    // A broken store that returns it whatever the tenant asked for.
    let mut leaky = MockHandoverStore::new();
    leaky.expect_handover().returning(move |_, _| {
        Ok(Some(Versioned {
            value: foreign.clone(),
            version: Version(1),
        }))
    });
    let world = World::new(None);
    let (r, c) = open_over(&world, &leaky, t0(), SECRET);
    assert_eq!(r, Err(LinkError::NotFound));
    assert!(c.is_empty());
}

#[test]
fn revoked_finished_and_expired_links_say_so_only_to_the_secret_holder() {
    let mut revoked = handover(LinkCheckChoice::Off);
    revoked.revoke(t0()).unwrap();
    assert_eq!(
        open(&World::new(Some(revoked)), t0(), SECRET).0,
        Err(LinkError::Revoked)
    );
    let mut finished = handover(LinkCheckChoice::Off);
    finished.finish(t0()).unwrap();
    assert_eq!(
        open(&World::new(Some(finished)), t0(), SECRET).0,
        Err(LinkError::Finished)
    );
    let expired = handover(LinkCheckChoice::Off);
    let (r, c) = open(
        &World::new(Some(expired)),
        t0() + Duration::days(30),
        SECRET,
    );
    assert_eq!(r, Err(LinkError::Expired));
    assert!(c.is_empty());
}

#[test]
fn opening_without_a_code_shows_only_the_readable_sections_and_is_audited() {
    let world = World::new(Some(handover(LinkCheckChoice::Off)));
    let (r, c) = open(&world, t0(), SECRET);
    let Ok(OpenOutcome::Granted(access)) = r else {
        panic!("expected access, got {r:?}")
    };
    let visible: Vec<_> = access
        .view
        .sections()
        .map(|(s, _, writable)| (s, writable))
        .collect();
    assert_eq!(
        visible,
        vec![(Section::Performance, true), (Section::Result, false)]
    );
    assert_eq!(access.view.get(Section::Personal), None);
    assert!(!access.view.may_download());
    assert_eq!(c.len(), 1);
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::HandoverOpened]
    );
}

#[test]
fn a_required_code_is_sent_first_with_challenge_message_and_audit_in_one_transaction() {
    let world = World::new(Some(handover(LinkCheckChoice::On(CodeChannel::Email))));
    let (r, c) = open(&world, t0(), SECRET);
    let Ok(OpenOutcome::CodeSent {
        challenge,
        channel,
        expires_at,
    }) = r
    else {
        panic!("expected a code, got {r:?}")
    };
    assert_eq!(channel, CodeChannel::Email);
    assert_eq!(expires_at, t0() + Duration::minutes(5));
    assert_eq!(c.len(), 1);
    let writes = c[0].writes();
    let stored = writes.iter().find_map(|w| match w {
        Write::InsertChallenge(ch) => Some(ch.clone()),
        _ => None,
    });
    let message = writes.iter().find_map(|w| match w {
        Write::Enqueue(m) => Some(m.clone()),
        _ => None,
    });
    let (stored, message) = (stored.unwrap(), message.unwrap());
    assert_eq!(stored.id, challenge);
    assert_eq!(world.challenge(challenge).value, stored);
    assert_eq!(message.kind, MessageKind::OneTimeCode);
    assert_eq!(
        message.to,
        Destination::Email(Email::parse("petra@firma.de").unwrap())
    );
    assert_eq!(message.expires_at, Some(expires_at));
    // The code in the message is the one the challenge accepts.
    let code = message.params.get("code").unwrap().to_owned();
    let purpose = CodePurpose::HandoverLink(HandoverId::from_bytes([0xab; 16]));
    assert_eq!(stored.verify(&code, &purpose, t0()).1, Ok(()));
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::HandoverCodeSent]
    );
}

type Verified = (
    Result<crate::services::handover::HandoverAccess, LinkError>,
    Vec<ChangeSet>,
    World,
    ChallengeId,
);

fn verify(code: &str) -> Verified {
    verify_on(handover(LinkCheckChoice::On(CodeChannel::Email)), code)
}

/// Sends `code` for a challenge of `h`, both stored.
fn verify_on(h: Handover, code: &str) -> Verified {
    let world = World::new(Some(h.clone()));
    let challenge = crate::otp::CodeChallenge::issue(
        ChallengeId::from_bytes([0x77; 16]),
        tenant_id(),
        CodePurpose::HandoverLink(h.id),
        &crate::otp::OneTimeCode::from_random(424_242),
        t0(),
        crate::otp::CodePolicy::default(),
    );
    let id = challenge.id;
    let mut issued = ChangeSet::new(tenant_id());
    issued.push(Write::InsertChallenge(challenge));
    run(world.store.commit(issued)).unwrap();
    let uow = Recording::new(&world.store);
    let clock = clock_at(t0() + Duration::minutes(1));
    let random = counting_random();
    let r = run(world
        .service(&world.store, &uow, &clock, &random)
        .verify_code(request(SECRET), id, code));
    let c = uow.commits();
    (r, c, world, id)
}

#[test]
fn the_right_code_grants_access_and_uses_up_the_challenge() {
    let (r, c, world, id) = verify("424242");
    assert_eq!(r.map(|a| a.view.get(Section::Result).is_some()), Ok(true));
    assert!(
        matches!(&c[0].writes()[0], Write::UpdateChallenge(ch, _) if ch.id == id),
        "challenge not updated first (the store checks the version read)"
    );
    assert!(world.challenge(id).value.used);
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::HandoverOpened]
    );
}

#[test]
fn a_wrong_code_is_counted_audited_and_refused() {
    let (r, c, world, id) = verify("000000");
    assert_eq!(r, Err(LinkError::Code(CodeError::Wrong { remaining: 4 })));
    assert!(
        matches!(&c[0].writes()[0], Write::UpdateChallenge(ch, _) if ch.id == id),
        "challenge not updated"
    );
    let ch = world.challenge(id).value;
    assert_eq!((ch.failed_attempts, ch.used), (1, false));
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::HandoverCodeFailed]
    );
}

#[test]
fn a_completed_reference_is_shown_read_only_whatever_the_matrix_says() {
    let world = World::with(
        Some(handover(LinkCheckChoice::Off)),
        TenantSettings::default(),
        ReferenceStatus::Completed,
    );
    let (r, _) = open(&world, t0(), SECRET);
    let Ok(OpenOutcome::Granted(access)) = r else {
        panic!("expected access, got {r:?}")
    };
    assert!(access.view.sections().all(|(_, _, writable)| !writable));
    assert!(access.view.get(Section::Performance).is_some());
}

#[test]
fn a_check_made_mandatory_after_the_handover_applies_to_its_link() {
    let mut settings = TenantSettings::default();
    settings.privacy.link_check = LinkCheckSettings::new(true, [CodeChannel::Email]).unwrap();
    let world = World::with(
        Some(handover(LinkCheckChoice::Off)),
        settings,
        ReferenceStatus::WithSupervisor,
    );
    let (r, _) = open(&world, t0(), SECRET);
    assert!(
        matches!(
            r,
            Ok(OpenOutcome::CodeSent {
                channel: CodeChannel::Email,
                ..
            })
        ),
        "{r:?}"
    );
}

#[test]
fn sending_a_code_counts_against_the_link_and_the_limit_is_enforced() {
    let mut h = handover(LinkCheckChoice::On(CodeChannel::Email));
    let world = World::new(Some(h.clone()));
    let read = world.handover().version;
    let (r, c) = open(&world, t0(), SECRET);
    assert!(matches!(r, Ok(OpenOutcome::CodeSent { .. })));
    assert!(
        matches!(&c[0].writes()[0], Write::UpdateHandover(_, v) if *v == read),
        "handover not updated first, at the version read"
    );
    assert_eq!(world.handover().value.codes_sent, 1);
    h.codes_sent = Handover::MAX_CODES_SENT;
    let (r, c) = open(&World::new(Some(h)), t0(), SECRET);
    assert_eq!(r, Err(LinkError::TooManyCodes));
    assert!(c.is_empty(), "no code, no message");
}

#[test]
fn the_last_allowed_wrong_code_blocks_the_link_for_good() {
    let mut h = handover(LinkCheckChoice::On(CodeChannel::Email));
    h.failed_codes = Handover::MAX_FAILED_CODES - 1;
    let (r, c, world, _) = verify_on(h.clone(), "000000");
    assert_eq!(r, Err(LinkError::Blocked));
    assert!(
        c[0].writes()
            .iter()
            .any(|w| matches!(w, Write::UpdateHandover(..)))
    );
    assert_eq!(
        world.handover().value.failed_codes,
        Handover::MAX_FAILED_CODES
    );
    h.failed_codes = Handover::MAX_FAILED_CODES;
    let (r, _) = open(&World::new(Some(h)), t0(), SECRET);
    assert_eq!(r, Err(LinkError::Blocked));
}

#[test]
fn a_channel_the_settings_no_longer_allow_falls_back_to_an_allowed_one() {
    let mut settings = TenantSettings::default();
    settings.privacy.link_check = LinkCheckSettings::new(false, [CodeChannel::Email]).unwrap();
    let mut h = handover(LinkCheckChoice::On(CodeChannel::Email));
    h.code_channel = Some(CodeChannel::Sms);
    let world = World::with(Some(h), settings, ReferenceStatus::WithSupervisor);
    let (r, _) = open(&world, t0(), SECRET);
    assert!(
        matches!(
            r,
            Ok(OpenOutcome::CodeSent {
                channel: CodeChannel::Email,
                ..
            })
        ),
        "{r:?}"
    );
}
