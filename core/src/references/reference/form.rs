//! The structure of each section's content.
//!
//! Every section has a [`Shape`]: free text (company description, remarks, the
//! result), a list of lines (career, stations, additional tasks, training,
//! powers, qualifications, achievements) or a small form (dates and reason,
//! personal data as printed, heading/place/date, who signs, tasks, ratings). The
//! stored [`SectionContent`] of a text section is the text itself; every other
//! section stores its form as canonical JSON, so the permission matrix, the change
//! log and encryption treat all sections alike while the generator reads typed
//! values.
//!
//! ```
//! use zeugnis_core::reference::{Section, SectionContent};
//! use zeugnis_core::reference::form::Form;
//!
//! let raw = SectionContent::new(r#"{"superiors": 1, "colleagues": 2}"#)?;
//! let Form::Conduct(conduct) = Form::parse(Section::Conduct, &raw)? else { unreachable!() };
//! assert_eq!(conduct.colleagues.map(|g| g.value()), Some(2));
//! // A grade of 7 is refused with a clear message:
//! let bad = SectionContent::new(r#"{"superiors": 7}"#)?;
//! assert!(Form::parse(Section::Conduct, &bad).unwrap_err().to_string().contains("between 1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{ContentTooLong, Criterion, Grade, ReferenceContent, Section, SectionContent};
use crate::employee::{IssueReason, Salutation};
use crate::id::EmployeeId;
use crate::values::Date;

/// What kind of content a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Shape {
    /// Free text.
    Text,
    /// A list of single lines.
    Lines,
    /// [`DataForm`].
    Data,
    /// [`PersonalForm`].
    Personal,
    /// [`ReferenceDataForm`].
    ReferenceData,
    /// A list of [`Signer`]s.
    Signatures,
    /// [`TasksForm`].
    Tasks,
    /// [`PerformanceForm`].
    Performance,
    /// [`ConductForm`].
    Conduct,
}

impl Section {
    /// The shape of this section's content.
    #[must_use]
    pub const fn shape(self) -> Shape {
        match self {
            Section::Data => Shape::Data,
            Section::Personal => Shape::Personal,
            Section::ReferenceData => Shape::ReferenceData,
            Section::Signatures => Shape::Signatures,
            Section::Tasks => Shape::Tasks,
            Section::Performance => Shape::Performance,
            Section::Conduct => Shape::Conduct,
            Section::Company | Section::Further | Section::Result => Shape::Text,
            Section::Career
            | Section::Stations
            | Section::AdditionalTasks
            | Section::Training
            | Section::Powers
            | Section::Qualifications
            | Section::Achievements => Shape::Lines,
        }
    }
}

/// Dates in forms are written `YYYY-MM-DD`.
mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use crate::values::Date;

    pub(super) fn format(d: Date) -> String {
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    }

    pub(super) fn parse(s: &str) -> Option<Date> {
        let mut parts = s.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
        Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
    }

    #[expect(clippy::ref_option, reason = "the signature serde's `with` expects")]
    pub(super) fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&format(*d)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) => parse(&s)
                .map(Some)
                .ok_or_else(|| D::Error::custom("a date must be a real day written YYYY-MM-DD")),
        }
    }
}

/// A single line of a form: trimmed, 1–500 characters, no line breaks.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Line(String);

impl Line {
    /// Longest line accepted.
    pub const MAX_LEN: usize = 500;

    /// Checks a line.
    ///
    /// # Errors
    /// A message saying what is wrong.
    pub fn new(raw: &str) -> Result<Self, String> {
        let t = raw.trim();
        if t.is_empty() {
            Err("a line must not be empty".into())
        } else if t.chars().count() > Self::MAX_LEN {
            Err(format!(
                "a line must be at most {} characters",
                Self::MAX_LEN
            ))
        } else if t
            .chars()
            .any(|c| c.is_control() || crate::values::is_unsafe_char(c))
        {
            Err("a line must not contain line breaks or control characters".into())
        } else {
            Ok(Self(t.to_owned()))
        }
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Line {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::new(&s)
    }
}

impl From<Line> for String {
    fn from(l: Line) -> Self {
        l.0
    }
}

impl fmt::Debug for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Line({} chars)", self.0.chars().count())
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Section `data`: the period and why the reference is issued.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataForm {
    /// First day of employment.
    #[serde(default, with = "iso_date", skip_serializing_if = "Option::is_none")]
    pub entry_date: Option<Date>,
    /// Last day (final reference) or the issue date (interim reference).
    #[serde(default, with = "iso_date", skip_serializing_if = "Option::is_none")]
    pub exit_date: Option<Date>,
    /// Why the employment ends or the interim reference is issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_reason: Option<IssueReason>,
}

/// Section `personal`: the employee's data as printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonalForm {
    /// Herr, Frau or none (no gendered wording).
    #[serde(default)]
    pub salutation: Salutation,
    /// Title or degree, e.g. "Dr.".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Line>,
    /// First name.
    pub first_name: Line,
    /// Last name.
    pub last_name: Line,
    /// Date of birth.
    #[serde(default, with = "iso_date", skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<Date>,
    /// Place of birth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_place: Option<Line>,
}

impl fmt::Debug for PersonalForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonalForm(redacted)")
    }
}

/// Section `reference_data`: heading, place and date of issue.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceDataForm {
    /// Heading; "Arbeitszeugnis" or "Zwischenzeugnis" by kind when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<Line>,
    /// Place of issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Line>,
    /// Date of issue.
    #[serde(default, with = "iso_date", skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

/// One person who signs the reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// The employee record of the signer, if kept (deleting that employee is
    /// refused while the reference names them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee: Option<EmployeeId>,
    /// Printed name.
    pub name: Line,
    /// Function, e.g. "Leiterin Personal".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Line>,
}

/// Section `tasks`: the position and its tasks (usually from a job profile).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TasksForm {
    /// Position held, e.g. "Sachbearbeiter Buchhaltung".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Line>,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<Line>,
    /// The job profile the tasks came from (its key), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_profile: Option<Line>,
    /// Task descriptions.
    #[serde(default)]
    pub items: Vec<Line>,
}

/// Section `performance`: a grade per rated criterion.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerformanceForm {
    /// Grades by criterion; unrated criteria are absent.
    #[serde(default)]
    pub ratings: BTreeMap<Criterion, Grade>,
}

/// Section `conduct`: a grade per group. Superiors and colleagues belong in every
/// reference; customers where the job has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConductForm {
    /// Towards superiors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superiors: Option<Grade>,
    /// Towards colleagues.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colleagues: Option<Grade>,
    /// Towards customers and business partners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customers: Option<Grade>,
}

/// The typed content of one section.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Form {
    /// Free text.
    Text(String),
    /// Lines.
    Lines(Vec<Line>),
    /// Section `data`.
    Data(DataForm),
    /// Section `personal`.
    Personal(PersonalForm),
    /// Section `reference_data`.
    ReferenceData(ReferenceDataForm),
    /// Section `signatures`.
    Signatures(Vec<Signer>),
    /// Section `tasks`.
    Tasks(TasksForm),
    /// Section `performance`.
    Performance(PerformanceForm),
    /// Section `conduct`.
    Conduct(ConductForm),
}

/// Section content that does not fit the section's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("section {section}: {message}")]
pub struct FormError {
    /// The section.
    pub section: Section,
    /// What is wrong (may quote the offending value back to its author; never log
    /// it).
    pub message: String,
}

/// The first string in `value` (keys included) that is not printable text.
fn unprintable(value: &serde_json::Value) -> Option<crate::values::ValueError> {
    use serde_json::Value;
    match value {
        Value::String(s) => crate::values::check_text("the text", s).err(),
        Value::Array(items) => items.iter().find_map(unprintable),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            crate::values::check_text("a field name", k)
                .err()
                .or_else(|| unprintable(v))
        }),
        _ => None,
    }
}

/// Most lines a list section holds.
pub const MAX_LINES: usize = 100;

impl Form {
    /// Reads a section's stored content.
    ///
    /// # Errors
    /// [`FormError`] when it does not fit the section's shape.
    pub fn parse(section: Section, content: &SectionContent) -> Result<Self, FormError> {
        let text = content.as_str();
        let err = |message: String| FormError { section, message };
        let json = |e: serde_json::Error| err(e.to_string());
        let form = match section.shape() {
            Shape::Text => Form::Text(text.to_owned()),
            Shape::Lines => Form::Lines(serde_json::from_str(text).map_err(json)?),
            Shape::Data => Form::Data(serde_json::from_str(text).map_err(json)?),
            Shape::Personal => Form::Personal(serde_json::from_str(text).map_err(json)?),
            Shape::ReferenceData => Form::ReferenceData(serde_json::from_str(text).map_err(json)?),
            Shape::Signatures => Form::Signatures(serde_json::from_str(text).map_err(json)?),
            Shape::Tasks => Form::Tasks(serde_json::from_str(text).map_err(json)?),
            Shape::Performance => Form::Performance(serde_json::from_str(text).map_err(json)?),
            Shape::Conduct => Form::Conduct(serde_json::from_str(text).map_err(json)?),
        };
        form.validate().map_err(err)?;
        Ok(form)
    }

    /// Reads a section from a JSON value (a string for text sections).
    ///
    /// # Errors
    /// [`FormError`] when it does not fit the section's shape.
    pub fn from_json(section: Section, value: serde_json::Value) -> Result<Self, FormError> {
        if let Some(e) = unprintable(&value) {
            return Err(FormError {
                section,
                message: e.to_string(),
            });
        }
        let text = match (section.shape(), value) {
            (Shape::Text, serde_json::Value::String(s)) => s,
            (Shape::Text, _) => {
                return Err(FormError {
                    section,
                    message: "expected text".into(),
                });
            }
            (_, value) => value.to_string(),
        };
        let content = SectionContent::new(text).map_err(|e| FormError {
            section,
            message: e.to_string(),
        })?;
        Self::parse(section, &content)
    }

    fn validate(&self) -> Result<(), String> {
        let count = match self {
            Form::Lines(l) => l.len(),
            Form::Signatures(s) => s.len(),
            Form::Tasks(t) => t.items.len(),
            _ => 0,
        };
        if count > MAX_LINES {
            return Err(format!("at most {MAX_LINES} entries"));
        }
        if let Form::Data(d) = self
            && let (Some(a), Some(b)) = (d.entry_date, d.exit_date)
            && b < a
        {
            return Err("the exit date must not be before the entry date".into());
        }
        Ok(())
    }

    /// The content to store: the text of a text section, canonical JSON otherwise.
    ///
    /// # Errors
    /// [`ContentTooLong`] if it exceeds the section limit.
    pub fn to_content(&self) -> Result<SectionContent, ContentTooLong> {
        let json = |v: Result<String, serde_json::Error>| v.unwrap_or_default();
        SectionContent::new(match self {
            Form::Text(t) => t.clone(),
            Form::Lines(l) => json(serde_json::to_string(l)),
            Form::Data(d) => json(serde_json::to_string(d)),
            Form::Personal(p) => json(serde_json::to_string(p)),
            Form::ReferenceData(r) => json(serde_json::to_string(r)),
            Form::Signatures(s) => json(serde_json::to_string(s)),
            Form::Tasks(t) => json(serde_json::to_string(t)),
            Form::Performance(p) => json(serde_json::to_string(p)),
            Form::Conduct(c) => json(serde_json::to_string(c)),
        })
    }

    /// The form as a JSON value (a string for text sections), for an API.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let v = |r: Result<serde_json::Value, serde_json::Error>| r.unwrap_or_default();
        match self {
            Form::Text(t) => serde_json::Value::String(t.clone()),
            Form::Lines(l) => v(serde_json::to_value(l)),
            Form::Data(d) => v(serde_json::to_value(d)),
            Form::Personal(p) => v(serde_json::to_value(p)),
            Form::ReferenceData(r) => v(serde_json::to_value(r)),
            Form::Signatures(s) => v(serde_json::to_value(s)),
            Form::Tasks(t) => v(serde_json::to_value(t)),
            Form::Performance(p) => v(serde_json::to_value(p)),
            Form::Conduct(c) => v(serde_json::to_value(c)),
        }
    }
}

/// Every section of a reference, typed. Absent sections are empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Forms {
    /// `data`.
    pub data: DataForm,
    /// `personal`.
    pub personal: Option<PersonalForm>,
    /// `company`.
    pub company: String,
    /// `reference_data`.
    pub reference_data: ReferenceDataForm,
    /// `further`.
    pub further: String,
    /// `signatures`.
    pub signatures: Vec<Signer>,
    /// `career`.
    pub career: Vec<Line>,
    /// `stations`.
    pub stations: Vec<Line>,
    /// `tasks`.
    pub tasks: TasksForm,
    /// `additional_tasks`.
    pub additional_tasks: Vec<Line>,
    /// `training`.
    pub training: Vec<Line>,
    /// `powers`.
    pub powers: Vec<Line>,
    /// `performance`.
    pub performance: PerformanceForm,
    /// `conduct`.
    pub conduct: ConductForm,
    /// `qualifications`.
    pub qualifications: Vec<Line>,
    /// `achievements`.
    pub achievements: Vec<Line>,
    /// `result`.
    pub result: String,
}

impl Forms {
    /// Reads every section of a reference.
    ///
    /// # Errors
    /// The first section whose content does not fit its shape.
    pub fn from_content(content: &ReferenceContent) -> Result<Self, FormError> {
        let mut f = Forms::default();
        for (section, raw) in content.iter() {
            f.set(section, Form::parse(section, raw)?);
        }
        Ok(f)
    }

    /// Stores one section's form into `self`.
    pub fn set(&mut self, section: Section, form: Form) {
        match (section, form) {
            (Section::Data, Form::Data(d)) => self.data = d,
            (Section::Personal, Form::Personal(p)) => self.personal = Some(p),
            (Section::Company, Form::Text(t)) => self.company = t,
            (Section::ReferenceData, Form::ReferenceData(r)) => self.reference_data = r,
            (Section::Further, Form::Text(t)) => self.further = t,
            (Section::Signatures, Form::Signatures(s)) => self.signatures = s,
            (Section::Career, Form::Lines(l)) => self.career = l,
            (Section::Stations, Form::Lines(l)) => self.stations = l,
            (Section::Tasks, Form::Tasks(t)) => self.tasks = t,
            (Section::AdditionalTasks, Form::Lines(l)) => self.additional_tasks = l,
            (Section::Training, Form::Lines(l)) => self.training = l,
            (Section::Powers, Form::Lines(l)) => self.powers = l,
            (Section::Performance, Form::Performance(p)) => self.performance = p,
            (Section::Conduct, Form::Conduct(c)) => self.conduct = c,
            (Section::Qualifications, Form::Lines(l)) => self.qualifications = l,
            (Section::Achievements, Form::Lines(l)) => self.achievements = l,
            (Section::Result, Form::Text(t)) => self.result = t,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(section: Section, json: &str) -> Result<Form, FormError> {
        Form::parse(section, &SectionContent::new(json).unwrap())
    }

    #[test]
    fn every_section_has_a_shape_and_text_sections_keep_their_text() {
        let f = parse(Section::Result, "Frau Weiß war stets pünktlich.").unwrap();
        assert_eq!(f, Form::Text("Frau Weiß war stets pünktlich.".into()));
        assert_eq!(
            f.to_content().unwrap().as_str(),
            "Frau Weiß war stets pünktlich."
        );
    }

    #[test]
    fn forms_round_trip_through_their_stored_json() {
        let cases = [
            (
                Section::Data,
                r#"{"entry_date":"2015-04-01","exit_date":"2024-03-31","issue_reason":"employee_resignation"}"#,
            ),
            (
                Section::Personal,
                r#"{"salutation":"frau","first_name":"Jürgen","last_name":"Weiß","birth_date":"1990-02-28"}"#,
            ),
            (
                Section::Tasks,
                r#"{"position":"Buchhalterin","items":["Mahnwesen","Kreditorenbuchhaltung"]}"#,
            ),
            (
                Section::Performance,
                r#"{"ratings":{"willingness":1,"work_results":2}}"#,
            ),
            (
                Section::Conduct,
                r#"{"superiors":1,"colleagues":1,"customers":2}"#,
            ),
            (Section::Training, r#"["Bilanzbuchhalterin (IHK), 2019"]"#),
            (
                Section::Signatures,
                r#"[{"name":"Petra Schulz","position":"Leiterin Personal"}]"#,
            ),
        ];
        for (section, json) in cases {
            let form = parse(section, json).unwrap();
            assert_eq!(form.to_content().unwrap().as_str(), json, "{section}");
            assert_eq!(Form::from_json(section, form.to_json()).unwrap(), form);
        }
    }

    #[test]
    fn wrong_shapes_are_refused_with_the_section_named() {
        let e = parse(Section::Performance, r#"{"ratings":{"willingness":0}}"#).unwrap_err();
        assert!(e.to_string().starts_with("section performance:"), "{e}");
        assert!(e.message.contains("between 1"), "{e}");
        let e = parse(Section::Data, r#"{"entry_date":"2024-02-30"}"#).unwrap_err();
        assert!(e.message.contains("YYYY-MM-DD"), "{e}");
        let e = parse(Section::Data, r#"{"entry":"2024-02-01"}"#).unwrap_err();
        assert!(e.message.contains("unknown field"), "{e}");
        let e = parse(Section::Training, r#"["ok", "two\nlines"]"#).unwrap_err();
        assert!(e.message.contains("line breaks"), "{e}");
        let e = parse(
            Section::Data,
            r#"{"entry_date":"2024-02-01","exit_date":"2023-02-01"}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("before the entry date"), "{e}");
        let many = serde_json::to_string(&vec!["x"; MAX_LINES + 1]).unwrap();
        assert!(parse(Section::Achievements, &many).is_err());
        assert!(Form::from_json(Section::Result, serde_json::json!({"a": 1})).is_err());
    }

    #[test]
    fn forms_collects_every_section() {
        let mut content = ReferenceContent::default();
        content.set(
            Section::Conduct,
            SectionContent::new(r#"{"superiors":2}"#).unwrap(),
        );
        content.set(Section::Result, SectionContent::new("Text").unwrap());
        let f = Forms::from_content(&content).unwrap();
        assert_eq!(f.conduct.superiors, Grade::new(2).ok());
        assert_eq!(f.result, "Text");
    }
}
