//! The seventeen sections of a reference: the unit of the handover permission matrix.

use std::fmt;

/// A section of a reference.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Section {
    /// Reference kind, dates, issue reason (Daten).
    Data,
    /// The employee's personal data as printed (Persönliche Daten).
    Personal,
    /// Company description (Unternehmen).
    Company,
    /// Heading, issue place and date (Zeugnisdaten).
    ReferenceData,
    /// Free remarks (Weitere Angaben).
    Further,
    /// Who signs (Unterschriften).
    Signatures,
    /// Positions held over time (Werdegang).
    Career,
    /// Departments passed through (Stationen).
    Stations,
    /// Task descriptions (Tätigkeiten).
    Tasks,
    /// Additional tasks (Zusatztätigkeiten).
    AdditionalTasks,
    /// Further training (Weiterbildungen).
    Training,
    /// Powers of attorney (Vollmachten).
    Powers,
    /// Performance ratings (Bewertung (Leistung)).
    Performance,
    /// Conduct ratings (Bewertung (Verhalten)).
    Conduct,
    /// Personal and professional attributes (Qualifikationen).
    Qualifications,
    /// Notable achievements (Erfolge).
    Achievements,
    /// The generated, editable reference text (Ergebnis).
    Result,
}

impl Section {
    /// Every section in the order of the reference form.
    pub const ALL: [Section; 17] = [
        Section::Data,
        Section::Personal,
        Section::Company,
        Section::ReferenceData,
        Section::Further,
        Section::Signatures,
        Section::Career,
        Section::Stations,
        Section::Tasks,
        Section::AdditionalTasks,
        Section::Training,
        Section::Powers,
        Section::Performance,
        Section::Conduct,
        Section::Qualifications,
        Section::Achievements,
        Section::Result,
    ];

    /// The sections the issued document prints: the employee's personal data,
    /// heading and issue data, the text, and the signatures.
    pub const DOCUMENT: [Section; 4] = [
        Section::Personal,
        Section::ReferenceData,
        Section::Result,
        Section::Signatures,
    ];

    /// Stable machine key, e.g. `reference_data`.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Section::Data => "data",
            Section::Personal => "personal",
            Section::Company => "company",
            Section::ReferenceData => "reference_data",
            Section::Further => "further",
            Section::Signatures => "signatures",
            Section::Career => "career",
            Section::Stations => "stations",
            Section::Tasks => "tasks",
            Section::AdditionalTasks => "additional_tasks",
            Section::Training => "training",
            Section::Powers => "powers",
            Section::Performance => "performance",
            Section::Conduct => "conduct",
            Section::Qualifications => "qualifications",
            Section::Achievements => "achievements",
            Section::Result => "result",
        }
    }

    /// The German label.
    #[must_use]
    pub const fn label_de(self) -> &'static str {
        match self {
            Section::Data => "Daten",
            Section::Personal => "Persönliche Daten",
            Section::Company => "Unternehmen",
            Section::ReferenceData => "Zeugnisdaten",
            Section::Further => "Weitere Angaben",
            Section::Signatures => "Unterschriften",
            Section::Career => "Werdegang",
            Section::Stations => "Stationen",
            Section::Tasks => "Tätigkeiten",
            Section::AdditionalTasks => "Zusatztätigkeiten",
            Section::Training => "Weiterbildungen",
            Section::Powers => "Vollmachten",
            Section::Performance => "Bewertung (Leistung)",
            Section::Conduct => "Bewertung (Verhalten)",
            Section::Qualifications => "Qualifikationen",
            Section::Achievements => "Erfolge",
            Section::Result => "Ergebnis",
        }
    }

    /// The section with the given machine key.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seventeen_sections_with_the_spec_keys_and_labels() {
        assert_eq!(Section::ALL.len(), 17);
        for (i, s) in Section::ALL.into_iter().enumerate() {
            assert_eq!(s.index(), i);
            assert_eq!(Section::from_key(s.key()), Some(s));
        }
        assert_eq!(Section::ReferenceData.label_de(), "Zeugnisdaten");
        assert_eq!(Section::Tasks.label_de(), "Tätigkeiten");
        assert_eq!(Section::from_key("unknown"), None);
    }
}
