use std::net::IpAddr;

use super::*;
use crate::access::Role;
use crate::audit::{AuditAction, AuditActor};
use crate::id::{RoleId, UserId};
use crate::password::Password;
use crate::ports::{
    MessageKind, MockPasswordHasher, PasswordCheck, PasswordHash, UserStore as _, Versioned,
};
use crate::scope::ReferenceScope;
use crate::services::login::{LoginError, LoginOutcome, LoginRequest, LoginService};
use crate::settings::{SecondFactorRequirement, SsoMode, TenantSettings};
use crate::user::{AuthMethods, User, UserStatus};
use crate::values::{Email, Name};

fn user(status: UserStatus, failed: u32) -> User {
    User {
        id: UserId::from_bytes([0x22; 16]),
        tenant: tenant_id(),
        first_name: Name::new("Hanna").unwrap(),
        last_name: Name::new("Becker").unwrap(),
        email: Email::parse("hanna.becker@firma.de").unwrap(),
        phone: None,
        role: Role::administrator(RoleId::from_bytes([0x33; 16]), tenant_id()).id,
        scope: ReferenceScope::Administrator,
        status,
        failed_logins: failed,
        language: None,
        auth: AuthMethods {
            password: true,
            ..AuthMethods::default()
        },
        created_at: t0(),
    }
}

/// The memory store with the administrator role, the user (if any) with a
/// password hash, and the settings; the hasher stays a mock: the tests count
/// its runs.
struct World {
    store: MemoryStore,
    hasher: MockPasswordHasher,
}

impl World {
    /// A tenant with `settings`, the user (if any) and a hasher answering
    /// `matches` — expected to run exactly once (never, for `None`).
    fn new(found: Option<User>, matches: Option<bool>, settings: TenantSettings) -> Self {
        let mut writes = vec![
            Write::SaveSettings(settings, None),
            Write::InsertRole(Role::administrator(
                RoleId::from_bytes([0x33; 16]),
                tenant_id(),
            )),
        ];
        if let Some(u) = found {
            let id = u.id;
            writes.push(Write::InsertUser(u));
            writes.push(Write::SetPasswordHash(
                id,
                PasswordHash::new("$argon2id$stored"),
            ));
        }
        let mut hasher = MockPasswordHasher::new();
        if let Some(matches) = matches {
            hasher.expect_verify().times(1).returning(move |_, _| {
                Ok(PasswordCheck {
                    matches,
                    needs_rehash: false,
                })
            });
        }
        Self {
            store: seeded(writes),
            hasher,
        }
    }

    /// Logs in, expects the one refusal, returns what was committed.
    fn refused(&self, email: &str) -> Vec<ChangeSet> {
        let uow = Recording::new(&self.store);
        assert_eq!(self.login(&uow, email), Err(LoginError::InvalidCredentials));
        uow.commits()
    }

    fn login(&self, uow: &dyn UnitOfWork, email: &str) -> Result<LoginOutcome, LoginError> {
        let clock = clock_at(t0());
        let random = counting_random();
        let service = LoginService {
            tenants: &self.store,
            users: &self.store,
            credentials: &self.store,
            settings: &self.store,
            hasher: &self.hasher,
            uow,
            clock: &clock,
            random: &random,
        };
        run(service.login(LoginRequest {
            tenant: tenant_id(),
            email: email.into(),
            password: Password::new("whatever-was-typed"),
            source_ip: Some(IpAddr::from([192, 0, 2, 7])),
        }))
    }

    /// The user as stored now, at its version.
    fn user(&self) -> Versioned<User> {
        run(self.store.user(tenant_id(), UserId::from_bytes([0x22; 16])))
            .unwrap()
            .expect("the user is stored")
    }
}

fn stored_user(cs: &ChangeSet) -> Option<User> {
    cs.writes().iter().find_map(|w| match w {
        Write::UpdateUser(u, _) => Some(u.clone()),
        _ => None,
    })
}

#[test]
fn an_unknown_address_fails_like_a_wrong_password_after_a_dummy_hash() {
    let mut w = World::new(None, None, TenantSettings::default());
    w.hasher
        .expect_verify()
        .withf(|_, hash| hash.is_none())
        .times(1)
        .returning(|_, _| {
            Ok(PasswordCheck {
                matches: false,
                needs_rehash: false,
            })
        });
    let uow = Recording::new(&w.store);
    assert_eq!(
        w.login(&uow, "nobody@firma.de"),
        Err(LoginError::InvalidCredentials)
    );
    let c = uow.commits();
    assert_eq!(c.len(), 1);
    let Write::AppendAudit(e) = &c[0].writes()[0] else {
        panic!("expected an audit entry")
    };
    assert_eq!(
        (e.action, &e.actor),
        (AuditAction::LoginFailed, &AuditActor::Anonymous)
    );
    assert_eq!(e.source_ip, Some(IpAddr::from([192, 0, 2, 7])));
    assert_eq!(
        e.detail.as_ref().map(|d| d.as_str()),
        Some("unknown_account")
    );
    assert_eq!(logged(&w.store), vec![e.clone()]);
}

#[test]
fn a_malformed_address_also_runs_the_hasher_once() {
    let w = World::new(
        Some(user(UserStatus::Active, 0)),
        Some(true),
        TenantSettings::default(),
    );
    let uow = Recording::new(&w.store);
    assert_eq!(
        w.login(&uow, "not an address"),
        Err(LoginError::InvalidCredentials)
    );
}

#[test]
fn a_wrong_password_counts_one_failure_and_is_audited() {
    let w = World::new(
        Some(user(UserStatus::Active, 2)),
        Some(false),
        TenantSettings::default(),
    );
    let read = w.user().version;
    let c = w.refused("hanna.becker@firma.de");
    assert!(stored_user(&c[0]).is_some());
    let u = w.user().value;
    assert_eq!((u.failed_logins, u.status), (3, UserStatus::Active));
    assert!(
        matches!(c[0].writes()[0], Write::UpdateUser(_, v) if v == read),
        "updated first, at the version read"
    );
    assert_eq!(logged_actions(&w.store), vec![AuditAction::LoginFailed]);
}

#[test]
fn the_fifth_failure_locks_audits_and_queues_the_notice_in_one_transaction() {
    let w = World::new(
        Some(user(UserStatus::Active, 4)),
        Some(false),
        TenantSettings::default(),
    );
    let c = w.refused("hanna.becker@firma.de");
    assert_eq!(c.len(), 1, "one transaction");
    assert_eq!(stored_user(&c[0]).unwrap().status, UserStatus::Locked);
    assert_eq!(w.user().value.status, UserStatus::Locked);
    assert_eq!(
        logged_actions(&w.store),
        vec![AuditAction::LoginFailed, AuditAction::AccountLocked]
    );
    let notice = c[0].writes().iter().find_map(|w| match w {
        Write::Enqueue(m) => Some(m.clone()),
        _ => None,
    });
    assert_eq!(notice.map(|m| m.kind), Some(MessageKind::LockoutNotice));
}

#[test]
fn locked_user_cannot_log_in_even_with_the_right_password() {
    let w = World::new(
        Some(user(UserStatus::Locked, 5)),
        Some(true),
        TenantSettings::default(),
    );
    let c = w.refused("hanna.becker@firma.de");
    assert_eq!(stored_user(&c[0]).unwrap().status, UserStatus::Locked);
    assert_eq!(w.user().value.status, UserStatus::Locked);
    let Some(Write::AppendAudit(e)) = c[0]
        .writes()
        .iter()
        .find(|w| matches!(w, Write::AppendAudit(_)))
    else {
        panic!("expected an audit entry")
    };
    assert_eq!(
        e.detail.as_ref().map(|d| d.as_str()),
        Some("locked_account")
    );
}

#[test]
fn a_deactivated_user_gets_the_same_answer_and_the_hasher_still_runs() {
    let w = World::new(
        Some(user(UserStatus::Deactivated, 0)),
        Some(true),
        TenantSettings::default(),
    );
    let uow = Recording::new(&w.store);
    assert_eq!(
        w.login(&uow, "hanna.becker@firma.de"),
        Err(LoginError::InvalidCredentials)
    );
    assert!(
        stored_user(&uow.commits()[0]).is_none(),
        "a deactivated account is not touched"
    );
    assert_eq!(w.user().value, user(UserStatus::Deactivated, 0));
}

#[test]
fn a_successful_login_resets_the_count_and_is_audited() {
    let w = World::new(
        Some(user(UserStatus::Active, 3)),
        Some(true),
        TenantSettings::default(),
    );
    let uow = Recording::new(&w.store);
    let out = w.login(&uow, "Hanna.Becker@firma.de").unwrap();
    assert_eq!(
        out,
        LoginOutcome::Authenticated {
            user: UserId::from_bytes([0x22; 16]),
            rehashed: false
        }
    );
    let c = uow.commits();
    assert!(stored_user(&c[0]).is_some());
    assert_eq!(w.user().value.failed_logins, 0);
    assert_eq!(logged_actions(&w.store), vec![AuditAction::LoginSucceeded]);
}

#[test]
fn an_enrolled_second_factor_is_asked_for_before_anything_is_reset() {
    let mut u = user(UserStatus::Active, 2);
    u.auth.totp = true;
    let w = World::new(Some(u), Some(true), TenantSettings::default());
    let uow = Recording::new(&w.store);
    let out = w.login(&uow, "hanna.becker@firma.de").unwrap();
    assert!(matches!(
        out,
        LoginOutcome::SecondFactorRequired {
            enrolment_required: false,
            ..
        }
    ));
    assert!(uow.commits().is_empty());
    assert_eq!(w.user().value.failed_logins, 2);
}

#[test]
fn a_tenant_that_requires_a_second_factor_forces_enrolment() {
    let mut settings = TenantSettings::default();
    settings.security.second_factor = SecondFactorRequirement::Required;
    let w = World::new(Some(user(UserStatus::Active, 0)), Some(true), settings);
    let uow = Recording::new(&w.store);
    let out = w.login(&uow, "hanna.becker@firma.de").unwrap();
    assert!(matches!(
        out,
        LoginOutcome::SecondFactorRequired {
            enrolment_required: true,
            ..
        }
    ));
}

#[test]
fn an_sso_only_tenant_refuses_password_logins() {
    let mut settings = TenantSettings::default();
    settings.security.sso = SsoMode::Only;
    let w = World::new(Some(user(UserStatus::Active, 0)), None, settings);
    let uow = Recording::new(&w.store);
    assert_eq!(
        w.login(&uow, "hanna.becker@firma.de"),
        Err(LoginError::PasswordLoginDisabled)
    );
}

#[test]
fn a_concurrent_change_is_reread_so_every_failure_counts_once() {
    let w = World::new(
        Some(user(UserStatus::Active, 3)),
        Some(false),
        TenantSettings::default(),
    );
    // Between our read and our write another failed attempt is stored.
    let read = w.user().version;
    let mut other = ChangeSet::new(tenant_id());
    other.push(Write::UpdateUser(user(UserStatus::Active, 4), read));
    let uow = Recording::racing(&w.store, other);
    assert_eq!(
        w.login(&uow, "hanna.becker@firma.de"),
        Err(LoginError::InvalidCredentials)
    );
    let c = uow.commits();
    assert_eq!(c.len(), 1);
    assert!(
        matches!(c[0].writes()[0], Write::UpdateUser(_, v) if v != read),
        "written at the version reread, not the stale one"
    );
    assert_eq!(stored_user(&c[0]).unwrap().status, UserStatus::Locked);
    let u = w.user().value;
    assert_eq!(
        (u.failed_logins, u.status),
        (5, UserStatus::Locked),
        "4 + 1 = 5 locks"
    );
}

#[test]
fn a_storage_failure_is_reported_as_unavailable_not_as_wrong_credentials() {
    let w = World::new(
        Some(user(UserStatus::Active, 0)),
        Some(false),
        TenantSettings::default(),
    );
    // The memory store is never unavailable: a mocked unit of work is.
    let (uow, _) = recording_uow(vec![Err(StoreError::Unavailable("db down".into()))]);
    assert!(matches!(
        w.login(&uow, "hanna.becker@firma.de"),
        Err(LoginError::Unavailable(_))
    ));
}

#[test]
fn an_account_without_a_password_is_never_locked_by_password_guessing() {
    let mut u = user(UserStatus::Active, 4);
    u.auth.password = false;
    let w = World::new(Some(u), Some(false), TenantSettings::default());
    let c = w.refused("hanna.becker@firma.de");
    assert!(stored_user(&c[0]).is_none(), "the account is not touched");
    assert_eq!(w.user().value.failed_logins, 4);
    let Some(Write::AppendAudit(e)) = c[0].writes().first() else {
        panic!("expected an audit entry")
    };
    assert_eq!(e.detail.as_ref().map(|d| d.as_str()), Some("no_password"));
}

#[test]
fn a_login_request_never_prints_address_or_password() {
    let req = LoginRequest {
        tenant: tenant_id(),
        email: "Geheim123!".into(),
        password: Password::new("Geheim123!"),
        source_ip: None,
    };
    assert!(!format!("{req:?}").contains("Geheim"));
}
