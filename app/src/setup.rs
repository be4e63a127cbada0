//! The first start, and the small pages behind the links zeugnis mails.
//!
//! When the installation has no organisation yet, the server makes a one-time
//! setup token and logs the URL of the setup page (`/setup#<token>`): whoever
//! starts the server can open it, name the organisation and create its first
//! Administrator with a password — in one transaction. The token lives only in
//! this process's memory, works once, and not at all once an organisation
//! exists; it is the one secret the log ever shows, and only while the
//! installation is empty. (With several app instances, create tenants with
//! `zeugnis admin create-tenant` instead.)
//!
//! The registration and reset links of mails lead to `/t/<slug>/welcome#<token>`
//! and `/t/<slug>/reset#<token>`: a static page whose script posts the token
//! from the URL fragment (never sent to any server by the browser) with the new
//! password to the API.
//!
//! A handover link leads to `/t/<slug>/h/<id>/<secret>`, a page of the web
//! application (`web::link`).

use poem::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use poem::{Response, handler};
use zeugnis_core::ports::RandomSource as _;
use zeugnis_core::token::{ActionToken, SecretToken as _, TokenHash};

use crate::state::AppState;

const PAGE: &str = include_str!("../assets/account.html");
const SCRIPT: &str = include_str!("../assets/account.js");
const STYLE: &str = include_str!("../assets/account.css");

/// The pages' policy: their own script and style, requests to this server only.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// If the installation has no organisation yet, makes the one-time setup token
/// and logs the setup page's URL.
///
/// # Errors
/// The store cannot be read.
pub async fn announce(state: &AppState) -> Result<(), zeugnis_core::ports::StoreError> {
    if !state.tenants().all().await?.is_empty() {
        return Ok(());
    }
    let mut bytes = [0u8; 32];
    state.random.fill(&mut bytes);
    let token = ActionToken::from_bytes(bytes);
    state.set_setup_token(Some(token.hash()));
    tracing::info!(
        "no organisation is set up yet: open {}/setup#{} to create it and its first administrator (the link works once, while this server runs)",
        state.links.base(),
        token.expose_hex()
    );
    Ok(())
}

/// Whether `token` is the current setup token (compared in constant time).
#[must_use]
pub fn setup_token_matches(state: &AppState, token: &ActionToken) -> Option<TokenHash> {
    state.setup_token().filter(|hash| hash.matches(token))
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    Response::builder()
        .header(CONTENT_TYPE, content_type)
        .header(CACHE_CONTROL, "no-cache")
        .body(body)
}

/// The setup, registration and reset page.
#[handler]
pub(crate) fn page() -> Response {
    Response::builder()
        .header(CONTENT_TYPE, "text/html; charset=utf-8")
        .header(CONTENT_SECURITY_POLICY, PAGE_CSP)
        .body(PAGE)
}

/// The page's script.
#[handler]
pub(crate) fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

/// The page's style.
#[handler]
pub(crate) fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}
