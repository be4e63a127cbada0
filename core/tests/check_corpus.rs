//! The reference check against hand-written flawed references: each case changes
//! one thing in a sound reference and expects exactly the findings that change
//! causes, naming the offending sentence.
#![expect(
    clippy::unwrap_used,
    reason = "the corpus is fixed test data; a failure is a test bug"
)]

use zeugnis_core::check::{CheckInput, FindingKind, check};
use zeugnis_core::employee::Salutation;
use zeugnis_core::phrases::PhraseLibrary;
use zeugnis_core::reference::ReferenceKind::{self, Final, Interim};
use zeugnis_core::reference::form::{Line, PersonalForm};

use FindingKind::*;

const SOUND_FINAL: &str = "Herr Max Müller, geboren am 3. März 1988 in Köln, war vom 1. April 2015 bis zum 31. März 2024 in unserem Unternehmen als Buchhalter tätig.

Die Muster GmbH ist ein führender Anbieter von Büromaterial.

Seine Aufgaben umfassten insbesondere:
– Kreditorenbuchhaltung
– Zahlungsverkehr und Mahnwesen

Er verfügte über ein fundiertes Fachwissen, das er stets sicher in der Praxis einsetzte. Er arbeitete stets selbstständig, sorgfältig und zuverlässig.

Er erledigte die übertragenen Aufgaben stets zu unserer vollen Zufriedenheit.

Sein Verhalten gegenüber Vorgesetzten, Kolleginnen und Kollegen sowie Kunden war stets einwandfrei.

Das Arbeitsverhältnis endet auf seinen eigenen Wunsch. Wir danken ihm für die gute Zusammenarbeit und bedauern seinen Weggang. Für die Zukunft wünschen wir ihm alles Gute und viel Erfolg.";

const SOUND_INTERIM: &str = "Frau Dr. Eva Weiß ist seit dem 1. April 2015 in unserem Unternehmen als Softwareentwicklerin tätig.

Sie verfügt über ein fundiertes Fachwissen, das sie stets sicher in der Praxis einsetzt. Ihre Arbeitsergebnisse sind stets von guter Qualität, auch unter Belastung.

Sie erledigt die übertragenen Aufgaben stets zu unserer vollen Zufriedenheit.

Ihr Verhalten gegenüber Vorgesetzten sowie Kolleginnen und Kollegen ist stets einwandfrei.

Dieses Zwischenzeugnis wird auf ihren Wunsch erstellt. Wir danken ihr für die guten Leistungen und freuen uns auf die weitere Zusammenarbeit.";

fn person(salutation: Salutation, first: &str, last: &str) -> PersonalForm {
    PersonalForm {
        salutation,
        title: None,
        first_name: Line::new(first).unwrap(),
        last_name: Line::new(last).unwrap(),
        birth_date: None,
        birth_place: None,
    }
}

struct Case {
    name: &'static str,
    kind: ReferenceKind,
    person: Option<PersonalForm>,
    text: String,
    /// Expected findings: kind and a part of the sentence it names ("" for none).
    expected: Vec<(FindingKind, &'static str)>,
}

fn edit(base: &str, from: &str, to: &str) -> String {
    assert!(
        base.contains(from),
        "the corpus edit {from:?} does not apply"
    );
    base.replacen(from, to, 1)
}

fn max() -> Option<PersonalForm> {
    Some(person(Salutation::Herr, "Max", "Müller"))
}

fn eva() -> Option<PersonalForm> {
    Some(person(Salutation::Frau, "Eva", "Weiß"))
}

fn corpus() -> Vec<Case> {
    vec![
        Case {
            name: "sound final reference",
            kind: Final,
            person: max(),
            text: SOUND_FINAL.into(),
            expected: vec![],
        },
        Case {
            name: "sound interim reference",
            kind: Interim,
            person: eva(),
            text: SOUND_INTERIM.into(),
            expected: vec![],
        },
        Case {
            name: "no closing formula at all",
            kind: Final,
            person: max(),
            text: edit(SOUND_FINAL, " Wir danken ihm für die gute Zusammenarbeit und bedauern seinen Weggang. Für die Zukunft wünschen wir ihm alles Gute und viel Erfolg.", ""),
            expected: vec![(ClosingMissing, "Das Arbeitsverhältnis endet")],
        },
        Case {
            name: "good grade, but no regret",
            kind: Final,
            person: max(),
            text: edit(SOUND_FINAL, " und bedauern seinen Weggang", ""),
            expected: vec![(ClosingWeakened, "wünschen wir ihm")],
        },
        Case {
            name: "good grade, but neither thanks nor regret",
            kind: Final,
            person: max(),
            text: edit(SOUND_FINAL, " Wir danken ihm für die gute Zusammenarbeit und bedauern seinen Weggang.", ""),
            expected: vec![(ClosingWeakened, "wünschen wir ihm"), (ClosingWeakened, "wünschen wir ihm")],
        },
        Case {
            name: "interim without thanks or continued cooperation",
            kind: Interim,
            person: eva(),
            text: edit(SOUND_INTERIM, " Wir danken ihr für die guten Leistungen und freuen uns auf die weitere Zusammenarbeit.", ""),
            expected: vec![(ClosingMissing, "Dieses Zwischenzeugnis")],
        },
        Case {
            name: "colleagues before superiors",
            kind: Final,
            person: max(),
            text: edit(SOUND_FINAL, "gegenüber Vorgesetzten, Kolleginnen und Kollegen sowie Kunden", "gegenüber Kolleginnen und Kollegen, Vorgesetzten sowie Kunden"),
            expected: vec![(ConductOrder, "gegenüber Kolleginnen und Kollegen, Vorgesetzten")],
        },
        Case {
            name: "customers first",
            kind: Final,
            person: max(),
            text: edit(SOUND_FINAL, "gegenüber Vorgesetzten, Kolleginnen und Kollegen sowie Kunden", "gegenüber Kunden, Vorgesetzten sowie Kolleginnen und Kollegen"),
            expected: vec![(ConductOrder, "gegenüber Kunden")],
        },
        Case {
            name: "superiors left out",
            kind: Final,
            person: max(),
            text: edit(SOUND_FINAL, "gegenüber Vorgesetzten, Kolleginnen und Kollegen sowie Kunden", "gegenüber Kolleginnen und Kollegen sowie Kunden"),
            expected: vec![(ConductGroupMissing, "Sein Verhalten")],
        },
        Case {
            name: "no conduct assessment",
            kind: Final,
            person: max(),
            text: edit(SOUND_FINAL, "Sein Verhalten gegenüber Vorgesetzten, Kolleginnen und Kollegen sowie Kunden war stets einwandfrei.", ""),
            expected: vec![(ConductMissing, "")],
        },
        Case {
            name: "overall grade better than the criteria",
            kind: Final,
            person: max(),
            text: edit(
                &edit(SOUND_FINAL, "Er verfügte über ein fundiertes Fachwissen, das er stets sicher in der Praxis einsetzte. Er arbeitete stets selbstständig, sorgfältig und zuverlässig.", "Er verfügte über das erforderliche Fachwissen. Er arbeitete im Allgemeinen sorgfältig."),
                "stets zu unserer vollen Zufriedenheit",
                "stets zu unserer vollsten Zufriedenheit",
            ),
            expected: vec![(GradeMismatch, "vollsten Zufriedenheit")],
        },
        Case {
            name: "past tense in an interim reference",
            kind: Interim,
            person: eva(),
            text: edit(SOUND_INTERIM, "Ihre Arbeitsergebnisse sind stets", "Ihre Arbeitsergebnisse waren stets"),
            expected: vec![(TenseMismatch, "Ihre Arbeitsergebnisse waren")],
        },
        Case {
            name: "present tense in a final reference",
            kind: Final,
            person: max(),
            text: edit(SOUND_FINAL, "Er arbeitete stets selbstständig", "Er arbeitet stets selbstständig"),
            expected: vec![(TenseMismatch, "Er arbeitet stets")],
        },
        Case {
            name: "a woman's reference with a leftover masculine pronoun",
            kind: Interim,
            person: eva(),
            text: edit(SOUND_INTERIM, "Wir danken ihr", "Wir danken ihm"),
            expected: vec![(PronounInconsistent, "Wir danken ihm")],
        },
        Case {
            name: "no salutation, but gendered pronouns",
            kind: Interim,
            person: Some(person(Salutation::None, "Kim", "Weiß")),
            text: "Kim Weiß ist seit 2015 bei uns tätig. Sie verfügt über ein fundiertes Fachwissen. Kim Weiß erledigt die übertragenen Aufgaben stets zu unserer vollen Zufriedenheit. Das Verhalten von Kim Weiß gegenüber Vorgesetzten sowie Kolleginnen und Kollegen ist stets einwandfrei. Wir danken Kim Weiß und freuen uns auf die weitere Zusammenarbeit.".into(),
            expected: vec![(PronounInconsistent, "Sie verfügt")],
        },
        Case {
            name: "mixed pronouns, person unknown",
            kind: Final,
            person: None,
            text: edit(SOUND_FINAL, "Wir danken ihm für", "Wir danken ihr für"),
            expected: vec![(PronounInconsistent, "Wir danken ihr")],
        },
        Case {
            name: "pregnancy and parental leave",
            kind: Final,
            person: eva(),
            text: edit(
                &SOUND_FINAL.replace("Herr Max Müller", "Frau Eva Weiß").replace("Er ", "Sie ").replace("er stets", "sie stets").replace("Sein ", "Ihr ").replace("Seine ", "Ihre ").replace("seinen", "ihren").replace("ihm", "ihr").replace("Buchhalter ", "Buchhalterin "),
                "Sie erledigte",
                "Nach ihrer Elternzeit erledigte sie",
            ),
            expected: vec![(ProtectedCharacteristic, "Elternzeit")],
        },
        Case {
            name: "illness, works council and age",
            kind: Final,
            person: max(),
            text: edit(
                SOUND_FINAL,
                "Das Arbeitsverhältnis endet",
                "Trotz längerer Krankheit blieb er engagiert. Er war Mitglied des Betriebsrats. Für sein Alter war er sehr belastbar. Das Arbeitsverhältnis endet",
            ),
            expected: vec![
                (ProtectedCharacteristic, "Krankheit"),
                (ProtectedCharacteristic, "Betriebsrats"),
                (ProtectedCharacteristic, "Alter"),
            ],
        },
    ]
}

#[test]
fn every_flawed_example_yields_exactly_its_findings() {
    let library = PhraseLibrary::german_default();
    let mut failures = Vec::new();
    for case in corpus() {
        let findings = check(&CheckInput {
            kind: case.kind,
            text: &case.text,
            person: case.person.as_ref(),
            library: &library,
        });
        let mut got: Vec<FindingKind> = findings.iter().map(|f| f.kind).collect();
        let mut want: Vec<FindingKind> = case.expected.iter().map(|(k, _)| *k).collect();
        got.sort();
        want.sort();
        if got != want {
            failures.push(format!(
                "{}: expected {want:?}, got {findings:#?}",
                case.name
            ));
            continue;
        }
        for (kind, part) in &case.expected {
            let named = findings.iter().any(|f| {
                f.kind == *kind
                    && match &f.sentence {
                        Some(s) => s.contains(part),
                        None => part.is_empty(),
                    }
            });
            if !named {
                failures.push(format!(
                    "{}: no {kind:?} naming {part:?}: {findings:#?}",
                    case.name
                ));
            }
        }
        for f in &findings {
            if f.explanation.len() < 40 {
                failures.push(format!("{}: explanation too thin: {f:?}", case.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
