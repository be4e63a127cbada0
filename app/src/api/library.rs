//! The organisation's phrase library and reference formatting, each part under
//! its area. The shapes are those of `core/data/phrases-de.json` (the German
//! defaults every organisation starts with); see `docs/phrases.md`.

use poem::Request;
use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};
use zeugnis_core::document::LetterFormatting;
use zeugnis_core::ports::Version;
use zeugnis_core::services::library::LibraryPart;

use super::auth::Caller;
use super::error::ApiError;

#[derive(Tags)]
enum Tag {
    /// Phrase library and reference formatting (areas Letter texts, Job
    /// profiles, Qualifications, Reference formatting).
    Library,
}

/// A versioned document.
#[derive(Debug, Object)]
pub(crate) struct Versioned {
    /// Version: send it back when saving (0: the defaults, never saved).
    version: u64,
    /// The content.
    data: serde_json::Value,
}

fn parse<T: serde::de::DeserializeOwned>(
    field: &str,
    value: serde_json::Value,
) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!("{field}: {e}"),
        )
        .field(field)
    })
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::internal("serialising failed", &e))
}

/// The library endpoints.
pub(crate) struct LibraryApi;

#[OpenApi(prefix_path = "/", tag = "Tag::Library")]
impl LibraryApi {
    /// The phrase library: `letter_texts`, `job_profiles`, `qualifications`
    /// (read access to one of their areas, or to Employees).
    #[oai(path = "/library", method = "get")]
    async fn phrases(&self, req: &Request, caller: Caller) -> Result<Json<Versioned>, ApiError> {
        let state = super::auth::state(req)?;
        let v = state.library().phrases(&caller.actor).await?;
        Ok(Json(Versioned {
            version: v.version.0,
            data: json(&v.value)?,
        }))
    }

    /// Replaces the letter texts (area Letter texts, read+write).
    #[oai(path = "/library/letter-texts", method = "put")]
    async fn letter_texts(
        &self,
        req: &Request,
        caller: Caller,
        body: Json<Versioned>,
    ) -> Result<Json<Versioned>, ApiError> {
        let part = LibraryPart::LetterTexts(Box::new(parse("data", body.0.data)?));
        save(req, &caller, part, body.0.version).await
    }

    /// Replaces the job profiles (area Job profiles, read+write).
    #[oai(path = "/library/job-profiles", method = "put")]
    async fn job_profiles(
        &self,
        req: &Request,
        caller: Caller,
        body: Json<Versioned>,
    ) -> Result<Json<Versioned>, ApiError> {
        let part = LibraryPart::JobProfiles(parse("data", body.0.data)?);
        save(req, &caller, part, body.0.version).await
    }

    /// Replaces the qualifications (area Qualifications, read+write).
    #[oai(path = "/library/qualifications", method = "put")]
    async fn qualifications(
        &self,
        req: &Request,
        caller: Caller,
        body: Json<Versioned>,
    ) -> Result<Json<Versioned>, ApiError> {
        let part = LibraryPart::Qualifications(parse("data", body.0.data)?);
        save(req, &caller, part, body.0.version).await
    }

    /// The reference formatting (area Reference formatting or Employees, read).
    #[oai(path = "/library/formatting", method = "get")]
    async fn formatting(&self, req: &Request, caller: Caller) -> Result<Json<Versioned>, ApiError> {
        let state = super::auth::state(req)?;
        let v = state.library().formatting(&caller.actor).await?;
        Ok(Json(Versioned {
            version: v.version.0,
            data: json(&v.value)?,
        }))
    }

    /// Saves the reference formatting (area Reference formatting, read+write):
    /// letterhead lines, logo (base64 PNG, JPEG or SVG, up to 1 MiB), typeface,
    /// font size, margins, footer.
    #[oai(path = "/library/formatting", method = "put")]
    async fn save_formatting(
        &self,
        req: &Request,
        caller: Caller,
        body: Json<Versioned>,
    ) -> Result<Json<Versioned>, ApiError> {
        let state = super::auth::state(req)?;
        let formatting: LetterFormatting = parse("data", body.0.data)?;
        let v = state
            .library()
            .save_formatting(
                &caller.actor,
                formatting,
                Version(body.0.version),
                caller.ip,
            )
            .await?;
        Ok(Json(Versioned {
            version: v.version.0,
            data: json(&v.value)?,
        }))
    }
}

async fn save(
    req: &Request,
    caller: &Caller,
    part: LibraryPart,
    version: u64,
) -> Result<Json<Versioned>, ApiError> {
    let state = super::auth::state(req)?;
    let v = state
        .library()
        .save_phrases(&caller.actor, part, Version(version), caller.ip)
        .await?;
    Ok(Json(Versioned {
        version: v.version.0,
        data: json(&v.value)?,
    }))
}
