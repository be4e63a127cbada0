//! Deletion policies: which references, employee records and audit entries are due
//! for deletion, as pure functions of (records, settings, now).
//!
//! * A reference is due when its age — the time since its last status change, which
//!   for an issued reference is its issue — exceeds the period set for its kind
//!   (interim and final separately). A reference still moving through the workflow
//!   is therefore not deleted under someone's hands. No period, no deletion.
//! * An employee record is due once the configured number of months after its exit
//!   date has passed (on that calendar day or later; month ends are clamped, so
//!   31 January + 1 month is 28/29 February) — unless a reference still names the
//!   employee (as subject or signatory): such records are kept and the reason is
//!   reported.
//! * Audit entries are due when older than the audit retention (60 days by default).
//!
//! ```
//! use time::macros::date;
//! use zeugnis_core::id::EmployeeId;
//! use zeugnis_core::retention::*;
//!
//! let today = date!(2025 - 02 - 28);
//! let anna = EmployeeFacts { id: EmployeeId::from_bytes([1; 16]), exit_date: Some(date!(2024 - 02 - 29)) };
//! let decision = employees_due([&anna], &Default::default(), Some(12), today);
//! assert_eq!(decision.due, vec![anna.id]);
//! ```

use std::collections::BTreeSet;
use std::num::NonZeroU16;

use time::{Date, Duration, Month};

use crate::id::{AuditEntryId, EmployeeId, ReferenceId};
use crate::reference::ReferenceKind;
use crate::settings::{Days, PrivacySettings};
use crate::values::Timestamp;

/// A retention period in days or calendar months; never zero (a zero period
/// would delete records the moment they exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetentionPeriod {
    /// A number of days.
    Days(NonZeroU16),
    /// A number of calendar months.
    Months(NonZeroU16),
}

impl RetentionPeriod {
    /// `n` days, or `None` for zero.
    #[must_use]
    pub const fn days(n: u16) -> Option<Self> {
        match NonZeroU16::new(n) {
            Some(n) => Some(Self::Days(n)),
            None => None,
        }
    }

    /// `n` calendar months, or `None` for zero.
    #[must_use]
    pub const fn months(n: u16) -> Option<Self> {
        match NonZeroU16::new(n) {
            Some(n) => Some(Self::Months(n)),
            None => None,
        }
    }

    /// The instant `self` after `start` (months are calendar months with the day
    /// clamped to the month's end; the time of day is kept).
    #[must_use]
    pub fn after(self, start: Timestamp) -> Timestamp {
        match self {
            RetentionPeriod::Days(d) => start.saturating_add(Duration::days(i64::from(d.get()))),
            RetentionPeriod::Months(m) => {
                let date = add_months(start.date(), u32::from(m.get()));
                Timestamp::new(date, start.time())
            }
        }
    }
}

/// `date` plus `months` calendar months, the day clamped to the target month's
/// length (31 Jan + 1 = 28/29 Feb; 29 Feb + 12 = 28 Feb). Saturates at the largest
/// representable date.
#[must_use]
pub fn add_months(date: Date, months: u32) -> Date {
    let month0 = i64::from(u8::from(date.month())) - 1;
    let total = i64::from(date.year()) * 12 + month0 + i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).unwrap_or(i32::MAX);
    let month_index = u8::try_from(total.rem_euclid(12) + 1).unwrap_or(12);
    let Ok(month) = Month::try_from(month_index) else {
        return Date::MAX;
    };
    let last_day = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last_day)).unwrap_or(Date::MAX)
}

/// The facts about a reference that retention looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferenceFacts {
    /// The reference.
    pub id: ReferenceId,
    /// Interim or final.
    pub kind: ReferenceKind,
    /// When its status last changed (for an issued reference: its issue).
    pub since: Timestamp,
}

/// The references due for deletion.
pub fn references_due<'a>(
    references: impl IntoIterator<Item = &'a ReferenceFacts>,
    settings: &PrivacySettings,
    now: Timestamp,
) -> Vec<ReferenceId> {
    references
        .into_iter()
        .filter(|r| {
            let period = match r.kind {
                ReferenceKind::Interim => settings.interim_reference_retention,
                ReferenceKind::Final => settings.final_reference_retention,
            };
            period.is_some_and(|p| now > p.after(r.since))
        })
        .map(|r| r.id)
        .collect()
}

/// The facts about an employee record that retention looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmployeeFacts {
    /// The employee.
    pub id: EmployeeId,
    /// The exit date, if the employee left.
    pub exit_date: Option<Date>,
}

/// Why an employee record past its period is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeepReason {
    /// A reference still names the employee (as subject or signatory).
    NamedByReference,
}

/// The outcome of the employee policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmployeeDecision {
    /// Records to delete.
    pub due: Vec<EmployeeId>,
    /// Records past their period that must be kept, with the reason.
    pub kept: Vec<(EmployeeId, KeepReason)>,
}

/// The employee records due for deletion `months_after_exit` months after exit.
/// `named` holds every employee still named by a reference that remains.
pub fn employees_due<'a>(
    employees: impl IntoIterator<Item = &'a EmployeeFacts>,
    named: &BTreeSet<EmployeeId>,
    months_after_exit: Option<u16>,
    today: Date,
) -> EmployeeDecision {
    let mut decision = EmployeeDecision::default();
    let Some(months) = months_after_exit else {
        return decision;
    };
    for e in employees {
        let Some(exit) = e.exit_date else { continue };
        if today < add_months(exit, u32::from(months)) {
            continue;
        }
        if named.contains(&e.id) {
            decision.kept.push((e.id, KeepReason::NamedByReference));
        } else {
            decision.due.push(e.id);
        }
    }
    decision
}

/// Audit entries created before this instant are past retention.
#[must_use]
pub fn audit_cutoff(retention: Days, now: Timestamp) -> Timestamp {
    now.saturating_sub(retention.duration())
}

/// The audit entries past retention, for stores that hand over entries one by one.
pub fn audit_entries_due<'a>(
    entries: impl IntoIterator<Item = &'a (AuditEntryId, Timestamp)>,
    retention: Days,
    now: Timestamp,
) -> Vec<AuditEntryId> {
    let cutoff = audit_cutoff(retention, now);
    entries
        .into_iter()
        .filter(|(_, at)| *at < cutoff)
        .map(|(id, _)| *id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn month_ends_are_clamped() {
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2023 - 01 - 31), 1), date!(2023 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 08 - 31), 1), date!(2024 - 09 - 30));
        assert_eq!(add_months(date!(2024 - 12 - 15), 1), date!(2025 - 01 - 15));
        assert_eq!(add_months(date!(2024 - 03 - 31), 11), date!(2025 - 02 - 28));
    }

    #[test]
    fn a_leap_day_exit_is_due_on_the_28th_of_february_a_year_later() {
        let e = EmployeeFacts {
            id: EmployeeId::from_bytes([1; 16]),
            exit_date: Some(date!(2024 - 02 - 29)),
        };
        let named = BTreeSet::new();
        assert!(
            employees_due([&e], &named, Some(12), date!(2025 - 02 - 27))
                .due
                .is_empty()
        );
        assert_eq!(
            employees_due([&e], &named, Some(12), date!(2025 - 02 - 28)).due,
            vec![e.id]
        );
        assert_eq!(
            employees_due([&e], &named, Some(48), date!(2028 - 02 - 29)).due,
            vec![e.id]
        );
        assert!(
            employees_due([&e], &named, Some(48), date!(2028 - 02 - 28))
                .due
                .is_empty()
        );
    }

    #[test]
    fn an_employee_named_by_a_reference_is_kept_with_the_reason() {
        let e = EmployeeFacts {
            id: EmployeeId::from_bytes([1; 16]),
            exit_date: Some(date!(2020 - 01 - 01)),
        };
        let named: BTreeSet<_> = [e.id].into_iter().collect();
        let d = employees_due([&e], &named, Some(6), date!(2025 - 01 - 01));
        assert!(d.due.is_empty());
        assert_eq!(d.kept, vec![(e.id, KeepReason::NamedByReference)]);
    }

    #[test]
    fn employees_without_exit_date_or_without_a_setting_are_never_due() {
        let e = EmployeeFacts {
            id: EmployeeId::from_bytes([1; 16]),
            exit_date: None,
        };
        assert!(
            employees_due([&e], &BTreeSet::new(), Some(1), date!(2099 - 01 - 01))
                .due
                .is_empty()
        );
        let e = EmployeeFacts {
            id: EmployeeId::from_bytes([1; 16]),
            exit_date: Some(date!(2000 - 01 - 01)),
        };
        assert!(
            employees_due([&e], &BTreeSet::new(), None, date!(2099 - 01 - 01))
                .due
                .is_empty()
        );
    }

    #[test]
    fn references_are_due_only_strictly_after_their_period() {
        let created = datetime!(2024 - 01 - 31 10:00).as_utc();
        let r = ReferenceFacts {
            id: ReferenceId::from_bytes([1; 16]),
            kind: ReferenceKind::Final,
            since: created,
        };
        let s = PrivacySettings {
            final_reference_retention: RetentionPeriod::months(1),
            ..Default::default()
        };
        let boundary = datetime!(2024 - 02 - 29 10:00).as_utc();
        assert!(references_due([&r], &s, boundary).is_empty());
        assert_eq!(
            references_due([&r], &s, boundary + Duration::seconds(1)),
            vec![r.id]
        );
        let interim_only = PrivacySettings {
            interim_reference_retention: RetentionPeriod::days(1),
            ..Default::default()
        };
        assert!(references_due([&r], &interim_only, boundary + Duration::days(999)).is_empty());
    }

    #[test]
    fn audit_entries_older_than_sixty_days_are_due() {
        let now = datetime!(2025 - 03 - 01 00:00).as_utc();
        let old = (
            AuditEntryId::from_bytes([1; 16]),
            now - Duration::days(60) - Duration::seconds(1),
        );
        let edge = (AuditEntryId::from_bytes([2; 16]), now - Duration::days(60));
        let retention = PrivacySettings::default().audit_retention;
        assert_eq!(
            audit_entries_due([&old, &edge], retention, now),
            vec![old.0]
        );
    }
}
