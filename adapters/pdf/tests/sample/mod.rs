//! A deterministic German reference letter (fixed text), shared by the tests
//! and the P5 benchmark.
#![allow(dead_code, reason = "each user takes what it needs")]

use time::macros::date;
use zeugnis_core::document::{Letter, LetterFormatting, SignatureLine};

/// The paragraphs of a full reference: with the default formatting they fill
/// two pages.
pub(crate) const PARAGRAPHS: [&str; 10] = [
    "Herr Jürgen Weiß, geboren am 14. Februar 1985 in Düsseldorf, war vom 1. April 2016 bis zum 31. März 2024 in unserem Unternehmen als Leiter der Abteilung Einkauf und Logistik tätig. Die Muster & Söhne GmbH ist ein mittelständisches Handelsunternehmen mit Sitz in der Hauptstraße in Köln und beschäftigt an drei Standorten rund 450 Mitarbeiterinnen und Mitarbeiter.",
    "Zu seinen Aufgaben gehörten insbesondere die strategische Ausrichtung des Einkaufs, die Verhandlung von Rahmenverträgen mit nationalen und internationalen Lieferanten, die Steuerung des Lagers an der Industriestraße mit einer Größe von rund 12.000 Quadratmetern, die Planung der Transportwege sowie die fachliche und disziplinarische Führung von zuletzt 24 Mitarbeiterinnen und Mitarbeitern.",
    "Herr Weiß verfügt über ein umfassendes und fundiertes Fachwissen, das er stets sicher und zielgerichtet in der Praxis einsetzte. Er bildete sich aus eigener Initiative regelmäßig fort, unter anderem zum zertifizierten Supply-Chain-Manager, und brachte die erworbenen Kenntnisse gewinnbringend in seine Arbeit ein. Neue Aufgaben erfasste er schnell und in ihrer ganzen Tragweite.",
    "Er zeichnete sich durch eine sehr hohe Einsatzbereitschaft und ein außergewöhnliches Verantwortungsbewusstsein aus. Auch in Zeiten hoher Arbeitsbelastung, etwa während der Umstellung unseres Warenwirtschaftssystems im Jahr 2019, behielt er stets den Überblick und fand für schwierige Situationen ausgezeichnete Lösungen. Seine Arbeitsweise war jederzeit äußerst sorgfältig, selbständig und planvoll.",
    "Besonders hervorzuheben ist, dass Herr Weiß die Einkaufskosten durch die Bündelung von Bestellungen und die Neuverhandlung wesentlicher Verträge innerhalb von zwei Jahren um mehr als elf Prozent senkte, ohne dass die Qualität der beschafften Waren darunter litt. Die von ihm eingeführte Lieferantenbewertung wird heute im gesamten Unternehmen genutzt.",
    "Die Arbeitsergebnisse von Herrn Weiß waren in qualitativer wie in quantitativer Hinsicht stets sehr gut. Er erledigte die ihm übertragenen Aufgaben stets zu unserer vollsten Zufriedenheit. Seine Leistungen haben in jeder Hinsicht und in allerbester Weise unseren Erwartungen entsprochen.",
    "Als Führungskraft genoss Herr Weiß bei seinen Mitarbeiterinnen und Mitarbeitern hohes Ansehen. Er führte sein Team stets zielorientiert, motivierend und fair, delegierte Aufgaben und Verantwortung sinnvoll und förderte die berufliche Entwicklung jedes Einzelnen. Unter seiner Leitung erreichte die Abteilung eine sehr geringe Fluktuation und eine hohe Arbeitszufriedenheit.",
    "Sein Verhalten gegenüber Vorgesetzten, Kolleginnen und Kollegen sowie gegenüber Geschäftspartnern war stets vorbildlich. Wegen seiner freundlichen, hilfsbereiten und zuverlässigen Art war er allseits sehr geschätzt. Mit Lieferanten und Speditionen pflegte er eine offene und vertrauensvolle Zusammenarbeit, auch bei schwierigen Verhandlungen.",
    "Herr Weiß verlässt unser Unternehmen auf eigenen Wunsch, um sich einer neuen beruflichen Herausforderung zu stellen. Wir bedauern sein Ausscheiden sehr, danken ihm für die stets sehr gute und erfolgreiche Zusammenarbeit und die wertvollen Beiträge zu unserem Erfolg.",
    "Für seinen weiteren beruflichen und privaten Lebensweg wünschen wir ihm alles Gute und weiterhin viel Erfolg. Wir würden uns freuen, ihn eines Tages wieder in unserem Unternehmen begrüßen zu dürfen.",
];

/// A full, two-page reference.
pub(crate) fn two_page_letter() -> Letter {
    Letter {
        heading: "Arbeitszeugnis".into(),
        paragraphs: PARAGRAPHS.iter().map(|p| (*p).to_owned()).collect(),
        place: "Köln".into(),
        date: date!(2024 - 03 - 31),
        signatures: vec![
            SignatureLine {
                name: "Dr. Änne Groß".into(),
                position: Some("Geschäftsführerin".into()),
            },
            SignatureLine {
                name: "Björn Meißner".into(),
                position: Some("Leiter Personal".into()),
            },
        ],
        draft: false,
        title: "Arbeitszeugnis Jürgen Weiß".into(),
    }
}

/// A short, one-page reference.
pub(crate) fn short_letter() -> Letter {
    Letter {
        heading: "Zwischenzeugnis".into(),
        paragraphs: vec![PARAGRAPHS[0].to_owned(), PARAGRAPHS[5].to_owned()],
        signatures: vec![SignatureLine {
            name: "Dr. Änne Groß".into(),
            position: None,
        }],
        title: "Zwischenzeugnis".into(),
        ..two_page_letter()
    }
}

/// The tenant's formatting: letterhead and footer, otherwise the defaults.
pub(crate) fn formatting() -> LetterFormatting {
    LetterFormatting {
        letterhead: vec![
            "Muster & Söhne GmbH".into(),
            "Hauptstraße 12".into(),
            "50667 Köln".into(),
            "Telefon 0221 123456".into(),
        ],
        footer: vec![
            "Muster & Söhne GmbH · Hauptstraße 12 · 50667 Köln".into(),
            "Amtsgericht Köln HRB 12345 · Geschäftsführerin: Dr. Änne Groß".into(),
        ],
        ..LetterFormatting::default()
    }
}
