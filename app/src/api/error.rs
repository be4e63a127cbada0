//! The one error shape of the API.
//!
//! Every error — a refused login, a validation failure, an unknown route, a
//! failure inside the server — is a JSON object `{"code", "message", "field",
//! "details"}` with a fitting status: `code` is stable for programs, `message`
//! is for people, `field` names the input at fault, `details` lists every
//! broken rule (e.g. of the password policy). Unexpected failures are logged
//! with their cause and answered with an opaque `500 internal`.

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse as _, Response};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use zeugnis_core::authz::AccessError;
use zeugnis_core::messages::Locale;
use zeugnis_core::ports::StoreError;
use zeugnis_core::services::accounts::AccountError;
use zeugnis_core::values::ValueError;

/// The body of every error.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid_credentials`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// The input field at fault, for validation errors.
    #[oai(skip_serializing_if_is_none)]
    pub field: Option<String>,
    /// Every rule the input broke, for people (e.g. each failed password rule);
    /// absent when there is nothing to list.
    #[oai(skip_serializing_if_is_empty, default)]
    pub details: Vec<String>,
}

/// An error response.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "bad_request")]
pub enum ApiError {
    /// The request failed; the status and `code` say why. `429` and `503`
    /// answers say in `Retry-After` how many seconds to wait.
    Error(
        StatusCode,
        Json<ErrorBody>,
        #[oai(header = "Retry-After")] Option<u64>,
    ),
}

/// Turns a request poem-openapi could not parse into an error naming the
/// input: a query or path parameter of the wrong type or out of range is a
/// `422` naming the parameter; a body it could not read (bodies are checked
/// against the document before, see `contract`) a `400` naming `body`.
#[expect(
    clippy::needless_pass_by_value,
    reason = "the signature poem-openapi calls"
)]
fn bad_request(err: poem::Error) -> ApiError {
    use poem_openapi::error::{ParseParamError, ParseRequestPayloadError};
    if let Some(p) = err.downcast_ref::<ParseParamError>() {
        return ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_parameter",
            format!("the parameter {} is not valid: {}", p.name, p.reason),
        )
        .field(p.name);
    }
    let field = if err.is::<ParseRequestPayloadError>() {
        "body"
    } else {
        "request"
    };
    ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", err.to_string()).field(field)
}

impl ApiError {
    /// An error with status, code and message.
    #[must_use]
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError::Error(
            status,
            Json(ErrorBody {
                code: code.to_owned(),
                message: message.into(),
                field: None,
                details: Vec::new(),
            }),
            None,
        )
    }

    /// The same error, naming the field at fault.
    #[must_use]
    pub fn field(mut self, field: &str) -> Self {
        let ApiError::Error(_, Json(body), _) = &mut self;
        body.field = Some(field.to_owned());
        self
    }

    /// The same error with the broken rules listed.
    #[must_use]
    pub fn details(mut self, details: Vec<String>) -> Self {
        let ApiError::Error(_, Json(body), _) = &mut self;
        body.details = details;
        self
    }

    /// The status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        let ApiError::Error(status, _, _) = self;
        *status
    }

    /// The body.
    #[must_use]
    pub fn body(&self) -> &ErrorBody {
        let ApiError::Error(_, Json(body), _) = self;
        body
    }

    /// The same error, asking the client to wait `seconds` before trying again.
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        let ApiError::Error(_, _, retry) = &mut self;
        *retry = Some(seconds);
        self
    }

    /// [`ApiError::unavailable`], with its cause in the log.
    #[must_use]
    pub fn storage_unavailable(cause: &str) -> Self {
        tracing::warn!(error = %cause, "storage unavailable");
        Self::unavailable()
    }

    /// `503 unavailable`: the database cannot be reached or cannot take the
    /// write (down, restarting, disk full). Nothing was changed; try again.
    #[must_use]
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the service cannot reach its database or store data at the moment; nothing was changed; try again shortly",
        )
        .retry_after(5)
    }

    /// `401 unauthenticated`: no valid session.
    #[must_use]
    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "not logged in, or the session has ended; log in again",
        )
    }

    /// `404 not_found`.
    #[must_use]
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "not found")
    }

    /// A value that failed its checks, for `field`.
    #[must_use]
    pub fn invalid(field: &str, e: &ValueError) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            e.to_string(),
        )
        .field(field)
    }

    /// A failure inside the server: logged with its cause, answered opaquely.
    #[must_use]
    pub fn internal(context: &str, cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "{context}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on the server; it has been logged",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(),
            StoreError::Conflict { what } => Self::new(StatusCode::CONFLICT, "conflict", what),
            StoreError::PreconditionFailed(p) => {
                Self::new(StatusCode::CONFLICT, "precondition_failed", p.to_string())
            }
            StoreError::Gone => Self::new(
                StatusCode::GONE,
                "gone",
                "the data is no longer available (it was deleted for good)",
            ),
            StoreError::InvalidCursor => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_cursor",
                "after is not a position of this list; pass the next value of the previous page",
            )
            .field("after"),
            StoreError::Unavailable(cause) => Self::storage_unavailable(&cause),
            other => Self::internal("storage failed", &other),
        }
    }
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::NotFound => Self::not_found(),
            AccessError::Inactive => Self::unauthenticated(),
            AccessError::LastAdministrator => {
                Self::new(StatusCode::CONFLICT, "last_administrator", e.to_string())
            }
            AccessError::Escalation { .. } | AccessError::ScopeEscalation => {
                Self::new(StatusCode::FORBIDDEN, "escalation", e.to_string())
            }
            other => Self::new(StatusCode::FORBIDDEN, "forbidden", other.to_string()),
        }
    }
}

impl From<zeugnis_core::services::audit::AuditError> for ApiError {
    fn from(e: zeugnis_core::services::audit::AuditError) -> Self {
        use zeugnis_core::services::audit::AuditError as E;
        match e {
            E::NotAdministrator => Self::new(StatusCode::FORBIDDEN, "forbidden", e.to_string()),
            E::InvalidCursor => StoreError::InvalidCursor.into(),
            E::Unavailable(cause) => Self::storage_unavailable(&cause),
            other => Self::internal("audit log failed", &other),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Access(a) => a.into(),
            AccountError::UnknownRole => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_role",
                e.to_string(),
            )
            .field("role_id"),
            AccountError::EmailTaken => {
                Self::new(StatusCode::CONFLICT, "email_taken", e.to_string()).field("email")
            }
            AccountError::Password(rejected) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "password_policy",
                "the password does not meet the password policy",
            )
            .field("password")
            .details(rejected.messages(Locale::En)),
            AccountError::InvalidLink => {
                Self::new(StatusCode::GONE, "invalid_link", e.to_string()).field("token")
            }
            AccountError::WrongCurrentPassword => Self::new(
                StatusCode::FORBIDDEN,
                "wrong_current_password",
                e.to_string(),
            )
            .field("current_password"),
            AccountError::State(s) => {
                Self::new(StatusCode::CONFLICT, "invalid_state", s.to_string())
            }
            AccountError::Tenant(t) => Self::new(StatusCode::FORBIDDEN, "read_only", t.to_string()),
            AccountError::ReauthenticationRequired => Self::new(
                StatusCode::FORBIDDEN,
                "reauthentication_required",
                e.to_string(),
            ),
            AccountError::PasswordLoginDisabled => Self::new(
                StatusCode::FORBIDDEN,
                "password_login_disabled",
                e.to_string(),
            ),
            AccountError::InvalidCursor => StoreError::InvalidCursor.into(),
            AccountError::Unavailable(cause) => Self::storage_unavailable(&cause),
            other => Self::internal("account operation failed", &other),
        }
    }
}

impl From<zeugnis_core::services::roles::RoleChangeError> for ApiError {
    fn from(e: zeugnis_core::services::roles::RoleChangeError) -> Self {
        use zeugnis_core::services::roles::RoleChangeError as E;
        match e {
            E::Access(a) => a.into(),
            E::Role(r) => Self::new(StatusCode::CONFLICT, "built_in_role", r.to_string()),
            E::InUse => Self::new(StatusCode::CONFLICT, "role_in_use", e.to_string()),
            E::Conflict(what) => Self::new(StatusCode::CONFLICT, "conflict", what),
            E::Tenant(t) => Self::new(StatusCode::FORBIDDEN, "read_only", t.to_string()),
            E::Unavailable(cause) => Self::storage_unavailable(&cause),
            other => Self::internal("role change failed", &other),
        }
    }
}

/// Gives errors that did not come from a handler — unknown routes, wrong
/// methods, unparsable bodies — the same JSON shape, and hides the detail of
/// server failures.
pub async fn json_errors<E: Endpoint>(next: E, req: poem::Request) -> poem::Result<Response> {
    let response = match next.call(req).await {
        Ok(r) => r.into_response(),
        // An operation whose own error type is not `ApiError` (or a parameter
        // refused before the operation is chosen) still names the parameter.
        Err(e)
            if e.is::<poem_openapi::error::ParseParamError>()
                || e.is::<poem_openapi::error::ParseRequestPayloadError>() =>
        {
            bad_request(e).into_response()
        }
        Err(e) => e.into_response(),
    };
    if response.is_success()
        || response
            .content_type()
            .is_some_and(|c| c.starts_with("application/json"))
    {
        return Ok(response);
    }
    let status = response.status();
    let error = if status.is_server_error() {
        let body = response.into_body().into_string().await.unwrap_or_default();
        ApiError::internal("request failed", &body)
    } else {
        let code = match status {
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::UNAUTHORIZED => "unauthenticated",
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            _ => "invalid_request",
        };
        let body = response.into_body().into_string().await.unwrap_or_default();
        let message = if body.trim().is_empty() {
            status.canonical_reason().unwrap_or("error").to_lowercase()
        } else {
            body
        };
        ApiError::new(status, code, message)
    };
    Ok(error.into_response())
}

impl ApiError {
    /// The response.
    #[must_use]
    pub fn into_response(self) -> Response {
        poem::IntoResponse::into_response(self)
    }
}

impl From<zeugnis_core::services::references::ReferenceError> for ApiError {
    fn from(e: zeugnis_core::services::references::ReferenceError) -> Self {
        use zeugnis_core::services::references::ReferenceError as E;
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        match e {
            E::Access(a) => a.into(),
            E::Tenant(t) => Self::new(StatusCode::FORBIDDEN, "read_only", t.to_string()),
            E::Invalid { field, message } => {
                let error = Self::new(unprocessable, "invalid_value", message);
                match field {
                    Some(f) => error.field(&f),
                    None => error,
                }
            }
            E::InvalidCursor => StoreError::InvalidCursor.into(),
            E::OutsideScope => Self::new(StatusCode::FORBIDDEN, "outside_scope", e.to_string()),
            E::StillNamed => Self::new(StatusCode::CONFLICT, "employee_referenced", e.to_string()),
            E::Transition(t) => {
                Self::new(StatusCode::CONFLICT, "invalid_transition", t.to_string()).field("status")
            }
            E::NotEditable(_) => Self::new(StatusCode::CONFLICT, "not_editable", e.to_string()),
            E::Matrix(m) => {
                let details = match &m {
                    zeugnis_core::matrix::MatrixError::NotWritable { sections } => {
                        sections.iter().map(|s| s.key().to_owned()).collect()
                    }
                    _ => Vec::new(),
                };
                Self::new(StatusCode::FORBIDDEN, "section_not_writable", m.to_string())
                    .details(details)
            }
            E::Handover(h) => {
                use zeugnis_core::handover::HandoverError as H;
                let field = match &h {
                    H::DomainNotAllowed { .. } => Some("recipient_email"),
                    H::PhoneRequired => Some("recipient_phone"),
                    H::ChannelNotAllowed(_) => Some("code_channel"),
                    H::InvalidExpiry => Some("expires_in_days"),
                    H::DownloadNeedsRead { .. } => Some("download"),
                    _ => None,
                };
                let status = if field.is_some() {
                    unprocessable
                } else {
                    StatusCode::CONFLICT
                };
                let error = Self::new(status, "handover_refused", h.to_string());
                match field {
                    Some(f) => error.field(f),
                    None => error,
                }
            }
            E::Generate(g) => Self::new(unprocessable, "missing_data", g.to_string()),
            E::NoText => Self::new(StatusCode::CONFLICT, "no_text", e.to_string()),
            E::Conflict(what) => Self::new(StatusCode::CONFLICT, "conflict", what),
            E::Unavailable(cause) => Self::storage_unavailable(&cause),
            other => Self::internal("reference operation failed", &other),
        }
    }
}

impl From<zeugnis_core::services::handover::LinkError> for ApiError {
    fn from(e: zeugnis_core::services::handover::LinkError) -> Self {
        use zeugnis_core::services::handover::LinkError as L;
        let gone = |code: &str| Self::new(StatusCode::GONE, code, e.to_string());
        match &e {
            L::NotFound => Self::new(StatusCode::NOT_FOUND, "invalid_link", e.to_string()),
            L::Revoked => gone("link_revoked"),
            L::Finished => gone("link_finished"),
            L::Expired => gone("link_expired"),
            L::Blocked => gone("link_blocked"),
            // The link's budget of codes is spent for good: HR sends a new
            // link. Retry-After says when asking again is no abuse at least.
            L::TooManyCodes => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_codes",
                e.to_string(),
            )
            .retry_after(3600),
            L::NoCodeChannel => Self::new(StatusCode::CONFLICT, "no_code_channel", e.to_string()),
            L::Code(c) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_code",
                c.to_string(),
            )
            .field("code"),
            L::Unavailable(cause) => Self::storage_unavailable(cause),
            _ => Self::internal("handover link failed", &e),
        }
    }
}

impl From<zeugnis_core::services::handover::HolderError> for ApiError {
    fn from(e: zeugnis_core::services::handover::HolderError) -> Self {
        use zeugnis_core::services::handover::HolderError as H;
        match e {
            H::Link(l) => l.into(),
            H::Refused(r) => r.into(),
            H::DownloadNotAllowed => {
                Self::new(StatusCode::FORBIDDEN, "download_not_allowed", e.to_string())
            }
            other => Self::internal("handover request failed", &other),
        }
    }
}

impl From<zeugnis_core::ports::RenderError> for ApiError {
    fn from(e: zeugnis_core::ports::RenderError) -> Self {
        use zeugnis_core::ports::RenderError as R;
        match e {
            R::Formatting(m) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "formatting", m),
            other => Self::internal("rendering failed", &other),
        }
    }
}
