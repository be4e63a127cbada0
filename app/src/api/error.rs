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
use zeugnis_core::classify::{Classify, ErrorKind};
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

/// Every core error answers as the core classified it: the edge maps the
/// closed set of kinds to statuses and never matches an error enum itself.
impl<E: Classify> From<E> for ApiError {
    fn from(e: E) -> Self {
        let class = e.classify();
        let status = match class.kind {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Gone => StatusCode::GONE,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Unavailable => return Self::storage_unavailable(&class.message),
            ErrorKind::Internal => return Self::internal("request failed", &class.message),
        };
        let mut error = Self::new(status, class.code, class.message).details(class.details);
        if let Some(field) = &class.field {
            error = error.field(field);
        }
        if let Some(seconds) = class.retry_after_secs {
            error = error.retry_after(seconds);
        }
        error
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
