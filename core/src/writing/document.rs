//! A reference as a printable letter, and the tenant's formatting of it
//! (Zeugnisformatierung).
//!
//! The core decides *what* is printed — heading, paragraphs, place and date,
//! who signs — in a [`Letter`]; a [`DocumentRenderer`](crate::ports::DocumentRenderer)
//! adapter decides how it looks on paper, following [`LetterFormatting`]. Both are
//! plain data: the renderer must treat every string as text, never as markup.

use std::fmt;

use crate::values::Date;

/// The typefaces a letter can be set in. Renderers embed them; nothing is
/// downloaded or taken from the host.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Typeface {
    /// A serif book face (the default).
    #[default]
    Serif,
    /// A sans-serif face.
    Sans,
}

/// Page margins in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Margins {
    /// Top margin.
    pub top: u8,
    /// Right margin.
    pub right: u8,
    /// Bottom margin.
    pub bottom: u8,
    /// Left margin (DIN 5008: 25 mm).
    pub left: u8,
}

impl Default for Margins {
    /// DIN 5008-like: 45 mm top (room for the letterhead), 20 right, 25 bottom, 25 left.
    fn default() -> Self {
        Self {
            top: 45,
            right: 20,
            bottom: 25,
            left: 25,
        }
    }
}

/// The image format of a logo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// SVG.
    Svg,
}

impl ImageFormat {
    /// Recognises PNG, JPEG and SVG by their first bytes.
    #[must_use]
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else {
            let head = bytes.get(..bytes.len().min(512)).unwrap_or_default();
            let head = String::from_utf8_lossy(head);
            let head = head.trim_start_matches('\u{feff}').trim_start();
            (head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg")))
                .then_some(Self::Svg)
        }
    }
}

/// A letterhead logo.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Logo {
    /// The image file (base64 in JSON).
    #[serde(with = "base64")]
    pub bytes: Vec<u8>,
    /// Its format.
    pub format: ImageFormat,
    /// Printed width in millimetres.
    pub width_mm: u8,
}

impl fmt::Debug for Logo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Logo({:?}, {} bytes)", self.format, self.bytes.len())
    }
}

/// Standard base64 with padding, for image files inside JSON documents.
mod base64 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub(super) fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk.first().copied().unwrap_or(0),
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    let idx = ((n >> (18 - 6 * i)) & 63) as usize;
                    out.push(char::from(ALPHABET.get(idx).copied().unwrap_or(b'A')));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    pub(super) fn decode(text: &str) -> Option<Vec<u8>> {
        let text = text.trim_end_matches('=');
        let mut out = Vec::with_capacity(text.len() * 3 / 4);
        let (mut acc, mut bits) = (0u32, 0u32);
        for c in text.bytes() {
            let v = u32::try_from(ALPHABET.iter().position(|a| *a == c)?).ok()?;
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push(u8::try_from((acc >> bits) & 0xFF).ok()?);
            }
        }
        Some(out)
    }

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        decode(&text).ok_or_else(|| D::Error::custom("the image must be base64-encoded"))
    }
}

/// Invalid formatting settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormattingError {
    /// A margin outside 10–60 mm.
    #[error("margins must be between 10 and 60 mm")]
    Margin,
    /// A font size outside 9–14 pt.
    #[error("the font size must be between 9 and 14 pt")]
    FontSize,
    /// The logo is not PNG, JPEG or SVG, or too large.
    #[error("the logo must be a PNG, JPEG or SVG file of at most 1 MiB, 10 to 120 mm wide")]
    Logo,
    /// Too many or too long letterhead or footer lines.
    #[error("letterhead and footer take at most 6 lines of 120 characters each")]
    Lines,
    /// A letterhead or footer line holds a character that is not printable text.
    #[error("{0}")]
    Text(crate::values::ValueError),
}

/// How a tenant's references look on paper (area Reference formatting).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LetterFormatting {
    /// Letterhead lines, printed at the top right (company name first).
    pub letterhead: Vec<String>,
    /// An optional logo at the top left.
    pub logo: Option<Logo>,
    /// The typeface.
    pub typeface: Typeface,
    /// Font size in points.
    pub font_size_pt: u8,
    /// Page margins.
    pub margins: Margins,
    /// Footer lines (address, register number…), on every page.
    pub footer: Vec<String>,
}

impl Default for LetterFormatting {
    fn default() -> Self {
        Self {
            letterhead: Vec::new(),
            logo: None,
            typeface: Typeface::Serif,
            font_size_pt: 11,
            margins: Margins::default(),
            footer: Vec::new(),
        }
    }
}

impl LetterFormatting {
    /// Largest logo file accepted.
    pub const MAX_LOGO_BYTES: usize = 1024 * 1024;

    /// Checks the settings.
    ///
    /// # Errors
    /// The first [`FormattingError`] found.
    pub fn validate(&self) -> Result<(), FormattingError> {
        let m = self.margins;
        if [m.top, m.right, m.bottom, m.left]
            .iter()
            .any(|v| !(10..=60).contains(v))
        {
            return Err(FormattingError::Margin);
        }
        if !(9..=14).contains(&self.font_size_pt) {
            return Err(FormattingError::FontSize);
        }
        if let Some(logo) = &self.logo
            && (logo.bytes.len() > Self::MAX_LOGO_BYTES
                || ImageFormat::sniff(&logo.bytes) != Some(logo.format)
                || !(10..=120).contains(&logo.width_mm))
        {
            return Err(FormattingError::Logo);
        }
        let lines_ok = |lines: &[String]| {
            lines.len() <= 6
                && lines
                    .iter()
                    .all(|l| l.chars().count() <= 120 && !l.contains('\n'))
        };
        if !lines_ok(&self.letterhead) || !lines_ok(&self.footer) {
            return Err(FormattingError::Lines);
        }
        for (field, lines) in [("letterhead", &self.letterhead), ("footer", &self.footer)] {
            for line in lines {
                crate::values::check_text(field, line).map_err(FormattingError::Text)?;
            }
        }
        Ok(())
    }
}

/// One person who signs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignatureLine {
    /// Printed name.
    pub name: String,
    /// Function, e.g. "Leiterin Personal".
    pub position: Option<String>,
}

/// A reference laid out as a letter: everything the renderer prints, and nothing
/// else. Content is personal data: `Debug` shows only its shape.
#[derive(Clone, PartialEq, Eq)]
pub struct Letter {
    /// Heading, e.g. "Arbeitszeugnis" or "Zwischenzeugnis".
    pub heading: String,
    /// Body paragraphs, in order; line breaks inside a paragraph are kept.
    pub paragraphs: Vec<String>,
    /// Place of issue, e.g. "Köln".
    pub place: String,
    /// Date of issue (also the document's creation date in its metadata).
    pub date: Date,
    /// Who signs, left to right.
    pub signatures: Vec<SignatureLine>,
    /// A draft: marked as such on every page.
    pub draft: bool,
    /// Document title for the PDF metadata (no personal data beyond the heading
    /// and name HR chose to print).
    pub title: String,
}

impl fmt::Debug for Letter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Letter")
            .field("paragraphs", &self.paragraphs.len())
            .field("signatures", &self.signatures.len())
            .field("draft", &self.draft)
            .finish_non_exhaustive()
    }
}

/// German long date, e.g. "31. März 2024".
#[must_use]
pub fn german_date(date: Date) -> String {
    const MONTHS: [&str; 12] = [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ];
    let month = MONTHS
        .get(usize::from(u8::from(date.month())) - 1)
        .copied()
        .unwrap_or_default();
    format!("{}. {} {}", date.day(), month, date.year())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn german_dates_spell_the_month() {
        assert_eq!(german_date(date!(2024 - 03 - 31)), "31. März 2024");
        assert_eq!(german_date(date!(2020 - 01 - 01)), "1. Januar 2020");
    }

    #[test]
    fn logos_are_recognised_by_content_not_by_claim() {
        assert_eq!(
            ImageFormat::sniff(b"\x89PNG\r\n\x1a\nrest"),
            Some(ImageFormat::Png)
        );
        assert_eq!(
            ImageFormat::sniff(b"<?xml version=\"1.0\"?><svg/>"),
            Some(ImageFormat::Svg)
        );
        assert_eq!(ImageFormat::sniff(b"GIF89a"), None);
        let bad = LetterFormatting {
            logo: Some(Logo {
                bytes: b"GIF89a".to_vec(),
                format: ImageFormat::Png,
                width_mm: 40,
            }),
            ..LetterFormatting::default()
        };
        assert_eq!(bad.validate(), Err(FormattingError::Logo));
    }

    #[test]
    fn logos_travel_as_base64() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"\x89PNG\r\n\x1a\n\x00\xff"] {
            let text = base64::encode(bytes);
            assert_eq!(base64::decode(&text).as_deref(), Some(bytes));
        }
        assert_eq!(base64::encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64::encode(b"fo"), "Zm8=");
        assert_eq!(base64::decode("Zm9v!"), None);
        let logo = Logo {
            bytes: b"<svg/>".to_vec(),
            format: ImageFormat::Svg,
            width_mm: 30,
        };
        let json = serde_json::to_string(&logo).unwrap();
        assert!(json.contains("\"PHN2Zy8+\""), "{json}");
        assert_eq!(serde_json::from_str::<Logo>(&json).unwrap(), logo);
    }

    #[test]
    fn margins_and_sizes_are_bounded() {
        assert_eq!(LetterFormatting::default().validate(), Ok(()));
        let mut f = LetterFormatting::default();
        f.margins.left = 5;
        assert_eq!(f.validate(), Err(FormattingError::Margin));
        let f = LetterFormatting {
            font_size_pt: 20,
            ..LetterFormatting::default()
        };
        assert_eq!(f.validate(), Err(FormattingError::FontSize));
        let f = LetterFormatting {
            letterhead: vec!["a\nb".into()],
            ..LetterFormatting::default()
        };
        assert_eq!(f.validate(), Err(FormattingError::Lines));
    }
}
