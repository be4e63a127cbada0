//! Konto: the user's own account — name, address, role; the password change;
//! the list of the user's sessions with "Abmelden" per session and
//! everywhere. Every change goes through the same services as the API
//! (`AccountService::change_password`, `SessionService`), with the session's
//! CSRF token in each form.

use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use zeugnis_core::id::ChallengeId;
use zeugnis_core::messages::Locale;
use zeugnis_core::password::Password;
use zeugnis_core::services::accounts::AccountError;
use zeugnis_core::services::factors::FactorError;
use zeugnis_core::values::{Email, Name, Phone};

use super::i18n::Lang;
use super::page::{Chrome, PageUser, redirect, with_cookie};
use super::{failure, render, require_form_user, require_user};
use crate::api::auth::clear_cookie;
use crate::api::error::ApiError;
use crate::api::session::{hash_hex, parse_hash};
use crate::state::AppState;

struct SessionRow {
    id: String,
    started: String,
    last_seen: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    c: Chrome,
    name: String,
    email: String,
    role: String,
    sessions: Vec<SessionRow>,
    password_errors: Vec<String>,
    current_error: Option<String>,
    repeat_error: Option<String>,
    contact: Contact,
    profile: Profile,
    factors: Factors,
}

/// The own names and the language of the pages, as shown in their form
/// (kept as typed after a refusal), with the errors at their fields.
#[derive(Default)]
struct Profile {
    first_name: String,
    last_name: String,
    /// The language chosen: its code, or empty for the browser's.
    language: &'static str,
    /// The form is open (after a refusal).
    open: bool,
    first_error: Option<String>,
    last_error: Option<String>,
}

impl AccountPage {
    /// The language setting as the facts list names it.
    fn language_label(&self) -> String {
        match self.profile.language {
            "" => self.c.t.t("account-language-browser"),
            code => self.c.t.t(&format!("account-language-{code}")),
        }
    }
}

/// The own e-mail address and mobile number, as shown in their form (kept
/// as typed after a refusal), with the errors at their fields.
#[derive(Default)]
struct Contact {
    email: String,
    phone: String,
    /// The form is open (after a refusal).
    open: bool,
    email_error: Option<String>,
    phone_error: Option<String>,
    password_error: Option<String>,
}

/// The second factors: what is set up, and a step in progress.
#[derive(Default)]
struct Factors {
    totp: bool,
    sms: bool,
    phone: Option<String>,
    /// Setting up the app: its QR code and otpauth address.
    enrol_svg: Option<String>,
    enrol_uri: Option<String>,
    /// Turning on SMS codes: the challenge of the code sent.
    sms_challenge: Option<String>,
    /// What went wrong, and in which form (`totp`, `sms`, `remove-totp`,
    /// `remove-sms`, `enrol`, `sms-code`).
    error: Option<(&'static str, String)>,
}

impl AccountPage {
    fn factor_error(&self, form: &str) -> Option<&String> {
        self.factors
            .error
            .as_ref()
            .filter(|(f, _)| *f == form)
            .map(|(_, e)| e)
    }
}

/// The account page's query.
#[derive(Debug, Default, Deserialize)]
pub struct AccountQuery {
    /// A finished step to confirm (`password`, `session`).
    done: Option<String>,
}

async fn page_of(
    req: &Request,
    state: &AppState,
    user: &PageUser,
) -> Result<AccountPage, ApiError> {
    let sessions = state.sessions().list(&user.caller.actor).await?;
    let mut rows: Vec<SessionRow> = sessions
        .iter()
        .map(|s| SessionRow {
            id: hash_hex(&s.token_hash),
            started: user.date_time(s.created_at),
            last_seen: user.date_time(s.last_seen_at),
            current: s.token_hash == user.caller.session_hash(),
        })
        .collect();
    rows.sort_by_key(|r| !r.current);
    let u = &user.caller.user;
    Ok(AccountPage {
        c: Chrome::of(req, user, "account-title", "/account"),
        name: format!("{} {}", u.first_name.as_str(), u.last_name.as_str()),
        email: u.email.as_str().to_owned(),
        role: user.caller.role.name.as_str().to_owned(),
        sessions: rows,
        password_errors: Vec::new(),
        current_error: None,
        repeat_error: None,
        contact: Contact {
            email: u.email.as_str().to_owned(),
            phone: u
                .phone
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            ..Contact::default()
        },
        profile: Profile {
            first_name: u.first_name.as_str().to_owned(),
            last_name: u.last_name.as_str().to_owned(),
            language: u.language.map_or("", |l| Lang::of_setting(l).code()),
            ..Profile::default()
        },
        factors: Factors {
            totp: u.auth.totp,
            sms: u.auth.sms,
            phone: u.phone.as_ref().map(|p| p.as_str().to_owned()),
            ..Factors::default()
        },
    })
}

/// A posted account form: its user (the session's token checked) and the
/// page to show again should the change be refused.
async fn posted(
    req: &Request,
    state: &Arc<AppState>,
    csrf: &str,
) -> Result<(Box<PageUser>, AccountPage), Response> {
    let user = require_form_user(req, state, csrf).await?;
    let page = page_of(req, state, &user)
        .await
        .map_err(|e| failure(req, &e))?;
    Ok((user, page))
}

/// The account page.
#[handler]
pub(crate) async fn show(
    req: &Request,
    state: Data<&Arc<AppState>>,
    query: Query<AccountQuery>,
) -> Response {
    let user = match require_user(req, &state).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let t = user.t;
    match page_of(req, &state, &user).await {
        Ok(mut page) => {
            match query.done.as_deref() {
                Some("password") => {
                    page.c = page
                        .c
                        .with_flash("success", t.t("account-password-changed"))
                }
                Some("session") => {
                    page.c = page.c.with_flash("success", t.t("account-session-ended"))
                }
                Some("sms") => page.c = page.c.with_flash("success", t.t("account-sms-on")),
                Some("contact") => {
                    page.c = page.c.with_flash("success", t.t("account-contact-saved"))
                }
                Some("profile") => {
                    page.c = page.c.with_flash("success", t.t("account-profile-saved"))
                }
                Some("phone") => page.c = page.c.with_flash("success", t.t("account-phone-saved")),
                Some("removed") => {
                    page.c = page.c.with_flash("success", t.t("account-factor-removed"))
                }
                _ => {}
            }
            render(req, StatusCode::OK, &page)
        }
        Err(e) => failure(req, &e),
    }
}

/// The password change as posted.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

/// Changes the password (the other sessions end; this one stays).
#[handler]
pub(crate) async fn change_password(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<PasswordForm>,
) -> Response {
    let (user, mut page) = match posted(req, &state, &form.csrf).await {
        Ok(both) => both,
        Err(r) => return r,
    };
    let t = user.t;
    if form.new != form.repeat {
        page.repeat_error = Some(t.t("account-repeat-differs"));
        return render(req, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let result = state
        .accounts()
        .change_password(
            &user.caller.actor,
            &Password::new(form.current.clone()),
            &Password::new(form.new.clone()),
            Some(user.caller.session_hash()),
            user.caller.ip,
        )
        .await;
    match result {
        Ok(()) => redirect("/account?done=password"),
        Err(AccountError::WrongCurrentPassword) => {
            page.current_error = Some(t.t("account-current-wrong"));
            render(req, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AccountError::Password(rejected)) => {
            let locale = match t.lang() {
                Lang::De => Locale::De,
                Lang::En => Locale::En,
            };
            page.password_errors = rejected.messages(locale);
            render(req, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => failure(req, &ApiError::from(e)),
    }
}

/// The own contact data as posted.
#[derive(Debug, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
}

/// Changes the own e-mail address or mobile number, confirmed with the
/// password (`AccountService::change_own_contact`). A new number turns SMS
/// codes off until a code sent to it confirms it.
#[handler]
pub(crate) async fn change_contact(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<ContactForm>,
) -> Response {
    let (user, mut page) = match posted(req, &state, &form.csrf).await {
        Ok(both) => both,
        Err(r) => return r,
    };
    let t = user.t;
    let u = &user.caller.user;
    let email = form.email.trim();
    let phone = form.phone.trim();
    // What is unchanged (as the values are normalised) is not sent.
    let new_email = match Email::parse(email) {
        Ok(e) if e == u.email => None,
        other => Some(other),
    };
    let parsed = if phone.is_empty() {
        Ok(None)
    } else {
        Phone::parse(phone).map(Some)
    };
    let new_phone = match parsed {
        Ok(p) if p == u.phone => None,
        other => Some(other),
    };
    page.contact = Contact {
        email: email.to_owned(),
        phone: phone.to_owned(),
        open: true,
        email_error: matches!(new_email, Some(Err(_))).then(|| t.t("field-bad-email")),
        phone_error: matches!(new_phone, Some(Err(_))).then(|| t.t("account-phone-invalid")),
        password_error: None,
    };
    if page.contact.email_error.is_some() || page.contact.phone_error.is_some() {
        return render(req, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let email = new_email.and_then(Result::ok);
    let phone = new_phone.and_then(Result::ok);
    if email.is_none() && phone.is_none() {
        return redirect("/account");
    }
    let phone_changed = phone.is_some();
    let result = state
        .accounts()
        .change_own_contact(
            &user.caller.actor,
            email,
            phone,
            &Password::new(form.password.clone()),
            user.caller.ip,
        )
        .await;
    match result {
        Ok(_) if phone_changed => redirect("/account?done=phone#factors"),
        Ok(_) => redirect("/account?done=contact"),
        Err(AccountError::WrongCurrentPassword) => {
            page.contact.password_error = Some(t.t("account-current-wrong"));
            render(req, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(AccountError::EmailTaken) => {
            page.contact.email_error = Some(t.t("account-email-taken"));
            render(req, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => failure(req, &ApiError::from(e)),
    }
}

/// The own names and language as posted.
#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    /// `de`, `en`, or empty for the browser's language.
    #[serde(default)]
    language: String,
}

/// Changes the own names and the language of the pages
/// (`AccountService::change_own_profile`); the language is remembered in
/// this browser at once (or forgotten, for the browser's own).
#[handler]
pub(crate) async fn change_profile(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<ProfileForm>,
) -> Response {
    let (user, mut page) = match posted(req, &state, &form.csrf).await {
        Ok(both) => both,
        Err(r) => return r,
    };
    let t = user.t;
    let name = |raw: &str| {
        let raw = raw.trim();
        if raw.is_empty() {
            Err(t.t("field-required"))
        } else {
            Name::new(raw).map_err(|_| t.t("account-name-invalid"))
        }
    };
    let (first, last) = (name(&form.first_name), name(&form.last_name));
    let language = Lang::parse(&form.language);
    page.profile = Profile {
        first_name: form.first_name.trim().to_owned(),
        last_name: form.last_name.trim().to_owned(),
        language: language.map_or("", Lang::code),
        open: true,
        first_error: first.as_ref().err().cloned(),
        last_error: last.as_ref().err().cloned(),
    };
    let (Ok(first), Ok(last)) = (first, last) else {
        return render(req, StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let result = state
        .accounts()
        .change_own_profile(
            &user.caller.actor,
            first,
            last,
            language.map(Lang::setting),
            user.caller.ip,
        )
        .await;
    match result {
        Ok(_) => {
            let cookie = language.map_or_else(Lang::forget, Lang::cookie);
            with_cookie(redirect("/account?done=profile"), &cookie)
        }
        Err(e) => failure(req, &ApiError::from(e)),
    }
}

/// Ending a session as posted.
#[derive(Debug, Deserialize)]
pub struct EndForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

/// Ends one of the user's sessions (this one: logs out).
#[handler]
pub(crate) async fn end_session(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<EndForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let Some(hash) = parse_hash(&form.id) else {
        return failure(req, &ApiError::not_found());
    };
    if let Err(e) = state
        .sessions()
        .end_own(&user.caller.actor, hash, user.caller.ip)
        .await
    {
        return failure(req, &ApiError::from(e));
    }
    if hash == user.caller.session_hash() {
        return logged_out(&state, &user);
    }
    redirect("/account?done=session")
}

/// Ends every session of the user, this one included.
#[handler]
pub(crate) async fn end_all(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<EndForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(e) = state
        .sessions()
        .end_all(&user.caller.actor, user.caller.ip)
        .await
    {
        return failure(req, &ApiError::from(e));
    }
    logged_out(&state, &user)
}

/// This browser's session has ended: the cookie goes, the login page says so.
fn logged_out(state: &AppState, user: &PageUser) -> Response {
    let to = format!("/t/{}/login?logged_out=1", user.tenant.slug.as_str());
    with_cookie(redirect(&to), &clear_cookie(state.cookies))
}

/// A second-factor form as posted: the password for the first step, the
/// code for the second.
#[derive(Debug, Deserialize)]
pub struct FactorForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    method: String,
}

fn factor_message(t: super::i18n::Tr, e: &FactorError) -> Option<String> {
    Some(t.t(match e {
        FactorError::WrongPassword => "account-current-wrong",
        FactorError::WrongCode { .. } => "factor-wrong",
        FactorError::NoPhone => "account-no-phone",
        FactorError::TooSoon { .. } => "factor-too-soon",
        FactorError::NotEnrolled | FactorError::Enrolment(_) | FactorError::Conflict => {
            "error-conflict"
        }
        _ => return None,
    }))
}

/// The account page again after a second-factor step, with what to do next
/// or what went wrong.
async fn factor_step(
    req: &Request,
    state: &AppState,
    user: &PageUser,
    adjust: impl FnOnce(&mut Factors),
    status: StatusCode,
) -> Response {
    match page_of(req, state, user).await {
        Ok(mut page) => {
            adjust(&mut page.factors);
            render(req, status, &page)
        }
        Err(e) => failure(req, &e),
    }
}

/// The account page again with a refused second-factor step's message at its
/// form (`at`); a refusal that is not about the input is the error page.
async fn factor_refused(
    req: &Request,
    state: &AppState,
    user: &PageUser,
    e: FactorError,
    at: &'static str,
) -> Response {
    match factor_message(user.t, &e) {
        Some(m) => {
            factor_step(
                req,
                state,
                user,
                |f| f.error = Some((at, m)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        None => failure(req, &ApiError::from(e)),
    }
}

/// Starts setting up an authenticator app (the password first).
#[handler]
pub(crate) async fn totp_start(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<FactorForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let issuer = match crate::api::factors::issuer(&state, user.caller.actor.tenant()).await {
        Ok(i) => i,
        Err(e) => return failure(req, &e),
    };
    match state
        .factors()
        .start_own_totp(
            &user.caller.actor,
            &Password::new(form.password.clone()),
            &issuer,
            user.caller.ip,
        )
        .await
    {
        Ok(setup) => {
            factor_step(
                req,
                &state,
                &user,
                |f| {
                    f.enrol_svg = Some(setup.qr_svg);
                    f.enrol_uri = Some(setup.uri);
                },
                StatusCode::OK,
            )
            .await
        }
        Err(e) => factor_refused(req, &state, &user, e, "totp").await,
    }
}

/// Confirms the app with a code and shows the recovery codes once.
#[handler]
pub(crate) async fn totp_confirm(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<FactorForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match state
        .factors()
        .confirm_totp(
            user.caller.actor.tenant(),
            user.caller.actor.user(),
            form.code.trim(),
            user.caller.ip,
            false,
        )
        .await
    {
        Ok(enrolled) => {
            let page = super::login::RecoveryCodesPage {
                c: Chrome::of(req, &user, "recovery-title", "/account"),
                next: "/account".to_owned(),
                codes: enrolled
                    .recovery_codes
                    .iter()
                    .map(|c| c.expose().to_owned())
                    .collect(),
            };
            render(req, StatusCode::OK, &page)
        }
        Err(e) => factor_refused(req, &state, &user, e, "enrol").await,
    }
}

/// Starts turning on SMS codes (the password first; a code goes to the
/// stored number).
#[handler]
pub(crate) async fn sms_start(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<FactorForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match state
        .factors()
        .start_own_sms(
            &user.caller.actor,
            &Password::new(form.password.clone()),
            user.caller.ip,
        )
        .await
    {
        Ok((challenge, _)) => {
            factor_step(
                req,
                &state,
                &user,
                |f| f.sms_challenge = Some(challenge.to_string()),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => factor_refused(req, &state, &user, e, "sms").await,
    }
}

/// Turns on SMS codes with the code received.
#[handler]
pub(crate) async fn sms_confirm(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<FactorForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let t = user.t;
    let challenge = form.challenge.parse::<ChallengeId>();
    let result = match challenge {
        Ok(id) => {
            state
                .factors()
                .confirm_sms(&user.caller.actor, id, form.code.trim(), user.caller.ip)
                .await
        }
        Err(_) => Err(FactorError::WrongCode { locked: false }),
    };
    match result {
        Ok(()) => redirect("/account?done=sms#factors"),
        Err(e) => match factor_message(t, &e) {
            Some(m) => {
                let challenge = form.challenge.clone();
                factor_step(
                    req,
                    &state,
                    &user,
                    |f| {
                        f.sms_challenge = Some(challenge);
                        f.error = Some(("sms-code", m));
                    },
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => failure(req, &ApiError::from(e)),
        },
    }
}

/// Removes the own app (with its recovery codes) or SMS codes.
#[handler]
pub(crate) async fn factor_remove(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<FactorForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (method, at) = match form.method.as_str() {
        "totp" => ("totp", "remove-totp"),
        "sms" => ("sms", "remove-sms"),
        _ => return failure(req, &ApiError::not_found()),
    };
    match state
        .factors()
        .remove_own(
            &user.caller.actor,
            method,
            &Password::new(form.password.clone()),
            user.caller.ip,
        )
        .await
    {
        Ok(()) => redirect("/account?done=removed#factors"),
        Err(e) => factor_refused(req, &state, &user, e, at).await,
    }
}
