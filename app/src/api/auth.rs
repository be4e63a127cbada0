//! Who is calling: the session cookie, the CSRF check, the client's address.
//!
//! The session cookie holds `<tenant id>.<256-bit token>`; the server finds the
//! session by the token's hash in that tenant. Every state-changing request
//! (anything but `GET`, `HEAD`, `OPTIONS`) must carry the session's CSRF token in
//! the `X-CSRF-Token` header: a value derived from the session token that only
//! a page which read it from the API (same origin) can know. The cookie is
//! `HttpOnly` and `SameSite=Strict` besides.
//!
//! [`Caller`] is the extractor handlers name to require a logged-in user; an API
//! token for integrators can later be another way to produce the same value.

use std::net::IpAddr;
use std::sync::Arc;

use poem::http::{Method, StatusCode, header};
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaSecurityScheme, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use zeugnis_core::access::Role;
use zeugnis_core::authz::Actor;
use zeugnis_core::id::TenantId;
use zeugnis_core::services::sessions::Authenticated;
use zeugnis_core::session::{PendingLogin, Session};
use zeugnis_core::token::{SecretToken as _, SessionToken, TokenHash};
use zeugnis_core::user::User;

use super::error::ApiError;
use crate::state::{AppState, CookiePolicy};

/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "X-CSRF-Token";

/// The name the security scheme has in the OpenAPI document.
pub const SCHEME: &str = "session";

/// The CSRF token of a session: `hex(SHA-256("zeugnis-csrf-v1" ‖ token))`.
#[must_use]
pub fn csrf_token(token: &SessionToken) -> String {
    let mut h = Sha256::new();
    h.update(b"zeugnis-csrf-v1");
    h.update(token.secret_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Set-Cookie` value that gives the browser a session.
#[must_use]
pub fn session_cookie(policy: CookiePolicy, tenant: TenantId, token: &SessionToken) -> String {
    named_cookie(policy, policy.name(), tenant, token)
}

/// The `Set-Cookie` value of a handover link holder's session.
#[must_use]
pub fn handover_cookie(policy: CookiePolicy, tenant: TenantId, token: &SessionToken) -> String {
    named_cookie(policy, policy.handover_name(), tenant, token)
}

/// The `Set-Cookie` value that removes the handover session cookie.
#[must_use]
pub fn clear_handover_cookie(policy: CookiePolicy) -> String {
    let secure = if policy.secure { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        policy.handover_name()
    )
}

fn named_cookie(
    policy: CookiePolicy,
    name: &str,
    tenant: TenantId,
    token: &SessionToken,
) -> String {
    let secure = if policy.secure { "; Secure" } else { "" };
    format!(
        "{name}={tenant}.{}; Path=/; HttpOnly; SameSite=Strict{secure}",
        token.expose_hex()
    )
}

/// The `Set-Cookie` value that removes the session cookie.
#[must_use]
pub fn clear_cookie(policy: CookiePolicy) -> String {
    let secure = if policy.secure { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        policy.name()
    )
}

/// The shared state, from the request.
///
/// # Errors
/// An internal error when the route was mounted without it.
pub fn state(req: &Request) -> Result<Arc<AppState>, ApiError> {
    req.data::<Arc<AppState>>().cloned().ok_or_else(|| {
        ApiError::internal(
            "request without state",
            &"the API was mounted without its state",
        )
    })
}

/// The client's address: the peer, or what a trusted proxy says.
#[must_use]
pub fn client_ip(req: &Request, state: &AppState) -> Option<IpAddr> {
    let peer = req
        .remote_addr()
        .as_socket_addr()
        .map(std::net::SocketAddr::ip);
    // Every X-Forwarded-For line, in order: a proxy may append its own line
    // after one the client sent.
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let joined = forwarded.join(",");
    state
        .proxies
        .client(peer, (!forwarded.is_empty()).then_some(joined.as_str()))
}

/// The session cookie's tenant and token, if present and well-formed.
fn cookie_session(req: &Request, wanted: &str) -> Option<(TenantId, SessionToken)> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .and_then(|(_, value)| {
            let (tenant, token) = value.split_once('.')?;
            Some((tenant.parse().ok()?, token.parse().ok()?))
        })
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn check_csrf(req: &Request, token: &SessionToken) -> Result<(), ApiError> {
    if is_safe(req.method()) {
        return Ok(());
    }
    let expected = csrf_token(token);
    let given = req
        .headers()
        .get(CSRF_HEADER)
        .map(poem::http::HeaderValue::as_bytes)
        .unwrap_or_default();
    if bool::from(given.ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "the request lacks the session's CSRF token (header X-CSRF-Token); reload and try again",
        ))
    }
}

/// What a request's session proves.
async fn authenticate(
    req: &Request,
) -> Result<(Arc<AppState>, Authenticated, SessionToken), ApiError> {
    let state = state(req)?;
    let name = state.cookies.name();
    authenticate_with(req, state, name).await
}

/// What a request's session in the cookie `name` proves.
async fn authenticate_with(
    req: &Request,
    state: Arc<AppState>,
    name: &str,
) -> Result<(Arc<AppState>, Authenticated, SessionToken), ApiError> {
    let (found, token) = session_in_cookie(req, &state, name)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    check_csrf(req, &token)?;
    Ok((state, found, token))
}

/// What the session in the cookie `name` proves, without the CSRF check
/// (pages check the token their forms carry): `None` without a cookie or when
/// its session is over.
///
/// # Errors
/// The store cannot be read.
pub async fn session_in_cookie(
    req: &Request,
    state: &AppState,
    name: &str,
) -> Result<Option<(Authenticated, SessionToken)>, ApiError> {
    let Some((tenant, token)) = cookie_session(req, name) else {
        return Ok(None);
    };
    let found = state.sessions().authenticate(tenant, &token).await?;
    if found.is_some() {
        crate::request_log::record_tenant(tenant);
    }
    Ok(found.map(|f| (f, token)))
}

/// The organisation named by the session cookie `name`, whether or not its
/// session still holds (to send an expired session back to its login page).
#[must_use]
pub fn cookie_tenant(req: &Request, name: &str) -> Option<TenantId> {
    cookie_session(req, name).map(|(tenant, _)| tenant)
}

/// Whether the request carries a cookie `name` (whatever its value).
#[must_use]
pub fn has_cookie(req: &Request, name: &str) -> bool {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(n, v)| n == name && !v.is_empty())
}

fn register_scheme(registry: &mut Registry) {
    registry.create_security_scheme(
        SCHEME,
        MetaSecurityScheme {
            ty: "apiKey",
            description: Some(
                "The session cookie set by `POST /login` (`zeugnis-session` without the `__Host-` prefix when secure cookies are off). State-changing requests also need the header `X-CSRF-Token` with the `csrf_token` of the login or session answer.",
            ),
            name: Some("__Host-zeugnis-session"),
            key_in: Some("cookie"),
            scheme: None,
            bearer_format: None,
            flows: None,
            openid_connect_url: None,
        },
    );
}

/// A logged-in, active user.
#[derive(Debug, Clone)]
pub struct Caller {
    /// What the user may do.
    pub actor: Actor,
    /// The account.
    pub user: User,
    /// Its role.
    pub role: Role,
    /// The session.
    pub session: Session,
    /// The session's CSRF token.
    pub csrf: String,
    /// The client's address.
    pub ip: Option<IpAddr>,
}

impl Caller {
    /// The hash of the session's token (its identity in lists).
    #[must_use]
    pub fn session_hash(&self) -> TokenHash {
        self.session.token_hash
    }
}

impl<'a> ApiExtractor<'a> for Caller {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        register_scheme(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![SCHEME]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let (state, found, token) = authenticate(req).await.map_err(poem::Error::from)?;
        match found {
            Authenticated::User {
                session,
                user,
                role,
                actor,
            } => Ok(Caller {
                actor: *actor,
                user: *user,
                role: *role,
                session,
                csrf: csrf_token(&token),
                ip: client_ip(req, &state),
            }),
            _ => Err(ApiError::unauthenticated().into()),
        }
    }
}

/// The holder of a handover link, by the session the link was exchanged for.
#[derive(Debug, Clone)]
pub struct LinkHolder {
    /// The tenant.
    pub tenant: TenantId,
    /// The handover the session is bound to.
    pub handover: zeugnis_core::token::HandoverId,
    /// The session.
    pub session: Session,
    /// The client's address.
    pub ip: Option<IpAddr>,
}

/// The name of the handover session scheme in the OpenAPI document.
pub const HANDOVER_SCHEME: &str = "handover_session";

impl<'a> ApiExtractor<'a> for LinkHolder {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        registry.create_security_scheme(
            HANDOVER_SCHEME,
            MetaSecurityScheme {
                ty: "apiKey",
                description: Some(
                    "The short-lived cookie set when a handover link is opened (`zeugnis-handover` without the `__Host-` prefix when secure cookies are off); bound to that handover. State-changing requests also need the header `X-CSRF-Token` with the `csrf_token` of the answer that set it.",
                ),
                name: Some("__Host-zeugnis-handover"),
                key_in: Some("cookie"),
                scheme: None,
                bearer_format: None,
                flows: None,
                openid_connect_url: None,
            },
        );
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![HANDOVER_SCHEME]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let state = state(req).map_err(poem::Error::from)?;
        let name = state.cookies.handover_name();
        let (state, found, _) = authenticate_with(req, state, name)
            .await
            .map_err(poem::Error::from)?;
        match found {
            Authenticated::Handover { session, handover } => Ok(LinkHolder {
                tenant: session.tenant,
                handover,
                ip: client_ip(req, &state),
                session,
            }),
            _ => Err(ApiError::unauthenticated().into()),
        }
    }
}

/// A login that passed the password and owes its second factor.
#[derive(Debug, Clone)]
pub struct PendingCaller {
    /// The pending login.
    pub pending: PendingLogin,
    /// The session.
    pub session: Session,
    /// The client's address.
    pub ip: Option<IpAddr>,
}

impl<'a> ApiExtractor<'a> for PendingCaller {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        register_scheme(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![SCHEME]
    }

    async fn from_request(
        req: &'a Request,
        _body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let (state, found, _) = authenticate(req).await.map_err(poem::Error::from)?;
        match found {
            Authenticated::PendingLogin { session, pending } => Ok(PendingCaller {
                pending,
                session,
                ip: client_ip(req, &state),
            }),
            _ => Err(ApiError::unauthenticated().into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_token_depends_on_the_session_and_is_not_the_token() {
        let a = SessionToken::from_bytes([1; 32]);
        let b = SessionToken::from_bytes([2; 32]);
        assert_ne!(csrf_token(&a), csrf_token(&b));
        assert_eq!(csrf_token(&a).len(), 64);
        assert_ne!(csrf_token(&a), a.expose_hex());
    }

    #[test]
    fn cookies_carry_the_required_flags() {
        let t = TenantId::from_bytes([1; 16]);
        let token = SessionToken::from_bytes([3; 32]);
        let c = session_cookie(CookiePolicy { secure: true }, t, &token);
        assert!(c.starts_with("__Host-zeugnis-session="));
        for flag in ["Path=/", "HttpOnly", "SameSite=Strict", "Secure"] {
            assert!(c.contains(flag), "{c}");
        }
        assert!(!c.contains("Domain"));
        let plain = session_cookie(CookiePolicy { secure: false }, t, &token);
        assert!(plain.starts_with("zeugnis-session=") && !plain.contains("Secure"));
    }
}
