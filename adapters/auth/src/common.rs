//! The common-password list shipped in the binary.

use std::sync::LazyLock;

use zeugnis_core::password::BreachedPasswords;

/// `data/common-passwords.txt`: one lower-case entry a line, sorted by bytes,
/// without duplicates. Built by `data/build-list.sh`; see `data/README.md`.
const DATA: &str = include_str!("../data/common-passwords.txt");

/// The entries, sorted for binary search; built on first use.
static LIST: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut list: Vec<&'static str> = DATA.lines().filter(|l| !l.is_empty()).collect();
    // The file is sorted already (a test checks it); sorting again costs little
    // and keeps a hand-edited file from silently breaking the lookup.
    list.sort_unstable();
    list.dedup();
    list
});

/// [`BreachedPasswords`] backed by the list shipped in the binary: about 61,000
/// common passwords and German words and first names (from the zxcvbn-ts
/// packages `@zxcvbn-ts/language-common` and `@zxcvbn-ts/language-de`, MIT),
/// plus a few German keyboard patterns added by hand. Lookups are exact; the
/// caller lower-cases and tries the word core
/// ([`breached_candidates`](zeugnis_core::password::breached_candidates)).
///
/// The list is parsed once, on the first lookup (or in [`CommonPasswords::load`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct CommonPasswords {
    _private: (),
}

impl CommonPasswords {
    /// The list; it is parsed on the first lookup.
    #[must_use]
    pub const fn new() -> Self {
        Self { _private: () }
    }

    /// The list, parsed now (at start-up rather than in the first request).
    #[must_use]
    pub fn load() -> Self {
        LazyLock::force(&LIST);
        Self::new()
    }

    /// The number of entries.
    #[must_use]
    pub fn len(&self) -> usize {
        LIST.len()
    }

    /// Whether the list is empty (it never is).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        LIST.is_empty()
    }
}

impl BreachedPasswords for CommonPasswords {
    fn contains(&self, candidate: &str) -> bool {
        LIST.binary_search(&candidate).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use zeugnis_core::password::{
        Password, PasswordContext, PasswordPolicy, PasswordViolation, breached_candidates,
    };

    use super::*;

    fn refused(list: &CommonPasswords, password: &str) -> bool {
        breached_candidates(password)
            .iter()
            .any(|c| list.contains(c))
    }

    #[test]
    fn favourite_passwords_are_refused() {
        let list = CommonPasswords::load();
        for pw in [
            "Passwort1",
            "Sommer2024!",
            "Hallo123",
            "password",
            "123456",
            "qwertz",
            "Qwertz123!",
            "Schalke04",
            "Fussball",
            "Fußball!1",
            "Bayern",
            "Iloveyou1",
            "Muenchen1860",
            "Kennwort!",
            "Ichliebedich",
        ] {
            assert!(refused(&list, pw), "{pw} should be refused");
        }
    }

    #[test]
    fn the_policy_reports_a_listed_password_as_breached() {
        let err = PasswordPolicy::default()
            .check(
                &Password::new("Sommer2024!"),
                &PasswordContext::default(),
                &CommonPasswords::new(),
            )
            .unwrap_err();
        assert_eq!(err.violations(), &[PasswordViolation::Breached]);
    }

    #[test]
    fn passphrases_and_made_up_words_are_not_listed() {
        let list = CommonPasswords::new();
        for pw in [
            "Wald-Läufer7",
            "korrekt Pferd Batterie Heftklammer",
            "lieblingsfarbe-blau",
            "Zeugnisgenerator#42",
        ] {
            assert!(!refused(&list, pw), "{pw} should be accepted");
        }
    }

    #[test]
    fn the_list_is_large_and_in_lookup_form() {
        let list = CommonPasswords::new();
        assert!(list.len() > 10_000, "{}", list.len());
        assert!(!list.is_empty());
        let lines: Vec<&str> = DATA.lines().collect();
        assert_eq!(lines.len(), list.len(), "no empty lines or duplicates");
        assert!(
            lines.windows(2).all(|w| w[0] < w[1]),
            "the file is sorted by bytes without duplicates"
        );
        for line in lines {
            assert_eq!(line, line.to_lowercase(), "lower case");
            assert!(line.chars().count() >= 3, "{line:?} is too short");
            assert!(
                !line.chars().any(|c| c.is_whitespace() || c.is_control()),
                "{line:?}"
            );
        }
    }
}
