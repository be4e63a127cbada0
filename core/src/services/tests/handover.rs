use time::Duration;

use super::*;
use crate::audit::AuditAction;
use crate::employee::OrgAttributes;
use crate::handover::{Handover, HandoverRequest, HandoverTokens, LinkCheckChoice, Recipient};
use crate::id::{ChallengeId, EmployeeId, ReferenceId, UserId};
use crate::matrix::{PermissionMatrix, SectionAccess};
use crate::otp::{CodeError, CodePurpose};
use crate::ports::{
    Destination, MessageKind, MockChallengeStore, MockHandoverStore, MockReferenceStore, Version,
    Versioned,
};
use crate::reference::{
    Language, Reference, ReferenceContent, ReferenceKind, ReferenceStatus, Section, SectionContent,
};
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
        id: ReferenceId::from_bytes([0x44; 16]),
        tenant: tenant_id(),
        employee: EmployeeId::from_bytes([0x55; 16]),
        org: OrgAttributes::default(),
        kind: ReferenceKind::Final,
        language: Language::German,
        status: ReferenceStatus::WithSupervisor,
        status_since: t0(),
        private: false,
        created_by: UserId::from_bytes([0x66; 16]),
        created_at: t0(),
        signatories: vec![],
        generated: None,
        content,
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

struct World {
    tenants: crate::ports::MockTenantStore,
    settings: crate::ports::MockSettingsStore,
    handovers: MockHandoverStore,
    references: MockReferenceStore,
    challenges: MockChallengeStore,
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
        let mut settings_store = crate::ports::MockSettingsStore::new();
        settings_store.expect_settings().returning(move |_| {
            Ok(Versioned {
                value: settings.clone(),
                version: Version(1),
            })
        });
        let mut handovers = MockHandoverStore::new();
        handovers.expect_handover().returning(move |_, _| {
            Ok(stored.clone().map(|value| Versioned {
                value,
                version: Version(3),
            }))
        });
        let mut references = MockReferenceStore::new();
        references.expect_reference().returning(move |_, _| {
            Ok(Some(Versioned {
                value: Reference {
                    status,
                    ..reference()
                },
                version: Version(1),
            }))
        });
        Self {
            tenants: active_tenant(),
            settings: settings_store,
            handovers,
            references,
            challenges: MockChallengeStore::new(),
        }
    }

    fn service<'a>(
        &'a self,
        uow: &'a MockUnitOfWork,
        clock: &'a MockClock,
        random: &'a MockRandomSource,
    ) -> HandoverLinkService<'a> {
        HandoverLinkService {
            tenants: &self.tenants,
            settings: &self.settings,
            handovers: &self.handovers,
            references: &self.references,
            challenges: &self.challenges,
            uow,
            clock,
            random,
        }
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
    let (uow, log) = recording_uow(vec![]);
    let clock = clock_at(at);
    let random = counting_random();
    let result = run(world.service(&uow, &clock, &random).open(request(secret)));
    (result, commits(&log))
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
    let (r, _) = open(&World::new(Some(foreign)), t0(), SECRET);
    assert_eq!(r, Err(LinkError::NotFound));
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
    let (r, c) = open(
        &World::new(Some(handover(LinkCheckChoice::Off))),
        t0(),
        SECRET,
    );
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
    assert_eq!(audit_actions(&c[0]), vec![AuditAction::HandoverOpened]);
}

#[test]
fn a_required_code_is_sent_first_with_challenge_message_and_audit_in_one_transaction() {
    let (r, c) = open(
        &World::new(Some(handover(LinkCheckChoice::On(CodeChannel::Email)))),
        t0(),
        SECRET,
    );
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
    assert_eq!(audit_actions(&c[0]), vec![AuditAction::HandoverCodeSent]);
}

fn verify(
    code: &str,
) -> (
    Result<crate::services::handover::HandoverAccess, LinkError>,
    Vec<ChangeSet>,
    ChallengeId,
) {
    verify_on(handover(LinkCheckChoice::On(CodeChannel::Email)), code)
}

fn verify_on(
    h: Handover,
    code: &str,
) -> (
    Result<crate::services::handover::HandoverAccess, LinkError>,
    Vec<ChangeSet>,
    ChallengeId,
) {
    let mut world = World::new(Some(h.clone()));
    let challenge = crate::otp::CodeChallenge::issue(
        ChallengeId::from_bytes([0x77; 16]),
        tenant_id(),
        CodePurpose::HandoverLink(h.id),
        &crate::otp::OneTimeCode::from_random(424_242),
        t0(),
        crate::otp::CodePolicy::default(),
    );
    let id = challenge.id;
    world.challenges.expect_challenge().returning(move |_, _| {
        Ok(Some(Versioned {
            value: challenge.clone(),
            version: Version(1),
        }))
    });
    let (uow, log) = recording_uow(vec![]);
    let clock = clock_at(t0() + Duration::minutes(1));
    let random = counting_random();
    let r = run(world
        .service(&uow, &clock, &random)
        .verify_code(request(SECRET), id, code));
    (r, commits(&log), id)
}

#[test]
fn the_right_code_grants_access_and_uses_up_the_challenge() {
    let (r, c, _) = verify("424242");
    assert_eq!(r.map(|a| a.view.get(Section::Result).is_some()), Ok(true));
    let Write::UpdateChallenge(ch, Version(1)) = &c[0].writes()[0] else {
        panic!("challenge not updated")
    };
    assert!(ch.used);
    assert_eq!(audit_actions(&c[0]), vec![AuditAction::HandoverOpened]);
}

#[test]
fn a_wrong_code_is_counted_audited_and_refused() {
    let (r, c, _) = verify("000000");
    assert_eq!(r, Err(LinkError::Code(CodeError::Wrong { remaining: 4 })));
    let Write::UpdateChallenge(ch, _) = &c[0].writes()[0] else {
        panic!("challenge not updated")
    };
    assert_eq!((ch.failed_attempts, ch.used), (1, false));
    assert_eq!(audit_actions(&c[0]), vec![AuditAction::HandoverCodeFailed]);
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
    let (r, c) = open(&World::new(Some(h.clone())), t0(), SECRET);
    assert!(matches!(r, Ok(OpenOutcome::CodeSent { .. })));
    let Write::UpdateHandover(stored, Version(3)) = &c[0].writes()[0] else {
        panic!("handover not updated first")
    };
    assert_eq!(stored.codes_sent, 1);
    h.codes_sent = Handover::MAX_CODES_SENT;
    let (r, c) = open(&World::new(Some(h)), t0(), SECRET);
    assert_eq!(r, Err(LinkError::TooManyCodes));
    assert!(c.is_empty(), "no code, no message");
}

#[test]
fn the_last_allowed_wrong_code_blocks_the_link_for_good() {
    let mut h = handover(LinkCheckChoice::On(CodeChannel::Email));
    h.failed_codes = Handover::MAX_FAILED_CODES - 1;
    let (r, c, _) = verify_on(h.clone(), "000000");
    assert_eq!(r, Err(LinkError::Blocked));
    let blocked = c[0].writes().iter().find_map(|w| match w {
        Write::UpdateHandover(h, _) => Some(h.clone()),
        _ => None,
    });
    assert_eq!(
        blocked.map(|h| h.failed_codes),
        Some(Handover::MAX_FAILED_CODES)
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
