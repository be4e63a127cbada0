//! Logging in and out, the current session, the list of one's sessions.

use poem::Request;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use zeugnis_core::password::Password;
use zeugnis_core::services::login::{LoggedIn, LoginError};
use zeugnis_core::services::sessions::StartedSession;
use zeugnis_core::session::Session;
use zeugnis_core::token::TokenHash;

use super::auth::{Caller, clear_cookie, client_ip, csrf_token, session_cookie};
use super::error::ApiError;
use super::timestamp;
use super::users::UserView;

#[derive(Tags)]
enum Tag {
    /// Logging in and out, sessions.
    Session,
}

/// Login input. `Debug` shows neither address nor password.
#[derive(Object)]
pub(crate) struct LoginInput {
    /// The organisation's short name; may be left out when the server holds one
    /// organisation only.
    tenant: Option<String>,
    /// E-mail address.
    email: String,
    /// Password.
    password: String,
}

/// What a login led to.
#[derive(Debug, Object)]
pub(crate) struct LoginResult {
    /// `logged_in`, or `second_factor_required` (answer it within 5 minutes).
    pub(crate) status: String,
    /// The token to send as `X-CSRF-Token` with every state-changing request of
    /// this session.
    pub(crate) csrf_token: String,
    /// No second factor enrolled yet, but the organisation requires one: enrol
    /// now.
    pub(crate) enrolment_required: bool,
    /// The logged-in user (absent while a second factor is owed).
    #[oai(skip_serializing_if_is_none)]
    pub(crate) user: Option<UserView>,
}

#[derive(ApiResponse)]
enum LoginResponse {
    /// Logged in, or the second factor is owed; the session cookie is set.
    #[oai(status = 200)]
    Ok(
        Json<LoginResult>,
        #[oai(header = "Set-Cookie")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

/// The current session.
#[derive(Debug, Object)]
pub(crate) struct SessionView {
    /// The logged-in user.
    user: UserView,
    /// The CSRF token of this session.
    csrf_token: String,
    /// When the session started.
    created_at: String,
    /// When it ends at the latest (absolute timeout).
    expires_at: String,
    /// The idle timeout in minutes.
    idle_minutes: i64,
}

/// One of the user's sessions.
#[derive(Debug, Object)]
pub(crate) struct SessionListItem {
    /// The session's id (the hash of its token; the token itself is never shown).
    id: String,
    /// When it started.
    created_at: String,
    /// Last request.
    last_seen_at: String,
    /// The session this list was asked from.
    current: bool,
}

#[derive(ApiResponse)]
enum EndedResponse {
    /// Ended; the cookie is removed.
    #[oai(status = 204)]
    Ended(#[oai(header = "Set-Cookie")] String),
}

/// The session endpoints.
pub(crate) struct SessionApi;

pub(crate) fn hash_hex(h: &TokenHash) -> String {
    h.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn parse_hash(s: &str) -> Option<TokenHash> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(TokenHash::from_bytes(out))
}

fn session_view(caller: &Caller) -> SessionView {
    let s: &Session = &caller.session;
    SessionView {
        user: UserView::of(&caller.user),
        csrf_token: caller.csrf.clone(),
        created_at: timestamp(s.created_at),
        expires_at: timestamp(s.created_at.saturating_add(s.timeouts.absolute())),
        idle_minutes: s.timeouts.idle().whole_minutes(),
    }
}

#[OpenApi(prefix_path = "/", tag = "Tag::Session")]
impl SessionApi {
    /// Log in with e-mail address and password.
    ///
    /// Wrong address, wrong password, locked and deactivated accounts all get
    /// the same `401 invalid_credentials`. Too many failures from one address
    /// get `429 too_many_attempts` for a while.
    #[oai(path = "/login", method = "post")]
    async fn login(
        &self,
        req: &Request,
        input: Json<LoginInput>,
    ) -> Result<LoginResponse, ApiError> {
        let state = super::auth::state(req)?;
        let ip = client_ip(req, &state);
        let input = input.0;
        let outcome = state
            .login_flow()
            .log_in(
                input.tenant.as_deref(),
                input.email,
                Password::new(input.password),
                ip,
            )
            .await;
        let cookie = |started: &StartedSession| {
            session_cookie(state.cookies, started.session.tenant, &started.token)
        };
        match outcome {
            Ok(LoggedIn::Session { started, user }) => Ok(LoginResponse::Ok(
                Json(LoginResult {
                    status: "logged_in".into(),
                    csrf_token: csrf_token(&started.token),
                    enrolment_required: false,
                    user: Some(UserView::of(&user)),
                }),
                cookie(&started),
                "no-store".into(),
            )),
            Ok(LoggedIn::SecondFactorRequired {
                started,
                enrolment_required,
            }) => Ok(LoginResponse::Ok(
                Json(LoginResult {
                    status: "second_factor_required".into(),
                    csrf_token: csrf_token(&started.token),
                    enrolment_required,
                    user: None,
                }),
                cookie(&started),
                "no-store".into(),
            )),
            Ok(_) => Err(ApiError::internal("login", &"unexpected login outcome")),
            Err(e) => Err(e.into()),
        }
    }

    /// The current session: who is logged in, and the CSRF token.
    #[oai(path = "/session", method = "get")]
    async fn session(&self, caller: Caller) -> Result<Json<SessionView>, ApiError> {
        Ok(Json(session_view(&caller)))
    }

    /// Log out (end this session).
    #[oai(path = "/session", method = "delete")]
    async fn logout(&self, req: &Request, caller: Caller) -> Result<EndedResponse, ApiError> {
        let state = super::auth::state(req)?;
        state
            .sessions()
            .logout(&caller.actor, caller.session_hash(), caller.ip)
            .await?;
        Ok(EndedResponse::Ended(clear_cookie(state.cookies)))
    }

    /// The user's sessions (every device logged in), newest first.
    #[oai(path = "/sessions", method = "get")]
    async fn sessions(
        &self,
        req: &Request,
        caller: Caller,
    ) -> Result<Json<Vec<SessionListItem>>, ApiError> {
        let state = super::auth::state(req)?;
        let list = state.sessions().list(&caller.actor).await?;
        Ok(Json(
            list.into_iter()
                .map(|s| SessionListItem {
                    id: hash_hex(&s.token_hash),
                    created_at: timestamp(s.created_at),
                    last_seen_at: timestamp(s.last_seen_at),
                    current: s.token_hash == caller.session_hash(),
                })
                .collect(),
        ))
    }

    /// End one of the user's sessions (e.g. a forgotten device).
    #[oai(path = "/sessions/:id", method = "delete")]
    async fn end_session(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<EndedOrKept, ApiError> {
        let state = super::auth::state(req)?;
        let hash = parse_hash(&id.0).ok_or_else(ApiError::not_found)?;
        state
            .sessions()
            .end_own(&caller.actor, hash, caller.ip)
            .await?;
        Ok(if hash == caller.session_hash() {
            EndedOrKept::Ended(clear_cookie(state.cookies))
        } else {
            EndedOrKept::Kept
        })
    }

    /// Log out everywhere: end every session of the user, this one included.
    #[oai(path = "/sessions/end-all", method = "post")]
    async fn end_all(&self, req: &Request, caller: Caller) -> Result<EndedResponse, ApiError> {
        let state = super::auth::state(req)?;
        state.sessions().end_all(&caller.actor, caller.ip).await?;
        Ok(EndedResponse::Ended(clear_cookie(state.cookies)))
    }
}

#[derive(ApiResponse)]
enum EndedOrKept {
    /// This session was ended; the cookie is removed.
    #[oai(status = 204)]
    Ended(#[oai(header = "Set-Cookie")] String),
    /// The other session was ended.
    #[oai(status = 202)]
    Kept,
}

pub(crate) fn too_many(retry_after: u64) -> ApiError {
    LoginError::TooManyAttempts {
        retry_after_secs: retry_after,
    }
    .into()
}
