//! The text generator: writes the `result` section of a reference from its other
//! sections and the tenant's [phrase library](crate::phrases).
//!
//! The text follows the customary structure — introduction (name, birth data,
//! period, position), company description, positions and departments, tasks,
//! additional tasks, powers, further training, the performance assessment with
//! one sentence per rated criterion, qualifications and achievements, the overall
//! assessment (Zufriedenheitsformel), the conduct assessment (superiors before
//! colleagues before customers) and the closing formula, whose thanks, regret and
//! good wishes follow the overall grade and the exit reason. Interim references
//! are written in the present tense, final ones in the past tense; the wording
//! follows the salutation (er/sie, or the name where none is given).
//!
//! Regenerating never overwrites manual edits silently: [`reconcile`] replaces the
//! text only when it is still what the generator last wrote (or empty), and
//! otherwise keeps it and shows what would change.
//!
//! ```
//! use zeugnis_core::generator::generate;
//! use zeugnis_core::phrases::PhraseLibrary;
//! use zeugnis_core::reference::form::{Forms, Line, PersonalForm};
//! use zeugnis_core::reference::{Criterion, Grade, ReferenceKind};
//! use zeugnis_core::employee::Salutation;
//!
//! let mut forms = Forms::default();
//! forms.personal = Some(PersonalForm {
//!     salutation: Salutation::Frau,
//!     title: None,
//!     first_name: Line::new("Jürgen")?,
//!     last_name: Line::new("Weiß")?,
//!     birth_date: None,
//!     birth_place: None,
//! });
//! forms.performance.ratings.insert(Criterion::WorkResults, Grade::new(1)?);
//! forms.conduct.superiors = Some(Grade::new(1)?);
//! forms.conduct.colleagues = Some(Grade::new(1)?);
//! let text = generate(ReferenceKind::Final, &forms, &PhraseLibrary::german_default())?.text;
//! assert!(text.contains("Sie erledigte die übertragenen Aufgaben stets zu unserer vollsten Zufriedenheit."));
//! assert!(text.contains("Ihr Verhalten gegenüber Vorgesetzten sowie Kolleginnen und Kollegen war stets vorbildlich."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use sha2::{Digest, Sha256};

use crate::check::sentences;
use crate::document::german_date;
use crate::employee::{IssueReason, Salutation};
use crate::phrases::{PhraseLibrary, RATED_CRITERIA, Template, Wording};
use crate::reference::form::{Forms, Line, PerformanceForm, PersonalForm};
use crate::reference::{ConductGroup, Criterion, Grade, ReferenceKind};

/// What the generator wrote.
#[derive(Clone, PartialEq, Eq)]
pub struct Generated {
    /// The heading ("Arbeitszeugnis", "Zwischenzeugnis", or the one HR set).
    pub heading: String,
    /// The text of the `result` section: paragraphs separated by a blank line,
    /// list items on lines starting with "– ".
    pub text: String,
    /// The overall grade the closing formula follows.
    pub overall: Grade,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated")
            .field("overall", &self.overall)
            .finish_non_exhaustive()
    }
}

/// Why no text can be generated yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// The personal data (at least the name) is missing.
    #[error("fill in the personal data (section personal) before generating the text")]
    MissingPersonal,
    /// No performance criterion is rated.
    #[error(
        "rate at least one performance criterion (section performance) before generating the text"
    )]
    NoRatings,
    /// Conduct towards superiors or colleagues is not rated.
    #[error(
        "rate the conduct towards superiors and colleagues (section conduct) before generating the text"
    )]
    MissingConduct,
}

/// The wording for the person a reference is about.
#[must_use]
pub fn wording(kind: ReferenceKind, person: &PersonalForm) -> Wording {
    Wording::new(
        person.salutation,
        person.title.as_ref().map(Line::as_str),
        person.first_name.as_str(),
        person.last_name.as_str(),
        kind,
    )
}

/// The overall grade: the mean of the rated performance criteria, rounded half up
/// (conduct is assessed separately).
#[must_use]
pub fn overall_grade(performance: &PerformanceForm) -> Option<Grade> {
    let grades: Vec<u32> = RATED_CRITERIA
        .iter()
        .filter_map(|c| performance.ratings.get(c))
        .map(|g| u32::from(g.value()))
        .collect();
    let n = u32::try_from(grades.len()).ok().filter(|n| *n > 0)?;
    let sum: u32 = grades.iter().sum();
    let rounded = (2 * sum + n) / (2 * n);
    Grade::new(u8::try_from(rounded).ok()?).ok()
}

/// The conduct grade per group, in the order a reference names them; the
/// `conduct` section first, the criteria "conduct internal/external" of the
/// `performance` section where it is silent.
#[must_use]
pub fn conduct_grades(forms: &Forms) -> [(ConductGroup, Option<Grade>); 3] {
    let perf = |c: Criterion| forms.performance.ratings.get(&c).copied();
    let internal = perf(Criterion::ConductInternal);
    [
        (
            ConductGroup::Superiors,
            forms.conduct.superiors.or(internal),
        ),
        (
            ConductGroup::Colleagues,
            forms.conduct.colleagues.or(internal),
        ),
        (
            ConductGroup::Customers,
            forms
                .conduct
                .customers
                .or_else(|| perf(Criterion::ConductExternal)),
        ),
    ]
}

/// How a conduct group is named in a sentence.
#[must_use]
pub const fn group_words(group: ConductGroup) -> &'static str {
    match group {
        ConductGroup::Superiors => "Vorgesetzten",
        ConductGroup::Colleagues => "Kolleginnen und Kollegen",
        ConductGroup::Customers => "Kundinnen und Kunden",
    }
}

fn join_groups(groups: &[ConductGroup]) -> String {
    let words: Vec<&str> = groups.iter().map(|g| group_words(*g)).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} sowie {last}", init.join(", ")),
    }
}

fn list(intro: String, items: &[Line]) -> String {
    let mut s = intro;
    for item in items {
        s.push_str("\n– ");
        s.push_str(item.as_str());
    }
    s
}

fn position(forms: &Forms, library: &PhraseLibrary, salutation: Salutation) -> Option<String> {
    if let Some(p) = &forms.tasks.position {
        return Some(p.as_str().to_owned());
    }
    let profile = library.job_profile(forms.tasks.job_profile.as_ref()?.as_str())?;
    let [male, female, neutral] = &profile.position;
    Some(
        match salutation {
            Salutation::Herr => male,
            Salutation::Frau => female,
            Salutation::None => neutral,
        }
        .as_str()
        .to_owned(),
    )
}

/// Writes the reference text.
///
/// # Errors
/// [`GenerateError`] when the personal data, every performance rating, or the
/// conduct towards superiors and colleagues is missing.
pub fn generate(
    kind: ReferenceKind,
    forms: &Forms,
    library: &PhraseLibrary,
) -> Result<Generated, GenerateError> {
    let person = forms
        .personal
        .as_ref()
        .ok_or(GenerateError::MissingPersonal)?;
    let overall = overall_grade(&forms.performance).ok_or(GenerateError::NoRatings)?;
    let conduct = conduct_grades(forms);
    if conduct.iter().take(2).any(|(_, grade)| grade.is_none()) {
        return Err(GenerateError::MissingConduct);
    }
    let who = wording(kind, person);
    let lt = &library.letter_texts;
    let say = |t: &Template| t.render(&who, &[]);
    let mut paragraphs: Vec<String> = Vec::new();

    // Introduction.
    let geburt = match (person.birth_date, &person.birth_place) {
        (Some(d), Some(p)) => format!(", geboren am {} in {p},", german_date(d)),
        (Some(d), None) => format!(", geboren am {},", german_date(d)),
        (None, Some(p)) => format!(", geboren in {p},"),
        (None, None) => String::new(),
    };
    let (entry, exit) = (forms.data.entry_date, forms.data.exit_date);
    let zeitraum = match (kind, entry, exit) {
        (ReferenceKind::Final, Some(a), Some(b)) => {
            format!(" vom {} bis zum {}", german_date(a), german_date(b))
        }
        (_, Some(a), _) => format!(" seit dem {}", german_date(a)),
        (ReferenceKind::Final, None, Some(b)) => format!(" bis zum {}", german_date(b)),
        _ => String::new(),
    };
    let als = position(forms, library, person.salutation)
        .map(|p| format!(" als {p}"))
        .unwrap_or_default();
    let abteilung = forms
        .tasks
        .department
        .as_ref()
        .map(|d| format!(" in der Abteilung {d}"))
        .unwrap_or_default();
    paragraphs.push(lt.intro.render(
        &who,
        &[
            ("geburt", &geburt),
            ("zeitraum", &zeitraum),
            ("als", &als),
            ("abteilung", &abteilung),
        ],
    ));
    if !forms.company.trim().is_empty() {
        paragraphs.push(forms.company.trim().to_owned());
    }

    // Positions, departments, tasks, powers, training.
    let profile_tasks;
    let tasks: &[Line] = if forms.tasks.items.is_empty() {
        profile_tasks = forms
            .tasks
            .job_profile
            .as_ref()
            .and_then(|k| library.job_profile(k.as_str()))
            .map(|p| p.tasks.clone())
            .unwrap_or_default();
        &profile_tasks
    } else {
        &forms.tasks.items
    };
    for (intro, items) in [
        (&lt.lists.career, forms.career.as_slice()),
        (&lt.lists.stations, forms.stations.as_slice()),
        (&lt.lists.tasks, tasks),
        (
            &lt.lists.additional_tasks,
            forms.additional_tasks.as_slice(),
        ),
        (&lt.lists.powers, forms.powers.as_slice()),
        (&lt.lists.training, forms.training.as_slice()),
    ] {
        if !items.is_empty() {
            paragraphs.push(list(say(intro), items));
        }
    }

    // Performance: one sentence per rated criterion, then qualifications.
    let mut sentences: Vec<String> = RATED_CRITERIA
        .iter()
        .filter_map(|c| Some((lt.ratings.get(c)?, forms.performance.ratings.get(c)?)))
        .map(|(graded, grade)| say(graded.get(*grade)))
        .collect();
    let mut unmatched = Vec::new();
    for q in &forms.qualifications {
        match library.qualification(q.as_str()) {
            Some(known) => sentences.push(say(&known.phrase)),
            None => unmatched.push(q.clone()),
        }
    }
    if !sentences.is_empty() {
        paragraphs.push(sentences.join(" "));
    }
    if !unmatched.is_empty() {
        paragraphs.push(list(say(&lt.lists.qualifications), &unmatched));
    }
    if !forms.achievements.is_empty() {
        paragraphs.push(list(say(&lt.lists.achievements), &forms.achievements));
    }
    paragraphs.push(say(lt.summary.get(overall)));

    // Conduct: groups with the same grade share a sentence; order is fixed.
    let mut conduct_sentences = Vec::new();
    let mut run: Vec<ConductGroup> = Vec::new();
    let mut run_grade: Option<Grade> = None;
    for (group, grade) in conduct {
        let Some(grade) = grade else { continue };
        if run_grade.is_some_and(|g| g != grade) {
            if let Some(g) = run_grade {
                conduct_sentences.push(
                    lt.conduct
                        .get(g)
                        .render(&who, &[("gruppen", &join_groups(&run))]),
                );
            }
            run.clear();
        }
        run.push(group);
        run_grade = Some(grade);
    }
    if let Some(g) = run_grade {
        conduct_sentences.push(
            lt.conduct
                .get(g)
                .render(&who, &[("gruppen", &join_groups(&run))]),
        );
    }
    paragraphs.push(conduct_sentences.join(" "));

    // Closing formula.
    let c = &lt.closing;
    let reason = forms.data.issue_reason.unwrap_or(IssueReason::Other);
    let mut closing = Vec::new();
    match kind {
        ReferenceKind::Final => {
            let zum_ende = exit
                .map(|d| format!(" zum {}", german_date(d)))
                .unwrap_or_default();
            if let Some(t) = c
                .exit
                .get(&reason)
                .or_else(|| c.exit.get(&IssueReason::Other))
            {
                closing.push(t.render(&who, &[("zum_ende", &zum_ende)]));
            }
            closing.extend(c.thanks.get(overall).as_ref().map(say));
            closing.extend(c.regret.get(overall).as_ref().map(say));
            let wishes = if reason == IssueReason::Retirement {
                &c.retirement_wishes
            } else {
                &c.wishes
            };
            closing.push(say(wishes.get(overall)));
        }
        ReferenceKind::Interim => {
            if let Some(t) = c
                .interim_reason
                .get(&reason)
                .or_else(|| c.interim_reason.get(&IssueReason::Other))
            {
                closing.push(say(t));
            }
            closing.push(say(c.interim.get(overall)));
        }
    }
    paragraphs.push(closing.join(" "));

    let heading = forms.reference_data.heading.as_ref().map_or_else(
        || {
            match kind {
                ReferenceKind::Final => "Arbeitszeugnis",
                ReferenceKind::Interim => "Zwischenzeugnis",
            }
            .to_owned()
        },
        |h| h.as_str().to_owned(),
    );
    Ok(Generated {
        heading,
        text: paragraphs.join("\n\n"),
        overall,
    })
}

/// A fingerprint of a generated text, kept to recognise later manual edits.
#[must_use]
pub fn fingerprint(text: &str) -> [u8; 32] {
    Sha256::digest(text.trim().as_bytes()).into()
}

/// One line of a sentence-by-sentence comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// In both texts.
    Same(String),
    /// Only in the current text (regeneration would remove it).
    Removed(String),
    /// Only in the proposed text (regeneration would add it).
    Added(String),
}

/// What regenerating does to the current text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regeneration {
    /// The current text is empty or unchanged since the last generation: replace it.
    Replace(String),
    /// The proposal equals the current text: nothing to do.
    Unchanged,
    /// The current text was edited by hand: keep it and show what would change.
    Conflict {
        /// The proposed text.
        proposed: String,
        /// Sentence by sentence, current against proposed.
        diff: Vec<DiffLine>,
    },
}

/// Decides how a freshly generated `proposed` text may replace `current`, given
/// the fingerprint of the text the generator last wrote.
#[must_use]
pub fn reconcile(
    current: &str,
    last_generated: Option<[u8; 32]>,
    proposed: String,
) -> Regeneration {
    if current.trim() == proposed.trim() {
        Regeneration::Unchanged
    } else if current.trim().is_empty() || last_generated == Some(fingerprint(current)) {
        Regeneration::Replace(proposed)
    } else {
        let diff = diff(current, &proposed);
        Regeneration::Conflict { proposed, diff }
    }
}

/// Sentence-by-sentence difference of two texts (longest common subsequence).
#[must_use]
pub fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<String> = sentences(old).into_iter().map(|s| s.text).collect();
    let b: Vec<String> = sentences(new).into_iter().map(|s| s.text).collect();
    let (n, m) = (a.len(), b.len());
    // lcs[i][j]: length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let v = if a.get(i) == b.get(j) {
                lcs.get(i + 1)
                    .and_then(|r| r.get(j + 1))
                    .map_or(0, |v| v + 1)
            } else {
                let down = lcs.get(i + 1).and_then(|r| r.get(j)).copied().unwrap_or(0);
                let right = lcs.get(i).and_then(|r| r.get(j + 1)).copied().unwrap_or(0);
                down.max(right)
            };
            if let Some(cell) = lcs.get_mut(i).and_then(|r| r.get_mut(j)) {
                *cell = v;
            }
        }
    }
    let at = |i: usize, j: usize| lcs.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0);
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                out.push(DiffLine::Same(x.clone()));
                i += 1;
                j += 1;
            }
            (Some(x), Some(_)) if at(i + 1, j) >= at(i, j + 1) => {
                out.push(DiffLine::Removed(x.clone()));
                i += 1;
            }
            (_, Some(y)) => {
                out.push(DiffLine::Added(y.clone()));
                j += 1;
            }
            (Some(x), None) => {
                out.push(DiffLine::Removed(x.clone()));
                i += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// The sentence each grade (1 to 5) produces for `criterion`, worded for the
/// person, as the editor offers them beside the grade; `None` when the
/// library has no phrases for the criterion (it is not one of
/// [`RATED_CRITERIA`]).
#[must_use]
pub fn rating_choices(
    kind: ReferenceKind,
    person: &PersonalForm,
    library: &PhraseLibrary,
    criterion: Criterion,
) -> Option<[String; 5]> {
    let who = wording(kind, person);
    let graded = library.letter_texts.ratings.get(&criterion)?;
    Some(graded.0.each_ref().map(|t| t.render(&who, &[])))
}

/// The sentence each grade (1 to 5) produces for the conduct towards `group`.
#[must_use]
pub fn conduct_choices(
    kind: ReferenceKind,
    person: &PersonalForm,
    library: &PhraseLibrary,
    group: ConductGroup,
) -> [String; 5] {
    let who = wording(kind, person);
    library
        .letter_texts
        .conduct
        .0
        .each_ref()
        .map(|t| t.render(&who, &[("gruppen", group_words(group))]))
}

/// A text as its sentences, each with what comes before it in the text: nothing
/// (the first), a space, a line break, a blank line, or a list item's dash.
/// The sentences are those of [`sentences`], in the same order.
fn units(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut blank = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        let line_break = match (out.is_empty(), blank) {
            (true, _) => "",
            (false, true) => "\n\n",
            (false, false) => "\n",
        };
        blank = false;
        for (k, s) in sentences(trimmed).into_iter().enumerate() {
            let before = match (k, s.list_item) {
                (0, true) => format!("{line_break}– "),
                (0, false) => line_break.to_owned(),
                _ => " ".to_owned(),
            };
            out.push((before, s.text));
        }
    }
    out
}

/// Takes chosen changes of a proposal into the current text: `accept` holds
/// the positions in [`diff`]`(current, proposed)` of the lines to take — an
/// added sentence is inserted where the proposal has it, a removed one is
/// dropped; every other sentence stays as it is. Accepting every change gives
/// the proposal, accepting none the current text (both with their sentences
/// and paragraphs as written, spacing normalised).
#[must_use]
pub fn merge(current: &str, proposed: &str, accept: &std::collections::BTreeSet<usize>) -> String {
    let ours = units(current);
    let theirs = units(proposed);
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    let mut emit = |unit: Option<&(String, String)>| {
        if let Some((before, text)) = unit {
            if out.is_empty() {
                out.push_str(before.trim_start_matches('\n'));
            } else {
                out.push_str(before);
            }
            out.push_str(text);
        }
    };
    for (k, line) in diff(current, proposed).iter().enumerate() {
        match line {
            DiffLine::Same(_) => {
                emit(ours.get(i));
                i += 1;
                j += 1;
            }
            DiffLine::Removed(_) => {
                if !accept.contains(&k) {
                    emit(ours.get(i));
                }
                i += 1;
            }
            DiffLine::Added(_) => {
                if accept.contains(&k) {
                    emit(theirs.get(j));
                }
                j += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn forms(salutation: Salutation) -> Forms {
        let mut f = Forms {
            personal: Some(PersonalForm {
                salutation,
                title: None,
                first_name: Line::new("Max").unwrap(),
                last_name: Line::new("Müller").unwrap(),
                birth_date: Some(date!(1988 - 03 - 03)),
                birth_place: Some(Line::new("Köln").unwrap()),
            }),
            ..Forms::default()
        };
        f.data.entry_date = Some(date!(2015 - 04 - 01));
        f.data.exit_date = Some(date!(2024 - 03 - 31));
        f.data.issue_reason = Some(IssueReason::EmployeeResignation);
        f.tasks.job_profile = Some(Line::new("accountant").unwrap());
        for c in [Criterion::Willingness, Criterion::WorkResults] {
            f.performance.ratings.insert(c, Grade::new(2).unwrap());
        }
        f.conduct.superiors = Grade::new(1).ok();
        f.conduct.colleagues = Grade::new(1).ok();
        f.conduct.customers = Grade::new(2).ok();
        f
    }

    #[test]
    fn a_final_reference_reads_as_expected() {
        let g = generate(
            ReferenceKind::Final,
            &forms(Salutation::Herr),
            &PhraseLibrary::german_default(),
        )
        .unwrap();
        assert_eq!(g.heading, "Arbeitszeugnis");
        assert_eq!(g.overall, Grade::new(2).unwrap());
        let t = &g.text;
        assert!(t.starts_with("Herr Max Müller, geboren am 3. März 1988 in Köln, war vom 1. April 2015 bis zum 31. März 2024 in unserem Unternehmen als Buchhalter tätig."), "{t}");
        assert!(
            t.contains(
                "Seine Aufgaben umfassten insbesondere:\n– Kreditoren- und Debitorenbuchhaltung\n"
            ),
            "{t}"
        );
        assert!(t.contains(
            "Er erledigte die übertragenen Aufgaben stets zu unserer vollen Zufriedenheit."
        ));
        assert!(t.contains("Sein Verhalten gegenüber Vorgesetzten sowie Kolleginnen und Kollegen war stets vorbildlich. Sein Verhalten gegenüber Kundinnen und Kunden war stets einwandfrei."), "{t}");
        assert!(t.ends_with("Das Arbeitsverhältnis endet auf seinen eigenen Wunsch zum 31. März 2024. Wir danken ihm für die guten Leistungen und die angenehme Zusammenarbeit. Wir bedauern seinen Weggang. Für den weiteren Berufsweg wünschen wir ihm alles Gute und viel Erfolg."), "{t}");
    }

    #[test]
    fn an_interim_reference_without_salutation_uses_the_name_and_the_present() {
        let g = generate(
            ReferenceKind::Interim,
            &forms(Salutation::None),
            &PhraseLibrary::german_default(),
        )
        .unwrap();
        let t = &g.text;
        assert_eq!(g.heading, "Zwischenzeugnis");
        assert!(t.starts_with("Max Müller, geboren am 3. März 1988 in Köln, ist seit dem 1. April 2015 in unserem Unternehmen als Fachkraft für Buchhaltung tätig."), "{t}");
        assert!(
            t.contains("Max Müllers Aufgaben umfassen insbesondere:"),
            "{t}"
        );
        assert!(t.contains(
            "Max Müller erledigt die übertragenen Aufgaben stets zu unserer vollen Zufriedenheit."
        ));
        assert!(t.ends_with("Dieses Zwischenzeugnis wird erstellt. Wir danken Max Müller für die guten Leistungen und freuen uns auf die weitere Zusammenarbeit."), "{t}");
    }

    #[test]
    fn missing_inputs_are_named() {
        let lib = PhraseLibrary::german_default();
        let mut f = forms(Salutation::Frau);
        f.conduct.colleagues = None;
        assert_eq!(
            generate(ReferenceKind::Final, &f, &lib),
            Err(GenerateError::MissingConduct)
        );
        f.performance.ratings.clear();
        assert_eq!(
            generate(ReferenceKind::Final, &f, &lib),
            Err(GenerateError::NoRatings)
        );
        f.personal = None;
        assert_eq!(
            generate(ReferenceKind::Final, &f, &lib),
            Err(GenerateError::MissingPersonal)
        );
    }

    #[test]
    fn overall_grade_rounds_half_up_and_ignores_conduct() {
        let mut p = PerformanceForm::default();
        assert_eq!(overall_grade(&p), None);
        p.ratings
            .insert(Criterion::Willingness, Grade::new(1).unwrap());
        p.ratings.insert(Criterion::Ability, Grade::new(2).unwrap());
        assert_eq!(overall_grade(&p), Grade::new(2).ok());
        p.ratings
            .insert(Criterion::Knowledge, Grade::new(1).unwrap());
        assert_eq!(overall_grade(&p), Grade::new(1).ok());
        p.ratings
            .insert(Criterion::ConductInternal, Grade::new(5).unwrap());
        assert_eq!(overall_grade(&p), Grade::new(1).ok());
    }

    #[test]
    fn regeneration_keeps_manual_edits_and_shows_the_difference() {
        let first = "Er war fleißig. Er war pünktlich.".to_owned();
        let fp = fingerprint(&first);
        let next = "Er war fleißig. Er war stets pünktlich.".to_owned();
        assert_eq!(
            reconcile("", None, next.clone()),
            Regeneration::Replace(next.clone())
        );
        assert_eq!(
            reconcile(&first, Some(fp), next.clone()),
            Regeneration::Replace(next.clone())
        );
        assert_eq!(
            reconcile(&next, Some(fp), next.clone()),
            Regeneration::Unchanged
        );
        let edited = "Er war fleißig. Er war pünktlich. Er war beliebt.";
        let Regeneration::Conflict { proposed, diff } = reconcile(edited, Some(fp), next.clone())
        else {
            panic!("expected a conflict");
        };
        assert_eq!(proposed, next);
        assert_eq!(
            diff,
            vec![
                DiffLine::Same("Er war fleißig.".into()),
                DiffLine::Removed("Er war pünktlich.".into()),
                DiffLine::Removed("Er war beliebt.".into()),
                DiffLine::Added("Er war stets pünktlich.".into()),
            ]
        );
    }

    #[test]
    fn each_grade_offers_the_sentence_it_produces() {
        let lib = PhraseLibrary::german_default();
        let f = forms(Salutation::Frau);
        let person = f.personal.as_ref().unwrap();
        let choices =
            rating_choices(ReferenceKind::Final, person, &lib, Criterion::WorkResults).unwrap();
        assert_eq!(
            choices[0],
            "Ihre Arbeitsergebnisse waren stets von ausgezeichneter Qualität, auch unter hoher Belastung."
        );
        assert!(choices[4] != choices[0]);
        // The generator writes exactly the offered sentence for the chosen grade.
        let mut f = f.clone();
        f.performance
            .ratings
            .insert(Criterion::WorkResults, Grade::new(3).unwrap());
        let text = generate(ReferenceKind::Final, &f, &lib).unwrap().text;
        assert!(text.contains(&choices[2]), "{text}");
        let conduct = conduct_choices(
            ReferenceKind::Interim,
            person,
            &lib,
            ConductGroup::Customers,
        );
        assert!(
            conduct[0].contains("Kundinnen und Kunden"),
            "{}",
            conduct[0]
        );
        assert!(conduct[0].starts_with("Ihr Verhalten"), "{}", conduct[0]);
        assert_eq!(
            rating_choices(
                ReferenceKind::Final,
                person,
                &lib,
                Criterion::ConductInternal
            ),
            None
        );
    }

    #[test]
    fn merging_takes_only_the_chosen_changes() {
        let current = "Er war fleißig. Er war pünktlich.\n\nEr war beliebt.\n– Buchhaltung";
        let proposed = "Er war fleißig. Er war stets pünktlich.\n\nEr war beliebt.\n– Buchhaltung\n– Controlling";
        let lines = diff(current, proposed);
        assert_eq!(
            lines,
            vec![
                DiffLine::Same("Er war fleißig.".into()),
                DiffLine::Removed("Er war pünktlich.".into()),
                DiffLine::Added("Er war stets pünktlich.".into()),
                DiffLine::Same("Er war beliebt.".into()),
                DiffLine::Same("Buchhaltung".into()),
                DiffLine::Added("Controlling".into()),
            ]
        );
        let all: std::collections::BTreeSet<usize> = (0..lines.len()).collect();
        assert_eq!(merge(current, proposed, &all), proposed);
        assert_eq!(merge(current, proposed, &Default::default()), current);
        // Only the new list item.
        let one = [5].into_iter().collect();
        assert_eq!(
            merge(current, proposed, &one),
            "Er war fleißig. Er war pünktlich.\n\nEr war beliebt.\n– Buchhaltung\n– Controlling"
        );
        // Only the changed sentence (both of its lines).
        let pair = [1, 2].into_iter().collect();
        assert_eq!(
            merge(current, proposed, &pair),
            "Er war fleißig. Er war stets pünktlich.\n\nEr war beliebt.\n– Buchhaltung"
        );
    }

    #[test]
    fn merging_every_change_of_a_generated_text_gives_that_text() {
        let lib = PhraseLibrary::german_default();
        let mut f = forms(Salutation::Herr);
        let before = generate(ReferenceKind::Final, &f, &lib).unwrap().text;
        f.performance
            .ratings
            .insert(Criterion::Knowledge, Grade::new(4).unwrap());
        f.conduct.customers = None;
        let after = generate(ReferenceKind::Final, &f, &lib).unwrap().text;
        let all = (0..diff(&before, &after).len()).collect();
        assert_eq!(merge(&before, &after, &all), after);
        assert_eq!(merge(&before, &after, &Default::default()), before);
    }
}
