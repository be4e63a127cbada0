//! Zeugnisse: the references the user may see, with filters by status and
//! kind, a search by the employee's name and key pagination; and "Neues
//! Zeugnis" (employee, kind, private). What is listed is decided by the core
//! (`ReferenceService::list` and `search`), the same as for the API.

use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use zeugnis_core::id::EmployeeId;
use zeugnis_core::ports::{Cursor, PageRequest, ReferenceOrder, ReferenceQuery};
use zeugnis_core::reference::{ReferenceKind, ReferenceStatus};
use zeugnis_core::services::references::{Holder, NewReference, OverviewLine};

use super::i18n::Tr;
use super::overview::{kind_label, status_label};
use super::page::{Chrome, Labels, PageUser, redirect};
use super::places::{PlaceFilter, Places};
use super::{failure, render, require_form_user, require_user};
use crate::api::error::ApiError;
use crate::state::AppState;

/// How many references a page of the list shows.
const PAGE: u16 = 50;

/// The list's query.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    department: String,
    /// The order's key (`newest`, `oldest`, `waiting`).
    #[serde(default)]
    sort: String,
    after: Option<String>,
    /// A finished step to confirm (`created`).
    done: Option<String>,
}

struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

struct Row {
    employee: String,
    place: String,
    kind: String,
    status: String,
    status_key: &'static str,
    holder: String,
    waiting: String,
    created: String,
    changed: String,
    private: bool,
    id: String,
}

#[derive(Template)]
#[template(path = "references.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    places: Vec<PlaceFilter>,
    orders: Vec<Choice>,
    q: String,
    rows: Vec<Row>,
    /// The column names, repeated on each row for narrow screens.
    cols: Labels,
    filtered: bool,
    next_href: Option<String>,
    can_write: bool,
}

/// The list's columns.
const COLUMNS: [&str; 8] = [
    "col-employee",
    "col-place",
    "col-kind",
    "col-status",
    "col-holder",
    "col-waiting",
    "col-created",
    "col-changed",
];

fn row(user: &PageUser, l: &OverviewLine) -> Row {
    let t = user.t;
    let s = &l.summary;
    let holder = match &l.holder {
        Holder::Recipient { name, .. } => name.as_str().to_owned(),
        Holder::Hr => t.t("holder-hr"),
    };
    Row {
        employee: l
            .employee_name
            .clone()
            .unwrap_or_else(|| t.t("employee-gone")),
        place: [&s.org.company, &s.org.department]
            .into_iter()
            .flatten()
            .map(|v| v.as_str().to_owned())
            .collect::<Vec<_>>()
            .join(" · "),
        kind: kind_label(t, s.kind),
        status: status_label(t, s.status),
        status_key: s.status.key(),
        holder,
        waiting: t.count(
            "overview-days",
            u64::try_from(l.waiting_seconds / 86_400).unwrap_or_default(),
        ),
        created: user.date(s.created_at),
        changed: user.date_time(s.changed_at),
        private: s.private,
        id: s.id.to_string(),
    }
}

fn status_choices(t: Tr, chosen: Option<ReferenceStatus>) -> Vec<Choice> {
    ReferenceStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.key(),
            label: status_label(t, *s),
            selected: chosen == Some(*s),
        })
        .collect()
}

fn kind_choices(t: Tr, chosen: Option<ReferenceKind>) -> Vec<Choice> {
    [ReferenceKind::Final, ReferenceKind::Interim]
        .iter()
        .map(|k| Choice {
            value: k.key(),
            label: kind_label(t, *k),
            selected: chosen == Some(*k),
        })
        .collect()
}

fn parse_status(key: &str) -> Option<ReferenceStatus> {
    ReferenceStatus::ALL.into_iter().find(|s| s.key() == key)
}

fn parse_kind(key: &str) -> Option<ReferenceKind> {
    [ReferenceKind::Final, ReferenceKind::Interim]
        .into_iter()
        .find(|k| k.key() == key)
}

async fn list_page(
    req: &Request,
    state: &Arc<AppState>,
    user: &PageUser,
    query: &ListQuery,
) -> Result<ListPage, ApiError> {
    let t = user.t;
    let status = parse_status(&query.status);
    let kind = parse_kind(&query.kind);
    let order = ReferenceOrder::ALL
        .into_iter()
        .find(|o| o.key() == query.sort)
        .unwrap_or_default();
    let chosen = Places::parse(&query.company, &query.location, &query.department);
    let filter = ReferenceQuery {
        status,
        kind,
        company: chosen.company.clone(),
        location: chosen.location.clone(),
        department: chosen.department.clone(),
        order,
        ..ReferenceQuery::default()
    };
    let actor = &user.caller.actor;
    let references = state.references();
    let q = query.q.trim();
    let short = !q.is_empty() && q.chars().count() < 2;
    let (lines, next) = if q.is_empty() || short {
        let page = references
            .list(
                actor,
                &filter,
                PageRequest::new(query.after.clone().map(Cursor), PAGE),
            )
            .await?;
        (page.items, page.next.map(|c| c.0))
    } else {
        (references.search(actor, q, &filter, PAGE).await?, None)
    };
    let can_write = may_create(user);
    let places = chosen.filters(state, user).await?;
    let mut c = Chrome::of(req, user, "references-title", "/references");
    match query.done.as_deref() {
        Some("created") => c = c.with_flash("success", t.t("references-created")),
        Some("deleted") => c = c.with_flash("success", t.t("references-deleted")),
        _ => {}
    }
    if short {
        c = c.with_flash("error", t.t("search-too-short"));
    }
    Ok(ListPage {
        c,
        statuses: status_choices(t, status),
        kinds: kind_choices(t, kind),
        q: q.to_owned(),
        rows: lines.iter().map(|l| row(user, l)).collect(),
        cols: Labels::of(t, &COLUMNS),
        filtered: status.is_some() || kind.is_some() || chosen.any() || !q.is_empty(),
        next_href: next.map(|cursor| {
            format!(
                "/references?status={}&kind={}&{}&sort={}&after={}",
                status.map_or("", ReferenceStatus::key),
                kind.map_or("", ReferenceKind::key),
                chosen.query(),
                order.key(),
                super::page::encode_next(&cursor)
            )
        }),
        places,
        orders: ReferenceOrder::ALL
            .into_iter()
            .map(|o| Choice {
                value: o.key(),
                label: t.t(&format!("references-sort-{}", o.key())),
                selected: o == order,
            })
            .collect(),
        can_write,
    })
}

/// The list of references.
#[handler]
pub(crate) async fn list(
    req: &Request,
    state: Data<&Arc<AppState>>,
    query: Query<ListQuery>,
) -> Response {
    let user = match require_user(req, &state).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match list_page(req, &state, &user, &query).await {
        Ok(page) => render(req, StatusCode::OK, &page),
        Err(e) => failure(req, &e),
    }
}

/// May the user start references (write access to Employees)?
fn may_create(user: &PageUser) -> bool {
    user.caller.role.permissions().allows(
        zeugnis_core::access::Area::Employees,
        zeugnis_core::access::AccessLevel::ReadWrite,
    )
}

/// How many people the "Neues Zeugnis" search offers at once.
const MATCHES: usize = 20;

/// "Neues Zeugnis": a name search, or the employee chosen elsewhere (the
/// employee's page links here with `employee`).
#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    q: String,
    employee: Option<String>,
    #[serde(default)]
    kind: String,
}

/// A person the new reference may be for.
struct Match {
    id: String,
    name: String,
    detail: String,
    chosen: bool,
}

#[derive(Template)]
#[template(path = "reference_new.html")]
struct NewPage {
    c: Chrome,
    q: String,
    q_error: Option<String>,
    searched: bool,
    matches: Vec<Match>,
    more: bool,
    kinds: Vec<Choice>,
    private: bool,
    form_error: Option<String>,
}

/// What the new-reference page shows: the people found by name (only those
/// the user may see: `EmployeeService::search`), plus the one chosen.
struct NewChoice<'a> {
    q: &'a str,
    employee: Option<EmployeeId>,
    kind: ReferenceKind,
    private: bool,
    form_error: Option<String>,
}

async fn new_page(
    req: &Request,
    state: &Arc<AppState>,
    user: &PageUser,
    choice: NewChoice<'_>,
) -> Result<NewPage, ApiError> {
    let t = user.t;
    let actor = &user.caller.actor;
    let q = choice.q.trim();
    let short = !q.is_empty() && q.chars().count() < 2;
    let mut found = Vec::new();
    if let Some(id) = choice.employee {
        match state.employees().get(actor, id).await {
            Ok(e) => found.push(e.value),
            Err(e) => {
                // Unknown or out of scope: not offered, as if never named.
                let e = ApiError::from(e);
                if e.status() != StatusCode::NOT_FOUND {
                    return Err(e);
                }
            }
        }
    }
    let mut more = false;
    if !q.is_empty() && !short {
        let limit = u16::try_from(MATCHES + 1).unwrap_or(u16::MAX);
        let mut hits = state.employees().search(actor, q, limit).await?;
        more = hits.len() > MATCHES;
        hits.truncate(MATCHES);
        hits.sort_by_cached_key(|e| {
            let p = &e.personal;
            (
                p.last_name.as_str().to_lowercase(),
                p.first_name.as_str().to_lowercase(),
            )
        });
        for e in hits {
            if !found.iter().any(|f| f.id == e.id) {
                found.push(e);
            }
        }
    }
    let only = found.len() == 1;
    let matches = found
        .iter()
        .map(|e| {
            let row = super::employees::row(user, e);
            // Two people of one name are told apart by place and entry.
            let entry =
                (!row.entry.is_empty()).then(|| t.t1("references-new-entry", "date", &row.entry));
            Match {
                chosen: only || Some(e.id) == choice.employee,
                detail: [Some(row.organisation), entry]
                    .into_iter()
                    .flatten()
                    .filter(|d| !d.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · "),
                name: row.name,
                id: row.id,
            }
        })
        .collect();
    Ok(NewPage {
        c: Chrome::of(req, user, "references-new", "/references"),
        q: q.to_owned(),
        q_error: short.then(|| t.t("search-too-short")),
        searched: !q.is_empty() && !short,
        matches,
        more,
        kinds: kind_choices(t, Some(choice.kind)),
        private: choice.private,
        form_error: choice.form_error,
    })
}

/// The page that starts a reference.
#[handler]
pub(crate) async fn start(
    req: &Request,
    state: Data<&Arc<AppState>>,
    query: Query<NewQuery>,
) -> Response {
    let user = match require_user(req, &state).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !may_create(&user) {
        return super::error_page(req, user.t, StatusCode::FORBIDDEN, "error-forbidden");
    }
    let choice = NewChoice {
        q: &query.q,
        employee: query.employee.as_deref().and_then(|e| e.parse().ok()),
        kind: parse_kind(&query.kind).unwrap_or(ReferenceKind::Final),
        private: false,
        form_error: None,
    };
    match new_page(req, &state, &user, choice).await {
        Ok(page) => {
            let status = if page.q_error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            render(req, status, &page)
        }
        Err(e) => failure(req, &e),
    }
}

/// "Neues Zeugnis" as posted.
#[derive(Debug, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    employee_id: String,
    #[serde(default)]
    kind: String,
    /// Present when the box is ticked.
    private: Option<String>,
    /// The search the choice came from, to show it again.
    #[serde(default)]
    q: String,
}

/// The new-reference page again, with the choices kept and what to choose.
async fn refuse(req: &Request, state: &Arc<AppState>, user: &PageUser, form: &NewForm) -> Response {
    let choice = NewChoice {
        q: &form.q,
        employee: form.employee_id.parse().ok(),
        kind: parse_kind(&form.kind).unwrap_or(ReferenceKind::Final),
        private: form.private.is_some(),
        form_error: Some(user.t.t("references-new-choose")),
    };
    match new_page(req, state, user, choice).await {
        Ok(page) => render(req, StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(e) => failure(req, &e),
    }
}

/// Creates a reference and opens it in the editor.
#[handler]
pub(crate) async fn create(
    req: &Request,
    state: Data<&Arc<AppState>>,
    form: Form<NewForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let employee = form.employee_id.parse::<EmployeeId>().ok();
    let kind = parse_kind(&form.kind);
    let (Some(employee), Some(kind)) = (employee, kind) else {
        return refuse(req, &state, &user, &form).await;
    };
    let new = NewReference {
        employee,
        kind,
        private: form.private.is_some(),
    };
    match state
        .references()
        .create(&user.caller.actor, new, user.caller.ip)
        .await
    {
        Ok(view) => redirect(&format!("/references/{}?done=created", view.reference.id)),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status() == StatusCode::UNPROCESSABLE_ENTITY || e.status() == StatusCode::NOT_FOUND
            {
                refuse(req, &state, &user, &form).await
            } else {
                failure(req, &e)
            }
        }
    }
}
