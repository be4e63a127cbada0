//! What every request handler shares: the hasher, the clock, the settings of
//! the HTTP edge, and the services of the core built from the store. Handlers
//! get services only: the store itself is private to this module, so no
//! handler can read or commit past a service's checks.

use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;
use ipnet::IpNet;
use tokio::sync::Notify;
use zeugnis_auth::{Argon2Hasher, Argon2Params, CommonPasswords, TotpRs};
use zeugnis_core::action::ActionPurpose;
use zeugnis_core::ports::{
    ChangeSet, Clock, LinkBuilder, RandomSource, StoreError, UnitOfWork, Write,
};
use zeugnis_core::services::accounts::AccountService;
use zeugnis_core::services::audit::AuditService;
use zeugnis_core::services::login::LoginService;
use zeugnis_core::services::sessions::SessionService;
use zeugnis_core::services::tenants::TenantService;
use zeugnis_core::tenant::Tenant;
use zeugnis_core::token::{ActionToken, HandoverId, HandoverSecret, TokenHash};
use zeugnis_store::Store;

use crate::config::Config;
use crate::throttle::Throttle;

/// Random bytes from the operating system.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&self, dest: &mut [u8]) {
        if let Err(error) = getrandom::fill(dest) {
            // Without randomness no token, key or id can be made safely; going on
            // would be worse than stopping.
            tracing::error!(%error, "the operating system's random generator failed; stopping");
            std::process::abort();
        }
    }
}

/// Links in mails, under the server's public address.
#[derive(Debug, Clone)]
pub struct PublicLinks {
    base: String,
}

impl PublicLinks {
    /// Links under `base` (no trailing slash needed).
    #[must_use]
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// The public address.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }
}

impl LinkBuilder for PublicLinks {
    fn action_link(&self, tenant: &Tenant, purpose: ActionPurpose, token: &ActionToken) -> String {
        let page = match purpose {
            ActionPurpose::PasswordReset => "reset",
            _ => "welcome",
        };
        format!(
            "{}/t/{}/{page}#{}",
            self.base,
            tenant.slug.as_str(),
            token.expose_hex()
        )
    }

    fn handover_link(&self, tenant: &Tenant, id: HandoverId, secret: &HandoverSecret) -> String {
        format!(
            "{}/t/{}/h/{id}/{}",
            self.base,
            tenant.slug.as_str(),
            secret.expose_hex()
        )
    }
}

/// How the session cookie is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookiePolicy {
    /// `Secure` (and the `__Host-` prefix that requires it).
    pub secure: bool,
}

impl CookiePolicy {
    /// The cookie's name: `__Host-zeugnis-session` when secure.
    #[must_use]
    pub const fn name(self) -> &'static str {
        if self.secure {
            "__Host-zeugnis-session"
        } else {
            "zeugnis-session"
        }
    }

    /// The cookie of a handover link holder's session (apart from a user's,
    /// so opening a link in a browser where someone is logged in changes
    /// nothing about their session).
    #[must_use]
    pub const fn handover_name(self) -> &'static str {
        if self.secure {
            "__Host-zeugnis-handover"
        } else {
            "zeugnis-handover"
        }
    }
}

/// Proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses and networks.
    ///
    /// # Errors
    /// The entry that is neither.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        entries
            .iter()
            .map(|e| {
                e.parse::<IpNet>()
                    .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| e.clone())
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Whether `ip` is a trusted proxy.
    #[must_use]
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client's address: the socket's peer, or — when the peer is a trusted
    /// proxy — the right-most address in `X-Forwarded-For` that is not itself a
    /// trusted proxy.
    #[must_use]
    pub fn client(&self, peer: Option<IpAddr>, forwarded_for: Option<&str>) -> Option<IpAddr> {
        // An IPv4 client of a dual-stack listener shows as ::ffff:a.b.c.d.
        let peer = peer?.to_canonical();
        if !self.trusts(peer) {
            return Some(peer);
        }
        let Some(header) = forwarded_for else {
            return Some(peer);
        };
        let mut client = peer;
        for hop in header.rsplit(',') {
            match hop.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()) {
                Ok(ip) => {
                    client = ip;
                    if !self.trusts(ip) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        Some(client)
    }
}

/// The store's commits: a commit that queued a message wakes the outbox
/// worker by itself.
struct Commits {
    store: Arc<Store>,
    outbox: Arc<Notify>,
}

#[async_trait]
impl UnitOfWork for Commits {
    async fn commit(&self, changes: ChangeSet) -> Result<(), StoreError> {
        let queued = changes
            .writes()
            .iter()
            .any(|w| matches!(w, Write::Enqueue(_)));
        self.store.commit(changes).await?;
        if queued {
            self.outbox.notify_one();
        }
        Ok(())
    }
}

/// The shared state of the HTTP edge.
///
/// Handlers get services from it, never the store: reading around a service
/// or committing a change set of their own does not compile.
///
/// ```compile_fail,E0616
/// use zeugnis_app::state::AppState;
/// use zeugnis_core::ports::{ChangeSet, UnitOfWork as _};
///
/// async fn commit_behind_the_services(state: &AppState, changes: ChangeSet) {
///     let _ = state.store.commit(changes).await; // the field is private
/// }
/// ```
pub struct AppState {
    /// The store (every storage port); reached only through services.
    store: Arc<Store>,
    /// Commits of every service.
    commits: Commits,
    /// Argon2id.
    pub hasher: Argon2Hasher,
    /// The common/breached password list.
    pub breached: CommonPasswords,
    /// TOTP.
    pub totp: TotpRs,
    /// Time (injectable for tests).
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub random: OsRandom,
    /// Links in mails.
    pub links: PublicLinks,
    /// The session cookie.
    pub cookies: CookiePolicy,
    /// Trusted proxies.
    pub proxies: TrustedProxies,
    /// Failed logins per source address.
    pub throttle: Throttle,
    /// The PDF renderer (fonts loaded once).
    pub renderer: zeugnis_pdf::TypstRenderer,
    /// Renders at a time: typesetting is CPU-bound and runs on the blocking
    /// pool, and a burst of downloads must not take every core.
    pub renders: Arc<tokio::sync::Semaphore>,
    /// The hash of the one-time first-start setup token, while one is waiting.
    setup: std::sync::Mutex<Option<TokenHash>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("links", &self.links)
            .field("cookies", &self.cookies)
            .finish_non_exhaustive()
    }
}

/// The HTTP settings are unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpConfigError {
    /// `http.public_url` is not an http(s) URL.
    #[error("http.public_url must be an http:// or https:// address, got \"{0}\"")]
    PublicUrl(String),
    /// Cookies without `Secure` for a server that is not on this machine.
    #[error(
        "http.secure_cookies = false is allowed only when http.public_url is plain http on localhost; it is \"{0}\""
    )]
    InsecureCookies(String),
    /// A trusted proxy entry is neither an address nor a network.
    #[error("http.trusted_proxies: \"{0}\" is not an IP address or network (like 10.0.0.0/8)")]
    TrustedProxy(String),
    /// The password hasher could not be set up.
    #[error("cannot set up password hashing: {0}")]
    Hasher(String),
    /// Test-only hashing asked of a server built for use.
    #[error(
        "auth.password_hashing = \"insecure_for_tests\" is for the test suite only; this server refuses it (remove the setting to use \"owasp\")"
    )]
    InsecureHashing,
}

/// The hashing cost for the setting; the cheap one only where `tests_allowed`
/// (a build with the `test-support` feature).
fn hash_params(
    setting: crate::config::PasswordHashing,
    tests_allowed: bool,
) -> Result<Argon2Params, HttpConfigError> {
    use crate::config::PasswordHashing;
    match setting {
        PasswordHashing::Owasp => Ok(Argon2Params::OWASP),
        PasswordHashing::InsecureForTests if tests_allowed => Ok(Argon2Params {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        }),
        PasswordHashing::InsecureForTests => Err(HttpConfigError::InsecureHashing),
    }
}

impl AppState {
    /// Builds the state from the configuration. Computes one password hash (the
    /// dummy for unknown accounts) and loads the password list.
    ///
    /// # Errors
    /// [`HttpConfigError`].
    pub fn build(
        config: &Config,
        listen: std::net::SocketAddr,
        store: Arc<Store>,
        clock: Arc<dyn Clock>,
        outbox: Arc<Notify>,
    ) -> Result<Self, HttpConfigError> {
        let public_url = if config.http.public_url.trim().is_empty() {
            format!("http://{listen}")
        } else {
            config.http.public_url.trim().to_owned()
        };
        let (scheme, rest) = public_url
            .split_once("://")
            .ok_or_else(|| HttpConfigError::PublicUrl(public_url.clone()))?;
        if !matches!(scheme, "http" | "https") || rest.is_empty() {
            return Err(HttpConfigError::PublicUrl(public_url));
        }
        let local_plain_http = scheme == "http" && is_local_host(rest);
        if !config.http.secure_cookies && !local_plain_http {
            return Err(HttpConfigError::InsecureCookies(public_url));
        }
        let proxies = TrustedProxies::parse(&config.http.trusted_proxies)
            .map_err(HttpConfigError::TrustedProxy)?;
        let concurrency = match config.auth.max_concurrent_hashes {
            0 => Argon2Hasher::default_concurrency(),
            n => n,
        };
        let params = hash_params(config.auth.password_hashing, cfg!(feature = "test-support"))?;
        let hasher = Argon2Hasher::new(params, concurrency)
            .map_err(|e| HttpConfigError::Hasher(e.to_string()))?;
        let breached = CommonPasswords::load();
        Ok(Self {
            commits: Commits {
                store: Arc::clone(&store),
                outbox,
            },
            store,
            hasher,
            breached,
            totp: TotpRs::new(),
            clock,
            random: OsRandom,
            links: PublicLinks::new(&public_url),
            cookies: CookiePolicy {
                secure: config.http.secure_cookies,
            },
            proxies,
            throttle: Throttle::new(config.auth.failures_per_minute_per_address),
            renderer: zeugnis_pdf::TypstRenderer::new(),
            renders: Arc::new(tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            )),
            setup: std::sync::Mutex::new(None),
        })
    }

    /// Renders a letter to PDF on the blocking pool, a bounded number at a time.
    ///
    /// # Errors
    /// The renderer's error, or a failure of the pool.
    pub async fn render(
        &self,
        letter: zeugnis_core::document::Letter,
        formatting: zeugnis_core::document::LetterFormatting,
    ) -> Result<Vec<u8>, zeugnis_core::ports::RenderError> {
        use zeugnis_core::ports::{DocumentRenderer as _, RenderError};
        let _permit = Arc::clone(&self.renders)
            .acquire_owned()
            .await
            .map_err(|_| RenderError::Failed("the renderer is shutting down".into()))?;
        let renderer = self.renderer.clone();
        tokio::task::spawn_blocking(move || renderer.render(&letter, &formatting))
            .await
            .map_err(|_| RenderError::Failed("the rendering task failed".into()))?
    }

    /// The waiting first-start setup token's hash.
    #[must_use]
    pub fn setup_token(&self) -> Option<TokenHash> {
        *self
            .setup
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sets or clears the first-start setup token.
    pub fn set_setup_token(&self, hash: Option<TokenHash>) {
        *self
            .setup
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = hash;
    }

    /// Takes the setup token if it is `hash` (so it is used once).
    #[must_use]
    pub fn take_setup_token(&self, hash: &TokenHash) -> bool {
        let mut slot = self
            .setup
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.as_ref() == Some(hash) {
            *slot = None;
            true
        } else {
            false
        }
    }

    /// Whether the database answers (for `/ready`).
    pub async fn ping(&self) -> bool {
        self.store.ping().await
    }

    /// An organisation's time zone and overdue mark (the pages show times in
    /// its zone). Nothing in them is personal; the caller's session is proven.
    ///
    /// # Errors
    /// The store cannot be read.
    pub async fn working_settings(
        &self,
        tenant: zeugnis_core::id::TenantId,
    ) -> Result<zeugnis_core::settings::WorkingSettings, zeugnis_core::ports::StoreError> {
        use zeugnis_core::ports::SettingsStore as _;
        Ok(self.store.settings(tenant).await?.value.working)
    }

    /// Verifies an organisation's audit chain (operator command).
    ///
    /// # Errors
    /// Storage failures.
    pub async fn verify_audit_chain(
        &self,
        tenant: zeugnis_core::id::TenantId,
    ) -> Result<zeugnis_store::ChainReport, StoreError> {
        self.store.verify_audit_chain(tenant).await
    }

    /// The audit log.
    #[must_use]
    pub fn audit(&self) -> AuditService<'_> {
        AuditService {
            log: &*self.store,
            uow: &self.commits,
            clock: &*self.clock,
        }
    }

    /// The retention sweep.
    #[must_use]
    pub fn retention(&self) -> zeugnis_core::services::retention::RetentionService<'_> {
        let s = &*self.store;
        zeugnis_core::services::retention::RetentionService {
            tenants: s,
            settings: s,
            references: s,
            employees: s,
            uow: &self.commits,
            clock: &*self.clock,
        }
    }

    /// The login use case.
    #[must_use]
    pub fn login(&self) -> LoginService<'_> {
        let s = &*self.store;
        LoginService {
            tenants: s,
            users: s,
            credentials: s,
            settings: s,
            hasher: &self.hasher,
            uow: &self.commits,
            clock: &*self.clock,
            random: &self.random,
        }
    }

    /// The whole login: throttle, password, second step, session.
    #[must_use]
    pub fn login_flow(&self) -> zeugnis_core::services::login::LoginFlow<'_> {
        zeugnis_core::services::login::LoginFlow {
            password: self.login(),
            sessions: self.sessions(),
            factors: self.factors(),
            tenants: self.tenants(),
            session_store: &*self.store,
            throttle: &self.throttle,
        }
    }

    /// The account use cases.
    #[must_use]
    pub fn accounts(&self) -> AccountService<'_> {
        let s = &*self.store;
        AccountService {
            tenants: s,
            users: s,
            roles: s,
            credentials: s,
            actions: s,
            settings: s,
            hasher: &self.hasher,
            breached: &self.breached,
            uow: &self.commits,
            clock: &*self.clock,
            random: &self.random,
            links: &self.links,
        }
    }

    /// The session use cases.
    #[must_use]
    pub fn sessions(&self) -> SessionService<'_> {
        let s = &*self.store;
        SessionService {
            tenants: s,
            users: s,
            roles: s,
            sessions: s,
            settings: s,
            uow: &self.commits,
            clock: &*self.clock,
            random: &self.random,
        }
    }

    /// Second-factor use cases.
    #[must_use]
    pub fn factors(&self) -> zeugnis_core::services::factors::FactorService<'_> {
        let s = &*self.store;
        zeugnis_core::services::factors::FactorService {
            users: s,
            factors: s,
            challenges: s,
            credentials: s,
            settings: s,
            hasher: &self.hasher,
            totp: &self.totp,
            uow: &self.commits,
            clock: &*self.clock,
            random: &self.random,
        }
    }

    /// Role use cases.
    #[must_use]
    pub fn roles(&self) -> zeugnis_core::services::roles::RoleService<'_> {
        let s = &*self.store;
        zeugnis_core::services::roles::RoleService {
            tenants: s,
            roles: s,
            uow: &self.commits,
            clock: &*self.clock,
            random: &self.random,
        }
    }

    /// Employee use cases.
    #[must_use]
    pub fn employees(&self) -> zeugnis_core::services::employees::EmployeeService<'_> {
        let s = &*self.store;
        zeugnis_core::services::employees::EmployeeService {
            tenants: s,
            employees: s,
            uow: &self.commits,
            clock: &*self.clock,
            random: &self.random,
        }
    }

    /// Reference use cases.
    #[must_use]
    pub fn references(&self) -> zeugnis_core::services::references::ReferenceService<'_> {
        let s = &*self.store;
        zeugnis_core::services::references::ReferenceService {
            tenants: s,
            settings: s,
            users: s,
            employees: s,
            references: s,
            handovers: s,
            library: s,
            uow: &self.commits,
            clock: &*self.clock,
            random: &self.random,
            links: &self.links,
        }
    }

    /// HR's handover use cases: hand over, list, revoke.
    #[must_use]
    pub fn handovers(&self) -> zeugnis_core::services::handover::HandoverService<'_> {
        zeugnis_core::services::handover::HandoverService {
            references: self.references(),
        }
    }

    /// Phrase library and formatting use cases.
    #[must_use]
    pub fn library(&self) -> zeugnis_core::services::library::LibraryService<'_> {
        let s = &*self.store;
        zeugnis_core::services::library::LibraryService {
            tenants: s,
            library: s,
            uow: &self.commits,
            clock: &*self.clock,
        }
    }

    /// Opening handover links.
    #[must_use]
    pub fn handover_links(&self) -> zeugnis_core::services::handover::HandoverLinkService<'_> {
        let s = &*self.store;
        zeugnis_core::services::handover::HandoverLinkService {
            tenants: s,
            settings: s,
            handovers: s,
            references: s,
            challenges: s,
            uow: &self.commits,
            clock: &*self.clock,
            random: &self.random,
        }
    }

    /// A link holder's work.
    #[must_use]
    pub fn handover_work(&self) -> zeugnis_core::services::handover::HandoverWorkService<'_> {
        let s = &*self.store;
        zeugnis_core::services::handover::HandoverWorkService {
            tenants: s,
            settings: s,
            handovers: s,
            references: s,
            employees: s,
            library: s,
            uow: &self.commits,
            clock: &*self.clock,
        }
    }

    /// Tenant setup.
    #[must_use]
    pub fn tenants(&self) -> TenantService<'_> {
        let s = &*self.store;
        TenantService {
            tenants: s,
            uow: &self.commits,
            clock: &*self.clock,
            random: &self.random,
        }
    }
}

/// Whether the host part of a URL (after `scheme://`) is this machine.
fn is_local_host(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheap_hashing_is_refused_outside_test_builds() {
        use crate::config::PasswordHashing;
        assert!(matches!(
            hash_params(PasswordHashing::InsecureForTests, false),
            Err(HttpConfigError::InsecureHashing)
        ));
        let cheap = hash_params(PasswordHashing::InsecureForTests, true).unwrap();
        assert!(cheap.memory_kib < Argon2Params::OWASP.memory_kib);
        for allowed in [false, true] {
            assert_eq!(
                hash_params(PasswordHashing::Owasp, allowed).unwrap(),
                Argon2Params::OWASP
            );
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".to_owned()]).unwrap();
        let outside: IpAddr = "203.0.113.9".parse().unwrap();
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        // A client that is no proxy cannot pick its own address.
        assert_eq!(
            proxies.client(Some(outside), Some("198.51.100.1")),
            Some(outside)
        );
        // Behind the proxy: the right-most untrusted hop; spoofed hops to its left
        // are ignored.
        assert_eq!(
            proxies.client(Some(proxy), Some("1.1.1.1, 198.51.100.7, 10.9.9.9")),
            Some("198.51.100.7".parse().unwrap())
        );
        assert_eq!(proxies.client(Some(proxy), None), Some(proxy));
        assert_eq!(proxies.client(Some(proxy), Some("garbage")), Some(proxy));
        assert!(TrustedProxies::parse(&["nonsense".to_owned()]).is_err());
        assert_eq!(
            proxies.client(
                Some("127.0.0.1".parse().unwrap()),
                Some("1.2.3.4,198.51.100.7")
            ),
            Some("127.0.0.1".parse().unwrap()),
            "127.0.0.1 is not in 10/8"
        );
        // IPv4-mapped peers are IPv4 addresses.
        let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
        assert_eq!(
            proxies.client(Some(mapped), Some("198.51.100.7")),
            Some("198.51.100.7".parse().unwrap())
        );
        let mapped_client: IpAddr = "::ffff:203.0.113.9".parse().unwrap();
        assert_eq!(proxies.client(Some(mapped_client), None), Some(outside));
        assert_eq!(
            TrustedProxies::default().client(Some(proxy), Some("198.51.100.1")),
            Some(proxy)
        );
    }

    #[test]
    fn local_hosts_are_recognised() {
        assert!(is_local_host("localhost:8080/x"));
        assert!(is_local_host("127.0.0.1:8080"));
        assert!(is_local_host("[::1]:8080"));
        assert!(!is_local_host("zeugnis.example.com"));
        assert!(!is_local_host("localhost.example.com"));
    }

    #[test]
    fn links_carry_the_token_in_the_fragment() {
        use zeugnis_core::id::TenantId;
        use zeugnis_core::tenant::TenantStatus;
        use zeugnis_core::values::{Name, Slug};
        let tenant = Tenant {
            id: TenantId::from_bytes([1; 16]),
            slug: Slug::parse("acme").unwrap(),
            name: Name::new("ACME").unwrap(),
            status: TenantStatus::Active,
            created_at: zeugnis_core::values::Timestamp::from_unix_timestamp(0).unwrap(),
        };
        let link = PublicLinks::new("https://z.example/").action_link(
            &tenant,
            ActionPurpose::Invitation,
            &ActionToken::from_bytes([0xab; 32]),
        );
        assert_eq!(
            link,
            format!("https://z.example/t/acme/welcome#{}", "ab".repeat(32))
        );
    }
}
