//! A client for the JSON API under `/api/v1`, and the steps most API tests
//! share: the first-start setup, inviting and registering users through the
//! mailed link, reading the audit log.
//!
//! [`ApiClient`] keeps the session cookie and the CSRF token the way the web
//! page does: reqwest has no cookie store here, so the client takes the
//! `name=value` of the `Set-Cookie` answer to a login and sends it back in a
//! `Cookie` header, and sends the login's `csrf_token` as `X-CSRF-Token` with
//! every request.
//!
//! ```no_run
//! # async fn example() {
//! use zeugnis_tests::TestApp;
//! use zeugnis_tests::api::{ApiClient, setup_first_tenant};
//!
//! let app = TestApp::spawn().await;
//! let org = setup_first_tenant(&app).await;
//! let mut admin = ApiClient::new(&app);
//! assert_eq!(admin.login(&org.admin_email, &org.admin_password).await.status, 200);
//! assert_eq!(admin.get("/session").await.status, 200);
//! # }
//! ```

#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test that calls them"
)]

use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use zeugnis_core::access::{Permissions, Role};
use zeugnis_core::audit::AuditEntry;
use zeugnis_core::id::{RoleId, TenantId};
use zeugnis_core::ports::{
    AuditLog as _, AuditQuery, ChangeSet, PageRequest, RandomSource as _, TenantStore as _,
    UnitOfWork as _, Write,
};
use zeugnis_core::token::{ActionToken, SecretToken as _};
use zeugnis_core::values::{Name, Slug};

use crate::TestApp;
use crate::smtp_sink::{Mailbox, ReceivedMail};

/// Where the API lives.
pub const API: &str = "/api/v1";

/// The organisation [`setup_first_tenant`] creates.
pub const ORGANISATION: &str = "Nordlicht Holzbau GmbH";
/// Its short name.
pub const SLUG: &str = "nordlicht";
/// The first Administrator's address.
pub const ADMIN_EMAIL: &str = "greta.graf@nordlicht.example";
/// The first Administrator's password.
pub const ADMIN_PASSWORD: &str = "Birken-Allee-17";

/// How long a mail may take from the outbox to the sink.
pub const MAIL_TIMEOUT: Duration = Duration::from_secs(20);

/// An answer of the API, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as sent.
    pub bytes: Vec<u8>,
    /// The body as JSON (`Null` when empty or not JSON).
    pub json: Value,
    /// From sending the request to having read the body.
    pub elapsed: Duration,
}

impl Reply {
    /// The error `code` of an error body.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        self.json.get("code").and_then(Value::as_str)
    }

    /// The text at `field` of a JSON body.
    ///
    /// # Panics
    /// When the body has no text there.
    #[must_use]
    pub fn text_at(&self, field: &str) -> String {
        self.json
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{field} in the answer {}", self.text()))
            .to_owned()
    }

    /// Asserts that the answer is the error `status` with `code`; the failure
    /// message names `what` and shows the body.
    ///
    /// # Panics
    /// When the answer is another.
    #[track_caller]
    pub fn assert_refused(&self, status: u16, code: &str, what: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, Some(code)),
            "{what}: {}",
            self.text()
        );
    }

    /// A header's value as text.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Set-Cookie` header, parsed.
    #[must_use]
    pub fn set_cookie(&self) -> Option<SetCookie> {
        self.header("set-cookie").and_then(SetCookie::parse)
    }

    /// The body as text.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// A parsed `Set-Cookie` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// The cookie's name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// The attributes in order, e.g. `("Path", Some("/"))`, `("HttpOnly", None)`.
    pub attributes: Vec<(String, Option<String>)>,
}

impl SetCookie {
    /// Parses `name=value; Attr; Attr=value`.
    #[must_use]
    pub fn parse(header: &str) -> Option<Self> {
        let mut parts = header.split(';').map(str::trim);
        let (name, value) = parts.next()?.split_once('=')?;
        let attributes = parts
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.trim().to_owned(), Some(v.trim().to_owned())),
                None => (p.to_owned(), None),
            })
            .collect();
        Some(Self {
            name: name.trim().to_owned(),
            value: value.trim().to_owned(),
            attributes,
        })
    }

    /// Whether the attribute is present (names compared case-insensitively).
    #[must_use]
    pub fn has(&self, attribute: &str) -> bool {
        self.attributes
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(attribute))
    }

    /// An attribute's value.
    #[must_use]
    pub fn attribute(&self, attribute: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(attribute))
            .and_then(|(_, v)| v.as_deref())
    }

    /// `name=value`, as a `Cookie` header sends it back.
    #[must_use]
    pub fn pair(&self) -> String {
        format!("{}={}", self.name, self.value)
    }

    /// Whether this header removes the cookie (`Max-Age=0`).
    #[must_use]
    pub fn clears(&self) -> bool {
        self.attribute("Max-Age") == Some("0")
    }
}

/// An API client with its own session, like one browser tab.
#[derive(Debug, Clone)]
pub struct ApiClient {
    base: String,
    http: reqwest::Client,
    /// The `name=value` of the session cookie sent with each request.
    pub cookie: Option<String>,
    /// The CSRF token sent as `X-CSRF-Token` with each request.
    pub csrf: Option<String>,
}

impl ApiClient {
    /// A client without a session.
    #[must_use]
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.url(API),
            http: app.client().clone(),
            cookie: None,
            csrf: None,
        }
    }

    /// Forgets the session (cookie and CSRF token).
    pub fn forget_session(&mut self) {
        self.cookie = None;
        self.csrf = None;
    }

    /// `POST /login` without naming the organisation, afresh: any earlier
    /// session of this client is forgotten, and the new one's cookie and CSRF
    /// token are kept for the following requests.
    pub async fn login(&mut self, email: &str, password: &str) -> Reply {
        self.login_to(None, email, password).await
    }

    /// `POST /login` naming the organisation (`tenant`) when given.
    ///
    /// # Panics
    /// When the server does not answer.
    pub async fn login_to(&mut self, tenant: Option<&str>, email: &str, password: &str) -> Reply {
        let body = match tenant {
            Some(t) => json!({"tenant": t, "email": email, "password": password}),
            None => json!({"email": email, "password": password}),
        };
        self.forget_session();
        let reply = self
            .send(self.http.post(self.url("/login")).json(&body))
            .await;
        self.adopt(&reply);
        reply
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request with the session cookie and the CSRF token (when the
    /// client has them). A `Set-Cookie` with `Max-Age=0` (logout) makes the
    /// client forget its session.
    pub async fn request(&mut self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let mut req = self.http.request(method, self.url(path));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let reply = self.send(req).await;
        self.adopt(&reply);
        reply
    }

    /// Takes the session from an answer as the web page does: a `Set-Cookie`
    /// replaces the cookie (one with `Max-Age=0`, at logout, forgets the
    /// session), and a `csrf_token` in the body (also under `login`, after a
    /// second factor) replaces the CSRF token.
    fn adopt(&mut self, reply: &Reply) {
        if let Some(cookie) = reply.set_cookie() {
            if cookie.clears() {
                self.forget_session();
            } else {
                self.cookie = Some(cookie.pair());
            }
        }
        for pointer in ["/csrf_token", "/login/csrf_token"] {
            if let Some(token) = reply.json.pointer(pointer).and_then(Value::as_str) {
                self.csrf = Some(token.to_owned());
            }
        }
    }

    /// Sends a request as built (nothing added) and reads the answer whole.
    ///
    /// # Panics
    /// When the server does not answer.
    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let started = Instant::now();
        let response = req.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("the body").to_vec();
        let elapsed = started.elapsed();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            bytes,
            json,
            elapsed,
        }
    }

    /// A request builder for `path` under the API, without cookie or CSRF token.
    pub fn bare(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path))
    }

    /// `GET`.
    pub async fn get(&mut self, path: &str) -> Reply {
        self.request(Method::GET, path, None).await
    }

    /// `POST` with a JSON body.
    pub async fn post(&mut self, path: &str, body: &Value) -> Reply {
        self.request(Method::POST, path, Some(body)).await
    }

    /// `PATCH` with a JSON body.
    pub async fn patch(&mut self, path: &str, body: &Value) -> Reply {
        self.request(Method::PATCH, path, Some(body)).await
    }

    /// `PUT` with a JSON body.
    pub async fn put(&mut self, path: &str, body: &Value) -> Reply {
        self.request(Method::PUT, path, Some(body)).await
    }

    /// `DELETE`.
    pub async fn delete(&mut self, path: &str) -> Reply {
        self.request(Method::DELETE, path, None).await
    }
}

/// A client logged in as `email`, past any second factor.
///
/// # Panics
/// When the login does not succeed at once.
pub async fn logged_in(app: &TestApp, email: &str, password: &str) -> ApiClient {
    let mut c = ApiClient::new(app);
    let r = c.login(email, password).await;
    assert_eq!(r.status, 200, "login {email}: {}", r.text());
    assert_eq!(
        r.json.get("status").and_then(Value::as_str),
        Some("logged_in"),
        "login {email}: {}",
        r.text()
    );
    c
}

/// Sets up [`ORGANISATION`] and logs its Administrator in.
///
/// # Panics
/// When a step fails.
pub async fn organisation_with_admin(app: &TestApp) -> (Organisation, ApiClient) {
    let org = setup_first_tenant(app).await;
    let admin = logged_in(app, &org.admin_email, &org.admin_password).await;
    (org, admin)
}

/// The organisation and first Administrator made by [`setup_first_tenant`].
#[derive(Debug, Clone)]
pub struct Organisation {
    /// The tenant's id.
    pub tenant: TenantId,
    /// Its short name.
    pub slug: String,
    /// The Administrator's user id.
    pub admin_id: String,
    /// The Administrator's address.
    pub admin_email: String,
    /// The Administrator's password.
    pub admin_password: String,
}

/// Makes a fresh one-time setup token and puts its hash into the server, as the
/// first start does (which logs it instead of handing it over).
#[must_use]
pub fn new_setup_token(app: &TestApp) -> ActionToken {
    let mut bytes = [0u8; 32];
    app.state().random.fill(&mut bytes);
    let token = ActionToken::from_bytes(bytes);
    app.state().set_setup_token(Some(token.hash()));
    token
}

/// The body of `POST /setup` for [`ORGANISATION`] with `password`.
#[must_use]
pub fn setup_body(token: &str, password: &str) -> Value {
    json!({
        "token": token,
        "organisation": ORGANISATION,
        "slug": SLUG,
        "first_name": "Greta",
        "last_name": "Graf",
        "email": ADMIN_EMAIL,
        "password": password,
    })
}

/// Sets up [`ORGANISATION`] with its first Administrator through
/// `POST /setup`.
///
/// # Panics
/// When the setup fails.
pub async fn setup_first_tenant(app: &TestApp) -> Organisation {
    let token = new_setup_token(app);
    let client = ApiClient::new(app);
    let reply = client
        .send(
            client
                .bare(Method::POST, "/setup")
                .json(&setup_body(&token.expose_hex(), ADMIN_PASSWORD)),
        )
        .await;
    assert_eq!(reply.status, 201, "setup: {}", reply.text());
    let admin_id = reply.text_at("user_id");
    Organisation {
        tenant: tenant_id(app, SLUG).await,
        slug: SLUG.to_owned(),
        admin_id,
        admin_email: ADMIN_EMAIL.to_owned(),
        admin_password: ADMIN_PASSWORD.to_owned(),
    }
}

/// The id of the organisation `slug`.
///
/// # Panics
/// When there is none.
pub async fn tenant_id(app: &TestApp, slug: &str) -> TenantId {
    app.store()
        .tenant_by_slug(&Slug::parse(slug).expect("a slug"))
        .await
        .expect("the store answers")
        .expect("the organisation exists")
        .id
}

/// The tenant's whole audit log, newest first.
///
/// # Panics
/// When the store fails.
pub async fn audit_entries(app: &TestApp, tenant: TenantId) -> Vec<AuditEntry> {
    let mut all = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let got = app
            .store()
            .entries(tenant, &AuditQuery::default(), page)
            .await
            .expect("the audit log can be read");
        all.extend(got.items);
        match got.next {
            Some(next) => page = PageRequest::new(Some(next), PageRequest::MAX_LIMIT),
            None => return all,
        }
    }
}

/// Adds a custom role directly in the store (there is no roles API to use
/// yet in these tests).
///
/// # Panics
/// When the commit fails.
pub async fn insert_role(
    app: &TestApp,
    tenant: TenantId,
    name: &str,
    permissions: Permissions,
) -> RoleId {
    let mut bytes = [0u8; 16];
    app.state().random.fill(&mut bytes);
    let id = RoleId::from_random(bytes);
    let mut changes = ChangeSet::new(tenant);
    changes.push(Write::InsertRole(Role::custom(
        id,
        tenant,
        Name::new(name).expect("a role name"),
        permissions,
    )));
    app.store()
        .commit(changes)
        .await
        .expect("the role is stored");
    id
}

/// The id of the built-in Administrator role, from `GET /roles`.
///
/// # Panics
/// When the list has no Administrator role.
pub async fn administrator_role_id(client: &mut ApiClient) -> String {
    let reply = client.get("/roles").await;
    assert_eq!(reply.status, 200, "GET /roles: {}", reply.text());
    reply
        .json
        .as_array()
        .and_then(|roles| {
            roles
                .iter()
                .find(|r| r.get("administrator") == Some(&Value::Bool(true)))
        })
        .and_then(|r| r.get("id"))
        .and_then(Value::as_str)
        .expect("an Administrator role")
        .to_owned()
}

/// The 64-hex token right after `marker` (e.g. `/welcome#`) in `text`, with
/// quoted-printable soft line breaks (`=` at a line end) removed first.
#[must_use]
pub fn token_after(text: &str, marker: &str) -> Option<String> {
    let flat = text.replace("=\r\n", "").replace("=\n", "");
    flat.match_indices(marker).find_map(|(at, m)| {
        let rest = flat.get(at + m.len()..)?;
        let token: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        (token.len() == 64).then_some(token)
    })
}

/// The token after `marker` in a received mail: from its decoded text part,
/// else its HTML part, else the raw message.
#[must_use]
pub fn token_in_mail(mail: &ReceivedMail, marker: &str) -> Option<String> {
    [mail.text.as_deref(), mail.html.as_deref(), Some(&mail.raw)]
        .into_iter()
        .flatten()
        .find_map(|text| token_after(text, marker))
}

/// Whether the mail went to `address`.
#[must_use]
pub fn is_to(mail: &ReceivedMail, address: &str) -> bool {
    mail.rcpt_tos
        .iter()
        .any(|r| r.eq_ignore_ascii_case(address))
}

/// Waits until at least `n` mails to `address` whose subject contains
/// `subject` have arrived, and returns them (in arrival order).
///
/// # Panics
/// When fewer arrive within [`MAIL_TIMEOUT`].
pub async fn wait_for_mails_to(
    sink: &(impl Mailbox + ?Sized),
    address: &str,
    subject: &str,
    n: usize,
) -> Vec<ReceivedMail> {
    let deadline = Instant::now() + MAIL_TIMEOUT;
    loop {
        let mails: Vec<ReceivedMail> = sink
            .received()
            .into_iter()
            .filter(|m| is_to(m, address) && m.subject.contains(subject))
            .collect();
        if mails.len() >= n {
            return mails;
        }
        if Instant::now() >= deadline {
            let all: Vec<String> = sink
                .received()
                .iter()
                .map(|m| format!("{:?}: {:?}", m.rcpt_tos, m.subject))
                .collect();
            panic!(
                "expected {n} mail(s) to {address} about {subject:?} within {MAIL_TIMEOUT:?}, got {}; all mails: {all:?}",
                mails.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the outbox holds no message waiting to be sent: everything
/// caused so far has been handed to the mail server or the SMS gateway (a mail
/// that should not exist would have arrived by then).
///
/// # Panics
/// When messages still wait after [`MAIL_TIMEOUT`].
pub async fn outbox_drained(app: &TestApp) {
    let deadline = tokio::time::Instant::now() + MAIL_TIMEOUT;
    let mut rounds = app.delivery_rounds();
    loop {
        // Rounds finished from here on are seen by `changed` below.
        rounds.borrow_and_update();
        let waiting = app.store().queued_messages().await.expect("the outbox");
        if waiting == 0 {
            return;
        }
        // The worker finishes a round at the latest after its poll interval.
        tokio::time::timeout_at(deadline, rounds.changed())
            .await
            .unwrap_or_else(|_| panic!("{waiting} message(s) still wait after {MAIL_TIMEOUT:?}"))
            .expect("the outbox worker runs");
    }
}

/// Someone to invite.
#[derive(Debug, Clone)]
pub struct Invitee<'a> {
    /// First name.
    pub first_name: &'a str,
    /// Last name.
    pub last_name: &'a str,
    /// Address (receives the link).
    pub email: &'a str,
    /// The role's id.
    pub role_id: &'a str,
    /// The scope as the API takes it, e.g. `{"administrator": true}`.
    pub scope: Value,
}

impl Invitee<'_> {
    /// The body of `POST /users`.
    #[must_use]
    pub fn body(&self) -> Value {
        json!({
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "role_id": self.role_id,
            "scope": self.scope,
        })
    }
}

/// Invites `who` as `admin` (`POST /users`), reads the registration link from
/// the mail at `sink` (an [`SmtpSink`](crate::smtp_sink::SmtpSink), or the
/// [`TestApp`] itself), and registers with `password`. Returns the user's id.
///
/// # Panics
/// When a step fails.
pub async fn invite_and_register(
    admin: &mut ApiClient,
    sink: &(impl Mailbox + ?Sized),
    who: &Invitee<'_>,
    password: &str,
) -> String {
    let reply = admin.post("/users", &who.body()).await;
    assert_eq!(reply.status, 201, "invite {}: {}", who.email, reply.text());
    let id = reply.text_at("id");
    let mails = wait_for_mails_to(sink, who.email, "Ihr Zugang", 1).await;
    let token = mails
        .last()
        .and_then(|m| token_in_mail(m, "/welcome#"))
        .expect("a registration link in the invitation");
    let reply = admin
        .send(
            admin
                .bare(Method::POST, "/invitations/accept")
                .json(&json!({"token": token, "password": password})),
        )
        .await;
    assert_eq!(
        reply.status,
        204,
        "register {}: {}",
        who.email,
        reply.text()
    );
    id
}

/// The secret of an `otpauth://` URI (base32 without padding), to compute the
/// codes an authenticator app would show.
///
/// # Panics
/// When the URI has no 160-bit base32 secret.
#[must_use]
pub fn totp_secret_of(uri: &str) -> zeugnis_core::ports::TotpSecret {
    let b32 = uri
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("secret="))
        .expect("the URI has a secret");
    let mut bits = 0u64;
    let mut n = 0;
    let mut out = Vec::new();
    for c in b32.chars() {
        let v = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".find(c).expect("base32") as u64;
        bits = (bits << 5) | v;
        n += 5;
        if n >= 8 {
            out.push(((bits >> (n - 8)) & 0xff) as u8);
            n -= 8;
        }
    }
    zeugnis_core::ports::TotpSecret::from_bytes(out.try_into().expect("160 bits"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_across_soft_line_breaks() {
        let hex = "ab".repeat(32);
        let (a, b) = hex.split_at(20);
        let raw = format!("Link: http://localhost/t/x/welcome#{a}=\r\n{b}\r\nEnde");
        assert_eq!(token_after(&raw, "/welcome#"), Some(hex.clone()));
        assert_eq!(token_after("/welcome#abc", "/welcome#"), None);
        assert_eq!(token_after(&format!("/reset#{hex}"), "/welcome#"), None);
    }

    #[test]
    fn set_cookie_headers_are_parsed() {
        let c = SetCookie::parse("__Host-s=a.b; Path=/; HttpOnly; SameSite=Strict; Secure")
            .expect("parses");
        assert_eq!((c.name.as_str(), c.value.as_str()), ("__Host-s", "a.b"));
        assert_eq!(c.attribute("path"), Some("/"));
        assert!(c.has("httponly") && c.has("Secure") && !c.has("Domain"));
        assert!(!c.clears());
        assert!(
            SetCookie::parse("s=; Path=/; Max-Age=0")
                .expect("parses")
                .clears()
        );
    }
}
