//! PDF renderer of zeugnis: a [`Letter`] becomes a DIN 5008-like business
//! letter in PDF/A-2b, typeset by [typst](https://typst.app) used as a library.
//!
//! [`TypstRenderer`] implements the core's [`DocumentRenderer`] port. It holds one
//! template (`letter.typ`, compiled into the binary) and the fonts, all embedded:
//! a render reads no file and opens no connection.
//!
//! **User data is data.** Every string of the letter and its formatting reaches
//! typst only through `sys.inputs` (a typst dictionary given to the standard
//! library), and the logo as bytes in the same dictionary; the template uses them
//! as values. Nothing is pasted into markup, so a name like `#panic("x")`, `*x*`
//! or `]` prints as written. The template's world answers every file request
//! with "access denied" and knows no packages.
//!
//! ```no_run
//! use zeugnis_core::document::{Letter, LetterFormatting};
//! use zeugnis_core::ports::DocumentRenderer;
//! use zeugnis_pdf::TypstRenderer;
//!
//! # fn demo(letter: &Letter) -> Result<(), zeugnis_core::ports::RenderError> {
//! let renderer = TypstRenderer::new(); // once; share it (it is cheap to clone)
//! let pdf: Vec<u8> = renderer.render(letter, &LetterFormatting::default())?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;

use typst::diag::{FileError, FileResult, SourceDiagnostic, Warned};
use typst::foundations::{Array, Bytes, Datetime, Dict, Duration, IntoValue, Smart, Value};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook, FontVariant};
use typst::utils::LazyHash;
use typst::visualize::{ExchangeFormat, RasterImage, SvgImage};
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};
use zeugnis_core::document::{ImageFormat, Letter, LetterFormatting, Typeface, german_date};
use zeugnis_core::ports::{DocumentRenderer, RenderError};

/// The letter template.
const TEMPLATE: &str = include_str!("letter.typ");

/// Liberation Sans (SIL Open Font License 1.1, see `fonts/`): typst's embedded
/// fonts have no sans-serif text face.
const SANS_FONTS: [&[u8]; 2] = [
    include_bytes!("../fonts/LiberationSans-Regular.ttf"),
    include_bytes!("../fonts/LiberationSans-Bold.ttf"),
];

/// How many renders a memoised typst result survives without being used again.
/// typst caches layout results globally; evicting after every render keeps a
/// long-running server's memory bounded while a hot letter stays cached.
const CACHE_MAX_AGE: usize = 16;

/// Renders letters with typst. Create it once (it loads and indexes the fonts)
/// and share it: clones share everything, and it is `Send + Sync`.
#[derive(Clone)]
pub struct TypstRenderer {
    shared: Arc<Shared>,
}

/// What every render reads and none changes.
struct Shared {
    fonts: FontStore,
    template: Source,
}

impl TypstRenderer {
    /// Loads the embedded fonts (typst's Libertinus Serif and New Computer
    /// Modern, and Liberation Sans) and parses the template.
    #[must_use]
    pub fn new() -> Self {
        let mut fonts = FontStore::new();
        fonts.extend(typst_kit::fonts::embedded());
        for data in SANS_FONTS {
            fonts.extend(Font::iter(Bytes::new(data)).map(|font| {
                let info = font.info().clone();
                (font, info)
            }));
        }
        Self {
            shared: Arc::new(Shared {
                fonts,
                template: Source::detached(TEMPLATE),
            }),
        }
    }

    /// The font families the renderer can set text in (for diagnostics and
    /// tests), sorted.
    #[must_use]
    pub fn font_families(&self) -> Vec<String> {
        let mut families: Vec<String> = self
            .shared
            .fonts
            .book()
            .families()
            .map(|(family, _)| family.to_owned())
            .collect();
        families.sort();
        families
    }
}

impl Default for TypstRenderer {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for TypstRenderer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TypstRenderer")
            .field("fonts", &self.shared.fonts.book().families().count())
            .finish_non_exhaustive()
    }
}

impl DocumentRenderer for TypstRenderer {
    fn render(
        &self,
        letter: &Letter,
        formatting: &LetterFormatting,
    ) -> Result<Vec<u8>, RenderError> {
        // Stored text never keeps a letter from printing: what no embedded font
        // can show is replaced before typesetting.
        let mut printable = Printable::new(self.shared.fonts.book());
        let letter = &printable.letter(letter);
        let formatting = &printable.formatting(formatting);
        if printable.replaced > 0 {
            tracing::warn!(
                replaced = printable.replaced,
                "the letter holds characters that no embedded font can show; they are printed as a replacement character"
            );
        }
        formatting
            .validate()
            .map_err(|e| RenderError::Formatting(e.to_string()))?;
        check_logo(formatting)?;

        let inputs = inputs(letter, formatting);
        // A stable document identifier for this letter (typst hashes it again;
        // nothing of it is readable in the PDF).
        let ident = format!("{:032x}", typst::utils::hash128(&inputs));
        let library = Library::builder().with_inputs(inputs).build();
        let world = LetterWorld {
            shared: &self.shared,
            library: LazyHash::new(library),
        };
        let result = render_pdf(&world, ident);
        typst::comemo::evict(CACHE_MAX_AGE);
        result
    }
}

/// Typesets and exports; errors carry no letter content.
fn render_pdf(world: &LetterWorld<'_>, ident: String) -> Result<Vec<u8>, RenderError> {
    let Warned { output, .. } = typst::compile::<PagedDocument>(world);
    let document = output.map_err(|errors| failure("typesetting", &errors))?;
    let standards = PdfStandards::new(&[PdfStandard::A_2b])
        .map_err(|_| RenderError::Failed("the PDF/A-2b settings were refused".into()))?;
    let options = PdfOptions {
        ident: Smart::Custom(ident),
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| failure("PDF export", &errors))
}

/// A content-free description of typst's errors. typst's messages may quote the
/// letter (e.g. a character no font can show), so only their kind is kept.
fn failure(stage: &str, errors: &[SourceDiagnostic]) -> RenderError {
    let unprintable = errors
        .iter()
        .any(|e| e.message.contains("could not be displayed") || e.message.contains("notdef"));
    if unprintable {
        RenderError::Failed(format!(
            "{stage}: the text contains characters that none of the embedded fonts can show"
        ))
    } else {
        RenderError::Failed(format!("{stage} failed ({} errors)", errors.len()))
    }
}

/// Replaces what the fonts cannot show: control characters (but line feed
/// and tab), noncharacters, unassigned and private-use code points, and any
/// character no embedded font covers.
struct Printable<'a> {
    book: &'a FontBook,
    replacement: char,
    /// How many characters were replaced.
    replaced: usize,
}

impl<'a> Printable<'a> {
    fn new(book: &'a FontBook) -> Self {
        let mut p = Self {
            book,
            replacement: '?',
            replaced: 0,
        };
        if p.shows('\u{FFFD}') {
            p.replacement = '\u{FFFD}';
        }
        p
    }

    fn shows(&self, c: char) -> bool {
        match c {
            '\n' | '\t' | ' ' => true,
            c if c.is_control() || !zeugnis_core::values::is_text_char(c) => false,
            // Latin as far as Latin Extended-A: every text face has it.
            '\u{20}'..='\u{17F}' => true,
            c if c.is_whitespace() => true,
            // Zero-width and joining marks: typst ignores what it cannot use.
            '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}' => true,
            c => {
                let mut buf = [0_u8; 4];
                self.book
                    .select_fallback(None, FontVariant::default(), c.encode_utf8(&mut buf))
                    .is_some()
            }
        }
    }

    fn text(&mut self, s: &str) -> String {
        // A line break is `\n`; `\r\n` and a lone `\r` are line breaks too.
        let s = if s.contains('\r') {
            std::borrow::Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
        } else {
            std::borrow::Cow::Borrowed(s)
        };
        if s.chars().all(|c| self.shows(c)) {
            return s.into_owned();
        }
        s.chars()
            .map(|c| {
                if self.shows(c) {
                    c
                } else {
                    self.replaced += 1;
                    self.replacement
                }
            })
            .collect()
    }

    fn lines(&mut self, lines: &[String]) -> Vec<String> {
        lines.iter().map(|l| self.text(l)).collect()
    }

    fn letter(&mut self, letter: &Letter) -> Letter {
        let mut out = letter.clone();
        out.heading = self.text(&letter.heading);
        out.paragraphs = self.lines(&letter.paragraphs);
        out.place = self.text(&letter.place);
        out.title = self.text(&letter.title);
        for s in &mut out.signatures {
            s.name = self.text(&s.name);
            s.position = s.position.as_deref().map(|p| self.text(p));
        }
        out
    }

    fn formatting(&mut self, formatting: &LetterFormatting) -> LetterFormatting {
        let mut out = formatting.clone();
        out.letterhead = self.lines(&formatting.letterhead);
        out.footer = self.lines(&formatting.footer);
        out
    }
}

/// Decodes the logo once before typesetting, so that an unreadable image is a
/// formatting problem and not a failed render. (typst memoises the decoding; the
/// template gets the cached image.)
fn check_logo(formatting: &LetterFormatting) -> Result<(), RenderError> {
    let Some(logo) = &formatting.logo else {
        return Ok(());
    };
    let bytes = Bytes::new(logo.bytes.clone());
    let decoded = match logo.format {
        ImageFormat::Png => RasterImage::plain(bytes, ExchangeFormat::Png).is_ok(),
        ImageFormat::Jpeg => RasterImage::plain(bytes, ExchangeFormat::Jpg).is_ok(),
        ImageFormat::Svg => SvgImage::new(bytes).is_ok(),
    };
    if decoded {
        Ok(())
    } else {
        Err(RenderError::Formatting(
            "the logo cannot be read as an image; upload it again as PNG, JPEG or SVG".into(),
        ))
    }
}

/// `sys.inputs` for the template: the letter and its formatting as typst values.
fn inputs(letter: &Letter, formatting: &LetterFormatting) -> Dict {
    fn strings(items: &[String]) -> Value {
        items
            .iter()
            .map(|s| s.as_str().into_value())
            .collect::<Array>()
            .into_value()
    }

    let signatures = letter
        .signatures
        .iter()
        .map(|s| {
            let mut sig = Dict::new();
            sig.insert("name".into(), s.name.as_str().into_value());
            sig.insert(
                "position".into(),
                s.position
                    .as_deref()
                    .map_or(Value::None, IntoValue::into_value),
            );
            sig.into_value()
        })
        .collect::<Array>();

    let m = formatting.margins;
    let mut margins = Dict::new();
    for (side, mm) in [
        ("top", m.top),
        ("right", m.right),
        ("bottom", m.bottom),
        ("left", m.left),
    ] {
        margins.insert(side.into(), i64::from(mm).into_value());
    }

    let (logo, logo_format, logo_width) = match &formatting.logo {
        Some(logo) => (
            Bytes::new(logo.bytes.clone()).into_value(),
            match logo.format {
                ImageFormat::Png => "png",
                ImageFormat::Jpeg => "jpg",
                ImageFormat::Svg => "svg",
            },
            i64::from(logo.width_mm),
        ),
        None => (Value::None, "png", 0),
    };

    let date = letter.date;
    let mut d = Dict::new();
    let mut set = |key: &str, value: Value| {
        d.insert(key.into(), value);
    };
    set("heading", letter.heading.as_str().into_value());
    set("paragraphs", strings(&letter.paragraphs));
    set("place", letter.place.as_str().into_value());
    set("date", german_date(date).into_value());
    set("year", i64::from(date.year()).into_value());
    set("month", i64::from(u8::from(date.month())).into_value());
    set("day", i64::from(date.day()).into_value());
    set("signatures", signatures.into_value());
    set("draft", letter.draft.into_value());
    set("title", letter.title.as_str().into_value());
    set("letterhead", strings(&formatting.letterhead));
    set("footer", strings(&formatting.footer));
    set(
        "typeface",
        match formatting.typeface {
            Typeface::Serif => "serif",
            Typeface::Sans => "sans",
        }
        .into_value(),
    );
    set("font_size", i64::from(formatting.font_size_pt).into_value());
    set("margins", margins.into_value());
    set("logo", logo);
    set("logo_format", logo_format.into_value());
    set("logo_width", logo_width.into_value());
    d
}

/// The world of one render: the shared template and fonts, and a standard
/// library holding this letter's inputs. No files, no packages, no clock.
struct LetterWorld<'a> {
    shared: &'a Shared,
    library: LazyHash<Library>,
}

impl World for LetterWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.shared.fonts.book()
    }

    fn main(&self) -> FileId {
        self.shared.template.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.shared.template.id() {
            Ok(self.shared.template.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
