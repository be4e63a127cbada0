//! The web application: server-rendered pages for HR's work.
//!
//! Pages are askama templates (`app/templates/`, checked at compile time)
//! filled by thin handlers: parse the form into core values, call the same
//! core service the API calls with the same proofs, render. Every visible
//! text comes from the catalogues in `app/locales/` ([`i18n`]). The pages run
//! under a strict policy (`script-src 'self'`, no inline script or style);
//! htmx, vendored under `app/assets/`, updates parts in place where it helps,
//! and every form works without it. See `docs/web.md`.

pub mod account;
pub mod editor;
pub mod employee_form;
pub mod employees;
pub mod fields;
pub mod handovers;
pub mod i18n;
pub mod link;
pub mod login;
pub mod overview;
pub mod page;
pub mod places;
pub mod references;

use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use poem::{Request, Response, Route, get, handler, post};

use crate::api::error::ApiError;
use crate::state::AppState;
use i18n::{Lang, Tr};
use page::{Chrome, html, redirect};

/// The pages and their assets, added to `route`.
pub fn routes(route: Route) -> Route {
    route
        .at("/", get(overview::page))
        .at("/login", get(login::login_page).post(login::submit))
        .at(
            "/t/:slug/login",
            get(login::login_page_for).post(login::submit_for),
        )
        .at(
            "/login/forgot",
            get(login::forgot).post(login::forgot_submit),
        )
        .at(
            "/t/:slug/login/forgot",
            get(login::forgot_for).post(login::forgot_submit_for),
        )
        .at(
            "/login/factor",
            get(login::factor_form).post(login::factor_submit),
        )
        .at("/login/factor/sms", post(login::factor_sms))
        .at("/logout", post(login::logout))
        .at(
            "/references",
            get(references::list).post(references::create),
        )
        .at("/references/new", get(references::start))
        .at("/references/:id", get(editor::show).post(editor::save))
        .at("/references/:id/signers/:row", get(editor::signer_choices))
        .at("/references/:id/adopt", post(editor::adopt))
        .at("/references/:id/status", post(editor::change_status))
        .at("/references/:id/delete", post(editor::delete))
        .at("/references/:id/pdf", get(editor::pdf))
        .at(
            "/references/:id/handover",
            get(handovers::form).post(handovers::create),
        )
        .at(
            "/references/:id/handovers/:handover/revoke",
            post(handovers::revoke),
        )
        .at(
            "/references/:id/handovers/:handover/remind",
            post(handovers::remind),
        )
        .at("/employees", get(employees::list))
        .at(
            "/employees/new",
            get(employee_form::new).post(employee_form::create),
        )
        .at(
            "/employees/:id",
            get(employee_form::show).post(employee_form::save),
        )
        .at("/employees/:id/delete", post(employee_form::delete))
        .at("/account", get(account::show))
        .at("/account/password", post(account::change_password))
        .at("/account/contact", post(account::change_contact))
        .at("/account/profile", post(account::change_profile))
        .at("/account/sessions/end", post(account::end_session))
        .at("/account/totp", post(account::totp_start))
        .at("/account/totp/confirm", post(account::totp_confirm))
        .at("/account/sms", post(account::sms_start))
        .at("/account/sms/confirm", post(account::sms_confirm))
        .at("/account/factor/remove", post(account::factor_remove))
        .at("/account/sessions/end-all", post(account::end_all))
        .at(
            "/t/:slug/h/:id/:secret",
            get(link::landing).post(link::open),
        )
        .at("/h", get(link::show).post(link::save))
        .at("/h/finish", post(link::finish))
        .at("/h/pdf", get(link::pdf))
        .at("/assets/zeugnis.css", get(style))
        .at("/assets/htmx.min.js", get(htmx))
}

const STYLE: &str = include_str!("../../assets/zeugnis.css");
const HTMX: &str = include_str!("../../assets/htmx.min.js");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    Response::builder()
        .header(CONTENT_TYPE, content_type)
        .header(CACHE_CONTROL, "no-cache")
        .body(body)
}

/// The stylesheet of every page.
#[handler]
fn style() -> Response {
    asset(STYLE, "text/css; charset=utf-8")
}

/// htmx 2 (0BSD, `app/assets/htmx.LICENSE`).
#[handler]
fn htmx() -> Response {
    asset(HTMX, "text/javascript; charset=utf-8")
}

/// Renders a template as a page; a template that fails to render is logged
/// and answered with the error page.
pub(crate) fn render(req: &Request, status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(body) => html(req, status, body),
        Err(e) => {
            tracing::error!(error = %e, "a page could not be rendered");
            error_page(
                req,
                Tr::new(Lang::of(req)),
                StatusCode::INTERNAL_SERVER_ERROR,
                "error-internal",
            )
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    message: String,
}

/// A page that says what went wrong and where to go on.
pub(crate) fn error_page(req: &Request, t: Tr, status: StatusCode, key: &str) -> Response {
    let page = ErrorPage {
        c: Chrome::public(req, t, "error-title", None),
        message: t.t(key),
    };
    match page.render() {
        Ok(body) => html(req, status, body),
        Err(_) => Response::builder().status(status).finish(),
    }
}

/// The answer to a service error on a page: its kind decides the message.
pub(crate) fn failure(req: &Request, e: &ApiError) -> Response {
    let t = Tr::new(Lang::of(req));
    let status = e.status();
    let key = match status.as_u16() {
        404 | 410 => "error-not-found",
        403 => "error-forbidden",
        401 => "login-expired",
        409 => "error-conflict",
        400 | 422 => "error-summary",
        429 => "error-too-many",
        503 => "error-unavailable",
        _ => "error-internal",
    };
    error_page(req, t, status, key)
}

/// A form without the session's CSRF token.
pub(crate) fn forbidden(req: &Request, t: Tr) -> Response {
    error_page(req, t, StatusCode::FORBIDDEN, "error-csrf")
}

/// The logged-in user a page is for; anyone else is answered already: a
/// pending login goes on to its second step, a visitor without a session to
/// the login (and back here afterwards).
pub(crate) async fn require_user(
    req: &Request,
    state: &Arc<AppState>,
) -> Result<Box<page::PageUser>, Response> {
    match page::visitor(req, state).await {
        Ok(page::Visitor::User(user)) => Ok(user),
        Ok(page::Visitor::Pending(..)) => Err(redirect("/login/factor")),
        Ok(page::Visitor::Anonymous { expired }) => Err(to_login(req, state, expired).await),
        Err(e) => Err(failure(req, &e)),
    }
}

/// [`require_user`] for a posted form: also refuses a form without the
/// session's CSRF token (`403`, nothing done).
pub(crate) async fn require_form_user(
    req: &Request,
    state: &Arc<AppState>,
    csrf: &str,
) -> Result<Box<page::PageUser>, Response> {
    let user = require_user(req, state).await?;
    if user.csrf_matches(csrf) {
        Ok(user)
    } else {
        Err(forbidden(req, user.t))
    }
}

/// Where a visitor without a (valid) session goes: the organisation's login
/// page, with a note when the session ran out, and back here afterwards.
pub(crate) async fn to_login(req: &Request, state: &Arc<AppState>, expired: bool) -> Response {
    let tenant = crate::api::auth::cookie_tenant(req, state.cookies.name());
    let slug = match tenant {
        Some(id) => state
            .tenants()
            .tenant(id)
            .await
            .ok()
            .flatten()
            .map(|t| t.slug),
        None => None,
    };
    let base = slug.map_or_else(
        || "/login".to_owned(),
        |s| format!("/t/{}/login", s.as_str()),
    );
    let here = req
        .uri()
        .path_and_query()
        .map_or("/", poem::http::uri::PathAndQuery::as_str);
    let mut query = Vec::new();
    if expired {
        query.push("expired=1".to_owned());
    }
    if here != "/" && page::safe_next(here).is_some() {
        query.push(format!("next={}", page::encode_next(here)));
    }
    if query.is_empty() {
        redirect(&base)
    } else {
        redirect(&format!("{base}?{}", query.join("&")))
    }
}
