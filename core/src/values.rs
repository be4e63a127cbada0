//! Small value types with rules: e-mail addresses, phone numbers, names, slugs.
//!
//! Each is built by a checked constructor (`parse`/`new`) that says what is wrong
//! with bad input, so invalid values never reach the rest of the core.
//!
//! ```
//! use zeugnis_core::values::{Email, Phone};
//! let email = Email::parse(" Anna.Schmidt@Example.DE ").unwrap();
//! assert_eq!(email.as_str(), "anna.schmidt@example.de");
//! assert_eq!(email.domain(), "example.de");
//! let phone = Phone::parse("+49 170 123 4567").unwrap();
//! assert_eq!(phone.as_str(), "+491701234567");
//! ```

use std::fmt;

/// A point in time, always UTC.
pub type Timestamp = time::UtcDateTime;

/// A calendar date (birth, entry, exit, issue dates).
pub type Date = time::Date;

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A required value was empty or only whitespace.
    #[error("{field} must not be empty")]
    Empty {
        /// Which value.
        field: &'static str,
    },
    /// The value is longer than allowed.
    #[error("{field} is too long (at most {max} characters)")]
    TooLong {
        /// Which value.
        field: &'static str,
        /// The maximum number of characters.
        max: usize,
    },
    /// The value contains line breaks, control characters or text-direction
    /// overrides.
    #[error("{field} must not contain line breaks, control characters or text-direction overrides")]
    ControlCharacters {
        /// Which value.
        field: &'static str,
    },
    /// Not an e-mail address.
    #[error("not a valid e-mail address (expected name@example.com)")]
    InvalidEmail,
    /// Not a phone number in international format.
    #[error(
        "not a valid phone number: enter it in international format with country code, e.g. +49 170 1234567"
    )]
    InvalidPhone,
    /// Not a valid slug.
    #[error(
        "not a valid short name: use 2 to 63 lower-case letters a-z, digits and single hyphens, not at the start or end"
    )]
    InvalidSlug,
    /// The text holds a character that is not printable text: a control
    /// character other than tab and a line break, a noncharacter or a code point
    /// Unicode has not assigned (see [`check_text`]).
    #[error(
        "{field} contains a character that is not printable text (U+{code_point:04X} at character {position}); remove it"
    )]
    Unprintable {
        /// Which value.
        field: &'static str,
        /// The refused code point.
        code_point: u32,
        /// Its position in the text, counted in characters from 1.
        position: usize,
    },
}

/// Whether `c` may appear in text a person writes: everything but control
/// characters (tab, line feed and carriage return excepted: a browser sends
/// line breaks as `\r\n`), noncharacters (U+FFFE, U+FFFF, …) and code points
/// Unicode has not assigned.
///
/// ```
/// use zeugnis_core::values::is_text_char;
/// assert!(is_text_char('ä') && is_text_char('\n') && is_text_char('€'));
/// assert!(!is_text_char('\u{0}') && !is_text_char('\u{7f}') && !is_text_char('\u{ffff}'));
/// ```
#[must_use]
pub fn is_text_char(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};
    match c {
        '\t' | '\n' | '\r' => true,
        _ => !matches!(
            c.general_category(),
            GeneralCategory::Control | GeneralCategory::Unassigned | GeneralCategory::Surrogate
        ),
    }
}

/// Checks that a text holds only printable text (see [`is_text_char`]).
///
/// Every text that reaches the core from outside passes this check, so that
/// nothing stored can keep a letter from being printed.
///
/// # Errors
/// [`ValueError::Unprintable`] naming `field`, the first refused code point
/// and its position.
pub fn check_text(field: &'static str, text: &str) -> Result<(), ValueError> {
    match text.chars().enumerate().find(|(_, c)| !is_text_char(*c)) {
        Some((i, c)) => Err(ValueError::Unprintable {
            field,
            code_point: u32::from(c),
            position: i + 1,
        }),
        None => Ok(()),
    }
}

/// Line breaks, control characters, noncharacters and unassigned code points,
/// Unicode line/paragraph separators and bidirectional overrides: anything that could split a log line or make a name
/// display as something else.
pub(crate) fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || !is_text_char(c)
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn has_control(s: &str) -> bool {
    s.chars().any(is_unsafe_char)
}

/// A trimmed, non-empty single line of text of at most `max` characters.
fn single_line(field: &'static str, raw: &str, max: usize) -> Result<String, ValueError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(ValueError::Empty { field });
    }
    if has_control(trimmed) {
        return Err(ValueError::ControlCharacters { field });
    }
    if trimmed.chars().count() > max {
        return Err(ValueError::TooLong { field, max });
    }
    Ok(trimmed.to_owned())
}

/// An e-mail address, normalised to lower case.
///
/// Addresses are compared case-insensitively everywhere (uniqueness per tenant, login,
/// allowed handover domains), so the whole address is stored in lower case.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Longest address accepted (RFC 5321 path limit).
    pub const MAX_LEN: usize = 254;

    /// Parses and normalises an address.
    ///
    /// # Errors
    /// [`ValueError::InvalidEmail`] unless the text is `local@domain` with a non-empty
    /// local part, a domain of dot-separated labels, no whitespace and at most 254
    /// characters.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if s.is_empty() || s.len() > Self::MAX_LEN || has_control(s) {
            return Err(ValueError::InvalidEmail);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(ValueError::InvalidEmail)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.chars().any(char::is_whitespace);
        let domain_ok = !domain.is_empty()
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if local_ok && domain_ok {
            Ok(Self(s.to_lowercase()))
        } else {
            Err(ValueError::InvalidEmail)
        }
    }

    /// The normalised address.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`.
    #[must_use]
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }

    /// The domain after the `@`, in lower case.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    /// Addresses are personal data: `Debug` shows only the domain, so a stray
    /// `{:?}` in a log line does not leak who it was.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email(…@{})", self.domain())
    }
}

impl TryFrom<String> for Email {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// A phone number in E.164 form (`+` and 8 to 15 digits), for SMS codes.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    /// Parses a number in international format. Spaces, hyphens, dots, slashes and
    /// parentheses between the digits are accepted and dropped.
    ///
    /// # Errors
    /// [`ValueError::InvalidPhone`] unless the number starts with `+`, a country code
    /// not starting with 0, and has 8 to 15 digits in all. National numbers such as
    /// `0170 1234567` are refused: the country is ambiguous.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let rest = s.strip_prefix('+').ok_or(ValueError::InvalidPhone)?;
        let mut digits = String::with_capacity(16);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '/' | '(' | ')' => {}
                _ => return Err(ValueError::InvalidPhone),
            }
        }
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return Err(ValueError::InvalidPhone);
        }
        Ok(Self(format!("+{digits}")))
    }

    /// The number in E.164 form.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Phone {
    /// Personal data: only the last two digits are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail: String = self
            .0
            .chars()
            .rev()
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        write!(f, "Phone(…{tail})")
    }
}

impl TryFrom<String> for Phone {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

/// A person's name part, a display name or a label: one trimmed line, not empty,
/// at most 200 characters, no control characters (so it cannot forge log lines).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Name(String);

impl Name {
    /// Longest name accepted.
    pub const MAX_LEN: usize = 200;

    /// Checks and trims a name.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`] or
    /// [`ValueError::ControlCharacters`], naming the value as "name".
    pub fn new(raw: &str) -> Result<Self, ValueError> {
        Self::for_field("name", raw)
    }

    /// Like [`Name::new`], naming the field in the error (e.g. "first name").
    ///
    /// # Errors
    /// As [`Name::new`].
    pub fn for_field(field: &'static str, raw: &str) -> Result<Self, ValueError> {
        single_line(field, raw, Self::MAX_LEN).map(Self)
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A name from a constant of the core known to satisfy the rules.
    pub(crate) fn trusted(constant: &'static str) -> Self {
        debug_assert!(Self::new(constant).is_ok());
        Self(constant.to_owned())
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    /// Names are personal data: `Debug` never shows them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Name(…)")
    }
}

impl TryFrom<String> for Name {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<Name> for String {
    fn from(value: Name) -> Self {
        value.0
    }
}

/// A tenant's short name used in its URLs (`/t/{slug}/…`).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    /// Checks a slug.
    ///
    /// # Errors
    /// [`ValueError::InvalidSlug`] unless it has 2 to 63 characters of `a-z`, `0-9`
    /// and `-`, without a hyphen at either end or two in a row.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let ok = (2..=63).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-')
            && !raw.contains("--");
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValueError::InvalidSlug)
        }
    }

    /// The slug.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Slug {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_lower_cased_and_trimmed() {
        let e = Email::parse("  Max.Mustermann@Firma.DE").unwrap();
        assert_eq!(e.as_str(), "max.mustermann@firma.de");
        assert_eq!(e.local_part(), "max.mustermann");
    }

    #[test]
    fn email_without_at_or_domain_is_refused() {
        for bad in [
            "",
            "max",
            "max@",
            "@firma.de",
            "max@firma..de",
            "ma x@firma.de",
            "max@-x.de",
        ] {
            assert_eq!(Email::parse(bad), Err(ValueError::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn email_debug_hides_the_person() {
        let e = Email::parse("anna@example.org").unwrap();
        assert_eq!(format!("{e:?}"), "Email(…@example.org)");
    }

    #[test]
    fn phone_accepts_international_format_and_drops_separators() {
        assert_eq!(
            Phone::parse("+49 (170) 123-45/67").unwrap().as_str(),
            "+491701234567"
        );
    }

    #[test]
    fn phone_refuses_national_format_and_letters() {
        for bad in [
            "0170 1234567",
            "+0170123456",
            "+49 170 CALLME",
            "+4917",
            "+4917012345678901",
        ] {
            assert_eq!(Phone::parse(bad), Err(ValueError::InvalidPhone), "{bad}");
        }
    }

    #[test]
    fn name_refuses_line_breaks_so_log_lines_cannot_be_forged() {
        assert_eq!(
            Name::for_field("first name", "Eve\nINFO login ok"),
            Err(ValueError::ControlCharacters {
                field: "first name"
            })
        );
    }

    #[test]
    fn name_refuses_unicode_line_separators_and_direction_overrides() {
        for bad in ["Eve\u{2028}admin", "Eve\u{202e}nimda", "Eve\u{2066}x"] {
            assert_eq!(
                Name::new(bad),
                Err(ValueError::ControlCharacters { field: "name" }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn name_refuses_blank_and_overlong_values() {
        assert_eq!(Name::new("   "), Err(ValueError::Empty { field: "name" }));
        assert!(matches!(
            Name::new(&"x".repeat(201)),
            Err(ValueError::TooLong { max: 200, .. })
        ));
        assert!(Name::new(&"ß".repeat(200)).is_ok());
    }

    #[test]
    fn slug_rules() {
        assert!(Slug::parse("acme-gmbh").is_ok());
        for bad in ["A", "a", "-acme", "acme-", "ac--me", "acme_gmbh", "Acme"] {
            assert_eq!(Slug::parse(bad), Err(ValueError::InvalidSlug), "{bad}");
        }
    }
}
