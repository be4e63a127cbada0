//! Phrase templates: German text with placeholders for the person, the tense and
//! values the generator fills in.
//!
//! | placeholder | Herr | Frau | no salutation |
//! |---|---|---|---|
//! | `{er}` `{Er}` | er / Er | sie / Sie | the name |
//! | `{ihn}` `{Ihn}` | ihn | sie | the name |
//! | `{ihm}` `{Ihm}` | ihm | ihr | the name |
//! | `{sein}` `{seine}` `{seinen}` `{seinem}` `{seiner}` `{seines}` (and capitalised) | sein… | ihr… | the name in the genitive ("Alex Müllers") |
//! | `{name}` | Herr Müller | Frau Müller | Alex Müller |
//! | `{vollname}` | Herr Dr. Max Müller | Frau Dr. Eva Müller | Dr. Alex Müller |
//! | `{g:Mitarbeiter\|Mitarbeiterin\|Fachkraft}` | first | second | third |
//!
//! `{t:ist|war}` picks the first alternative in an interim reference (present
//! tense) and the second in a final one (past tense). Other names in braces are
//! slots the generator fills (`{gruppen}`, `{zeitraum}`, …); which slots a template
//! may use depends on where it is used. Braces have no other meaning: a template
//! with an unknown placeholder or an unmatched brace is refused when it is saved.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::employee::Salutation;
use crate::reference::ReferenceKind;

/// The cases a pronoun placeholder can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Nominative,
    Accusative,
    Dative,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Pronoun {
        case: Case,
        capital: bool,
    },
    Possessive {
        ending: &'static str,
        capital: bool,
    },
    Name,
    FullName,
    Tense {
        present: String,
        past: String,
    },
    Gender {
        male: String,
        female: String,
        neutral: String,
    },
    Slot(String),
}

/// A phrase template (see the module documentation for its placeholders).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Template {
    raw: String,
    parts: Vec<Part>,
}

/// A template that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// A `{` without `}` or a `}` without `{`.
    #[error("unmatched brace in \"{0}\"")]
    UnmatchedBrace(String),
    /// A placeholder the generator does not know.
    #[error("unknown placeholder {{{0}}}")]
    UnknownPlaceholder(String),
    /// `{t:…}` needs two alternatives, `{g:…}` three.
    #[error("{{{0}}} needs {1} alternatives separated by |")]
    Alternatives(String, usize),
    /// A slot this template may not use.
    #[error("the placeholder {{{0}}} cannot be used here")]
    SlotNotAllowed(String),
    /// Empty or too long.
    #[error("a phrase must have 1 to 2000 characters")]
    Length,
}

const POSSESSIVE_ENDINGS: [&str; 6] = ["", "e", "en", "em", "er", "es"];

fn capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

fn parse_placeholder(inner: &str) -> Result<Part, TemplateError> {
    let unknown = || TemplateError::UnknownPlaceholder(inner.to_owned());
    if let Some(alts) = inner.strip_prefix("t:") {
        let v: Vec<&str> = alts.split('|').collect();
        return match v.as_slice() {
            [present, past] => Ok(Part::Tense {
                present: (*present).to_owned(),
                past: (*past).to_owned(),
            }),
            _ => Err(TemplateError::Alternatives(inner.to_owned(), 2)),
        };
    }
    if let Some(alts) = inner.strip_prefix("g:") {
        let v: Vec<&str> = alts.split('|').collect();
        return match v.as_slice() {
            [male, female, neutral] => Ok(Part::Gender {
                male: (*male).to_owned(),
                female: (*female).to_owned(),
                neutral: (*neutral).to_owned(),
            }),
            _ => Err(TemplateError::Alternatives(inner.to_owned(), 3)),
        };
    }
    let capital = capitalised(inner);
    let lower = inner.to_lowercase();
    match lower.as_str() {
        "er" => Ok(Part::Pronoun {
            case: Case::Nominative,
            capital,
        }),
        "ihn" => Ok(Part::Pronoun {
            case: Case::Accusative,
            capital,
        }),
        "ihm" => Ok(Part::Pronoun {
            case: Case::Dative,
            capital,
        }),
        "name" if !capital => Ok(Part::Name),
        "vollname" if !capital => Ok(Part::FullName),
        _ => {
            if let Some(ending) = lower.strip_prefix("sein")
                && let Some(e) = POSSESSIVE_ENDINGS.iter().find(|e| **e == ending)
            {
                return Ok(Part::Possessive { ending: e, capital });
            }
            if !inner.is_empty() && inner.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                Ok(Part::Slot(inner.to_owned()))
            } else {
                Err(unknown())
            }
        }
    }
}

impl Template {
    /// Parses a template.
    ///
    /// # Errors
    /// [`TemplateError`] for unmatched braces, unknown placeholders, wrong
    /// alternative counts, or a length outside 1–2000 characters.
    pub fn parse(raw: &str) -> Result<Self, TemplateError> {
        let len = raw.chars().count();
        if len == 0 || len > 2000 {
            return Err(TemplateError::Length);
        }
        let mut parts = Vec::new();
        let mut rest = raw;
        while !rest.is_empty() {
            match (rest.find('{'), rest.find('}')) {
                (None, None) => {
                    parts.push(Part::Literal(rest.to_owned()));
                    break;
                }
                (Some(open), close) if close.is_none_or(|c| c > open) => {
                    let close =
                        close.ok_or_else(|| TemplateError::UnmatchedBrace(raw.to_owned()))?;
                    let (lit, after) = rest.split_at(open);
                    if !lit.is_empty() {
                        parts.push(Part::Literal(lit.to_owned()));
                    }
                    let inner = after.get(1..close - open).unwrap_or_default();
                    if inner.contains('{') {
                        return Err(TemplateError::UnmatchedBrace(raw.to_owned()));
                    }
                    parts.push(parse_placeholder(inner)?);
                    rest = after.get(close - open + 1..).unwrap_or_default();
                }
                _ => return Err(TemplateError::UnmatchedBrace(raw.to_owned())),
            }
        }
        Ok(Self {
            raw: raw.to_owned(),
            parts,
        })
    }

    /// A template of plain text without placeholders.
    pub(crate) fn literal(text: &str) -> Self {
        Self {
            raw: text.to_owned(),
            parts: vec![Part::Literal(text.to_owned())],
        }
    }

    /// The template as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The slots the template uses.
    pub fn slots(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Slot(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// The `{t:present|past}` alternatives, as (present, past).
    pub fn tense_alternatives(&self) -> impl Iterator<Item = (&str, &str)> {
        self.parts.iter().filter_map(|p| match p {
            Part::Tense { present, past } => Some((present.as_str(), past.as_str())),
            _ => None,
        })
    }

    /// Checks that the template uses no slot outside `allowed`.
    ///
    /// # Errors
    /// [`TemplateError::SlotNotAllowed`] for the first one.
    pub fn allow_slots(&self, allowed: &[&str]) -> Result<(), TemplateError> {
        match self.slots().find(|s| !allowed.contains(s)) {
            Some(s) => Err(TemplateError::SlotNotAllowed(s.to_owned())),
            None => Ok(()),
        }
    }

    /// Renders the template for a person, a kind of reference, and slot values
    /// (a slot without a value renders as nothing).
    #[must_use]
    pub fn render(&self, who: &Wording, slots: &[(&str, &str)]) -> String {
        let mut out = String::with_capacity(self.raw.len() + 32);
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Pronoun { case, capital } => {
                    push_cased(&mut out, &who.pronoun(*case), *capital);
                }
                Part::Possessive { ending, capital } => {
                    push_cased(&mut out, &who.possessive(ending), *capital);
                }
                Part::Name => out.push_str(&who.short_name),
                Part::FullName => out.push_str(&who.full_name),
                Part::Tense { present, past } => out.push_str(match who.kind {
                    ReferenceKind::Interim => present,
                    ReferenceKind::Final => past,
                }),
                Part::Gender {
                    male,
                    female,
                    neutral,
                } => out.push_str(match who.salutation {
                    Salutation::Herr => male,
                    Salutation::Frau => female,
                    Salutation::None => neutral,
                }),
                Part::Slot(name) => {
                    if let Some((_, v)) = slots.iter().find(|(k, _)| k == name) {
                        out.push_str(v);
                    }
                }
            }
        }
        out
    }
}

fn push_cased(out: &mut String, word: &str, capital: bool) {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) if capital => {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
        _ => out.push_str(word),
    }
}

impl TryFrom<String> for Template {
    type Error = TemplateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Template> for String {
    fn from(t: Template) -> Self {
        t.raw
    }
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Template({:?})", self.raw)
    }
}

/// How the person a reference is about is named: salutation, names and the tense
/// of the reference.
#[derive(Clone, PartialEq, Eq)]
pub struct Wording {
    /// Herr, Frau or none.
    pub salutation: Salutation,
    /// "Herr Dr. Müller" / "Frau Müller" / "Alex Müller".
    pub short_name: String,
    /// "Herr Dr. Max Müller" / "Frau Eva Müller" / "Alex Müller".
    pub full_name: String,
    /// Interim (present tense) or final (past tense).
    pub kind: ReferenceKind,
}

impl fmt::Debug for Wording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wording")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Wording {
    /// The wording for a person.
    #[must_use]
    pub fn new(
        salutation: Salutation,
        title: Option<&str>,
        first_name: &str,
        last_name: &str,
        kind: ReferenceKind,
    ) -> Self {
        let title = title.map(|t| format!("{t} ")).unwrap_or_default();
        let (short_name, full_name) = match salutation {
            Salutation::Herr => (
                format!("Herr {title}{last_name}"),
                format!("Herr {title}{first_name} {last_name}"),
            ),
            Salutation::Frau => (
                format!("Frau {title}{last_name}"),
                format!("Frau {title}{first_name} {last_name}"),
            ),
            Salutation::None => (
                format!("{first_name} {last_name}"),
                format!("{title}{first_name} {last_name}"),
            ),
        };
        Self {
            salutation,
            short_name,
            full_name,
            kind,
        }
    }

    fn pronoun(&self, case: Case) -> String {
        match (self.salutation, case) {
            (Salutation::Herr, Case::Nominative) => "er".into(),
            (Salutation::Herr, Case::Accusative) => "ihn".into(),
            (Salutation::Herr, Case::Dative) => "ihm".into(),
            (Salutation::Frau, Case::Nominative | Case::Accusative) => "sie".into(),
            (Salutation::Frau, Case::Dative) => "ihr".into(),
            (Salutation::None, _) => self.short_name.clone(),
        }
    }

    fn possessive(&self, ending: &str) -> String {
        match self.salutation {
            Salutation::Herr => format!("sein{ending}"),
            Salutation::Frau => format!("ihr{ending}"),
            Salutation::None => genitive(&self.short_name),
        }
    }
}

/// The German genitive of a name: "Alex Müllers", "Hans Kraus'".
#[must_use]
pub fn genitive(name: &str) -> String {
    let sibilant = ["s", "ß", "x", "z", "ce"]
        .iter()
        .any(|end| name.to_lowercase().ends_with(end));
    if sibilant {
        format!("{name}'")
    } else {
        format!("{name}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(s: Salutation, kind: ReferenceKind) -> Wording {
        Wording::new(s, Some("Dr."), "Eva", "Weiß", kind)
    }

    #[test]
    fn pronouns_and_possessives_follow_the_salutation() {
        let t =
            Template::parse("{Er} {t:zeigt|zeigte} {seine} Stärken; wir danken {ihm}.").unwrap();
        let render = |s, k| t.render(&who(s, k), &[]);
        assert_eq!(
            render(Salutation::Herr, ReferenceKind::Interim),
            "Er zeigt seine Stärken; wir danken ihm."
        );
        assert_eq!(
            render(Salutation::Frau, ReferenceKind::Final),
            "Sie zeigte ihre Stärken; wir danken ihr."
        );
        assert_eq!(
            render(Salutation::None, ReferenceKind::Final),
            "Eva Weiß zeigte Eva Weiß' Stärken; wir danken Eva Weiß."
        );
    }

    #[test]
    fn names_gender_words_and_slots() {
        let t = Template::parse(
            "{vollname} ({name}) {g:ist Mitarbeiter|ist Mitarbeiterin|arbeitet} {zeitraum}.",
        )
        .unwrap();
        assert_eq!(
            t.render(
                &who(Salutation::Frau, ReferenceKind::Interim),
                &[("zeitraum", "seit 2015")]
            ),
            "Frau Dr. Eva Weiß (Frau Dr. Weiß) ist Mitarbeiterin seit 2015."
        );
        assert_eq!(
            t.render(&who(Salutation::None, ReferenceKind::Interim), &[]),
            "Dr. Eva Weiß (Eva Weiß) arbeitet ."
        );
        assert_eq!(t.slots().collect::<Vec<_>>(), ["zeitraum"]);
        assert_eq!(
            t.allow_slots(&["gruppen"]),
            Err(TemplateError::SlotNotAllowed("zeitraum".into()))
        );
    }

    #[test]
    fn broken_templates_are_refused() {
        assert!(matches!(
            Template::parse("{Er ist"),
            Err(TemplateError::UnmatchedBrace(_))
        ));
        assert!(matches!(
            Template::parse("Er } ist"),
            Err(TemplateError::UnmatchedBrace(_))
        ));
        assert_eq!(
            Template::parse("{Ihr} ist"),
            Err(TemplateError::UnknownPlaceholder("Ihr".into()))
        );
        assert_eq!(
            Template::parse("{t:ist}"),
            Err(TemplateError::Alternatives("t:ist".into(), 2))
        );
        assert_eq!(Template::parse(""), Err(TemplateError::Length));
    }

    #[test]
    fn genitive_of_names_ending_in_a_sibilant_takes_an_apostrophe() {
        assert_eq!(genitive("Hans Kraus"), "Hans Kraus'");
        assert_eq!(genitive("Alex Müller"), "Alex Müllers");
        assert_eq!(genitive("Kim Strauß"), "Kim Strauß'");
    }
}
