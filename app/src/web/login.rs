//! Logging in and out: the password step, the second step (authenticator
//! app, SMS code, recovery code, or setting up an app when the organisation
//! requires one), and the end of a session.
//!
//! The forms work without JavaScript. Before login there is no session to
//! bind a CSRF token to, so the login form carries a random token that must
//! equal the one in a short-lived `SameSite=Strict` cookie (double submit);
//! after the password step the forms carry the pending session's token.

use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use subtle::ConstantTimeEq as _;
use zeugnis_core::classify::{Classify as _, ErrorKind};
use zeugnis_core::password::Password;
use zeugnis_core::ports::RandomSource as _;
use zeugnis_core::services::factors::FactorAnswer;
use zeugnis_core::services::login::{LoggedIn, LoginError};
use zeugnis_core::tenant::Tenant;

use super::i18n::{Lang, Tr};
use super::page::{Chrome, Visitor, redirect, safe_next, visitor, with_cookie, with_language};
use super::{failure, render};
use crate::api::auth::{PendingCaller, clear_cookie, client_ip, session_cookie};
use crate::state::{AppState, CookiePolicy};

/// The login form's double-submit cookie.
fn form_cookie_name(policy: CookiePolicy) -> &'static str {
    if policy.secure {
        "__Host-zeugnis-form"
    } else {
        "zeugnis-form"
    }
}

pub(crate) fn form_cookie(policy: CookiePolicy, value: &str) -> String {
    let secure = if policy.secure { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{secure}",
        form_cookie_name(policy)
    )
}

fn cookie_value<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// Whether a form before login carries the token of its cookie (compared in
/// constant time; an empty token never matches).
pub(crate) fn form_token_matches(req: &Request, policy: CookiePolicy, given: &str) -> bool {
    let expected = cookie_value(req, form_cookie_name(policy)).unwrap_or_default();
    !given.is_empty() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

/// Query of the login page.
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    /// Where to go after logging in.
    next: Option<String>,
    /// Shown after the session ran out.
    expired: Option<String>,
    /// Shown after logging out.
    logged_out: Option<String>,
}

/// The login form as posted.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    form_token: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    action: String,
    next: String,
    form_token: String,
    email: String,
    /// A message about the whole form (wrong credentials, wait, outage).
    error: Option<String>,
    email_error: Option<String>,
    password_error: Option<String>,
    /// A note before the form (session over, logged out).
    notice: Option<String>,
}

fn login_action(slug: Option<&str>) -> String {
    slug.map_or_else(|| "/login".to_owned(), |s| format!("/t/{s}/login"))
}

async fn organisation(state: &AppState, slug: Option<&str>) -> Option<Tenant> {
    state.tenants().for_login(slug).await.ok().flatten()
}

pub(crate) fn new_form_token(state: &AppState) -> String {
    let mut bytes = [0u8; 32];
    state.random.fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn show_login(
    req: &Request,
    state: &Arc<AppState>,
    slug: Option<&str>,
    query: LoginQuery,
) -> Response {
    match visitor(req, state).await {
        Ok(Visitor::User(_)) => {
            let next = query.next.as_deref().and_then(safe_next).unwrap_or("/");
            return redirect(next);
        }
        Ok(_) => {}
        Err(e) => return failure(req, &e),
    }
    let t = Tr::new(Lang::of(req));
    let org = organisation(state, slug).await;
    let notice = if query.expired.is_some() {
        Some(t.t("login-expired"))
    } else if query.logged_out.is_some() {
        Some(t.t("login-logged-out"))
    } else {
        None
    };
    let token = new_form_token(state);
    let page = LoginPage {
        c: Chrome::public(req, t, "login-title", org.as_ref()),
        action: login_action(slug),
        next: query
            .next
            .as_deref()
            .and_then(safe_next)
            .unwrap_or("/")
            .to_owned(),
        form_token: token.clone(),
        email: String::new(),
        error: None,
        email_error: None,
        password_error: None,
        notice,
    };
    let response = render(req, StatusCode::OK, &page);
    with_cookie(response, &form_cookie(state.cookies, &token))
}

async fn submit_login(
    req: &Request,
    state: &Arc<AppState>,
    slug: Option<&str>,
    form: LoginForm,
) -> Response {
    let t = Tr::new(Lang::of(req));
    let org = organisation(state, slug).await;
    let next = safe_next(&form.next).unwrap_or("/").to_owned();
    let token_ok = form_token_matches(req, state.cookies, &form.form_token);
    let token = new_form_token(state);
    let mut page = LoginPage {
        c: Chrome::public(req, t, "login-title", org.as_ref()),
        action: login_action(slug),
        next: next.clone(),
        form_token: token.clone(),
        email: form.email.trim().to_owned(),
        error: None,
        email_error: None,
        password_error: None,
        notice: None,
    };
    let again = |page: &LoginPage, status| {
        let r = render(req, status, page);
        with_cookie(r, &form_cookie(state.cookies, &token))
    };
    if !token_ok {
        page.error = Some(t.t("error-csrf"));
        return again(&page, StatusCode::FORBIDDEN);
    }
    if form.email.trim().is_empty() {
        page.email_error = Some(t.t("field-required"));
    }
    if form.password.is_empty() {
        page.password_error = Some(t.t("field-required"));
    }
    if page.email_error.is_some() || page.password_error.is_some() {
        page.error = Some(t.t("error-summary"));
        return again(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let ip = client_ip(req, state);
    let outcome = state
        .login_flow()
        .log_in(
            slug,
            form.email.trim().to_owned(),
            Password::new(form.password),
            ip,
        )
        .await;
    match outcome {
        Ok(LoggedIn::Session { started, user }) => {
            let r = redirect(&next);
            let cookie = session_cookie(state.cookies, started.session.tenant, &started.token);
            with_language(with_cookie(r, &cookie), user.language)
        }
        Ok(LoggedIn::SecondFactorRequired { started, .. }) => {
            let r = redirect(&format!(
                "/login/factor?next={}",
                super::page::encode_next(&next)
            ));
            let cookie = session_cookie(state.cookies, started.session.tenant, &started.token);
            with_cookie(r, &cookie)
        }
        Ok(_) => failure(
            req,
            &crate::api::error::ApiError::internal("login", &"unexpected login outcome"),
        ),
        Err(e) => {
            let (status, key) = match &e {
                LoginError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "login-failed"),
                LoginError::PasswordLoginDisabled => {
                    (StatusCode::FORBIDDEN, "login-password-disabled")
                }
                LoginError::TooManyAttempts { .. } => {
                    (StatusCode::TOO_MANY_REQUESTS, "login-too-many")
                }
                _ => match e.classify().kind {
                    ErrorKind::Unavailable => {
                        (StatusCode::SERVICE_UNAVAILABLE, "error-unavailable")
                    }
                    _ => (StatusCode::INTERNAL_SERVER_ERROR, "error-internal"),
                },
            };
            let wait = e.classify().retry_after_secs;
            page.error = Some(match wait {
                Some(secs) if key == "login-too-many" => {
                    t.count("login-too-many", secs.div_ceil(60).max(1))
                }
                _ => t.t(key),
            });
            let mut r = again(&page, status);
            if let Some(secs) = wait
                && let Ok(v) = secs.to_string().parse()
            {
                r.headers_mut().insert(poem::http::header::RETRY_AFTER, v);
            }
            r
        }
    }
}

/// The login page of the only organisation.
#[handler]
pub(crate) async fn login_page(
    req: &Request,
    state: Data<&Arc<AppState>>,
    query: Query<LoginQuery>,
) -> Response {
    show_login(req, &state, None, query.0).await
}

/// The login page of the organisation `slug`.
#[handler]
pub(crate) async fn login_page_for(
    req: &Request,
    state: Data<&Arc<AppState>>,
    slug: Path<String>,
    query: Query<LoginQuery>,
) -> Response {
    show_login(req, &state, Some(slug.0.as_str()), query.0).await
}

/// The login form, posted, for the only organisation.
#[handler]
pub(crate) async fn submit(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<LoginForm>,
) -> Response {
    submit_login(req, &state, None, form.0).await
}

/// The login form, posted, for the organisation `slug`.
#[handler]
pub(crate) async fn submit_for(
    req: &Request,
    state: Data<&Arc<AppState>>,
    slug: Path<String>,
    form: Form<LoginForm>,
) -> Response {
    submit_login(req, &state, Some(slug.0.as_str()), form.0).await
}

// --- forgot the password --------------------------------------------------------

/// The "forgot the password" form as posted.
#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    form_token: String,
}

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    c: Chrome,
    action: String,
    login: String,
    form_token: String,
    email: String,
    error: Option<String>,
    email_error: Option<String>,
    sent: bool,
}

fn forgot_action(slug: Option<&str>) -> String {
    format!("{}/forgot", login_action(slug))
}

async fn show_forgot(req: &Request, state: &Arc<AppState>, slug: Option<&str>) -> Response {
    let t = Tr::new(Lang::of(req));
    let org = organisation(state, slug).await;
    let token = new_form_token(state);
    let page = ForgotPage {
        c: Chrome::public(req, t, "forgot-title", org.as_ref()),
        action: forgot_action(slug),
        login: login_action(slug),
        form_token: token.clone(),
        email: String::new(),
        error: None,
        email_error: None,
        sent: false,
    };
    let r = render(req, StatusCode::OK, &page);
    with_cookie(r, &form_cookie(state.cookies, &token))
}

async fn submit_forgot(
    req: &Request,
    state: &Arc<AppState>,
    slug: Option<&str>,
    form: ForgotForm,
) -> Response {
    let t = Tr::new(Lang::of(req));
    let org = organisation(state, slug).await;
    let token_ok = form_token_matches(req, state.cookies, &form.form_token);
    let token = new_form_token(state);
    let mut page = ForgotPage {
        c: Chrome::public(req, t, "forgot-title", org.as_ref()),
        action: forgot_action(slug),
        login: login_action(slug),
        form_token: token.clone(),
        email: form.email.trim().to_owned(),
        error: None,
        email_error: None,
        sent: false,
    };
    let status = if !token_ok {
        page.error = Some(t.t("error-csrf"));
        StatusCode::FORBIDDEN
    } else if page.email.is_empty() {
        page.email_error = Some(t.t("field-required"));
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        let ip = client_ip(req, state);
        match crate::api::accounts::forgot_password(state, slug, &page.email, ip).await {
            Ok(()) => {
                page.sent = true;
                StatusCode::OK
            }
            Err(e) => {
                page.error = Some(t.t(if e.status() == StatusCode::TOO_MANY_REQUESTS {
                    "error-too-many"
                } else {
                    "error-unavailable"
                }));
                e.status()
            }
        }
    };
    let r = render(req, status, &page);
    with_cookie(r, &form_cookie(state.cookies, &token))
}

/// "Forgot the password" of the only organisation.
#[handler]
pub(crate) async fn forgot(req: &Request, state: Data<&Arc<AppState>>) -> Response {
    show_forgot(req, &state, None).await
}

/// "Forgot the password" of the organisation `slug`.
#[handler]
pub(crate) async fn forgot_for(
    req: &Request,
    state: Data<&Arc<AppState>>,
    slug: Path<String>,
) -> Response {
    show_forgot(req, &state, Some(slug.0.as_str())).await
}

/// "Forgot the password", posted, for the only organisation.
#[handler]
pub(crate) async fn forgot_submit(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<ForgotForm>,
) -> Response {
    submit_forgot(req, &state, None, form.0).await
}

/// "Forgot the password", posted, for the organisation `slug`.
#[handler]
pub(crate) async fn forgot_submit_for(
    req: &Request,
    state: Data<&Arc<AppState>>,
    slug: Path<String>,
    form: Form<ForgotForm>,
) -> Response {
    submit_forgot(req, &state, Some(slug.0.as_str()), form.0).await
}

// --- the second step ------------------------------------------------------------

/// Query of the second step's page.
#[derive(Debug, Default, Deserialize)]
pub struct FactorQuery {
    next: Option<String>,
    sent: Option<String>,
}

/// The second step's form as posted.
#[derive(Debug, Deserialize)]
pub struct FactorForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "factor.html")]
struct FactorPage {
    c: Chrome,
    next: String,
    method: String,
    error: Option<String>,
    notice: Option<String>,
    /// Setting up an app first: its QR code (SVG) and the key to type in.
    enrol_svg: Option<String>,
    enrol_uri: Option<String>,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
pub(crate) struct RecoveryCodesPage {
    pub(crate) c: Chrome,
    pub(crate) next: String,
    pub(crate) codes: Vec<String>,
}

async fn pending_of(
    req: &Request,
    state: &Arc<AppState>,
) -> Result<Option<(Box<PendingCaller>, String)>, Response> {
    match visitor(req, state).await {
        Ok(Visitor::Pending(p, csrf)) => Ok(Some((p, csrf))),
        Ok(Visitor::User(_)) => Err(redirect("/")),
        Ok(Visitor::Anonymous { .. }) => Ok(None),
        Err(e) => Err(failure(req, &e)),
    }
}

async fn factor_page(
    req: &Request,
    state: &Arc<AppState>,
    pending: &PendingCaller,
    csrf: String,
    mut page: FactorPage,
) -> Result<FactorPage, crate::api::error::ApiError> {
    page.c.csrf = csrf;
    if pending.pending.enrolment_required {
        let tenant = pending.session.tenant;
        let issuer = crate::api::factors::issuer(state, tenant).await?;
        let setup = state
            .factors()
            .start_totp(tenant, pending.pending.user, &issuer)
            .await?;
        page.c.title = page.c.t.t("enrol-title");
        page.enrol_svg = Some(setup.qr_svg);
        page.enrol_uri = Some(setup.uri);
    }
    let _ = req;
    Ok(page)
}

/// The second step: a code from the app, by SMS, or a recovery code.
#[handler]
pub(crate) async fn factor_form(
    req: &Request,
    state: Data<&Arc<AppState>>,
    query: Query<FactorQuery>,
) -> Response {
    let (pending, csrf) = match pending_of(req, &state).await {
        Ok(Some(p)) => p,
        Ok(None) => return redirect("/login?expired=1"),
        Err(r) => return r,
    };
    let t = Tr::new(Lang::of(req));
    let org = state
        .tenants()
        .tenant(pending.session.tenant)
        .await
        .ok()
        .flatten();
    let page = FactorPage {
        c: Chrome::public(req, t, "factor-title", org.as_ref()),
        next: query
            .next
            .as_deref()
            .and_then(safe_next)
            .unwrap_or("/")
            .to_owned(),
        method: "totp".to_owned(),
        error: None,
        notice: query.sent.is_some().then(|| t.t("factor-sms-sent")),
        enrol_svg: None,
        enrol_uri: None,
    };
    match factor_page(req, &state, &pending, csrf, page).await {
        Ok(page) => render(req, StatusCode::OK, &page),
        Err(e) => failure(req, &e),
    }
}

/// The second step, answered.
#[handler]
pub(crate) async fn factor_submit(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<FactorForm>,
) -> Response {
    let (pending, csrf) = match pending_of(req, &state).await {
        Ok(Some(p)) => p,
        Ok(None) => return redirect("/login?expired=1"),
        Err(r) => return r,
    };
    let t = Tr::new(Lang::of(req));
    let form = form.0;
    let next = safe_next(&form.next).unwrap_or("/").to_owned();
    let org = state
        .tenants()
        .tenant(pending.session.tenant)
        .await
        .ok()
        .flatten();
    let mut page = FactorPage {
        c: Chrome::public(req, t, "factor-title", org.as_ref()),
        next: next.clone(),
        method: form.method.clone(),
        error: None,
        notice: None,
        enrol_svg: None,
        enrol_uri: None,
    };
    if !bool::from(form.csrf.as_bytes().ct_eq(csrf.as_bytes())) {
        page.error = Some(t.t("error-csrf"));
        return match factor_page(req, &state, &pending, csrf, page).await {
            Ok(page) => render(req, StatusCode::FORBIDDEN, &page),
            Err(e) => failure(req, &e),
        };
    }
    let code = form.code.trim().to_owned();
    if pending.pending.enrolment_required {
        let enrolled = state
            .factors()
            .confirm_totp(
                pending.session.tenant,
                pending.pending.user,
                &code,
                pending.ip,
                true,
            )
            .await;
        return match enrolled {
            Ok(enrolled) => match crate::api::factors::complete(&state, &pending).await {
                Ok((_, cookie, language)) => {
                    let c = Chrome::public(req, t, "recovery-title", org.as_ref());
                    let codes = enrolled
                        .recovery_codes
                        .iter()
                        .map(|c| c.expose().to_owned())
                        .collect();
                    let r = render(req, StatusCode::OK, &RecoveryCodesPage { c, next, codes });
                    with_language(with_cookie(r, &cookie), language)
                }
                Err(e) => failure(req, &e),
            },
            Err(e) => {
                page.error = Some(t.t("factor-wrong"));
                let status = crate::api::error::ApiError::from(e).status();
                match factor_page(req, &state, &pending, csrf, page).await {
                    Ok(page) => render(req, status, &page),
                    Err(e) => failure(req, &e),
                }
            }
        };
    }
    let answer = match form.method.as_str() {
        "recovery_code" => FactorAnswer::Recovery(code),
        "sms" => FactorAnswer::Sms(code),
        _ => FactorAnswer::Totp(code),
    };
    let verdict = state
        .factors()
        .verify_login(
            pending.session.tenant,
            &pending.pending,
            &answer,
            pending.ip,
        )
        .await;
    match verdict {
        Ok(()) => match crate::api::factors::complete(&state, &pending).await {
            Ok((_, cookie, language)) => {
                let r = redirect(&next);
                with_language(with_cookie(r, &cookie), language)
            }
            Err(e) => failure(req, &e),
        },
        Err(zeugnis_core::services::factors::FactorError::WrongCode { locked: true }) => {
            // The pending login is over: back to the start.
            let r = redirect("/login?expired=1");
            with_cookie(r, &clear_cookie(state.cookies))
        }
        Err(e) => {
            let api = crate::api::error::ApiError::from(e);
            page.error = Some(match api.status().as_u16() {
                401 | 403 | 422 => t.t("factor-wrong"),
                429 => t.t("factor-too-soon"),
                _ => t.t("error-unavailable"),
            });
            match factor_page(req, &state, &pending, csrf, page).await {
                Ok(page) => render(req, api.status(), &page),
                Err(e) => failure(req, &e),
            }
        }
    }
}

/// The second step: send the code by SMS.
#[handler]
pub(crate) async fn factor_sms(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<FactorForm>,
) -> Response {
    let (pending, csrf) = match pending_of(req, &state).await {
        Ok(Some(p)) => p,
        Ok(None) => return redirect("/login?expired=1"),
        Err(r) => return r,
    };
    let next = super::page::encode_next(safe_next(&form.next).unwrap_or("/"));
    if !bool::from(form.csrf.as_bytes().ct_eq(csrf.as_bytes())) {
        return redirect(&format!("/login/factor?next={next}"));
    }
    match state
        .factors()
        .send_login_sms(pending.session.tenant, &pending.pending)
        .await
    {
        Ok(_) => redirect(&format!("/login/factor?next={next}&sent=1")),
        Err(e) => failure(req, &crate::api::error::ApiError::from(e)),
    }
}

/// The logout form as posted.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// Ends the session and shows the login page.
#[handler]
pub(crate) async fn logout(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<LogoutForm>,
) -> Response {
    let user = match visitor(req, &state).await {
        Ok(Visitor::User(user)) => user,
        Ok(_) => return redirect("/login?logged_out=1"),
        Err(e) => return failure(req, &e),
    };
    if !user.csrf_matches(&form.csrf) {
        return super::forbidden(req, user.t);
    }
    let ended = state
        .sessions()
        .logout(
            &user.caller.actor,
            user.caller.session_hash(),
            user.caller.ip,
        )
        .await;
    if let Err(e) = ended {
        return failure(req, &crate::api::error::ApiError::from(e));
    }
    let r = redirect(&format!(
        "{}?logged_out=1",
        login_action(Some(user.tenant.slug.as_str()))
    ));
    with_cookie(r, &clear_cookie(state.cookies))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_cookie_is_strict_and_http_only() {
        let c = form_cookie(CookiePolicy { secure: true }, "ab");
        assert!(
            c.starts_with("__Host-zeugnis-form=ab; Path=/; HttpOnly; SameSite=Strict"),
            "{c}"
        );
        assert!(c.ends_with("; Secure"));
    }
}
