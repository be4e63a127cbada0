use super::*;
use crate::access::{AccessLevel, Area, Permissions, Role};
use crate::action::{ActionPurpose, PendingAction};
use crate::authz::{AccessError, Actor};
use crate::id::{RoleId, UserId};
use crate::password::{MockBreachedPasswords, Password};
use crate::ports::{
    ActionStore as _, CredentialStore as _, MockLinkBuilder, MockPasswordHasher, PasswordHash,
    UserStore as _,
};
use crate::scope::{Criterion, ReferenceScope, Restriction};
use crate::services::accounts::{AccountError, AccountService, NewUser};
use crate::token::{ActionToken, SecretToken as _};
use crate::user::{AuthMethods, User, UserStatus};
use crate::values::{Email, Name};

fn admin_role() -> Role {
    Role::administrator(RoleId::from_bytes([1; 16]), tenant_id())
}

fn hr_role() -> Role {
    Role::custom(
        RoleId::from_bytes([2; 16]),
        tenant_id(),
        Name::new("HR").unwrap(),
        Permissions::none().with(Area::Users, AccessLevel::ReadWrite),
    )
}

fn user(n: u8, role: &Role, status: UserStatus) -> User {
    User {
        id: UserId::from_bytes([n; 16]),
        tenant: tenant_id(),
        first_name: Name::new("Lea").unwrap(),
        last_name: Name::new("Wolf").unwrap(),
        email: Email::parse(&format!("u{n}@firma.de")).unwrap(),
        phone: None,
        role: role.id,
        scope: ReferenceScope::Administrator,
        status,
        failed_logins: 0,
        language: None,
        auth: AuthMethods {
            password: true,
            ..AuthMethods::default()
        },
        created_at: t0(),
    }
}

/// The memory store with both roles and `existing` users.
struct World {
    store: MemoryStore,
}

impl World {
    fn new(existing: Vec<User>) -> Self {
        let mut writes = vec![
            Write::InsertRole(admin_role()),
            Write::InsertRole(hr_role()),
        ];
        writes.extend(existing.into_iter().map(Write::InsertUser));
        Self {
            store: seeded(writes),
        }
    }

    /// Stores the pending link `action`.
    fn mailed(&self, action: PendingAction) {
        let mut changes = ChangeSet::new(tenant_id());
        changes.push(Write::InsertAction(action));
        run(self.store.commit(changes)).unwrap();
    }

    fn user(&self, id: UserId) -> User {
        run(self.store.user(tenant_id(), id))
            .unwrap()
            .expect("the user is stored")
            .value
    }

    fn service<'a>(&'a self, p: &'a Ports, uow: &'a dyn UnitOfWork) -> AccountService<'a> {
        AccountService {
            tenants: &self.store,
            users: &self.store,
            roles: &self.store,
            credentials: &self.store,
            actions: &self.store,
            settings: &self.store,
            hasher: &p.hasher,
            breached: &p.breached,
            uow,
            clock: &p.clock,
            random: &p.random,
            links: &p.links,
        }
    }
}

/// The ports that are no store.
struct Ports {
    hasher: MockPasswordHasher,
    breached: MockBreachedPasswords,
    links: MockLinkBuilder,
    clock: crate::ports::MockClock,
    random: crate::ports::MockRandomSource,
}

fn ports() -> Ports {
    let mut hasher = MockPasswordHasher::new();
    hasher
        .expect_hash()
        .returning(|_| Ok(PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$x$y")));
    let mut breached = MockBreachedPasswords::new();
    breached.expect_contains().return_const(false);
    let mut links = MockLinkBuilder::new();
    links
        .expect_action_link()
        .returning(|_, _, _| "https://z.example/t/firma/welcome#x".to_owned());
    Ports {
        hasher,
        breached,
        links,
        clock: clock_at(t0()),
        random: counting_random(),
    }
}

fn actor(u: &User, role: &Role) -> Actor {
    Actor::for_user(u, role).unwrap()
}

fn new_user(role: &Role, scope: ReferenceScope) -> NewUser {
    NewUser {
        first_name: Name::new("Max").unwrap(),
        last_name: Name::new("Neu").unwrap(),
        email: Email::parse("max@firma.de").unwrap(),
        phone: None,
        role: role.id,
        scope,
    }
}

#[test]
fn nobody_invites_with_more_rights_than_their_own_and_nothing_is_written() {
    let mut hr = user(5, &hr_role(), UserStatus::Active);
    hr.scope = ReferenceScope::Restricted(
        Restriction::unrestricted()
            .allow(Criterion::Location, ["Köln"])
            .unwrap(),
    );
    let w = World::new(vec![hr.clone()]);
    let uow = Recording::new(&w.store);
    let p = ports();
    let a = actor(&hr, &hr_role());
    let as_admin = block_on(w.service(&p, &uow).invite(
        &a,
        new_user(&admin_role(), ReferenceScope::Administrator),
        None,
    ));
    assert!(matches!(
        as_admin,
        Err(AccountError::Access(AccessError::Escalation { .. }))
    ));
    let wider = block_on(w.service(&p, &uow).invite(
        &a,
        new_user(&hr_role(), ReferenceScope::Administrator),
        None,
    ));
    assert_eq!(
        wider,
        Err(AccountError::Access(AccessError::ScopeEscalation))
    );
    assert!(uow.commits().is_empty());
}

#[test]
fn an_invitation_creates_the_account_link_mail_and_audit_entry_in_one_change_set() {
    let admin = user(1, &admin_role(), UserStatus::Active);
    let w = World::new(vec![admin.clone()]);
    let uow = Recording::new(&w.store);
    let p = ports();
    let a = actor(&admin, &admin_role());
    let id = block_on(w.service(&p, &uow).invite(
        &a,
        new_user(&hr_role(), ReferenceScope::Administrator),
        None,
    ))
    .unwrap();
    let commits = uow.commits();
    assert_eq!(commits.len(), 1);
    let writes = commits[0].writes();
    assert!(
        matches!(&writes[0], Write::InsertUser(u) if u.id == id && u.status == UserStatus::Invited)
    );
    assert!(
        matches!(&writes[1], Write::InsertAction(p) if p.purpose == ActionPurpose::Invitation && p.user == id)
    );
    assert!(
        matches!(&writes[2], Write::Enqueue(m) if m.kind == crate::ports::MessageKind::Invitation)
    );
    assert!(
        matches!(&writes[3], Write::AppendAudit(e) if e.action == crate::audit::AuditAction::UserCreated)
    );
    assert_eq!(w.user(id).status, UserStatus::Invited);
    assert_eq!(
        logged_actions(&w.store),
        vec![crate::audit::AuditAction::UserCreated]
    );
}

#[test]
fn the_last_active_administrator_cannot_be_deactivated() {
    let admin = user(1, &admin_role(), UserStatus::Active);
    let w = World::new(vec![admin.clone()]);
    let uow = Recording::new(&w.store);
    let p = ports();
    let a = actor(&admin, &admin_role());
    let r = block_on(w.service(&p, &uow).deactivate(&a, admin.id, None));
    assert_eq!(r, Err(AccountError::Access(AccessError::LastAdministrator)));
    assert!(uow.commits().is_empty());
    assert_eq!(w.user(admin.id).status, UserStatus::Active);
}

#[test]
fn deactivation_ends_the_sessions_in_the_same_change_set_and_guards_the_last_administrator() {
    let admin = user(1, &admin_role(), UserStatus::Active);
    let other = user(2, &admin_role(), UserStatus::Active);
    let w = World::new(vec![admin.clone(), other.clone()]);
    let uow = Recording::new(&w.store);
    let p = ports();
    let a = actor(&admin, &admin_role());
    block_on(w.service(&p, &uow).deactivate(&a, other.id, None)).unwrap();
    let commits = uow.commits();
    let cs = &commits[0];
    assert!(
        cs.preconditions()
            .contains(&crate::ports::Precondition::AdministratorRemains)
    );
    assert!(cs.writes().contains(&Write::DeleteSessionsOfUser(other.id)));
    assert!(
        cs.writes()
            .iter()
            .any(|w| matches!(w, Write::UpdateUser(u, _) if u.status == UserStatus::Deactivated))
    );
    assert_eq!(w.user(other.id).status, UserStatus::Deactivated);
}

#[test]
fn a_reset_consumes_its_link_ends_every_session_and_keeps_the_second_factor() {
    let mut u = user(3, &hr_role(), UserStatus::Active);
    u.auth.totp = true;
    let w = World::new(vec![u.clone()]);
    let token = ActionToken::from_bytes([9; 32]);
    w.mailed(PendingAction::issue(
        &token,
        tenant_id(),
        u.id,
        ActionPurpose::PasswordReset,
        t0(),
    ));
    let uow = Recording::new(&w.store);
    let p = ports();
    block_on(w.service(&p, &uow).reset_password(
        tenant_id(),
        &token,
        &Password::new("Wald-Läufer-7"),
        None,
    ))
    .unwrap();
    let commits = uow.commits();
    let writes = commits[0].writes();
    assert!(writes.contains(&Write::ConsumeAction(token.hash())));
    assert!(writes.contains(&Write::DeleteSessionsOfUser(u.id)));
    assert!(
        writes
            .iter()
            .any(|w| matches!(w, Write::SetPasswordHash(id, _) if *id == u.id))
    );
    assert!(
        writes
            .iter()
            .any(|w| matches!(w, Write::UpdateUser(x, _) if x.auth.totp))
    );
    assert!(
        !writes
            .iter()
            .any(|w| matches!(w, Write::DeleteSecondFactors(_)))
    );
    assert_eq!(run(w.store.action(tenant_id(), &token.hash())), Ok(None));
    assert!(
        run(w.store.password_hash(tenant_id(), u.id))
            .unwrap()
            .is_some()
    );
    assert!(w.user(u.id).auth.totp);
}

#[test]
fn a_reset_link_of_the_wrong_purpose_or_past_its_expiry_does_nothing() {
    let u = user(3, &hr_role(), UserStatus::Active);
    let w = World::new(vec![u.clone()]);
    let token = ActionToken::from_bytes([9; 32]);
    // An invitation link presented as a reset link.
    w.mailed(PendingAction::issue(
        &token,
        tenant_id(),
        u.id,
        ActionPurpose::Invitation,
        t0(),
    ));
    let uow = Recording::new(&w.store);
    let p = ports();
    let r = block_on(w.service(&p, &uow).reset_password(
        tenant_id(),
        &token,
        &Password::new("Wald-Läufer-7"),
        None,
    ));
    assert_eq!(r, Err(AccountError::InvalidLink));
    assert!(uow.commits().is_empty());
    assert!(
        run(w.store.action(tenant_id(), &token.hash()))
            .unwrap()
            .is_some(),
        "the link stays"
    );
}

#[test]
fn forgot_password_for_an_unknown_address_writes_only_an_audit_entry() {
    let w = World::new(vec![]);
    let uow = Recording::new(&w.store);
    let p = ports();
    block_on(
        w.service(&p, &uow)
            .request_password_reset(tenant_id(), "niemand@firma.de", None),
    )
    .unwrap();
    let commits = uow.commits();
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0].writes().len(), 1);
    assert!(
        matches!(&commits[0].writes()[0], Write::AppendAudit(e) if e.action == crate::audit::AuditAction::PasswordResetRequested)
    );
    assert_eq!(
        logged_actions(&w.store),
        vec![crate::audit::AuditAction::PasswordResetRequested]
    );
}

#[test]
fn a_user_manager_cannot_unlock_by_deactivating_and_reactivating() {
    let hr = user(5, &hr_role(), UserStatus::Active);
    let mut locked = user(6, &hr_role(), UserStatus::Deactivated);
    locked.failed_logins = 5;
    let w = World::new(vec![hr.clone(), locked.clone()]);
    let uow = Recording::new(&w.store);
    let p = ports();
    let a = actor(&hr, &hr_role());
    block_on(w.service(&p, &uow).reactivate(&a, locked.id, None)).unwrap();
    assert!(
        uow.commits()[0]
            .writes()
            .iter()
            .any(|w| matches!(w, Write::UpdateUser(..)))
    );
    let after = w.user(locked.id);
    assert_eq!(after.status, UserStatus::Locked, "the lock stays");
    assert_eq!(after.failed_logins, 5);

    // An Administrator's reactivation is an unlock.
    let admin = user(1, &admin_role(), UserStatus::Active);
    let w = World::new(vec![admin.clone(), locked.clone()]);
    let uow = Recording::new(&w.store);
    let a = actor(&admin, &admin_role());
    block_on(w.service(&p, &uow).reactivate(&a, locked.id, None)).unwrap();
    let commits = uow.commits();
    assert!(commits[0].writes().iter().any(
        |w| matches!(w, Write::UpdateUser(u, _) if u.status == UserStatus::Active && u.failed_logins == 0)
    ));
    let after = w.user(locked.id);
    assert_eq!((after.status, after.failed_logins), (UserStatus::Active, 0));
}

#[test]
fn a_new_address_voids_mailed_links_and_resends_a_pending_invitation() {
    let admin = user(1, &admin_role(), UserStatus::Active);
    let invited = user(7, &hr_role(), UserStatus::Invited);
    let w = World::new(vec![admin.clone(), invited.clone()]);
    let uow = Recording::new(&w.store);
    let p = ports();
    let a = actor(&admin, &admin_role());
    let change = crate::services::accounts::UserChanges {
        email: Some(Email::parse("richtig@firma.de").unwrap()),
        ..Default::default()
    };
    block_on(
        w.service(&p, &uow)
            .update_user(&a, invited.id, change, None),
    )
    .unwrap();
    let commits = uow.commits();
    let writes = commits[0].writes();
    assert!(writes.contains(&Write::DeleteActionsOfUser(
        invited.id,
        ActionPurpose::Invitation
    )));
    assert!(writes.contains(&Write::DeleteActionsOfUser(
        invited.id,
        ActionPurpose::PasswordReset
    )));
    assert!(
        writes
            .iter()
            .any(|w| matches!(w, Write::InsertAction(p) if p.purpose == ActionPurpose::Invitation))
    );
    assert!(writes.iter().any(|w| matches!(w, Write::Enqueue(m)
        if m.to == crate::ports::Destination::Email(Email::parse("richtig@firma.de").unwrap()))));
    assert_eq!(w.user(invited.id).email.as_str(), "richtig@firma.de");
}

#[test]
fn the_own_address_changes_only_with_the_password() {
    let admin = user(1, &admin_role(), UserStatus::Active);
    let w = World::new(vec![admin.clone()]);
    let uow = Recording::new(&w.store);
    let p = ports();
    let a = actor(&admin, &admin_role());
    let change = crate::services::accounts::UserChanges {
        email: Some(Email::parse("neu@firma.de").unwrap()),
        ..Default::default()
    };
    assert_eq!(
        block_on(w.service(&p, &uow).update_user(&a, admin.id, change, None)),
        Err(AccountError::ReauthenticationRequired)
    );
    assert!(uow.commits().is_empty());
    assert_eq!(w.user(admin.id).email, admin.email);
}

/// A role that writes references and manages no users.
fn clerk_role() -> Role {
    Role::custom(
        RoleId::from_bytes([9; 16]),
        tenant_id(),
        Name::new("Sachbearbeitung").unwrap(),
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    )
}

#[test]
fn anyone_changes_their_own_names_and_language_without_rights_over_users() {
    let hr = user(3, &clerk_role(), UserStatus::Active);
    let other = user(4, &clerk_role(), UserStatus::Active);
    let w = World::new(vec![]);
    let mut seed = ChangeSet::new(tenant_id());
    seed.push(Write::InsertRole(clerk_role()))
        .push(Write::InsertUser(hr.clone()))
        .push(Write::InsertUser(other.clone()));
    run(w.store.commit(seed)).unwrap();
    let uow = Recording::new(&w.store);
    let p = ports();
    let a = actor(&hr, &clerk_role());
    let saved = block_on(w.service(&p, &uow).change_own_profile(
        &a,
        Name::new("Lea-Marie").unwrap(),
        Name::new("Wolf").unwrap(),
        Some(crate::reference::Language::English),
        None,
    ))
    .unwrap();
    assert_eq!(saved.first_name.as_str(), "Lea-Marie");
    let stored = w.user(hr.id);
    assert_eq!(stored.first_name.as_str(), "Lea-Marie");
    assert_eq!(stored.language, Some(crate::reference::Language::English));
    assert_eq!(stored.role, hr.role, "nothing else changed");
    let commits = uow.commits();
    let event = commits[0]
        .writes()
        .iter()
        .find_map(|w| match w {
            Write::AppendAudit(e) => Some(e.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(event.action, crate::audit::AuditAction::UserChanged);
    let fields: Vec<&str> = event.changes.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["first_name", "language"]);
    // The same names again change nothing and write nothing.
    block_on(w.service(&p, &uow).change_own_profile(
        &a,
        Name::new("Lea-Marie").unwrap(),
        Name::new("Wolf").unwrap(),
        Some(crate::reference::Language::English),
        None,
    ))
    .unwrap();
    assert_eq!(uow.commits().len(), 1);
    // Another user's names stay out of reach without rights over users.
    let change = crate::services::accounts::UserChanges {
        first_name: Some(Name::new("Fremd").unwrap()),
        ..Default::default()
    };
    assert!(matches!(
        block_on(w.service(&p, &uow).update_user(&a, other.id, change, None)),
        Err(AccountError::Access(_))
    ));
    assert_eq!(w.user(other.id).first_name, other.first_name);
}
