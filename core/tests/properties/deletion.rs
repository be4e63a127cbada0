//! Deletion policies for employee records and references.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::sample::Index;
use time::{Date, Duration};
use zeugnis_core::id::{EmployeeId, ReferenceId};
use zeugnis_core::reference::ReferenceKind;
use zeugnis_core::retention::{
    EmployeeFacts, KeepReason, ReferenceFacts, RetentionPeriod, add_months, employees_due,
    references_due,
};
use zeugnis_core::settings::PrivacySettings;
use zeugnis_core::values::Timestamp;

use crate::strategies::{date, model_add_months, timestamp};

/// Employees as (exit date, still named by a reference).
fn employees() -> impl Strategy<Value = Vec<(Option<Date>, bool)>> {
    proptest::collection::vec(
        (proptest::option::weighted(0.8, date()), any::<bool>()),
        0..12,
    )
}

fn employee_facts(employees: &[(Option<Date>, bool)]) -> Vec<EmployeeFacts> {
    (0_u8..)
        .zip(employees)
        .map(|(n, (exit_date, _))| EmployeeFacts {
            id: EmployeeId::from_bytes([n; 16]),
            exit_date: *exit_date,
        })
        .collect()
}

fn named_ids(employees: &[(Option<Date>, bool)]) -> BTreeSet<EmployeeId> {
    (0_u8..)
        .zip(employees)
        .filter(|(_, (_, named))| *named)
        .map(|(n, _)| EmployeeId::from_bytes([n; 16]))
        .collect()
}

fn period() -> impl Strategy<Value = RetentionPeriod> {
    prop_oneof![
        (1_u16..=3650).prop_filter_map("non-zero", RetentionPeriod::days),
        (1_u16..=120).prop_filter_map("non-zero", RetentionPeriod::months),
    ]
}

fn kind() -> impl Strategy<Value = ReferenceKind> {
    prop_oneof![Just(ReferenceKind::Interim), Just(ReferenceKind::Final)]
}

fn references() -> impl Strategy<Value = Vec<(ReferenceKind, Timestamp)>> {
    proptest::collection::vec((kind(), timestamp()), 0..10)
}

fn reference_facts(references: &[(ReferenceKind, Timestamp)]) -> Vec<ReferenceFacts> {
    (0_u8..)
        .zip(references)
        .map(|(n, (kind, created_at))| ReferenceFacts {
            id: ReferenceId::from_bytes([n; 16]),
            kind: *kind,
            since: *created_at,
        })
        .collect()
}

/// When to run the policy: any instant, or just around the deadline of one of the
/// references (a few seconds before, on, or after it).
#[derive(Debug, Clone)]
enum Now {
    At(Timestamp),
    AroundDeadlineOf(Index, i64),
}

fn now() -> impl Strategy<Value = Now> {
    prop_oneof![
        timestamp().prop_map(Now::At),
        (any::<Index>(), -2_i64..=2).prop_map(|(i, s)| Now::AroundDeadlineOf(i, s)),
    ]
}

fn period_for(settings: &PrivacySettings, kind: ReferenceKind) -> Option<RetentionPeriod> {
    match kind {
        ReferenceKind::Interim => settings.interim_reference_retention,
        ReferenceKind::Final => settings.final_reference_retention,
    }
}

/// The instant a period ends: days counted on the calendar (the time of day
/// kept), months by the test's own month addition.
fn model_deadline(period: RetentionPeriod, created_at: Timestamp) -> Timestamp {
    let date = match period {
        RetentionPeriod::Days(days) => {
            Date::from_julian_day(created_at.date().to_julian_day() + i32::from(days.get()))
                .unwrap_or(Date::MAX)
        }
        RetentionPeriod::Months(months) => {
            model_add_months(created_at.date(), u32::from(months.get()))
        }
    };
    Timestamp::new(date, created_at.time())
}

proptest! {
    #[test]
    fn adding_months_moves_the_calendar_month_and_clamps_the_day_to_its_end(
        start in date(),
        months in 0_u32..=240,
    ) {
        let got = add_months(start, months);
        prop_assert_eq!(got, model_add_months(start, months));
        prop_assert!(got.day() <= start.day());
        prop_assert!(
            got.day() == start.day()
                || got.day() == time::util::days_in_month(got.month(), got.year())
        );
        prop_assert!(months == 0 || got > start);
    }

    #[test]
    fn an_employee_is_due_iff_past_the_period_after_exit_and_not_named_by_a_reference(
        staff in employees(),
        months in 0_u16..=120,
        today in date(),
    ) {
        let facts = employee_facts(&staff);
        let named = named_ids(&staff);
        let decision = employees_due(&facts, &named, Some(months), today);

        let past_period = |f: &EmployeeFacts| {
            f.exit_date
                .is_some_and(|exit| today >= model_add_months(exit, u32::from(months)))
        };
        let expected_due: Vec<EmployeeId> = facts
            .iter()
            .filter(|f| past_period(f) && !named.contains(&f.id))
            .map(|f| f.id)
            .collect();
        let expected_kept: Vec<(EmployeeId, KeepReason)> = facts
            .iter()
            .filter(|f| past_period(f) && named.contains(&f.id))
            .map(|f| (f.id, KeepReason::NamedByReference))
            .collect();
        prop_assert!(decision.due.iter().all(|id| !named.contains(id)));
        prop_assert_eq!(decision.due, expected_due);
        prop_assert_eq!(decision.kept, expected_kept);
    }

    #[test]
    fn without_an_employee_period_no_employee_is_due(
        staff in employees(),
        today in date(),
    ) {
        let facts = employee_facts(&staff);
        let decision = employees_due(&facts, &named_ids(&staff), None, today);
        prop_assert!(decision.due.is_empty());
        prop_assert!(decision.kept.is_empty());
    }

    #[test]
    fn a_reference_is_due_iff_its_age_exceeds_the_period_of_its_kind(
        refs in references(),
        interim in proptest::option::of(period()),
        final_ in proptest::option::of(period()),
        now in now(),
        fallback in timestamp(),
    ) {
        let facts = reference_facts(&refs);
        let settings = PrivacySettings {
            interim_reference_retention: interim,
            final_reference_retention: final_,
            ..PrivacySettings::default()
        };
        let now = match now {
            Now::At(at) => at,
            Now::AroundDeadlineOf(index, seconds) => {
                if facts.is_empty() {
                    fallback
                } else {
                    let r = index.get(&facts);
                    period_for(&settings, r.kind).map_or(fallback, |p| {
                        model_deadline(p, r.since) + Duration::seconds(seconds)
                    })
                }
            }
        };
        let expected: Vec<ReferenceId> = facts
            .iter()
            .filter(|r| {
                period_for(&settings, r.kind).is_some_and(|p| now > model_deadline(p, r.since))
            })
            .map(|r| r.id)
            .collect();
        prop_assert_eq!(references_due(&facts, &settings, now), expected);
    }

    #[test]
    fn without_reference_periods_no_reference_is_due(
        refs in references(),
        now in timestamp(),
        later in 0_i64..=36_500,
    ) {
        let facts = reference_facts(&refs);
        let settings = PrivacySettings::default();
        prop_assert!(references_due(&facts, &settings, now).is_empty());
        prop_assert!(references_due(&facts, &settings, now + Duration::days(later)).is_empty());
    }
}
