//! The cases, each written once against the ports. Every case starts from an
//! empty store and fails by panicking (an assertion), naming what broke.
//!
//! Checks that look behind the ports (how many records of a kind a tenant
//! still has) run only where the subject answers
//! [`StoreUnderTest::records`].

use std::collections::BTreeSet;

use zeugnis_core::access::Permissions;
use zeugnis_core::access::RoleKind;
use zeugnis_core::action::{ActionPurpose, PendingAction};
use zeugnis_core::audit::{AuditAction, AuditActor, AuditEntry, AuditEvent, AuditTarget};
use zeugnis_core::authz::{Actor, VisibilityFacts};
use zeugnis_core::id::{MessageId, TenantId};
use zeugnis_core::ports::*;
use zeugnis_core::reference::{ReferenceStatus, StatusActor};
use zeugnis_core::scope::{Criterion, ReferenceScope, Restriction};
use zeugnis_core::session::{PendingLogin, Principal, Session};
use zeugnis_core::settings::SessionTimeouts;
use zeugnis_core::token::{ActionToken, SecretToken as _, SessionToken};
use zeugnis_core::values::{Email, Timestamp};

use crate::fixtures::*;
use crate::{Ports, Records, StoreUnderTest, expect_records};

/// A tenant with its Administrator role, a clerk role and one administrator.
pub async fn seed_tenant<S: Ports>(store: &S, n: u8) -> (TenantId, zeugnis_core::user::User) {
    let t = tenant(n);
    let role = admin_role(t.id);
    let admin = user(t.id, 1, role.id, &format!("admin{n}@firma.de"));
    let mut cs = ChangeSet::new(t.id);
    cs.push(Write::InsertTenant(t.clone()))
        .push(Write::InsertRole(role))
        .push(Write::InsertRole(clerk_role(t.id)))
        .push(Write::InsertUser(admin.clone()));
    store.commit(cs).await.unwrap();
    (t.id, admin)
}

/// Stores [`signed_reference`]'s employee, signatory and reference.
pub async fn seed_signed_reference<S: Ports>(
    store: &S,
    t: TenantId,
    creator: zeugnis_core::id::UserId,
    created_at: Timestamp,
) -> (
    zeugnis_core::employee::Employee,
    zeugnis_core::employee::Employee,
    zeugnis_core::reference::Reference,
) {
    let (e, signer, r) = signed_reference(t, creator, created_at);
    commit(
        store,
        t,
        vec![
            Write::InsertEmployee(e.clone()),
            Write::InsertEmployee(signer.clone()),
            Write::InsertReference(r.clone()),
        ],
    )
    .await
    .unwrap();
    (e, signer, r)
}

/// Commits `writes` as one change set of tenant `t`.
pub async fn commit<S: Ports>(
    store: &S,
    t: TenantId,
    writes: Vec<Write>,
) -> Result<(), StoreError> {
    let mut cs = ChangeSet::new(t);
    for w in writes {
        cs.push(w);
    }
    store.commit(cs).await
}

/// What an Administrator of `tenant` may see: every reference.
fn everything(
    tenant: TenantId,
    admin: zeugnis_core::id::UserId,
) -> zeugnis_core::authz::VisibilityFilter {
    Actor::new(
        tenant,
        admin,
        Permissions::all(),
        true,
        ReferenceScope::Administrator,
    )
    .visibility()
}

/// Case: Tenant user role and credential round trip.
pub async fn tenant_user_role_and_credential_round_trip<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    assert_eq!(s.tenant(t).await.unwrap(), Some(tenant(1)));
    assert_eq!(
        s.tenant_by_slug(&tenant(1).slug)
            .await
            .unwrap()
            .map(|x| x.id),
        Some(t)
    );

    let got = s.user(t, admin.id).await.unwrap().unwrap();
    assert_eq!(got.value, admin);
    let by_mail = s
        .user_by_email(t, &Email::parse("ADMIN1@Firma.de").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_mail.value.id, admin.id);
    assert_eq!(
        s.active_administrators(t).await.unwrap(),
        BTreeSet::from([admin.id])
    );

    let roles = s.roles(t).await.unwrap();
    assert_eq!(roles.len(), 2);
    assert!(
        matches!(roles[0].kind, RoleKind::Administrator),
        "the Administrator role comes first"
    );
    assert_eq!(
        s.role(t, clerk_role(t).id).await.unwrap().unwrap().value,
        clerk_role(t)
    );

    assert_eq!(s.password_hash(t, admin.id).await.unwrap(), None);
    commit(
        s,
        t,
        vec![Write::SetPasswordHash(
            admin.id,
            PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"),
        )],
    )
    .await
    .unwrap();
    commit(
        s,
        t,
        vec![Write::SetPasswordHash(
            admin.id,
            PasswordHash::new("$argon2id$second"),
        )],
    )
    .await
    .unwrap();
    assert_eq!(
        s.password_hash(t, admin.id).await.unwrap(),
        Some(PasswordHash::new("$argon2id$second"))
    );

    let mut changed = got.value.clone();
    changed.email = Email::parse("neu@firma.de").unwrap();
    changed.auth.sso = Some(zeugnis_core::user::SsoIdentity {
        issuer: "https://login.example/t".into(),
        subject: "abc".into(),
    });
    commit(s, t, vec![Write::UpdateUser(changed.clone(), got.version)])
        .await
        .unwrap();
    assert!(
        s.user_by_email(t, &admin.email).await.unwrap().is_none(),
        "the old address no longer finds the user"
    );
    assert_eq!(
        s.user_by_email(t, &changed.email)
            .await
            .unwrap()
            .unwrap()
            .value,
        changed
    );
    let sso = changed.auth.sso.clone().unwrap();
    assert_eq!(
        s.user_by_sso(t, &sso).await.unwrap().unwrap().value.id,
        admin.id
    );

    let page = s.users(t, PageRequest::first(10)).await.unwrap();
    assert_eq!(page.items, vec![changed]);
    assert_eq!(page.next, None);

    let settings = s.settings(t).await.unwrap();
    assert_eq!(settings.version, Version(0));
    commit(
        s,
        t,
        vec![Write::SaveSettings(settings.value.clone(), None)],
    )
    .await
    .unwrap();
    let saved = s.settings(t).await.unwrap();
    assert_eq!(saved.value, settings.value);
    assert!(saved.version > Version(0));
}

/// Case: Employee and reference round trip.
pub async fn employee_and_reference_round_trip<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let (e, signer, r) = seed_signed_reference(s, t, admin.id, at(10)).await;
    let got = s.employee(t, e.id).await.unwrap().unwrap();
    assert_eq!(got.value, e);
    let facts = EmployeeStore::retention_facts(s, t).await.unwrap();
    assert!(
        facts
            .iter()
            .any(|f| f.id == e.id && f.exit_date == e.employment.exit_date)
    );
    let page =
        EmployeeStore::employees(s, t, &ReferenceScope::Administrator, PageRequest::first(1))
            .await
            .unwrap();
    assert_eq!(page.items.len(), 1);
    let rest = EmployeeStore::employees(
        s,
        t,
        &ReferenceScope::Administrator,
        PageRequest::new(page.next.clone(), 10),
    )
    .await
    .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_ne!(rest.items[0].id, page.items[0].id);

    let stored = s.reference(t, r.id).await.unwrap().unwrap();
    assert_eq!(stored.value, r);
    assert_eq!(
        s.named_employees(t, &BTreeSet::new()).await.unwrap(),
        BTreeSet::from([e.id, signer.id])
    );
    assert_eq!(
        s.named_employees(t, &BTreeSet::from([r.id])).await.unwrap(),
        BTreeSet::new()
    );

    // Status history and change log.
    let mut moving = writable(stored.value.clone());
    let change = moving
        .change_status(
            ReferenceStatus::WithSupervisor,
            StatusActor::User(admin.id),
            at(20),
        )
        .unwrap();
    let moved = moving.into_inner();
    let log = zeugnis_core::reference::ChangeLogEntry {
        tenant: t,
        reference: r.id,
        section: zeugnis_core::reference::Section::Performance,
        editor: zeugnis_core::values::Name::new("Quirinus Weißgerber").unwrap(),
        by: StatusActor::User(admin.id),
        at: at(20),
        before: None,
        after: Some(zeugnis_core::reference::SectionContent::new(KNOWN_TEXT).unwrap()),
    };
    commit(
        s,
        t,
        vec![
            Write::UpdateReference(writable(moved.clone()), stored.version),
            Write::AppendStatusChange(change.clone()),
            Write::AppendChangeLog(log.clone()),
            Write::AppendChangeLog(log.clone()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(s.reference(t, r.id).await.unwrap().unwrap().value, moved);
    // The overview's line carries the last change.
    assert_ne!(r.changed_at, at(20));
    let wide = everything(t, admin.id);
    let lines = s
        .references(&wide, &ReferenceQuery::default(), PageRequest::first(10))
        .await
        .unwrap();
    let line = lines.items.iter().find(|l| l.id == r.id).unwrap();
    assert_eq!(line.changed_at, at(20));
    assert_eq!(
        s.status_history(t, r.id).await.unwrap(),
        vec![change.into_change()]
    );
    assert_eq!(s.change_log(t, r.id).await.unwrap(), vec![log.clone(), log]);

    // The employee's new organisation follows into the reference.
    let mut e2 = got.value.clone();
    e2.org = org("Süd GmbH", "Einkauf");
    commit(s, t, vec![Write::UpdateEmployee(e2.clone(), got.version)])
        .await
        .unwrap();
    assert_eq!(
        s.reference(t, r.id).await.unwrap().unwrap().value.org,
        e2.org
    );

    // A reference read before the employee moved, written after (a save
    // racing the move): the version matches, and the old place is not
    // written back, so the scopes keep seeing the reference where the
    // employee now is.
    let current = s.reference(t, r.id).await.unwrap().unwrap();
    let mut stale = current.value.clone();
    stale.org = moved.org.clone();
    assert_ne!(stale.org, e2.org);
    commit(
        s,
        t,
        vec![Write::UpdateReference(writable(stale), current.version)],
    )
    .await
    .unwrap();
    assert_eq!(
        s.reference(t, r.id).await.unwrap().unwrap().value.org,
        e2.org
    );
}

/// Case: A failing write leaves nothing behind.
pub async fn a_failing_write_leaves_nothing_behind<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let e = employee(t, 1, org("Nord AG", "Vertrieb"));
    let ghost = employee(t, 99, org("Nord AG", "Vertrieb"));
    let r = reference(&ghost, 1, admin.id, at(1));
    let message = OutgoingMessage {
        id: MessageId::from_bytes([7; 16]),
        tenant: t,
        kind: MessageKind::Invitation,
        to: Destination::Email(Email::parse("neu@firma.de").unwrap()),
        params: MessageParams::new().with("link", "https://x/secret"),
        created_at: at(1),
        expires_at: None,
    };
    let event = AuditEvent::new(
        Some(t),
        at(1),
        AuditActor::User(admin.id),
        AuditAction::EmployeeDeleted,
        AuditTarget::Employee(e.id),
    );
    // The reference names an employee that does not exist: the whole set fails.
    let err = commit(
        s,
        t,
        vec![
            Write::InsertEmployee(e.clone()),
            Write::AppendAudit(event),
            Write::Enqueue(message),
            Write::InsertReference(r.clone()),
        ],
    )
    .await
    .unwrap_err();
    assert_eq!(err, StoreError::NotFound);
    assert!(s.employee(t, e.id).await.unwrap().is_none());
    assert!(s.chain_after(t, 0, 10).await.unwrap().is_empty());
    assert!(
        s.claim_due(at(100), 10, time::Duration::minutes(1))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(s.reference(t, r.id).await.unwrap().is_none());
    for kind in [
        Records::Employees,
        Records::References,
        Records::Sections,
        Records::AuditEntries,
        Records::OutboxMessages,
    ] {
        expect_records(h, kind, t, 0).await;
    }
}

/// Case: Foreign tenant ids find nothing and change nothing.
pub async fn foreign_tenant_ids_find_nothing_and_change_nothing<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (a, admin_a) = seed_tenant(s, 1).await;
    let (b, admin_b) = seed_tenant(s, 2).await;
    let eb = employee(b, 1, org("Nord AG", "Vertrieb"));
    let rb = reference(&eb, 1, admin_b.id, at(1));
    commit(
        s,
        b,
        vec![
            Write::InsertEmployee(eb.clone()),
            Write::InsertReference(rb.clone()),
        ],
    )
    .await
    .unwrap();

    // Reads with B's ids in A's context.
    assert!(s.user(a, admin_b.id).await.unwrap().is_none());
    assert!(s.user_by_email(a, &admin_b.email).await.unwrap().is_none());
    assert!(s.employee(a, eb.id).await.unwrap().is_none());
    assert!(s.reference(a, rb.id).await.unwrap().is_none());
    assert!(s.role(a, admin_role(b).id).await.unwrap().is_none());
    assert!(s.status_history(a, rb.id).await.unwrap().is_empty());
    assert!(s.handovers_of(a, rb.id).await.unwrap().is_empty());
    let actor_a = Actor::new(
        a,
        admin_a.id,
        Permissions::all(),
        true,
        ReferenceScope::Administrator,
    );
    assert_eq!(
        s.count(&actor_a.visibility(), &ReferenceQuery::default())
            .await
            .unwrap(),
        0
    );
    assert!(
        EmployeeStore::employees(s, a, &ReferenceScope::Administrator, PageRequest::first(50))
            .await
            .unwrap()
            .items
            .is_empty()
    );

    // Writes with B's ids in A's context.
    let v = s.employee(b, eb.id).await.unwrap().unwrap().version;
    let mut changed = eb.clone();
    changed.tenant = a; // claims to be A's
    assert_eq!(
        commit(s, a, vec![Write::UpdateEmployee(changed, v)]).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        commit(s, a, vec![Write::DeleteEmployee(eb.id)])
            .await
            .unwrap_err(),
        StoreError::NotFound
    );
    assert_eq!(
        commit(s, a, vec![Write::DeleteReference(rb.id)]).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        commit(s, a, vec![Write::DeleteUser(admin_b.id)]).await,
        Err(StoreError::NotFound)
    );
    // A record of B in A's change set is refused outright.
    assert_eq!(
        commit(
            s,
            a,
            vec![Write::InsertEmployee(employee(b, 5, org("X", "Y")))]
        )
        .await,
        Err(StoreError::TenantMismatch)
    );
    assert_eq!(s.employee(b, eb.id).await.unwrap().unwrap().value, eb);
    assert_eq!(s.reference(b, rb.id).await.unwrap().unwrap().value, rb);
    assert!(s.user(b, admin_b.id).await.unwrap().is_some());
}

/// Case: Unique values and stale versions are conflicts.
pub async fn unique_values_and_stale_versions_are_conflicts<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let mut twin = user(t, 2, admin_role(t).id, "ADMIN1@firma.de");
    twin.first_name = zeugnis_core::values::Name::new("Zwilling").unwrap();
    assert!(matches!(
        commit(s, t, vec![Write::InsertUser(twin)]).await,
        Err(StoreError::Conflict { .. })
    ));
    // The same address in another tenant is an unrelated account.
    let (u, _) = seed_tenant(s, 2).await;
    assert!(
        commit(
            s,
            u,
            vec![Write::InsertUser(user(
                u,
                3,
                admin_role(u).id,
                "admin1@firma.de"
            ))]
        )
        .await
        .is_ok()
    );

    let v = s.user(t, admin.id).await.unwrap().unwrap().version;
    commit(s, t, vec![Write::UpdateUser(admin.clone(), v)])
        .await
        .unwrap();
    assert!(matches!(
        commit(s, t, vec![Write::UpdateUser(admin.clone(), v)]).await,
        Err(StoreError::Conflict { .. })
    ));
    let ghost = user(t, 77, admin_role(t).id, "ghost@firma.de");
    assert_eq!(
        commit(s, t, vec![Write::UpdateUser(ghost, v)]).await,
        Err(StoreError::NotFound)
    );
    // A role still held cannot be deleted.
    let held = commit(s, t, vec![Write::DeleteRole(admin_role(t).id)]).await;
    assert!(matches!(held, Err(StoreError::Conflict { .. })), "{held:?}");
    commit(s, t, vec![Write::DeleteRole(clerk_role(t).id)])
        .await
        .unwrap();
    assert_eq!(
        commit(s, t, vec![Write::DeleteRole(clerk_role(t).id)]).await,
        Err(StoreError::NotFound)
    );
}

/// Case: Deleting a reference leaves no orphan.
pub async fn deleting_a_reference_leaves_no_orphan<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let e = employee(t, 1, org("Nord AG", "Vertrieb"));
    let mut r = reference(&e, 1, admin.id, at(1));
    r.signatories = vec![e.id];
    let keep = reference(&e, 2, admin.id, at(2));
    commit(
        s,
        t,
        vec![
            Write::InsertEmployee(e.clone()),
            Write::InsertReference(r.clone()),
            Write::InsertReference(keep.clone()),
        ],
    )
    .await
    .unwrap();
    let mut moving = writable(r.clone());
    let change = moving
        .change_status(
            ReferenceStatus::WithSupervisor,
            StatusActor::User(admin.id),
            at(3),
        )
        .unwrap();
    let stored = moving.into_inner();
    let handover = handover(&r, admin.id);
    let challenge = handover_challenge(&handover);
    let session = zeugnis_core::session::Session {
        token_hash: zeugnis_core::token::TokenHash::of(b"session"),
        tenant: t,
        principal: zeugnis_core::session::Principal::Handover(handover.id),
        created_at: at(5),
        last_seen_at: at(5),
        timeouts: zeugnis_core::settings::SessionTimeouts::default(),
        not_after: Some(at(3600)),
    };
    commit(
        s,
        t,
        vec![
            Write::UpdateReference(writable(stored.clone()), Version(1)),
            Write::AppendStatusChange(change),
            Write::InsertHandover(handover.clone()),
            Write::InsertChallenge(challenge.clone()),
            Write::InsertSession(session.clone()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        s.handover(t, handover.id).await.unwrap().unwrap().value,
        handover
    );
    assert_eq!(
        s.handovers_of(t, r.id).await.unwrap(),
        vec![handover.clone()]
    );
    assert_eq!(
        s.challenge(t, challenge.id).await.unwrap().unwrap().value,
        challenge
    );
    assert_eq!(
        s.session(t, &session.token_hash).await.unwrap(),
        Some(session.clone())
    );

    commit(s, t, vec![Write::DeleteReference(r.id)])
        .await
        .unwrap();
    assert!(s.reference(t, r.id).await.unwrap().is_none());
    assert!(s.handover(t, handover.id).await.unwrap().is_none());
    assert!(s.challenge(t, challenge.id).await.unwrap().is_none());
    assert!(s.session(t, &session.token_hash).await.unwrap().is_none());
    // Only the other reference's rows remain.
    assert!(s.status_history(t, r.id).await.unwrap().is_empty());
    assert!(s.change_log(t, r.id).await.unwrap().is_empty());
    assert!(s.handovers_of(t, r.id).await.unwrap().is_empty());
    assert!(s.sessions_of(t, admin.id).await.unwrap().is_empty());
    assert_eq!(
        s.named_employees(t, &BTreeSet::new()).await.unwrap(),
        BTreeSet::from([e.id]),
        "only the other reference names the employee"
    );
    expect_records(h, Records::References, t, 1).await;
    expect_records(h, Records::Sections, t, 1).await;
    // Of a deleted reference nothing is kept.
    for kind in [
        Records::Signatories,
        Records::StatusHistory,
        Records::ChangeLog,
        Records::Handovers,
        Records::Challenges,
        Records::Sessions,
        Records::Documents,
    ] {
        expect_records(h, kind, t, 0).await;
    }
    assert!(s.reference(t, keep.id).await.unwrap().is_some());
}

/// Case: A referenced employee cannot be deleted.
pub async fn a_referenced_employee_cannot_be_deleted<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let (e, signer, r) = seed_signed_reference(s, t, admin.id, at(1)).await;
    for id in [e.id, signer.id] {
        assert_eq!(
            commit(s, t, vec![Write::DeleteEmployee(id)]).await,
            Err(StoreError::PreconditionFailed(
                Precondition::EmployeeUnreferenced(id)
            ))
        );
    }
    // Deleting the reference in the same change set frees both.
    commit(
        s,
        t,
        vec![
            Write::DeleteReference(r.id),
            Write::DeleteEmployee(e.id),
            Write::DeleteEmployee(signer.id),
        ],
    )
    .await
    .unwrap();
    assert!(s.employee(t, e.id).await.unwrap().is_none());
    assert!(s.employee(t, signer.id).await.unwrap().is_none());
    expect_records(h, Records::Employees, t, 0).await;
}

/// Case: The last administrator cannot be demoted.
pub async fn the_last_administrator_cannot_be_demoted<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let v = s.user(t, admin.id).await.unwrap().unwrap().version;
    let mut demoted = admin.clone();
    demoted.role = clerk_role(t).id;
    let mut cs = ChangeSet::new(t);
    cs.push(Write::UpdateUser(demoted, v))
        .require(Precondition::AdministratorRemains);
    assert_eq!(
        s.commit(cs).await,
        Err(StoreError::PreconditionFailed(
            Precondition::AdministratorRemains
        ))
    );
    assert_eq!(
        s.user(t, admin.id).await.unwrap().unwrap().value.role,
        admin_role(t).id
    );
    // With a second administrator it works.
    let second = user(t, 2, admin_role(t).id, "zweite@firma.de");
    commit(s, t, vec![Write::InsertUser(second.clone())])
        .await
        .unwrap();
    let mut demoted = admin.clone();
    demoted.role = clerk_role(t).id;
    let mut cs = ChangeSet::new(t);
    cs.push(Write::UpdateUser(demoted, v))
        .require(Precondition::AdministratorRemains);
    s.commit(cs).await.unwrap();
    assert_eq!(
        s.active_administrators(t).await.unwrap(),
        BTreeSet::from([second.id])
    );
}

/// Case: Scope and private flag are applied in the query.
pub async fn scope_and_private_flag_are_applied_in_the_query<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let viewer = user(t, 2, clerk_role(t).id, "viewer@firma.de");
    let other = user(t, 3, clerk_role(t).id, "other@firma.de");
    commit(
        s,
        t,
        vec![
            Write::InsertUser(viewer.clone()),
            Write::InsertUser(other.clone()),
        ],
    )
    .await
    .unwrap();
    let companies = ["Nord AG", "Süd GmbH", "nord ag"];
    let departments = ["Vertrieb", "Personal", "Einkauf"];
    let mut writes = Vec::new();
    let mut all = Vec::new();
    let mut employees = Vec::new();
    let mut n = 0u16;
    for c in companies {
        for d in departments {
            n += 1;
            let mut o = org(c, d);
            if n.is_multiple_of(4) {
                o.department = None;
            }
            let e = employee(t, n, o);
            writes.push(Write::InsertEmployee(e.clone()));
            employees.push(e.clone());
            for k in 0..3u16 {
                let creator = [admin.id, viewer.id, other.id][usize::from(k)];
                let mut r = reference(&e, n * 10 + k, creator, at(i64::from(n * 10 + k)));
                r.private = (n + k).is_multiple_of(2);
                writes.push(Write::InsertReference(r.clone()));
                all.push(r);
            }
        }
    }
    commit(s, t, writes).await.unwrap();
    let scopes = [
        ReferenceScope::Administrator,
        ReferenceScope::Restricted(Restriction::unrestricted()),
        ReferenceScope::Restricted(
            Restriction::unrestricted()
                .allow(Criterion::Company, ["Nord AG"])
                .unwrap(),
        ),
        ReferenceScope::Restricted(
            Restriction::unrestricted()
                .allow(Criterion::Company, ["Nord AG", "Süd GmbH"])
                .unwrap()
                .allow(Criterion::Department, ["Vertrieb", "Einkauf"])
                .unwrap(),
        ),
        ReferenceScope::Restricted(
            Restriction::unrestricted()
                .allow(Criterion::OrganisationalUnit, ["X"])
                .unwrap(),
        ),
    ];
    for scope in scopes {
        for who in [admin.id, viewer.id] {
            let filter = Actor::new(t, who, Permissions::none(), false, scope.clone()).visibility();
            let mut expected: Vec<_> = all
                .iter()
                .filter(|r| filter.admits(VisibilityFacts::from(*r)))
                .map(|r| r.id)
                .collect();
            expected.reverse(); // newest first
            // Walk every page of 4.
            let mut got = Vec::new();
            let mut after = None;
            loop {
                let page = s
                    .references(
                        &filter,
                        &ReferenceQuery::default(),
                        PageRequest::new(after, 4),
                    )
                    .await
                    .unwrap();
                got.extend(page.items.iter().map(|x| x.id));
                match page.next {
                    Some(c) => after = Some(c),
                    None => break,
                }
            }
            assert_eq!(got, expected, "scope {scope:?}");
            assert_eq!(
                s.count(&filter, &ReferenceQuery::default()).await.unwrap(),
                expected.len() as u64
            );
            // The employee list applies the same scope (ordered by id).
            let mut expected: Vec<_> = employees
                .iter()
                .filter(|e| scope.covers(&e.org))
                .map(|e| e.id)
                .collect();
            expected.sort();
            let mut got = Vec::new();
            let mut after = None;
            loop {
                let page = EmployeeStore::employees(s, t, &scope, PageRequest::new(after, 2))
                    .await
                    .unwrap();
                got.extend(page.items.iter().map(|e| e.id));
                match page.next {
                    Some(c) => after = Some(c),
                    None => break,
                }
            }
            assert_eq!(got, expected, "employees in scope {scope:?}");
        }
    }
    // A cursor of one list does not continue another, and garbage is refused.
    let wide = everything(t, admin.id);
    let narrow = Actor::new(
        t,
        viewer.id,
        Permissions::none(),
        false,
        ReferenceScope::Restricted(Restriction::unrestricted()),
    )
    .visibility();
    let first = s
        .references(&wide, &ReferenceQuery::default(), PageRequest::first(2))
        .await
        .unwrap();
    let cursor = first.next.unwrap();
    assert_eq!(
        s.references(
            &narrow,
            &ReferenceQuery::default(),
            PageRequest::new(Some(cursor), 2)
        )
        .await,
        Err(StoreError::InvalidCursor)
    );
    assert_eq!(
        s.references(
            &wide,
            &ReferenceQuery::default(),
            PageRequest::new(Some(Cursor("x.1.zz".into())), 2)
        )
        .await,
        Err(StoreError::InvalidCursor)
    );
    // Nor does a cursor of the same viewer under another scope of the same shape.
    let only = |company: &str| {
        Actor::new(
            t,
            viewer.id,
            Permissions::none(),
            false,
            ReferenceScope::Restricted(
                Restriction::unrestricted()
                    .allow(Criterion::Company, [company])
                    .unwrap(),
            ),
        )
        .visibility()
    };
    let north = s
        .references(
            &only("Nord AG"),
            &ReferenceQuery::default(),
            PageRequest::first(1),
        )
        .await
        .unwrap();
    assert_eq!(
        s.references(
            &only("Süd GmbH"),
            &ReferenceQuery::default(),
            PageRequest::new(north.next, 1)
        )
        .await,
        Err(StoreError::InvalidCursor)
    );
    // Filters.
    let drafts = ReferenceQuery {
        status: Some(ReferenceStatus::Draft),
        ..ReferenceQuery::default()
    };
    assert_eq!(s.count(&wide, &drafts).await.unwrap(), all.len() as u64);
    let done = ReferenceQuery {
        status: Some(ReferenceStatus::Completed),
        ..ReferenceQuery::default()
    };
    assert_eq!(s.count(&wide, &done).await.unwrap(), 0);
}

/// Case: The overview filters by company, location and department and sorts
/// newest first, oldest first and longest waiting first; every order is
/// total and key-paginated without a line skipped or repeated; the values a
/// filter offers come from the employees in the scope only.
pub async fn the_overview_filters_by_place_and_sorts_three_ways<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let places = [
        ("Nord AG", "Hamburg", "Vertrieb"),
        ("Nord AG", "Köln", "Einkauf"),
        ("Süd GmbH", "Köln", "Vertrieb"),
        ("Süd GmbH", "München", "Personal"),
    ];
    let mut writes = Vec::new();
    let mut all = Vec::new();
    for (n, (company, location, department)) in (1u16..).zip(places) {
        let mut o = org(company, department);
        o.location = Some(zeugnis_core::values::Name::new(location).unwrap());
        let e = employee(t, n, o);
        writes.push(Write::InsertEmployee(e.clone()));
        for k in 0..4u16 {
            let m = n * 10 + k;
            let mut r = reference(&e, m, admin.id, at(i64::from(m)));
            // Waiting times in another order than creation, with ties that
            // only the id breaks.
            r.status_since = at(1_000 - i64::from(k % 2) * 100 - i64::from(n % 2));
            writes.push(Write::InsertReference(r.clone()));
            all.push(r);
        }
    }
    commit(s, t, writes).await.unwrap();
    let wide = everything(t, admin.id);
    let value = |v: &str| Some(zeugnis_core::values::Name::new(v).unwrap());
    let filters = [
        ReferenceQuery::default(),
        ReferenceQuery {
            company: value("Nord AG"),
            ..ReferenceQuery::default()
        },
        ReferenceQuery {
            location: value("Köln"),
            ..ReferenceQuery::default()
        },
        ReferenceQuery {
            company: value("Süd GmbH"),
            department: value("Vertrieb"),
            ..ReferenceQuery::default()
        },
        ReferenceQuery {
            location: value("Bremen"),
            ..ReferenceQuery::default()
        },
    ];
    for filter in filters {
        for order in ReferenceOrder::ALL {
            let query = ReferenceQuery {
                order,
                ..filter.clone()
            };
            let mut expected: Vec<&zeugnis_core::reference::Reference> = all
                .iter()
                .filter(|r| {
                    [
                        (&query.company, &r.org.company),
                        (&query.location, &r.org.location),
                        (&query.department, &r.org.department),
                    ]
                    .into_iter()
                    .all(|(wanted, has)| wanted.is_none() || wanted == has)
                })
                .collect();
            expected.sort_by_key(|r| match order {
                ReferenceOrder::LongestWaiting => (r.status_since, r.id),
                _ => (r.created_at, r.id),
            });
            if !order.ascending() {
                expected.reverse();
            }
            let expected: Vec<_> = expected.iter().map(|r| r.id).collect();
            let mut got = Vec::new();
            let mut after = None;
            loop {
                let page = s
                    .references(&wide, &query, PageRequest::new(after, 3))
                    .await
                    .unwrap();
                got.extend(page.items.iter().map(|x| x.id));
                match page.next {
                    Some(c) => after = Some(c),
                    None => break,
                }
            }
            assert_eq!(
                got,
                expected,
                "{order:?}, {:?}",
                query.location.as_ref().map(|v| v.as_str())
            );
            assert_eq!(s.count(&wide, &query).await.unwrap(), expected.len() as u64);
        }
    }
    // A line carries its place.
    let page = s
        .references(&wide, &ReferenceQuery::default(), PageRequest::first(1))
        .await
        .unwrap();
    let newest = all.iter().max_by_key(|r| (r.created_at, r.id)).unwrap();
    assert_eq!(page.items[0].org, newest.org);
    // A cursor of one order does not continue another.
    let first = s
        .references(&wide, &ReferenceQuery::default(), PageRequest::first(2))
        .await
        .unwrap();
    let waiting = ReferenceQuery {
        order: ReferenceOrder::LongestWaiting,
        ..ReferenceQuery::default()
    };
    assert_eq!(
        s.references(&wide, &waiting, PageRequest::new(first.next, 2))
            .await,
        Err(StoreError::InvalidCursor)
    );
    // The values a filter offers: all of them to the Administrator, those in
    // the scope to a restricted viewer.
    let names = |values: &OrgValues, c: Criterion| -> Vec<String> {
        values
            .get(&c)
            .map(|v| v.iter().map(|n| n.as_str().to_owned()).collect())
            .unwrap_or_default()
    };
    let every = EmployeeStore::org_values(s, t, &ReferenceScope::Administrator)
        .await
        .unwrap();
    assert_eq!(names(&every, Criterion::Company), ["Nord AG", "Süd GmbH"]);
    assert_eq!(
        names(&every, Criterion::Location),
        ["Hamburg", "Köln", "München"]
    );
    assert_eq!(
        names(&every, Criterion::Department),
        ["Einkauf", "Personal", "Vertrieb"]
    );
    assert_eq!(names(&every, Criterion::EmployeeType), ["Angestellte"]);
    assert!(
        !every.contains_key(&Criterion::OrganisationalUnit),
        "no value, no entry"
    );
    let koeln = ReferenceScope::Restricted(
        Restriction::unrestricted()
            .allow(Criterion::Location, ["Köln"])
            .unwrap(),
    );
    let seen = EmployeeStore::org_values(s, t, &koeln).await.unwrap();
    assert_eq!(names(&seen, Criterion::Company), ["Nord AG", "Süd GmbH"]);
    assert_eq!(names(&seen, Criterion::Location), ["Köln"]);
    assert_eq!(names(&seen, Criterion::Department), ["Einkauf", "Vertrieb"]);
    let (other, _) = seed_tenant(s, 2).await;
    assert!(
        EmployeeStore::org_values(s, other, &ReferenceScope::Administrator)
            .await
            .unwrap()
            .is_empty(),
        "nothing of another tenant"
    );
}

/// Case: Audit entries form a verifiable chain.
pub async fn audit_entries_form_a_verifiable_chain<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    for i in 0..5 {
        let e = own_event(t, admin.id, at(i * 100), AuditAction::LoginSucceeded);
        commit(s, t, vec![Write::AppendAudit(e)]).await.unwrap();
    }
    let chain = s.chain_after(t, 0, 100).await.unwrap();
    assert_eq!(
        chain.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    for pair in chain.windows(2) {
        assert_eq!(pair[1].prev, pair[0].hash);
    }
    // Retention purges old entries; numbering continues after them.
    commit(s, t, vec![Write::PurgeAuditBefore(at(250))])
        .await
        .unwrap();
    let e = own_event(t, admin.id, at(900), AuditAction::LoginFailed);
    commit(s, t, vec![Write::AppendAudit(e)]).await.unwrap();
    let chain = s.chain_after(t, 0, 100).await.unwrap();
    assert_eq!(
        chain.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![4, 5, 6]
    );
    let newest = s
        .entries(t, &AuditQuery::default(), PageRequest::first(2))
        .await
        .unwrap();
    assert_eq!(
        newest.items.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![6, 5]
    );
    let rest = s
        .entries(t, &AuditQuery::default(), PageRequest::new(newest.next, 10))
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![4]
    );
    let failed = AuditQuery {
        action: Some(AuditAction::LoginFailed),
        ..AuditQuery::default()
    };
    assert_eq!(
        s.entries(t, &failed, PageRequest::first(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    // By user: as actor, or as the target of someone else's action.
    let stranger = zeugnis_core::id::UserId::from_bytes([0x77; 16]);
    let about = AuditEvent::new(
        Some(t),
        at(900),
        AuditActor::System,
        AuditAction::AccountLocked,
        AuditTarget::User(stranger),
    );
    commit(s, t, vec![Write::AppendAudit(about)]).await.unwrap();
    let by_stranger = AuditQuery {
        user: Some(stranger),
        ..AuditQuery::default()
    };
    let found = s
        .entries(t, &by_stranger, PageRequest::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].event.action, AuditAction::AccountLocked);
    let by_admin = AuditQuery {
        user: Some(admin.id),
        ..AuditQuery::default()
    };
    assert_eq!(
        s.entries(t, &by_admin, PageRequest::first(10))
            .await
            .unwrap()
            .items
            .len(),
        3
    );
    // Many entries in one change set (inserted in batches) continue the chain.
    let many: Vec<Write> = (0..1200)
        .map(|i| {
            Write::AppendAudit(own_event(
                t,
                admin.id,
                at(1000 + i),
                AuditAction::LoginSucceeded,
            ))
        })
        .collect();
    commit(s, t, many).await.unwrap();
    let mut all: Vec<AuditEntry> = Vec::new();
    let mut after = 0;
    loop {
        let batch = s.chain_after(t, after, 500).await.unwrap();
        let Some(last) = batch.last() else { break };
        after = last.seq;
        all.extend(batch);
    }
    assert_eq!(all.len(), 1204);
    assert_eq!(all.last().unwrap().seq, 1207);
    for pair in all.windows(2) {
        assert_eq!(pair[1].seq, pair[0].seq + 1);
        assert_eq!(pair[1].prev, pair[0].hash);
    }
    // A failing change set appends nothing, and the chain goes on after it.
    let e = own_event(t, admin.id, at(5000), AuditAction::LoginFailed);
    assert!(
        commit(
            s,
            t,
            vec![
                Write::AppendAudit(e.clone()),
                Write::DeleteReference(zeugnis_core::id::ReferenceId::from_bytes([9; 16]))
            ]
        )
        .await
        .is_err()
    );
    commit(s, t, vec![Write::AppendAudit(e)]).await.unwrap();
    let tail = s.chain_after(t, 1207, 10).await.unwrap();
    assert_eq!(tail.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1208]);
    assert_eq!(tail[0].prev, all.last().unwrap().hash);
}

/// Case: Purging a tenant leaves no row.
pub async fn purging_a_tenant_leaves_no_row<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let (other, _) = seed_tenant(s, 2).await;
    let e = employee(t, 1, org("Nord AG", "Vertrieb"));
    let r = reference(&e, 1, admin.id, at(1));
    let reference_id = r.id;
    let event = own_event(t, admin.id, at(1), AuditAction::LoginSucceeded);
    commit(
        s,
        t,
        vec![
            Write::InsertEmployee(e.clone()),
            Write::InsertReference(r),
            Write::AppendAudit(event),
            Write::SaveSettings(zeugnis_core::settings::TenantSettings::default(), None),
            Write::SetPasswordHash(admin.id, PasswordHash::new("$argon2id$x")),
            Write::InsertAction(PendingAction::issue(
                &ActionToken::from_bytes([5; 32]),
                t,
                admin.id,
                ActionPurpose::PasswordReset,
                at(1),
            )),
        ],
    )
    .await
    .unwrap();
    let last = AuditEvent::new(
        Some(t),
        at(2),
        AuditActor::User(admin.id),
        AuditAction::TenantDeleted,
        AuditTarget::Tenant(t),
    );
    commit(s, t, vec![Write::AppendAudit(last), Write::PurgeTenantData])
        .await
        .unwrap();
    // Through the ports: nothing of the tenant is left.
    assert!(s.user(t, admin.id).await.unwrap().is_none());
    assert!(s.user_by_email(t, &admin.email).await.unwrap().is_none());
    assert!(s.password_hash(t, admin.id).await.unwrap().is_none());
    assert!(s.roles(t).await.unwrap().is_empty());
    assert!(s.employee(t, e.id).await.unwrap().is_none());
    assert!(s.reference(t, reference_id).await.unwrap().is_none());
    assert!(
        s.action(t, &ActionToken::from_bytes([5; 32]).hash())
            .await
            .unwrap()
            .is_none()
    );
    assert!(s.chain_after(t, 0, 10).await.unwrap().is_empty());
    assert_eq!(s.settings(t).await.unwrap().version, Version(0));
    for kind in [
        Records::Users,
        Records::Roles,
        Records::Credentials,
        Records::Employees,
        Records::References,
        Records::Sections,
        Records::Signatories,
        Records::StatusHistory,
        Records::ChangeLog,
        Records::Documents,
        Records::Handovers,
        Records::Challenges,
        Records::Sessions,
        Records::ActionTokens,
        Records::SecondFactors,
        Records::AuditEntries,
        Records::AuditHeads,
        Records::OutboxMessages,
        Records::Settings,
    ] {
        expect_records(h, kind, t, 0).await;
    }
    assert!(
        s.tenant(t).await.unwrap().is_some(),
        "the tenant row stays as a tombstone"
    );
    expect_records(h, Records::Tenants, t, 1).await;
    assert!(
        s.user(other, user(other, 1, admin_role(other).id, "x@y.de").id)
            .await
            .unwrap()
            .is_some()
    );
}

/// Case: Outbox messages commit with their change and are claimed once.
pub async fn outbox_messages_commit_with_their_change_and_are_claimed_once<H: StoreUnderTest>(
    h: &H,
) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let msg = |n: u8, expires: Option<Timestamp>| message(t, n, expires);
    commit(
        s,
        t,
        vec![
            Write::Enqueue(msg(1, None)),
            Write::Enqueue(msg(2, Some(at(60)))),
        ],
    )
    .await
    .unwrap();
    let lease = time::Duration::minutes(1);
    let claimed = s.claim_due(at(10), 10, lease).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(claimed[0].attempts, 0);
    assert_eq!(
        claimed
            .iter()
            .find(|c| c.message.id == msg(1, None).id)
            .unwrap()
            .message,
        msg(1, None)
    );
    assert!(
        s.claim_due(at(20), 10, lease).await.unwrap().is_empty(),
        "leased messages are not handed out twice"
    );
    let first_claim = claimed
        .iter()
        .find(|c| c.message.id == msg(1, None).id)
        .unwrap();
    assert_eq!(first_claim.lease_until, at(10) + lease);
    s.retry_at(first_claim, at(30)).await.unwrap();
    // After the lease: message 1 again (second attempt); message 2 expired and is gone.
    let again = s.claim_due(at(100), 10, lease).await.unwrap();
    assert_eq!(
        again
            .iter()
            .map(|c| (c.message.id, c.attempts))
            .collect::<Vec<_>>(),
        vec![(msg(1, None).id, 1)]
    );
    s.delivered(t, msg(1, None).id).await.unwrap();
    expect_records(h, Records::OutboxMessages, t, 0).await;
    commit(s, t, vec![Write::Enqueue(msg(3, None))])
        .await
        .unwrap();
    let third = s.claim_due(at(900), 10, lease).await.unwrap();
    assert_eq!(third.len(), 1);
    assert_eq!(
        commit(s, t, vec![Write::FailMessage(msg(3, None).id, at(1))]).await,
        Err(StoreError::NotFound),
        "only the claim's holder fails a message"
    );
    commit(
        s,
        t,
        vec![Write::FailMessage(msg(3, None).id, third[0].lease_until)],
    )
    .await
    .unwrap();
    assert!(s.claim_due(at(1000), 10, lease).await.unwrap().is_empty());

    // A change that rolls back queues nothing.
    let refused = commit(
        s,
        t,
        vec![
            Write::Enqueue(msg(4, None)),
            Write::InsertUser(admin.clone()),
        ],
    )
    .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict { .. })),
        "{refused:?}"
    );
    assert!(s.claim_due(at(2000), 10, lease).await.unwrap().is_empty());

    // A released message is due again at once and the claim does not count.
    commit(s, t, vec![Write::Enqueue(msg(5, None))])
        .await
        .unwrap();
    let first = s.claim_due(at(3000), 10, lease).await.unwrap();
    assert_eq!(first.len(), 1);
    s.release(&first[0]).await.unwrap();
    let again = s.claim_due(at(3001), 10, lease).await.unwrap();
    assert_eq!(
        again
            .iter()
            .map(|c| (c.message.id, c.attempts))
            .collect::<Vec<_>>(),
        vec![(msg(5, None).id, 0)]
    );
    s.delivered(t, msg(5, None).id).await.unwrap();

    // A second failure for good, and a message that stays queued.
    commit(
        s,
        t,
        vec![Write::Enqueue(msg(6, None)), Write::Enqueue(msg(7, None))],
    )
    .await
    .unwrap();
    let claimed = s.claim_due(at(4000), 10, lease).await.unwrap();
    let mut ids: Vec<_> = claimed.iter().map(|c| c.message.id).collect();
    ids.sort();
    assert_eq!(ids, vec![msg(6, None).id, msg(7, None).id]);
    let six = claimed
        .iter()
        .find(|c| c.message.id == msg(6, None).id)
        .unwrap();
    commit(
        s,
        t,
        vec![Write::FailMessage(six.message.id, six.lease_until)],
    )
    .await
    .unwrap();

    // Failure records leave with the audit entries of their age.
    expect_records(h, Records::OutboxMessages, t, 3).await;
    commit(s, t, vec![Write::PurgeAuditBefore(at(0))])
        .await
        .unwrap();
    expect_records(h, Records::OutboxMessages, t, 3).await;
    commit(s, t, vec![Write::PurgeAuditBefore(at(10_000))])
        .await
        .unwrap();
    expect_records(h, Records::OutboxMessages, t, 1).await;
    assert_eq!(
        s.claim_due(at(4100), 10, lease)
            .await
            .unwrap()
            .iter()
            .map(|c| c.message.id)
            .collect::<Vec<_>>(),
        vec![msg(7, None).id],
        "the queued message stays"
    );

    // A worker whose lease ran out cannot touch the claim of the worker that
    // took the message over.
    commit(s, t, vec![Write::Enqueue(msg(8, None))])
        .await
        .unwrap();
    let by_a = s.claim_due(at(5000), 10, lease).await.unwrap();
    let a = by_a
        .iter()
        .find(|c| c.message.id == msg(8, None).id)
        .unwrap();
    let by_b = s.claim_due(at(5100), 10, lease).await.unwrap();
    let b = by_b
        .iter()
        .find(|c| c.message.id == msg(8, None).id)
        .unwrap();
    assert_eq!((a.attempts, b.attempts), (0, 1));
    s.release(a).await.unwrap();
    s.retry_at(a, at(5101)).await.unwrap();
    assert_eq!(
        commit(s, t, vec![Write::FailMessage(a.message.id, a.lease_until)]).await,
        Err(StoreError::NotFound)
    );
    assert!(
        s.claim_due(at(5102), 10, lease)
            .await
            .unwrap()
            .iter()
            .all(|c| c.message.id != msg(8, None).id),
        "B's claim still holds"
    );
    s.release(b).await.unwrap();
    let after = s.claim_due(at(5103), 10, lease).await.unwrap();
    let c = after
        .iter()
        .find(|c| c.message.id == msg(8, None).id)
        .unwrap();
    assert_eq!(c.attempts, 1, "A's stale release took no attempt away");
}

/// Case: Action links work once and sessions end per user.
pub async fn action_links_work_once_and_sessions_end_per_user<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let (other, _) = seed_tenant(s, 2).await;
    let token = ActionToken::from_bytes([7; 32]);
    let action = PendingAction::issue(&token, t, admin.id, ActionPurpose::Invitation, at(1));
    commit(s, t, vec![Write::InsertAction(action.clone())])
        .await
        .unwrap();
    assert_eq!(
        s.action(t, &token.hash()).await.unwrap(),
        Some(action.clone())
    );
    assert_eq!(s.action(other, &token.hash()).await.unwrap(), None);
    // Redeeming twice: the second commit fails as a whole.
    commit(s, t, vec![Write::ConsumeAction(token.hash())])
        .await
        .unwrap();
    let again = commit(
        s,
        t,
        vec![
            Write::SetPasswordHash(admin.id, PasswordHash::new("$argon2id$y")),
            Write::ConsumeAction(token.hash()),
        ],
    )
    .await;
    assert_eq!(again, Err(StoreError::NotFound));
    assert_eq!(s.password_hash(t, admin.id).await.unwrap(), None);
    assert_eq!(s.action(t, &token.hash()).await.unwrap(), None);

    // A newer reset link replaces older ones of the same purpose only.
    let reset1 = PendingAction::issue(
        &ActionToken::from_bytes([8; 32]),
        t,
        admin.id,
        ActionPurpose::PasswordReset,
        at(2),
    );
    let invite = PendingAction::issue(
        &ActionToken::from_bytes([9; 32]),
        t,
        admin.id,
        ActionPurpose::Invitation,
        at(2),
    );
    commit(
        s,
        t,
        vec![
            Write::InsertAction(reset1.clone()),
            Write::InsertAction(invite.clone()),
        ],
    )
    .await
    .unwrap();
    commit(
        s,
        t,
        vec![Write::DeleteActionsOfUser(
            admin.id,
            ActionPurpose::PasswordReset,
        )],
    )
    .await
    .unwrap();
    assert_eq!(s.action(t, &reset1.token_hash).await.unwrap(), None);
    assert_eq!(s.action(t, &invite.token_hash).await.unwrap(), Some(invite));

    // Sessions: a pending login belongs to its user; ending the others keeps one.
    let session = |n: u8, principal: Principal| Session {
        token_hash: SessionToken::from_bytes([n; 32]).hash(),
        tenant: t,
        principal,
        created_at: at(3),
        last_seen_at: at(3),
        timeouts: SessionTimeouts::default(),
        not_after: None,
    };
    let pending = Principal::PendingLogin(PendingLogin {
        user: admin.id,
        attempt: zeugnis_core::id::ChallengeId::from_bytes([1; 16]),
        enrolment_required: false,
    });
    let (a, b, c) = (
        session(1, Principal::User(admin.id)),
        session(2, Principal::User(admin.id)),
        session(3, pending),
    );
    commit(
        s,
        t,
        vec![
            Write::InsertSession(a.clone()),
            Write::InsertSession(b.clone()),
            Write::InsertSession(c.clone()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(s.sessions_of(t, admin.id).await.unwrap().len(), 3);
    assert_eq!(s.session(t, &c.token_hash).await.unwrap(), Some(c));
    commit(
        s,
        t,
        vec![Write::DeleteOtherSessionsOfUser(admin.id, a.token_hash)],
    )
    .await
    .unwrap();
    let left = s.sessions_of(t, admin.id).await.unwrap();
    assert_eq!(left, vec![a]);
}

/// Case: Phrase library formatting and generated fingerprint round trip.
pub async fn phrase_library_formatting_and_generated_fingerprint_round_trip<H: StoreUnderTest>(
    h: &H,
) {
    use zeugnis_core::document::{ImageFormat, LetterFormatting, Logo};
    use zeugnis_core::phrases::PhraseLibrary;

    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let (other, _) = seed_tenant(s, 2).await;

    // Until saved, the defaults at version 0.
    let lib = s.phrase_library(t).await.unwrap();
    assert_eq!(lib.version, Version(0));
    assert_eq!(lib.value, PhraseLibrary::german_default());
    let fmt = s.letter_formatting(t).await.unwrap();
    assert_eq!(
        (fmt.value, fmt.version),
        (LetterFormatting::default(), Version(0))
    );

    let mut mine = PhraseLibrary::german_default();
    mine.job_profiles.truncate(1);
    let formatting = LetterFormatting {
        letterhead: vec!["Nord AG".into(), "Hafenstraße 1 · 20457 Hamburg".into()],
        logo: Some(Logo {
            bytes: b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
            format: ImageFormat::Svg,
            width_mm: 35,
        }),
        ..LetterFormatting::default()
    };
    commit(
        s,
        t,
        vec![
            Write::SavePhraseLibrary(Box::new(mine.clone()), None),
            Write::SaveLetterFormatting(Box::new(formatting.clone()), None),
        ],
    )
    .await
    .unwrap();
    let lib = s.phrase_library(t).await.unwrap();
    assert_eq!((&lib.value, lib.version), (&mine, Version(1)));
    assert_eq!(s.letter_formatting(t).await.unwrap().value, formatting);
    // Another tenant still has the defaults.
    assert_eq!(
        s.phrase_library(other).await.unwrap().value,
        PhraseLibrary::german_default()
    );
    // A second first save and a stale version are conflicts; nothing changes.
    for v in [None, Some(Version(0))] {
        let err = commit(
            s,
            t,
            vec![Write::SavePhraseLibrary(
                Box::new(PhraseLibrary::german_default()),
                v,
            )],
        )
        .await
        .unwrap_err();
        assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    }
    commit(
        s,
        t,
        vec![Write::SavePhraseLibrary(
            Box::new(PhraseLibrary::german_default()),
            Some(Version(1)),
        )],
    )
    .await
    .unwrap();
    assert_eq!(s.phrase_library(t).await.unwrap().version, Version(2));

    // The fingerprint of the generated text travels with the reference.
    let e = employee(t, 1, org("Nord AG", "Vertrieb"));
    let mut r = reference(&e, 1, admin.id, at(10));
    r.generated = Some([7; 32]);
    commit(
        s,
        t,
        vec![Write::InsertEmployee(e), Write::InsertReference(r.clone())],
    )
    .await
    .unwrap();
    let stored = s.reference(t, r.id).await.unwrap().unwrap();
    assert_eq!(stored.value.generated, Some([7; 32]));
    let mut cleared = stored.value.clone();
    cleared.generated = None;
    commit(
        s,
        t,
        vec![Write::UpdateReference(writable(cleared), stored.version)],
    )
    .await
    .unwrap();
    assert_eq!(
        s.reference(t, r.id).await.unwrap().unwrap().value.generated,
        None
    );

    // Purging the tenant removes its documents.
    commit(s, t, vec![Write::PurgeTenantData]).await.unwrap();
    assert_eq!(s.phrase_library(t).await.unwrap().version, Version(0));
}

fn first_tenant(n: u8) -> ChangeSet {
    let t = tenant(n);
    let mut cs = ChangeSet::new(t.id);
    cs.push(Write::InsertTenant(t.clone()))
        .push(Write::InsertRole(admin_role(t.id)))
        .require(Precondition::OnlyTenant);
    cs
}

/// Case: Only one first start setup commits even at once.
pub async fn only_one_first_start_setup_commits_even_at_once<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    // Two setups at the same moment (two instances' first start): one commits,
    // the other is refused and leaves nothing behind.
    let (a, b) = tokio::join!(s.commit(first_tenant(1)), s.commit(first_tenant(2)));
    let results = [a, b];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(
        results.contains(&Err(StoreError::PreconditionFailed(
            Precondition::OnlyTenant
        ))),
        "{results:?}"
    );
    let tenants = s.tenants().await.unwrap();
    assert_eq!(tenants.len(), 1, "{tenants:?}");
    let winner = tenants[0].id;
    assert!(
        s.roles(winner).await.unwrap().len() == 1,
        "the winner's role is there"
    );
    // Later, too: the installation is set up.
    assert_eq!(
        s.commit(first_tenant(3)).await,
        Err(StoreError::PreconditionFailed(Precondition::OnlyTenant))
    );
    assert_eq!(s.tenants().await.unwrap().len(), 1);
    // Creating further organisations (the operator's command) is not bound by it.
    let more = tenant(4);
    let mut cs = ChangeSet::new(more.id);
    cs.push(Write::InsertTenant(more.clone()))
        .push(Write::InsertRole(admin_role(more.id)));
    s.commit(cs).await.unwrap();
    assert_eq!(s.tenants().await.unwrap().len(), 2);
}

/// Case: Records that point at nothing are refused.
pub async fn records_that_point_at_nothing_are_refused<H: StoreUnderTest>(h: &H) {
    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let ghost = employee(t, 9, org("Nord AG", "Vertrieb"));
    let r = reference(&ghost, 1, admin.id, at(1));
    assert_eq!(
        commit(s, t, vec![Write::InsertReference(r)]).await,
        Err(StoreError::NotFound),
        "a reference of a missing employee"
    );
    let e = employee(t, 1, org("Nord AG", "Vertrieb"));
    let mut signed = reference(&e, 2, admin.id, at(2));
    signed.signatories = vec![ghost.id];
    assert_eq!(
        commit(
            s,
            t,
            vec![
                Write::InsertEmployee(e.clone()),
                Write::InsertReference(signed)
            ]
        )
        .await,
        Err(StoreError::NotFound),
        "a missing signatory"
    );
    let mut lost = user(
        t,
        5,
        zeugnis_core::id::RoleId::from_bytes([0xEE; 16]),
        "x@firma.de",
    );
    lost.first_name = zeugnis_core::values::Name::new("Ohne").unwrap();
    assert_eq!(
        commit(s, t, vec![Write::InsertUser(lost)]).await,
        Err(StoreError::NotFound),
        "a user of a missing role"
    );
    let nobody = zeugnis_core::id::UserId::from_bytes([0xEF; 16]);
    assert_eq!(
        commit(
            s,
            t,
            vec![Write::SetPasswordHash(
                nobody,
                PasswordHash::new("$argon2id$z")
            )]
        )
        .await,
        Err(StoreError::NotFound),
        "a password of a missing user"
    );
    let mut missing = reference(&e, 3, admin.id, at(3));
    missing.id = zeugnis_core::id::ReferenceId::from_bytes([0xEF; 16]);
    let change = writable(missing)
        .change_status(
            ReferenceStatus::WithSupervisor,
            StatusActor::User(admin.id),
            at(3),
        )
        .unwrap();
    assert_eq!(
        commit(s, t, vec![Write::AppendStatusChange(change)]).await,
        Err(StoreError::NotFound),
        "the history of a missing reference"
    );
    // A record of a tenant that does not exist.
    let none = tenant(9).id;
    assert_eq!(
        commit(s, none, vec![Write::InsertRole(admin_role(none))]).await,
        Err(StoreError::NotFound),
        "a role of a missing tenant"
    );
    assert!(s.roles(none).await.unwrap().is_empty());
    assert!(
        s.employee(t, e.id).await.unwrap().is_none(),
        "nothing was written"
    );
}

/// Case: Every versioned record refuses a stale version, and an update of a
/// missing record is not found.
pub async fn every_versioned_record_refuses_a_stale_version<H: StoreUnderTest>(h: &H) {
    use zeugnis_core::second_factor::SecondFactors;

    let s = h.store();
    let (t, admin) = seed_tenant(s, 1).await;
    let (e, _, r) = seed_signed_reference(s, t, admin.id, at(1)).await;
    let ho = handover(&r, admin.id);
    let challenge = handover_challenge(&ho);
    commit(
        s,
        t,
        vec![
            Write::InsertHandover(ho.clone()),
            Write::InsertChallenge(challenge.clone()),
            Write::SaveSecondFactors(SecondFactors::empty(admin.id), None),
            Write::SaveSettings(zeugnis_core::settings::TenantSettings::default(), None),
        ],
    )
    .await
    .unwrap();
    let stale = Version(7);
    let role = clerk_role(t);
    let writes = [
        Write::UpdateRole(role.clone(), stale),
        Write::UpdateEmployee(e.clone(), stale),
        Write::UpdateReference(writable(r.clone()), stale),
        Write::UpdateHandover(ho.clone(), stale),
        Write::UpdateChallenge(challenge.clone(), stale),
        Write::SaveSecondFactors(SecondFactors::empty(admin.id), Some(stale)),
        Write::SaveSecondFactors(SecondFactors::empty(admin.id), None),
        Write::SaveSettings(
            zeugnis_core::settings::TenantSettings::default(),
            Some(stale),
        ),
        Write::SaveLetterFormatting(Box::default(), Some(stale)),
    ];
    for w in writes {
        let what = format!("{w:?}");
        let refused = commit(s, t, vec![w]).await;
        assert!(
            matches!(refused, Err(StoreError::Conflict { .. })),
            "{what}: {refused:?}"
        );
    }
    // The versions read still work, once.
    let current = s.employee(t, e.id).await.unwrap().unwrap();
    commit(
        s,
        t,
        vec![Write::UpdateEmployee(e.clone(), current.version)],
    )
    .await
    .unwrap();
    assert!(s.employee(t, e.id).await.unwrap().unwrap().version > current.version);
    assert!(matches!(
        commit(
            s,
            t,
            vec![Write::UpdateEmployee(e.clone(), current.version)]
        )
        .await,
        Err(StoreError::Conflict { .. })
    ));
    // Updates of records that do not exist.
    let mut ghost_role = role;
    ghost_role.id = zeugnis_core::id::RoleId::from_bytes([0xE1; 16]);
    let ghost_employee = employee(t, 77, org("Nord AG", "Vertrieb"));
    let mut ghost_reference = r.clone();
    ghost_reference.id = zeugnis_core::id::ReferenceId::from_bytes([0xE2; 16]);
    let mut ghost_handover = ho.clone();
    ghost_handover.id = zeugnis_core::token::HandoverId::from_bytes([0xE3; 16]);
    let mut ghost_challenge = challenge;
    ghost_challenge.id = zeugnis_core::id::ChallengeId::from_bytes([0xE4; 16]);
    for w in [
        Write::UpdateRole(ghost_role, Version(1)),
        Write::UpdateEmployee(ghost_employee, Version(1)),
        Write::UpdateReference(writable(ghost_reference), Version(1)),
        Write::UpdateHandover(ghost_handover, Version(1)),
        Write::UpdateChallenge(ghost_challenge, Version(1)),
    ] {
        let what = format!("{w:?}");
        assert_eq!(
            commit(s, t, vec![w]).await,
            Err(StoreError::NotFound),
            "{what}"
        );
    }
}
