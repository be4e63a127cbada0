//! Every visible text of the pages, from one Fluent catalogue per language
//! (`app/locales/<lang>/main.ftl`), and the formats of dates and times.
//!
//! German first, English second. The language of a request is, in order: a
//! `?lang=` the user just chose (remembered in a cookie), that cookie, the
//! browser's `Accept-Language`, German.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader as _, langid};
use poem::Request;
use poem::http::header;
use zeugnis_core::reference::Language;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "de",
        // No Unicode isolation marks around arguments: the pages are
        // left-to-right only, and the marks would show up in tests and copies.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The name of the cookie that remembers a chosen language.
pub const LANG_COOKIE: &str = "zeugnis-lang";

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Deutsch (the default).
    De,
    /// English.
    En,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Self; 2] = [Self::De, Self::En];

    /// The code in `lang` attributes and the cookie.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
        }
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Self::De => langid!("de"),
            Self::En => langid!("en"),
        }
    }

    /// The language a code names (`de`, `en-GB`, …), if it is one of ours.
    #[must_use]
    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "de" => Some(Self::De),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The language just chosen with `?lang=`, if any.
    #[must_use]
    pub fn chosen(req: &Request) -> Option<Self> {
        req.uri()
            .query()?
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| *name == "lang")
            .and_then(|(_, value)| Self::parse(value))
    }

    /// The language of a request: chosen, remembered, asked for, German.
    #[must_use]
    pub fn of(req: &Request) -> Self {
        Self::for_user(req, None)
    }

    /// The language of a logged-in user's request: chosen, remembered in
    /// this browser, the user's setting, asked for, German. (Logging in and
    /// saving the setting remember it in the browser, so the setting wins
    /// over an older choice there; the switch in the header still changes
    /// the language of this browser.)
    #[must_use]
    pub fn for_user(req: &Request, saved: Option<Self>) -> Self {
        Self::chosen(req)
            .or_else(|| remembered(req))
            .or(saved)
            .or_else(|| accepted(req))
            .unwrap_or(Self::De)
    }

    /// The pages' language for a user's setting.
    #[must_use]
    pub const fn of_setting(language: Language) -> Self {
        match language {
            Language::English => Self::En,
            _ => Self::De,
        }
    }

    /// The setting for this language.
    #[must_use]
    pub const fn setting(self) -> Language {
        match self {
            Self::De => Language::German,
            Self::En => Language::English,
        }
    }

    /// The cookie that remembers this language in the browser.
    #[must_use]
    pub fn cookie(self) -> String {
        format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
            self.code()
        )
    }

    /// The cookie that forgets a remembered language.
    #[must_use]
    pub fn forget() -> String {
        format!("{LANG_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0")
    }

    /// The other language (for the switch in the page header).
    #[must_use]
    pub const fn other(self) -> Self {
        match self {
            Self::De => Self::En,
            Self::En => Self::De,
        }
    }
}

fn remembered(req: &Request) -> Option<Lang> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .and_then(|(_, value)| Lang::parse(value))
}

/// The best of our languages in `Accept-Language`, by its weights.
fn accepted(req: &Request) -> Option<Lang> {
    let header = req.headers().get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(u16, Lang)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let Some(lang) = parts.next().and_then(Lang::parse) else {
            continue;
        };
        let weight = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(1000, |q| {
                q.trim()
                    .parse::<f32>()
                    .map_or(0, |q| (q.clamp(0.0, 1.0) * 1000.0) as u16)
            });
        if weight > 0 && best.is_none_or(|(w, _)| weight > w) {
            best = Some((weight, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// The texts of one language, handed to templates as `t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    lang: Lang,
}

impl Tr {
    /// The texts of `lang`.
    #[must_use]
    pub const fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The language.
    #[must_use]
    pub const fn lang(&self) -> Lang {
        self.lang
    }

    /// The text `key`. A key missing from the catalogue shows as itself and
    /// is logged (the catalogue tests keep that from happening).
    #[must_use]
    pub fn t(&self, key: &str) -> String {
        self.lookup(key, None)
    }

    /// The text `key` with one argument.
    #[must_use]
    pub fn t1(&self, key: &str, name: &'static str, value: impl ToString) -> String {
        let mut args = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_string()));
        self.lookup(key, Some(&args))
    }

    /// The text `key` with a count (plural forms) named `count`.
    #[must_use]
    pub fn count(&self, key: &str, count: u64) -> String {
        let mut args = HashMap::new();
        args.insert(Cow::Borrowed("count"), FluentValue::from(count));
        self.lookup(key, Some(&args))
    }

    fn lookup(
        &self,
        key: &str,
        args: Option<&HashMap<Cow<'static, str>, FluentValue<'_>>>,
    ) -> String {
        LOCALES
            .try_lookup_complete(&self.lang.id(), key, args)
            .unwrap_or_else(|| {
                tracing::warn!(
                    key,
                    lang = self.lang.code(),
                    "a page text is missing from the catalogue"
                );
                key.to_owned()
            })
    }

    /// A date: `31.03.2026` in German, `31/03/2026` in English.
    #[must_use]
    pub fn date(&self, date: time::Date) -> String {
        let (d, m, y) = (date.day(), u8::from(date.month()), date.year());
        match self.lang {
            Lang::De => format!("{d:02}.{m:02}.{y}"),
            Lang::En => format!("{d:02}/{m:02}/{y}"),
        }
    }

    /// A date and time: `16.12.2026, 18:17 Uhr`, `16/12/2026, 18:17`.
    #[must_use]
    pub fn date_time(&self, at: time::PrimitiveDateTime) -> String {
        let clock = format!("{:02}:{:02}", at.hour(), at.minute());
        format!(
            "{}, {}",
            self.date(at.date()),
            self.t1("format-time", "time", clock)
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;

    fn catalogue(lang: Lang) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang.code())
            .join("main.ftl");
        std::fs::read_to_string(path).expect("the catalogue is there")
    }

    /// The message keys a catalogue defines (Fluent: `key = …` at the start
    /// of a line).
    fn keys(ftl: &str) -> BTreeSet<String> {
        ftl.lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_owned()))
            .collect()
    }

    fn templates() -> Vec<(String, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut all: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .collect();
        all.sort();
        assert!(all.len() >= 3, "the templates are found");
        all
    }

    /// What is left of a template once expressions, statements, comments and
    /// tags are gone: the literal text a reader would see.
    fn literal_text(template: &str) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find(['{', '<']) {
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            let end = if let Some(t) = tail.strip_prefix("{{") {
                t.find("}}").map(|e| e + 4)
            } else if let Some(t) = tail.strip_prefix("{%") {
                t.find("%}").map(|e| e + 4)
            } else if let Some(t) = tail.strip_prefix("{#") {
                t.find("#}").map(|e| e + 4)
            } else if tail.starts_with('<') {
                // A tag: its text attributes are checked on their own.
                tail.find('>').map(|e| {
                    out.push_str(&text_attributes(&tail[..=e]));
                    e + 1
                })
            } else {
                Some(1)
            };
            let end = end.unwrap_or(tail.len());
            rest = &tail[end..];
        }
        out.push_str(rest);
        out
    }

    /// The values of the attributes a reader sees or hears.
    fn text_attributes(tag: &str) -> String {
        let mut out = String::new();
        for attr in ["title=\"", "placeholder=\"", "aria-label=\"", "alt=\""] {
            let mut rest = tag;
            while let Some(i) = rest.find(attr) {
                let value = &rest[i + attr.len()..];
                let end = value.find('"').unwrap_or(value.len());
                out.push(' ');
                out.push_str(&literal_text(&value[..end]));
                rest = &value[end..];
            }
        }
        out
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let de = keys(&catalogue(Lang::De));
        let en = keys(&catalogue(Lang::En));
        assert!(de.len() > 30, "{de:?}");
        let only_de: Vec<_> = de.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&de).collect();
        assert!(
            only_de.is_empty() && only_en.is_empty(),
            "only in German: {only_de:?}; only in English: {only_en:?}"
        );
    }

    #[test]
    fn every_key_the_pages_use_is_in_both_catalogues() {
        let de = keys(&catalogue(Lang::De));
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src")
            .join("web");
        let mut sources: Vec<String> = templates().into_iter().map(|(_, s)| s).collect();
        for entry in std::fs::read_dir(src).unwrap() {
            sources.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        let mut used = BTreeSet::new();
        for source in &sources {
            for call in ["t(\"", "t1(\"", "count(\"", "key: \""] {
                let mut rest = source.as_str();
                while let Some(i) = rest.find(call) {
                    let tail = &rest[i + call.len()..];
                    let end = tail.find('"').unwrap_or(0);
                    let key = &tail[..end];
                    if key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
                        && key.contains('-')
                    {
                        used.insert(key.to_owned());
                    }
                    rest = &tail[end..];
                }
            }
        }
        assert!(used.len() > 20, "{used:?}");
        let missing: Vec<_> = used.difference(&de).collect();
        assert!(
            missing.is_empty(),
            "used but not in the catalogues: {missing:?}"
        );
        // The loader has every one of them, with the arguments texts take.
        let mut args = HashMap::new();
        for name in [
            "time", "org", "name", "n", "date", "status", "by", "from", "allowed", "domain",
            "domains", "sections", "phone",
        ] {
            args.insert(Cow::Borrowed(name), FluentValue::from("x"));
        }
        args.insert(Cow::Borrowed("count"), FluentValue::from(2));
        args.insert(Cow::Borrowed("line"), FluentValue::from(2));
        for lang in Lang::ALL {
            for key in &used {
                assert!(
                    LOCALES
                        .try_lookup_complete(&lang.id(), key, Some(&args))
                        .is_some(),
                    "{key} in {}",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn no_template_holds_a_literal_sentence() {
        for (name, template) in templates() {
            let text = literal_text(&template);
            let words: Vec<&str> = text
                .split_whitespace()
                .filter(|w| w.chars().any(char::is_alphabetic))
                .collect();
            assert!(words.is_empty(), "{name} holds literal text: {words:?}");
        }
        // The check itself finds a sentence, in text and in attributes.
        assert!(
            !literal_text("<p>Bitte melden Sie sich an</p>")
                .trim()
                .is_empty()
        );
        assert!(
            !literal_text(r#"<input placeholder="Name">"#)
                .trim()
                .is_empty()
        );
        assert!(
            literal_text(r#"<p class="x">{{ t.t("login-title") }}</p>"#)
                .trim()
                .is_empty()
        );
    }

    #[test]
    fn the_language_follows_the_choice_the_cookie_and_the_browser_in_that_order() {
        let req = |uri: &str, cookie: Option<&str>, accept: Option<&str>| {
            let mut b = Request::builder().uri(uri.parse().unwrap());
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            if let Some(a) = accept {
                b = b.header(header::ACCEPT_LANGUAGE, a);
            }
            b.finish()
        };
        assert_eq!(Lang::of(&req("/", None, None)), Lang::De);
        assert_eq!(Lang::of(&req("/", None, Some("en-GB,en;q=0.9"))), Lang::En);
        assert_eq!(
            Lang::of(&req("/", None, Some("fr-FR, en;q=0.5, de;q=0.8"))),
            Lang::De
        );
        assert_eq!(Lang::of(&req("/", None, Some("fr, es"))), Lang::De);
        assert_eq!(
            Lang::of(&req("/", Some("a=b; zeugnis-lang=en"), Some("de"))),
            Lang::En
        );
        assert_eq!(
            Lang::of(&req("/?x=1&lang=de", Some("zeugnis-lang=en"), Some("en"))),
            Lang::De
        );
        // A user's setting comes after this browser's choice and before the
        // browser's languages.
        assert_eq!(
            Lang::for_user(&req("/", None, Some("de")), Some(Lang::En)),
            Lang::En
        );
        assert_eq!(
            Lang::for_user(
                &req("/", Some("zeugnis-lang=de"), Some("en")),
                Some(Lang::En)
            ),
            Lang::De
        );
        assert_eq!(
            Lang::for_user(&req("/?lang=de", None, None), Some(Lang::En)),
            Lang::De
        );
        assert_eq!(Lang::for_user(&req("/", None, Some("en")), None), Lang::En);
    }

    #[test]
    fn dates_and_times_are_written_as_each_language_writes_them() {
        let at = time::macros::datetime!(2026-12-16 18:17:59);
        assert_eq!(Tr::new(Lang::De).date(at.date()), "16.12.2026");
        assert_eq!(Tr::new(Lang::De).date_time(at), "16.12.2026, 18:17 Uhr");
        assert_eq!(Tr::new(Lang::En).date_time(at), "16/12/2026, 18:17");
    }
}
