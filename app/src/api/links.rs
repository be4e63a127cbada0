//! Handover links: no account, only the link. Opening it (id and secret in the
//! path; a one-time code first where the handover or the organisation asks for
//! one) exchanges it for a short-lived session cookie bound to that handover.
//! With that cookie the holder reads the sections the matrix lets them read,
//! writes the ones it lets them write, downloads the PDF if allowed, and marks
//! the work as finished. A revoked, finished or expired link answers `410` with
//! a message and nothing else.

use std::collections::BTreeMap;
use std::sync::Arc;

use poem::Request;
use poem::http::StatusCode;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use zeugnis_core::id::ChallengeId;
use zeugnis_core::services::handover::{HandoverAccess, LinkRequest, OpenOutcome};
use zeugnis_core::session::Principal;
use zeugnis_core::token::HandoverSecret;

use super::auth::{LinkHolder, clear_handover_cookie, csrf_token, handover_cookie};
use super::error::ApiError;
use super::references::{PdfResponse, channel_key, handover_id, section_inputs, section_json};
use super::timestamp;
use crate::state::AppState;

#[derive(Tags)]
enum Tag {
    /// What the recipient of a handover link does (no account; the link's
    /// session cookie).
    Handover,
}

/// A section as the link holder sees it.
#[derive(Debug, Object)]
pub(crate) struct HolderSection {
    /// Section key.
    key: String,
    /// German label.
    label: String,
    /// Whether the holder may change it.
    writable: bool,
    /// Content (text, list of lines, or an object by section).
    content: serde_json::Value,
}

/// What the link holder sees.
#[derive(Debug, Object)]
pub(crate) struct LinkHandoverView {
    /// The readable sections only, in form order.
    sections: Vec<HolderSection>,
    /// Whether the PDF may be downloaded.
    download: bool,
    /// When the link expires.
    expires_at: String,
}

impl LinkHandoverView {
    fn of(a: &HandoverAccess) -> Self {
        Self {
            sections: a
                .view
                .sections()
                .map(|(s, c, writable)| HolderSection {
                    key: s.key().to_owned(),
                    label: s.label_de().to_owned(),
                    writable,
                    content: if c.as_str().is_empty() {
                        serde_json::Value::Null
                    } else {
                        section_json(s, c)
                    },
                })
                .collect(),
            download: a.view.may_download(),
            expires_at: timestamp(a.expires_at),
        }
    }
}

/// Access granted: the session cookie is set.
#[derive(Debug, Object)]
pub(crate) struct Granted {
    /// Send as header `X-CSRF-Token` with every change.
    csrf_token: String,
    /// What the holder sees.
    handover: LinkHandoverView,
}

/// A one-time code was sent.
#[derive(Debug, Object)]
pub(crate) struct LinkCodeSent {
    /// Send it back with the code.
    challenge: String,
    /// `email` or `sms`.
    channel: String,
    /// Until when the code is valid.
    expires_at: String,
}

/// A one-time code.
#[derive(Debug, Object)]
pub(crate) struct CodeBody {
    /// The challenge from opening the link.
    challenge: String,
    /// The code received.
    code: String,
}

/// Sections to save.
#[derive(Debug, Object)]
pub(crate) struct HolderSections {
    /// Content by section key.
    sections: BTreeMap<String, serde_json::Value>,
}

#[derive(ApiResponse)]
enum OpenResponse {
    /// Access granted; the handover session cookie is set.
    #[oai(status = 200)]
    Granted(Json<Granted>, #[oai(header = "Set-Cookie")] String),
    /// A one-time code was sent; enter it next.
    #[oai(status = 202)]
    CodeSent(Json<LinkCodeSent>),
}

#[derive(ApiResponse)]
enum Finished {
    /// Finished; the link and the session end.
    #[oai(status = 204)]
    Done(#[oai(header = "Set-Cookie")] String),
}

/// The state and the request of a link's path (`/links/{slug}/{id}/{secret}`);
/// an unknown organisation or a malformed id or secret is an invalid link.
async fn link_request(
    req: &Request,
    slug: &str,
    id: &str,
    secret: &str,
) -> Result<(Arc<AppState>, LinkRequest), ApiError> {
    let invalid = || ApiError::from(zeugnis_core::services::handover::LinkError::NotFound);
    let state = super::auth::state(req)?;
    let tenant = super::resolve_tenant(&state, Some(slug))
        .await?
        .ok_or_else(invalid)?;
    let request = LinkRequest {
        tenant: tenant.id,
        id: handover_id(id).map_err(|_| invalid())?,
        secret: secret.parse::<HandoverSecret>().map_err(|_| invalid())?,
        source_ip: super::auth::client_ip(req, &state),
    };
    Ok((state, request))
}

async fn grant(
    state: &crate::state::AppState,
    tenant: zeugnis_core::id::TenantId,
    access: &HandoverAccess,
) -> Result<OpenResponse, ApiError> {
    let started = state
        .sessions()
        .start_until(
            tenant,
            Principal::Handover(access.handover),
            None,
            Some(access.expires_at),
        )
        .await?;
    Ok(OpenResponse::Granted(
        Json(Granted {
            csrf_token: csrf_token(&started.token),
            handover: LinkHandoverView::of(access),
        }),
        handover_cookie(state.cookies, tenant, &started.token),
    ))
}

/// The handover link endpoints.
pub(crate) struct LinkApi;

#[OpenApi(prefix_path = "/", tag = "Tag::Handover")]
impl LinkApi {
    /// Opens a handover link (the path of the link in the mail): grants access
    /// and sets the session cookie, or sends a one-time code first (`202`).
    #[oai(path = "/links/:slug/:id/:secret", method = "post")]
    async fn open(
        &self,
        req: &Request,
        slug: Path<String>,
        id: Path<String>,
        secret: Path<String>,
    ) -> Result<OpenResponse, ApiError> {
        let (state, request) = link_request(req, &slug.0, &id.0, &secret.0).await?;
        let tenant = request.tenant;
        match state.handover_links().open(request).await? {
            OpenOutcome::Granted(access) => grant(&state, tenant, &access).await,
            OpenOutcome::CodeSent {
                challenge,
                channel,
                expires_at,
            } => Ok(OpenResponse::CodeSent(Json(LinkCodeSent {
                challenge: challenge.to_string(),
                channel: channel_key(channel).to_owned(),
                expires_at: timestamp(expires_at),
            }))),
            _ => Err(ApiError::internal("opening a link", &"unknown outcome")),
        }
    }

    /// Enters the one-time code of a link; grants access and sets the session
    /// cookie.
    #[oai(path = "/links/:slug/:id/:secret/code", method = "post")]
    async fn code(
        &self,
        req: &Request,
        slug: Path<String>,
        id: Path<String>,
        secret: Path<String>,
        body: Json<CodeBody>,
    ) -> Result<OpenResponse, ApiError> {
        let (state, request) = link_request(req, &slug.0, &id.0, &secret.0).await?;
        let tenant = request.tenant;
        let challenge: ChallengeId = body.0.challenge.parse().map_err(|_| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_code",
                "the code has expired; open the link again for a new one",
            )
            .field("challenge")
        })?;
        let access = state
            .handover_links()
            .verify_code(request, challenge, &body.0.code)
            .await?;
        grant(&state, tenant, &access).await
    }

    /// What the holder sees: the readable sections only.
    #[oai(path = "/handover", method = "get")]
    async fn view(
        &self,
        req: &Request,
        holder: LinkHolder,
    ) -> Result<Json<LinkHandoverView>, ApiError> {
        let state = super::auth::state(req)?;
        let access = state
            .handover_work()
            .view(holder.tenant, holder.handover)
            .await?;
        Ok(Json(LinkHandoverView::of(&access)))
    }

    /// Saves sections the matrix lets the holder write; if any named section
    /// is not writable, nothing is saved (`403 section_not_writable`).
    #[oai(path = "/handover/sections", method = "put")]
    async fn save(
        &self,
        req: &Request,
        holder: LinkHolder,
        body: Json<HolderSections>,
    ) -> Result<Json<LinkHandoverView>, ApiError> {
        let state = super::auth::state(req)?;
        let inputs = section_inputs(body.0.sections)?;
        let access = state
            .handover_work()
            .save(holder.tenant, holder.handover, inputs, holder.ip)
            .await?;
        Ok(Json(LinkHandoverView::of(&access)))
    }

    /// The reference as PDF, if the handover allows downloading it.
    #[oai(path = "/handover/document", method = "get")]
    async fn document(&self, req: &Request, holder: LinkHolder) -> Result<PdfResponse, ApiError> {
        let state = super::auth::state(req)?;
        let (letter, formatting) = state
            .handover_work()
            .document(holder.tenant, holder.handover, holder.ip)
            .await?;
        let bytes = state.render(letter, formatting).await?;
        Ok(PdfResponse::new(bytes, "zeugnis"))
    }

    /// Marks the work as finished: HR sees it, and the link stops working.
    #[oai(path = "/handover/finish", method = "post")]
    async fn finish(&self, req: &Request, holder: LinkHolder) -> Result<Finished, ApiError> {
        let state = super::auth::state(req)?;
        state
            .handover_work()
            .finish(holder.tenant, holder.handover, holder.ip)
            .await?;
        Ok(Finished::Done(clear_handover_cookie(state.cookies)))
    }
}
