//! The account's own affairs: completing a registration, forgetting and
//! resetting the password, changing it.

use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use zeugnis_core::password::Password;
use zeugnis_core::services::accounts::AccountError;
use zeugnis_core::token::ActionToken;

use super::Done;
use super::auth::{Caller, client_ip};
use super::error::ApiError;
use super::resolve_tenant;

#[derive(Tags)]
enum Tag {
    /// Registration and passwords.
    Account,
}

/// A registration or reset link redeemed with a new password.
#[derive(Object)]
pub(crate) struct RedeemInput {
    /// The organisation's short name (from the link); may be left out when the
    /// server holds one organisation only.
    tenant: Option<String>,
    /// The token from the link (64 hex characters).
    token: String,
    /// The new password.
    password: String,
}

/// "Forgot password".
#[derive(Object)]
pub(crate) struct ForgotInput {
    /// The organisation's short name; may be left out when the server holds one
    /// organisation only.
    tenant: Option<String>,
    /// The account's e-mail address.
    email: String,
}

/// Changing the own e-mail address or phone number.
#[derive(Object)]
pub(crate) struct ContactInput {
    /// The current password.
    password: String,
    /// The new e-mail address.
    email: Option<String>,
    /// The new phone number (international format); an empty string removes it.
    phone: Option<String>,
}

/// Changing the own password.
#[derive(Object)]
pub(crate) struct ChangePasswordInput {
    /// The current password.
    current_password: String,
    /// The new password.
    new_password: String,
}

#[derive(ApiResponse)]
enum Accepted {
    /// If the address belongs to an account that can reset its password, a
    /// link is on its way. The answer is the same either way.
    #[oai(status = 202)]
    Accepted,
}

fn token(raw: &str) -> Result<ActionToken, ApiError> {
    raw.trim()
        .parse()
        .map_err(|_| ApiError::from(AccountError::InvalidLink))
}

/// The account endpoints.
pub(crate) struct AccountApi;

#[OpenApi(prefix_path = "/", tag = "Tag::Account")]
impl AccountApi {
    /// Complete a registration: set the first password with the token of the
    /// invitation mail. The link works once, for 72 hours.
    #[oai(path = "/invitations/accept", method = "post")]
    async fn accept(&self, req: &Request, input: Json<RedeemInput>) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        let ip = client_ip(req, &state);
        let tenant = resolve_tenant(&state, input.tenant.as_deref())
            .await?
            .ok_or_else(|| ApiError::from(AccountError::InvalidLink))?;
        let token = token(&input.token)?;
        state
            .accounts()
            .accept_invitation(tenant.id, &token, &Password::new(input.0.password), ip)
            .await?;
        Ok(Done::Done)
    }

    /// Forgot the password: mails a reset link (30 minutes, single use) if the
    /// address belongs to an active account. Always `202` — except `429` when
    /// the address sent too many requests (they count like failed logins).
    #[oai(path = "/password/forgot", method = "post")]
    async fn forgot(&self, req: &Request, input: Json<ForgotInput>) -> Result<Accepted, ApiError> {
        let state = super::auth::state(req)?;
        let ip = client_ip(req, &state);
        forgot_password(&state, input.tenant.as_deref(), &input.email, ip).await?;
        Ok(Accepted::Accepted)
    }

    /// Set a new password with the token of a reset mail. Ends every session of
    /// the account; an enrolled second factor stays required.
    #[oai(path = "/password/reset", method = "post")]
    async fn reset(&self, req: &Request, input: Json<RedeemInput>) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        let ip = client_ip(req, &state);
        let tenant = resolve_tenant(&state, input.tenant.as_deref())
            .await?
            .ok_or_else(|| ApiError::from(AccountError::InvalidLink))?;
        let token = token(&input.token)?;
        state
            .accounts()
            .reset_password(tenant.id, &token, &Password::new(input.0.password), ip)
            .await?;
        Ok(Done::Done)
    }

    /// Change the own e-mail address or phone number (needs the current
    /// password; a wrong one counts as a failed login). A new phone number turns
    /// SMS codes off until it is confirmed again.
    #[oai(path = "/me/contact", method = "put")]
    async fn change_contact(
        &self,
        req: &Request,
        caller: Caller,
        input: Json<ContactInput>,
    ) -> Result<Json<super::users::UserView>, ApiError> {
        let state = super::auth::state(req)?;
        let ContactInput {
            password,
            email,
            phone,
        } = input.0;
        let email = email
            .as_deref()
            .map(zeugnis_core::values::Email::parse)
            .transpose()
            .map_err(|e| ApiError::invalid("email", &e))?;
        let phone = phone
            .as_deref()
            .map(|p| {
                if p.trim().is_empty() {
                    Ok(None)
                } else {
                    zeugnis_core::values::Phone::parse(p).map(Some)
                }
            })
            .transpose()
            .map_err(|e| ApiError::invalid("phone", &e))?;
        let result = state
            .accounts()
            .change_own_contact(
                &caller.actor,
                email,
                phone,
                &Password::new(password),
                caller.ip,
            )
            .await;
        match result {
            Ok(user) => Ok(Json(super::users::UserView::of(&user))),
            Err(AccountError::WrongCurrentPassword) => {
                Err(ApiError::from(AccountError::WrongCurrentPassword).field("password"))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Change the own password (needs the current one; a wrong one counts as a
    /// failed login). Other sessions of the account end.
    #[oai(path = "/me/password", method = "put")]
    async fn change_password(
        &self,
        req: &Request,
        caller: Caller,
        input: Json<ChangePasswordInput>,
    ) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        let result = state
            .accounts()
            .change_password(
                &caller.actor,
                &Password::new(input.0.current_password),
                &Password::new(input.0.new_password),
                Some(caller.session_hash()),
                caller.ip,
            )
            .await;
        match result {
            Ok(()) => Ok(Done::Done),
            Err(AccountError::Password(rejected)) => {
                Err(ApiError::from(AccountError::Password(rejected)).field("new_password"))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// "Forgot the password" for the API and the page: mails a reset link if the
/// address belongs to an active account of the organisation `tenant` (its
/// short name; `None`: the only one), and answers the same either way. Each
/// request counts against the client's address like a failed login, so one
/// address cannot flood someone's mailbox with reset mails.
///
/// # Errors
/// `429` while the address is refused; the store's errors.
pub(crate) async fn forgot_password(
    state: &crate::state::AppState,
    tenant: Option<&str>,
    email: &str,
    ip: Option<std::net::IpAddr>,
) -> Result<(), ApiError> {
    if let Some(ip) = ip {
        let now = std::time::Instant::now();
        if let crate::throttle::Verdict::Blocked { retry_after } = state.throttle.check(ip, now) {
            return Err(super::session::too_many(retry_after.as_secs()));
        }
        let _ = state.throttle.record_failure(ip, now);
    }
    if let Some(tenant) = resolve_tenant(state, tenant).await? {
        state
            .accounts()
            .request_password_reset(tenant.id, email, ip)
            .await?;
    }
    Ok(())
}
