//! Mitarbeiter anlegen und bearbeiten: every master-data field (personal,
//! contact, employment with interruptions and powers of attorney,
//! organisation) as one form, saved with its version; the employee's
//! references with "Neues Zeugnis"; deleting with a confirmation, refused
//! while a reference names the employee (the refusal lists the references).
//! The core decides scope, consistency and whether a record may go
//! (`EmployeeService`).

use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use zeugnis_core::employee::{
    Contact, Employee, Employment, Interruption, IssueReason, OrgAttributes, PersonalData,
    PowerOfAttorney, Salutation,
};
use zeugnis_core::id::EmployeeId;
use zeugnis_core::ports::{PageRequest, ReferenceQuery, Version};
use zeugnis_core::services::employees::EmployeeInput;
use zeugnis_core::services::references::ReferenceError;
use zeugnis_core::values::{Email, Name};

use super::editor::{Card, Control, Group, Opt};
use super::fields::{Fields, ISSUE_REASONS, Problem, Problems, SALUTATIONS, key_of, parse_date};
use super::i18n::Tr;
use super::overview::{kind_label, status_label};
use super::page::{Chrome, PageUser, redirect};
use super::{failure, render, require_form_user, require_user};
use crate::api::error::ApiError;
use crate::state::AppState;

/// Rows offered for interruptions and powers of attorney (one more than
/// filled, at least two).
const MAX_ROWS: usize = 10;

/// A reference of the employee, linked.
struct RefLine {
    id: String,
    kind: String,
    status: String,
    created: String,
}

#[derive(Template)]
#[template(path = "employee.html")]
struct EmployeePage {
    c: Chrome,
    /// `None` for a new record.
    id: Option<String>,
    version: u64,
    groups: Vec<Group>,
    errors: Vec<(String, String)>,
    references: Vec<RefLine>,
    still_named: bool,
    can_write: bool,
}

/// The query of the employee page.
#[derive(Debug, Default, Deserialize)]
pub struct EmployeeQuery {
    done: Option<String>,
}

fn id_of(name: &str) -> String {
    format!("e-{}", name.replace(['.', '_'], "-"))
}

fn fields_of(t: Tr, e: &Employee) -> Fields {
    let p = &e.personal;
    let c = &e.contact;
    let m = &e.employment;
    let o = &e.org;
    let name = |n: Option<&Name>| n.map(|n| n.as_str().to_owned()).unwrap_or_default();
    let date = |d: Option<time::Date>| d.map(|d| t.date(d)).unwrap_or_default();
    let mut pairs = vec![
        ("salutation".to_owned(), key_of(&p.salutation)),
        ("title".to_owned(), name(p.title.as_ref())),
        ("first_name".to_owned(), p.first_name.as_str().to_owned()),
        ("last_name".to_owned(), p.last_name.as_str().to_owned()),
        ("birth_date".to_owned(), date(p.birth_date)),
        ("birth_place".to_owned(), name(p.birth_place.as_ref())),
        ("street".to_owned(), name(c.street.as_ref())),
        ("postcode".to_owned(), name(c.postcode.as_ref())),
        ("city".to_owned(), name(c.city.as_ref())),
        (
            "email".to_owned(),
            c.email
                .as_ref()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_default(),
        ),
        ("entry_date".to_owned(), date(m.entry_date)),
        ("exit_date".to_owned(), date(m.exit_date)),
        (
            "exit_reason".to_owned(),
            m.exit_reason.as_ref().map(key_of).unwrap_or_default(),
        ),
        (
            "job_descriptions".to_owned(),
            m.job_descriptions
                .iter()
                .map(Name::as_str)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("company".to_owned(), name(o.company.as_ref())),
        ("location".to_owned(), name(o.location.as_ref())),
        ("department".to_owned(), name(o.department.as_ref())),
        ("unit".to_owned(), name(o.unit.as_ref())),
        ("employee_type".to_owned(), name(o.employee_type.as_ref())),
    ];
    for (i, x) in m.interruptions.iter().enumerate() {
        pairs.push((format!("interruption.{i}.from"), t.date(x.from)));
        pairs.push((format!("interruption.{i}.to"), t.date(x.to)));
        pairs.push((format!("interruption.{i}.reason"), name(x.reason.as_ref())));
    }
    for (i, x) in m.powers_of_attorney.iter().enumerate() {
        pairs.push((format!("power.{i}.kind"), x.kind.as_str().to_owned()));
        pairs.push((format!("power.{i}.since"), date(x.since)));
    }
    Fields::from_pairs(pairs)
}

struct Reader<'a> {
    f: &'a Fields,
    problems: Problems,
}

impl Reader<'_> {
    fn flag(&mut self, name: &str, p: Problem) {
        self.problems.entry(name.to_owned()).or_insert((p, None));
    }

    fn name(&mut self, field: &str) -> Option<Name> {
        let raw = self.f.one(field).trim();
        if raw.is_empty() {
            return None;
        }
        match Name::new(raw) {
            Ok(n) => Some(n),
            Err(_) => {
                let p = if raw.chars().count() > 200 {
                    Problem::TooLong
                } else {
                    Problem::BadCharacters
                };
                self.flag(field, p);
                None
            }
        }
    }

    fn required(&mut self, field: &str) -> Option<Name> {
        let n = self.name(field);
        if self.f.one(field).trim().is_empty() {
            self.flag(field, Problem::Required);
        }
        n
    }

    fn date(&mut self, field: &str) -> Option<time::Date> {
        let raw = self.f.one(field).trim();
        if raw.is_empty() {
            return None;
        }
        let d = parse_date(raw);
        if d.is_none() {
            self.flag(field, Problem::BadDate);
        }
        d
    }
}

/// Reads the posted fields into an employee record, or the fields that are
/// wrong.
fn input_of(f: &Fields) -> Result<EmployeeInput, Problems> {
    let mut r = Reader {
        f,
        problems: Problems::new(),
    };
    // No default: a salutation nobody chose would print in the reference.
    let salutation = match f.one("salutation") {
        "herr" => Some(Salutation::Herr),
        "frau" => Some(Salutation::Frau),
        "none" => Some(Salutation::None),
        _ => {
            r.flag("salutation", Problem::Required);
            None
        }
    };
    let first_name = r.required("first_name");
    let last_name = r.required("last_name");
    let personal = (first_name, last_name);
    let title = r.name("title");
    let birth_date = r.date("birth_date");
    let birth_place = r.name("birth_place");
    let email = match f.one("email").trim() {
        "" => None,
        e => match Email::parse(e) {
            Ok(e) => Some(e),
            Err(_) => {
                r.flag("email", Problem::BadEmail);
                None
            }
        },
    };
    let contact = Contact {
        street: r.name("street"),
        postcode: r.name("postcode"),
        city: r.name("city"),
        email,
    };
    let exit_reason = match f.one("exit_reason") {
        "" => None,
        raw => {
            let found = ISSUE_REASONS.iter().find(|x| key_of(*x) == raw).copied();
            if found.is_none() {
                r.flag("exit_reason", Problem::BadChoice);
            }
            found
        }
    };
    let mut job_descriptions = Vec::new();
    for line in f.one("job_descriptions").lines() {
        if line.trim().is_empty() {
            continue;
        }
        match Name::new(line.trim()) {
            Ok(n) => job_descriptions.push(n),
            Err(_) => r.flag("job_descriptions", Problem::TooLong),
        }
    }
    let mut interruptions = Vec::new();
    for i in 0..MAX_ROWS {
        let (from, to) = (
            format!("interruption.{i}.from"),
            format!("interruption.{i}.to"),
        );
        let reason = r.name(&format!("interruption.{i}.reason"));
        match (r.date(&from), r.date(&to)) {
            (Some(from), Some(to)) => interruptions.push(Interruption { from, to, reason }),
            (None, None) if reason.is_none() => {}
            (None, _) => r.flag(&from, Problem::Required),
            (_, None) => r.flag(&to, Problem::Required),
        }
    }
    let mut powers_of_attorney = Vec::new();
    for i in 0..MAX_ROWS {
        let since = r.date(&format!("power.{i}.since"));
        match r.name(&format!("power.{i}.kind")) {
            Some(kind) => powers_of_attorney.push(PowerOfAttorney { kind, since }),
            None if since.is_some() => r.flag(&format!("power.{i}.kind"), Problem::Required),
            None => {}
        }
    }
    let employment = Employment {
        entry_date: r.date("entry_date"),
        exit_date: r.date("exit_date"),
        exit_reason,
        job_descriptions,
        interruptions,
        powers_of_attorney,
    };
    let org = OrgAttributes {
        company: r.name("company"),
        location: r.name("location"),
        department: r.name("department"),
        unit: r.name("unit"),
        employee_type: r.name("employee_type"),
    };
    match (personal, salutation, r.problems.is_empty()) {
        ((Some(first_name), Some(last_name)), Some(salutation), true) => Ok(EmployeeInput {
            personal: PersonalData {
                salutation,
                first_name,
                last_name,
                title,
                birth_date,
                birth_place,
            },
            contact,
            employment,
            org,
        }),
        _ => Err(r.problems),
    }
}

fn rows_in(f: &Fields, prefix: &str, first: &str) -> usize {
    (0..MAX_ROWS)
        .filter(|i| !f.one(&format!("{prefix}.{i}.{first}")).trim().is_empty())
        .count()
}

#[expect(clippy::too_many_lines, reason = "one place that lays out the record")]
fn groups(t: Tr, f: &Fields, problems: &Problems) -> Vec<Group> {
    let error = |name: &str| problems.get(name).map(|(p, _)| t.t1(p.key(), "line", 0));
    let input = |name: &str, label: String, date: bool, required: bool| Control::Input {
        id: id_of(name),
        name: name.to_owned(),
        label,
        value: f.one(name).to_owned(),
        kind: "text",
        hint: date.then(|| t.t("editor-date-hint")),
        error: error(name),
        required,
    };
    let select = |name: &str, label: &str, options: Vec<(String, String)>, empty: &str| {
        let chosen = f.one(name);
        let mut opts = Vec::new();
        if !empty.is_empty() {
            opts.push(Opt {
                value: String::new(),
                label: t.t(empty),
                selected: chosen.is_empty(),
            });
        }
        opts.extend(options.into_iter().map(|(value, label)| Opt {
            selected: value == chosen,
            value,
            label,
        }));
        Control::Select {
            id: id_of(name),
            name: name.to_owned(),
            label: t.t(label),
            options: opts,
            hint: None,
            error: error(name),
        }
    };
    let card = |id: &str, title: &str, hint: Option<&str>, controls: Vec<Control>| Card {
        id: format!("card-{id}"),
        section: None,
        disabled: false,
        title: t.t(title),
        hint: hint.map(|h| t.t(h)),
        controls,
    };
    let salutations = SALUTATIONS
        .iter()
        .map(|s| {
            let k = key_of(s);
            let label = t.t(&format!("salutation-{k}"));
            (k, label)
        })
        .collect();
    let reasons = ISSUE_REASONS
        .iter()
        .map(|r: &IssueReason| {
            let k = key_of(r);
            let label = t.t(&format!("reason-{}", k.replace('_', "-")));
            (k, label)
        })
        .collect();
    let mut interruptions = Vec::new();
    for i in 0..(rows_in(f, "interruption", "from") + 1).clamp(1, MAX_ROWS) {
        let n = i + 1;
        interruptions.push(input(
            &format!("interruption.{i}.from"),
            t.t1("employee-interruption-from", "n", n),
            true,
            false,
        ));
        interruptions.push(input(
            &format!("interruption.{i}.to"),
            t.t1("employee-interruption-to", "n", n),
            true,
            false,
        ));
        interruptions.push(input(
            &format!("interruption.{i}.reason"),
            t.t1("employee-interruption-reason", "n", n),
            false,
            false,
        ));
    }
    let mut powers = Vec::new();
    for i in 0..(rows_in(f, "power", "kind") + 1).clamp(1, MAX_ROWS) {
        let n = i + 1;
        powers.push(input(
            &format!("power.{i}.kind"),
            t.t1("employee-power-kind", "n", n),
            false,
            false,
        ));
        powers.push(input(
            &format!("power.{i}.since"),
            t.t1("employee-power-since", "n", n),
            true,
            false,
        ));
    }
    let label = |k: &str| t.t(k);
    vec![Group {
        id: "stammdaten",
        title: t.t("employee-record"),
        cards: vec![
            card(
                "personal",
                "section-personal",
                None,
                vec![
                    select(
                        "salutation",
                        "editor-salutation",
                        salutations,
                        "field-choose",
                    ),
                    input("title", label("editor-title-field"), false, false),
                    input("first_name", label("editor-first-name"), false, true),
                    input("last_name", label("editor-last-name"), false, true),
                    input("birth_date", label("editor-birth-date"), true, false),
                    input("birth_place", label("editor-birth-place"), false, false),
                ],
            ),
            card(
                "contact",
                "employee-contact",
                None,
                vec![
                    input("street", label("employee-street"), false, false),
                    input("postcode", label("employee-postcode"), false, false),
                    input("city", label("employee-city"), false, false),
                    input("email", label("login-email"), false, false),
                ],
            ),
            card(
                "employment",
                "employee-employment",
                None,
                vec![
                    input("entry_date", label("editor-entry-date"), true, false),
                    input("exit_date", label("employee-exit-date"), true, false),
                    select(
                        "exit_reason",
                        "employee-exit-reason",
                        reasons,
                        "editor-none-chosen",
                    ),
                    Control::Area {
                        id: id_of("job_descriptions"),
                        name: "job_descriptions".into(),
                        label: t.t("employee-jobs"),
                        value: f.one("job_descriptions").to_owned(),
                        rows: 3,
                        hint: Some(t.t("employee-jobs-hint")),
                        error: error("job_descriptions"),
                    },
                ],
            ),
            card(
                "interruptions",
                "employee-interruptions",
                Some("employee-interruptions-hint"),
                interruptions,
            ),
            card(
                "powers",
                "section-powers",
                Some("employee-powers-hint"),
                powers,
            ),
            card(
                "org",
                "employee-organisation",
                Some("employee-organisation-hint"),
                vec![
                    input("company", label("employee-company"), false, false),
                    input("location", label("employee-location"), false, false),
                    input("department", label("editor-department"), false, false),
                    input("unit", label("employee-unit"), false, false),
                    input("employee_type", label("employee-type"), false, false),
                ],
            ),
        ],
    }]
}

fn error_links(groups: &[Group]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for g in groups {
        for card in &g.cards {
            for control in &card.controls {
                if let Control::Input {
                    id, label, error, ..
                }
                | Control::Area {
                    id, label, error, ..
                }
                | Control::Select {
                    id, label, error, ..
                } = control
                    && let Some(e) = error
                {
                    out.push((id.clone(), format!("{label}: {e}")));
                }
            }
        }
    }
    out
}

struct Shown<'a> {
    id: Option<EmployeeId>,
    version: Version,
    fields: Fields,
    problems: Problems,
    flash: Option<(&'static str, String)>,
    still_named: bool,
    title: &'a str,
}

async fn page(
    req: &Request,
    state: &Arc<AppState>,
    user: &PageUser,
    shown: Shown<'_>,
) -> Result<EmployeePage, ApiError> {
    let t = user.t;
    let mut references = Vec::new();
    if let Some(id) = shown.id {
        let query = ReferenceQuery {
            employee: Some(id),
            ..ReferenceQuery::default()
        };
        let list = state
            .references()
            .list(
                &user.caller.actor,
                &query,
                PageRequest::new(None, PageRequest::MAX_LIMIT),
            )
            .await?;
        references = list
            .items
            .iter()
            .map(|l| RefLine {
                id: l.summary.id.to_string(),
                kind: kind_label(t, l.summary.kind),
                status: status_label(t, l.summary.status),
                created: user.date(l.summary.created_at),
            })
            .collect();
    }
    let mut c = Chrome::of(req, user, "employees-title", "/employees");
    c.title = shown.title.to_owned();
    if let Some((kind, text)) = shown.flash {
        c = c.with_flash(kind, text);
    }
    let groups = groups(t, &shown.fields, &shown.problems);
    Ok(EmployeePage {
        c,
        id: shown.id.map(|i| i.to_string()),
        version: shown.version.0,
        errors: error_links(&groups),
        groups,
        references,
        still_named: shown.still_named,
        can_write: user.caller.role.permissions().allows(
            zeugnis_core::access::Area::Employees,
            zeugnis_core::access::AccessLevel::ReadWrite,
        ),
    })
}

fn full_name(e: &Employee) -> String {
    format!(
        "{} {}",
        e.personal.first_name.as_str(),
        e.personal.last_name.as_str()
    )
}

/// "Neuer Mitarbeiter": the empty form.
#[handler]
pub(crate) async fn new(req: &Request, state: Data<&Arc<AppState>>) -> Response {
    let user = match require_user(req, &state).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let title = user.t.t("employee-new");
    let shown = Shown {
        id: None,
        version: Version(0),
        fields: Fields::default(),
        problems: Problems::new(),
        flash: None,
        still_named: false,
        title: &title,
    };
    match page(req, &state, &user, shown).await {
        Ok(p) => render(req, StatusCode::OK, &p),
        Err(e) => failure(req, &e),
    }
}

/// The problems a refused save shows at its fields, or `None` when the
/// refusal is not about the input.
fn refusal(e: &ReferenceError) -> Option<(Problems, &'static str)> {
    let mut problems = Problems::new();
    match e {
        ReferenceError::Invalid {
            field: Some(field), ..
        } => {
            let key = match field.as_str() {
                "exit_date" => ("exit_date", Problem::ExitBeforeEntry),
                "birth_date" => ("birth_date", Problem::BornAfterEntry),
                "interruptions" => ("interruption.0.to", Problem::InterruptionReversed),
                _ => return None,
            };
            problems.insert(key.0.to_owned(), (key.1, None));
            Some((problems, "editor-check-fields"))
        }
        ReferenceError::OutsideScope => {
            for f in ["company", "location", "department", "unit", "employee_type"] {
                problems.insert(f.to_owned(), (Problem::OutsideScope, None));
            }
            Some((problems, "employee-outside-scope"))
        }
        _ => None,
    }
}

/// Creates an employee record.
#[handler]
pub(crate) async fn create(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields::from_pairs(pairs);
    let user = match require_form_user(req, &state, fields.one("csrf")).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let t = user.t;
    let title = t.t("employee-new");
    let again = |fields: Fields, problems: Problems, key: &str| Shown {
        id: None,
        version: Version(0),
        fields,
        problems,
        flash: Some(("error", t.t(key))),
        still_named: false,
        title: &title,
    };
    let input = match input_of(&fields) {
        Ok(i) => i,
        Err(problems) => {
            return match page(
                req,
                &state,
                &user,
                again(fields, problems, "editor-check-fields"),
            )
            .await
            {
                Ok(p) => render(req, StatusCode::UNPROCESSABLE_ENTITY, &p),
                Err(e) => failure(req, &e),
            };
        }
    };
    match state
        .employees()
        .create(&user.caller.actor, input, user.caller.ip)
        .await
    {
        Ok(created) => redirect(&format!("/employees/{}?done=created", created.id)),
        Err(e) => match refusal(&e) {
            Some((problems, key)) => {
                match page(req, &state, &user, again(fields, problems, key)).await {
                    Ok(p) => render(req, StatusCode::UNPROCESSABLE_ENTITY, &p),
                    Err(e) => failure(req, &e),
                }
            }
            None => failure(req, &ApiError::from(e)),
        },
    }
}

fn parse_id(raw: &str) -> Result<EmployeeId, ApiError> {
    raw.parse::<EmployeeId>().map_err(|_| ApiError::not_found())
}

/// An employee's record.
#[handler]
pub(crate) async fn show(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(raw): Path<String>,
    query: Query<EmployeeQuery>,
) -> Response {
    let user = match require_user(req, &state).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return failure(req, &e),
    };
    let t = user.t;
    let found = match state.employees().get(&user.caller.actor, id).await {
        Ok(e) => e,
        Err(e) => return failure(req, &ApiError::from(e)),
    };
    let flash = match query.done.as_deref() {
        Some("created") => Some(("success", t.t("employee-created"))),
        Some("saved") => Some(("success", t.t("editor-saved"))),
        _ => None,
    };
    let title = full_name(&found.value);
    let shown = Shown {
        id: Some(id),
        version: found.version,
        fields: fields_of(t, &found.value),
        problems: Problems::new(),
        flash,
        still_named: false,
        title: &title,
    };
    match page(req, &state, &user, shown).await {
        Ok(p) => render(req, StatusCode::OK, &p),
        Err(e) => failure(req, &e),
    }
}

/// Saves an employee's record at the version it was read.
#[handler]
pub(crate) async fn save(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields::from_pairs(pairs);
    let user = match require_form_user(req, &state, fields.one("csrf")).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return failure(req, &e),
    };
    let t = user.t;
    let current = match state.employees().get(&user.caller.actor, id).await {
        Ok(e) => e,
        Err(e) => return failure(req, &ApiError::from(e)),
    };
    let title = full_name(&current.value);
    let version = fields.one("version").parse::<u64>().ok().map(Version);
    let problems = match input_of(&fields) {
        Ok(input) => match state
            .employees()
            .update(&user.caller.actor, id, input, version, user.caller.ip)
            .await
        {
            Ok(_) => return redirect(&format!("/employees/{id}?done=saved")),
            Err(ReferenceError::Conflict(_)) => {
                let shown = Shown {
                    id: Some(id),
                    version: current.version,
                    fields,
                    problems: Problems::new(),
                    flash: Some(("error", t.t("employee-conflict"))),
                    still_named: false,
                    title: &title,
                };
                return match page(req, &state, &user, shown).await {
                    Ok(p) => render(req, StatusCode::CONFLICT, &p),
                    Err(e) => failure(req, &e),
                };
            }
            Err(e) => match refusal(&e) {
                Some((problems, key)) => (problems, key),
                None => return failure(req, &ApiError::from(e)),
            },
        },
        Err(problems) => (problems, "editor-check-fields"),
    };
    let shown = Shown {
        id: Some(id),
        version: version.unwrap_or(current.version),
        fields,
        problems: problems.0,
        flash: Some(("error", t.t(problems.1))),
        still_named: false,
        title: &title,
    };
    match page(req, &state, &user, shown).await {
        Ok(p) => render(req, StatusCode::UNPROCESSABLE_ENTITY, &p),
        Err(e) => failure(req, &e),
    }
}

/// Deleting as posted.
#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
    confirm: Option<String>,
}

/// Deletes the record, once confirmed; refused while a reference names it.
#[handler]
pub(crate) async fn delete(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(raw): Path<String>,
    form: Form<DeleteForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return failure(req, &e),
    };
    let t = user.t;
    let current = match state.employees().get(&user.caller.actor, id).await {
        Ok(e) => e,
        Err(e) => return failure(req, &ApiError::from(e)),
    };
    let title = full_name(&current.value);
    let refused = |key: &str, still_named: bool| Shown {
        id: Some(id),
        version: current.version,
        fields: fields_of(t, &current.value),
        problems: Problems::new(),
        flash: Some(("error", t.t(key))),
        still_named,
        title: &title,
    };
    let shown = if form.confirm.as_deref() == Some("1") {
        match state
            .employees()
            .delete(&user.caller.actor, id, user.caller.ip)
            .await
        {
            Ok(()) => return redirect("/employees?done=deleted"),
            Err(ReferenceError::StillNamed) => refused("employee-still-named", true),
            Err(e) => return failure(req, &ApiError::from(e)),
        }
    } else {
        refused("delete-confirm-missing", false)
    };
    let status = if shown.still_named {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    match page(req, &state, &user, shown).await {
        Ok(p) => render(req, status, &p),
        Err(e) => failure(req, &e),
    }
}
