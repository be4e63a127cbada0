//! The text generator and the reference check: the generator's text for any
//! consistent input is in the right tense, uses the right pronouns, names the
//! conduct groups in order, never weakens with a better grade, and passes the
//! check without a finding.
#![expect(
    clippy::unwrap_used,
    reason = "strategies build values known to be valid; a failure is a test bug"
)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use time::{Date, Duration};
use zeugnis_core::check::{CheckInput, check, sentences, summary_grade};
use zeugnis_core::employee::{IssueReason, Salutation};
use zeugnis_core::generator::generate;
use zeugnis_core::phrases::{PhraseLibrary, RATED_CRITERIA};
use zeugnis_core::reference::form::{Forms, Line, PersonalForm};
use zeugnis_core::reference::{Criterion, Grade, ReferenceKind};

fn line(s: &str) -> Line {
    Line::new(s).unwrap()
}

fn lines(items: Vec<&str>) -> Vec<Line> {
    items.into_iter().map(line).collect()
}

fn grade() -> impl Strategy<Value = Grade> {
    (1u8..=5).prop_map(|g| Grade::new(g).unwrap())
}

fn date_between(from_year: i32, years: i64) -> impl Strategy<Value = Date> {
    (0..years * 365).prop_map(move |d| {
        Date::from_calendar_date(from_year, time::Month::January, 1).unwrap() + Duration::days(d)
    })
}

const TASKS: [&str; 6] = [
    "Bearbeitung der Eingangspost",
    "Pflege der Lieferantendaten",
    "Prüfung von Rechnungen",
    "Planung von Projekten",
    "Schulung neuer Teammitglieder",
    "Betreuung der Großkunden in Süddeutschland",
];
const OTHER_LINES: [&str; 5] = [
    "Projektleitung Umstellung auf SAP S/4HANA (2021)",
    "Ersthelferin/Ersthelfer",
    "Prokura seit 1. März 2020",
    "Ausbildung zur Fachwirtin (IHK), 2019",
    "Einführung eines neuen Mahnprozesses",
];

prop_compose! {
    fn person()(
        salutation in select(vec![Salutation::Herr, Salutation::Frau, Salutation::None]),
        title in proptest::option::of(select(vec!["Dr.", "Prof. Dr.", "Dipl.-Ing."])),
        first in select(vec!["Max", "Jürgen", "Anna-Lena", "Özlem", "Jonas", "Kim", "Hans"]),
        last in select(vec!["Müller", "Weiß", "Kraus", "Schäfer", "Öztürk", "Groß", "Nguyen", "Meyer-Lüdenscheid"]),
        birth in proptest::option::of(date_between(1960, 40)),
        place in proptest::option::of(select(vec!["Köln", "München", "Görlitz", "Frankfurt am Main"])),
    ) -> PersonalForm {
        PersonalForm {
            salutation,
            title: title.map(line),
            first_name: line(first),
            last_name: line(last),
            birth_date: birth,
            birth_place: place.map(line),
        }
    }
}

prop_compose! {
    fn forms()(
        person in person(),
        entry in proptest::option::of(date_between(2000, 20)),
        length in 30i64..5000,
        reason in proptest::option::of(select(vec![
            IssueReason::EmployeeResignation, IssueReason::EmployerTermination,
            IssueReason::MutualAgreement, IssueReason::FixedTermEnd, IssueReason::Retirement,
            IssueReason::ChangeOfSupervisor, IssueReason::Reorganisation,
            IssueReason::EmployeeRequest, IssueReason::Other,
        ])),
        rated in subsequence(RATED_CRITERIA.to_vec(), 1..=RATED_CRITERIA.len()),
        grades in proptest::collection::vec(grade(), RATED_CRITERIA.len()),
        conduct in (grade(), grade(), proptest::option::of(grade())),
        tasks in subsequence(TASKS.to_vec(), 0..=TASKS.len()),
        profile in proptest::option::of(select(vec!["office_clerk", "software_developer", "sales_representative", "accountant", "hr_specialist"])),
        position in proptest::option::of(select(vec!["Sachbearbeiter Einkauf", "Teamleitung Vertrieb"])),
        department in proptest::option::of(select(vec!["Buchhaltung", "Forschung & Entwicklung"])),
        qualifications in subsequence(vec!["Teamfähigkeit", "belastbarkeit", "Genauigkeit", "Humor", "Verhandlungsgeschick"], 0..=5),
        extra in proptest::collection::vec(subsequence(OTHER_LINES.to_vec(), 0..=2), 6),
        company in proptest::option::of(Just("Die Muster GmbH ist ein führender Anbieter von Büromaterial in Deutschland.")),
    ) -> Forms {
        let mut f = Forms { personal: Some(person), ..Forms::default() };
        f.data.entry_date = entry;
        f.data.exit_date = entry.map(|e| e + Duration::days(length));
        f.data.issue_reason = reason;
        for (c, g) in rated.into_iter().zip(grades) {
            f.performance.ratings.insert(c, g);
        }
        f.conduct.superiors = Some(conduct.0);
        f.conduct.colleagues = Some(conduct.1);
        f.conduct.customers = conduct.2;
        f.tasks.items = lines(tasks);
        f.tasks.job_profile = profile.map(line);
        f.tasks.position = position.map(line);
        f.tasks.department = department.map(line);
        f.qualifications = lines(qualifications);
        let mut extra = extra.into_iter().map(lines);
        f.career = extra.next().unwrap_or_default();
        f.stations = extra.next().unwrap_or_default();
        f.additional_tasks = extra.next().unwrap_or_default();
        f.training = extra.next().unwrap_or_default();
        f.powers = extra.next().unwrap_or_default();
        f.achievements = extra.next().unwrap_or_default();
        f.company = company.unwrap_or_default().to_owned();
        f
    }
}

fn kind() -> impl Strategy<Value = ReferenceKind> {
    select(vec![ReferenceKind::Interim, ReferenceKind::Final])
}

/// The words the generator wrote: outside list items (the user's own lines) and
/// the company description (the user's own text).
fn prose_words(text: &str, forms: &Forms) -> BTreeSet<String> {
    let own = sentences(&forms.company);
    sentences(text)
        .into_iter()
        .filter(|s| !s.list_item && !own.contains(s))
        .flat_map(|s| {
            s.text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The check finds nothing in the generator's own text.
    #[test]
    fn generated_text_passes_the_check(forms in forms(), kind in kind()) {
        let library = PhraseLibrary::german_default();
        let g = generate(kind, &forms, &library).unwrap();
        let findings = check(&CheckInput {
            kind,
            text: &g.text,
            person: forms.personal.as_ref(),
            library: &library,
        });
        prop_assert!(findings.is_empty(), "{findings:#?}\n\n{}", g.text);
    }

    /// Interim references use only present forms, final ones only past forms.
    #[test]
    fn the_tense_matches_the_kind(forms in forms(), kind in kind()) {
        let library = PhraseLibrary::german_default();
        let text = generate(kind, &forms, &library).unwrap().text;
        let (mut present, mut past) = (BTreeSet::new(), BTreeSet::new());
        for t in library.templates() {
            for (a, b) in t.tense_alternatives() {
                present.insert(a.to_lowercase());
                past.insert(b.to_lowercase());
            }
        }
        let wrong: BTreeSet<_> = match kind {
            ReferenceKind::Interim => past.difference(&present).cloned().collect(),
            ReferenceKind::Final => present.difference(&past).cloned().collect(),
        };
        let words = prose_words(&text, &forms);
        let found: Vec<_> = wrong.intersection(&words).collect();
        prop_assert!(found.is_empty(), "{found:?} in {kind:?}:\n{text}");
    }

    /// Pronouns follow the salutation; without one there are none.
    #[test]
    fn pronouns_are_consistent(forms in forms(), kind in kind()) {
        let library = PhraseLibrary::german_default();
        let text = generate(kind, &forms, &library).unwrap().text;
        let words = prose_words(&text, &forms);
        let masculine = ["er", "ihm", "ihn", "sein", "seine", "seinem", "seinen", "seiner", "seines"];
        let feminine = ["sie", "ihr", "ihre", "ihrem", "ihren", "ihrer", "ihres"];
        let wrong: Vec<&str> = match forms.personal.as_ref().unwrap().salutation {
            Salutation::Herr => feminine.to_vec(),
            Salutation::Frau => masculine.to_vec(),
            _ => masculine.iter().chain(feminine.iter()).copied().collect(),
        };
        for w in wrong {
            prop_assert!(!words.contains(w), "{w} in:\n{text}");
        }
    }

    /// Superiors come before colleagues, colleagues before customers, and the
    /// first two are always named.
    #[test]
    fn the_conduct_order_is_always_right(forms in forms(), kind in kind()) {
        let library = PhraseLibrary::german_default();
        let text = generate(kind, &forms, &library).unwrap().text;
        let conduct: String = sentences(&text)
            .into_iter()
            .filter(|s| s.text.contains("Verhalten"))
            .map(|s| s.text)
            .collect::<Vec<_>>()
            .join(" ");
        let at = |w: &str| conduct.find(w);
        let superiors = at("Vorgesetzten").unwrap();
        let colleagues = at("Kolleginnen und Kollegen").unwrap();
        prop_assert!(superiors < colleagues);
        if let Some(customers) = at("Kundinnen und Kunden") {
            prop_assert!(colleagues < customers);
        }
        prop_assert_eq!(at("Kundinnen und Kunden").is_some(), forms.conduct.customers.is_some());
    }

    /// Improving one rating never makes the overall assessment or the closing
    /// formula weaker, and changes that criterion's sentence to the better one.
    #[test]
    fn a_better_grade_never_yields_a_weaker_phrase(
        forms in forms(),
        kind in kind(),
        which in 0usize..RATED_CRITERIA.len(),
        better in 1u8..=4,
    ) {
        let library = PhraseLibrary::german_default();
        let criterion: Criterion = RATED_CRITERIA[which];
        let with = |g: u8| {
            let mut f = forms.clone();
            f.performance.ratings.insert(criterion, Grade::new(g).unwrap());
            generate(kind, &f, &library).unwrap()
        };
        let (good, worse) = (with(better), with(better + 1));
        prop_assert!(good.overall <= worse.overall);
        let summary = |t: &str| sentences(t).iter().find_map(|s| summary_grade(&s.text)).unwrap();
        prop_assert!(summary(&good.text) <= summary(&worse.text));
        let count = |t: &str, stem: &str| t.matches(stem).count();
        for stem in ["danken", "bedauern"] {
            prop_assert!(count(&good.text, stem) >= count(&worse.text, stem), "{stem}");
        }
        let phrases = &library.letter_texts.ratings[&criterion];
        let who = zeugnis_core::generator::wording(kind, forms.personal.as_ref().unwrap());
        prop_assert!(good.text.contains(&phrases.get(Grade::new(better).unwrap()).render(&who, &[])));
        prop_assert!(!good.text.contains(&phrases.get(Grade::new(better + 1).unwrap()).render(&who, &[])));
    }
}
