//! Password policy: the seed preset, the NIST preset, the context-word rule and
//! the breached-password check.
//!
//! * **Seed preset** (the default, what customers' data-protection documents
//!   expect): at least 8 characters with lower case, upper case, a digit and a
//!   special character (anything that is not a letter or digit).
//! * **NIST preset** (NIST SP 800-63B / OWASP ASVS): length only (default 15), no
//!   composition rules. It is the stronger choice: composition rules push people to
//!   predictable patterns ("Sommer2024!"), while length and a breached-password
//!   check block what attackers actually try.
//!
//! Whatever the preset, a password is refused when it is on the breached/common
//! list ([`BreachedPasswords`], a port; the app ships the list) or contains the
//! user's name, e-mail address or the tenant's name. Passwords are checked as
//! given: never trimmed or truncated, any Unicode, up to
//! [`Password::MAX_CHARS`] characters.
//!
//! ```
//! use zeugnis_core::password::*;
//!
//! struct NoList;
//! impl BreachedPasswords for NoList {
//!     fn contains(&self, _: &str) -> bool { false }
//! }
//! let policy = PasswordPolicy::default();
//! let ctx = PasswordContext::new(["Anna", "Schmidt"], Some("anna.schmidt@acme.de"), "ACME GmbH");
//! let err = policy.check(&Password::new("schmidt"), &ctx, &NoList).unwrap_err();
//! assert!(err.violations().contains(&PasswordViolation::ContainsPersonalData(ContextKind::Name)));
//! assert!(err.violations().contains(&PasswordViolation::TooShort { min: 8 }));
//! assert!(policy.check(&Password::new("Wald-Läufer7"), &ctx, &NoList).is_ok());
//! ```

use std::fmt;

use crate::lockout::MaxFailedAttempts;
use crate::messages::{self, Locale};

/// A password as typed. Never printed by `Debug`, never trimmed, never compared
/// (there is no `==`: compare hashes through the
/// [`PasswordHasher`](crate::ports::PasswordHasher)).
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// The longest password accepted, in characters (far above what users need;
    /// bounds the hashing input).
    pub const MAX_CHARS: usize = 1024;

    /// Wraps a password exactly as typed.
    #[must_use]
    pub fn new(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    /// The password, for the hasher. Never log it.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(redacted)")
    }
}

/// The port to the breached/common-password list shipped with the app.
#[cfg_attr(any(test, feature = "mock"), mockall::automock)]
pub trait BreachedPasswords: Send + Sync {
    /// Whether `candidate` (already lower-cased by the caller) is on the list.
    fn contains(&self, candidate: &str) -> bool;
}

/// Which preset the policy follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "preset", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PasswordRules {
    /// Minimum length plus every composition rule of the seed preset: a
    /// lower-case letter, an upper-case letter, a digit and a special character.
    /// A tenant can lengthen the minimum but not drop a rule (policies only get
    /// stricter than the seed preset).
    Composition {
        /// Minimum number of characters (at least 8).
        min_length: u16,
    },
    /// NIST SP 800-63B: length only.
    Nist {
        /// Minimum number of characters (at least 8, default 15).
        min_length: u16,
    },
}

impl PasswordRules {
    /// The seed preset: 8 characters, lower, upper, digit, special.
    pub const SEED: PasswordRules = PasswordRules::Composition { min_length: 8 };

    /// The NIST preset with its default length of 15.
    pub const NIST: PasswordRules = PasswordRules::Nist { min_length: 15 };

    /// The minimum length.
    #[must_use]
    pub const fn min_length(&self) -> u16 {
        match *self {
            PasswordRules::Composition { min_length } | PasswordRules::Nist { min_length } => {
                min_length
            }
        }
    }
}

/// A tenant's password policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "PolicyRepr")]
pub struct PasswordPolicy {
    rules: PasswordRules,
    max_failed_attempts: MaxFailedAttempts,
}

impl Default for PasswordPolicy {
    /// The seed preset with lockout after 5 failures.
    fn default() -> Self {
        Self {
            rules: PasswordRules::SEED,
            max_failed_attempts: MaxFailedAttempts::default(),
        }
    }
}

/// A policy weaker than the allowed minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The minimum length is below 8.
    #[error("the minimum password length must be at least {min}, got {got}")]
    MinimumTooShort {
        /// The lowest allowed minimum.
        min: u16,
        /// The rejected value.
        got: u16,
    },
    /// The minimum length is above the maximum password length.
    #[error("the minimum password length must be at most {max}, got {got}")]
    MinimumTooLong {
        /// The highest allowed minimum.
        max: u16,
        /// The rejected value.
        got: u16,
    },
}

#[derive(serde::Deserialize)]
struct PolicyRepr {
    rules: PasswordRules,
    max_failed_attempts: MaxFailedAttempts,
}

impl TryFrom<PolicyRepr> for PasswordPolicy {
    type Error = PolicyError;
    fn try_from(r: PolicyRepr) -> Result<Self, Self::Error> {
        Self::new(r.rules, r.max_failed_attempts)
    }
}

impl PasswordPolicy {
    /// The lowest minimum length any policy may set.
    pub const LOWEST_MIN_LENGTH: u16 = 8;

    /// Builds a policy.
    ///
    /// # Errors
    /// [`PolicyError`] when the minimum length is below 8 or above
    /// [`Password::MAX_CHARS`].
    pub fn new(
        rules: PasswordRules,
        max_failed_attempts: MaxFailedAttempts,
    ) -> Result<Self, PolicyError> {
        let min = rules.min_length();
        if min < Self::LOWEST_MIN_LENGTH {
            return Err(PolicyError::MinimumTooShort {
                min: Self::LOWEST_MIN_LENGTH,
                got: min,
            });
        }
        let max = u16::try_from(Password::MAX_CHARS).unwrap_or(u16::MAX);
        if min > max {
            return Err(PolicyError::MinimumTooLong { max, got: min });
        }
        Ok(Self {
            rules,
            max_failed_attempts,
        })
    }

    /// The NIST preset with the given minimum length.
    ///
    /// # Errors
    /// As [`PasswordPolicy::new`].
    pub fn nist(min_length: u16) -> Result<Self, PolicyError> {
        Self::new(
            PasswordRules::Nist { min_length },
            MaxFailedAttempts::default(),
        )
    }

    /// The rules.
    #[must_use]
    pub const fn rules(&self) -> PasswordRules {
        self.rules
    }

    /// Failed logins before lockout.
    #[must_use]
    pub const fn max_failed_attempts(&self) -> MaxFailedAttempts {
        self.max_failed_attempts
    }

    /// Checks a new password against every rule.
    ///
    /// # Errors
    /// [`PasswordRejected`] listing every rule that failed, in rule order.
    pub fn check(
        &self,
        password: &Password,
        context: &PasswordContext,
        breached: &dyn BreachedPasswords,
    ) -> Result<(), PasswordRejected> {
        let pw = password.expose();
        let len = pw.chars().count();
        let mut v = Vec::new();
        let min = usize::from(self.rules.min_length());
        if len < min {
            v.push(PasswordViolation::TooShort {
                min: self.rules.min_length(),
            });
        }
        if len > Password::MAX_CHARS {
            v.push(PasswordViolation::TooLong {
                max: Password::MAX_CHARS,
            });
        }
        if let PasswordRules::Composition { .. } = self.rules {
            if !pw.chars().any(char::is_lowercase) {
                v.push(PasswordViolation::MissingLowercase);
            }
            if !pw.chars().any(char::is_uppercase) {
                v.push(PasswordViolation::MissingUppercase);
            }
            if !pw.chars().any(|c| c.is_ascii_digit()) {
                v.push(PasswordViolation::MissingDigit);
            }
            if !pw.chars().any(|c| !c.is_alphanumeric()) {
                v.push(PasswordViolation::MissingSpecial);
            }
        }
        if let Some(kind) = context.found_in(pw) {
            v.push(PasswordViolation::ContainsPersonalData(kind));
        }
        if is_breached(pw, breached) {
            v.push(PasswordViolation::Breached);
        }
        if v.is_empty() {
            Ok(())
        } else {
            Err(PasswordRejected(v))
        }
    }
}

/// The variants of a password looked up in the breached list: the whole password in
/// lower case, and its core with leading and trailing digits and symbols removed
/// ("Sommer2024!" → "sommer"), which is how common words are dressed up to pass
/// composition rules. The core is looked up only when it has at least three
/// letters (shorter cores would refuse too much).
#[must_use]
pub fn breached_candidates(password: &str) -> Vec<String> {
    let lower = password.to_lowercase();
    let core = lower.trim_matches(|c: char| !c.is_alphabetic()).to_owned();
    let mut out = vec![lower];
    if core.chars().count() >= 3 && !out.contains(&core) {
        out.push(core);
    }
    out
}

fn is_breached(password: &str, list: &dyn BreachedPasswords) -> bool {
    breached_candidates(password)
        .iter()
        .any(|c| list.contains(c))
}

/// Which personal context a password contained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContextKind {
    /// The user's first or last name.
    Name,
    /// The user's e-mail address or a part of it.
    Email,
    /// The tenant's name.
    TenantName,
}

/// Words a password must not contain: the user's names, the parts of their
/// e-mail address and the tenant's name. Words shorter than
/// [`PasswordContext::MIN_WORD_CHARS`] characters are ignored (a name like "Li"
/// would otherwise forbid half the alphabet); comparison is case-insensitive.
#[derive(Debug, Clone, Default)]
pub struct PasswordContext {
    words: Vec<(String, ContextKind)>,
}

impl PasswordContext {
    /// Shortest context word that is checked.
    pub const MIN_WORD_CHARS: usize = 3;

    /// Collects the context words.
    pub fn new<'a>(
        names: impl IntoIterator<Item = &'a str>,
        email: Option<&str>,
        tenant_name: &str,
    ) -> Self {
        let mut ctx = Self::default();
        for n in names {
            ctx.add(n, ContextKind::Name);
        }
        if let Some(e) = email {
            let (local, domain) = e.rsplit_once('@').unwrap_or((e, ""));
            ctx.add(local, ContextKind::Email);
            ctx.push(local, ContextKind::Email);
            if let Some(first_label) = domain.split('.').next() {
                ctx.push(first_label, ContextKind::Email);
            }
        }
        ctx.add(tenant_name, ContextKind::TenantName);
        ctx.push(tenant_name, ContextKind::TenantName);
        ctx
    }

    fn add(&mut self, text: &str, kind: ContextKind) {
        for w in text.split(|c: char| !c.is_alphanumeric()) {
            self.push(w, kind);
        }
    }

    fn push(&mut self, word: &str, kind: ContextKind) {
        let w = word.trim().to_lowercase();
        if w.chars().count() >= Self::MIN_WORD_CHARS && w.chars().any(char::is_alphanumeric) {
            self.words.push((w, kind));
        }
    }

    /// The first kind of context word the password contains.
    #[must_use]
    pub fn found_in(&self, password: &str) -> Option<ContextKind> {
        let lower = password.to_lowercase();
        self.words
            .iter()
            .find(|(w, _)| lower.contains(w.as_str()))
            .map(|(_, k)| *k)
    }
}

/// One rule a password failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PasswordViolation {
    /// Fewer characters than the minimum.
    TooShort {
        /// The minimum.
        min: u16,
    },
    /// More characters than [`Password::MAX_CHARS`].
    TooLong {
        /// The maximum.
        max: usize,
    },
    /// No lower-case letter.
    MissingLowercase,
    /// No upper-case letter.
    MissingUppercase,
    /// No digit.
    MissingDigit,
    /// No special character.
    MissingSpecial,
    /// Contains the user's name, e-mail or the tenant's name.
    ContainsPersonalData(ContextKind),
    /// On the list of breached or common passwords.
    Breached,
}

impl PasswordViolation {
    /// The message in the given language.
    #[must_use]
    pub fn message(&self, locale: Locale) -> String {
        messages::password_violation(self, locale)
    }
}

impl fmt::Display for PasswordViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Locale::En))
    }
}

/// A password that failed the policy, with every failed rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the password was not accepted: {}", Joined(&self.0))]
pub struct PasswordRejected(Vec<PasswordViolation>);

impl PasswordRejected {
    /// Every rule that failed, in rule order.
    #[must_use]
    pub fn violations(&self) -> &[PasswordViolation] {
        &self.0
    }

    /// One message per failed rule in the given language.
    #[must_use]
    pub fn messages(&self, locale: Locale) -> Vec<String> {
        self.0.iter().map(|v| v.message(locale)).collect()
    }
}

struct Joined<'a>(&'a [PasswordViolation]);

impl fmt::Display for Joined<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct List(&'static [&'static str]);
    impl BreachedPasswords for List {
        fn contains(&self, candidate: &str) -> bool {
            self.0.contains(&candidate)
        }
    }

    fn ctx() -> PasswordContext {
        PasswordContext::new(
            ["Anna", "Li"],
            Some("anna.li@beispiel.de"),
            "Müller Bau GmbH",
        )
    }

    #[test]
    fn every_failed_rule_is_listed_in_order_with_a_readable_message() {
        let err = PasswordPolicy::default()
            .check(&Password::new("abc"), &ctx(), &List(&[]))
            .unwrap_err();
        assert_eq!(
            err.violations(),
            &[
                PasswordViolation::TooShort { min: 8 },
                PasswordViolation::MissingUppercase,
                PasswordViolation::MissingDigit,
                PasswordViolation::MissingSpecial,
            ]
        );
        assert_eq!(err.messages(Locale::En)[0], "Use at least 8 characters.");
        assert_eq!(
            err.messages(Locale::De)[0],
            "Verwenden Sie mindestens 8 Zeichen."
        );
    }

    #[test]
    fn german_favourites_are_refused_through_their_core_word() {
        let list = List(&["passwort", "sommer"]);
        for pw in ["Passwort1", "Sommer2024!", "!!Sommer"] {
            let err = PasswordPolicy::default()
                .check(&Password::new(pw), &ctx(), &list)
                .unwrap_err();
            assert!(
                err.violations().contains(&PasswordViolation::Breached),
                "{pw}"
            );
        }
    }

    #[test]
    fn name_email_and_tenant_name_are_refused_case_insensitively() {
        let p = PasswordPolicy::nist(8).unwrap();
        let cases = [
            ("XxANNAxx-99", ContextKind::Name),
            ("beispiel-Garten-7", ContextKind::Email),
            ("MüllerMüller!1", ContextKind::TenantName),
        ];
        for (pw, kind) in cases {
            let err = p.check(&Password::new(pw), &ctx(), &List(&[])).unwrap_err();
            assert_eq!(
                err.violations(),
                &[PasswordViolation::ContainsPersonalData(kind)],
                "{pw}"
            );
        }
    }

    #[test]
    fn short_name_parts_do_not_forbid_ordinary_passwords() {
        let p = PasswordPolicy::nist(8).unwrap();
        assert!(
            p.check(&Password::new("lieblingsfarbe-blau"), &ctx(), &List(&[]))
                .is_ok()
        );
    }

    #[test]
    fn passwords_are_never_trimmed_and_any_unicode_counts() {
        let p = PasswordPolicy::nist(8).unwrap();
        assert!(
            p.check(&Password::new("  äöüß€  "), &ctx(), &List(&[]))
                .is_ok()
        );
        let long = "ä".repeat(128);
        assert!(p.check(&Password::new(long), &ctx(), &List(&[])).is_ok());
        let too_long = "x".repeat(Password::MAX_CHARS + 1);
        let err = p
            .check(&Password::new(too_long), &ctx(), &List(&[]))
            .unwrap_err();
        assert_eq!(
            err.violations(),
            &[PasswordViolation::TooLong {
                max: Password::MAX_CHARS
            }]
        );
    }

    #[test]
    fn a_policy_weaker_than_eight_characters_is_refused() {
        assert_eq!(
            PasswordPolicy::nist(7),
            Err(PolicyError::MinimumTooShort { min: 8, got: 7 })
        );
    }

    #[test]
    fn passwords_never_print() {
        assert_eq!(
            format!("{:?}", Password::new("Geheim123!")),
            "Password(redacted)"
        );
    }
}
