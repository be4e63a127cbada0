//! Employee master data.
//!
//! Personal data (names, birth data, contact) is encrypted at rest by the storage
//! adapter; the organisational attributes in [`OrgAttributes`] stay searchable because
//! reference access scopes filter on them.

use crate::id::{EmployeeId, TenantId};
use crate::values::{Date, Email, Name};

/// How the employee is addressed. `None` writes the reference without gendered
/// wording (the name instead of er/sie), for diverse employees or by choice.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Salutation {
    /// Herr (he).
    Herr,
    /// Frau (she).
    Frau,
    /// No salutation: no gendered wording.
    #[default]
    None,
}

/// One organisational value (a company, location, department, unit or employee
/// type): a trimmed single line, compared exactly.
pub type OrgValue = Name;

/// The organisational attributes that reference access scopes filter on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct OrgAttributes {
    /// Company (Unternehmen).
    pub company: Option<OrgValue>,
    /// Location (Standort).
    pub location: Option<OrgValue>,
    /// Department (Abteilung).
    pub department: Option<OrgValue>,
    /// Organisational unit (Organisationseinheit).
    pub unit: Option<OrgValue>,
    /// Employee type (Arbeitnehmertyp).
    pub employee_type: Option<OrgValue>,
}

/// The employee's personal data (encrypted at rest). `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PersonalData {
    /// Herr, Frau or none.
    pub salutation: Salutation,
    /// First name.
    pub first_name: Name,
    /// Last name.
    pub last_name: Name,
    /// Title or academic degree, e.g. "Dr.".
    pub title: Option<Name>,
    /// Date of birth.
    pub birth_date: Option<Date>,
    /// Place of birth.
    pub birth_place: Option<Name>,
}

/// Contact data (encrypted at rest). `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    /// Street and number.
    pub street: Option<Name>,
    /// Postcode.
    pub postcode: Option<Name>,
    /// City.
    pub city: Option<Name>,
    /// E-mail address.
    pub email: Option<Email>,
}

/// Why an employment ends or an interim reference is issued; the closing formula
/// of the reference depends on it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IssueReason {
    /// The employee resigned (Eigenkündigung).
    EmployeeResignation,
    /// The employer terminated, e.g. for operational reasons.
    EmployerTermination,
    /// Ended by mutual agreement (Aufhebungsvertrag).
    MutualAgreement,
    /// A fixed-term contract ended.
    FixedTermEnd,
    /// Retirement.
    Retirement,
    /// Interim: a change of supervisor.
    ChangeOfSupervisor,
    /// Interim: a reorganisation or change of position.
    Reorganisation,
    /// Interim: the employee asked for it.
    EmployeeRequest,
    /// Another reason.
    Other,
}

/// A period in which the employment was interrupted (e.g. parental leave).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Interruption {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// Reason as free text.
    pub reason: Option<Name>,
}

/// A power of attorney the employee held (Vollmacht), e.g. Prokura.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PowerOfAttorney {
    /// Kind, e.g. "Prokura", "Handlungsvollmacht".
    pub kind: Name,
    /// Since when.
    pub since: Option<Date>,
}

/// Employment data. `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Employment {
    /// First day of employment.
    pub entry_date: Option<Date>,
    /// Exit date (final reference) or issue date (interim reference).
    pub exit_date: Option<Date>,
    /// Why the employment ends / the reference is issued.
    pub exit_reason: Option<IssueReason>,
    /// Job descriptions (titles held).
    pub job_descriptions: Vec<Name>,
    /// Interruptions.
    pub interruptions: Vec<Interruption>,
    /// Powers of attorney.
    pub powers_of_attorney: Vec<PowerOfAttorney>,
}

macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), "(redacted)"))
            }
        }
    )*};
}

redacted_debug!(PersonalData, Contact, Employment);

/// Inconsistent employee data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EmployeeError {
    /// The exit date lies before the entry date.
    #[error("the exit date must not be before the entry date")]
    ExitBeforeEntry,
    /// An interruption ends before it starts.
    #[error("an interruption must not end before it starts")]
    InterruptionReversed,
    /// The date of birth lies after the entry date.
    #[error("the date of birth must be before the entry date")]
    BornAfterEntry,
}

impl EmployeeError {
    /// The field the error belongs to (as the API names it).
    #[must_use]
    pub const fn field(self) -> &'static str {
        match self {
            EmployeeError::ExitBeforeEntry => "exit_date",
            EmployeeError::InterruptionReversed => "interruptions",
            EmployeeError::BornAfterEntry => "birth_date",
        }
    }
}

/// An employee master record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Employee {
    /// The employee's id.
    pub id: EmployeeId,
    /// The tenant.
    pub tenant: TenantId,
    /// Personal data.
    pub personal: PersonalData,
    /// Contact data.
    pub contact: Contact,
    /// Employment data.
    pub employment: Employment,
    /// Organisational attributes (plain, indexed, drive scopes).
    pub org: OrgAttributes,
}

impl Employee {
    /// Checks the record's dates for consistency.
    ///
    /// # Errors
    /// The first [`EmployeeError`] found.
    pub fn validate(&self) -> Result<(), EmployeeError> {
        let e = &self.employment;
        if let (Some(entry), Some(exit)) = (e.entry_date, e.exit_date)
            && exit < entry
        {
            return Err(EmployeeError::ExitBeforeEntry);
        }
        if let (Some(born), Some(entry)) = (self.personal.birth_date, e.entry_date)
            && born >= entry
        {
            return Err(EmployeeError::BornAfterEntry);
        }
        if e.interruptions.iter().any(|i| i.to < i.from) {
            return Err(EmployeeError::InterruptionReversed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn employee() -> Employee {
        Employee {
            id: EmployeeId::from_bytes([1; 16]),
            tenant: TenantId::from_bytes([2; 16]),
            personal: PersonalData {
                salutation: Salutation::Frau,
                first_name: Name::new("Jürgen").unwrap(),
                last_name: Name::new("Weiß").unwrap(),
                title: None,
                birth_date: Some(date!(1990 - 02 - 28)),
                birth_place: None,
            },
            contact: Contact::default(),
            employment: Employment {
                entry_date: Some(date!(2015 - 04 - 01)),
                exit_date: Some(date!(2024 - 03 - 31)),
                ..Employment::default()
            },
            org: OrgAttributes::default(),
        }
    }

    #[test]
    fn consistent_dates_are_accepted() {
        assert_eq!(employee().validate(), Ok(()));
    }

    #[test]
    fn exit_before_entry_is_refused() {
        let mut e = employee();
        e.employment.exit_date = Some(date!(2015 - 03 - 31));
        assert_eq!(e.validate(), Err(EmployeeError::ExitBeforeEntry));
    }

    #[test]
    fn reversed_interruption_is_refused() {
        let mut e = employee();
        e.employment.interruptions.push(Interruption {
            from: date!(2020 - 05 - 01),
            to: date!(2020 - 04 - 30),
            reason: None,
        });
        assert_eq!(e.validate(), Err(EmployeeError::InterruptionReversed));
    }

    #[test]
    fn debug_output_shows_no_personal_data() {
        let text = format!("{:?}", employee());
        for personal in ["Jürgen", "Weiß", "1990", "Frau", "2015", "2024"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }
}
