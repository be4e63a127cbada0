//! Employee master data (area Employees): list, read, create, change, delete.
//! Only employees inside the caller's reference access scope exist for them.

use std::str::FromStr as _;

use poem::Request;
use poem::http::StatusCode;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use zeugnis_core::employee::{
    Contact, Employee, Employment, Interruption, OrgAttributes, PersonalData, PowerOfAttorney,
};
use zeugnis_core::id::EmployeeId;
use zeugnis_core::ports::{Cursor, PageRequest, Version};
use zeugnis_core::services::employees::EmployeeInput;
use zeugnis_core::values::{Date, Email, Name};

use super::Done;
use super::auth::Caller;
use super::error::ApiError;

#[derive(Tags)]
enum Tag {
    /// Employee master data (area Employees).
    Employees,
}

/// A period the employment was interrupted.
#[derive(Debug, Clone, Object)]
pub(crate) struct InterruptionBody {
    /// First day, `YYYY-MM-DD`.
    from: String,
    /// Last day, `YYYY-MM-DD`.
    to: String,
    /// Why (e.g. "Elternzeit").
    #[oai(skip_serializing_if_is_none)]
    reason: Option<String>,
}

/// A power of attorney.
#[derive(Debug, Clone, Object)]
pub(crate) struct PowerBody {
    /// Its kind, e.g. "Prokura".
    kind: String,
    /// Since, `YYYY-MM-DD`.
    #[oai(skip_serializing_if_is_none)]
    since: Option<String>,
}

/// An employee's data, as entered and as shown. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, Object)]
pub(crate) struct EmployeeBody {
    /// `herr`, `frau` or `none` (no gendered wording).
    salutation: Option<String>,
    /// First name.
    first_name: String,
    /// Last name.
    last_name: String,
    /// Title or academic degree, e.g. "Dr.".
    #[oai(skip_serializing_if_is_none)]
    title: Option<String>,
    /// Date of birth.
    #[oai(skip_serializing_if_is_none)]
    birth_date: Option<String>,
    /// Place of birth.
    #[oai(skip_serializing_if_is_none)]
    birth_place: Option<String>,
    /// Street.
    #[oai(skip_serializing_if_is_none)]
    street: Option<String>,
    /// Postcode.
    #[oai(skip_serializing_if_is_none)]
    postcode: Option<String>,
    /// City.
    #[oai(skip_serializing_if_is_none)]
    city: Option<String>,
    /// E-mail address.
    #[oai(skip_serializing_if_is_none)]
    email: Option<String>,
    /// Entry date.
    #[oai(skip_serializing_if_is_none)]
    entry_date: Option<String>,
    /// Exit date (or the issue date of an interim reference).
    #[oai(skip_serializing_if_is_none)]
    exit_date: Option<String>,
    /// Exit or issue reason: `employee_resignation`, `employer_termination`,
    /// `mutual_agreement`, `fixed_term_end`, `retirement`,
    /// `change_of_supervisor`, `reorganisation`, `employee_request`, `other`.
    #[oai(skip_serializing_if_is_none)]
    exit_reason: Option<String>,
    /// Job descriptions (the first is the position a new reference starts with).
    #[oai(default)]
    job_descriptions: Vec<String>,
    /// Interruptions.
    #[oai(default)]
    interruptions: Vec<InterruptionBody>,
    /// Powers of attorney.
    #[oai(default)]
    powers_of_attorney: Vec<PowerBody>,
    /// Company (Unternehmen); scopes filter on it.
    #[oai(skip_serializing_if_is_none)]
    company: Option<String>,
    /// Location (Standort).
    #[oai(skip_serializing_if_is_none)]
    location: Option<String>,
    /// Department (Abteilung).
    #[oai(skip_serializing_if_is_none)]
    department: Option<String>,
    /// Organisational unit (Organisationseinheit).
    #[oai(skip_serializing_if_is_none)]
    unit: Option<String>,
    /// Employee type (Arbeitnehmertyp).
    #[oai(skip_serializing_if_is_none)]
    employee_type: Option<String>,
}

/// An employee.
#[derive(Debug, Object)]
pub(crate) struct EmployeeView {
    /// Id.
    id: String,
    /// Version: send it back as `version` when saving, so a concurrent change
    /// is refused instead of overwritten (absent in lists).
    #[oai(skip_serializing_if_is_none)]
    version: Option<u64>,
    /// The data.
    #[oai(flatten)]
    data: EmployeeBody,
}

/// An employee to save.
#[derive(Debug, Object)]
pub(crate) struct EmployeeUpdate {
    /// The version read (optional; without it the last save wins).
    version: Option<u64>,
    /// The data (replaces all of it).
    #[oai(flatten)]
    data: EmployeeBody,
}

/// A page of employees.
#[derive(Debug, Object)]
pub(crate) struct EmployeePage {
    /// The employees, ordered by id.
    items: Vec<EmployeeView>,
    /// Pass as `after` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next: Option<String>,
}

#[derive(ApiResponse)]
enum CreatedEmployee {
    /// Created.
    #[oai(status = 201)]
    Created(Json<EmployeeView>),
}

/// A machine key of a core enum (its serde name).
pub(crate) fn key_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Parses a machine key into a core enum.
pub(crate) fn parse_key<T: serde::de::DeserializeOwned>(
    field: &str,
    raw: &str,
    allowed: &str,
) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(raw.to_owned())).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!("\"{raw}\" is not valid here; use one of: {allowed}"),
        )
        .field(field)
    })
}

/// A date `YYYY-MM-DD`.
pub(crate) fn date(field: &str, raw: &str) -> Result<Date, ApiError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw.trim(), &format).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!("\"{raw}\" is not a date; write it as YYYY-MM-DD"),
        )
        .field(field)
    })
}

/// A date as `YYYY-MM-DD`.
pub(crate) fn date_str(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn name(field: &str, raw: &str) -> Result<Name, ApiError> {
    Name::new(raw).map_err(|e| ApiError::invalid(field, &e))
}

fn opt_name(field: &str, raw: Option<&String>) -> Result<Option<Name>, ApiError> {
    raw.map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| name(field, s))
        .transpose()
}

fn opt_date(field: &str, raw: Option<&String>) -> Result<Option<Date>, ApiError> {
    raw.map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| date(field, s))
        .transpose()
}

fn text(n: Option<&Name>) -> Option<String> {
    n.map(|n| n.as_str().to_owned())
}

const REASONS: &str = "employee_resignation, employer_termination, mutual_agreement, fixed_term_end, retirement, change_of_supervisor, reorganisation, employee_request, other";

impl EmployeeBody {
    fn to_input(&self) -> Result<EmployeeInput, ApiError> {
        let salutation = match self.salutation.as_deref().map(str::trim) {
            None | Some("") => zeugnis_core::employee::Salutation::None,
            Some(s) => parse_key("salutation", s, "herr, frau, none")?,
        };
        Ok(EmployeeInput {
            personal: PersonalData {
                salutation,
                first_name: name("first_name", &self.first_name)?,
                last_name: name("last_name", &self.last_name)?,
                title: opt_name("title", self.title.as_ref())?,
                birth_date: opt_date("birth_date", self.birth_date.as_ref())?,
                birth_place: opt_name("birth_place", self.birth_place.as_ref())?,
            },
            contact: Contact {
                street: opt_name("street", self.street.as_ref())?,
                postcode: opt_name("postcode", self.postcode.as_ref())?,
                city: opt_name("city", self.city.as_ref())?,
                email: self
                    .email
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|e| Email::parse(e).map_err(|err| ApiError::invalid("email", &err)))
                    .transpose()?,
            },
            employment: Employment {
                entry_date: opt_date("entry_date", self.entry_date.as_ref())?,
                exit_date: opt_date("exit_date", self.exit_date.as_ref())?,
                exit_reason: self
                    .exit_reason
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|r| parse_key("exit_reason", r, REASONS))
                    .transpose()?,
                job_descriptions: self
                    .job_descriptions
                    .iter()
                    .map(|j| name("job_descriptions", j))
                    .collect::<Result<_, _>>()?,
                interruptions: self
                    .interruptions
                    .iter()
                    .map(|i| {
                        Ok(Interruption {
                            from: date("interruptions.from", &i.from)?,
                            to: date("interruptions.to", &i.to)?,
                            reason: opt_name("interruptions.reason", i.reason.as_ref())?,
                        })
                    })
                    .collect::<Result<_, ApiError>>()?,
                powers_of_attorney: self
                    .powers_of_attorney
                    .iter()
                    .map(|p| {
                        Ok(PowerOfAttorney {
                            kind: name("powers_of_attorney.kind", &p.kind)?,
                            since: opt_date("powers_of_attorney.since", p.since.as_ref())?,
                        })
                    })
                    .collect::<Result<_, ApiError>>()?,
            },
            org: OrgAttributes {
                company: opt_name("company", self.company.as_ref())?,
                location: opt_name("location", self.location.as_ref())?,
                department: opt_name("department", self.department.as_ref())?,
                unit: opt_name("unit", self.unit.as_ref())?,
                employee_type: opt_name("employee_type", self.employee_type.as_ref())?,
            },
        })
    }

    fn of(e: &Employee) -> Self {
        let p = &e.personal;
        let c = &e.contact;
        let m = &e.employment;
        Self {
            salutation: Some(key_of(&p.salutation)),
            first_name: p.first_name.as_str().to_owned(),
            last_name: p.last_name.as_str().to_owned(),
            title: text(p.title.as_ref()),
            birth_date: p.birth_date.map(date_str),
            birth_place: text(p.birth_place.as_ref()),
            street: text(c.street.as_ref()),
            postcode: text(c.postcode.as_ref()),
            city: text(c.city.as_ref()),
            email: c.email.as_ref().map(|e| e.as_str().to_owned()),
            entry_date: m.entry_date.map(date_str),
            exit_date: m.exit_date.map(date_str),
            exit_reason: m.exit_reason.as_ref().map(key_of),
            job_descriptions: m
                .job_descriptions
                .iter()
                .map(|j| j.as_str().to_owned())
                .collect(),
            interruptions: m
                .interruptions
                .iter()
                .map(|i| InterruptionBody {
                    from: date_str(i.from),
                    to: date_str(i.to),
                    reason: text(i.reason.as_ref()),
                })
                .collect(),
            powers_of_attorney: m
                .powers_of_attorney
                .iter()
                .map(|p| PowerBody {
                    kind: p.kind.as_str().to_owned(),
                    since: p.since.map(date_str),
                })
                .collect(),
            company: text(e.org.company.as_ref()),
            location: text(e.org.location.as_ref()),
            department: text(e.org.department.as_ref()),
            unit: text(e.org.unit.as_ref()),
            employee_type: text(e.org.employee_type.as_ref()),
        }
    }
}

impl EmployeeView {
    fn of(e: &Employee, version: Option<Version>) -> Self {
        Self {
            id: e.id.to_string(),
            version: version.map(|v| v.0),
            data: EmployeeBody::of(e),
        }
    }
}

/// An employee id from the path; a malformed one is simply not found.
pub(crate) fn employee_id(raw: &str) -> Result<EmployeeId, ApiError> {
    EmployeeId::from_str(raw).map_err(|_| ApiError::not_found())
}

/// The employee endpoints.
pub(crate) struct EmployeeApi;

#[OpenApi(prefix_path = "/", tag = "Tag::Employees")]
impl EmployeeApi {
    /// The employees in the caller's scope (area Employees, read).
    #[oai(path = "/employees", method = "get")]
    async fn list(
        &self,
        req: &Request,
        caller: Caller,
        /// Continue after this position (from `next`).
        after: Query<Option<String>>,
        /// Page size, 1 to 500 (default 100).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u16>>,
    ) -> Result<Json<EmployeePage>, ApiError> {
        let state = super::auth::state(req)?;
        let page = state
            .employees()
            .list(
                &caller.actor,
                PageRequest::new(after.0.map(Cursor), limit.0.unwrap_or(100)),
            )
            .await?;
        Ok(Json(EmployeePage {
            items: page
                .items
                .iter()
                .map(|e| EmployeeView::of(e, None))
                .collect(),
            next: page.next.map(|c| c.0),
        }))
    }

    /// Creates an employee (area Employees, read+write) inside the caller's
    /// scope.
    #[oai(path = "/employees", method = "post")]
    async fn create(
        &self,
        req: &Request,
        caller: Caller,
        body: Json<EmployeeBody>,
    ) -> Result<CreatedEmployee, ApiError> {
        let state = super::auth::state(req)?;
        let input = body.0.to_input()?;
        let employee = state
            .employees()
            .create(&caller.actor, input, caller.ip)
            .await?;
        let stored = state.employees().get(&caller.actor, employee.id).await?;
        Ok(CreatedEmployee::Created(Json(EmployeeView::of(
            &stored.value,
            Some(stored.version),
        ))))
    }

    /// One employee (area Employees, read).
    #[oai(path = "/employees/:id", method = "get")]
    async fn get(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Json<EmployeeView>, ApiError> {
        let state = super::auth::state(req)?;
        let stored = state
            .employees()
            .get(&caller.actor, employee_id(&id.0)?)
            .await?;
        Ok(Json(EmployeeView::of(&stored.value, Some(stored.version))))
    }

    /// Replaces an employee's data (area Employees, read+write). New
    /// organisational attributes apply to the employee's references at once.
    #[oai(path = "/employees/:id", method = "put")]
    async fn update(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
        body: Json<EmployeeUpdate>,
    ) -> Result<Json<EmployeeView>, ApiError> {
        let state = super::auth::state(req)?;
        let input = body.0.data.to_input()?;
        let stored = state
            .employees()
            .update(
                &caller.actor,
                employee_id(&id.0)?,
                input,
                body.0.version.map(Version),
                caller.ip,
            )
            .await?;
        Ok(Json(EmployeeView::of(&stored.value, Some(stored.version))))
    }

    /// Deletes an employee record (area Employees, read+write); refused with
    /// `409 employee_referenced` while a reference names the employee.
    #[oai(path = "/employees/:id", method = "delete")]
    async fn delete(
        &self,
        req: &Request,
        caller: Caller,
        id: Path<String>,
    ) -> Result<Done, ApiError> {
        let state = super::auth::state(req)?;
        state
            .employees()
            .delete(&caller.actor, employee_id(&id.0)?, caller.ip)
            .await?;
        Ok(Done::Done)
    }
}
