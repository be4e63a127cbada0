//! What every page shares: the layout's data ([`Chrome`]), the answers a page
//! handler gives (a rendered page, a redirect), the session behind a page and
//! the CSRF token of its forms.

use std::sync::Arc;

use poem::http::StatusCode;
use poem::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, SET_COOKIE,
};
use poem::{Request, Response};
use subtle::ConstantTimeEq as _;
use zeugnis_core::access::{AccessLevel, Area};
use zeugnis_core::reference::Language;
use zeugnis_core::services::sessions::Authenticated;
use zeugnis_core::settings::TimeZoneName;
use zeugnis_core::tenant::Tenant;

use super::i18n::{Lang, Tr};
use crate::api::auth::{self, Caller, PendingCaller};
use crate::state::AppState;

/// The pages' policy: their own script and style only, forms to this server.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The main navigation: where, its text, and the area a role needs to read
/// for it to appear (administration entries join it with their pages).
const NAVIGATION: [(&str, &str, Option<Area>); 4] = [
    ("/", "nav-overview", None),
    ("/references", "nav-references", Some(Area::Employees)),
    ("/employees", "nav-employees", Some(Area::Employees)),
    ("/account", "nav-account", None),
];

/// An entry of the main navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Where it leads.
    pub href: &'static str,
    /// Its text.
    pub label: String,
    /// The page shown belongs to it.
    pub current: bool,
}

/// A message shown once at the top of a page.
#[derive(Debug, Clone)]
pub struct Flash {
    /// `success`, `info` or `error` (the style).
    pub kind: &'static str,
    /// The text.
    pub text: String,
}

/// The layout's data: language, organisation, user, navigation, messages.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The texts.
    pub t: Tr,
    /// The page's title (the `h1` and the window title).
    pub title: String,
    /// The organisation's name.
    pub org: Option<String>,
    /// The logged-in user's name.
    pub user: Option<String>,
    /// The main navigation (empty before login).
    pub nav: Vec<NavItem>,
    /// The CSRF token for the page's forms (empty before login).
    pub csrf: String,
    /// A message from the previous step.
    pub flash: Option<Flash>,
    /// The link that shows this page in the other language.
    pub other_lang_href: String,
}

impl Chrome {
    /// The chrome of a page before login.
    #[must_use]
    pub fn public(req: &Request, t: Tr, title_key: &str, org: Option<&Tenant>) -> Self {
        Self {
            t,
            title: t.t(title_key),
            org: org.map(|o| o.name.as_str().to_owned()),
            user: None,
            nav: Vec::new(),
            csrf: String::new(),
            flash: None,
            other_lang_href: other_lang_href(req, t.lang()),
        }
    }

    /// The chrome of a logged-in user's page; `current` is the navigation
    /// entry the page belongs to.
    #[must_use]
    pub fn of(req: &Request, user: &PageUser, title_key: &str, current: &str) -> Self {
        let t = user.t;
        let permissions = user.caller.role.permissions();
        let nav: Vec<(&'static str, &'static str)> = NAVIGATION
            .iter()
            .filter(|(_, _, area)| area.is_none_or(|a| permissions.allows(a, AccessLevel::Read)))
            .map(|(href, key, _)| (*href, *key))
            .collect();
        Self {
            t,
            title: t.t(title_key),
            org: Some(user.tenant.name.as_str().to_owned()),
            user: Some(format!(
                "{} {}",
                user.caller.user.first_name.as_str(),
                user.caller.user.last_name.as_str()
            )),
            nav: nav
                .into_iter()
                .map(|(href, key)| NavItem {
                    href,
                    label: t.t(key),
                    current: href == current,
                })
                .collect(),
            csrf: user.caller.csrf.clone(),
            flash: None,
            other_lang_href: other_lang_href(req, t.lang()),
        }
    }

    /// With a message at the top.
    #[must_use]
    pub fn with_flash(mut self, kind: &'static str, text: String) -> Self {
        self.flash = Some(Flash { kind, text });
        self
    }
}

fn other_lang_href(req: &Request, lang: Lang) -> String {
    let kept: Vec<&str> = req
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    format!("{}?{query}lang={}", req.uri().path(), lang.other().code())
}

/// A logged-in user on a page: who, in which organisation, in which language.
#[derive(Debug, Clone)]
pub struct PageUser {
    /// The same caller the API knows.
    pub caller: Caller,
    /// The organisation.
    pub tenant: Tenant,
    /// The organisation's time zone.
    pub zone: TimeZoneName,
    /// The texts.
    pub t: Tr,
}

impl PageUser {
    /// Whether `given` is the CSRF token of this user's session.
    #[must_use]
    pub fn csrf_matches(&self, given: &str) -> bool {
        bool::from(given.as_bytes().ct_eq(self.caller.csrf.as_bytes()))
    }

    /// A timestamp as a date in the organisation's zone.
    #[must_use]
    pub fn date(&self, at: zeugnis_core::values::Timestamp) -> String {
        self.t.date(self.zone.local(at).date())
    }

    /// A timestamp as date and time in the organisation's zone.
    #[must_use]
    pub fn date_time(&self, at: zeugnis_core::values::Timestamp) -> String {
        self.t.date_time(self.zone.local(at))
    }
}

/// Texts a page repeats — a list's column names on every row, where narrow
/// screens show them — looked up once per page instead of once per row.
#[derive(Debug)]
pub struct Labels(std::collections::BTreeMap<&'static str, String>);

impl Labels {
    /// The texts of `keys`.
    #[must_use]
    pub fn of(t: Tr, keys: &[&'static str]) -> Self {
        Self(keys.iter().map(|k| (*k, t.t(k))).collect())
    }

    /// The text of `key` (empty when it was not looked up).
    #[must_use]
    pub fn get(&self, key: &str) -> &str {
        self.0.get(key).map_or("", String::as_str)
    }
}

/// What a page request's session cookie shows.
#[derive(Debug)]
pub enum Visitor {
    /// Nobody logged in (or the session has ended).
    Anonymous {
        /// A cookie was sent but its session is over.
        expired: bool,
    },
    /// A login waiting for its second step, with its CSRF token.
    Pending(Box<PendingCaller>, String),
    /// A logged-in user.
    User(Box<PageUser>),
}

/// Who is asking for a page.
///
/// # Errors
/// The store cannot be read (the page answers 503).
pub async fn visitor(
    req: &Request,
    state: &Arc<AppState>,
) -> Result<Visitor, crate::api::error::ApiError> {
    let name = state.cookies.name();
    let Some((found, token)) = auth::session_in_cookie(req, state, name).await? else {
        return Ok(Visitor::Anonymous {
            expired: auth::has_cookie(req, name),
        });
    };
    let ip = auth::client_ip(req, state);
    match found {
        Authenticated::User {
            session,
            user,
            role,
            actor,
        } => {
            let Some(tenant) = state.tenants().tenant(session.tenant).await? else {
                return Ok(Visitor::Anonymous { expired: true });
            };
            let zone = state.working_settings(session.tenant).await?.time_zone;
            let t = Tr::new(Lang::for_user(req, user.language.map(Lang::of_setting)));
            Ok(Visitor::User(Box::new(PageUser {
                caller: Caller {
                    actor: *actor,
                    user: *user,
                    role: *role,
                    session,
                    csrf: auth::csrf_token(&token),
                    ip,
                },
                tenant,
                zone,
                t,
            })))
        }
        Authenticated::PendingLogin { session, pending } => Ok(Visitor::Pending(
            Box::new(PendingCaller {
                pending,
                session,
                ip,
            }),
            auth::csrf_token(&token),
        )),
        _ => Ok(Visitor::Anonymous { expired: false }),
    }
}

/// A rendered page: HTML with the pages' policy, never cached. A `?lang=`
/// choice is remembered in a cookie.
pub fn html(req: &Request, status: StatusCode, body: String) -> Response {
    let mut r = Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "text/html; charset=utf-8")
        .header(CONTENT_SECURITY_POLICY, PAGE_CSP)
        .header(CACHE_CONTROL, "no-store");
    if let Some(lang) = Lang::chosen(req) {
        r = r.header(SET_COOKIE, lang.cookie());
    }
    r.body(body)
}

/// After a login: the user's language remembered in this browser, when
/// they chose one.
#[must_use]
pub fn with_language(response: Response, language: Option<Language>) -> Response {
    match language {
        Some(l) => with_cookie(response, &Lang::of_setting(l).cookie()),
        None => response,
    }
}

/// `response` with one more `Set-Cookie` header.
#[must_use]
pub fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// After a form: see the other page (`303 See Other`).
pub fn redirect(to: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(LOCATION, to)
        .header(CACHE_CONTROL, "no-store")
        .finish()
}

/// Whether `next` is a path on this server that a login may return to (no
/// other host, no scheme, no backslash tricks).
#[must_use]
pub fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://")
        && next.chars().all(|c| c.is_ascii_graphic())
        && !next.starts_with("/api/")
        && !next.starts_with("/login")
        && !next.starts_with("/logout");
    ok.then_some(next)
}

/// The escaped form of a path for a `next=` query parameter.
#[must_use]
pub fn encode_next(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_returns_only_to_a_page_of_this_server() {
        assert_eq!(
            safe_next("/references?status=draft"),
            Some("/references?status=draft")
        );
        for bad in [
            "//evil.example/x",
            "https://evil.example",
            "/\\evil",
            "evil",
            "/api/v1/session",
            "/login",
            "/a b",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
        assert_eq!(
            encode_next("/references?status=draft"),
            "/references%3Fstatus%3Ddraft"
        );
    }
}
