use std::collections::BTreeSet;

use super::*;
use crate::access::{AccessLevel, Area, Permissions, Role};
use crate::action::{ActionPurpose, PendingAction};
use crate::authz::{AccessError, Actor};
use crate::id::{RoleId, UserId};
use crate::password::{MockBreachedPasswords, Password};
use crate::ports::{
    MockActionStore, MockCredentialStore, MockLinkBuilder, MockPasswordHasher, MockRoleStore,
    MockSettingsStore, MockUserStore, PasswordHash, Version, Versioned,
};
use crate::scope::{Criterion, ReferenceScope, Restriction};
use crate::services::accounts::{AccountError, AccountService, NewUser};
use crate::settings::TenantSettings;
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
        auth: AuthMethods {
            password: true,
            ..AuthMethods::default()
        },
        created_at: t0(),
    }
}

struct World {
    users: MockUserStore,
    roles: MockRoleStore,
    actions: MockActionStore,
}

impl World {
    fn new(existing: Vec<User>) -> Self {
        let mut users = MockUserStore::new();
        let by_id = existing.clone();
        users.expect_user().returning(move |_, id| {
            Ok(by_id
                .iter()
                .find(|u| u.id == id)
                .cloned()
                .map(|value| Versioned {
                    value,
                    version: Version(3),
                }))
        });
        let by_mail = existing.clone();
        users.expect_user_by_email().returning(move |_, e| {
            Ok(by_mail
                .iter()
                .find(|u| &u.email == e)
                .cloned()
                .map(|value| Versioned {
                    value,
                    version: Version(3),
                }))
        });
        let admins = existing.clone();
        users.expect_active_administrators().returning(move |_| {
            Ok(admins
                .iter()
                .filter(|u| u.role == admin_role().id && u.status == UserStatus::Active)
                .map(|u| u.id)
                .collect::<BTreeSet<_>>())
        });
        let mut roles = MockRoleStore::new();
        roles.expect_role().returning(|_, id| {
            Ok([admin_role(), hr_role()]
                .into_iter()
                .find(|r| r.id == id)
                .map(|value| Versioned {
                    value,
                    version: Version(1),
                }))
        });
        Self {
            users,
            roles,
            actions: MockActionStore::new(),
        }
    }

    fn service<'a>(&'a self, p: &'a Ports, uow: &'a MockUnitOfWork) -> AccountService<'a> {
        AccountService {
            tenants: &p.tenants,
            users: &self.users,
            roles: &self.roles,
            credentials: &p.credentials,
            actions: &self.actions,
            settings: &p.settings,
            hasher: &p.hasher,
            breached: &p.breached,
            uow,
            clock: &p.clock,
            random: &p.random,
            links: &p.links,
        }
    }
}

struct Ports {
    tenants: crate::ports::MockTenantStore,
    credentials: MockCredentialStore,
    settings: MockSettingsStore,
    hasher: MockPasswordHasher,
    breached: MockBreachedPasswords,
    links: MockLinkBuilder,
    clock: crate::ports::MockClock,
    random: crate::ports::MockRandomSource,
}

fn ports() -> Ports {
    let mut credentials = MockCredentialStore::new();
    credentials
        .expect_password_hash()
        .returning(|_, _| Ok(None));
    let mut settings = MockSettingsStore::new();
    settings.expect_settings().returning(|_| {
        Ok(Versioned {
            value: TenantSettings::default(),
            version: Version(0),
        })
    });
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
        tenants: active_tenant(),
        credentials,
        settings,
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
    let (uow, log) = recording_uow(vec![]);
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
    assert!(log.lock().unwrap().is_empty());
}

#[test]
fn an_invitation_creates_the_account_link_mail_and_audit_entry_in_one_change_set() {
    let admin = user(1, &admin_role(), UserStatus::Active);
    let w = World::new(vec![admin.clone()]);
    let (uow, log) = recording_uow(vec![]);
    let p = ports();
    let a = actor(&admin, &admin_role());
    let id = block_on(w.service(&p, &uow).invite(
        &a,
        new_user(&hr_role(), ReferenceScope::Administrator),
        None,
    ))
    .unwrap();
    let commits = log.lock().unwrap();
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
}

#[test]
fn the_last_active_administrator_cannot_be_deactivated() {
    let admin = user(1, &admin_role(), UserStatus::Active);
    let w = World::new(vec![admin.clone()]);
    let (uow, log) = recording_uow(vec![]);
    let p = ports();
    let a = actor(&admin, &admin_role());
    let r = block_on(w.service(&p, &uow).deactivate(&a, admin.id, None));
    assert_eq!(r, Err(AccountError::Access(AccessError::LastAdministrator)));
    assert!(log.lock().unwrap().is_empty());
}

#[test]
fn deactivation_ends_the_sessions_in_the_same_change_set_and_guards_the_last_administrator() {
    let admin = user(1, &admin_role(), UserStatus::Active);
    let other = user(2, &admin_role(), UserStatus::Active);
    let w = World::new(vec![admin.clone(), other.clone()]);
    let (uow, log) = recording_uow(vec![]);
    let p = ports();
    let a = actor(&admin, &admin_role());
    block_on(w.service(&p, &uow).deactivate(&a, other.id, None)).unwrap();
    let commits = log.lock().unwrap();
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
}

#[test]
fn a_reset_consumes_its_link_ends_every_session_and_keeps_the_second_factor() {
    let mut u = user(3, &hr_role(), UserStatus::Active);
    u.auth.totp = true;
    let mut w = World::new(vec![u.clone()]);
    let token = ActionToken::from_bytes([9; 32]);
    let pending = PendingAction::issue(
        &token,
        tenant_id(),
        u.id,
        ActionPurpose::PasswordReset,
        t0(),
    );
    let found = pending.clone();
    w.actions
        .expect_action()
        .returning(move |_, _| Ok(Some(found.clone())));
    let (uow, log) = recording_uow(vec![]);
    let p = ports();
    block_on(w.service(&p, &uow).reset_password(
        tenant_id(),
        &token,
        &Password::new("Wald-Läufer-7"),
        None,
    ))
    .unwrap();
    let commits = log.lock().unwrap();
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
}

#[test]
fn a_reset_link_of_the_wrong_purpose_or_past_its_expiry_does_nothing() {
    let u = user(3, &hr_role(), UserStatus::Active);
    let mut w = World::new(vec![u.clone()]);
    let token = ActionToken::from_bytes([9; 32]);
    // An invitation link presented as a reset link.
    let invitation =
        PendingAction::issue(&token, tenant_id(), u.id, ActionPurpose::Invitation, t0());
    w.actions
        .expect_action()
        .returning(move |_, _| Ok(Some(invitation.clone())));
    let (uow, log) = recording_uow(vec![]);
    let p = ports();
    let r = block_on(w.service(&p, &uow).reset_password(
        tenant_id(),
        &token,
        &Password::new("Wald-Läufer-7"),
        None,
    ));
    assert_eq!(r, Err(AccountError::InvalidLink));
    assert!(log.lock().unwrap().is_empty());
}

#[test]
fn forgot_password_for_an_unknown_address_writes_only_an_audit_entry() {
    let w = World::new(vec![]);
    let (uow, log) = recording_uow(vec![]);
    let p = ports();
    block_on(
        w.service(&p, &uow)
            .request_password_reset(tenant_id(), "niemand@firma.de", None),
    )
    .unwrap();
    let commits = log.lock().unwrap();
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0].writes().len(), 1);
    assert!(
        matches!(&commits[0].writes()[0], Write::AppendAudit(e) if e.action == crate::audit::AuditAction::PasswordResetRequested)
    );
}

#[test]
fn a_user_manager_cannot_unlock_by_deactivating_and_reactivating() {
    let hr = user(5, &hr_role(), UserStatus::Active);
    let mut locked = user(6, &hr_role(), UserStatus::Deactivated);
    locked.failed_logins = 5;
    let w = World::new(vec![hr.clone(), locked.clone()]);
    let (uow, log) = recording_uow(vec![]);
    let p = ports();
    let a = actor(&hr, &hr_role());
    block_on(w.service(&p, &uow).reactivate(&a, locked.id, None)).unwrap();
    let commits = log.lock().unwrap();
    let after = commits[0]
        .writes()
        .iter()
        .find_map(|w| match w {
            Write::UpdateUser(u, _) => Some(u.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(after.status, UserStatus::Locked, "the lock stays");
    assert_eq!(after.failed_logins, 5);

    // An Administrator's reactivation is an unlock.
    let admin = user(1, &admin_role(), UserStatus::Active);
    let w = World::new(vec![admin.clone(), locked.clone()]);
    let (uow, log) = recording_uow(vec![]);
    let a = actor(&admin, &admin_role());
    block_on(w.service(&p, &uow).reactivate(&a, locked.id, None)).unwrap();
    let commits = log.lock().unwrap();
    assert!(commits[0].writes().iter().any(
        |w| matches!(w, Write::UpdateUser(u, _) if u.status == UserStatus::Active && u.failed_logins == 0)
    ));
}

#[test]
fn a_new_address_voids_mailed_links_and_resends_a_pending_invitation() {
    let admin = user(1, &admin_role(), UserStatus::Active);
    let invited = user(7, &hr_role(), UserStatus::Invited);
    let w = World::new(vec![admin.clone(), invited.clone()]);
    let (uow, log) = recording_uow(vec![]);
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
    let commits = log.lock().unwrap();
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
}

#[test]
fn the_own_address_changes_only_with_the_password() {
    let admin = user(1, &admin_role(), UserStatus::Active);
    let w = World::new(vec![admin.clone()]);
    let (uow, log) = recording_uow(vec![]);
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
    assert!(log.lock().unwrap().is_empty());
}
