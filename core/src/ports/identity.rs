use std::fmt;

use async_trait::async_trait;

use crate::user::SsoIdentity;
use crate::values::Email;

/// A tenant's single-sign-on configuration (Entra ID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoConfig {
    /// The issuer pinned for the tenant (includes the Entra tenant id).
    pub issuer: String,
    /// The client id (the expected audience).
    pub client_id: String,
    /// Where the provider sends the user back.
    pub redirect_url: String,
}

/// What must be remembered between starting and completing a login (in the
/// server-side pending-login record, never in the URL).
#[derive(Clone, PartialEq, Eq)]
pub struct PendingSso {
    /// The `state` sent (compared on return).
    pub state: String,
    /// The `nonce` sent (must be in the ID token).
    pub nonce: String,
    /// The PKCE verifier.
    pub pkce_verifier: String,
}

impl fmt::Debug for PendingSso {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PendingSso(redacted)")
    }
}

/// Where to send the browser, and what to remember.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoStart {
    /// The provider's authorisation URL.
    pub authorize_url: String,
    /// State, nonce and PKCE verifier.
    pub pending: PendingSso,
}

/// A verified identity from the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedIdentity {
    /// Issuer and subject: the only key users are matched by.
    pub identity: SsoIdentity,
    /// The e-mail the provider reports (informational; never used for matching).
    pub email: Option<Email>,
}

/// Why a single-sign-on login failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SsoError {
    /// The returned `state` is not the one sent.
    #[error("the sign-in response does not belong to this sign-in (state mismatch)")]
    StateMismatch,
    /// The token failed a check (signature, `alg`, issuer, audience, nonce, expiry).
    #[error("the identity token was refused: {0}")]
    InvalidToken(String),
    /// The provider could not be reached or answered with an error.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
}

/// An OpenID Connect provider (Azure AD / Entra ID in production).
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
#[async_trait]
pub trait IdentityProvider: Send + Sync {
    /// Starts an authorisation-code flow with PKCE, state and nonce.
    ///
    /// # Errors
    /// [`SsoError::Unavailable`] when discovery fails.
    async fn start(&self, config: &SsoConfig) -> Result<SsoStart, SsoError>;

    /// Completes the flow: checks `state`, exchanges `code`, verifies the ID token
    /// (signature with key rotation, issuer and audience as pinned in `config`,
    /// nonce, expiry; `alg=none` refused).
    ///
    /// # Errors
    /// [`SsoError::StateMismatch`], [`SsoError::InvalidToken`],
    /// [`SsoError::Unavailable`].
    async fn complete(
        &self,
        config: &SsoConfig,
        pending: &PendingSso,
        returned_state: &str,
        code: &str,
    ) -> Result<VerifiedIdentity, SsoError>;
}
