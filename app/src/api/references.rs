//! References as HR works on them (area Employees; scope and private flag
//! apply to every endpoint): the overview, create, sections, workflow,
//! generate, check, history, the PDF, handovers.

use std::collections::BTreeMap;
use std::str::FromStr as _;

use poem::Request;
use poem::http::StatusCode;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use zeugnis_core::handover::{Handover, LinkCheckChoice, LinkState, Recipient};
use zeugnis_core::id::ReferenceId;
use zeugnis_core::matrix::{PermissionMatrix, SectionAccess};
use zeugnis_core::ports::{Cursor, PageRequest, ReferenceQuery, Version};
use zeugnis_core::reference::form::Form;
use zeugnis_core::reference::{
    ChangeLogEntry, Reference, ReferenceContent, ReferenceKind, ReferenceStatus, Section,
    SectionContent, StatusActor,
};
use zeugnis_core::services::handover::HandoverInput;
use zeugnis_core::services::references::{
    GenerateOutcome, HandoverSummary, Holder, NewReference, OverviewLine,
    ReferenceView as CoreView, SectionInput,
};
use zeugnis_core::settings::CodeChannel;
use zeugnis_core::token::HandoverId;
use zeugnis_core::values::{Email, Name, Phone};

use super::Done;
use super::auth::Caller;
use super::employees::{employee_id, key_of, parse_key};
use super::error::ApiError;
use super::timestamp;

#[derive(Tags)]
enum Tag {
    /// References and their handovers (area Employees; scope and private flag
    /// apply).
    References,
}

/// A section's content as JSON: text for free-text sections, a list of lines
/// for list sections, an object for the structured ones.
pub(crate) fn section_json(section: Section, content: &SectionContent) -> serde_json::Value {
    Form::parse(section, content).map_or_else(
        |_| serde_json::Value::String(content.as_str().to_owned()),
        |f| f.to_json(),
    )
}

/// Every section present, as JSON by section key.
pub(crate) fn sections_json(content: &ReferenceContent) -> BTreeMap<String, serde_json::Value> {
    content
        .iter()
        .map(|(s, c)| (s.key().to_owned(), section_json(s, c)))
        .collect()
}

/// Section inputs by key.
pub(crate) fn section_inputs(
    sections: BTreeMap<String, serde_json::Value>,
) -> Result<Vec<SectionInput>, ApiError> {
    sections
        .into_iter()
        .map(|(key, value)| {
            let section = Section::from_key(&key).ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unknown_section",
                    format!("there is no section \"{key}\""),
                )
                .field("sections")
            })?;
            Ok((section, value))
        })
        .collect()
}

/// A reference.
#[derive(Debug, Object)]
pub(crate) struct ReferenceView {
    /// Id.
    id: String,
    /// The employee.
    employee_id: String,
    /// `interim` or `final`.
    kind: String,
    /// Workflow status.
    status: String,
    /// Since when.
    status_since: String,
    /// Visible only to its creator and Administrator scopes.
    private: bool,
    /// Creator's user id.
    created_by: String,
    /// Created.
    created_at: String,
    /// Last changed: its sections, signatories or status.
    changed_at: String,
    /// Version: send it back when saving sections.
    version: u64,
    /// Signing employees' ids.
    signatories: Vec<String>,
    /// Content by section key.
    sections: BTreeMap<String, serde_json::Value>,
}

impl ReferenceView {
    fn of(v: &CoreView) -> Self {
        let r: &Reference = &v.reference;
        Self {
            id: r.id.to_string(),
            employee_id: r.employee.to_string(),
            kind: r.kind.key().to_owned(),
            status: r.status.key().to_owned(),
            status_since: timestamp(r.status_since),
            private: r.private,
            created_by: r.created_by.to_string(),
            created_at: timestamp(r.created_at),
            changed_at: timestamp(r.changed_at),
            version: v.version.0,
            signatories: r.signatories.iter().map(ToString::to_string).collect(),
            sections: sections_json(&r.content),
        }
    }
}

/// A new reference.
#[derive(Debug, Object)]
pub(crate) struct NewReferenceBody {
    /// The employee.
    employee_id: String,
    /// `interim` or `final`.
    kind: String,
    /// Visible only to you and Administrator scopes.
    #[oai(default)]
    private: bool,
}

/// Who holds a reference.
#[derive(Debug, Object)]
pub(crate) struct HolderView {
    /// `hr` or `recipient` (of an active handover).
    kind: String,
    /// The recipient's name.
    #[oai(skip_serializing_if_is_none)]
    name: Option<String>,
    /// Since when they hold it.
    #[oai(skip_serializing_if_is_none)]
    since: Option<String>,
}

/// A line of the overview.
#[derive(Debug, Object)]
pub(crate) struct OverviewItem {
    /// Id.
    id: String,
    /// The employee.
    employee_id: String,
    /// The employee's name.
    #[oai(skip_serializing_if_is_none)]
    employee_name: Option<String>,
    /// `interim` or `final`.
    kind: String,
    /// Workflow status.
    status: String,
    /// The status in German.
    status_label: String,
    /// Since when.
    status_since: String,
    /// Seconds in this status.
    waiting_seconds: i64,
    /// Who holds it.
    holder: HolderView,
    /// Private.
    private: bool,
    /// Created.
    created_at: String,
    /// Last changed: its sections, signatories or status.
    changed_at: String,
}

impl OverviewItem {
    fn of(l: &OverviewLine) -> Self {
        let s = &l.summary;
        Self {
            id: s.id.to_string(),
            employee_id: s.employee.to_string(),
            employee_name: l.employee_name.clone(),
            kind: s.kind.key().to_owned(),
            status: s.status.key().to_owned(),
            status_label: s.status.label_de().to_owned(),
            status_since: timestamp(s.status_since),
            waiting_seconds: l.waiting_seconds,
            holder: match &l.holder {
                Holder::Recipient { name, since, .. } => HolderView {
                    kind: "recipient".into(),
                    name: Some(name.as_str().to_owned()),
                    since: Some(timestamp(*since)),
                },
                _ => HolderView {
                    kind: "hr".into(),
                    name: None,
                    since: None,
                },
            },
            private: s.private,
            created_at: timestamp(s.created_at),
            changed_at: timestamp(s.changed_at),
        }
    }
}

/// A page of the overview.
#[derive(Debug, Object)]
pub(crate) struct OverviewPage {
    /// References, newest first.
    items: Vec<OverviewItem>,
    /// Pass as `after` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next: Option<String>,
}

/// A count.
#[derive(Debug, Object)]
pub(crate) struct CountView {
    /// How many.
    count: u64,
}

/// Sections to save.
#[derive(Debug, Object)]
pub(crate) struct SectionsBody {
    /// The version read (optional; with it a concurrent change is refused).
    version: Option<u64>,
    /// Content by section key (only the sections to change).
    sections: BTreeMap<String, serde_json::Value>,
}

/// A status change.
#[derive(Debug, Object)]
pub(crate) struct StatusBody {
    /// The new status: `draft`, `in_approval`, `approved`, `completed`,
    /// `archived` (`with_supervisor` only by handing over).
    status: String,
}

/// Options of text generation.
#[derive(Debug, Object)]
pub(crate) struct GenerateBody {
    /// Replace a text edited by hand.
    #[oai(default)]
    force: bool,
}

/// A line of a sentence-by-sentence comparison.
#[derive(Debug, Object)]
pub(crate) struct DiffItem {
    /// `same`, `removed` (only in the current text) or `added` (only in the
    /// proposal).
    op: String,
    /// The sentence.
    sentence: String,
}

/// What generation did.
#[derive(Debug, Object)]
pub(crate) struct GenerateView {
    /// `written`, `unchanged`, or `kept` (the text was edited by hand and kept;
    /// see `proposed` and `diff`, and send `force: true` to replace it).
    outcome: String,
    /// The text written.
    #[oai(skip_serializing_if_is_none)]
    text: Option<String>,
    /// The proposed text (outcome `kept`).
    #[oai(skip_serializing_if_is_none)]
    proposed: Option<String>,
    /// Current against proposed (outcome `kept`).
    #[oai(skip_serializing_if_is_empty, default)]
    diff: Vec<DiffItem>,
}

/// A finding of the reference check.
#[derive(Debug, Object)]
pub(crate) struct FindingView {
    /// What kind.
    kind: String,
    /// The sentence concerned.
    #[oai(skip_serializing_if_is_none)]
    sentence: Option<String>,
    /// Why it matters, in German.
    explanation: String,
}

/// Who acted.
#[derive(Debug, Object)]
pub(crate) struct ActorView {
    /// `user`, `handover` or `system`.
    kind: String,
    /// The user's or handover's id.
    #[oai(skip_serializing_if_is_none)]
    id: Option<String>,
}

fn actor_view(a: &StatusActor) -> ActorView {
    match a {
        StatusActor::User(u) => ActorView {
            kind: "user".into(),
            id: Some(u.to_string()),
        },
        StatusActor::Handover(h) => ActorView {
            kind: "handover".into(),
            id: Some(h.to_string()),
        },
        _ => ActorView {
            kind: "system".into(),
            id: None,
        },
    }
}

/// A status change.
#[derive(Debug, Object)]
pub(crate) struct StatusChangeView {
    /// From.
    from: String,
    /// To.
    to: String,
    /// By.
    by: ActorView,
    /// When.
    at: String,
}

/// A change-log entry.
#[derive(Debug, Object)]
pub(crate) struct SectionChangeView {
    /// The section.
    section: String,
    /// The editor's name.
    editor: String,
    /// Who.
    by: ActorView,
    /// When.
    at: String,
    /// Content before.
    #[oai(skip_serializing_if_is_none)]
    before: Option<serde_json::Value>,
    /// Content after.
    #[oai(skip_serializing_if_is_none)]
    after: Option<serde_json::Value>,
}

impl SectionChangeView {
    fn of(c: &ChangeLogEntry) -> Self {
        Self {
            section: c.section.key().to_owned(),
            editor: c.editor.as_str().to_owned(),
            by: actor_view(&c.by),
            at: timestamp(c.at),
            before: c.before.as_ref().map(|b| section_json(c.section, b)),
            after: c.after.as_ref().map(|a| section_json(c.section, a)),
        }
    }
}

/// A handover as HR sees it.
#[derive(Debug, Object)]
pub(crate) struct HandoverView {
    /// Id (the public half of the link).
    id: String,
    /// The reference.
    reference_id: String,
    /// Recipient's name.
    recipient_name: String,
    /// Recipient's e-mail address.
    recipient_email: String,
    /// Recipient's phone.
    #[oai(skip_serializing_if_is_none)]
    recipient_phone: Option<String>,
    /// Access by section key: `read` or `write` (sections left out: none).
    sections: BTreeMap<String, String>,
    /// Download allowed.
    download: bool,
    /// One-time code channel: `email` or `sms` (absent: no code).
    #[oai(skip_serializing_if_is_none)]
    code_channel: Option<String>,
    /// `active`, `revoked`, `finished`, `expired` or `blocked`.
    state: String,
    /// Handed over.
    created_at: String,
    /// Link expiry.
    expires_at: String,
    /// Revoked at.
    #[oai(skip_serializing_if_is_none)]
    revoked_at: Option<String>,
    /// Finished by the recipient at.
    #[oai(skip_serializing_if_is_none)]
    finished_at: Option<String>,
}

fn state_key(s: LinkState) -> &'static str {
    match s {
        LinkState::Active => "active",
        LinkState::Revoked => "revoked",
        LinkState::Finished => "finished",
        LinkState::Expired => "expired",
        _ => "blocked",
    }
}

pub(crate) fn channel_key(c: CodeChannel) -> &'static str {
    match c {
        CodeChannel::Email => "email",
        _ => "sms",
    }
}

impl HandoverView {
    pub(crate) fn of(h: &Handover, state: LinkState) -> Self {
        Self {
            id: h.id.to_string(),
            reference_id: h.reference.to_string(),
            recipient_name: h.recipient.name.as_str().to_owned(),
            recipient_email: h.recipient.email.as_str().to_owned(),
            recipient_phone: h.recipient.phone.as_ref().map(|p| p.as_str().to_owned()),
            sections: h
                .matrix
                .iter()
                .filter(|(_, a)| a.can_read())
                .map(|(s, a)| {
                    (
                        s.key().to_owned(),
                        if a.can_write() { "write" } else { "read" }.to_owned(),
                    )
                })
                .collect(),
            download: h.matrix.may_download(),
            code_channel: h.code_channel.map(|c| channel_key(c).to_owned()),
            state: state_key(state).to_owned(),
            created_at: timestamp(h.created_at),
            expires_at: timestamp(h.expires_at),
            revoked_at: h.revoked_at.map(timestamp),
            finished_at: h.finished_at.map(timestamp),
        }
    }

    fn of_summary(s: &HandoverSummary) -> Self {
        Self::of(&s.handover, s.state)
    }
}

/// The traceable history.
#[derive(Debug, Object)]
pub(crate) struct HistoryView {
    /// Creator's user id.
    created_by: String,
    /// Created.
    created_at: String,
    /// Status changes, oldest first.
    statuses: Vec<StatusChangeView>,
    /// Handovers, newest first.
    handovers: Vec<HandoverView>,
    /// Changes (only with change tracking on), oldest first.
    changes: Vec<SectionChangeView>,
}

/// A handover to create.
#[derive(Debug, Object)]
pub(crate) struct HandoverBody {
    /// The recipient's name.
    recipient_name: String,
    /// The recipient's e-mail address (the link goes there).
    recipient_email: String,
    /// The recipient's phone in international format (for SMS codes).
    recipient_phone: Option<String>,
    /// Access by section key: `none`, `read` or `write`; sections left out are
    /// `none` (hidden).
    sections: BTreeMap<String, String>,
    /// Whether the recipient may download the PDF (needs read access to every
    /// printed section).
    #[oai(default)]
    download: bool,
    /// Days until the link expires (1–365; default: the organisation's
    /// setting, 30 days unless changed).
    expires_in_days: Option<u16>,
    /// One-time code on opening: `email`, `sms`, or absent for none (the
    /// privacy settings may make it mandatory anyway).
    code_channel: Option<String>,
}

impl HandoverBody {
    fn to_input(&self) -> Result<HandoverInput, ApiError> {
        let mut matrix = PermissionMatrix::none().with_download(self.download);
        for (key, level) in &self.sections {
            let section = Section::from_key(key).ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unknown_section",
                    format!("there is no section \"{key}\""),
                )
                .field("sections")
            })?;
            let access = match level.as_str() {
                "none" => SectionAccess::None,
                "read" => SectionAccess::Read,
                "write" => SectionAccess::Write,
                other => {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_value",
                        format!("\"{other}\" is not an access level: use none, read or write"),
                    )
                    .field("sections"));
                }
            };
            matrix.set(section, access);
        }
        let link_check = match self.code_channel.as_deref().map(str::trim) {
            None | Some("" | "none") => LinkCheckChoice::Off,
            Some("email") => LinkCheckChoice::On(CodeChannel::Email),
            Some("sms") => LinkCheckChoice::On(CodeChannel::Sms),
            Some(other) => {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_value",
                    format!("\"{other}\" is not a code channel: use email, sms or none"),
                )
                .field("code_channel"));
            }
        };
        Ok(HandoverInput {
            recipient: Recipient {
                name: Name::new(&self.recipient_name)
                    .map_err(|e| ApiError::invalid("recipient_name", &e))?,
                email: Email::parse(&self.recipient_email)
                    .map_err(|e| ApiError::invalid("recipient_email", &e))?,
                phone: self
                    .recipient_phone
                    .as_deref()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| Phone::parse(p).map_err(|e| ApiError::invalid("recipient_phone", &e)))
                    .transpose()?,
            },
            matrix,
            expires_in_days: self.expires_in_days,
            link_check,
        })
    }
}

#[derive(ApiResponse)]
enum CreatedReference {
    /// Created.
    #[oai(status = 201)]
    Created(Json<ReferenceView>),
}

#[derive(ApiResponse)]
enum CreatedHandover {
    /// Handed over: the link is on its way to the recipient.
    #[oai(status = 201)]
    Created(Json<HandoverView>),
}

/// A PDF download.
#[derive(ApiResponse)]
pub(crate) enum PdfResponse {
    /// The reference as PDF/A-2b.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

impl PdfResponse {
    pub(crate) fn new(bytes: Vec<u8>, name: &str) -> Self {
        PdfResponse::Pdf(
            Binary(bytes),
            format!("attachment; filename=\"{name}.pdf\""),
            "no-store".to_owned(),
        )
    }
}

fn reference_id(raw: &str) -> Result<ReferenceId, ApiError> {
    ReferenceId::from_str(raw).map_err(|_| ApiError::not_found())
}

pub(crate) fn handover_id(raw: &str) -> Result<HandoverId, ApiError> {
    HandoverId::from_str(raw).map_err(|_| ApiError::not_found())
}

const STATUSES: &str =
    "requested, draft, with_supervisor, in_approval, approved, completed, archived";

fn query(
    status: Option<&str>,
    kind: Option<&str>,
    employee: Option<&str>,
) -> Result<ReferenceQuery, ApiError> {
    Ok(ReferenceQuery {
        status: status
            .map(|s| parse_key::<ReferenceStatus>("status", s, STATUSES))
            .transpose()?,
        kind: kind
            .map(|k| parse_key::<ReferenceKind>("kind", k, "interim, final"))
            .transpose()?,
        employee: employee.map(employee_id).transpose()?,
        ..ReferenceQuery::default()
    })
}

/// The reference endpoints.
pub(crate) struct ReferenceApi;

#[OpenApi(prefix_path = "/", tag = "Tag::References")]
impl ReferenceApi {
    /// The overview of the references the caller may see, newest first: status,
    /// holder, waiting time (area Employees, read). With `q`, only references
    /// whose employee's name contains it (at most `limit`, no paging).
    #[oai(path = "/references", method = "get")]
    #[expect(clippy::too_many_arguments, reason = "one per query parameter")]
    async fn list(
        &self,
        req: &Request,
        caller: Caller,
        /// Only this status.
        status: Query<Option<String>>,
        /// Only this kind.
        kind: Query<Option<String>>,
        /// Only this employee.
        employee_id: Query<Option<String>>,
        /// Search the employee's name.
        q: Query<Option<String>>,
        /// Continue after this position (from `next`).
        after: Query<Option<String>>,
        /// Page size, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u16>>,
    ) -> Result<Json<OverviewPage>, ApiError> {
        let state = super::auth::state(req)?;
        let query = query(
            status.0.as_deref(),
            kind.0.as_deref(),
            employee_id.0.as_deref(),
        )?;
        let limit = limit.0.unwrap_or(50);
        if let Some(text) = q.0.as_deref() {
            let found = state
                .references()
                .search(&caller.actor, text, &query, limit)
                .await?;
            return Ok(Json(OverviewPage {
                items: found.iter().map(OverviewItem::of).collect(),
                next: None,
            }));
        }
        let page = state
            .references()
            .list(
                &caller.actor,
                &query,
                PageRequest::new(after.0.map(Cursor), limit),
            )
            .await?;
        Ok(Json(OverviewPage {
            items: page.items.iter().map(OverviewItem::of).collect(),
            next: page.next.map(|c| c.0),
        }))
    }

    /// How many references the caller may see (area Employees, read).
    #[oai(path = "/references/count", method = "get")]
    async fn count(
        &self,
        req: &Request,
        caller: Caller,
        /// Only this status.
        status: Query<Option<String>>,
        /// Only this kind.
        kind: Query<Option<String>>,
        /// Only this employee.
        employee_id: Query<Option<String>>,
    ) -> Result<Json<CountView>, ApiError> {
        let state = super::auth::state(req)?;
        let query = query(
            status.0.as_deref(),
            kind.0.as_deref(),
            employee_id.0.as_deref(),
        )?;
        let count = state.references().count(&caller.actor, &query).await?;
        Ok(Json(CountView { count }))
    }

    /// Creates a reference for an employee, prefilled from the employee record
    /// (area Employees, read+write).
    #[oai(path = "/references", method = "post")]
    async fn create(
        &self,
        req: &Request,
        caller: Caller,
        body: Json<NewReferenceBody>,
    ) -> Result<CreatedReference, ApiError> {
        let state = super::auth::state(req)?;
        let new = NewReference {
            employee: employee_id(&body.0.employee_id).map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unknown_employee",
                    "the employee does not exist",
                )
                .field("employee_id")
            })?,
            kind: parse_key("kind", &body.0.kind, "interim, final")?,
            private: body.0.private,
        };
        let view = state
            .references()
            .create(&caller.actor, new, caller.ip)
            .await?;
        Ok(CreatedReference::Created(Json(ReferenceView::of(&view))))
    }

    /// One reference with every section (area Employees, read).
    #[oai(path = "/references/:id", method = "get")]
    async fn get(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Json<ReferenceView>, ApiError> {
        let state = super::auth::state(req)?;
        let view = state
            .references()
            .get(&caller.actor, reference_id(&id.0)?)
            .await?;
        Ok(Json(ReferenceView::of(&view)))
    }

    /// Saves sections (area Employees, read+write): every section is checked
    /// first, and nothing is saved if one does not fit.
    #[oai(path = "/references/:id/sections", method = "put")]
    async fn sections(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
        body: Json<SectionsBody>,
    ) -> Result<Json<ReferenceView>, ApiError> {
        let state = super::auth::state(req)?;
        let inputs = section_inputs(body.0.sections)?;
        let view = state
            .references()
            .update_sections(
                &caller.actor,
                reference_id(&id.0)?,
                inputs,
                body.0.version.map(Version),
                caller.ip,
            )
            .await?;
        Ok(Json(ReferenceView::of(&view)))
    }

    /// Moves the reference to another status (area Employees, read+write).
    #[oai(path = "/references/:id/status", method = "post")]
    async fn status(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
        body: Json<StatusBody>,
    ) -> Result<Json<ReferenceView>, ApiError> {
        let state = super::auth::state(req)?;
        let to = parse_key("status", &body.0.status, STATUSES)?;
        let view = state
            .references()
            .change_status(&caller.actor, reference_id(&id.0)?, to, caller.ip)
            .await?;
        Ok(Json(ReferenceView::of(&view)))
    }

    /// Deletes the reference for good, with its change log and handovers
    /// (area Employees, read+write).
    #[oai(path = "/references/:id", method = "delete")]
    async fn delete(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        state
            .references()
            .delete(&caller.actor, reference_id(&id.0)?, caller.ip)
            .await?;
        Ok(Done::Done)
    }

    /// Generates the text (section `result`) from the other sections. A text
    /// edited by hand is kept unless `force` is set; the answer then shows what
    /// would change.
    #[oai(path = "/references/:id/generate", method = "post")]
    async fn generate(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
        body: Json<GenerateBody>,
    ) -> Result<Json<GenerateView>, ApiError> {
        use zeugnis_core::generator::DiffLine;
        let state = super::auth::state(req)?;
        let outcome = state
            .references()
            .generate(&caller.actor, reference_id(&id.0)?, body.0.force, caller.ip)
            .await?;
        let view = match outcome {
            GenerateOutcome::Written(text) => GenerateView {
                outcome: "written".into(),
                text: Some(text),
                proposed: None,
                diff: Vec::new(),
            },
            GenerateOutcome::Kept { proposed, diff } => GenerateView {
                outcome: "kept".into(),
                text: None,
                proposed: Some(proposed),
                diff: diff
                    .into_iter()
                    .map(|d| {
                        let (op, sentence) = match d {
                            DiffLine::Same(s) => ("same", s),
                            DiffLine::Removed(s) => ("removed", s),
                            DiffLine::Added(s) => ("added", s),
                        };
                        DiffItem {
                            op: op.into(),
                            sentence,
                        }
                    })
                    .collect(),
            },
            _ => GenerateView {
                outcome: "unchanged".into(),
                text: None,
                proposed: None,
                diff: Vec::new(),
            },
        };
        Ok(Json(view))
    }

    /// Checks the text for hidden negative signals (area Employees, read).
    #[oai(path = "/references/:id/check", method = "get")]
    async fn check(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Json<Vec<FindingView>>, ApiError> {
        let state = super::auth::state(req)?;
        let findings = state
            .references()
            .check(&caller.actor, reference_id(&id.0)?)
            .await?;
        Ok(Json(
            findings
                .into_iter()
                .map(|f| FindingView {
                    kind: key_of(&f.kind),
                    sentence: f.sentence,
                    explanation: f.explanation,
                })
                .collect(),
        ))
    }

    /// Status history, handovers and change log (area Employees, read).
    #[oai(path = "/references/:id/history", method = "get")]
    async fn history(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Json<HistoryView>, ApiError> {
        let state = super::auth::state(req)?;
        let id = reference_id(&id.0)?;
        let view = state.references().get(&caller.actor, id).await?;
        let h = state.references().history(&caller.actor, id).await?;
        Ok(Json(HistoryView {
            created_by: view.reference.created_by.to_string(),
            created_at: timestamp(view.reference.created_at),
            statuses: h
                .statuses
                .iter()
                .map(|s| StatusChangeView {
                    from: s.from.key().to_owned(),
                    to: s.to.key().to_owned(),
                    by: actor_view(&s.by),
                    at: timestamp(s.at),
                })
                .collect(),
            handovers: h.handovers.iter().map(HandoverView::of_summary).collect(),
            changes: h.changes.iter().map(SectionChangeView::of).collect(),
        }))
    }

    /// The reference as PDF/A-2b on the organisation's formatting (area
    /// Employees, read). Drafts are marked as such.
    #[oai(path = "/references/:id/document", method = "get")]
    async fn document(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<PdfResponse, ApiError> {
        let state = super::auth::state(req)?;
        let (letter, formatting) = state
            .references()
            .document(&caller.actor, reference_id(&id.0)?, caller.ip)
            .await?;
        let bytes = state.render(letter, formatting).await?;
        Ok(PdfResponse::new(bytes, "zeugnis"))
    }

    /// Hands the reference to a person by e-mailed link, with access per
    /// section (area Employees, read+write).
    #[oai(path = "/references/:id/handovers", method = "post")]
    async fn hand_over(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
        body: Json<HandoverBody>,
    ) -> Result<CreatedHandover, ApiError> {
        let state = super::auth::state(req)?;
        let input = body.0.to_input()?;
        let h = state
            .handovers()
            .hand_over(&caller.actor, reference_id(&id.0)?, input, caller.ip)
            .await?;
        Ok(CreatedHandover::Created(Json(HandoverView::of(
            &h,
            LinkState::Active,
        ))))
    }

    /// The handovers of a reference, newest first (area Employees, read).
    #[oai(path = "/references/:id/handovers", method = "get")]
    async fn handovers(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Json<Vec<HandoverView>>, ApiError> {
        let state = super::auth::state(req)?;
        let list = state
            .handovers()
            .handovers(&caller.actor, reference_id(&id.0)?)
            .await?;
        Ok(Json(list.iter().map(HandoverView::of_summary).collect()))
    }

    /// Revokes a handover: its link stops working at once (area Employees,
    /// read+write).
    #[oai(path = "/handovers/:id/revoke", method = "post")]
    async fn revoke(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Json<HandoverView>, ApiError> {
        let state = super::auth::state(req)?;
        let h = state
            .handovers()
            .revoke(&caller.actor, handover_id(&id.0)?, caller.ip)
            .await?;
        Ok(Json(HandoverView::of(&h, LinkState::Revoked)))
    }
}
