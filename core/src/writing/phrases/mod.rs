//! Phrase libraries: the tenant's letter texts, job profiles and qualifications,
//! from which the [generator](crate::generator) writes a reference.
//!
//! Sources disagree on the wording of the lower grades, so the grade-to-phrase
//! mapping is tenant data: [`PhraseLibrary::german_default`] is a sound default
//! (`core/data/phrases-de.json`) that a tenant edits in three parts, each under
//! its own area — [`LetterTexts`] (Brieftexte), [`JobProfile`]s (Berufsbilder)
//! and [`Qualification`]s (Qualifikationen). Phrases are [`Template`]s.

mod template;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use template::{Template, TemplateError, Wording, genitive};

use crate::employee::IssueReason;
use crate::reference::form::Line;
use crate::reference::{Criterion, Grade};

/// Five phrases, for grades 1 (sehr gut) to 5 (mangelhaft).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Graded<T>(pub [T; 5]);

impl<T> Graded<T> {
    /// The phrase for a grade.
    #[must_use]
    pub fn get(&self, grade: Grade) -> &T {
        let [g1, g2, g3, g4, g5] = &self.0;
        match grade.value() {
            1 => g1,
            2 => g2,
            3 => g3,
            4 => g4,
            _ => g5,
        }
    }

    fn iter(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }
}

/// The criteria the generator writes a rating sentence for, in the order a
/// reference names them. (Conduct is written from the `conduct` section.)
pub const RATED_CRITERIA: [Criterion; 9] = [
    Criterion::Willingness,
    Criterion::Ability,
    Criterion::Knowledge,
    Criterion::FurtherTraining,
    Criterion::WorkingStyle,
    Criterion::WorkResults,
    Criterion::Leadership,
    Criterion::FinalExam,
    Criterion::Attributes,
];

/// Sentences that introduce a list section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListIntros {
    /// Before the positions held (`career`).
    pub career: Template,
    /// Before the departments passed through (`stations`).
    pub stations: Template,
    /// Before the tasks (`tasks`).
    pub tasks: Template,
    /// Before additional tasks.
    pub additional_tasks: Template,
    /// Before further training.
    pub training: Template,
    /// Before powers of attorney.
    pub powers: Template,
    /// Before qualifications that have no phrase of their own.
    pub qualifications: Template,
    /// Before achievements.
    pub achievements: Template,
}

/// The closing formula (Schlussformel) in parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosingFormulas {
    /// Final references: how the employment ends, by reason (`other` is the
    /// fallback). Slot: `{zum_ende}` (" zum 31. März 2024" or nothing).
    pub exit: BTreeMap<IssueReason, Template>,
    /// Interim references: why it is issued, by reason (`other` is the fallback).
    pub interim_reason: BTreeMap<IssueReason, Template>,
    /// Thanks, by overall grade (none for the weaker grades).
    pub thanks: Graded<Option<Template>>,
    /// Regret at the departure, by overall grade.
    pub regret: Graded<Option<Template>>,
    /// Good wishes, by overall grade.
    pub wishes: Graded<Template>,
    /// Good wishes on retirement, by overall grade.
    pub retirement_wishes: Graded<Template>,
    /// Interim references: thanks and the continued cooperation, by grade.
    pub interim: Graded<Template>,
}

/// The letter texts (area Letter texts / Brieftexte).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterTexts {
    /// The introduction. Slots: `{geburt}` (", geboren am … in …,"),
    /// `{zeitraum}` (" seit dem …" / " vom … bis zum …"), `{als}` (" als …"),
    /// `{abteilung}` (" in der Abteilung …").
    pub intro: Template,
    /// A sentence per grade for each rated criterion.
    pub ratings: BTreeMap<Criterion, Graded<Template>>,
    /// The overall assessment (Zufriedenheitsformel) by overall grade.
    pub summary: Graded<Template>,
    /// The conduct sentence by grade. Slot: `{gruppen}` (the groups, in order).
    pub conduct: Graded<Template>,
    /// Sentences before list sections.
    pub lists: ListIntros,
    /// The closing formula.
    pub closing: ClosingFormulas,
}

/// A job profile with its usual tasks (area Job profiles / Berufsbilder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobProfile {
    /// A short key, e.g. `office_clerk` (lower-case letters, digits, `_`).
    pub key: String,
    /// Display title, e.g. "Kaufmännische Sachbearbeitung".
    pub title: Line,
    /// The position as printed, by salutation: male, female, neutral.
    pub position: [Line; 3],
    /// Task descriptions.
    pub tasks: Vec<Line>,
}

/// A personal or professional attribute (area Qualifications).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    /// The attribute as chosen in the form, e.g. "Teamfähigkeit".
    pub label: Line,
    /// The sentence the generator writes for it.
    pub phrase: Template,
}

/// A tenant's phrase library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhraseLibrary {
    /// Letter texts.
    pub letter_texts: LetterTexts,
    /// Job profiles.
    pub job_profiles: Vec<JobProfile>,
    /// Qualifications.
    pub qualifications: Vec<Qualification>,
}

/// A phrase library that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LibraryError {
    /// A rated criterion has no phrases.
    #[error("phrases for the criterion {} are missing", .0.key())]
    MissingCriterion(Criterion),
    /// No fallback (`other`) reason.
    #[error("the closing formulas need an entry for the reason \"other\"")]
    MissingOtherReason,
    /// A template uses a slot it may not use.
    #[error("{place}: {error}")]
    Template {
        /// Where.
        place: String,
        /// What.
        error: TemplateError,
    },
    /// A job profile key is malformed or used twice.
    #[error("job profile keys must be unique and use a-z, 0-9 and _: {0}")]
    ProfileKey(String),
    /// A qualification label is used twice.
    #[error("the qualification \"{0}\" is listed twice")]
    DuplicateQualification(String),
    /// Too many entries.
    #[error("at most 500 job profiles and 500 qualifications")]
    TooMany,
    /// A job profile lists too many tasks.
    #[error("the job profile {0} lists more than 100 tasks")]
    TooManyTasks(String),
}

/// Most tasks one job profile may list.
const MAX_PROFILE_TASKS: usize = 100;

const DEFAULT_JSON: &str = include_str!("../../../data/phrases-de.json");

impl PhraseLibrary {
    /// The German default shipped with zeugnis.
    #[must_use]
    pub fn german_default() -> Self {
        // Parsed and validated by a unit test on every build; an empty library
        // is never returned.
        serde_json::from_str(DEFAULT_JSON).unwrap_or_else(|_| Self::fallback())
    }

    fn fallback() -> Self {
        let t = Template::literal;
        let graded = |s: &'static str| Graded([t(s), t(s), t(s), t(s), t(s)]);
        let other = BTreeMap::from([(IssueReason::Other, t("."))]);
        Self {
            letter_texts: LetterTexts {
                intro: t("."),
                ratings: RATED_CRITERIA.iter().map(|c| (*c, graded("."))).collect(),
                summary: graded("."),
                conduct: graded("."),
                lists: ListIntros {
                    career: t("."),
                    stations: t("."),
                    tasks: t("."),
                    additional_tasks: t("."),
                    training: t("."),
                    powers: t("."),
                    qualifications: t("."),
                    achievements: t("."),
                },
                closing: ClosingFormulas {
                    exit: other.clone(),
                    interim_reason: other,
                    thanks: Graded([None, None, None, None, None]),
                    regret: Graded([None, None, None, None, None]),
                    wishes: graded("."),
                    retirement_wishes: graded("."),
                    interim: graded("."),
                },
            },
            job_profiles: Vec::new(),
            qualifications: Vec::new(),
        }
    }

    /// Checks the library as a whole.
    ///
    /// # Errors
    /// The first [`LibraryError`] found.
    pub fn validate(&self) -> Result<(), LibraryError> {
        self.letter_texts.validate()?;
        validate_profiles(&self.job_profiles)?;
        validate_qualifications(&self.qualifications)
    }

    /// The job profile with this key.
    #[must_use]
    pub fn job_profile(&self, key: &str) -> Option<&JobProfile> {
        self.job_profiles.iter().find(|p| p.key == key)
    }

    /// The qualification with this label (case-insensitive).
    #[must_use]
    pub fn qualification(&self, label: &str) -> Option<&Qualification> {
        let label = label.to_lowercase();
        self.qualifications
            .iter()
            .find(|q| q.label.as_str().to_lowercase() == label)
    }

    /// Every template of the library with where it is used.
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        let lt = &self.letter_texts;
        let c = &lt.closing;
        let l = &lt.lists;
        std::iter::once(&lt.intro)
            .chain(lt.ratings.values().flat_map(Graded::iter))
            .chain(lt.summary.iter())
            .chain(lt.conduct.iter())
            .chain([
                &l.career,
                &l.stations,
                &l.tasks,
                &l.additional_tasks,
                &l.training,
                &l.powers,
                &l.qualifications,
                &l.achievements,
            ])
            .chain(c.exit.values())
            .chain(c.interim_reason.values())
            .chain(c.thanks.iter().flatten())
            .chain(c.regret.iter().flatten())
            .chain(c.wishes.iter())
            .chain(c.retirement_wishes.iter())
            .chain(c.interim.iter())
            .chain(self.qualifications.iter().map(|q| &q.phrase))
    }
}

impl LetterTexts {
    /// Checks the letter texts: every rated criterion present, slots used only
    /// where they are filled, a fallback reason.
    ///
    /// # Errors
    /// The first [`LibraryError`] found.
    pub fn validate(&self) -> Result<(), LibraryError> {
        for c in RATED_CRITERIA {
            if !self.ratings.contains_key(&c) {
                return Err(LibraryError::MissingCriterion(c));
            }
        }
        let c = &self.closing;
        if !c.exit.contains_key(&IssueReason::Other)
            || !c.interim_reason.contains_key(&IssueReason::Other)
        {
            return Err(LibraryError::MissingOtherReason);
        }
        let check = |place: &str, t: &Template, slots: &[&str]| {
            t.allow_slots(slots)
                .map_err(|error| LibraryError::Template {
                    place: place.to_owned(),
                    error,
                })
        };
        check(
            "intro",
            &self.intro,
            &["geburt", "zeitraum", "als", "abteilung"],
        )?;
        for (criterion, graded) in &self.ratings {
            for t in graded.iter() {
                check(&format!("ratings.{}", criterion.key()), t, &[])?;
            }
        }
        for t in self.summary.iter() {
            check("summary", t, &[])?;
        }
        for t in self.conduct.iter() {
            check("conduct", t, &["gruppen"])?;
        }
        let l = &self.lists;
        for t in [
            &l.career,
            &l.stations,
            &l.tasks,
            &l.additional_tasks,
            &l.training,
            &l.powers,
            &l.qualifications,
            &l.achievements,
        ] {
            check("lists", t, &[])?;
        }
        for t in c.exit.values() {
            check("closing.exit", t, &["zum_ende"])?;
        }
        for t in c
            .interim_reason
            .values()
            .chain(c.thanks.iter().flatten())
            .chain(c.regret.iter().flatten())
            .chain(c.wishes.iter())
            .chain(c.retirement_wishes.iter())
            .chain(c.interim.iter())
        {
            check("closing", t, &[])?;
        }
        Ok(())
    }
}

fn validate_profiles(profiles: &[JobProfile]) -> Result<(), LibraryError> {
    if profiles.len() > 500 {
        return Err(LibraryError::TooMany);
    }
    let mut seen = BTreeSet::new();
    for p in profiles {
        let well_formed = !p.key.is_empty()
            && p.key.len() <= 64
            && p.key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed || !seen.insert(p.key.as_str()) {
            return Err(LibraryError::ProfileKey(p.key.clone()));
        }
        if p.tasks.len() > MAX_PROFILE_TASKS {
            return Err(LibraryError::TooManyTasks(p.key.clone()));
        }
    }
    Ok(())
}

fn validate_qualifications(qs: &[Qualification]) -> Result<(), LibraryError> {
    if qs.len() > 500 {
        return Err(LibraryError::TooMany);
    }
    let mut seen = BTreeSet::new();
    for q in qs {
        if !seen.insert(q.label.as_str().to_lowercase()) {
            return Err(LibraryError::DuplicateQualification(
                q.label.as_str().to_owned(),
            ));
        }
        q.phrase
            .allow_slots(&[])
            .map_err(|error| LibraryError::Template {
                place: format!("qualification {}", q.label),
                error,
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_german_default_parses_and_is_valid() {
        let parsed: PhraseLibrary = serde_json::from_str(DEFAULT_JSON).unwrap();
        parsed.validate().unwrap();
        assert_eq!(PhraseLibrary::german_default(), parsed);
        assert!(parsed.job_profiles.len() >= 3);
        for key in ["office_clerk", "software_developer", "sales_representative"] {
            assert!(parsed.job_profile(key).is_some(), "{key}");
        }
        assert!(parsed.qualification("teamfähigkeit").is_some());
        assert!(PhraseLibrary::fallback().validate().is_ok());
    }

    #[test]
    fn a_library_without_a_criterion_or_with_a_misplaced_slot_is_refused() {
        let mut lib = PhraseLibrary::german_default();
        lib.letter_texts.ratings.remove(&Criterion::Knowledge);
        assert_eq!(
            lib.validate(),
            Err(LibraryError::MissingCriterion(Criterion::Knowledge))
        );
        let mut lib = PhraseLibrary::german_default();
        lib.letter_texts.summary.0[0] = Template::parse("{Er} {gruppen}.").unwrap();
        assert!(matches!(lib.validate(), Err(LibraryError::Template { .. })));
        let mut lib = PhraseLibrary::german_default();
        let dup = lib.job_profiles[0].clone();
        lib.job_profiles.push(dup);
        assert!(matches!(lib.validate(), Err(LibraryError::ProfileKey(_))));
    }

    #[test]
    fn refusals_name_criteria_by_key_and_too_many_tasks_as_such() {
        let mut lib = PhraseLibrary::german_default();
        lib.letter_texts.ratings.remove(&Criterion::WorkResults);
        assert_eq!(
            lib.validate().unwrap_err().to_string(),
            "phrases for the criterion work_results are missing"
        );
        let mut lib = PhraseLibrary::german_default();
        let task = lib.job_profiles[0].tasks[0].clone();
        lib.job_profiles[0].tasks = vec![task; MAX_PROFILE_TASKS + 1];
        let key = lib.job_profiles[0].key.clone();
        assert_eq!(lib.validate(), Err(LibraryError::TooManyTasks(key)));
    }

    #[test]
    fn an_unknown_placeholder_in_the_json_is_refused_with_its_name() {
        let mut v = serde_json::to_value(PhraseLibrary::german_default()).unwrap();
        v["letter_texts"]["intro"] = serde_json::json!("{Sie} ist nett.");
        let e = serde_json::from_value::<PhraseLibrary>(v).unwrap_err();
        assert!(e.to_string().contains("unknown placeholder {Sie}"), "{e}");
    }
}
