//! References (Arbeitszeugnisse): kind, status, sections and their content.
//!
//! A [`Reference`] belongs to one employee; its content is organised in the
//! seventeen [`Section`]s, which are also the unit of the handover
//! [permission matrix](crate::matrix). Content is opaque text per section here
//! (the text generator and the forms give it structure); it is personal data, so
//! its `Debug` output is redacted and the storage adapter encrypts it.

pub mod form;
mod section;
mod workflow;

use std::collections::BTreeMap;
use std::fmt;

pub use section::Section;
pub use workflow::{ReferenceStatus, TransitionError};

use crate::employee::OrgAttributes;
use crate::id::{EmployeeId, ReferenceId, TenantId, UserId};
use crate::values::{Name, Timestamp};

/// Interim (Zwischenzeugnis) or final (Endzeugnis) reference.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    /// Zwischenzeugnis, written in the present tense.
    Interim,
    /// Endzeugnis, written in the past tense.
    Final,
}

impl ReferenceKind {
    /// Stable machine key.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            ReferenceKind::Interim => "interim",
            ReferenceKind::Final => "final",
        }
    }
}

/// The language a reference is written in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Language {
    /// German (the default).
    #[default]
    German,
    /// English (planned).
    English,
}

/// A grade from 1 (sehr gut) to 5 (mangelhaft).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
pub struct Grade(u8);

/// A grade outside 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a grade must be between 1 (sehr gut) and 5 (mangelhaft), got {0}")]
pub struct InvalidGrade(pub u8);

impl Grade {
    /// Grade 1, sehr gut.
    pub const VERY_GOOD: Grade = Grade(1);
    /// Grade 5, mangelhaft.
    pub const POOR: Grade = Grade(5);

    /// Checks a grade.
    ///
    /// # Errors
    /// [`InvalidGrade`] unless `1 <= value <= 5`.
    pub const fn new(value: u8) -> Result<Self, InvalidGrade> {
        if value >= 1 && value <= 5 {
            Ok(Grade(value))
        } else {
            Err(InvalidGrade(value))
        }
    }

    /// The grade as a number.
    #[must_use]
    pub const fn value(self) -> u8 {
        self.0
    }

    /// Whether `self` is a better grade than `other` (a smaller number).
    #[must_use]
    pub const fn is_better_than(self, other: Grade) -> bool {
        self.0 < other.0
    }
}

impl TryFrom<u8> for Grade {
    type Error = InvalidGrade;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Grade::new(value)
    }
}

impl From<Grade> for u8 {
    fn from(g: Grade) -> Self {
        g.0
    }
}

/// A criterion that is rated with a [`Grade`] (Zeugnisbewertungen).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Criterion {
    /// Bereitschaft.
    Willingness,
    /// Befähigung.
    Ability,
    /// Wissen.
    Knowledge,
    /// Weiterbildung.
    FurtherTraining,
    /// Arbeitsweise.
    WorkingStyle,
    /// Arbeitserfolg.
    WorkResults,
    /// Führungserfolg (managers only).
    Leadership,
    /// Verhalten intern (superiors and colleagues).
    ConductInternal,
    /// Verhalten extern (customers and partners).
    ConductExternal,
    /// Ergebnis Abschlussprüfung (trainees).
    FinalExam,
    /// Personal attributes.
    Attributes,
}

impl Criterion {
    /// Stable key, as in JSON (e.g. `work_results`).
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Criterion::Willingness => "willingness",
            Criterion::Ability => "ability",
            Criterion::Knowledge => "knowledge",
            Criterion::FurtherTraining => "further_training",
            Criterion::WorkingStyle => "working_style",
            Criterion::WorkResults => "work_results",
            Criterion::Leadership => "leadership",
            Criterion::ConductInternal => "conduct_internal",
            Criterion::ConductExternal => "conduct_external",
            Criterion::FinalExam => "final_exam",
            Criterion::Attributes => "attributes",
        }
    }
}

/// The groups a conduct assessment names, in the order a sound reference names
/// them: superiors before colleagues before customers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ConductGroup {
    /// Vorgesetzte.
    Superiors,
    /// Kolleginnen und Kollegen.
    Colleagues,
    /// Kundinnen und Kunden, Geschäftspartner.
    Customers,
}

/// The content of one section: text (or a structured form serialised to text by
/// the caller). Personal data: `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SectionContent(String);

impl TryFrom<String> for SectionContent {
    type Error = ContentTooLong;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(text)
    }
}

impl From<SectionContent> for String {
    fn from(c: SectionContent) -> Self {
        c.0
    }
}

impl SectionContent {
    /// Longest content accepted per section (characters).
    pub const MAX_LEN: usize = 100_000;

    /// Wraps section content.
    ///
    /// # Errors
    /// [`ContentTooLong`] above [`SectionContent::MAX_LEN`] characters.
    pub fn new(text: impl Into<String>) -> Result<Self, ContentTooLong> {
        let text = text.into();
        if text.chars().count() > Self::MAX_LEN {
            Err(ContentTooLong { max: Self::MAX_LEN })
        } else {
            Ok(Self(text))
        }
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SectionContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SectionContent({} chars)", self.0.chars().count())
    }
}

/// Section content above the size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the section text is too long (at most {max} characters)")]
pub struct ContentTooLong {
    /// The limit.
    pub max: usize,
}

/// The content of a reference by section. A section without an entry is empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ReferenceContent {
    sections: BTreeMap<Section, SectionContent>,
}

impl ReferenceContent {
    /// The content of one section, if any.
    #[must_use]
    pub fn get(&self, section: Section) -> Option<&SectionContent> {
        self.sections.get(&section)
    }

    /// Sets one section's content.
    pub fn set(&mut self, section: Section, content: SectionContent) {
        self.sections.insert(section, content);
    }

    /// The sections that have content, in form order.
    pub fn iter(&self) -> impl Iterator<Item = (Section, &SectionContent)> {
        self.sections.iter().map(|(s, c)| (*s, c))
    }
}

impl FromIterator<(Section, SectionContent)> for ReferenceContent {
    fn from_iter<I: IntoIterator<Item = (Section, SectionContent)>>(iter: I) -> Self {
        Self {
            sections: iter.into_iter().collect(),
        }
    }
}

/// A reference.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    /// The reference's id.
    pub id: ReferenceId,
    /// The tenant.
    pub tenant: TenantId,
    /// The employee the reference is about.
    pub employee: EmployeeId,
    /// The employee's organisational attributes, kept with the reference so that
    /// scopes filter at the query level.
    pub org: OrgAttributes,
    /// Interim or final.
    pub kind: ReferenceKind,
    /// Language.
    pub language: Language,
    /// Workflow status.
    pub status: ReferenceStatus,
    /// Since when it has this status.
    pub status_since: Timestamp,
    /// Private: only the creator and Administrator scopes see it.
    pub private: bool,
    /// Who created it.
    pub created_by: UserId,
    /// When.
    pub created_at: Timestamp,
    /// When it last changed — its sections, signatories or status; its
    /// creation time until then.
    pub changed_at: Timestamp,
    /// Employees of the tenant who sign it (Unterschriften).
    pub signatories: Vec<EmployeeId>,
    /// Content by section.
    pub content: ReferenceContent,
    /// Fingerprint of the text the generator last wrote into the `result`
    /// section ([`crate::generator::fingerprint`]); regeneration replaces the
    /// text only while it still matches.
    #[serde(default)]
    pub generated: Option<[u8; 32]>,
}

impl Reference {
    /// Every employee the reference names: its subject and its signatories.
    pub fn named_employees(&self) -> impl Iterator<Item = EmployeeId> + '_ {
        std::iter::once(self.employee).chain(self.signatories.iter().copied())
    }

    /// Moves the reference to another status, returning the history entry.
    ///
    /// # Errors
    /// [`TransitionError`] when the workflow does not allow it.
    pub fn change_status(
        &mut self,
        to: ReferenceStatus,
        by: StatusActor,
        at: Timestamp,
    ) -> Result<StatusChange, TransitionError> {
        let from = self.status;
        self.status = from.transition_to(to)?;
        self.status_since = at;
        self.changed_at = at;
        Ok(StatusChange {
            tenant: self.tenant,
            reference: self.id,
            from,
            to,
            by,
            at,
        })
    }
}

/// Who changed a status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StatusActor {
    /// A user of the tenant.
    User(UserId),
    /// The holder of a handover link.
    Handover(crate::token::HandoverId),
    /// The system (e.g. an expiry job).
    System,
}

/// One entry of a reference's status history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatusChange {
    /// The tenant.
    pub tenant: TenantId,
    /// The reference.
    pub reference: ReferenceId,
    /// Previous status.
    pub from: ReferenceStatus,
    /// New status.
    pub to: ReferenceStatus,
    /// Who.
    pub by: StatusActor,
    /// When.
    pub at: Timestamp,
}

/// One entry of a reference's change log (kept only when the tenant enabled change
/// tracking; deleted with the reference). Values are content: encrypted at rest.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChangeLogEntry {
    /// The tenant.
    pub tenant: TenantId,
    /// The reference.
    pub reference: ReferenceId,
    /// The section changed.
    pub section: Section,
    /// The editor's name as shown in the log.
    pub editor: Name,
    /// Who edited.
    pub by: StatusActor,
    /// When.
    pub at: Timestamp,
    /// Content before.
    pub before: Option<SectionContent>,
    /// Content after.
    pub after: Option<SectionContent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_are_one_to_five() {
        assert!(Grade::new(0).is_err());
        assert!(Grade::new(6).is_err());
        assert_eq!(Grade::new(3).map(Grade::value), Ok(3));
        assert!(Grade::VERY_GOOD.is_better_than(Grade::POOR));
        assert_eq!(
            Grade::new(7).unwrap_err().to_string(),
            "a grade must be between 1 (sehr gut) and 5 (mangelhaft), got 7"
        );
    }

    #[test]
    fn conduct_groups_are_ordered_superiors_colleagues_customers() {
        assert!(ConductGroup::Superiors < ConductGroup::Colleagues);
        assert!(ConductGroup::Colleagues < ConductGroup::Customers);
    }

    #[test]
    fn section_content_debug_never_shows_the_text() {
        let c = SectionContent::new("Frau Weiß war stets pünktlich.").unwrap();
        assert_eq!(format!("{c:?}"), "SectionContent(30 chars)");
    }

    #[test]
    fn overlong_section_content_is_refused() {
        assert!(SectionContent::new("x".repeat(SectionContent::MAX_LEN + 1)).is_err());
    }
}
