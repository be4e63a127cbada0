//! A small client for the JSON API: keeps the session cookie and the CSRF
//! token like a browser page would, and sets up an organisation.

use serde_json::{Value, json};
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::TenantStore as _;
use zeugnis_core::token::{ActionToken, SecretToken as _};
use zeugnis_core::values::Slug;

use crate::TestApp;

/// The first Administrator's password in [`set_up`].
pub const PASSWORD: &str = "Wald-Läufer-7";

/// An API client with its own session.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    /// The `name=value` of the session cookie, once logged in.
    pub cookie: Option<String>,
    /// The session's CSRF token, once logged in.
    pub csrf: Option<String>,
    /// The last response's headers.
    pub headers: reqwest::header::HeaderMap,
}

impl Client {
    /// A client without a session.
    #[must_use]
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.url("/api/v1"),
            http: app.client().clone(),
            cookie: None,
            csrf: None,
            headers: reqwest::header::HeaderMap::new(),
        }
    }

    /// Sends a request with the cookie and the CSRF token (when known), and
    /// takes a new cookie and CSRF token from the answer. Returns the status and
    /// the body (JSON, or the text as a JSON string).
    ///
    /// # Panics
    /// When the server does not answer.
    pub async fn send(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the server answers");
        let status = resp.status().as_u16();
        if let Some(set) = resp
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
        {
            let pair = set.split(';').next().unwrap_or_default().to_owned();
            self.cookie = if set.contains("Max-Age=0") {
                None
            } else {
                Some(pair)
            };
        }
        self.headers = resp.headers().clone();
        let text = resp.text().await.expect("a body");
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        for pointer in ["/csrf_token", "/login/csrf_token"] {
            if let Some(t) = value.pointer(pointer).and_then(Value::as_str) {
                self.csrf = Some(t.to_owned());
            }
        }
        (status, value)
    }

    /// `GET`.
    pub async fn get(&mut self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// `POST` with a JSON body.
    pub async fn post(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// `PATCH` with a JSON body.
    pub async fn patch(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PATCH, path, Some(body)).await
    }

    /// Logs in afresh (any earlier session is forgotten by this client).
    pub async fn login(&mut self, email: &str, password: &str) -> (u16, Value) {
        self.cookie = None;
        self.csrf = None;
        self.post("/login", json!({"email": email, "password": password}))
            .await
    }
}

/// Sets up the organisation "acme" (ACME GmbH) with its Administrator
/// `anna@acme.de` / [`PASSWORD`] through the first-start setup.
///
/// # Panics
/// When the setup fails.
pub async fn set_up(app: &TestApp) -> TenantId {
    let token = ActionToken::from_bytes([0x5a; 32]);
    app.state().set_setup_token(Some(token.hash()));
    let mut c = Client::new(app);
    let (status, body) = c
        .post(
            "/setup",
            json!({
                "token": token.expose_hex(), "organisation": "ACME GmbH", "slug": "acme",
                "first_name": "Anna", "last_name": "Admin", "email": "anna@acme.de",
                "password": PASSWORD,
            }),
        )
        .await;
    assert_eq!(status, 201, "setup: {body}");
    app.store()
        .tenant_by_slug(&Slug::parse("acme").expect("a slug"))
        .await
        .expect("the store answers")
        .expect("the organisation exists")
        .id
}

/// The 64-hex token after `#` following `marker` (e.g. `/welcome#`) in a mail,
/// with quoted-printable soft line breaks removed.
#[must_use]
pub fn token_after(mail: &str, marker: &str) -> Option<String> {
    let flat = mail.replace("=\r\n", "").replace("=\n", "");
    let rest = flat.split(marker).nth(1)?;
    let token: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    (token.len() == 64).then_some(token)
}
