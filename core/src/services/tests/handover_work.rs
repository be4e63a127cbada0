use serde_json::json;
use time::Duration;

use super::*;
use crate::audit::{AuditAction, AuditActor, AuditTarget};
use crate::handover::{Handover, HandoverRequest, HandoverTokens, LinkCheckChoice, Recipient};
use crate::id::{EmployeeId, ReferenceId, UserId};
use crate::matrix::{MatrixError, PermissionMatrix, SectionAccess};
use crate::ports::{
    MockEmployeeStore, MockHandoverStore, MockLibraryStore, MockReferenceStore, MockSettingsStore,
    MockTenantStore, Version, Versioned,
};
use crate::reference::{
    Language, Reference, ReferenceContent, ReferenceKind, ReferenceStatus, Section, SectionContent,
    StatusActor,
};
use crate::services::handover::{HandoverAccess, HandoverWorkService, HolderError, LinkError};
use crate::services::references::{ReferenceError, SectionInput};
use crate::settings::{AllowedDomains, LinkCheckSettings, TenantSettings};
use crate::token::HandoverId;
use crate::values::{Email, Name};

/// Only in the hidden `personal` section.
const HIDDEN: &str = "Geheimnisträger";
const PERFORMANCE: &str = r#"{"ratings":{"willingness":1}}"#;
const BETTER: &str = r#"{"ratings":{"willingness":1,"work_results":1}}"#;

fn now() -> crate::values::Timestamp {
    t0() + Duration::days(1)
}

fn reference(status: ReferenceStatus) -> Reference {
    let content: ReferenceContent = [
        (
            Section::Personal,
            format!(r#"{{"salutation":"herr","first_name":"Karl","last_name":"{HIDDEN}"}}"#),
        ),
        (Section::Performance, PERFORMANCE.to_owned()),
        (Section::ReferenceData, r#"{"place":"Köln"}"#.to_owned()),
        (
            Section::Result,
            "Herr Karl war tätig.\n\nWir danken ihm.".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(s, text)| (s, SectionContent::new(text).unwrap()))
    .collect();
    Reference {
        id: ReferenceId::from_bytes([0x44; 16]),
        tenant: tenant_id(),
        employee: EmployeeId::from_bytes([0x55; 16]),
        org: located_in("Köln"),
        kind: ReferenceKind::Final,
        language: Language::German,
        status,
        status_since: t0(),
        private: false,
        created_by: UserId::from_bytes([0x66; 16]),
        created_at: t0(),
        signatories: vec![],
        generated: None,
        content,
    }
}

/// Performance writable, result readable, personal hidden, no download.
fn matrix() -> PermissionMatrix {
    PermissionMatrix::none()
        .with(Section::Performance, SectionAccess::Write)
        .with(Section::Result, SectionAccess::Read)
}

/// Every document section readable, and the download flag.
fn download_matrix() -> PermissionMatrix {
    Section::DOCUMENT
        .into_iter()
        .fold(matrix(), |m, s| {
            m.with(
                s,
                if s == Section::Performance {
                    SectionAccess::Write
                } else {
                    SectionAccess::Read
                },
            )
        })
        .with_download(true)
}

fn handover(n: u8, matrix: PermissionMatrix) -> Handover {
    Handover::issue(
        tenant_id(),
        HandoverRequest {
            reference: ReferenceId::from_bytes([0x44; 16]),
            recipient: Recipient {
                name: Name::new("Petra Vorgesetzte").unwrap(),
                email: Email::parse("petra@firma.de").unwrap(),
                phone: None,
            },
            matrix,
            expires_in_days: 30,
            link_check: LinkCheckChoice::Off,
        },
        &LinkCheckSettings::default(),
        &AllowedDomains::any(),
        UserId::from_bytes([0x66; 16]),
        t0(),
        HandoverTokens {
            id: [n; 16],
            secret: [n.wrapping_add(1); 16],
        },
    )
    .unwrap()
    .0
}

fn id() -> HandoverId {
    HandoverId::from_bytes([0xab; 16])
}

struct World {
    tenants: MockTenantStore,
    settings: MockSettingsStore,
    handovers: MockHandoverStore,
    references: MockReferenceStore,
    employees: MockEmployeeStore,
    library: MockLibraryStore,
}

impl World {
    /// `stored` is the handover with id [`id`]; `others` further handovers of
    /// the same reference.
    fn new(
        stored: Handover,
        others: Vec<Handover>,
        status: ReferenceStatus,
        settings: TenantSettings,
    ) -> Self {
        let mut handovers = MockHandoverStore::new();
        let one = stored.clone();
        handovers.expect_handover().returning(move |_, hid| {
            Ok((hid == one.id).then(|| Versioned {
                value: one.clone(),
                version: Version(3),
            }))
        });
        let all: Vec<Handover> = std::iter::once(stored).chain(others).collect();
        handovers
            .expect_handovers_of()
            .returning(move |_, _| Ok(all.clone()));
        let mut references = MockReferenceStore::new();
        references.expect_reference().returning(move |_, _| {
            Ok(Some(Versioned {
                value: reference(status),
                version: Version(9),
            }))
        });
        let mut library = MockLibraryStore::new();
        library.expect_letter_formatting().returning(|_| {
            Ok(Versioned {
                value: crate::document::LetterFormatting::default(),
                version: Version(0),
            })
        });
        Self {
            tenants: active_tenant(),
            settings: settings_store(settings),
            handovers,
            references,
            employees: MockEmployeeStore::new(),
            library,
        }
    }

    fn simple(matrix: PermissionMatrix) -> Self {
        Self::new(
            handover(0xab, matrix),
            vec![],
            ReferenceStatus::WithSupervisor,
            tracking(true),
        )
    }

    fn service<'a>(
        &'a self,
        uow: &'a MockUnitOfWork,
        clock: &'a MockClock,
    ) -> HandoverWorkService<'a> {
        HandoverWorkService {
            tenants: &self.tenants,
            settings: &self.settings,
            handovers: &self.handovers,
            references: &self.references,
            employees: &self.employees,
            library: &self.library,
            uow,
            clock,
        }
    }

    /// Runs `f` at [`now`]; returns its result and what was committed.
    fn act<T>(&self, f: impl FnOnce(&HandoverWorkService<'_>) -> T) -> (T, Vec<ChangeSet>) {
        let (uow, log) = recording_uow(vec![]);
        let clock = clock_at(now());
        let result = f(&self.service(&uow, &clock));
        (result, commits(&log))
    }

    /// Runs `f` at `at` with a unit of work that fails the test on any commit.
    fn act_without_commit<T>(
        &self,
        at: crate::values::Timestamp,
        f: impl FnOnce(&HandoverWorkService<'_>) -> T,
    ) -> T {
        let uow = no_commit();
        let clock = clock_at(at);
        f(&self.service(&uow, &clock))
    }
}

fn save(
    s: &HandoverWorkService<'_>,
    sections: Vec<SectionInput>,
) -> Result<HandoverAccess, HolderError> {
    run(s.save(tenant_id(), id(), sections, None))
}

fn not_writable(sections: Vec<Section>) -> HolderError {
    HolderError::Refused(ReferenceError::Matrix(MatrixError::NotWritable {
        sections,
    }))
}

#[test]
fn the_holder_sees_only_the_readable_sections() {
    let world = World::simple(matrix());
    let access = world
        .act_without_commit(now(), |s| run(s.view(tenant_id(), id())))
        .unwrap();
    let visible: Vec<(Section, bool)> = access.view.sections().map(|(s, _, w)| (s, w)).collect();
    assert_eq!(
        visible,
        vec![(Section::Performance, true), (Section::Result, false)]
    );
    assert_eq!(access.view.get(Section::Personal), None);
    assert!(
        !access
            .view
            .sections()
            .any(|(_, c, _)| c.as_str().contains(HIDDEN)),
        "the hidden personal section leaks into the view"
    );
    assert!(!access.view.may_download());
}

#[test]
fn a_write_to_a_section_the_matrix_does_not_open_is_refused_whole_and_commits_nothing() {
    let world = World::simple(matrix());
    let refused = world.act_without_commit(now(), |s| {
        [
            save(s, vec![(Section::Result, json!("Neuer Text."))]),
            save(
                s,
                vec![(
                    Section::Personal,
                    json!({"first_name": "Karl", "last_name": "Anders"}),
                )],
            ),
            save(
                s,
                vec![
                    (Section::Performance, serde_json::from_str(BETTER).unwrap()),
                    (Section::Result, json!("Neuer Text.")),
                ],
            ),
        ]
    });
    assert_eq!(
        refused,
        [
            Err(not_writable(vec![Section::Result])),
            Err(not_writable(vec![Section::Personal])),
            Err(not_writable(vec![Section::Result])),
        ]
    );
}

#[test]
fn a_write_to_a_writable_section_is_saved_and_logged_with_the_recipient_as_editor() {
    let world = World::simple(matrix());
    let (r, c) = world.act(|s| {
        save(
            s,
            vec![(Section::Performance, serde_json::from_str(BETTER).unwrap())],
        )
    });
    let access = r.unwrap();
    assert_eq!(
        access
            .view
            .get(Section::Performance)
            .map(SectionContent::as_str),
        Some(BETTER)
    );
    assert_eq!(c.len(), 1);
    let writes = c[0].writes();
    let Write::UpdateReference(saved, Version(9)) = &writes[0] else {
        panic!("reference not updated at the version read")
    };
    assert_eq!(
        saved
            .reference()
            .content
            .get(Section::Performance)
            .map(SectionContent::as_str),
        Some(BETTER)
    );
    assert_eq!(
        saved.reference().content.get(Section::Personal),
        reference(ReferenceStatus::WithSupervisor)
            .content
            .get(Section::Personal),
        "the hidden section stays as it was"
    );
    let Write::AppendChangeLog(entry) = &writes[1] else {
        panic!("no change log entry")
    };
    assert_eq!(entry.section, Section::Performance);
    assert_eq!(entry.editor.as_str(), "Petra Vorgesetzte");
    assert_eq!(entry.by, StatusActor::Handover(id()));
    assert_eq!(
        entry.before.as_ref().map(SectionContent::as_str),
        Some(PERFORMANCE)
    );
    assert_eq!(
        entry.after.as_ref().map(SectionContent::as_str),
        Some(BETTER)
    );
    let events = audit_events(&c[0]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, AuditAction::ReferenceChanged);
    assert_eq!(events[0].actor, AuditActor::Handover(id()));

    // Without change tracking the change is saved but not logged.
    let world = World::new(
        handover(0xab, matrix()),
        vec![],
        ReferenceStatus::WithSupervisor,
        tracking(false),
    );
    let (r, c) = world.act(|s| {
        save(
            s,
            vec![(Section::Performance, serde_json::from_str(BETTER).unwrap())],
        )
    });
    assert!(r.is_ok(), "{r:?}");
    assert!(matches!(&c[0].writes()[0], Write::UpdateReference(..)));
    assert!(
        !c[0]
            .writes()
            .iter()
            .any(|w| matches!(w, Write::AppendChangeLog(_)))
    );
}

#[test]
fn a_revoked_finished_or_expired_handover_stops_every_call() {
    let mut revoked = handover(0xab, download_matrix());
    revoked.revoke(t0()).unwrap();
    let mut finished = handover(0xab, download_matrix());
    finished.finish(t0()).unwrap();
    let expired = handover(0xab, download_matrix());
    for (h, at, expected) in [
        (revoked, now(), LinkError::Revoked),
        (finished, now(), LinkError::Finished),
        (expired, t0() + Duration::days(30), LinkError::Expired),
    ] {
        let world = World::new(h, vec![], ReferenceStatus::WithSupervisor, tracking(true));
        let answers = world.act_without_commit(at, |s| {
            [
                run(s.view(tenant_id(), id())).map(|_| ()),
                save(
                    s,
                    vec![(Section::Performance, serde_json::from_str(BETTER).unwrap())],
                )
                .map(|_| ()),
                run(s.finish(tenant_id(), id(), None)),
                run(s.document(tenant_id(), id(), None)).map(|_| ()),
            ]
        });
        for a in answers {
            assert_eq!(a, Err(HolderError::Link(expected.clone())));
        }
    }
}

#[test]
fn a_completed_reference_is_read_only_for_the_holder() {
    let world = World::new(
        handover(0xab, matrix()),
        vec![],
        ReferenceStatus::Completed,
        tracking(true),
    );
    let (view, saved) = world.act_without_commit(now(), |s| {
        (
            run(s.view(tenant_id(), id())),
            save(
                s,
                vec![(Section::Performance, serde_json::from_str(BETTER).unwrap())],
            ),
        )
    });
    let view = view.unwrap().view;
    assert!(view.get(Section::Performance).is_some());
    assert!(view.sections().all(|(_, _, writable)| !writable));
    assert_eq!(saved, Err(not_writable(vec![Section::Performance])));
}

#[test]
fn finishing_ends_the_link_and_its_sessions_and_returns_the_reference_to_hr() {
    let world = World::simple(matrix());
    let (r, c) = world.act(|s| run(s.finish(tenant_id(), id(), None)));
    assert_eq!(r, Ok(()));
    assert_eq!(c.len(), 1);
    let writes = c[0].writes();
    let Write::UpdateHandover(h, Version(3)) = &writes[0] else {
        panic!("handover not updated at the version read")
    };
    assert_eq!((h.id, h.finished_at), (id(), Some(now())));
    assert_eq!(writes[1], Write::DeleteSessionsOfHandover(id()));
    let Write::UpdateReference(back, Version(9)) = &writes[2] else {
        panic!("reference not returned")
    };
    assert_eq!(back.reference().status, ReferenceStatus::Draft);
    let Write::AppendStatusChange(change) = &writes[3] else {
        panic!("status change not recorded")
    };
    assert_eq!(
        (change.from, change.to, change.by.clone()),
        (
            ReferenceStatus::WithSupervisor,
            ReferenceStatus::Draft,
            StatusActor::Handover(id())
        )
    );
    assert_eq!(
        audit_actions(&c[0]),
        vec![
            AuditAction::ReferenceStatusChanged,
            AuditAction::HandoverFinished
        ],
        "the return to HR is audited with the finish"
    );

    // Another active handover keeps the reference with the supervisors.
    let world = World::new(
        handover(0xab, matrix()),
        vec![handover(0xcd, matrix())],
        ReferenceStatus::WithSupervisor,
        tracking(true),
    );
    let (r, c) = world.act(|s| run(s.finish(tenant_id(), id(), None)));
    assert_eq!(r, Ok(()));
    assert!(
        !c[0]
            .writes()
            .iter()
            .any(|w| matches!(w, Write::UpdateReference(..) | Write::AppendStatusChange(_)))
    );
    assert!(
        c[0].writes()
            .contains(&Write::DeleteSessionsOfHandover(id()))
    );
}

#[test]
fn the_document_needs_the_download_flag_and_its_download_is_audited() {
    let world = World::simple(matrix());
    let refused = world.act_without_commit(now(), |s| run(s.document(tenant_id(), id(), None)));
    assert_eq!(refused.map(|_| ()), Err(HolderError::DownloadNotAllowed));

    let world = World::simple(download_matrix());
    let (r, c) = world.act(|s| run(s.document(tenant_id(), id(), None)));
    let (letter, _) = r.unwrap();
    assert_eq!(
        letter.paragraphs,
        vec![
            "Herr Karl war tätig.".to_owned(),
            "Wir danken ihm.".to_owned()
        ]
    );
    assert_eq!(letter.place, "Köln");
    assert!(letter.draft);
    let events = audit_events(&c[0]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, AuditAction::ReferenceDownloaded);
    assert_eq!(events[0].actor, AuditActor::Handover(id()));
    assert_eq!(
        events[0].target,
        AuditTarget::Reference(ReferenceId::from_bytes([0x44; 16]))
    );
}

#[test]
fn a_holder_can_name_no_new_employee_as_signer_but_keep_those_named_or_add_a_name() {
    let mut world = World::simple(matrix().with(Section::Signatures, SectionAccess::Write));
    // Whether the employee exists is not even asked: the holder sees no
    // employee records, so the answer cannot tell.
    world.employees.expect_employee().never();
    let existing = serde_json::json!([{
        "employee": "0b0b0b0b-0b0b-0b0b-0b0b-0b0b0b0b0b0b",
        "name": "Irgendwer",
    }]);
    let (r, c) = world.act(|s| save(s, vec![(Section::Signatures, existing)]));
    assert!(
        matches!(
            r,
            Err(HolderError::Refused(ReferenceError::Invalid { ref field, .. }))
                if field.as_deref() == Some("signatures")
        ),
        "{r:?}"
    );
    assert!(c.is_empty(), "nothing is committed");
    let by_name =
        serde_json::json!([{"name": "Dr. Erika Muster", "position": "Geschäftsführerin"}]);
    let (r, c) = world.act(|s| save(s, vec![(Section::Signatures, by_name)]));
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(c.len(), 1);
}

#[test]
fn a_holder_cannot_name_a_signer_who_is_not_an_employee() {
    let mut world = World::simple(matrix().with(Section::Signatures, SectionAccess::Write));
    world.employees.expect_employee().returning(|_, _| Ok(None));
    let signers = serde_json::json!([{
        "employee": "0a0a0a0a-0a0a-0a0a-0a0a-0a0a0a0a0a0a",
        "name": "Irgendwer",
    }]);
    let (r, c) = world.act(|s| save(s, vec![(Section::Signatures, signers)]));
    assert!(
        matches!(
            r,
            Err(HolderError::Refused(ReferenceError::Invalid { ref field, .. }))
                if field.as_deref() == Some("signatures")
        ),
        "{r:?}"
    );
    assert!(c.is_empty(), "nothing is committed");
}
