//! Filters by a place in the organisation — company, location, department —
//! shared by the reference and the employee list: what was chosen, the
//! values the user's scope shows (`EmployeeService::org_values`), and the
//! query string a "next page" link carries on.

use zeugnis_core::employee::OrgValue;
use zeugnis_core::scope::Criterion;

use super::page::{PageUser, encode_next};
use crate::api::error::ApiError;
use crate::state::AppState;

/// One filter's select: its field, label and the values offered.
pub(crate) struct PlaceFilter {
    pub(crate) name: &'static str,
    pub(crate) label: String,
    pub(crate) choices: Vec<PlaceChoice>,
}

/// A value a place filter offers.
pub(crate) struct PlaceChoice {
    pub(crate) value: String,
    pub(crate) selected: bool,
}

/// The places chosen in a list's query; a value that cannot be one (blank,
/// too long, control characters) is no filter.
#[derive(Debug, Default, Clone)]
pub(crate) struct Places {
    pub(crate) company: Option<OrgValue>,
    pub(crate) location: Option<OrgValue>,
    pub(crate) department: Option<OrgValue>,
}

impl Places {
    /// The places of the query's three fields.
    pub(crate) fn parse(company: &str, location: &str, department: &str) -> Self {
        let place = |v: &str| OrgValue::new(v).ok();
        Self {
            company: place(company),
            location: place(location),
            department: place(department),
        }
    }

    fn each(&self) -> [(&'static str, Criterion, &Option<OrgValue>, &'static str); 3] {
        [
            ("company", Criterion::Company, &self.company, "col-company"),
            (
                "location",
                Criterion::Location,
                &self.location,
                "col-location",
            ),
            (
                "department",
                Criterion::Department,
                &self.department,
                "col-department",
            ),
        ]
    }

    /// Whether any place is chosen.
    pub(crate) fn any(&self) -> bool {
        self.each().iter().any(|(_, _, v, _)| v.is_some())
    }

    /// The chosen places as criterion and value.
    pub(crate) fn pairs(&self) -> Vec<(Criterion, OrgValue)> {
        self.each()
            .into_iter()
            .filter_map(|(_, c, v, _)| v.clone().map(|v| (c, v)))
            .collect()
    }

    /// `company=…&location=…&department=…`, encoded.
    pub(crate) fn query(&self) -> String {
        self.each()
            .iter()
            .map(|(name, _, v, _)| {
                format!(
                    "{name}={}",
                    encode_next(v.as_ref().map_or("", |v| v.as_str()))
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The selects, with the values the user's scope shows; a criterion
    /// without any value is left out.
    pub(crate) async fn filters(
        &self,
        state: &AppState,
        user: &PageUser,
    ) -> Result<Vec<PlaceFilter>, ApiError> {
        let values = state.employees().org_values(&user.caller.actor).await?;
        Ok(self
            .each()
            .into_iter()
            .map(|(name, criterion, chosen, label)| PlaceFilter {
                name,
                label: user.t.t(label),
                choices: values
                    .get(&criterion)
                    .into_iter()
                    .flatten()
                    .map(|v| PlaceChoice {
                        value: v.as_str().to_owned(),
                        selected: chosen.as_ref() == Some(v),
                    })
                    .collect(),
            })
            .filter(|f| !f.choices.is_empty())
            .collect())
    }
}
