//! References as HR works on them: create for an employee, edit by section,
//! move through the workflow, generate and check the text, hand over to a
//! supervisor, revoke, delete, and the overview with status, holder and waiting
//! time.
//!
//! **Access.** References hang off employees: reading one needs read access to
//! the Employees area, changing one needs read+write. On top of that every call
//! passes the reference through the actor's [`VisibilityFilter`](crate::authz::VisibilityFilter): scope and
//! private flag. A reference the filter does not admit answers exactly like one
//! that does not exist ([`AccessError::NotFound`]), in lists, counts and search
//! too (the store applies the same filter in its query).
//!
//! **Content.** Each section is typed ([`Form`]); an update that does not fit a
//! section's shape is refused with the section and the reason, and nothing of
//! the update is saved. When the tenant switched change tracking on, every
//! changed section is logged with the editor's name and the content before and
//! after, in the same transaction as the change.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use crate::access::{AccessLevel, Area};
use crate::audit::{AuditAction, AuditTarget, FieldChange};
use crate::authz::{AccessError, Actor, Visible, WritableReference};
use crate::check::{CheckInput, Finding, check};
use crate::document::{Letter, LetterFormatting, SignatureLine};
use crate::employee::Employee;
use crate::generator::{self, DiffLine, GenerateError, Regeneration};
use crate::handover::{Handover, HandoverError, LinkState};
use crate::id::{EmployeeId, ReferenceId, TenantId};
use crate::matrix::MatrixError;
use crate::ports::{
    ChangeSet, Clock, EmployeeStore, HandoverStore, LibraryStore, LinkBuilder, Page, PageRequest,
    RandomSource, ReferenceQuery, ReferenceStore, ReferenceSummary, SettingsStore, StoreError,
    TenantStore, UnitOfWork, UserStore, Version, Write, random_bytes,
};
use crate::reference::form::{DataForm, Form, FormError, Forms, Line, PersonalForm, TasksForm};
use crate::reference::{
    ChangeLogEntry, ContentTooLong, Reference, ReferenceContent, ReferenceKind, ReferenceStatus,
    Section, SectionContent, StatusActor, StatusChange, TransitionError,
};
use crate::tenant::{Tenant, TenantError};
use crate::values::{Name, Timestamp};

use super::audit_by;

/// Why a request about employees or references was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReferenceError {
    /// The role does not allow it, or the thing does not exist for the actor.
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The organisation is read-only or deleted.
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// The input is invalid; `field` names the part (a section key, say).
    #[error("{message}")]
    Invalid {
        /// The part of the input, if one can be named.
        field: Option<String>,
        /// What is wrong, in words.
        message: String,
    },
    /// The employee a new reference should be about does not exist for the
    /// actor (also when it exists outside their scope).
    #[error("the employee does not exist")]
    UnknownEmployee,
    /// The employee's organisation lies outside the actor's reference scope.
    #[error("the employee's organisation lies outside your reference access scope")]
    OutsideScope,
    /// The employee is still named by a reference.
    #[error(
        "the employee is still named by a reference (as its subject or as a signatory); delete or change those references first"
    )]
    StillNamed,
    /// The workflow does not allow the status change.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The reference cannot be edited in its status.
    #[error("a reference with status {0} can no longer be edited; move it back to draft first")]
    NotEditable(ReferenceStatus),
    /// A write to sections the handover does not open for writing.
    #[error(transparent)]
    Matrix(#[from] MatrixError),
    /// The handover cannot be created or changed as asked.
    #[error(transparent)]
    Handover(#[from] HandoverError),
    /// The text cannot be generated yet.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// The reference has no text to print yet.
    #[error("the reference has no text yet (section result); generate or write it first")]
    NoText,
    /// Someone else changed the record meanwhile, or a value is taken.
    #[error("{0}")]
    Conflict(String),
    /// `after` is not a position the list handed out.
    #[error("after is not a position of this list; pass the next value of the previous page")]
    InvalidCursor,
    /// Storage failed; the message is for the log.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl crate::classify::Classify for ReferenceError {
    fn classify(&self) -> crate::classify::Classified {
        use crate::classify::{Classified, ErrorKind};
        let message = self.to_string();
        match self {
            Self::Access(a) => a.classify(),
            Self::Tenant(t) => crate::classify::read_only(t),
            Self::Invalid { field, .. } => {
                let class = Classified::new(ErrorKind::Invalid, "invalid_value", message);
                match field {
                    Some(f) => class.field(f.clone()),
                    None => class,
                }
            }
            Self::UnknownEmployee => {
                Classified::new(ErrorKind::Invalid, "unknown_employee", message)
                    .field("employee_id")
            }
            Self::InvalidCursor => crate::classify::invalid_cursor(),
            Self::OutsideScope => Classified::new(ErrorKind::Forbidden, "outside_scope", message),
            Self::StillNamed => {
                Classified::new(ErrorKind::Conflict, "employee_referenced", message)
            }
            Self::Transition(_) => {
                Classified::new(ErrorKind::Conflict, "invalid_transition", message).field("status")
            }
            Self::NotEditable(_) => Classified::new(ErrorKind::Conflict, "not_editable", message),
            Self::Matrix(m) => {
                let crate::matrix::MatrixError::NotWritable { sections } = m;
                Classified::new(ErrorKind::Forbidden, "section_not_writable", message)
                    .details(sections.iter().map(|s| s.key().to_owned()).collect())
            }
            Self::Handover(h) => h.classify(),
            Self::Generate(_) => Classified::new(ErrorKind::Invalid, "missing_data", message),
            Self::NoText => Classified::new(ErrorKind::Conflict, "no_text", message),
            Self::Conflict(_) => Classified::new(ErrorKind::Conflict, "conflict", message),
            Self::Unavailable(cause) => Classified::unavailable(cause),
        }
    }
}

impl ReferenceError {
    /// An invalid input.
    #[must_use]
    pub fn invalid(field: Option<&str>, message: impl Into<String>) -> Self {
        ReferenceError::Invalid {
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl From<StoreError> for ReferenceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound | StoreError::Gone => {
                ReferenceError::Access(AccessError::NotFound)
            }
            StoreError::Conflict { .. } => ReferenceError::Conflict(
                "the reference was changed by someone else meanwhile; reload and try again".into(),
            ),
            StoreError::PreconditionFailed(p) => ReferenceError::Conflict(p.to_string()),
            StoreError::InvalidCursor => ReferenceError::InvalidCursor,
            other => ReferenceError::Unavailable(other.to_string()),
        }
    }
}

impl From<FormError> for ReferenceError {
    fn from(e: FormError) -> Self {
        ReferenceError::invalid(Some(e.section.key()), e.to_string())
    }
}

/// A new reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewReference {
    /// The employee it is about.
    pub employee: EmployeeId,
    /// Interim or final.
    pub kind: ReferenceKind,
    /// Visible only to its creator and Administrator scopes.
    pub private: bool,
}

/// Who holds a reference now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// HR (the reference is not handed over).
    Hr,
    /// The recipient of an active handover.
    Recipient {
        /// The handover.
        handover: crate::token::HandoverId,
        /// Their name.
        name: Name,
        /// Since when they hold it.
        since: Timestamp,
    },
}

/// A line of the overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewLine {
    /// Status, kind, dates.
    pub summary: ReferenceSummary,
    /// The employee's name as "First Last" (absent when the record is gone).
    pub employee_name: Option<String>,
    /// Who holds the reference.
    pub holder: Holder,
    /// How long it has waited in its status, in whole seconds.
    pub waiting_seconds: i64,
}

/// A reference waiting on someone, as the overview shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The reference.
    pub line: OverviewLine,
    /// It has waited longer than the organisation's overdue mark.
    pub overdue: bool,
}

/// What the overview shows a user: the references they may see counted per
/// status, those waiting on someone (a supervisor holding a link, or an
/// approval), longest waiting first, and the user's own drafts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dashboard {
    /// Every status in workflow order with its count.
    pub counts: Vec<(ReferenceStatus, u64)>,
    /// Waiting on someone, longest first (at most [`Dashboard::LINES`] per status).
    pub waiting: Vec<Waiting>,
    /// Drafts the user created, newest first (at most [`Dashboard::LINES`]).
    pub my_drafts: Vec<OverviewLine>,
    /// The overdue mark in days.
    pub overdue_after_days: u16,
}

impl Dashboard {
    /// How many lines a list of the overview shows.
    pub const LINES: u16 = 50;
}

/// A reference as shown to a user who may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceView {
    /// The reference (checked by the visibility filter).
    pub reference: Visible<Reference>,
    /// Its version (name it when saving, to detect concurrent edits).
    pub version: crate::ports::Version,
}

/// What generating the text did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenerateOutcome {
    /// The text was written into section `result`.
    Written(String),
    /// The generated text equals the current one.
    Unchanged,
    /// The current text was edited by hand and kept; this is what regeneration
    /// would write (call again with `force` to replace the text).
    Kept {
        /// The proposed text.
        proposed: String,
        /// Sentence by sentence, current against proposed.
        diff: Vec<DiffLine>,
    },
}

/// A handover as HR sees it (no secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverSummary {
    /// The handover.
    pub handover: Handover,
    /// Its state now.
    pub state: LinkState,
}

/// The traceable history of a reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// Status changes, oldest first.
    pub statuses: Vec<StatusChange>,
    /// Handovers, newest first.
    pub handovers: Vec<HandoverSummary>,
    /// The change log, oldest first (empty unless change tracking is on).
    pub changes: Vec<ChangeLogEntry>,
    /// The names ("First Last") of the users the status history names.
    pub user_names: BTreeMap<crate::id::UserId, String>,
}

/// What the editor offers beside a reference's fields, from the tenant's
/// phrase library: job profiles and qualifications to pick, and the sentence
/// each grade produces for this person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct WritingAids {
    /// Job profiles: key and title.
    pub job_profiles: Vec<(String, String)>,
    /// Qualification labels.
    pub qualifications: Vec<String>,
    /// Per rated criterion, the sentence for grades 1 to 5 (empty while the
    /// reference has no personal data).
    pub ratings: BTreeMap<crate::reference::Criterion, [String; 5]>,
    /// Per conduct group, the sentence for grades 1 to 5.
    pub conduct: BTreeMap<crate::reference::ConductGroup, [String; 5]>,
}

/// A text for section `result`: the fingerprint the reference keeps of the
/// generator's last text, and how the audit log names the write.
struct ResultWrite {
    text: String,
    fingerprint: Option<[u8; 32]>,
    action: AuditAction,
}

/// One section of an update, as JSON of its form (a string for free-text
/// sections, a list of strings for list sections, an object for the others).
pub type SectionInput = (Section, serde_json::Value);

/// Reference use cases for users of the tenant.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
#[derive(Clone, Copy)]
pub struct ReferenceService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// Settings (change tracking, handover rules).
    pub settings: &'a dyn SettingsStore,
    /// Users (editor names).
    pub users: &'a dyn UserStore,
    /// Employees.
    pub employees: &'a dyn EmployeeStore,
    /// References.
    pub references: &'a dyn ReferenceStore,
    /// Handovers.
    pub handovers: &'a dyn HandoverStore,
    /// Phrase libraries and formatting.
    pub library: &'a dyn LibraryStore,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Randomness (ids, tokens).
    pub random: &'a dyn RandomSource,
    /// Absolute links for mails.
    pub links: &'a dyn LinkBuilder,
}

/// Parses section inputs into stored content, checking every one before
/// anything is applied.
///
/// # Errors
/// [`ReferenceError::Invalid`] naming the first section that does not fit.
pub fn parse_sections(
    inputs: Vec<SectionInput>,
) -> Result<BTreeMap<Section, (Form, SectionContent)>, ReferenceError> {
    let mut out = BTreeMap::new();
    for (section, value) in inputs {
        let form = Form::from_json(section, value)?;
        let content = form.to_content().map_err(|e: ContentTooLong| {
            ReferenceError::invalid(Some(section.key()), format!("section {section}: {e}"))
        })?;
        if out.insert(section, (form, content)).is_some() {
            return Err(ReferenceError::invalid(
                Some(section.key()),
                format!("section {section} is given twice"),
            ));
        }
    }
    Ok(out)
}

/// Who may be named as a signer by employee id.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SignerRule<'a> {
    /// HR: employees the writer may see (their visibility filter), and those
    /// the reference names already.
    Visible(&'a crate::authz::VisibilityFilter),
    /// A link holder, who sees no employee records: only those the reference
    /// names already (kept, reordered or removed); others sign by name alone.
    Kept,
}

/// Signers named by employee id must be employees the writer may name (see
/// [`SignerRule`]); an id the writer may not see is refused exactly like an id
/// that does not exist, so the answer tells nothing about it.
///
/// # Errors
/// [`ReferenceError::Invalid`] naming the `signatures` section.
pub(crate) async fn check_signers(
    employees: &dyn EmployeeStore,
    tenant: TenantId,
    rule: SignerRule<'_>,
    named_already: &[EmployeeId],
    parsed: &BTreeMap<Section, (Form, SectionContent)>,
) -> Result<(), ReferenceError> {
    let Some((Form::Signatures(signers), _)) = parsed.get(&Section::Signatures) else {
        return Ok(());
    };
    for id in signers.iter().filter_map(|s| s.employee) {
        if named_already.contains(&id) {
            continue;
        }
        let may_name = match rule {
            SignerRule::Kept => false,
            SignerRule::Visible(filter) => employees
                .employee(tenant, id)
                .await?
                .is_some_and(|e| filter.admits_employee(&e.value)),
        };
        if !may_name {
            return Err(ReferenceError::invalid(
                Some(Section::Signatures.key()),
                "a signer names an employee who does not exist or whom you may not name; choose an employee within your access, or give the signer's name alone",
            ));
        }
    }
    Ok(())
}

fn line(text: &str) -> Option<Line> {
    Line::new(text).ok().filter(|l| !l.as_str().is_empty())
}

/// The sections a new reference starts with, from the employee record.
fn prefill(employee: &Employee) -> Result<ReferenceContent, ReferenceError> {
    let p = &employee.personal;
    let e = &employee.employment;
    let mut forms: Vec<(Section, Form)> = vec![
        (
            Section::Data,
            Form::Data(DataForm {
                entry_date: e.entry_date,
                exit_date: e.exit_date,
                issue_reason: e.exit_reason,
            }),
        ),
        (
            Section::Personal,
            Form::Personal(PersonalForm {
                salutation: p.salutation,
                title: p.title.as_ref().and_then(|t| line(t.as_str())),
                first_name: line(p.first_name.as_str())
                    .ok_or_else(|| ReferenceError::invalid(Some("personal"), "no first name"))?,
                last_name: line(p.last_name.as_str())
                    .ok_or_else(|| ReferenceError::invalid(Some("personal"), "no last name"))?,
                birth_date: p.birth_date,
                birth_place: p.birth_place.as_ref().and_then(|b| line(b.as_str())),
            }),
        ),
    ];
    let position = e.job_descriptions.first().and_then(|j| line(j.as_str()));
    let department = employee
        .org
        .department
        .as_ref()
        .and_then(|d| line(d.as_str()));
    if position.is_some() || department.is_some() {
        forms.push((
            Section::Tasks,
            Form::Tasks(TasksForm {
                position,
                department,
                job_profile: None,
                items: Vec::new(),
            }),
        ));
    }
    let powers: Vec<Line> = e
        .powers_of_attorney
        .iter()
        .filter_map(|p| line(p.kind.as_str()))
        .collect();
    if !powers.is_empty() {
        forms.push((Section::Powers, Form::Lines(powers)));
    }
    let mut content = ReferenceContent::default();
    for (section, form) in forms {
        let c = form.to_content().map_err(|e| {
            ReferenceError::invalid(Some(section.key()), format!("section {section}: {e}"))
        })?;
        content.set(section, c);
    }
    Ok(content)
}

/// The letter a reference prints as.
///
/// # Errors
/// [`ReferenceError::NoText`] while section `result` is empty;
/// [`ReferenceError::Invalid`] when a section's content is unreadable.
pub fn letter_of(reference: &Reference, today: time::Date) -> Result<Letter, ReferenceError> {
    let forms = Forms::from_content(&reference.content)?;
    let paragraphs: Vec<String> = forms
        .result
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if paragraphs.is_empty() {
        return Err(ReferenceError::NoText);
    }
    let heading = forms
        .reference_data
        .heading
        .as_ref()
        .map(|h| h.as_str().to_owned())
        .unwrap_or_else(|| default_heading(reference.kind).to_owned());
    let date = forms
        .reference_data
        .date
        .or(match reference.kind {
            ReferenceKind::Final => forms.data.exit_date,
            ReferenceKind::Interim => None,
        })
        .unwrap_or(today);
    Ok(Letter {
        title: heading.clone(),
        heading,
        paragraphs,
        place: forms
            .reference_data
            .place
            .as_ref()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        date,
        signatures: forms
            .signatures
            .iter()
            .map(|s| SignatureLine {
                name: s.name.as_str().to_owned(),
                position: s.position.as_ref().map(|p| p.as_str().to_owned()),
            })
            .collect(),
        draft: !matches!(
            reference.status,
            ReferenceStatus::Approved | ReferenceStatus::Completed | ReferenceStatus::Archived
        ),
    })
}

/// "Arbeitszeugnis" or "Zwischenzeugnis".
#[must_use]
pub const fn default_heading(kind: ReferenceKind) -> &'static str {
    match kind {
        ReferenceKind::Interim => "Zwischenzeugnis",
        ReferenceKind::Final => "Arbeitszeugnis",
    }
}

/// Applies parsed sections to a reference: returns `(section, before, after)`
/// for each changed one, and keeps the signatories in step with the
/// `signatures` section.
pub(crate) fn apply_sections(
    reference: &mut Reference,
    parsed: BTreeMap<Section, (Form, SectionContent)>,
) -> Vec<(Section, Option<SectionContent>, SectionContent)> {
    let mut changed = Vec::new();
    for (section, (form, content)) in parsed {
        let before = reference.content.get(section).cloned();
        if before.as_ref() == Some(&content) {
            continue;
        }
        if let Form::Signatures(signers) = &form {
            reference.signatories = signatories_of(signers);
        }
        reference.content.set(section, content.clone());
        changed.push((section, before, content));
    }
    changed
}

/// Applies sections a link holder's matrix accepted: only an
/// [`AuthorizedUpdate`] (made by [`PermissionMatrix::authorize_update`] from
/// exactly this content) changes the reference. `forms` are the parsed
/// sections the update was made from (a changed signature list also sets the
/// reference's signatories).
pub(crate) fn apply_authorized(
    mut reference: Reference,
    update: crate::matrix::AuthorizedUpdate,
    forms: &BTreeMap<Section, (Form, SectionContent)>,
) -> (
    WritableReference,
    Vec<(Section, Option<SectionContent>, SectionContent)>,
) {
    if let Some((Form::Signatures(signers), content)) = forms.get(&Section::Signatures)
        && reference.content.get(Section::Signatures) != Some(content)
    {
        reference.signatories = signatories_of(signers);
    }
    crate::authz::holder_write(reference, update)
}

/// The employees a signature list names, once each, in order.
fn signatories_of(signers: &[crate::reference::form::Signer]) -> Vec<EmployeeId> {
    let mut seen = BTreeSet::new();
    signers
        .iter()
        .filter_map(|s| s.employee)
        .filter(|e| seen.insert(*e))
        .collect()
}

/// Change-log entries and the audit's field list for changed sections.
pub(crate) fn log_changes(
    reference: &Reference,
    changed: &[(Section, Option<SectionContent>, SectionContent)],
    tracking: bool,
    editor: &Name,
    by: &StatusActor,
    at: Timestamp,
) -> (Vec<Write>, Vec<FieldChange>) {
    let mut writes = Vec::new();
    let mut fields = Vec::new();
    for (section, before, after) in changed {
        fields.push(FieldChange::new(section.key(), None, None));
        if tracking {
            writes.push(Write::AppendChangeLog(ChangeLogEntry {
                tenant: reference.tenant,
                reference: reference.id,
                section: *section,
                editor: editor.clone(),
                by: by.clone(),
                at,
                before: before.clone(),
                after: Some(after.clone()),
            }));
        }
    }
    (writes, fields)
}

impl ReferenceService<'_> {
    pub(crate) async fn tenant(&self, actor: &Actor) -> Result<Tenant, ReferenceError> {
        let tenant = self
            .tenants
            .tenant(actor.tenant())
            .await?
            .ok_or(ReferenceError::Tenant(TenantError::Deleted))?;
        tenant.ensure_readable()?;
        Ok(tenant)
    }

    pub(crate) async fn readable(&self, actor: &Actor) -> Result<Tenant, ReferenceError> {
        actor.require(Area::Employees, AccessLevel::Read)?;
        self.tenant(actor).await
    }

    pub(crate) async fn writable(&self, actor: &Actor) -> Result<Tenant, ReferenceError> {
        actor.require(Area::Employees, AccessLevel::ReadWrite)?;
        let tenant = self.tenant(actor).await?;
        tenant.ensure_writable()?;
        Ok(tenant)
    }

    /// The reference if the actor may see it.
    pub(crate) async fn load(
        &self,
        actor: &Actor,
        id: ReferenceId,
    ) -> Result<(Visible<Reference>, crate::ports::Version), ReferenceError> {
        let stored = self
            .references
            .reference(actor.tenant(), id)
            .await?
            .ok_or(AccessError::NotFound)?;
        let visible = actor.visibility().admit(stored.value)?;
        Ok((visible, stored.version))
    }

    pub(crate) async fn editor_name(&self, actor: &Actor) -> Result<Name, ReferenceError> {
        let user = self
            .users
            .user(actor.tenant(), actor.user())
            .await?
            .ok_or(AccessError::NotFound)?;
        let full = format!(
            "{} {}",
            user.value.first_name.as_str(),
            user.value.last_name.as_str()
        );
        Ok(Name::new(&full).unwrap_or(user.value.last_name))
    }

    pub(crate) fn audit(
        actor: &Actor,
        at: Timestamp,
        action: AuditAction,
        reference: ReferenceId,
        ip: Option<IpAddr>,
    ) -> crate::audit::AuditEvent {
        let mut event = audit_by(actor, at, action).from_ip(ip);
        event.target = AuditTarget::Reference(reference);
        event
    }

    /// Creates a reference for an employee in the actor's scope, prefilled from
    /// the employee record (period, issue reason, personal data, position,
    /// powers of attorney).
    ///
    /// # Errors
    /// [`ReferenceError::UnknownEmployee`] when the employee does not exist for
    /// the actor.
    pub async fn create(
        &self,
        actor: &Actor,
        new: NewReference,
        source_ip: Option<IpAddr>,
    ) -> Result<ReferenceView, ReferenceError> {
        self.writable(actor).await?;
        let employee = match self.employees.employee(actor.tenant(), new.employee).await {
            Ok(Some(e)) => actor
                .visibility()
                .admit_employee(e.value)
                .map_err(|_| ReferenceError::UnknownEmployee)?,
            Ok(None) | Err(StoreError::NotFound | StoreError::Gone) => {
                return Err(ReferenceError::UnknownEmployee);
            }
            Err(other) => return Err(other.into()),
        }
        .into_inner();
        let now = self.clock.now();
        let reference = Reference {
            id: ReferenceId::from_random(random_bytes(self.random)),
            tenant: actor.tenant(),
            employee: employee.id,
            org: employee.org.clone(),
            kind: new.kind,
            language: crate::reference::Language::German,
            status: ReferenceStatus::Draft,
            status_since: now,
            changed_at: now,
            private: new.private,
            created_by: actor.user(),
            created_at: now,
            signatories: Vec::new(),
            content: prefill(&employee)?,
            generated: None,
        };
        let event = Self::audit(
            actor,
            now,
            AuditAction::ReferenceCreated,
            reference.id,
            source_ip,
        )
        .with_changes(vec![FieldChange::new("kind", None, Some(new.kind.key()))]);
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::InsertReference(reference.clone()))
            .push(Write::AppendAudit(event));
        // The employee was deleted meanwhile.
        self.uow.commit(cs).await.map_err(|e| match e {
            StoreError::NotFound | StoreError::Gone => ReferenceError::UnknownEmployee,
            other => other.into(),
        })?;
        self.get(actor, reference.id).await
    }

    /// One reference.
    ///
    /// # Errors
    /// [`AccessError::NotFound`] when it does not exist for the actor.
    pub async fn get(
        &self,
        actor: &Actor,
        id: ReferenceId,
    ) -> Result<ReferenceView, ReferenceError> {
        self.readable(actor).await?;
        let (reference, version) = self.load(actor, id).await?;
        Ok(ReferenceView { reference, version })
    }

    async fn overview_line(
        &self,
        actor: &Actor,
        summary: ReferenceSummary,
        now: Timestamp,
        names: &mut BTreeMap<EmployeeId, Option<String>>,
    ) -> Result<OverviewLine, ReferenceError> {
        let holder = if summary.status == ReferenceStatus::WithSupervisor {
            self.handovers
                .handovers_of(actor.tenant(), summary.id)
                .await?
                .into_iter()
                .find(|h| h.state(now) == LinkState::Active)
                .map_or(Holder::Hr, |h| Holder::Recipient {
                    handover: h.id,
                    name: h.recipient.name,
                    since: h.created_at,
                })
        } else {
            Holder::Hr
        };
        let employee_name = match names.get(&summary.employee) {
            Some(n) => n.clone(),
            None => {
                let n = match self
                    .employees
                    .employee(actor.tenant(), summary.employee)
                    .await
                {
                    Ok(Some(e)) if actor.visibility().admits_employee(&e.value) => Some(format!(
                        "{} {}",
                        e.value.personal.first_name.as_str(),
                        e.value.personal.last_name.as_str()
                    )),
                    Ok(_) | Err(StoreError::Gone) => None,
                    Err(e) => return Err(e.into()),
                };
                names.insert(summary.employee, n.clone());
                n
            }
        };
        let waiting_seconds = (now - summary.status_since).whole_seconds().max(0);
        Ok(OverviewLine {
            summary,
            employee_name,
            holder,
            waiting_seconds,
        })
    }

    /// The overview: the references the actor may see, newest first, with
    /// status, holder and waiting time.
    ///
    /// # Errors
    /// [`ReferenceError::Access`]; a cursor of another list is
    /// [`AccessError::NotFound`].
    pub async fn list(
        &self,
        actor: &Actor,
        query: &ReferenceQuery,
        page: PageRequest,
    ) -> Result<Page<OverviewLine>, ReferenceError> {
        self.readable(actor).await?;
        let found = self
            .references
            .references(&actor.visibility(), query, page)
            .await?;
        let now = self.clock.now();
        let mut names = BTreeMap::new();
        let mut items = Vec::with_capacity(found.items.len());
        for s in found.items {
            items.push(self.overview_line(actor, s, now, &mut names).await?);
        }
        Ok(Page {
            items,
            next: found.next,
        })
    }

    /// How many references the actor may see (with the filters).
    ///
    /// # Errors
    /// [`ReferenceError::Access`].
    pub async fn count(
        &self,
        actor: &Actor,
        query: &ReferenceQuery,
    ) -> Result<u64, ReferenceError> {
        self.readable(actor).await?;
        Ok(self.references.count(&actor.visibility(), query).await?)
    }

    /// The overview: counts per status, what waits on someone (overdue after
    /// the organisation's number of days), and the actor's own drafts — all
    /// within what the actor may see.
    ///
    /// # Errors
    /// [`ReferenceError::Access`].
    pub async fn dashboard(&self, actor: &Actor) -> Result<Dashboard, ReferenceError> {
        self.readable(actor).await?;
        let overdue_after = self
            .settings
            .settings(actor.tenant())
            .await?
            .value
            .working
            .overdue_after;
        let only = |status| ReferenceQuery {
            status: Some(status),
            ..ReferenceQuery::default()
        };
        let mut counts = Vec::with_capacity(ReferenceStatus::ALL.len());
        for status in ReferenceStatus::ALL {
            counts.push((status, self.count(actor, &only(status)).await?));
        }
        let mut waiting = Vec::new();
        for status in [ReferenceStatus::WithSupervisor, ReferenceStatus::InApproval] {
            let page = self
                .list(
                    actor,
                    &only(status),
                    PageRequest::new(None, Dashboard::LINES),
                )
                .await?;
            waiting.extend(page.items.into_iter().map(|line| Waiting {
                overdue: line.waiting_seconds >= overdue_after.duration().whole_seconds(),
                line,
            }));
        }
        waiting.sort_by_key(|w| std::cmp::Reverse(w.line.waiting_seconds));
        let mut my_drafts = Vec::new();
        let mut after = None;
        // Drafts are few; read pages until enough of the actor's own are found.
        loop {
            let page = self
                .list(
                    actor,
                    &only(ReferenceStatus::Draft),
                    PageRequest::new(after, PageRequest::MAX_LIMIT),
                )
                .await?;
            my_drafts.extend(
                page.items
                    .into_iter()
                    .filter(|l| l.summary.created_by == actor.user()),
            );
            match page.next {
                Some(next) if my_drafts.len() < usize::from(Dashboard::LINES) => after = Some(next),
                _ => break,
            }
        }
        my_drafts.truncate(usize::from(Dashboard::LINES));
        Ok(Dashboard {
            counts,
            waiting,
            my_drafts,
            overdue_after_days: overdue_after.days(),
        })
    }

    /// The references the actor may see whose employee's name contains `text`
    /// (case-insensitive), newest first, at most `limit`. Names are encrypted
    /// at rest, so the search reads the visible references' employees; it never
    /// looks at a reference the actor may not see.
    ///
    /// # Errors
    /// [`ReferenceError::Invalid`] for a search text under two characters.
    pub async fn search(
        &self,
        actor: &Actor,
        text: &str,
        query: &ReferenceQuery,
        limit: u16,
    ) -> Result<Vec<OverviewLine>, ReferenceError> {
        self.readable(actor).await?;
        let needle = text.trim().to_lowercase();
        if needle.chars().count() < 2 {
            return Err(ReferenceError::invalid(
                Some("q"),
                "the search text needs at least two characters",
            ));
        }
        let limit = usize::from(limit.clamp(1, PageRequest::MAX_LIMIT));
        let now = self.clock.now();
        let filter = actor.visibility();
        let mut names = BTreeMap::new();
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .references
                .references(
                    &filter,
                    query,
                    PageRequest::new(after, PageRequest::MAX_LIMIT),
                )
                .await?;
            for s in page.items {
                let line = self.overview_line(actor, s, now, &mut names).await?;
                if line
                    .employee_name
                    .as_ref()
                    .is_some_and(|n| n.to_lowercase().contains(&needle))
                {
                    out.push(line);
                    if out.len() >= limit {
                        return Ok(out);
                    }
                }
            }
            match page.next {
                Some(c) => after = Some(c),
                None => return Ok(out),
            }
        }
    }

    /// Saves sections. Every section is checked before anything is saved; the
    /// reference must be editable in its status. With `version`, the save is
    /// refused when the reference changed since.
    ///
    /// # Errors
    /// [`ReferenceError::Invalid`], [`ReferenceError::NotEditable`],
    /// [`ReferenceError::Conflict`], [`AccessError::NotFound`].
    pub async fn update_sections(
        &self,
        actor: &Actor,
        id: ReferenceId,
        sections: Vec<SectionInput>,
        version: Option<crate::ports::Version>,
        source_ip: Option<IpAddr>,
    ) -> Result<ReferenceView, ReferenceError> {
        self.writable(actor).await?;
        let (visible, stored_version) = self.load(actor, id).await?;
        if let Some(v) = version
            && v != stored_version
        {
            return Err(StoreError::Conflict {
                what: "version".into(),
            }
            .into());
        }
        let mut writable =
            visible.writable(actor.require(Area::Employees, AccessLevel::ReadWrite)?)?;
        let reference = writable.reference_mut();
        if !reference.status.is_editable() {
            return Err(ReferenceError::NotEditable(reference.status));
        }
        let parsed = parse_sections(sections)?;
        check_signers(
            self.employees,
            actor.tenant(),
            SignerRule::Visible(&actor.visibility()),
            &reference.signatories,
            &parsed,
        )
        .await?;
        let changed = apply_sections(reference, parsed);
        if changed.is_empty() {
            return self.get(actor, id).await;
        }
        let now = self.clock.now();
        let tracking = self
            .settings
            .settings(actor.tenant())
            .await?
            .value
            .privacy
            .change_tracking;
        let editor = self.editor_name(actor).await?;
        let (log, fields) = log_changes(
            reference,
            &changed,
            tracking,
            &editor,
            &StatusActor::User(actor.user()),
            now,
        );
        writable.reference_mut().changed_at = now;
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::UpdateReference(writable, stored_version));
        for w in log {
            cs.push(w);
        }
        cs.push(Write::AppendAudit(
            Self::audit(actor, now, AuditAction::ReferenceChanged, id, source_ip)
                .with_changes(fields),
        ));
        self.uow.commit(cs).await?;
        self.get(actor, id).await
    }

    /// Moves a reference to another status. A reference goes to
    /// `with_supervisor` only by handing it over; taking it back to `draft`
    /// revokes its active handovers.
    ///
    /// # Errors
    /// [`ReferenceError::Transition`] naming the allowed next statuses.
    pub async fn change_status(
        &self,
        actor: &Actor,
        id: ReferenceId,
        to: ReferenceStatus,
        source_ip: Option<IpAddr>,
    ) -> Result<ReferenceView, ReferenceError> {
        self.writable(actor).await?;
        let (visible, version) = self.load(actor, id).await?;
        let mut writable =
            visible.writable(actor.require(Area::Employees, AccessLevel::ReadWrite)?)?;
        let reference = writable.reference_mut();
        if to == ReferenceStatus::WithSupervisor {
            return Err(ReferenceError::invalid(
                Some("status"),
                "a reference goes to the supervisor by handing it over (POST …/handovers)",
            ));
        }
        let now = self.clock.now();
        let from = reference.status;
        from.transition_to(to)?;
        let mut cs = ChangeSet::new(actor.tenant());
        if from == ReferenceStatus::WithSupervisor {
            for mut h in self.handovers.handovers_of(actor.tenant(), id).await? {
                if h.state(now) != LinkState::Active {
                    continue;
                }
                let stored = self
                    .handovers
                    .handover(actor.tenant(), h.id)
                    .await?
                    .ok_or(AccessError::NotFound)?;
                h.revoke(now)?;
                let mut event =
                    audit_by(actor, now, AuditAction::HandoverRevoked).from_ip(source_ip);
                event.target = AuditTarget::Handover(h.id);
                cs.push(Write::UpdateHandover(h.clone(), stored.version))
                    .push(Write::DeleteSessionsOfHandover(h.id))
                    .push(Write::AppendAudit(event.with_detail("taken_back")));
            }
        }
        record_user_status_change(&mut cs, actor, writable, version, to, (now, source_ip))?;
        self.uow.commit(cs).await?;
        self.get(actor, id).await
    }

    /// Deletes a reference for real, with its change log, status history and
    /// handovers (and their sessions).
    ///
    /// # Errors
    /// [`AccessError::NotFound`].
    pub async fn delete(
        &self,
        actor: &Actor,
        id: ReferenceId,
        source_ip: Option<IpAddr>,
    ) -> Result<(), ReferenceError> {
        self.writable(actor).await?;
        self.load(actor, id).await?;
        let now = self.clock.now();
        let mut cs = ChangeSet::new(actor.tenant());
        for h in self.handovers.handovers_of(actor.tenant(), id).await? {
            cs.push(Write::DeleteSessionsOfHandover(h.id));
        }
        cs.push(Write::DeleteReference(id))
            .push(Write::AppendAudit(Self::audit(
                actor,
                now,
                AuditAction::ReferenceDeleted,
                id,
                source_ip,
            )));
        self.uow.commit(cs).await?;
        Ok(())
    }

    /// Generates the text (section `result`) from the other sections with the
    /// tenant's phrase library. A text edited by hand since the last generation
    /// is kept unless `force` is set; the outcome then shows what would change.
    ///
    /// # Errors
    /// [`ReferenceError::Generate`] when data the text needs is missing;
    /// [`ReferenceError::NotEditable`].
    pub async fn generate(
        &self,
        actor: &Actor,
        id: ReferenceId,
        force: bool,
        source_ip: Option<IpAddr>,
    ) -> Result<GenerateOutcome, ReferenceError> {
        let (writable, version, forms, generated) = self.proposal(actor, id).await?;
        let text = match generator::reconcile(
            &forms.result,
            writable.reference().generated,
            generated.text,
        ) {
            Regeneration::Unchanged => return Ok(GenerateOutcome::Unchanged),
            Regeneration::Conflict { proposed, diff } if !force => {
                return Ok(GenerateOutcome::Kept { proposed, diff });
            }
            Regeneration::Conflict { proposed, .. } | Regeneration::Replace(proposed) => proposed,
        };
        let fingerprint = Some(generator::fingerprint(&text));
        let write = ResultWrite {
            text: text.clone(),
            fingerprint,
            action: AuditAction::ReferenceGenerated,
        };
        self.write_result(actor, writable, version, write, source_ip)
            .await?;
        Ok(GenerateOutcome::Written(text))
    }

    /// Takes chosen changes of the generator's proposal into a text that was
    /// edited by hand: `accept` holds positions in the proposal's
    /// sentence-by-sentence difference ([`GenerateOutcome::Kept`]), as
    /// [`generator::merge`] reads them. `version` is the reference's version
    /// and `proposal` the [`generator::fingerprint`] of the proposed text the
    /// choice was made on; when either has changed since, nothing is written.
    /// Taking every change makes the text the generator's again (a later
    /// regeneration replaces it); taking some keeps it a hand-edited text.
    ///
    /// # Errors
    /// [`ReferenceError::Conflict`] when the reference or the proposal has
    /// changed since; [`ReferenceError::Generate`];
    /// [`ReferenceError::NotEditable`].
    pub async fn adopt(
        &self,
        actor: &Actor,
        id: ReferenceId,
        (version, proposal): (Version, [u8; 32]),
        accept: &BTreeSet<usize>,
        source_ip: Option<IpAddr>,
    ) -> Result<GenerateOutcome, ReferenceError> {
        let (writable, stored, forms, generated) = self.proposal(actor, id).await?;
        if stored != version || generator::fingerprint(&generated.text) != proposal {
            return Err(StoreError::Conflict {
                what: "version".into(),
            }
            .into());
        }
        let merged = generator::merge(&forms.result, &generated.text, accept);
        if merged.trim() == forms.result.trim() {
            return Ok(GenerateOutcome::Unchanged);
        }
        let complete = merged.trim() == generated.text.trim();
        let write = ResultWrite {
            text: merged.clone(),
            fingerprint: if complete {
                Some(generator::fingerprint(&merged))
            } else {
                writable.reference().generated
            },
            action: if complete {
                AuditAction::ReferenceGenerated
            } else {
                AuditAction::ReferenceChanged
            },
        };
        self.write_result(actor, writable, stored, write, source_ip)
            .await?;
        Ok(GenerateOutcome::Written(merged))
    }

    /// The reference to write, its version, its sections and what the
    /// generator writes for them now.
    async fn proposal(
        &self,
        actor: &Actor,
        id: ReferenceId,
    ) -> Result<(WritableReference, Version, Forms, generator::Generated), ReferenceError> {
        self.writable(actor).await?;
        let (visible, version) = self.load(actor, id).await?;
        let writable = visible.writable(actor.require(Area::Employees, AccessLevel::ReadWrite)?)?;
        let reference = writable.reference();
        if !reference.status.is_editable() {
            return Err(ReferenceError::NotEditable(reference.status));
        }
        let forms = Forms::from_content(&reference.content)?;
        let library = self.library.phrase_library(actor.tenant()).await?.value;
        let generated = generator::generate(reference.kind, &forms, &library)?;
        Ok((writable, version, forms, generated))
    }

    /// Writes section `result` with its change log and audit entry.
    async fn write_result(
        &self,
        actor: &Actor,
        mut writable: WritableReference,
        version: Version,
        write: ResultWrite,
        source_ip: Option<IpAddr>,
    ) -> Result<(), ReferenceError> {
        let content = Form::Text(write.text)
            .to_content()
            .map_err(|e| ReferenceError::invalid(Some(Section::Result.key()), e.to_string()))?;
        let reference = writable.reference_mut();
        let before = reference.content.get(Section::Result).cloned();
        reference.content.set(Section::Result, content.clone());
        reference.generated = write.fingerprint;
        let now = self.clock.now();
        let tracking = self
            .settings
            .settings(actor.tenant())
            .await?
            .value
            .privacy
            .change_tracking;
        let editor = self.editor_name(actor).await?;
        let (log, fields) = log_changes(
            reference,
            &[(Section::Result, before, content)],
            tracking,
            &editor,
            &StatusActor::User(actor.user()),
            now,
        );
        let id = reference.id;
        writable.reference_mut().changed_at = now;
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::UpdateReference(writable, version));
        for w in log {
            cs.push(w);
        }
        let mut event = Self::audit(actor, now, write.action, id, source_ip);
        if write.action == AuditAction::ReferenceChanged {
            event = event.with_changes(fields);
        }
        cs.push(Write::AppendAudit(event));
        self.uow.commit(cs).await?;
        Ok(())
    }

    /// What the editor offers for a reference the actor sees: the library's
    /// job profiles and qualifications, and the sentence each grade produces
    /// for the person the reference is about.
    ///
    /// # Errors
    /// [`ReferenceError::Access`]; an unreadable section.
    pub async fn writing_aids(
        &self,
        actor: &Actor,
        view: &ReferenceView,
    ) -> Result<WritingAids, ReferenceError> {
        self.readable(actor).await?;
        let library = self.library.phrase_library(actor.tenant()).await?.value;
        let forms = Forms::from_content(&view.reference.content)?;
        let mut aids = WritingAids {
            job_profiles: library
                .job_profiles
                .iter()
                .map(|p| (p.key.clone(), p.title.as_str().to_owned()))
                .collect(),
            qualifications: library
                .qualifications
                .iter()
                .map(|q| q.label.as_str().to_owned())
                .collect(),
            ..WritingAids::default()
        };
        if let Some(person) = &forms.personal {
            let kind = view.reference.kind;
            for c in crate::phrases::RATED_CRITERIA {
                if let Some(choices) = generator::rating_choices(kind, person, &library, c) {
                    aids.ratings.insert(c, choices);
                }
            }
            for g in [
                crate::reference::ConductGroup::Superiors,
                crate::reference::ConductGroup::Colleagues,
                crate::reference::ConductGroup::Customers,
            ] {
                aids.conduct
                    .insert(g, generator::conduct_choices(kind, person, &library, g));
            }
        }
        Ok(aids)
    }

    /// Checks the current text for hidden negative signals.
    ///
    /// # Errors
    /// [`ReferenceError::NoText`] while there is no text.
    pub async fn check(
        &self,
        actor: &Actor,
        id: ReferenceId,
    ) -> Result<Vec<Finding>, ReferenceError> {
        self.readable(actor).await?;
        let (visible, _) = self.load(actor, id).await?;
        let forms = Forms::from_content(&visible.content)?;
        if forms.result.trim().is_empty() {
            return Err(ReferenceError::NoText);
        }
        let library = self.library.phrase_library(actor.tenant()).await?.value;
        Ok(check(&CheckInput {
            kind: visible.kind,
            text: &forms.result,
            person: forms.personal.as_ref(),
            library: &library,
        }))
    }

    /// Status history, handovers and change log.
    ///
    /// # Errors
    /// [`AccessError::NotFound`].
    pub async fn history(&self, actor: &Actor, id: ReferenceId) -> Result<History, ReferenceError> {
        self.readable(actor).await?;
        self.load(actor, id).await?;
        let now = self.clock.now();
        let t = actor.tenant();
        let statuses = self.references.status_history(t, id).await?;
        let mut user_names = BTreeMap::new();
        for change in &statuses {
            if let StatusActor::User(user) = change.by
                && !user_names.contains_key(&user)
                && let Some(u) = self.users.user(t, user).await?
            {
                let name = format!(
                    "{} {}",
                    u.value.first_name.as_str(),
                    u.value.last_name.as_str()
                );
                user_names.insert(user, name);
            }
        }
        Ok(History {
            statuses,
            user_names,
            handovers: self
                .handovers
                .handovers_of(t, id)
                .await?
                .into_iter()
                .map(|h| HandoverSummary {
                    state: h.state(now),
                    handover: h,
                })
                .collect(),
            changes: self.references.change_log(t, id).await?,
        })
    }

    /// The letter and the tenant's formatting, for rendering; the download is
    /// audited.
    ///
    /// # Errors
    /// [`ReferenceError::NoText`]; [`AccessError::NotFound`].
    pub async fn document(
        &self,
        actor: &Actor,
        id: ReferenceId,
        source_ip: Option<IpAddr>,
    ) -> Result<(Letter, LetterFormatting), ReferenceError> {
        self.readable(actor).await?;
        let (visible, _) = self.load(actor, id).await?;
        let now = self.clock.now();
        let letter = letter_of(&visible, now.date())?;
        let formatting = self.library.letter_formatting(actor.tenant()).await?.value;
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::AppendAudit(Self::audit(
            actor,
            now,
            AuditAction::ReferenceDownloaded,
            id,
            source_ip,
        )));
        self.uow.commit(cs).await?;
        Ok((letter, formatting))
    }
}

/// Moves `reference` to `to` as `actor` (a user) and adds the change to `cs`
/// as [`record_status_change`] does.
///
/// # Errors
/// [`TransitionError`] when the workflow does not allow it; `cs` is unchanged.
pub(crate) fn record_user_status_change(
    cs: &mut ChangeSet,
    actor: &Actor,
    mut reference: WritableReference,
    version: Version,
    to: ReferenceStatus,
    (now, source_ip): (Timestamp, Option<IpAddr>),
) -> Result<(), TransitionError> {
    let change = reference.change_status(to, StatusActor::User(actor.user()), now)?;
    let event = ReferenceService::audit(
        actor,
        now,
        AuditAction::ReferenceStatusChanged,
        reference.id(),
        source_ip,
    );
    record_status_change(cs, reference, version, change, event);
    Ok(())
}

/// Adds a status change to `cs`: the reference at the version read, the
/// status history entry, and `event` (a `reference_status_changed` entry)
/// with both statuses.
pub(crate) fn record_status_change(
    cs: &mut ChangeSet,
    reference: WritableReference,
    version: Version,
    change: crate::authz::StatusTransition,
    event: crate::audit::AuditEvent,
) {
    let status = FieldChange::new("status", Some(change.from.key()), Some(change.to.key()));
    cs.push(Write::UpdateReference(reference, version))
        .push(Write::AppendStatusChange(change))
        .push(Write::AppendAudit(event.with_changes(vec![status])));
}
