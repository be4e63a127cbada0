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
use zeugnis_core::ports::{Cursor, PageRequest, ReferenceQuery};
use zeugnis_core::reference::{ReferenceKind, ReferenceStatus};
use zeugnis_core::services::references::{Holder, NewReference, OverviewLine};

use super::i18n::Tr;
use super::overview::{kind_label, status_label};
use super::page::{Chrome, PageUser, redirect};
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
    kind: String,
    status: String,
    status_key: &'static str,
    holder: String,
    waiting: String,
    created: String,
    private: bool,
    id: String,
}

struct EmployeeChoice {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "references.html")]
struct ListPage {
    c: Chrome,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    q: String,
    rows: Vec<Row>,
    filtered: bool,
    next_href: Option<String>,
    can_write: bool,
    employees: Vec<EmployeeChoice>,
    new_kinds: Vec<Choice>,
    form_error: Option<String>,
}

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
        kind: kind_label(t, s.kind),
        status: status_label(t, s.status),
        status_key: s.status.key(),
        holder,
        waiting: t.count(
            "overview-days",
            u64::try_from(l.waiting_seconds / 86_400).unwrap_or_default(),
        ),
        created: user.date(s.created_at),
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
    form_error: Option<String>,
) -> Result<ListPage, ApiError> {
    let t = user.t;
    let status = parse_status(&query.status);
    let kind = parse_kind(&query.kind);
    let filter = ReferenceQuery {
        status,
        kind,
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
    let can_write = user.caller.role.permissions().allows(
        zeugnis_core::access::Area::Employees,
        zeugnis_core::access::AccessLevel::ReadWrite,
    );
    let mut employees = Vec::new();
    if can_write {
        let page = state
            .employees()
            .list(actor, PageRequest::new(None, PageRequest::MAX_LIMIT))
            .await?;
        employees = page
            .items
            .iter()
            .map(|e| {
                let p = &e.personal;
                EmployeeChoice {
                    id: e.id.to_string(),
                    name: format!("{}, {}", p.last_name.as_str(), p.first_name.as_str()),
                }
            })
            .collect();
        employees.sort_by_key(|e| e.name.to_lowercase());
    }
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
        filtered: status.is_some() || kind.is_some() || !q.is_empty(),
        next_href: next.map(|cursor| {
            format!(
                "/references?status={}&kind={}&after={}",
                status.map_or("", ReferenceStatus::key),
                kind.map_or("", ReferenceKind::key),
                super::page::encode_next(&cursor)
            )
        }),
        can_write,
        employees,
        new_kinds: kind_choices(t, Some(ReferenceKind::Final)),
        form_error,
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
    match list_page(req, &state, &user, &query, None).await {
        Ok(page) => render(req, StatusCode::OK, &page),
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
}

/// The list again, with the new-reference form open and what to choose.
async fn refuse(req: &Request, state: &Arc<AppState>, user: &PageUser) -> Response {
    let message = user.t.t("references-new-choose");
    match list_page(req, state, user, &ListQuery::default(), Some(message)).await {
        Ok(page) => render(req, StatusCode::UNPROCESSABLE_ENTITY, &page),
        Err(e) => failure(req, &e),
    }
}

/// Creates a reference and shows the list with a confirmation.
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
        return refuse(req, &state, &user).await;
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
                refuse(req, &state, &user).await
            } else {
                failure(req, &e)
            }
        }
    }
}
