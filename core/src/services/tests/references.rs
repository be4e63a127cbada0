use std::collections::BTreeSet;

use serde_json::json;
use time::Duration;
use time::macros::date;

use super::*;
use crate::access::{AccessLevel, Area, Permissions, Role};
use crate::audit::{AuditAction, AuditTarget};
use crate::authz::{AccessError, Actor};
use crate::employee::{Employee, Employment, IssueReason, PowerOfAttorney, Salutation};
use crate::generator::{DiffLine, fingerprint};
use crate::handover::{
    Handover, HandoverError, HandoverRequest, HandoverTokens, LinkCheckChoice, Recipient,
};
use crate::id::{EmployeeId, ReferenceId, RoleId, UserId};
use crate::matrix::{PermissionMatrix, SectionAccess};
use crate::ports::{
    Destination, EmployeeStore, HandoverStore as _, MessageKind, MockLinkBuilder, ReferenceQuery,
    ReferenceStore, Version,
};
use crate::reference::form::{DataForm, Form, PersonalForm, TasksForm};
use crate::reference::{
    Reference, ReferenceContent, ReferenceKind, ReferenceStatus, Section, SectionContent,
    StatusActor, TransitionError,
};
use crate::services::handover::{HandoverInput, HandoverService};
use crate::services::references::{
    GenerateOutcome, NewReference, ReferenceError, ReferenceService, SectionInput, letter_of,
    parse_sections,
};
use crate::settings::{AllowedDomains, TenantSettings};
use crate::token::{HandoverSecret, SecretToken as _};
use crate::user::{AuthMethods, User, UserStatus};
use crate::values::{Email, Name};

const HR: UserId = UserId::from_bytes([0x66; 16]);
const COLLEAGUE: UserId = UserId::from_bytes([0x77; 16]);
const REFERENCE: ReferenceId = ReferenceId::from_bytes([0x44; 16]);
const SUBJECT: EmployeeId = EmployeeId::from_bytes([0x55; 16]);

fn now() -> crate::values::Timestamp {
    t0() + Duration::days(1)
}

/// A user in Köln with read+write on Employees.
fn user_in_koeln(id: UserId) -> Actor {
    Actor::new(
        tenant_id(),
        id,
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
        false,
        scope_of("Köln"),
    )
}

fn hr() -> Actor {
    user_in_koeln(HR)
}

/// The subject of the references: every field the prefill reads is set.
fn subject() -> Employee {
    let mut e = person(0x55, "Jürgen", "Weiß");
    e.personal.title = Some(Name::new("Dr.").unwrap());
    e.personal.birth_date = Some(date!(1990 - 02 - 28));
    e.personal.birth_place = Some(Name::new("Bielefeld").unwrap());
    e.employment = Employment {
        entry_date: Some(date!(2015 - 04 - 01)),
        exit_date: Some(date!(2024 - 03 - 31)),
        exit_reason: Some(IssueReason::EmployeeResignation),
        job_descriptions: vec![Name::new("Buchhalterin").unwrap()],
        interruptions: vec![],
        powers_of_attorney: vec![PowerOfAttorney {
            kind: Name::new("Prokura").unwrap(),
            since: None,
        }],
    };
    e.org.department = Some(Name::new("Finanzen").unwrap());
    e
}

fn employees() -> Vec<Employee> {
    vec![
        subject(),
        person(0x56, "Anna", "Schmidt"),
        person(0x57, "Petra", "Schulz"),
        person(0x58, "Max", "Mahler"),
        person(0x59, "Heinz", "Weißmann"),
        person(0x5a, "Karl", "Weißbach"),
        Employee {
            org: located_in("Bonn"),
            ..person(0x5b, "Bruno", "Bonner")
        },
    ]
}

fn content(pairs: &[(Section, &str)]) -> ReferenceContent {
    pairs
        .iter()
        .map(|(s, text)| (*s, SectionContent::new(*text).unwrap()))
        .collect()
}

/// Everything the generator needs, and a company text.
fn full_content() -> ReferenceContent {
    content(&[
        (
            Section::Personal,
            r#"{"salutation":"frau","first_name":"Jürgen","last_name":"Weiß"}"#,
        ),
        (
            Section::Performance,
            r#"{"ratings":{"willingness":1,"work_results":2}}"#,
        ),
        (Section::Conduct, r#"{"superiors":1,"colleagues":1}"#),
        (Section::Company, "Alt"),
    ])
}

fn reference(status: ReferenceStatus) -> Reference {
    Reference {
        status,
        content: full_content(),
        ..draft(REFERENCE, SUBJECT, COLLEAGUE)
    }
}

fn recipient(email: &str) -> Recipient {
    Recipient {
        name: Name::new("Petra Vorgesetzte").unwrap(),
        email: Email::parse(email).unwrap(),
        phone: None,
    }
}

fn matrix() -> PermissionMatrix {
    PermissionMatrix::none()
        .with(Section::Performance, SectionAccess::Write)
        .with(Section::Result, SectionAccess::Read)
}

/// An active handover of the reference, issued at t0.
fn handover(n: u8) -> Handover {
    Handover::issue(
        tenant_id(),
        HandoverRequest {
            reference: REFERENCE,
            recipient: recipient("petra@firma.de"),
            matrix: matrix(),
            expires_in_days: 30,
            link_check: LinkCheckChoice::Off,
        },
        &crate::settings::LinkCheckSettings::default(),
        &AllowedDomains::any(),
        COLLEAGUE,
        t0(),
        HandoverTokens {
            id: [n; 16],
            secret: [n.wrapping_add(1); 16],
        },
    )
    .unwrap()
    .0
}

fn revoked(n: u8) -> Handover {
    let mut h = handover(n);
    h.revoke(t0()).unwrap();
    h
}

/// HR's handover use cases on the same ports.
fn desk<'a>(s: &ReferenceService<'a>) -> HandoverService<'a> {
    HandoverService { references: *s }
}

fn handover_input(email: &str) -> HandoverInput {
    HandoverInput {
        recipient: recipient(email),
        matrix: matrix(),
        expires_in_days: None,
        link_check: LinkCheckChoice::Off,
    }
}

fn hr_user() -> User {
    User {
        id: HR,
        tenant: tenant_id(),
        first_name: Name::new("Lea").unwrap(),
        last_name: Name::new("Wolf").unwrap(),
        email: Email::parse("lea@firma.de").unwrap(),
        phone: None,
        role: RoleId::from_bytes([2; 16]),
        scope: scope_of("Köln"),
        status: UserStatus::Active,
        failed_logins: 0,
        language: None,
        auth: AuthMethods::default(),
        created_at: t0(),
    }
}

fn hr_role() -> Role {
    Role::custom(
        RoleId::from_bytes([2; 16]),
        tenant_id(),
        Name::new("Personal").unwrap(),
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    )
}

/// The memory store with HR (a role and a user), the employees, `stored`,
/// `handovers` and `settings`, and the link builder.
struct World {
    store: MemoryStore,
    links: MockLinkBuilder,
}

impl World {
    fn new(stored: Vec<Reference>, handovers: Vec<Handover>, settings: TenantSettings) -> Self {
        let mut writes = vec![
            Write::InsertRole(hr_role()),
            Write::InsertUser(hr_user()),
            Write::SaveSettings(settings, None),
        ];
        writes.extend(employees().into_iter().map(Write::InsertEmployee));
        writes.extend(stored.into_iter().map(Write::InsertReference));
        writes.extend(handovers.into_iter().map(Write::InsertHandover));

        let mut links = MockLinkBuilder::new();
        links
            .expect_handover_link()
            .returning(|tenant, id, secret| link(tenant.slug.as_str(), id, secret));

        Self {
            store: seeded(writes),
            links,
        }
    }

    fn with_reference(r: Reference) -> Self {
        Self::new(vec![r], vec![], TenantSettings::default())
    }

    /// Runs `f` on the service; returns its result and what was committed.
    fn act<T>(&self, f: impl FnOnce(&ReferenceService<'_>) -> T) -> (T, Vec<ChangeSet>) {
        self.act_with(&self.store, &self.store, f)
    }

    /// [`act`](Self::act) with other employee and reference ports.
    fn act_with<T>(
        &self,
        employees: &dyn EmployeeStore,
        references: &dyn ReferenceStore,
        f: impl FnOnce(&ReferenceService<'_>) -> T,
    ) -> (T, Vec<ChangeSet>) {
        let uow = Recording::new(&self.store);
        let (clock, random) = (clock_at(now()), counting_random());
        let service = ReferenceService {
            tenants: &self.store,
            settings: &self.store,
            users: &self.store,
            employees,
            references,
            handovers: &self.store,
            library: &self.store,
            uow: &uow,
            clock: &clock,
            random: &random,
            links: &self.links,
        };
        let result = f(&service);
        (result, uow.commits())
    }

    /// The reference as stored now.
    fn stored(&self, id: ReferenceId) -> Reference {
        run(self.store.reference(tenant_id(), id))
            .unwrap()
            .expect("the reference is stored")
            .value
    }

    fn handover(&self, id: crate::token::HandoverId) -> Handover {
        run(self.store.handover(tenant_id(), id))
            .unwrap()
            .expect("the handover is stored")
            .value
    }

    fn status_history(&self) -> Vec<(ReferenceStatus, ReferenceStatus, StatusActor)> {
        run(self.store.status_history(tenant_id(), REFERENCE))
            .unwrap()
            .into_iter()
            .map(|s| (s.from, s.to, s.by))
            .collect()
    }
}

fn link(slug: &str, id: crate::token::HandoverId, secret: &HandoverSecret) -> String {
    format!("https://z.example/t/{slug}/h/{id}#{}", secret.expose_hex())
}

fn the<T>(writes: &[Write], pick: impl Fn(&Write) -> Option<T>) -> Vec<T> {
    writes.iter().filter_map(pick).collect()
}

/// The reference as stored after `cs`, which updated it once (the store
/// refuses an update of a version other than the one read).
fn updated_reference(world: &World, cs: &ChangeSet) -> Reference {
    let found = the(cs.writes(), |w| match w {
        Write::UpdateReference(r, _) => Some(r.id()),
        _ => None,
    });
    assert_eq!(found, vec![REFERENCE], "one update of the reference");
    world.stored(REFERENCE)
}

/// `cs` took the reference from the supervisor back to HR, and its history
/// says so, naming HR.
fn back_with_hr(world: &World, cs: &ChangeSet) {
    assert_eq!(updated_reference(world, cs).status, ReferenceStatus::Draft);
    assert_eq!(
        world.status_history(),
        vec![(
            ReferenceStatus::WithSupervisor,
            ReferenceStatus::Draft,
            StatusActor::User(HR)
        )]
    );
}

/// Every call that names a reference, reduced to whether it succeeded.
fn every_call(
    s: &ReferenceService<'_>,
    a: &Actor,
    id: ReferenceId,
) -> Vec<(&'static str, Result<(), ReferenceError>)> {
    vec![
        ("get", run(s.get(a, id)).map(|_| ())),
        (
            "update_sections",
            run(s.update_sections(a, id, vec![(Section::Company, json!("Neu"))], None, None))
                .map(|_| ()),
        ),
        (
            "change_status",
            run(s.change_status(a, id, ReferenceStatus::InApproval, None)).map(|_| ()),
        ),
        ("delete", run(s.delete(a, id, None))),
        ("generate", run(s.generate(a, id, true, None)).map(|_| ())),
        (
            "adopt",
            run(s.adopt(a, id, (Version(1), [0; 32]), &BTreeSet::from([0]), None)).map(|_| ()),
        ),
        ("check", run(s.check(a, id)).map(|_| ())),
        ("history", run(s.history(a, id)).map(|_| ())),
        ("document", run(s.document(a, id, None)).map(|_| ())),
        (
            "hand_over",
            run(desk(s).hand_over(a, id, handover_input("petra@firma.de"), None)).map(|_| ()),
        ),
    ]
}

#[test]
fn a_private_reference_of_another_user_and_one_outside_the_scope_do_not_exist() {
    let private = Reference {
        id: ReferenceId::from_bytes([0x41; 16]),
        private: true,
        ..reference(ReferenceStatus::Draft)
    };
    let elsewhere = Reference {
        id: ReferenceId::from_bytes([0x42; 16]),
        org: located_in("Bonn"),
        ..reference(ReferenceStatus::Draft)
    };
    let missing = ReferenceId::from_bytes([0x43; 16]);
    let world = World::new(
        vec![private.clone(), elsewhere.clone()],
        vec![Handover {
            reference: private.id,
            ..handover(0xa1)
        }],
        TenantSettings::default(),
    );
    let (answers, c) =
        world.act(|s| [private.id, elsewhere.id, missing].map(|id| every_call(s, &hr(), id)));
    assert!(c.is_empty(), "nothing may be written");
    let [for_private, for_elsewhere, for_missing] = answers;
    for (call, r) in &for_missing {
        assert_eq!(
            r,
            &Err(ReferenceError::Access(AccessError::NotFound)),
            "{call}"
        );
    }
    assert_eq!(for_private, for_missing);
    assert_eq!(for_elsewhere, for_missing);

    // The same private reference exists for its creator.
    let (own, _) = world.act(|s| run(s.get(&user_in_koeln(COLLEAGUE), private.id)));
    assert_eq!(own.map(|v| v.reference.id), Ok(private.id));
}

#[test]
fn a_new_reference_is_prefilled_from_the_employee_record() {
    let world = World::new(vec![], vec![], TenantSettings::default());
    let new = NewReference {
        employee: SUBJECT,
        kind: ReferenceKind::Final,
        private: true,
    };
    let (view, c) = world.act(|s| run(s.create(&hr(), new, None)));
    let view = view.unwrap();
    assert_eq!(c.len(), 1);
    let Write::InsertReference(r) = &c[0].writes()[0] else {
        panic!("reference not inserted first")
    };
    assert_eq!(view.reference.id, r.id);
    assert_eq!(&world.stored(r.id), r, "stored as inserted");
    assert_eq!(
        (r.status, r.employee, r.created_by, r.private),
        (ReferenceStatus::Draft, SUBJECT, HR, true)
    );
    assert_eq!(r.org, subject().org);
    let section = |s: Section| Form::parse(s, r.content.get(s).unwrap()).unwrap();
    assert_eq!(
        section(Section::Data),
        Form::Data(DataForm {
            entry_date: Some(date!(2015 - 04 - 01)),
            exit_date: Some(date!(2024 - 03 - 31)),
            issue_reason: Some(IssueReason::EmployeeResignation),
        })
    );
    let Form::Personal(p) = section(Section::Personal) else {
        panic!("personal section not a personal form")
    };
    let expected = PersonalForm {
        salutation: Salutation::Frau,
        title: Some(crate::reference::form::Line::new("Dr.").unwrap()),
        first_name: crate::reference::form::Line::new("Jürgen").unwrap(),
        last_name: crate::reference::form::Line::new("Weiß").unwrap(),
        birth_date: Some(date!(1990 - 02 - 28)),
        birth_place: Some(crate::reference::form::Line::new("Bielefeld").unwrap()),
    };
    assert!(p == expected, "personal data not taken over");
    let Form::Tasks(TasksForm {
        position,
        department,
        ..
    }) = section(Section::Tasks)
    else {
        panic!("tasks section not a tasks form")
    };
    assert_eq!(
        position.map(|l| l.as_str().to_owned()).as_deref(),
        Some("Buchhalterin")
    );
    assert_eq!(
        department.map(|l| l.as_str().to_owned()).as_deref(),
        Some("Finanzen")
    );
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::ReferenceCreated]
    );
}

#[test]
fn a_section_that_does_not_fit_its_form_is_refused_by_key_and_nothing_is_saved() {
    let world = World::with_reference(reference(ReferenceStatus::Draft));
    let inputs: Vec<SectionInput> = vec![
        (Section::Company, json!("Neu")),
        (Section::Conduct, json!({"superiors": 7})),
    ];
    let (r, c) = world.act(|s| run(s.update_sections(&hr(), REFERENCE, inputs, None, None)));
    assert!(
        matches!(&r, Err(ReferenceError::Invalid { field: Some(f), .. }) if f == "conduct"),
        "{r:?}"
    );
    assert!(c.is_empty());
}

#[test]
fn a_reference_in_approval_can_no_longer_be_edited() {
    let world = World::with_reference(reference(ReferenceStatus::InApproval));
    let (r, c) = world.act(|s| {
        run(s.update_sections(
            &hr(),
            REFERENCE,
            vec![(Section::Company, json!("Neu"))],
            None,
            None,
        ))
    });
    assert_eq!(
        r.map(|_| ()),
        Err(ReferenceError::NotEditable(ReferenceStatus::InApproval))
    );
    assert!(c.is_empty());
}

#[test]
fn with_change_tracking_each_changed_section_is_logged_with_editor_and_both_contents() {
    let world = World::new(
        vec![reference(ReferenceStatus::Draft)],
        vec![],
        tracking(true),
    );
    let (r, c) = world.act(|s| {
        run(s.update_sections(
            &hr(),
            REFERENCE,
            vec![(Section::Company, json!("Neu"))],
            None,
            None,
        ))
    });
    let view = r.unwrap();
    assert_eq!(
        view.reference
            .content
            .get(Section::Company)
            .map(SectionContent::as_str),
        Some("Neu")
    );
    assert_eq!(c.len(), 1);
    let saved = updated_reference(&world, &c[0]);
    assert_eq!(
        saved
            .content
            .get(Section::Company)
            .map(SectionContent::as_str),
        Some("Neu")
    );
    assert_eq!(saved.changed_at, now(), "the save is the last change");
    assert_ne!(reference(ReferenceStatus::Draft).changed_at, now());
    let log = run(world.store.change_log(tenant_id(), REFERENCE)).unwrap();
    assert_eq!(log.len(), 1);
    let entry = &log[0];
    assert_eq!(entry.section, Section::Company);
    assert_eq!(entry.editor.as_str(), "Lea Wolf");
    assert_eq!(entry.by, StatusActor::User(HR));
    assert_eq!(entry.at, now());
    assert_eq!(
        entry.before.as_ref().map(SectionContent::as_str),
        Some("Alt")
    );
    assert_eq!(
        entry.after.as_ref().map(SectionContent::as_str),
        Some("Neu")
    );
    let events = logged(&world.store);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, AuditAction::ReferenceChanged);
    let fields: Vec<&str> = events[0].changes.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["company"]);
}

#[test]
fn without_change_tracking_no_change_log_is_written() {
    let world = World::new(
        vec![reference(ReferenceStatus::Draft)],
        vec![],
        tracking(false),
    );
    let (r, c) = world.act(|s| {
        run(s.update_sections(
            &hr(),
            REFERENCE,
            vec![(Section::Company, json!("Neu"))],
            None,
            None,
        ))
    });
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        updated_reference(&world, &c[0])
            .content
            .get(Section::Company)
            .map(SectionContent::as_str),
        Some("Neu")
    );
    assert_eq!(
        run(world.store.change_log(tenant_id(), REFERENCE)),
        Ok(vec![])
    );
}

#[test]
fn the_signatures_section_names_the_signatories_once_each() {
    let world = World::with_reference(reference(ReferenceStatus::Draft));
    let (petra, max) = (
        EmployeeId::from_bytes([0x57; 16]),
        EmployeeId::from_bytes([0x58; 16]),
    );
    let signers = json!([
        {"employee": petra, "name": "Petra Schulz", "position": "Leiterin Personal"},
        {"employee": max, "name": "Max Mahler"},
        {"employee": petra, "name": "Petra Schulz"},
        {"name": "Ohne Datensatz"},
    ]);
    let (r, c) = world.act(|s| {
        run(s.update_sections(
            &hr(),
            REFERENCE,
            vec![(Section::Signatures, signers)],
            None,
            None,
        ))
    });
    assert_eq!(
        r.map(|v| v.reference.signatories.clone()),
        Ok(vec![petra, max])
    );
    assert_eq!(
        updated_reference(&world, &c[0]).signatories,
        vec![petra, max]
    );

    // A signer naming an employee who does not exist is refused.
    let ghost = EmployeeId::from_bytes([0x5f; 16]);
    let (r, c) = world.act(|s| {
        run(s.update_sections(
            &hr(),
            REFERENCE,
            vec![(
                Section::Signatures,
                json!([{"employee": ghost, "name": "Niemand"}]),
            )],
            None,
            None,
        ))
    });
    assert!(
        matches!(&r, Err(ReferenceError::Invalid { field: Some(f), .. }) if f == "signatures"),
        "{r:?}"
    );
    assert!(c.is_empty());
}

#[test]
fn a_signer_outside_the_writers_scope_is_refused_like_one_who_does_not_exist() {
    let ghost = EmployeeId::from_bytes([0x5f; 16]);
    let bonn = EmployeeId::from_bytes([0x5b; 16]);
    let refusal = |r: &Result<crate::services::references::ReferenceView, ReferenceError>| match r {
        Err(ReferenceError::Invalid {
            field: Some(f),
            message,
        }) if f == "signatures" => message.clone(),
        other => panic!("not refused: {other:?}"),
    };
    let world = World::with_reference(reference(ReferenceStatus::Draft));
    let name = |id: EmployeeId| {
        vec![(
            Section::Signatures,
            json!([{"employee": id, "name": "Jemand"}]),
        )]
    };
    let (outside, c1) =
        world.act(|s| run(s.update_sections(&hr(), REFERENCE, name(bonn), None, None)));
    let (unknown, c2) =
        world.act(|s| run(s.update_sections(&hr(), REFERENCE, name(ghost), None, None)));
    assert_eq!(
        refusal(&outside),
        refusal(&unknown),
        "the answers tell the two apart"
    );
    assert!(c1.is_empty() && c2.is_empty());

    // A signatory the reference names already (set by someone with a wider
    // scope) may stay when the section is saved again.
    let mut named = reference(ReferenceStatus::Draft);
    named.signatories = vec![bonn];
    let world = World::with_reference(named);
    let (kept, c) = world.act(|s| run(s.update_sections(&hr(), REFERENCE, name(bonn), None, None)));
    assert_eq!(
        kept.map(|v| v.reference.signatories.clone()),
        Ok(vec![bonn])
    );
    assert_eq!(c.len(), 1);
}

#[test]
fn a_reference_goes_to_the_supervisor_only_by_handing_it_over() {
    let world = World::with_reference(reference(ReferenceStatus::Draft));
    let (r, c) = world
        .act(|s| run(s.change_status(&hr(), REFERENCE, ReferenceStatus::WithSupervisor, None)));
    assert!(
        matches!(&r, Err(ReferenceError::Invalid { field: Some(f), .. }) if f == "status"),
        "{r:?}"
    );
    assert!(c.is_empty());
}

#[test]
fn a_status_change_the_workflow_does_not_allow_is_refused() {
    let world = World::with_reference(reference(ReferenceStatus::Draft));
    let (r, c) =
        world.act(|s| run(s.change_status(&hr(), REFERENCE, ReferenceStatus::Completed, None)));
    assert_eq!(
        r.map(|_| ()),
        Err(ReferenceError::Transition(TransitionError {
            from: ReferenceStatus::Draft,
            to: ReferenceStatus::Completed
        }))
    );
    assert!(c.is_empty());
}

#[test]
fn taking_a_reference_back_to_draft_revokes_its_active_handovers() {
    let (active, gone) = (handover(0xa1), revoked(0xb1));
    let world = World::new(
        vec![reference(ReferenceStatus::WithSupervisor)],
        vec![active.clone(), gone.clone()],
        TenantSettings::default(),
    );
    let (r, c) =
        world.act(|s| run(s.change_status(&hr(), REFERENCE, ReferenceStatus::Draft, None)));
    assert_eq!(r.map(|v| v.reference.status), Ok(ReferenceStatus::Draft));
    assert_eq!(c.len(), 1);
    let writes = c[0].writes();
    let handovers = the(writes, |w| match w {
        Write::UpdateHandover(h, v) => Some((h.clone(), *v)),
        _ => None,
    });
    assert_eq!(handovers.len(), 1, "only the active handover is revoked");
    assert_eq!(handovers[0].0.id, active.id);
    assert_eq!(world.handover(active.id).revoked_at, Some(now()));
    assert_eq!(
        world.handover(gone.id),
        gone,
        "the revoked one stays as it was"
    );
    let sessions = the(writes, |w| match w {
        Write::DeleteSessionsOfHandover(id) => Some(*id),
        _ => None,
    });
    assert_eq!(sessions, vec![active.id]);
    back_with_hr(&world, &c[0]);
}

#[test]
fn deleting_a_reference_ends_the_sessions_of_each_of_its_handovers() {
    let (a, b) = (handover(0xa1), revoked(0xb1));
    let world = World::new(
        vec![reference(ReferenceStatus::Draft)],
        vec![a.clone(), b.clone()],
        TenantSettings::default(),
    );
    let (r, c) = world.act(|s| run(s.delete(&hr(), REFERENCE, None)));
    assert_eq!(r, Ok(()));
    assert_eq!(c.len(), 1);
    let writes = c[0].writes();
    // In the store's order of the handovers: newest first.
    assert_eq!(
        &writes[..3],
        &[
            Write::DeleteSessionsOfHandover(b.id),
            Write::DeleteSessionsOfHandover(a.id),
            Write::DeleteReference(REFERENCE),
        ]
    );
    assert_eq!(run(world.store.reference(tenant_id(), REFERENCE)), Ok(None));
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::ReferenceDeleted]
    );
}

#[test]
fn generating_without_the_personal_data_is_refused() {
    let mut r = reference(ReferenceStatus::Draft);
    r.content = content(&[
        (Section::Performance, r#"{"ratings":{"willingness":1}}"#),
        (Section::Conduct, r#"{"superiors":1,"colleagues":1}"#),
    ]);
    let world = World::with_reference(r);
    let (r, c) = world.act(|s| run(s.generate(&hr(), REFERENCE, true, None)));
    assert_eq!(
        r,
        Err(ReferenceError::Generate(
            crate::generator::GenerateError::MissingPersonal
        ))
    );
    assert!(c.is_empty());
}

#[test]
fn the_first_generation_writes_the_text_and_its_fingerprint() {
    let world = World::with_reference(reference(ReferenceStatus::Draft));
    let (r, c) = world.act(|s| run(s.generate(&hr(), REFERENCE, false, None)));
    let Ok(GenerateOutcome::Written(text)) = r else {
        panic!("expected a text, got {r:?}")
    };
    assert!(text.contains("Weiß"), "the text names the employee");
    assert_eq!(c.len(), 1);
    let saved = updated_reference(&world, &c[0]);
    assert_eq!(
        saved
            .content
            .get(Section::Result)
            .map(SectionContent::as_str),
        Some(text.as_str())
    );
    assert_eq!(saved.generated, Some(fingerprint(&text)));
    assert_eq!(
        saved.changed_at,
        now(),
        "the text written is the last change"
    );
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::ReferenceGenerated]
    );
}

#[test]
fn a_text_edited_by_hand_is_kept_unless_regeneration_is_forced() {
    let mut edited = reference(ReferenceStatus::Draft);
    edited.content.set(
        Section::Result,
        SectionContent::new("Von Hand geschrieben.").unwrap(),
    );
    edited.generated = Some(fingerprint("Was der Generator schrieb."));
    let world = World::with_reference(edited);
    let (r, c) = world.act(|s| run(s.generate(&hr(), REFERENCE, false, None)));
    let Ok(GenerateOutcome::Kept { proposed, diff }) = r else {
        panic!("expected the text to be kept, got {r:?}")
    };
    assert!(diff.contains(&DiffLine::Removed("Von Hand geschrieben.".into())));
    assert!(diff.iter().any(|d| matches!(d, DiffLine::Added(_))));
    assert!(c.is_empty(), "a kept text writes nothing");

    let (r, c) = world.act(|s| run(s.generate(&hr(), REFERENCE, true, None)));
    assert_eq!(r, Ok(GenerateOutcome::Written(proposed.clone())));
    let saved = updated_reference(&world, &c[0]);
    assert_eq!(
        saved
            .content
            .get(Section::Result)
            .map(SectionContent::as_str),
        Some(proposed.as_str())
    );
    assert_eq!(saved.generated, Some(fingerprint(&proposed)));
}

/// The reference with a hand-edited text, the generator's proposal for it,
/// and the version it is stored at.
fn edited_with_proposal() -> (World, String, Version) {
    let mut edited = reference(ReferenceStatus::Draft);
    edited.content.set(
        Section::Result,
        SectionContent::new("Von Hand geschrieben.").unwrap(),
    );
    edited.generated = Some(fingerprint("Was der Generator schrieb."));
    let world = World::with_reference(edited);
    let (r, _) = world.act(|s| run(s.generate(&hr(), REFERENCE, false, None)));
    let Ok(GenerateOutcome::Kept { proposed, .. }) = r else {
        panic!("expected the text to be kept, got {r:?}")
    };
    let version = run(world.store.reference(tenant_id(), REFERENCE))
        .unwrap()
        .unwrap()
        .version;
    (world, proposed, version)
}

#[test]
fn adopting_some_sentences_of_the_proposal_keeps_the_text_a_hand_edited_one() {
    let (world, proposed, version) = edited_with_proposal();
    let diff = crate::generator::diff("Von Hand geschrieben.", &proposed);
    // Take the first added sentence only; keep the hand-written one.
    let first_added = diff
        .iter()
        .position(|d| matches!(d, DiffLine::Added(_)))
        .unwrap();
    let DiffLine::Added(sentence) = &diff[first_added] else {
        unreachable!()
    };
    let accept = BTreeSet::from([first_added]);
    let (r, c) = world.act(|s| {
        run(s.adopt(
            &hr(),
            REFERENCE,
            (version, fingerprint(&proposed)),
            &accept,
            None,
        ))
    });
    let Ok(GenerateOutcome::Written(text)) = r else {
        panic!("expected a text, got {r:?}")
    };
    assert!(text.contains("Von Hand geschrieben."), "{text}");
    assert!(text.contains(sentence.as_str()), "{text}");
    let saved = updated_reference(&world, &c[0]);
    assert_eq!(
        saved.generated,
        Some(fingerprint("Was der Generator schrieb.")),
        "still edited by hand: a later regeneration keeps it"
    );
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::ReferenceChanged]
    );
}

#[test]
fn adopting_every_change_makes_the_text_the_generators_again() {
    let (world, proposed, version) = edited_with_proposal();
    let n = crate::generator::diff("Von Hand geschrieben.", &proposed).len();
    let all: BTreeSet<usize> = (0..n).collect();
    let (r, c) = world.act(|s| {
        run(s.adopt(
            &hr(),
            REFERENCE,
            (version, fingerprint(&proposed)),
            &all,
            None,
        ))
    });
    assert_eq!(r, Ok(GenerateOutcome::Written(proposed.clone())));
    let saved = updated_reference(&world, &c[0]);
    assert_eq!(saved.generated, Some(fingerprint(&proposed)));
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::ReferenceGenerated]
    );
}

#[test]
fn adopting_from_a_stale_proposal_or_version_writes_nothing() {
    let (world, proposed, version) = edited_with_proposal();
    let all = BTreeSet::from([0, 1, 2]);
    for (v, p) in [
        (Version(version.0 + 1), fingerprint(&proposed)),
        (version, fingerprint("Ein anderer Vorschlag.")),
    ] {
        let (r, c) = world.act(|s| run(s.adopt(&hr(), REFERENCE, (v, p), &all, None)));
        assert!(matches!(r, Err(ReferenceError::Conflict(_))), "{r:?}");
        assert!(c.is_empty());
    }
}

#[test]
fn the_history_names_the_users_who_changed_the_status() {
    let world = World::with_reference(reference(ReferenceStatus::Draft));
    let (r, _) =
        world.act(|s| run(s.change_status(&hr(), REFERENCE, ReferenceStatus::InApproval, None)));
    r.unwrap();
    let (h, _) = world.act(|s| run(s.history(&hr(), REFERENCE)));
    let h = h.unwrap();
    assert_eq!(h.statuses.len(), 1);
    let StatusActor::User(by) = h.statuses[0].by else {
        panic!("a user changed it")
    };
    assert!(h.user_names.get(&by).is_some_and(|n| !n.trim().is_empty()));
}

#[test]
fn a_handover_to_a_domain_the_settings_do_not_allow_is_refused_and_nothing_is_written() {
    let mut settings = TenantSettings::default();
    settings.privacy.allowed_handover_domains = AllowedDomains::only(["firma.de"]).unwrap();
    let world = World::new(vec![reference(ReferenceStatus::Draft)], vec![], settings);
    let (r, c) = world
        .act(|s| run(desk(s).hand_over(&hr(), REFERENCE, handover_input("chef@gmail.com"), None)));
    assert_eq!(
        r,
        Err(ReferenceError::Handover(HandoverError::DomainNotAllowed {
            domain: "gmail.com".into()
        }))
    );
    assert!(c.is_empty());
}

#[test]
fn handing_over_stores_the_handover_moves_the_reference_and_mails_the_link_together() {
    let world = World::with_reference(reference(ReferenceStatus::Draft));
    let (r, c) = world
        .act(|s| run(desk(s).hand_over(&hr(), REFERENCE, handover_input("petra@firma.de"), None)));
    let h = r.unwrap();
    assert_eq!(c.len(), 1, "one transaction");
    let writes = c[0].writes();
    assert_eq!(writes[0], Write::InsertHandover(h.clone()));
    assert_eq!(world.handover(h.id), h);
    assert_eq!(
        (h.reference, h.created_by, h.expires_at),
        (REFERENCE, HR, now() + Duration::days(30))
    );
    assert_eq!(
        updated_reference(&world, &c[0]).status,
        ReferenceStatus::WithSupervisor
    );
    assert_eq!(
        world.status_history(),
        vec![(
            ReferenceStatus::Draft,
            ReferenceStatus::WithSupervisor,
            StatusActor::User(HR)
        )]
    );

    let messages = the(writes, |w| match w {
        Write::Enqueue(m) => Some(m.clone()),
        _ => None,
    });
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m.kind, MessageKind::HandoverLink);
    assert_eq!(
        m.to,
        Destination::Email(Email::parse("petra@firma.de").unwrap())
    );
    assert_eq!(m.params.get("recipient_name"), Some("Petra Vorgesetzte"));
    assert_eq!(m.params.get("requested_by"), Some("Lea Wolf"));
    assert_eq!(m.expires_at, Some(h.expires_at));
    // 15:06 UTC is 17:06 in Berlin in July: the organisation's time, no seconds.
    assert_eq!(m.params.get("valid_until"), Some("16.07.2025, 17:06 Uhr"));
    // The link is the one the link builder made for this handover and its secret.
    let sent = m.params.get("link").unwrap();
    let secret: HandoverSecret = sent.rsplit('#').next().unwrap().parse().unwrap();
    assert_eq!(sent, link("firma", h.id, &secret));
    assert!(h.secret_matches(&secret), "the link opens this handover");
    // The handover keeps only the secret's hash.
    assert_eq!(h.secret_hash, secret.hash());
    let stored = serde_json::to_string(&h).unwrap();
    assert!(!stored.contains(&secret.expose_hex()));

    let events = logged(&world.store);
    let created: Vec<_> = events
        .iter()
        .filter(|e| e.action == AuditAction::HandoverCreated)
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].target, AuditTarget::Handover(h.id));
    let audit = serde_json::to_string(created[0]).unwrap();
    for personal in [
        "petra@firma.de",
        "Petra Vorgesetzte",
        secret.expose_hex().as_str(),
    ] {
        assert!(!audit.contains(personal), "{personal} in the audit entry");
    }
}

#[test]
fn revoking_the_last_active_handover_returns_the_reference_to_draft() {
    let (h, other) = (handover(0xa1), handover(0xa2));
    let world = World::new(
        vec![reference(ReferenceStatus::WithSupervisor)],
        vec![h.clone()],
        TenantSettings::default(),
    );
    let (r, c) = world.act(|s| run(desk(s).revoke(&hr(), h.id, None)));
    assert_eq!(r.map(|x| x.revoked_at), Ok(Some(now())));
    let writes = c[0].writes();
    assert!(
        matches!(&writes[0], Write::UpdateHandover(x, _) if x.id == h.id && x.revoked_at == Some(now()))
    );
    assert_eq!(world.handover(h.id).revoked_at, Some(now()));
    assert_eq!(writes[1], Write::DeleteSessionsOfHandover(h.id));
    back_with_hr(&world, &c[0]);
    assert_eq!(
        logged_actions(&world.store),
        vec![
            AuditAction::ReferenceStatusChanged,
            AuditAction::HandoverRevoked
        ],
        "the return to HR is audited with the revocation"
    );

    // While another handover is still active, the reference stays with the supervisor.
    let world = World::new(
        vec![reference(ReferenceStatus::WithSupervisor)],
        vec![h.clone(), other],
        TenantSettings::default(),
    );
    let (r, c) = world.act(|s| run(desk(s).revoke(&hr(), h.id, None)));
    assert!(r.is_ok(), "{r:?}");
    assert!(
        !c[0]
            .writes()
            .iter()
            .any(|w| matches!(w, Write::UpdateReference(..) | Write::AppendStatusChange(_)))
    );
    assert_eq!(
        world.stored(REFERENCE).status,
        ReferenceStatus::WithSupervisor
    );
    assert_eq!(world.status_history(), vec![]);
}

/// A draft of HR's for employee `n`, created `age` seconds before t0.
fn listed(n: u8, age: i64) -> Reference {
    Reference {
        id: ReferenceId::from_bytes([n; 16]),
        employee: EmployeeId::from_bytes([n; 16]),
        created_by: HR,
        created_at: t0() - Duration::seconds(age),
        ..reference(ReferenceStatus::Draft)
    }
}

#[test]
fn a_search_needs_at_least_two_characters() {
    let world = World::new(vec![], vec![], TenantSettings::default());
    let (r, _) = world.act(|s| run(s.search(&hr(), " w ", &ReferenceQuery::default(), 20)));
    assert!(
        matches!(&r, Err(ReferenceError::Invalid { field: Some(f), .. }) if f == "q"),
        "{r:?}"
    );
}

#[test]
fn a_search_matches_names_case_insensitively_among_what_the_store_returned_only() {
    // Newest first, two a page: Anna Schmidt and Jürgen Weiß, then Karl
    // Weißbach. Heinz Weißmann (0x59) has a reference, but a private one of a
    // colleague: the store returns it to no one else.
    let heinz = Reference {
        private: true,
        created_by: COLLEAGUE,
        ..listed(0x59, 3)
    };
    let world = World::new(
        vec![listed(0x56, 1), listed(0x55, 2), heinz, listed(0x5a, 4)],
        vec![],
        TenantSettings::default(),
    );
    let watched = Watched::new(&world.store).paging_by(2);
    let (r, c) = world.act_with(&watched, &watched, |s| {
        run(s.search(&hr(), "wEIß", &ReferenceQuery::default(), 20))
    });
    let names: Vec<Option<String>> = r.unwrap().into_iter().map(|l| l.employee_name).collect();
    assert_eq!(
        names,
        vec![
            Some("Jürgen Weiß".to_owned()),
            Some("Karl Weißbach".to_owned())
        ]
    );
    assert!(c.is_empty());
    let looked_up = watched.employees.lock().unwrap().clone();
    assert!(
        looked_up.contains(&EmployeeId::from_bytes([0x5a; 16])),
        "the second page is read"
    );
    assert!(!looked_up.contains(&EmployeeId::from_bytes([0x59; 16])));
    assert!(
        watched.references.lock().unwrap().is_empty(),
        "the search reads no reference beyond the store's list"
    );
}

fn letter_reference(kind: ReferenceKind, status: ReferenceStatus, result: &str) -> Reference {
    let mut r = reference(status);
    r.kind = kind;
    r.content
        .set(Section::Result, SectionContent::new(result).unwrap());
    r
}

#[test]
fn a_reference_without_text_has_no_letter() {
    let mut r = reference(ReferenceStatus::Draft);
    assert_eq!(
        letter_of(&r, date!(2024 - 04 - 02)),
        Err(ReferenceError::NoText)
    );
    r.content
        .set(Section::Result, SectionContent::new(" \n\n \r\n").unwrap());
    assert_eq!(
        letter_of(&r, date!(2024 - 04 - 02)),
        Err(ReferenceError::NoText)
    );
}

#[test]
fn the_letter_splits_paragraphs_on_blank_lines_only() {
    let r = letter_reference(
        ReferenceKind::Final,
        ReferenceStatus::Draft,
        "Absatz eins.\n\n  Absatz zwei.  \r\n\r\nAufgaben:\n– Buchhaltung\n\n\n\nEnde.",
    );
    let letter = letter_of(&r, date!(2024 - 04 - 02)).unwrap();
    assert_eq!(
        letter.paragraphs,
        vec![
            "Absatz eins.".to_owned(),
            "Absatz zwei.".to_owned(),
            "Aufgaben:\n– Buchhaltung".to_owned(),
            "Ende.".to_owned(),
        ]
    );
}

#[test]
fn only_an_approved_or_later_reference_prints_without_the_draft_mark() {
    for (status, draft) in [
        (ReferenceStatus::Draft, true),
        (ReferenceStatus::WithSupervisor, true),
        (ReferenceStatus::InApproval, true),
        (ReferenceStatus::Approved, false),
        (ReferenceStatus::Completed, false),
        (ReferenceStatus::Archived, false),
    ] {
        let r = letter_reference(ReferenceKind::Final, status, "Text.");
        assert_eq!(
            letter_of(&r, date!(2024 - 04 - 02)).map(|l| l.draft),
            Ok(draft),
            "{status}"
        );
    }
}

#[test]
fn the_heading_follows_the_kind_unless_hr_set_one() {
    let today = date!(2024 - 04 - 02);
    let final_ref = letter_reference(ReferenceKind::Final, ReferenceStatus::Draft, "Text.");
    let interim = letter_reference(ReferenceKind::Interim, ReferenceStatus::Draft, "Text.");
    assert_eq!(
        letter_of(&final_ref, today).map(|l| l.heading),
        Ok("Arbeitszeugnis".to_owned())
    );
    assert_eq!(
        letter_of(&interim, today).map(|l| l.heading),
        Ok("Zwischenzeugnis".to_owned())
    );
    let mut own = final_ref;
    own.content.set(
        Section::ReferenceData,
        SectionContent::new(r#"{"heading":"Qualifiziertes Arbeitszeugnis","place":"Köln"}"#)
            .unwrap(),
    );
    let letter = letter_of(&own, today).unwrap();
    assert_eq!(letter.heading, "Qualifiziertes Arbeitszeugnis");
    assert_eq!(letter.place, "Köln");
}

#[test]
fn a_section_given_twice_is_refused() {
    let r = parse_sections(vec![
        (Section::Company, json!("Eins")),
        (Section::Company, json!("Zwei")),
    ]);
    assert!(
        matches!(&r, Err(ReferenceError::Invalid { field: Some(f), .. }) if f == "company"),
        "{r:?}"
    );
}

/// A reference of HR's for employee `n` in `status` since `days` before now,
/// in `location`.
fn waiting_in(n: u8, status: ReferenceStatus, days: i64, location: &str) -> Reference {
    Reference {
        status,
        status_since: now() - Duration::days(days),
        org: located_in(location),
        ..listed(n, 0)
    }
}

#[test]
fn the_dashboard_counts_marks_overdue_and_lists_own_drafts_within_what_the_user_sees() {
    let colleagues_draft = Reference {
        created_by: COLLEAGUE,
        ..waiting_in(0x58, ReferenceStatus::Draft, 1, "Köln")
    };
    let private_of_colleague = Reference {
        private: true,
        created_by: COLLEAGUE,
        ..waiting_in(0x59, ReferenceStatus::WithSupervisor, 40, "Köln")
    };
    let stored = vec![
        waiting_in(0x55, ReferenceStatus::WithSupervisor, 20, "Köln"),
        waiting_in(0x56, ReferenceStatus::InApproval, 2, "Köln"),
        waiting_in(0x57, ReferenceStatus::Draft, 3, "Köln"),
        colleagues_draft,
        private_of_colleague,
        // Outside HR's scope (Köln): neither counted nor listed.
        waiting_in(0x5a, ReferenceStatus::WithSupervisor, 30, "Bonn"),
    ];
    let world = World::new(stored.clone(), vec![], TenantSettings::default());
    let (d, commits) = world.act(|s| run(s.dashboard(&hr())));
    let d = d.unwrap();
    assert!(commits.is_empty(), "reading the overview writes nothing");
    let count = |status| d.counts.iter().find(|(s, _)| *s == status).unwrap().1;
    assert_eq!(d.counts.len(), ReferenceStatus::ALL.len());
    assert_eq!(count(ReferenceStatus::WithSupervisor), 1);
    assert_eq!(count(ReferenceStatus::InApproval), 1);
    assert_eq!(count(ReferenceStatus::Draft), 2);
    assert_eq!(count(ReferenceStatus::Completed), 0);
    let waiting: Vec<(ReferenceId, bool)> = d
        .waiting
        .iter()
        .map(|w| (w.line.summary.id, w.overdue))
        .collect();
    assert_eq!(
        waiting,
        vec![
            (ReferenceId::from_bytes([0x55; 16]), true),
            (ReferenceId::from_bytes([0x56; 16]), false),
        ],
        "longest waiting first; 20 days is past the default of 14"
    );
    assert_eq!(d.overdue_after_days, 14);
    let mine: Vec<ReferenceId> = d.my_drafts.iter().map(|l| l.summary.id).collect();
    assert_eq!(mine, vec![ReferenceId::from_bytes([0x57; 16])]);

    // The organisation's own mark decides what is overdue.
    let mut patient = TenantSettings::default();
    patient.working.overdue_after = crate::settings::Days::handover_expiry(30).unwrap();
    let world = World::new(stored, vec![], patient);
    let (d, _) = world.act(|s| run(s.dashboard(&hr())));
    let d = d.unwrap();
    assert!(d.waiting.iter().all(|w| !w.overdue), "{:?}", d.waiting);
    assert_eq!(d.overdue_after_days, 30);
}

#[test]
fn the_dashboard_needs_read_access_to_employees() {
    let world = World::new(vec![], vec![], TenantSettings::default());
    let outsider = Actor::new(
        tenant_id(),
        HR,
        Permissions::none(),
        false,
        scope_of("Köln"),
    );
    let (d, _) = world.act(|s| run(s.dashboard(&outsider)));
    assert!(matches!(d, Err(ReferenceError::Access(_))), "{d:?}");
}

#[test]
fn a_reminder_sends_a_fresh_link_once_a_day_and_the_old_link_stops_working() {
    let h = handover(0xb1);
    let old_hash = h.secret_hash;
    let world = World::new(
        vec![reference(ReferenceStatus::WithSupervisor)],
        vec![h.clone()],
        TenantSettings::default(),
    );
    let (r, c) = world.act(|s| run(desk(s).remind(&hr(), h.id, None)));
    let reminded = r.unwrap();
    assert_eq!(c.len(), 1, "one transaction");
    let writes = c[0].writes();
    let messages = the(writes, |w| match w {
        Write::Enqueue(m) => Some(m.clone()),
        _ => None,
    });
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].kind, MessageKind::HandoverReminder);
    assert_eq!(
        messages[0].to,
        Destination::Email(Email::parse("petra@firma.de").unwrap())
    );
    let stored = world.handover(h.id);
    assert_ne!(stored.secret_hash, old_hash, "the old link stops working");
    assert_eq!(stored.reminded_at, Some(now()));
    assert_eq!(reminded.reminded_at, Some(now()));
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::HandoverReminded]
    );

    // Again the same day: refused, nothing written.
    let (r, c) = world.act(|s| run(desk(s).remind(&hr(), h.id, None)));
    assert!(
        matches!(
            r,
            Err(ReferenceError::Handover(
                HandoverError::RemindedToday { .. }
            ))
        ),
        "{r:?}"
    );
    assert!(c.is_empty());
}

#[test]
fn a_closed_handover_or_one_outside_the_scope_gets_no_reminder() {
    let closed = revoked(0xb2);
    let world = World::new(
        vec![reference(ReferenceStatus::Draft)],
        vec![closed.clone()],
        TenantSettings::default(),
    );
    let (r, c) = world.act(|s| run(desk(s).remind(&hr(), closed.id, None)));
    assert_eq!(
        r,
        Err(ReferenceError::Handover(HandoverError::AlreadyRevoked))
    );
    assert!(c.is_empty());
    let elsewhere = Reference {
        org: located_in("Bonn"),
        ..reference(ReferenceStatus::WithSupervisor)
    };
    let h = handover(0xb3);
    let world = World::new(vec![elsewhere], vec![h.clone()], TenantSettings::default());
    let (r, c) = world.act(|s| run(desk(s).remind(&hr(), h.id, None)));
    assert_eq!(r, Err(ReferenceError::Access(AccessError::NotFound)));
    assert!(c.is_empty());
}
