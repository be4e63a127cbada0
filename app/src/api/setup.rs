//! The first-start setup: the organisation and its first Administrator.

use poem::Request;
use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use zeugnis_core::password::Password;
use zeugnis_core::services::tenants::{FirstAdministrator, TenantSetupError};
use zeugnis_core::token::{ActionToken, SecretToken as _};
use zeugnis_core::values::{Email, Name, Slug};

use super::error::ApiError;

#[derive(Tags)]
enum Tag {
    /// The first start.
    Setup,
}

/// The organisation and its first Administrator.
#[derive(Object)]
pub(crate) struct SetupInput {
    /// The one-time token from the setup URL in the server's log.
    token: String,
    /// The organisation's name.
    organisation: String,
    /// Its short name for addresses (2 to 63 of a-z, 0-9, hyphen).
    slug: String,
    /// The administrator's first name.
    first_name: String,
    /// The administrator's last name.
    last_name: String,
    /// The administrator's e-mail address (the login).
    email: String,
    /// The administrator's password.
    password: String,
}

/// What the setup created.
#[derive(Debug, Object)]
pub(crate) struct SetupResult {
    /// The organisation's short name (log in with it, or leave it out while it
    /// is the only one).
    tenant: String,
    /// The administrator's user id.
    user_id: String,
}

#[derive(ApiResponse)]
enum SetupResponse {
    /// Created; log in with the e-mail address and password.
    #[oai(status = 201)]
    Created(Json<SetupResult>),
}

/// The setup endpoint.
pub(crate) struct SetupApi;

fn invalid_token() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "invalid_link",
        "this setup link is not valid (any more): the installation is set up, or the server was restarted",
    )
    .field("token")
}

#[OpenApi(prefix_path = "/", tag = "Tag::Setup")]
impl SetupApi {
    /// Set up the installation's first organisation and its first Administrator,
    /// with the one-time token the server logs on its first start.
    #[oai(path = "/setup", method = "post")]
    async fn setup(
        &self,
        req: &Request,
        input: Json<SetupInput>,
    ) -> Result<SetupResponse, ApiError> {
        let state = super::auth::state(req)?;
        let i = input.0;
        let token: ActionToken = i.token.trim().parse().map_err(|_| invalid_token())?;
        let hash = crate::setup::setup_token_matches(&state, &token).ok_or_else(invalid_token)?;
        let name = Name::new(&i.organisation).map_err(|e| ApiError::invalid("organisation", &e))?;
        let slug = Slug::parse(&i.slug).map_err(|e| ApiError::invalid("slug", &e))?;
        let admin = FirstAdministrator {
            first_name: Name::new(&i.first_name)
                .map_err(|e| ApiError::invalid("first_name", &e))?,
            last_name: Name::new(&i.last_name).map_err(|e| ApiError::invalid("last_name", &e))?,
            email: Email::parse(&i.email).map_err(|e| ApiError::invalid("email", &e))?,
            password: Password::new(i.password),
        };
        // Used once: taken before the work, given back if the input was refused.
        if !state.take_setup_token(&hash) {
            return Err(invalid_token());
        }
        // Only while the installation is empty (an operator may have created an
        // organisation with the command line meanwhile, or another instance
        // set up at the same time): checked inside the transaction.
        let result = state
            .tenants()
            .set_up_installation(slug, name, admin, &state.hasher, &state.breached)
            .await;
        match result {
            Ok((created, user)) => {
                tracing::info!(tenant.id = %created.tenant.id, "the first organisation was set up");
                Ok(SetupResponse::Created(Json(SetupResult {
                    tenant: created.tenant.slug.as_str().to_owned(),
                    user_id: user.to_string(),
                })))
            }
            Err(TenantSetupError::AlreadySetUp) => Err(invalid_token()),
            Err(e) => {
                state.set_setup_token(Some(token.hash()));
                Err(e.into())
            }
        }
    }
}
