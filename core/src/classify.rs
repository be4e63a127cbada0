//! What kind of failure an error is, decided once, in the core.
//!
//! Every error a service returns says, through [`Classify`], whether it is a
//! thing not found, a refusal, a conflict, input that is invalid (naming the
//! field), something gone for good, too many attempts, an outage or a bug —
//! with a stable code for programs. Each classification is an exhaustive
//! `match` inside the core, so a new business error cannot compile without
//! being classified. An edge (HTTP, pages, a CLI) maps the closed set of
//! [`ErrorKind`]s to its own answers and never matches the error enums
//! themselves, which stay `#[non_exhaustive]` for integrators.
//!
//! ```
//! use zeugnis_core::classify::{Classify, ErrorKind};
//! use zeugnis_core::services::accounts::AccountError;
//!
//! let class = AccountError::EmailTaken.classify();
//! assert_eq!(class.kind, ErrorKind::Conflict);
//! assert_eq!(class.code, "email_taken");
//! assert_eq!(class.field.as_deref(), Some("email"));
//! ```

use std::borrow::Cow;

/// The closed set of failure kinds; every edge maps each of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The thing does not exist for the caller (also: outside their scope).
    NotFound,
    /// The caller is not (or no longer) logged in, or their credentials are wrong.
    Unauthenticated,
    /// The caller may not do this.
    Forbidden,
    /// The request conflicts with the current state (a taken value, a stale
    /// version, a status that does not allow it).
    Conflict,
    /// The input is invalid; [`Classified::field`] names it where one can be named.
    Invalid,
    /// The thing existed but is gone for good (an expired link, destroyed data).
    Gone,
    /// Too many attempts; [`Classified::retry_after_secs`] says how long to wait.
    TooManyRequests,
    /// A service the core depends on (storage, hashing) failed; nothing was
    /// changed and trying again later may work. The message is for the log.
    Unavailable,
    /// A failure that is a bug or a broken installation, never the caller's
    /// input. The message is for the log.
    Internal,
}

/// An error's classification: what an edge needs to answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// The kind.
    pub kind: ErrorKind,
    /// A stable machine-readable code, e.g. `email_taken`.
    pub code: &'static str,
    /// What went wrong, for people; for [`ErrorKind::Unavailable`] and
    /// [`ErrorKind::Internal`] for the log only.
    pub message: String,
    /// The input field at fault.
    pub field: Option<Cow<'static, str>>,
    /// Every rule the input broke (e.g. each failed password rule), in English.
    pub details: Vec<String>,
    /// Seconds to wait before trying again.
    pub retry_after_secs: Option<u64>,
}

impl Classified {
    /// A classification with `kind`, `code` and the error's message.
    #[must_use]
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
            field: None,
            details: Vec::new(),
            retry_after_secs: None,
        }
    }

    /// The same, naming the field at fault.
    #[must_use]
    pub fn field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The same, with the broken rules listed.
    #[must_use]
    pub fn details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }

    /// The same, asking to wait `seconds` (at least 1) before trying again.
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_secs = Some(seconds.max(1));
        self
    }

    /// An outage of storage or another port; `cause` is for the log.
    #[must_use]
    pub fn unavailable(cause: &str) -> Self {
        Self::new(ErrorKind::Unavailable, "unavailable", cause)
    }

    /// A bug or broken installation; `cause` is for the log.
    #[must_use]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::Internal, "internal", cause.to_string())
    }
}

/// An error that knows its kind.
pub trait Classify: std::error::Error {
    /// The classification, decided by an exhaustive `match` in the core.
    fn classify(&self) -> Classified;
}

/// `after` is not a position of the list: the same answer for every list.
pub(crate) fn invalid_cursor() -> Classified {
    Classified::new(
        ErrorKind::Invalid,
        "invalid_cursor",
        "after is not a position of this list; pass the next value of the previous page",
    )
    .field("after")
}

/// An organisation that is read-only or deleted: the same answer everywhere.
pub(crate) fn read_only(e: &crate::tenant::TenantError) -> Classified {
    Classified::new(ErrorKind::Forbidden, "read_only", e.to_string())
}

/// The password policy refused a new password.
pub(crate) fn password_policy(rejected: &crate::password::PasswordRejected) -> Classified {
    Classified::new(
        ErrorKind::Invalid,
        "password_policy",
        "the password does not meet the password policy",
    )
    .field("password")
    .details(rejected.messages(crate::messages::Locale::En))
}

impl Classify for crate::ports::StoreError {
    fn classify(&self) -> Classified {
        use crate::ports::StoreError as E;
        match self {
            E::NotFound => Classified::new(ErrorKind::NotFound, "not_found", "not found"),
            E::Conflict { what } => Classified::new(ErrorKind::Conflict, "conflict", what.clone()),
            E::PreconditionFailed(p) => {
                Classified::new(ErrorKind::Conflict, "precondition_failed", p.to_string())
            }
            E::Gone => Classified::new(
                ErrorKind::Gone,
                "gone",
                "the data is no longer available (it was deleted for good)",
            ),
            E::InvalidCursor => invalid_cursor(),
            E::Unavailable(cause) => Classified::unavailable(cause),
            // A change set that mixes tenants is a bug in the caller.
            E::TenantMismatch => Classified::internal(self),
        }
    }
}

impl Classify for crate::authz::AccessError {
    fn classify(&self) -> Classified {
        use crate::authz::AccessError as E;
        let message = self.to_string();
        match self {
            E::NotFound => Classified::new(ErrorKind::NotFound, "not_found", "not found"),
            E::Inactive => Classified::new(
                ErrorKind::Unauthenticated,
                "unauthenticated",
                "not logged in, or the session has ended; log in again",
            ),
            E::LastAdministrator => {
                Classified::new(ErrorKind::Conflict, "last_administrator", message)
            }
            E::Escalation { .. } | E::ScopeEscalation => {
                Classified::new(ErrorKind::Forbidden, "escalation", message)
            }
            E::Forbidden { .. } => Classified::new(ErrorKind::Forbidden, "forbidden", message),
        }
    }
}

impl Classify for crate::ports::RenderError {
    fn classify(&self) -> Classified {
        use crate::ports::RenderError as E;
        match self {
            E::Formatting(m) => Classified::new(ErrorKind::Invalid, "formatting", m.clone()),
            E::Failed(_) => Classified::internal(self),
        }
    }
}

impl Classify for crate::tenant::TenantError {
    fn classify(&self) -> Classified {
        read_only(self)
    }
}
