//! Übersicht: the references counted per status, those waiting on someone
//! (overdue ones marked), and the user's own drafts. The core decides what
//! the user sees and what is overdue; the page only shows it.

use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Query};
use poem::{Request, Response, handler};
use zeugnis_core::reference::{ReferenceKind, ReferenceStatus};
use zeugnis_core::services::references::{Holder, OverviewLine};

use super::i18n::Tr;
use super::page::{Chrome, PageUser};
use super::{failure, render, require_user};
use crate::api::error::ApiError;
use crate::state::AppState;

/// The label of a status.
#[must_use]
pub fn status_label(t: Tr, status: ReferenceStatus) -> String {
    t.t(&format!("status-{}", status.key().replace('_', "-")))
}

/// The label of a kind.
#[must_use]
pub fn kind_label(t: Tr, kind: ReferenceKind) -> String {
    t.t(&format!("kind-{}", kind.key()))
}

/// A count of the overview.
struct Count {
    key: &'static str,
    label: String,
    count: u64,
}

/// A line of a list of the overview.
struct Line {
    id: String,
    employee: String,
    kind: String,
    status: String,
    holder: String,
    since: String,
    days: String,
    overdue: bool,
    /// The open handover a reminder can go to.
    remind: Option<String>,
}

impl Line {
    fn of(user: &PageUser, l: &OverviewLine, overdue: bool) -> Self {
        let t = user.t;
        let s = &l.summary;
        let (holder, since, remind) = match &l.holder {
            Holder::Recipient {
                name,
                since,
                handover,
            } => (name.as_str().to_owned(), *since, Some(handover.to_string())),
            Holder::Hr => (t.t("holder-hr"), s.status_since, None),
        };
        let days = u64::try_from(l.waiting_seconds / 86_400).unwrap_or_default();
        Self {
            id: s.id.to_string(),
            employee: l
                .employee_name
                .clone()
                .unwrap_or_else(|| t.t("employee-gone")),
            kind: kind_label(t, s.kind),
            status: status_label(t, s.status),
            holder,
            since: user.date(since),
            days: t.count("overview-days", days),
            overdue,
            remind,
        }
    }
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    c: Chrome,
    greeting: String,
    counts: Vec<Count>,
    waiting: Vec<Line>,
    drafts: Vec<Line>,
    overdue_note: String,
}

/// The overview's query: a finished step to confirm.
#[derive(Debug, Default, serde::Deserialize)]
pub struct OverviewQuery {
    done: Option<String>,
}

/// The overview (`/`); without a session, the login.
#[handler]
pub(crate) async fn page(
    req: &Request,
    state: Data<&Arc<AppState>>,
    query: Query<OverviewQuery>,
) -> Response {
    let user = match require_user(req, &state).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let t = user.t;
    let mut c = Chrome::of(req, &user, "overview-title", "/");
    match query.done.as_deref() {
        Some("reminded") => c = c.with_flash("success", t.t("reminder-sent")),
        Some("remind-later") => c = c.with_flash("info", t.t("reminder-today")),
        _ => {}
    }
    let dashboard = match state.references().dashboard(&user.caller.actor).await {
        Ok(d) => d,
        Err(e) => {
            let e = ApiError::from(e);
            if e.status() == StatusCode::FORBIDDEN {
                // No access to references: the overview says so instead of failing.
                c = c.with_flash("info", t.t("overview-no-access"));
                let page = OverviewPage {
                    greeting: t.t1(
                        "overview-greeting",
                        "name",
                        user.caller.user.first_name.as_str(),
                    ),
                    c,
                    counts: Vec::new(),
                    waiting: Vec::new(),
                    drafts: Vec::new(),
                    overdue_note: String::new(),
                };
                return render(req, StatusCode::OK, &page);
            }
            return failure(req, &e);
        }
    };
    let page = OverviewPage {
        greeting: t.t1(
            "overview-greeting",
            "name",
            user.caller.user.first_name.as_str(),
        ),
        counts: dashboard
            .counts
            .iter()
            .map(|(status, count)| Count {
                key: status.key(),
                label: status_label(t, *status),
                count: *count,
            })
            .collect(),
        waiting: dashboard
            .waiting
            .iter()
            .map(|w| Line::of(&user, &w.line, w.overdue))
            .collect(),
        drafts: dashboard
            .my_drafts
            .iter()
            .map(|l| Line::of(&user, l, false))
            .collect(),
        overdue_note: t.count(
            "overview-overdue-note",
            u64::from(dashboard.overdue_after_days),
        ),
        c,
    };
    render(req, StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;

    #[test]
    fn every_status_and_kind_has_a_label_in_both_languages() {
        for lang in Lang::ALL {
            let t = Tr::new(lang);
            for status in ReferenceStatus::ALL {
                let label = status_label(t, status);
                assert!(
                    !label.starts_with("status-"),
                    "{status:?} in {}",
                    lang.code()
                );
            }
            for kind in [ReferenceKind::Interim, ReferenceKind::Final] {
                assert!(!kind_label(t, kind).starts_with("kind-"), "{kind:?}");
            }
        }
        assert_eq!(
            status_label(Tr::new(Lang::De), ReferenceStatus::WithSupervisor),
            "Bei Vorgesetzten"
        );
        assert_eq!(
            status_label(Tr::new(Lang::En), ReferenceStatus::WithSupervisor),
            "With the supervisor"
        );
    }
}
