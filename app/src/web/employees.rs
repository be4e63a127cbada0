//! Mitarbeiter: the employee records the user may see, with a name search
//! and key pagination. The core decides what is visible
//! (`EmployeeService::list` and `search`, through the visibility filter).

use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use zeugnis_core::employee::Employee;
use zeugnis_core::ports::{Cursor, PageRequest};

use super::page::{Chrome, Labels, PageUser};
use super::places::{PlaceFilter, Places};
use super::{failure, render, require_user};
use crate::api::error::ApiError;
use crate::state::AppState;

/// How many employees a page of the list shows.
const PAGE: u16 = 50;

/// The list's query.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    department: String,
    after: Option<String>,
    /// A finished step to confirm (`deleted`).
    done: Option<String>,
}

pub(super) struct Row {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) organisation: String,
    pub(super) entry: String,
    exit: String,
}

#[derive(Template)]
#[template(path = "employees.html")]
struct ListPage {
    c: Chrome,
    q: String,
    q_error: Option<String>,
    places: Vec<PlaceFilter>,
    filtered: bool,
    rows: Vec<Row>,
    /// The column names, repeated on each row for narrow screens.
    cols: Labels,
    next_href: Option<String>,
    can_write: bool,
}

pub(super) fn row(user: &PageUser, e: &Employee) -> Row {
    let p = &e.personal;
    let org = &e.org;
    let organisation = [&org.company, &org.department, &org.location]
        .into_iter()
        .flatten()
        .map(|v| v.as_str().to_owned())
        .collect::<Vec<_>>()
        .join(" · ");
    let date = |d: Option<time::Date>| d.map(|d| user.t.date(d)).unwrap_or_default();
    Row {
        id: e.id.to_string(),
        name: format!("{}, {}", p.last_name.as_str(), p.first_name.as_str()),
        organisation,
        entry: date(e.employment.entry_date),
        exit: date(e.employment.exit_date),
    }
}

async fn page_of(
    req: &Request,
    state: &AppState,
    user: &PageUser,
    query: &ListQuery,
) -> Result<ListPage, ApiError> {
    let t = user.t;
    let actor = &user.caller.actor;
    let q = query.q.trim();
    let short = !q.is_empty() && q.chars().count() < 2;
    let chosen = Places::parse(&query.company, &query.location, &query.department);
    let at = chosen.pairs();
    let (found, next) = if q.is_empty() || short {
        let page = state
            .employees()
            .list_at(
                actor,
                &at,
                PageRequest::new(query.after.clone().map(Cursor), PAGE),
            )
            .await?;
        (page.items, page.next.map(|c| c.0))
    } else {
        (
            state.employees().search_at(actor, q, &at, PAGE).await?,
            None,
        )
    };
    let places = chosen.filters(state, user).await?;
    let mut c = Chrome::of(req, user, "employees-title", "/employees");
    if query.done.as_deref() == Some("deleted") {
        c = c.with_flash("success", t.t("employee-deleted"));
    }
    Ok(ListPage {
        c,
        can_write: user.caller.role.permissions().allows(
            zeugnis_core::access::Area::Employees,
            zeugnis_core::access::AccessLevel::ReadWrite,
        ),
        q: q.to_owned(),
        q_error: short.then(|| t.t("search-too-short")),
        places,
        filtered: chosen.any() || !q.is_empty(),
        rows: found.iter().map(|e| row(user, e)).collect(),
        cols: Labels::of(
            t,
            &[
                "account-name",
                "employees-organisation",
                "employees-entry",
                "employees-exit",
            ],
        ),
        next_href: next.map(|c| {
            format!(
                "/employees?{}&after={}",
                chosen.query(),
                super::page::encode_next(&c)
            )
        }),
    })
}

/// The list of employees.
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
    match page_of(req, &state, &user, &query).await {
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
