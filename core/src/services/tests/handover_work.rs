use serde_json::json;
use time::Duration;

use super::*;
use crate::audit::{AuditAction, AuditActor, AuditTarget};
use crate::handover::{Handover, HandoverRequest, HandoverTokens, LinkCheckChoice, Recipient};
use crate::id::{EmployeeId, ReferenceId, UserId};
use crate::matrix::{MatrixError, PermissionMatrix, SectionAccess};
use crate::ports::{
    EmployeeStore, HandoverStore as _, MockEmployeeStore, ReferenceStore as _, Versioned,
};
use crate::reference::{
    Reference, ReferenceContent, ReferenceStatus, Section, SectionContent, StatusActor,
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
        status,
        content,
        ..draft(
            ReferenceId::from_bytes([0x44; 16]),
            EmployeeId::from_bytes([0x55; 16]),
            UserId::from_bytes([0x66; 16]),
        )
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

/// The memory store with the reference's subject, the reference, the
/// handovers and the settings.
struct World {
    store: MemoryStore,
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
        let mut writes = vec![
            Write::SaveSettings(settings, None),
            Write::InsertEmployee(person(0x55, "Karl", HIDDEN)),
            Write::InsertReference(reference(status)),
        ];
        writes.extend(
            std::iter::once(stored)
                .chain(others)
                .map(Write::InsertHandover),
        );
        Self {
            store: seeded(writes),
        }
    }

    /// [`simple`](Self::simple) with the reference given.
    fn with_reference(reference: Reference, matrix: PermissionMatrix) -> Self {
        Self {
            store: seeded(vec![
                Write::SaveSettings(tracking(true), None),
                Write::InsertEmployee(person(0x55, "Karl", HIDDEN)),
                Write::InsertReference(reference),
                Write::InsertHandover(handover(0xab, matrix)),
            ]),
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
        employees: &'a dyn EmployeeStore,
        uow: &'a dyn UnitOfWork,
        clock: &'a MockClock,
    ) -> HandoverWorkService<'a> {
        HandoverWorkService {
            tenants: &self.store,
            settings: &self.store,
            handovers: &self.store,
            references: &self.store,
            employees,
            library: &self.store,
            uow,
            clock,
        }
    }

    /// Runs `f` at [`now`]; returns its result and what was committed.
    fn act<T>(&self, f: impl FnOnce(&HandoverWorkService<'_>) -> T) -> (T, Vec<ChangeSet>) {
        self.act_over(&self.store, f)
    }

    /// [`act`](Self::act) with another employee port.
    fn act_over<T>(
        &self,
        employees: &dyn EmployeeStore,
        f: impl FnOnce(&HandoverWorkService<'_>) -> T,
    ) -> (T, Vec<ChangeSet>) {
        let uow = Recording::new(&self.store);
        let clock = clock_at(now());
        let result = f(&self.service(employees, &uow, &clock));
        (result, uow.commits())
    }

    /// Runs `f` at `at` with a unit of work that fails the test on any commit.
    fn act_without_commit<T>(
        &self,
        at: crate::values::Timestamp,
        f: impl FnOnce(&HandoverWorkService<'_>) -> T,
    ) -> T {
        let uow = no_commit();
        let clock = clock_at(at);
        f(&self.service(&self.store, &uow, &clock))
    }

    /// The reference as stored now, at its version.
    fn reference(&self) -> Versioned<Reference> {
        run(self
            .store
            .reference(tenant_id(), ReferenceId::from_bytes([0x44; 16])))
        .unwrap()
        .expect("the reference is stored")
    }

    /// The handover [`id`] as stored now, at its version.
    fn handover(&self) -> Versioned<Handover> {
        run(self.store.handover(tenant_id(), id()))
            .unwrap()
            .expect("the handover is stored")
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
    let read = world.reference().version;
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
    let Write::UpdateReference(_, v) = &writes[0] else {
        panic!("reference not updated")
    };
    assert_eq!(*v, read, "updated at the version read");
    let saved = world.reference().value;
    assert_eq!(
        saved
            .content
            .get(Section::Performance)
            .map(SectionContent::as_str),
        Some(BETTER)
    );
    assert_eq!(
        saved.content.get(Section::Personal),
        reference(ReferenceStatus::WithSupervisor)
            .content
            .get(Section::Personal),
        "the hidden section stays as it was"
    );
    assert_eq!(
        saved.changed_at,
        now(),
        "the holder's save is the last change"
    );
    assert!(matches!(&writes[1], Write::AppendChangeLog(_)));
    let log = run(world.store.change_log(tenant_id(), saved.id)).unwrap();
    let [entry] = log.as_slice() else {
        panic!("not one change log entry: {log:?}")
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
    let events = logged(&world.store);
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
    assert_eq!(
        world
            .reference()
            .value
            .content
            .get(Section::Performance)
            .map(SectionContent::as_str),
        Some(BETTER)
    );
    assert_eq!(
        run(world
            .store
            .change_log(tenant_id(), ReferenceId::from_bytes([0x44; 16]))),
        Ok(vec![])
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
    let (handover_read, reference_read) = (world.handover().version, world.reference().version);
    let (r, c) = world.act(|s| run(s.finish(tenant_id(), id(), None)));
    assert_eq!(r, Ok(()));
    assert_eq!(c.len(), 1);
    let writes = c[0].writes();
    assert!(
        matches!(&writes[0], Write::UpdateHandover(h, v) if h.id == id() && *v == handover_read),
        "handover not updated at the version read"
    );
    assert_eq!(world.handover().value.finished_at, Some(now()));
    assert_eq!(writes[1], Write::DeleteSessionsOfHandover(id()));
    assert!(
        matches!(&writes[2], Write::UpdateReference(_, v) if *v == reference_read),
        "reference not returned at the version read"
    );
    assert_eq!(world.reference().value.status, ReferenceStatus::Draft);
    assert!(matches!(&writes[3], Write::AppendStatusChange(_)));
    let history = run(world
        .store
        .status_history(tenant_id(), ReferenceId::from_bytes([0x44; 16])))
    .unwrap();
    let changes: Vec<_> = history
        .into_iter()
        .map(|change| (change.from, change.to, change.by))
        .collect();
    assert_eq!(
        changes,
        vec![(
            ReferenceStatus::WithSupervisor,
            ReferenceStatus::Draft,
            StatusActor::Handover(id())
        )]
    );
    assert_eq!(
        logged_actions(&world.store),
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
    assert_eq!(world.handover().value.finished_at, Some(now()));
    assert_eq!(
        world.reference().value.status,
        ReferenceStatus::WithSupervisor
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
    assert_eq!(c.len(), 1);
    let events = logged(&world.store);
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
    let world = World::simple(matrix().with(Section::Signatures, SectionAccess::Write));
    // Whether the employee exists is not even asked: the holder sees no
    // employee records, so the answer cannot tell.
    let mut employees = MockEmployeeStore::new();
    employees.expect_employee().never();
    let existing = serde_json::json!([{
        "employee": "0b0b0b0b-0b0b-0b0b-0b0b-0b0b0b0b0b0b",
        "name": "Irgendwer",
    }]);
    let (r, c) = world.act_over(&employees, |s| {
        save(s, vec![(Section::Signatures, existing)])
    });
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
    let (r, c) = world.act_over(&employees, |s| {
        save(s, vec![(Section::Signatures, by_name)])
    });
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(c.len(), 1);
}

#[test]
fn a_holder_cannot_name_a_signer_who_is_not_an_employee() {
    let world = World::simple(matrix().with(Section::Signatures, SectionAccess::Write));
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

/// A reference whose text is the generator's (rated, conduct filled), and
/// that text; `edited` marks it as changed by hand since.
fn generated_reference(edited: bool) -> (Reference, String) {
    let mut r = reference(ReferenceStatus::WithSupervisor);
    r.content.set(
        Section::Conduct,
        SectionContent::new(r#"{"superiors":1,"colleagues":1}"#).unwrap(),
    );
    let forms = crate::reference::form::Forms::from_content(&r.content).unwrap();
    let text = crate::generator::generate(
        r.kind,
        &forms,
        &crate::phrases::PhraseLibrary::german_default(),
    )
    .unwrap()
    .text;
    r.content
        .set(Section::Result, SectionContent::new(text.clone()).unwrap());
    r.generated = Some(crate::generator::fingerprint(if edited {
        "Was der Generator einmal schrieb."
    } else {
        &text
    }));
    (r, text)
}

#[test]
fn a_holders_new_ratings_write_the_generators_text_again() {
    let (r, before) = generated_reference(false);
    let world = World::with_reference(r, matrix());
    let (result, c) = world.act(|s| {
        save(
            s,
            vec![(Section::Performance, serde_json::from_str(BETTER).unwrap())],
        )
    });
    let access = result.unwrap();
    assert_eq!(c.len(), 1, "one transaction");
    let saved = world.reference().value;
    let text = saved
        .content
        .get(Section::Result)
        .map(SectionContent::as_str)
        .unwrap()
        .to_owned();
    assert_ne!(text, before);
    assert!(
        text.contains("Seine Arbeitsergebnisse waren stets von ausgezeichneter Qualität"),
        "the holder's new rating is in the text: {text}"
    );
    assert_eq!(saved.generated, Some(crate::generator::fingerprint(&text)));
    assert_eq!(
        access.view.get(Section::Result).map(SectionContent::as_str),
        Some(text.as_str()),
        "the holder sees the new text at once"
    );
    let log = run(world.store.change_log(tenant_id(), saved.id)).unwrap();
    let sections: Vec<Section> = log.iter().map(|e| e.section).collect();
    assert_eq!(sections, vec![Section::Performance, Section::Result]);
}

#[test]
fn a_text_edited_by_hand_is_not_rewritten_by_a_holders_save() {
    let (r, before) = generated_reference(true);
    let world = World::with_reference(r, matrix());
    let (result, _) = world.act(|s| {
        save(
            s,
            vec![(Section::Performance, serde_json::from_str(BETTER).unwrap())],
        )
    });
    result.unwrap();
    let saved = world.reference().value;
    assert_eq!(
        saved
            .content
            .get(Section::Result)
            .map(SectionContent::as_str),
        Some(before.as_str())
    );
}
