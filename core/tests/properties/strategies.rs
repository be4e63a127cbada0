//! Strategies and small models shared by the property groups.

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::sample::select;
use time::{Date, Month, Time};
use zeugnis_core::access::{AccessLevel, Area, Permissions};
use zeugnis_core::matrix::SectionAccess;
use zeugnis_core::reference::{Section, SectionContent};
use zeugnis_core::values::Timestamp;

/// Any section of a reference.
pub(crate) fn section() -> impl Strategy<Value = Section> {
    select(Section::ALL.to_vec())
}

/// Any section access, write a little more often so that accepted updates are
/// not rare.
pub(crate) fn section_access() -> impl Strategy<Value = SectionAccess> {
    prop_oneof![
        1 => Just(SectionAccess::None),
        1 => Just(SectionAccess::Read),
        2 => Just(SectionAccess::Write),
    ]
}

/// The access of every section, as the test's own model of a matrix.
pub(crate) type AccessModel = BTreeMap<Section, SectionAccess>;

/// An access for each of the seventeen sections.
pub(crate) fn access_model() -> impl Strategy<Value = AccessModel> {
    proptest::array::uniform17(section_access())
        .prop_map(|levels| Section::ALL.into_iter().zip(levels).collect())
}

/// Section text: often one of a few fixed texts (so that updates repeat stored
/// content), otherwise short free text.
pub(crate) fn section_content() -> impl Strategy<Value = SectionContent> {
    prop_oneof![
        select(vec![
            "",
            "gut",
            "sehr gut",
            "stets zu unserer vollsten Zufriedenheit"
        ])
        .prop_map(String::from),
        "[a-zA-ZäöüÄÖÜß0-9 .,]{0,12}",
    ]
    .prop_filter_map("fits into a section", |text| SectionContent::new(text).ok())
}

/// Some sections with content.
pub(crate) fn section_map(max: usize) -> impl Strategy<Value = BTreeMap<Section, SectionContent>> {
    proptest::collection::btree_map(section(), section_content(), 0..=max)
}

/// Any access level.
pub(crate) fn access_level() -> impl Strategy<Value = AccessLevel> {
    select(vec![
        AccessLevel::None,
        AccessLevel::Read,
        AccessLevel::ReadWrite,
    ])
}

/// A level for each of the fourteen areas.
pub(crate) fn permissions() -> impl Strategy<Value = Permissions> {
    proptest::array::uniform14(access_level())
        .prop_map(|levels| Area::ALL.into_iter().zip(levels).collect())
}

/// A date between 2019-01-01 and 2030-12-31, three times in four at the end of
/// a month (28th to 31st, clamped to the month's length, so February 28/29 is
/// frequent).
pub(crate) fn date() -> impl Strategy<Value = Date> {
    (
        2019_i32..=2030,
        1_u8..=12,
        prop_oneof![3 => 28_u8..=31, 1 => 1_u8..=27],
    )
        .prop_filter_map("a calendar date", |(year, month, day)| {
            let month = Month::try_from(month).ok()?;
            let day = day.min(time::util::days_in_month(month, year));
            Date::from_calendar_date(year, month, day).ok()
        })
}

/// An instant on one of the dates of [`date`].
pub(crate) fn timestamp() -> impl Strategy<Value = Timestamp> {
    (date(), 0_u8..24, 0_u8..60, 0_u8..60).prop_filter_map(
        "a time of day",
        |(date, hour, minute, second)| {
            Time::from_hms(hour, minute, second)
                .ok()
                .map(|time| Timestamp::new(date, time))
        },
    )
}

/// The test's own calendar-month addition: step month by month, then clamp the
/// day to the length of the target month.
pub(crate) fn model_add_months(date: Date, months: u32) -> Date {
    let (mut year, mut month) = (date.year(), date.month());
    for _ in 0..months {
        if month == Month::December {
            year += 1;
        }
        month = month.next();
    }
    let day = date.day().min(time::util::days_in_month(month, year));
    Date::from_calendar_date(year, month, day).unwrap_or(Date::MAX)
}
