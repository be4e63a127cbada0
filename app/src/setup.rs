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
//! and `/t/<slug>/reset#<token>`: a page in the application's design whose script posts the token
//! from the URL fragment (never sent to any server by the browser) with the new
//! password to the API.
//!
//! A handover link leads to `/t/<slug>/h/<id>/<secret>`, a page of the web
//! application (`web::link`).

use std::sync::Arc;

use poem::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use poem::{Response, handler};
use zeugnis_core::ports::RandomSource as _;
use zeugnis_core::token::{ActionToken, SecretToken as _, TokenHash};

use crate::state::AppState;

const SCRIPT: &str = include_str!("../assets/account.js");

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

#[derive(askama::Template)]
#[template(path = "account_link.html")]
struct AccountLinkPage {
    c: crate::web::page::Chrome,
    mode: &'static str,
    intro: String,
}

/// The setup, registration and reset page: the form in the application's
/// design and language; its script takes the token from the address's
/// fragment (never sent here) to the API.
#[handler]
pub(crate) async fn page(req: &poem::Request, state: poem::web::Data<&Arc<AppState>>) -> Response {
    use crate::web::i18n::{Lang, Tr};
    let t = Tr::new(Lang::of(req));
    let path = req.uri().path();
    let (mode, title, intro) = if path.ends_with("/welcome") {
        (
            "welcome",
            "account-link-welcome",
            "account-link-welcome-intro",
        )
    } else if path.ends_with("/reset") {
        ("reset", "account-link-reset", "account-link-reset-intro")
    } else {
        ("setup", "account-link-setup", "account-link-setup-intro")
    };
    let slug = path
        .strip_prefix("/t/")
        .and_then(|rest| rest.split('/').next());
    let org = match slug {
        Some(s) => crate::api::resolve_tenant(&state, Some(s))
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let page = AccountLinkPage {
        c: crate::web::page::Chrome::public(req, t, title, org.as_ref()),
        mode,
        intro: t.t(intro),
    };
    let mut r = crate::web::render(req, poem::http::StatusCode::OK, &page);
    if let Ok(v) = "no-referrer".parse() {
        r.headers_mut()
            .insert(poem::http::header::REFERRER_POLICY, v);
    }
    r
}

/// The page's script.
#[handler]
pub(crate) fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}
