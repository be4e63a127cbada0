//! The security audit log for Administrators: list with filters, CSV export.

use std::str::FromStr as _;

use poem::Request;
use poem::http::StatusCode;
use poem_openapi::param::Query;
use poem_openapi::payload::{Attachment, AttachmentType, Json};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use time::format_description::well_known::Rfc3339;
use zeugnis_core::audit::{AuditAction, AuditEntry, AuditEvent};
use zeugnis_core::id::UserId;
use zeugnis_core::ports::{AuditQuery, Cursor, PageRequest};
use zeugnis_core::values::Timestamp;

use super::auth::Caller;
use super::error::ApiError;
use super::timestamp;

#[derive(Tags)]
enum Tag {
    /// The security audit log (Administrators).
    Audit,
}

/// One changed field.
#[derive(Debug, Object)]
pub(crate) struct ChangeView {
    /// Which field.
    field: String,
    /// Its value before.
    #[oai(skip_serializing_if_is_none)]
    before: Option<String>,
    /// Its value after.
    #[oai(skip_serializing_if_is_none)]
    after: Option<String>,
}

/// An audit entry.
#[derive(Debug, Object)]
pub(crate) struct AuditEntryView {
    /// Position in the organisation's chain.
    seq: u64,
    /// When (UTC).
    at: String,
    /// Who: `user:<id>`, `support:<id>`, `operator:<id>`, `handover:<id>`,
    /// `system` or `anonymous`.
    actor: String,
    /// The user support acted for.
    #[oai(skip_serializing_if_is_none)]
    on_behalf_of: Option<String>,
    /// The client's address.
    #[oai(skip_serializing_if_is_none)]
    source_ip: Option<String>,
    /// What happened, e.g. `login_failed`.
    action: String,
    /// About what: `user:<id>`, `role:<id>`, … (empty: nothing in particular).
    target: String,
    /// What changed.
    #[oai(skip_serializing_if_is_empty, default)]
    changes: Vec<ChangeView>,
    /// More about it, e.g. why a login failed.
    #[oai(skip_serializing_if_is_none)]
    detail: Option<String>,
}

impl AuditEntryView {
    fn of(e: &AuditEntry) -> Self {
        let ev: &AuditEvent = &e.event;
        Self {
            seq: e.seq,
            at: timestamp(ev.at),
            actor: ev.actor.label(),
            on_behalf_of: ev.on_behalf_of.map(|u| u.to_string()),
            source_ip: ev.source_ip.map(|ip| ip.to_string()),
            action: ev.action.key().to_owned(),
            target: ev.target.label(),
            changes: ev
                .changes
                .iter()
                .map(|c| ChangeView {
                    field: c.field.as_str().to_owned(),
                    before: c.before.as_ref().map(|v| v.as_str().to_owned()),
                    after: c.after.as_ref().map(|v| v.as_str().to_owned()),
                })
                .collect(),
            detail: ev.detail.as_ref().map(|d| d.as_str().to_owned()),
        }
    }
}

/// A page of audit entries, newest first.
#[derive(Debug, Object)]
pub(crate) struct AuditPage {
    /// The entries.
    items: Vec<AuditEntryView>,
    /// Pass as `after` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next: Option<String>,
}

#[derive(ApiResponse)]
enum CsvResponse {
    /// The entries as CSV (UTF-8 with BOM, for spreadsheets), newest first.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Csv(Attachment<Vec<u8>>),
}

fn instant(field: &str, raw: Option<&str>) -> Result<Option<Timestamp>, ApiError> {
    raw.map(|r| {
        time::OffsetDateTime::parse(r, &Rfc3339)
            .map(|t| t.to_utc())
            .map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_value",
                    format!("{field} must be a time like 2026-12-01T08:00:00Z"),
                )
                .field(field)
            })
    })
    .transpose()
}

fn query(
    user: Option<&str>,
    action: Option<&str>,
    from: Option<&str>,
    until: Option<&str>,
) -> Result<AuditQuery, ApiError> {
    Ok(AuditQuery {
        from: instant("from", from)?,
        until: instant("until", until)?,
        action: action
            .map(|a| {
                AuditAction::ALL
                    .iter()
                    .copied()
                    .find(|x| x.key() == a)
                    .ok_or_else(|| {
                        ApiError::new(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "invalid_value",
                            format!("there is no audit action \"{a}\""),
                        )
                        .field("action")
                    })
            })
            .transpose()?,
        user: user
            .map(|u| {
                UserId::from_str(u).map_err(|_| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_value",
                        "not a user id",
                    )
                    .field("user")
                })
            })
            .transpose()?,
    })
}

/// The audit endpoints.
pub(crate) struct AuditApi;

#[OpenApi(prefix_path = "/", tag = "Tag::Audit")]
impl AuditApi {
    /// The organisation's audit log, newest first (Administrators).
    #[oai(path = "/audit", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one parameter per filter")]
    async fn list(
        &self,
        req: &Request,
        caller: Caller,
        /// Only entries by or about this user (id).
        user: Query<Option<String>>,
        /// Only this action, e.g. `login_failed`.
        action: Query<Option<String>>,
        /// From this time on (RFC 3339).
        from: Query<Option<String>>,
        /// Before this time (RFC 3339).
        until: Query<Option<String>>,
        /// Continue after this position (from `next`).
        after: Query<Option<String>>,
        /// Page size, 1 to 500.
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u16>>,
    ) -> Result<Json<AuditPage>, ApiError> {
        let state = super::auth::state(req)?;
        let q = query(
            user.as_deref(),
            action.as_deref(),
            from.as_deref(),
            until.as_deref(),
        )?;
        let page = state
            .audit()
            .list(
                &caller.actor,
                &q,
                PageRequest::new(after.0.map(Cursor), limit.0.unwrap_or(100)),
            )
            .await?;
        Ok(Json(AuditPage {
            items: page.items.iter().map(AuditEntryView::of).collect(),
            next: page.next.map(|c| c.0),
        }))
    }

    /// The audit log as CSV for spreadsheets (Administrators): UTF-8 with BOM,
    /// cells a spreadsheet would run as formulas neutralised. The export itself
    /// is audited.
    #[oai(path = "/audit/export", method = "get")]
    async fn export(
        &self,
        req: &Request,
        caller: Caller,
        /// Only entries by or about this user (id).
        user: Query<Option<String>>,
        /// Only this action.
        action: Query<Option<String>>,
        /// From this time on (RFC 3339).
        from: Query<Option<String>>,
        /// Before this time (RFC 3339).
        until: Query<Option<String>>,
    ) -> Result<CsvResponse, ApiError> {
        let state = super::auth::state(req)?;
        let q = query(
            user.as_deref(),
            action.as_deref(),
            from.as_deref(),
            until.as_deref(),
        )?;
        let out = state
            .audit()
            .export_csv(&caller.actor, &q, caller.ip)
            .await?;
        let day = state.clock.now().date();
        Ok(CsvResponse::Csv(
            Attachment::new(out)
                .attachment_type(AttachmentType::Attachment)
                .filename(format!("audit-{day}.csv")),
        ))
    }
}
