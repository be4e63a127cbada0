//! The reference check: a deterministic, explainable reading of a reference text
//! for what readers take as hidden negative signals.
//!
//! It finds a missing or weakened closing formula, a missing conduct assessment,
//! conduct groups left out or in the wrong order, an overall grade that does not
//! match the individual criteria, past tense in an interim or present tense in a
//! final reference, pronouns that do not fit the person, and wording that
//! discloses protected characteristics. Each [`Finding`] names the sentence and
//! explains in plain German why it matters. The generator's own text for any
//! consistent input yields no finding (a property test holds it to that).
//!
//! ```
//! use zeugnis_core::check::{check, CheckInput, FindingKind};
//! use zeugnis_core::phrases::PhraseLibrary;
//! use zeugnis_core::reference::ReferenceKind;
//!
//! let library = PhraseLibrary::german_default();
//! let text = "Er erledigte die übertragenen Aufgaben stets zu unserer vollsten Zufriedenheit. \
//!             Sein Verhalten gegenüber Kolleginnen und Kollegen sowie Vorgesetzten war stets vorbildlich.";
//! let findings = check(&CheckInput { kind: ReferenceKind::Final, text, person: None, library: &library });
//! let kinds: Vec<_> = findings.iter().map(|f| f.kind).collect();
//! assert!(kinds.contains(&FindingKind::ConductOrder));
//! assert!(kinds.contains(&FindingKind::ClosingMissing));
//! ```

use std::collections::BTreeSet;

use crate::employee::Salutation;
use crate::generator::wording;
use crate::phrases::{PhraseLibrary, RATED_CRITERIA, Wording};
use crate::reference::form::PersonalForm;
use crate::reference::{ConductGroup, Grade, ReferenceKind};

/// One sentence (or list item) of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The sentence, trimmed.
    pub text: String,
    /// A list item (a line starting with "–", "-", "•" or "*").
    pub list_item: bool,
}

const ABBREVIATIONS: [&str; 18] = [
    "dr", "prof", "bzw", "ca", "usw", "z.b", "u.a", "etc", "inkl", "ggf", "evtl", "nr", "str",
    "abt", "hr", "fr", "st", "dipl",
];

/// Splits a text into sentences and list items. A full stop after a number
/// ("3. März") or a common abbreviation ("Dr.") does not end a sentence.
#[must_use]
pub fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let (list_item, body) = match trimmed.strip_prefix(['–', '-', '•', '*']) {
            Some(rest) => (true, rest.trim()),
            None => (false, trimmed),
        };
        if list_item {
            out.push(Sentence {
                text: body.to_owned(),
                list_item: true,
            });
            continue;
        }
        let chars: Vec<(usize, char)> = body.char_indices().collect();
        let mut start = 0;
        for (k, (i, c)) in chars.iter().enumerate() {
            if !matches!(c, '.' | '!' | '?' | ':') {
                continue;
            }
            let next = chars.get(k + 1).map(|(_, c)| *c);
            let ends = match next {
                None => true,
                Some(n) => n.is_whitespace() || matches!(n, '“' | '"' | '»' | ')'),
            };
            if !ends {
                continue;
            }
            if *c == '.' {
                let before = body.get(start..*i).unwrap_or_default();
                let word = before
                    .rsplit(|ch: char| ch.is_whitespace() || ch == '(')
                    .next()
                    .unwrap_or_default()
                    .to_lowercase();
                if word.chars().all(|ch| ch.is_ascii_digit()) && !word.is_empty()
                    || ABBREVIATIONS.contains(&word.as_str())
                {
                    continue;
                }
            }
            let end = i + c.len_utf8();
            let end = match next {
                Some(n @ ('“' | '"' | '»' | ')')) => end + n.len_utf8(),
                _ => end,
            };
            let s = body.get(start..end).unwrap_or_default().trim();
            if !s.is_empty() {
                out.push(Sentence {
                    text: s.to_owned(),
                    list_item: false,
                });
            }
            start = end;
        }
        let rest = body.get(start..).unwrap_or_default().trim();
        if !rest.is_empty() {
            out.push(Sentence {
                text: rest.to_owned(),
                list_item: false,
            });
        }
    }
    out
}

/// The words of a text, lower-cased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// What a finding is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingKind {
    /// No closing formula (good wishes; in an interim reference, thanks or the
    /// continued cooperation).
    ClosingMissing,
    /// A closing formula weaker than the assessment (thanks or regret missing).
    ClosingWeakened,
    /// No conduct assessment.
    ConductMissing,
    /// Superiors or colleagues left out of the conduct assessment.
    ConductGroupMissing,
    /// Conduct groups not in the order superiors, colleagues, customers.
    ConductOrder,
    /// The overall grade does not match the individual criteria.
    GradeMismatch,
    /// Past tense in an interim or present tense in a final reference.
    TenseMismatch,
    /// Pronouns that do not fit the person (or each other).
    PronounInconsistent,
    /// Wording that discloses a protected characteristic.
    ProtectedCharacteristic,
}

/// One finding: what, where, and why it matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What.
    pub kind: FindingKind,
    /// The sentence it is about, where there is one.
    pub sentence: Option<String>,
    /// Why it matters, in plain German.
    pub explanation: String,
}

/// What the check reads.
#[derive(Debug, Clone, Copy)]
pub struct CheckInput<'a> {
    /// Interim or final.
    pub kind: ReferenceKind,
    /// The reference text.
    pub text: &'a str,
    /// The person as printed (salutation and name), if known.
    pub person: Option<&'a PersonalForm>,
    /// The tenant's phrase library (to recognise its phrases and tenses).
    pub library: &'a PhraseLibrary,
}

const MASCULINE: [&str; 9] = [
    "er", "ihm", "ihn", "sein", "seine", "seinem", "seinen", "seiner", "seines",
];
const FEMININE: [&str; 7] = ["sie", "ihr", "ihre", "ihrem", "ihren", "ihrer", "ihres"];

/// Present and past forms for manual text, beside those of the library.
const TENSE_PAIRS: [(&str, &str); 24] = [
    ("ist", "war"),
    ("sind", "waren"),
    ("zeigt", "zeigte"),
    ("arbeitet", "arbeitete"),
    ("verfügt", "verfügte"),
    ("erledigt", "erledigte"),
    ("erfüllt", "erfüllte"),
    ("beherrscht", "beherrschte"),
    ("überzeugt", "überzeugte"),
    ("setzt", "setzte"),
    ("bringt", "brachte"),
    ("übernimmt", "übernahm"),
    ("führt", "führte"),
    ("betreut", "betreute"),
    ("leitet", "leitete"),
    ("verantwortet", "verantwortete"),
    ("entwickelt", "entwickelte"),
    ("kann", "konnte"),
    ("gilt", "galt"),
    ("erzielt", "erzielte"),
    ("erreicht", "erreichte"),
    ("verhält", "verhielt"),
    ("besitzt", "besaß"),
    ("zeichnet", "zeichnete"),
];

/// Words that disclose a protected characteristic (prefixes of lower-cased
/// words), with the explanation.
const PROTECTED: [(&[&str], &str); 7] = [
    (
        &[
            "krankheit",
            "erkrank",
            "krankgeschrieben",
            "arbeitsunfähig",
            "fehlzeit",
            "gesundheitszustand",
            "gesundheitlich",
        ],
        "Krankheiten, Fehlzeiten und der Gesundheitszustand gehören nicht in ein Arbeitszeugnis. Sie sind besonders geschützte Gesundheitsdaten und dürfen nur in seltenen Ausnahmefällen genannt werden, etwa wenn sie das Arbeitsverhältnis wesentlich geprägt haben.",
    ),
    (
        &["schwanger", "mutterschutz", "elternzeit"],
        "Schwangerschaft, Mutterschutz und Elternzeit dürfen nicht erwähnt werden: Das benachteiligt wegen des Geschlechts bzw. der Familienplanung und ist nach dem AGG unzulässig.",
    ),
    (
        &["behinderung", "behindert", "schwerbehind"],
        "Eine Behinderung darf im Zeugnis nur auf ausdrücklichen Wunsch der Person erwähnt werden; sonst ist das eine Benachteiligung nach dem AGG.",
    ),
    (
        &[
            "religi",
            "konfession",
            "muslim",
            "islam",
            "jüdisch",
            "katholisch",
            "evangelisch",
            "kirchenmitglied",
        ],
        "Religion und Weltanschauung sind nach dem AGG geschützte Merkmale und gehören nicht in ein Arbeitszeugnis.",
    ),
    (
        &[
            "herkunft",
            "hautfarbe",
            "migrationshintergrund",
            "ethni",
            "nationalität",
            "staatsangehörigkeit",
            "ausländisch",
        ],
        "Ethnische Herkunft und Nationalität sind nach dem AGG geschützte Merkmale und gehören nicht in ein Arbeitszeugnis.",
    ),
    (
        &[
            "homosexu",
            "heterosexu",
            "sexuelle",
            "transgender",
            "geschlechtsidentität",
        ],
        "Die sexuelle Identität ist nach dem AGG ein geschütztes Merkmal und gehört nicht in ein Arbeitszeugnis.",
    ),
    (
        &[
            "betriebsrat",
            "personalrat",
            "gewerkschaft",
            "politisch",
            "partei",
        ],
        "Betriebsrats- oder Gewerkschaftstätigkeit und politische Einstellungen dürfen nur auf Wunsch der Person erwähnt werden; ungefragt gelten sie als versteckter Hinweis.",
    ),
];

/// Words about age (whole words only: "Alter", not "Alternative").
const AGE_WORDS: [&str; 4] = ["alter", "alters", "altersbedingt", "jahrgang"];
const AGE_EXPLANATION: &str = "Das Alter ist nach dem AGG ein geschütztes Merkmal; Bemerkungen dazu (\"für sein Alter\", \"altersbedingt\") gehören nicht in ein Arbeitszeugnis. Das Geburtsdatum in der Einleitung ist üblich und unbedenklich.";

/// The grade of an overall assessment (Zufriedenheitsformel), if the sentence
/// holds one.
#[must_use]
pub fn summary_grade(sentence: &str) -> Option<Grade> {
    let s = sentence.to_lowercase().replace("zur ", "zu unserer ");
    if !s.contains("zufriedenheit") {
        return None;
    }
    let always = ["stets", "jederzeit", "immer"]
        .iter()
        .any(|w| words(&s).iter().any(|x| x == w));
    let value = if s.contains("vollsten zufriedenheit") {
        if always { 1 } else { 2 }
    } else if s.contains("vollen zufriedenheit") {
        if always { 2 } else { 3 }
    } else if s.contains("großen und ganzen") || s.contains("im wesentlichen") {
        5
    } else if always {
        3
    } else {
        4
    };
    Grade::new(value).ok()
}

struct Reader<'a> {
    input: &'a CheckInput<'a>,
    sentences: Vec<Sentence>,
    findings: Vec<Finding>,
}

fn find(kind: FindingKind, sentence: Option<&str>, explanation: impl Into<String>) -> Finding {
    Finding {
        kind,
        sentence: sentence.map(str::to_owned),
        explanation: explanation.into(),
    }
}

impl Reader<'_> {
    fn prose(&self) -> impl Iterator<Item = &Sentence> {
        self.sentences.iter().filter(|s| !s.list_item)
    }

    /// The overall grade the text expresses: its overall assessment, else the
    /// mean of the criteria phrases it contains.
    fn grades(&self) -> (Option<(Grade, String)>, Vec<Grade>) {
        let summary = self
            .prose()
            .find_map(|s| summary_grade(&s.text).map(|g| (g, s.text.clone())));
        let wordings: Vec<Wording> = match self.input.person {
            Some(p) => vec![wording(self.input.kind, p)],
            None => [Salutation::Herr, Salutation::Frau]
                .into_iter()
                .map(|s| Wording::new(s, None, "", "", self.input.kind))
                .collect(),
        };
        let mut found = Vec::new();
        for c in RATED_CRITERIA {
            let Some(graded) = self.input.library.letter_texts.ratings.get(&c) else {
                continue;
            };
            for value in 1..=5u8 {
                let Ok(grade) = Grade::new(value) else {
                    continue;
                };
                let hit = wordings
                    .iter()
                    .any(|w| self.input.text.contains(&graded.get(grade).render(w, &[])));
                if hit {
                    found.push(grade);
                }
            }
        }
        (summary, found)
    }

    fn closing(&mut self, overall: Option<Grade>) {
        let has = |prefix: &str| {
            self.prose()
                .find(|s| words(&s.text).iter().any(|w| w.starts_with(prefix)))
                .map(|s| s.text.clone())
        };
        let thanks = has("dank");
        let regret = has("bedauer");
        let wishes = has("wünsch");
        let continued = self
            .prose()
            .find(|s| {
                let w = words(&s.text);
                w.iter().any(|x| x.starts_with("weiter")) && w.iter().any(|x| x == "zusammenarbeit")
            })
            .map(|s| s.text.clone());
        let grade = overall.map(Grade::value);
        let last = self.prose().last().map(|s| s.text.clone());
        match self.input.kind {
            ReferenceKind::Final => {
                if wishes.is_none() {
                    self.findings.push(find(
                        FindingKind::ClosingMissing,
                        last.as_deref(),
                        "Die Schlussformel mit guten Wünschen für die Zukunft fehlt. Ein Endzeugnis ohne Schlussformel lesen Personalverantwortliche als deutliche Distanzierung vom Arbeitnehmer.",
                    ));
                    return;
                }
                if grade.is_some_and(|g| g <= 3) && thanks.is_none() {
                    self.findings.push(find(
                        FindingKind::ClosingWeakened,
                        wishes.as_deref(),
                        "Der Dank für die Zusammenarbeit fehlt, obwohl die Leistung mindestens befriedigend bewertet ist. Ein fehlender Dank gilt als versteckte Abwertung.",
                    ));
                }
                if grade.is_some_and(|g| g <= 2) && regret.is_none() {
                    self.findings.push(find(
                        FindingKind::ClosingWeakened,
                        wishes.as_deref(),
                        "Bei einer guten oder sehr guten Bewertung wird üblicherweise das Ausscheiden bedauert. Fehlt das Bedauern, passt die Schlussformel nicht zur Note und wirkt abwertend.",
                    ));
                }
            }
            ReferenceKind::Interim => {
                if thanks.is_none() && continued.is_none() {
                    self.findings.push(find(
                        FindingKind::ClosingMissing,
                        last.as_deref(),
                        "Die Schlussformel eines Zwischenzeugnisses (Dank und Freude auf die weitere Zusammenarbeit) fehlt. Das wirkt, als sei die weitere Zusammenarbeit nicht erwünscht.",
                    ));
                } else if grade.is_some_and(|g| g <= 3) && thanks.is_none() {
                    self.findings.push(find(
                        FindingKind::ClosingWeakened,
                        continued.as_deref(),
                        "Der Dank für die bisherige Arbeit fehlt, obwohl die Leistung mindestens befriedigend bewertet ist. Ein fehlender Dank gilt als versteckte Abwertung.",
                    ));
                }
            }
        }
    }

    fn conduct(&mut self) {
        let conduct: Vec<String> = self
            .prose()
            .filter(|s| words(&s.text).iter().any(|w| w.starts_with("verhalten")))
            .map(|s| s.text.clone())
            .collect();
        if conduct.is_empty() {
            self.findings.push(find(
                FindingKind::ConductMissing,
                None,
                "Die Beurteilung des Verhaltens gegenüber Vorgesetzten und Kollegen fehlt. Ein Zeugnis ohne Verhaltensbeurteilung deutet auf erhebliche Probleme im Umgang hin.",
            ));
            return;
        }
        let group_of = |w: &str| {
            if w.starts_with("vorgesetzt") {
                Some(ConductGroup::Superiors)
            } else if w.starts_with("kolleg") {
                Some(ConductGroup::Colleagues)
            } else if w.starts_with("kund") || w.starts_with("geschäftspartner") {
                Some(ConductGroup::Customers)
            } else {
                None
            }
        };
        let mut seen: BTreeSet<ConductGroup> = BTreeSet::new();
        let mut latest: Option<ConductGroup> = None;
        let mut order_reported = false;
        for sentence in &conduct {
            for g in words(sentence).iter().filter_map(|w| group_of(w)) {
                if latest.is_some_and(|l| g < l) && !seen.contains(&g) && !order_reported {
                    self.findings.push(find(
                        FindingKind::ConductOrder,
                        Some(sentence),
                        "Die Reihenfolge ist üblicherweise Vorgesetzte, dann Kolleginnen und Kollegen, dann Kunden. Wer Vorgesetzte nach Kollegen oder Kunden nennt, deutet Schwierigkeiten mit Vorgesetzten an.",
                    ));
                    order_reported = true;
                }
                seen.insert(g);
                latest = latest.max(Some(g));
            }
        }
        for (group, label) in [
            (ConductGroup::Superiors, "Vorgesetzten"),
            (ConductGroup::Colleagues, "Kolleginnen und Kollegen"),
        ] {
            if !seen.contains(&group) {
                self.findings.push(find(
                    FindingKind::ConductGroupMissing,
                    conduct.first().map(String::as_str),
                    format!("Das Verhalten gegenüber {label} wird nicht beurteilt. Eine ausgelassene Gruppe lesen Zeugnisleser als Hinweis auf Konflikte mit ihr."),
                ));
            }
        }
    }

    fn grade_match(&mut self, summary: Option<&(Grade, String)>, criteria: &[Grade]) {
        let Some((overall, sentence)) = summary else {
            return;
        };
        if criteria.is_empty() {
            return;
        }
        let sum: u32 = criteria.iter().map(|g| u32::from(g.value())).sum();
        let n = u32::try_from(criteria.len()).unwrap_or(1);
        // |mean - overall| > 0.5, in integers: |2*sum - 2*n*overall| > n.
        let diff = (i64::from(2 * sum) - i64::from(2 * n * u32::from(overall.value()))).abs();
        if diff > i64::from(n) {
            let mean = f64::from(sum) / f64::from(n);
            self.findings.push(find(
                FindingKind::GradeMismatch,
                Some(sentence),
                format!(
                    "Die Gesamtbewertung entspricht der Note {}, die einzelnen Bewertungen im Text ergeben im Mittel {:.1}. Eine Gesamtnote, die nicht zu den Einzelbewertungen passt, wirkt widersprüchlich und wird zu Ungunsten des Arbeitnehmers gelesen.",
                    overall.value(),
                    mean
                ),
            ));
        }
    }

    fn person_words(&self) -> BTreeSet<String> {
        let mut set: BTreeSet<String> = BTreeSet::new();
        match self.input.person.map(|p| p.salutation) {
            Some(Salutation::Herr) => set.extend(MASCULINE.iter().map(|s| (*s).to_owned())),
            Some(Salutation::Frau) => set.extend(FEMININE.iter().map(|s| (*s).to_owned())),
            Some(Salutation::None) => {}
            None => {
                set.extend(MASCULINE.iter().map(|s| (*s).to_owned()));
                set.extend(FEMININE.iter().map(|s| (*s).to_owned()));
            }
        }
        if let Some(p) = self.input.person {
            set.extend(words(p.last_name.as_str()));
        }
        set
    }

    fn tense(&mut self) {
        let mut present: BTreeSet<String> = BTreeSet::new();
        let mut past: BTreeSet<String> = BTreeSet::new();
        for (a, b) in TENSE_PAIRS {
            present.insert(a.to_owned());
            past.insert(b.to_owned());
        }
        for t in self.input.library.templates() {
            for (a, b) in t.tense_alternatives() {
                present.extend(words(a));
                past.extend(words(b));
            }
        }
        let shared: BTreeSet<String> = present.intersection(&past).cloned().collect();
        let wrong = match self.input.kind {
            ReferenceKind::Interim => &past,
            ReferenceKind::Final => &present,
        };
        let person = self.person_words();
        let mut hits = Vec::new();
        for s in self.prose() {
            let w = words(&s.text);
            if w.iter().any(|x| x == "wir") || !w.iter().any(|x| person.contains(x)) {
                continue;
            }
            if w.iter().any(|x| wrong.contains(x) && !shared.contains(x)) {
                hits.push(s.text.clone());
            }
        }
        let explanation = match self.input.kind {
            ReferenceKind::Interim => {
                "Ein Zwischenzeugnis beschreibt ein bestehendes Arbeitsverhältnis und steht im Präsens. Vergangenheitsformen lesen sich, als sei die Person nicht mehr tätig oder die Aussage nicht mehr gültig."
            }
            ReferenceKind::Final => {
                "Ein Endzeugnis beschreibt ein beendetes Arbeitsverhältnis und steht in der Vergangenheit. Präsensformen wirken nachlässig oder widersprüchlich."
            }
        };
        for h in hits {
            self.findings
                .push(find(FindingKind::TenseMismatch, Some(&h), explanation));
        }
    }

    fn pronouns(&mut self) {
        let salutation = self.input.person.map(|p| p.salutation);
        let (wrong, explanation): (Vec<&str>, String) = match salutation {
            Some(Salutation::Herr) => (
                FEMININE.to_vec(),
                "Das Zeugnis ist für einen Mann (Anrede „Herr“) geschrieben, der Satz verwendet aber weibliche Pronomen. Uneinheitliche Pronomen wirken nachlässig und lassen an Textbausteine aus anderen Zeugnissen denken.".to_owned(),
            ),
            Some(Salutation::Frau) => (
                MASCULINE.to_vec(),
                "Das Zeugnis ist für eine Frau (Anrede „Frau“) geschrieben, der Satz verwendet aber männliche Pronomen. Uneinheitliche Pronomen wirken nachlässig und lassen an Textbausteine aus anderen Zeugnissen denken.".to_owned(),
            ),
            Some(Salutation::None) => (
                MASCULINE.iter().chain(FEMININE.iter()).copied().collect(),
                "Für die Person ist keine Anrede hinterlegt; das Zeugnis soll ohne geschlechtsbezogene Pronomen auskommen (den Namen statt „er“ oder „sie“ verwenden).".to_owned(),
            ),
            None => {
                // Unknown person: flag the less used of two mixed sets.
                let count = |set: &[&str]| {
                    self.prose()
                        .filter(|s| words(&s.text).iter().any(|w| set.contains(&w.as_str())))
                        .count()
                };
                let masc = count(&MASCULINE);
                let fem = count(&FEMININE[1..]);
                if masc == 0 || fem == 0 {
                    return;
                }
                let minority: Vec<&str> = if masc < fem {
                    MASCULINE.to_vec()
                } else {
                    FEMININE[1..].to_vec()
                };
                (
                    minority,
                    "Im Text wechseln männliche und weibliche Pronomen für dieselbe Person. Uneinheitliche Pronomen wirken nachlässig und lassen an Textbausteine aus anderen Zeugnissen denken.".to_owned(),
                )
            }
        };
        let hits: Vec<String> = self
            .prose()
            .filter(|s| words(&s.text).iter().any(|w| wrong.contains(&w.as_str())))
            .map(|s| s.text.clone())
            .collect();
        for h in hits {
            self.findings.push(find(
                FindingKind::PronounInconsistent,
                Some(&h),
                explanation.clone(),
            ));
        }
    }

    fn protected(&mut self) {
        let mut hits = Vec::new();
        for s in &self.sentences {
            let w = words(&s.text);
            for (stems, explanation) in PROTECTED {
                if w.iter().any(|x| stems.iter().any(|st| x.starts_with(st))) {
                    hits.push((s.text.clone(), explanation));
                }
            }
            if w.iter().any(|x| AGE_WORDS.contains(&x.as_str())) {
                hits.push((s.text.clone(), AGE_EXPLANATION));
            }
        }
        for (sentence, explanation) in hits {
            self.findings.push(find(
                FindingKind::ProtectedCharacteristic,
                Some(&sentence),
                explanation,
            ));
        }
    }
}

/// Checks a reference text.
#[must_use]
pub fn check(input: &CheckInput<'_>) -> Vec<Finding> {
    let mut r = Reader {
        input,
        sentences: sentences(input.text),
        findings: Vec::new(),
    };
    let (summary, criteria) = r.grades();
    let overall = summary.as_ref().map(|(g, _)| *g).or_else(|| {
        let n = u32::try_from(criteria.len()).ok().filter(|n| *n > 0)?;
        let sum: u32 = criteria.iter().map(|g| u32::from(g.value())).sum();
        Grade::new(u8::try_from((2 * sum + n) / (2 * n)).ok()?).ok()
    });
    r.closing(overall);
    r.conduct();
    r.grade_match(summary.as_ref(), &criteria);
    r.tense();
    r.pronouns();
    r.protected();
    r.findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_survive_dates_titles_and_lists() {
        let s = sentences(
            "Herr Dr. Max Müller, geboren am 3. März 1988, war tätig. Er war gut!\n\nSeine Aufgaben:\n– Buchhaltung\n- Mahnwesen",
        );
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Herr Dr. Max Müller, geboren am 3. März 1988, war tätig.",
                "Er war gut!",
                "Seine Aufgaben:",
                "Buchhaltung",
                "Mahnwesen"
            ]
        );
        assert!(s[3].list_item && !s[2].list_item);
    }

    #[test]
    fn the_summary_formula_is_graded() {
        let g = |s| summary_grade(s).map(Grade::value);
        assert_eq!(
            g("Er erledigte alles stets zu unserer vollsten Zufriedenheit."),
            Some(1)
        );
        assert_eq!(g("Sie arbeitete stets zur vollen Zufriedenheit."), Some(2));
        assert_eq!(g("zu unserer vollen Zufriedenheit"), Some(3));
        assert_eq!(g("stets zu unserer Zufriedenheit"), Some(3));
        assert_eq!(g("zu unserer Zufriedenheit"), Some(4));
        assert_eq!(g("im Großen und Ganzen zu unserer Zufriedenheit"), Some(5));
        assert_eq!(g("Er war pünktlich."), None);
    }

    #[test]
    fn age_words_match_whole_words_only() {
        let lib = PhraseLibrary::german_default();
        let run = |text| {
            check(&CheckInput {
                kind: ReferenceKind::Final,
                text,
                person: None,
                library: &lib,
            })
            .into_iter()
            .filter(|f| f.kind == FindingKind::ProtectedCharacteristic)
            .count()
        };
        assert_eq!(run("Er prüfte Alternativen."), 0);
        assert_eq!(run("Für sein Alter war er fit."), 1);
        assert_eq!(run("Er leitete die Krankenhausverwaltung."), 0);
        assert_eq!(run("Wegen einer Erkrankung fehlte er oft."), 1);
    }
}
