//! Second factors: the second step of a login, and setting up an authenticator
//! app or SMS codes.

use std::str::FromStr as _;
use zeugnis_core::reference::Language;

use poem::Request;
use poem::http::StatusCode;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use zeugnis_core::id::{ChallengeId, TenantId, UserId};
use zeugnis_core::password::Password;
use zeugnis_core::services::factors::{FactorAnswer, FactorError};
use zeugnis_core::session::Principal;

use super::Done;
use super::auth::{Caller, PendingCaller, csrf_token, session_cookie};
use super::error::ApiError;
use super::session::LoginResult;
use super::timestamp;
use super::users::UserView;
use crate::state::AppState;

#[derive(Tags)]
enum Tag {
    /// Second factors: the second login step, authenticator apps, SMS codes.
    SecondFactor,
}

/// The answer to the second login step.
#[derive(Object)]
pub(crate) struct FactorInput {
    /// `totp` (authenticator app), `recovery_code` or `sms`.
    method: String,
    /// The code.
    code: String,
}

/// A code that confirms a setup.
#[derive(Object)]
pub(crate) struct CodeInput {
    /// The code.
    code: String,
}

/// Enrolment data for an authenticator app (shown once).
#[derive(Debug, Object)]
pub(crate) struct TotpSetup {
    /// The `otpauth://` URI (contains the secret).
    otpauth_uri: String,
    /// The same as a QR code (SVG document).
    qr_svg: String,
}

/// The recovery codes, shown once.
#[derive(Debug, Object)]
pub(crate) struct RecoveryCodesView {
    /// Ten single-use codes for when the authenticator app is lost.
    recovery_codes: Vec<String>,
}

/// A confirmed enrolment during login: the codes and the finished login.
#[derive(Debug, Object)]
pub(crate) struct EnrolledLogin {
    /// Ten single-use recovery codes, shown once.
    recovery_codes: Vec<String>,
    /// The login.
    login: LoginResult,
}

/// A code on its way.
#[derive(Debug, Object)]
pub(crate) struct CodeSent {
    /// Confirm with this id (SMS setup only).
    #[oai(skip_serializing_if_is_none)]
    challenge_id: Option<String>,
    /// Until when the code works.
    expires_at: String,
}

/// Confirming SMS codes.
#[derive(Object)]
pub(crate) struct SmsConfirmInput {
    /// The id from starting the setup.
    challenge_id: String,
    /// The code from the SMS.
    code: String,
}

/// The current password, confirming a change of the own second factors.
#[derive(Object)]
pub(crate) struct PasswordInput {
    /// The current password.
    password: String,
}

/// Removing an own second factor.
#[derive(Object)]
pub(crate) struct RemoveInput {
    /// `totp` or `sms`.
    method: String,
    /// The current password.
    password: String,
}

#[derive(ApiResponse)]
enum LoggedIn {
    /// Logged in: the full session replaces the pending one.
    #[oai(status = 200)]
    Ok(Json<LoginResult>, #[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
enum EnrolledLoggedIn {
    /// Set up and logged in.
    #[oai(status = 200)]
    Ok(Json<EnrolledLogin>, #[oai(header = "Set-Cookie")] String),
}

#[derive(ApiResponse)]
enum Sent {
    /// The code is on its way.
    #[oai(status = 202)]
    Sent(Json<CodeSent>),
}

pub(crate) async fn issuer(state: &AppState, tenant: TenantId) -> Result<String, ApiError> {
    let name = state
        .tenants()
        .tenant(tenant)
        .await?
        .map(|t| t.name.as_str().replace(':', " "))
        .unwrap_or_default();
    Ok(format!("zeugnis {name}").trim().to_owned())
}

/// Turns a pending login into a full session: the answer, the session
/// cookie, and the language the user chose for the pages.
pub(crate) async fn complete(
    state: &AppState,
    pending: &PendingCaller,
) -> Result<(LoginResult, String, Option<Language>), ApiError> {
    let tenant = pending.session.tenant;
    let started = state
        .sessions()
        .start(
            tenant,
            Principal::User(pending.pending.user),
            Some(pending.session.token_hash),
        )
        .await
        .map_err(|e| match e {
            // Another request completed this login first.
            zeugnis_core::ports::StoreError::NotFound => ApiError::unauthenticated(),
            other => other.into(),
        })?;
    let user = state
        .accounts()
        .own_account(tenant, pending.pending.user)
        .await?
        .ok_or_else(ApiError::unauthenticated)?;
    Ok((
        LoginResult {
            status: "logged_in".into(),
            csrf_token: csrf_token(&started.token),
            enrolment_required: false,
            user: Some(UserView::of(&user)),
        },
        session_cookie(state.cookies, tenant, &started.token),
        user.language,
    ))
}

/// The second-factor endpoints.
pub(crate) struct FactorApi;

#[OpenApi(prefix_path = "/", tag = "Tag::SecondFactor")]
impl FactorApi {
    /// Answer the second login step with a code from the authenticator app, a
    /// recovery code, or the SMS code. A wrong code counts as a failed login.
    #[oai(path = "/login/second-factor", method = "post")]
    async fn second_factor(
        &self,
        req: &Request,
        pending: PendingCaller,
        input: Json<FactorInput>,
    ) -> Result<LoggedIn, ApiError> {
        let state = super::auth::state(req)?;
        let answer = match input.method.as_str() {
            "totp" => FactorAnswer::Totp(input.0.code),
            "recovery_code" => FactorAnswer::Recovery(input.0.code),
            "sms" => FactorAnswer::Sms(input.0.code),
            _ => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_method",
                    "method must be totp, recovery_code or sms",
                )
                .field("method"));
            }
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
        verdict?;
        let (result, cookie, _) = complete(&state, &pending).await?;
        Ok(LoggedIn::Ok(Json(result), cookie))
    }

    /// Send the login code by SMS (to the stored phone number; 5 minutes).
    #[oai(path = "/login/sms", method = "post")]
    async fn login_sms(&self, req: &Request, pending: PendingCaller) -> Result<Sent, ApiError> {
        let state = super::auth::state(req)?;
        let until = state
            .factors()
            .send_login_sms(pending.session.tenant, &pending.pending)
            .await?;
        Ok(Sent::Sent(Json(CodeSent {
            challenge_id: None,
            expires_at: timestamp(until),
        })))
    }

    /// During a login that must enrol a second factor first: start setting up
    /// an authenticator app.
    #[oai(path = "/login/totp", method = "post")]
    async fn login_totp_start(
        &self,
        req: &Request,
        pending: PendingCaller,
    ) -> Result<Json<TotpSetup>, ApiError> {
        let state = super::auth::state(req)?;
        if !pending.pending.enrolment_required {
            return Err(FactorError::Enrolment("answer the second step instead").into());
        }
        let tenant = pending.session.tenant;
        let p = state
            .factors()
            .start_totp(tenant, pending.pending.user, &issuer(&state, tenant).await?)
            .await?;
        Ok(Json(TotpSetup {
            otpauth_uri: p.uri,
            qr_svg: p.qr_svg,
        }))
    }

    /// During a login that must enrol a second factor first: confirm the
    /// authenticator app with a code; completes the login and shows the
    /// recovery codes once.
    #[oai(path = "/login/totp/confirm", method = "post")]
    async fn login_totp_confirm(
        &self,
        req: &Request,
        pending: PendingCaller,
        input: Json<CodeInput>,
    ) -> Result<EnrolledLoggedIn, ApiError> {
        let state = super::auth::state(req)?;
        if !pending.pending.enrolment_required {
            return Err(FactorError::Enrolment("answer the second step instead").into());
        }
        let enrolled = state
            .factors()
            .confirm_totp(
                pending.session.tenant,
                pending.pending.user,
                &input.code,
                pending.ip,
                true,
            )
            .await?;
        let (login, cookie, _) = complete(&state, &pending).await?;
        Ok(EnrolledLoggedIn::Ok(
            Json(EnrolledLogin {
                recovery_codes: enrolled
                    .recovery_codes
                    .iter()
                    .map(|c| c.expose().to_owned())
                    .collect(),
                login,
            }),
            cookie,
        ))
    }

    /// Start setting up an authenticator app for the own account (needs the
    /// current password).
    #[oai(path = "/me/totp", method = "post")]
    async fn totp_start(
        &self,
        req: &Request,
        caller: Caller,
        input: Json<PasswordInput>,
    ) -> Result<Json<TotpSetup>, ApiError> {
        let state = super::auth::state(req)?;
        let tenant = caller.actor.tenant();
        let issuer = issuer(&state, tenant).await?;
        let result = state
            .factors()
            .start_own_totp(
                &caller.actor,
                &Password::new(input.0.password),
                &issuer,
                caller.ip,
            )
            .await;
        let p = result?;
        Ok(Json(TotpSetup {
            otpauth_uri: p.uri,
            qr_svg: p.qr_svg,
        }))
    }

    /// Confirm the authenticator app with a code; shows the recovery codes once.
    #[oai(path = "/me/totp/confirm", method = "post")]
    async fn totp_confirm(
        &self,
        req: &Request,
        caller: Caller,
        input: Json<CodeInput>,
    ) -> Result<Json<RecoveryCodesView>, ApiError> {
        let state = super::auth::state(req)?;
        let enrolled = state
            .factors()
            .confirm_totp(
                caller.actor.tenant(),
                caller.actor.user(),
                &input.code,
                caller.ip,
                false,
            )
            .await?;
        Ok(Json(RecoveryCodesView {
            recovery_codes: enrolled
                .recovery_codes
                .iter()
                .map(|c| c.expose().to_owned())
                .collect(),
        }))
    }

    /// Start turning on SMS codes (needs the current password): a code goes to
    /// the stored phone number.
    #[oai(path = "/me/sms", method = "post")]
    async fn sms_start(
        &self,
        req: &Request,
        caller: Caller,
        input: Json<PasswordInput>,
    ) -> Result<Sent, ApiError> {
        let state = super::auth::state(req)?;
        let result = state
            .factors()
            .start_own_sms(&caller.actor, &Password::new(input.0.password), caller.ip)
            .await;
        let (id, until) = result?;
        Ok(Sent::Sent(Json(CodeSent {
            challenge_id: Some(id.to_string()),
            expires_at: timestamp(until),
        })))
    }

    /// Turn on SMS codes with the code received.
    #[oai(path = "/me/sms/confirm", method = "post")]
    async fn sms_confirm(
        &self,
        req: &Request,
        caller: Caller,
        input: Json<SmsConfirmInput>,
    ) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        let id = ChallengeId::from_str(&input.challenge_id)
            .map_err(|_| ApiError::from(FactorError::WrongCode { locked: false }))?;
        state
            .factors()
            .confirm_sms(&caller.actor, id, &input.code, caller.ip)
            .await?;
        Ok(Done::Done)
    }

    /// Remove an own second factor (needs the current password).
    #[oai(path = "/me/second-factor/remove", method = "post")]
    async fn remove_own(
        &self,
        req: &Request,
        caller: Caller,
        input: Json<RemoveInput>,
    ) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        let RemoveInput { method, password } = input.0;
        let result = state
            .factors()
            .remove_own(&caller.actor, &method, &Password::new(password), caller.ip)
            .await;
        result?;
        Ok(Done::Done)
    }

    /// Remove every second factor of another user who lost them
    /// (Administrators); they set up a new one at the next login if the
    /// organisation requires it. The own factors: `/me/second-factor/remove`.
    #[oai(path = "/users/:id/second-factor/reset", method = "post")]
    async fn reset(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        let uid = UserId::from_str(&id.0).map_err(|_| ApiError::not_found())?;
        state
            .factors()
            .remove(&caller.actor, uid, "all", caller.ip)
            .await?;
        Ok(Done::Done)
    }
}
