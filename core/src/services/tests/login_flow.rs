//! The whole login as the core runs it. Mocks without expectations fail the
//! test on any call: "nothing is read" is checked by the mocks themselves.

use super::run;
use crate::password::Password;
use crate::ports::{
    MockChallengeStore, MockClock, MockCredentialStore, MockPasswordHasher, MockRandomSource,
    MockRoleStore, MockSecondFactorStore, MockSessionStore, MockSettingsStore, MockTenantStore,
    MockTotpEngine, MockUnitOfWork, MockUserStore,
};
use crate::services::factors::FactorService;
use crate::services::login::{LoginError, LoginFlow, LoginService, MockAddressThrottle};
use crate::services::sessions::SessionService;
use crate::services::tenants::TenantService;

#[derive(Default)]
struct Untouched {
    tenants: MockTenantStore,
    users: MockUserStore,
    credentials: MockCredentialStore,
    settings: MockSettingsStore,
    hasher: MockPasswordHasher,
    uow: MockUnitOfWork,
    clock: MockClock,
    random: MockRandomSource,
    roles: MockRoleStore,
    sessions: MockSessionStore,
    factors: MockSecondFactorStore,
    challenges: MockChallengeStore,
    totp: MockTotpEngine,
}

impl Untouched {
    fn flow<'a>(&'a self, throttle: &'a MockAddressThrottle) -> LoginFlow<'a> {
        LoginFlow {
            password: LoginService {
                tenants: &self.tenants,
                users: &self.users,
                credentials: &self.credentials,
                settings: &self.settings,
                hasher: &self.hasher,
                uow: &self.uow,
                clock: &self.clock,
                random: &self.random,
            },
            sessions: SessionService {
                tenants: &self.tenants,
                users: &self.users,
                roles: &self.roles,
                sessions: &self.sessions,
                settings: &self.settings,
                uow: &self.uow,
                clock: &self.clock,
                random: &self.random,
            },
            factors: FactorService {
                users: &self.users,
                factors: &self.factors,
                challenges: &self.challenges,
                credentials: &self.credentials,
                settings: &self.settings,
                hasher: &self.hasher,
                totp: &self.totp,
                uow: &self.uow,
                clock: &self.clock,
                random: &self.random,
            },
            tenants: TenantService {
                tenants: &self.tenants,
                uow: &self.uow,
                clock: &self.clock,
                random: &self.random,
            },
            session_store: &self.sessions,
            throttle,
        }
    }
}

/// A login from an address the throttle refuses for `wait` seconds.
fn refused_for(wait: u64) -> Result<(), LoginError> {
    let ports = Untouched::default();
    let mut throttle = MockAddressThrottle::new();
    throttle.expect_refused_for().return_const(Some(wait));
    throttle.expect_record_failure().never();
    run(ports.flow(&throttle).log_in(
        Some("firma"),
        "anna@firma.de".into(),
        Password::new("Sommer-im-Odenwald"),
        Some("198.51.100.9".parse().expect("an address")),
    ))
    .map(|_| ())
}

#[test]
fn a_refused_address_is_answered_before_anything_is_read_or_hashed() {
    // Every port of `Untouched` fails the test when called.
    assert_eq!(
        refused_for(42),
        Err(LoginError::TooManyAttempts {
            retry_after_secs: 42
        })
    );
}

#[test]
fn a_refusal_always_names_at_least_one_second() {
    assert_eq!(
        refused_for(0),
        Err(LoginError::TooManyAttempts {
            retry_after_secs: 1
        })
    );
}
