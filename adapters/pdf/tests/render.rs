//! The renderer's PDFs, read back with real tools (poppler-utils: `pdftotext`,
//! `pdfinfo`, `pdffonts`, `pdfimages`, `pdftoppm`). Without them the tests skip
//! with a visible message, except under `CI=true`, where they fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test"
)]

mod sample;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use tempfile::TempDir;
use zeugnis_core::document::{
    ImageFormat, Letter, LetterFormatting, Logo, Margins, SignatureLine, Typeface,
};
use zeugnis_core::ports::{DocumentRenderer, RenderError};
use zeugnis_pdf::TypstRenderer;

// --- helpers ---------------------------------------------------------------

/// One renderer for all tests, as a server would hold it.
fn renderer() -> &'static TypstRenderer {
    static RENDERER: OnceLock<TypstRenderer> = OnceLock::new();
    RENDERER.get_or_init(TypstRenderer::new)
}

/// Whether poppler-utils are installed. Missing tools fail the test under
/// `CI=true` and skip it (visibly, past the test harness's capture) otherwise.
fn poppler(test: &str) -> bool {
    let present = ["pdftotext", "pdfinfo", "pdffonts", "pdfimages", "pdftoppm"]
        .iter()
        .all(|tool| Command::new(tool).arg("-v").output().is_ok());
    if present {
        return true;
    }
    let message =
        "poppler-utils (pdftotext, pdfinfo, pdffonts, pdfimages, pdftoppm) are not installed";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{message}: install them (apt-get install poppler-utils) — CI must not skip {test}");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {message}");
    false
}

/// A rendered PDF in a temporary directory.
struct Pdf {
    _dir: TempDir,
    path: PathBuf,
}

impl Pdf {
    fn new(bytes: &[u8]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zeugnis.pdf");
        std::fs::write(&path, bytes).unwrap();
        Self { _dir: dir, path }
    }

    fn render(letter: &Letter, formatting: &LetterFormatting) -> Self {
        let bytes = renderer().render(letter, formatting).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        Self::new(&bytes)
    }

    /// `pdftotext` output, pages separated by form feeds.
    fn raw_text(&self) -> String {
        run("pdftotext", &[self.path.as_os_str(), "-".as_ref()])
    }

    /// The text with hyphenated line breaks joined and whitespace collapsed.
    fn text(&self) -> String {
        normalise(&self.raw_text())
    }

    /// The text of each page, normalised.
    fn pages(&self) -> Vec<String> {
        let raw = self.raw_text();
        let mut pages: Vec<String> = raw.split('\u{c}').map(normalise).collect();
        if pages.last().is_some_and(String::is_empty) {
            pages.pop();
        }
        pages
    }

    fn info(&self) -> String {
        run("pdfinfo", &[self.path.as_os_str()])
    }

    fn page_count(&self) -> usize {
        let info = self.info();
        let line = info.lines().find(|l| l.starts_with("Pages:")).unwrap();
        line["Pages:".len()..].trim().parse().unwrap()
    }

    /// `pdffonts` as rows of (name, embedded). Names may be wider than their
    /// column, so the row is read from both ends: name first, then type and
    /// encoding, then `emb sub uni object ID`.
    fn fonts(&self) -> Vec<(String, String)> {
        let out = run("pdffonts", &[self.path.as_os_str()]);
        out.lines()
            .skip(2)
            .map(|l| {
                let cells: Vec<&str> = l.split_whitespace().collect();
                assert!(cells.len() >= 7, "unexpected pdffonts row: {l}");
                (cells[0].to_owned(), cells[cells.len() - 5].to_owned())
            })
            .collect()
    }
}

fn run(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(tool).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Joins words that typst hyphenated at a line end (it marks such hyphens as
/// soft hyphens, U+00AD: "Zufrie\u{ad}\ndenheit"), keeps real hyphens that fell
/// at a line end ("Supply-\nChain"), and collapses whitespace.
fn normalise(text: &str) -> String {
    let joined = text.replace("\u{ad}\n", "").replace("-\n", "-");
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_contains(text: &str, needle: &str) {
    assert!(
        text.contains(needle),
        "{needle:?} is missing from the PDF text:\n{text}"
    );
}

/// A PNG of `size`×`size` red pixels, written by hand: signature, IHDR, one
/// IDAT with an uncompressed ("stored") zlib stream, IEND.
fn red_png(size: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFF_u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    // Each row: filter byte 0 ("none"), then RGB pixels.
    let row: Vec<u8> = std::iter::once(0)
        .chain((0..size).flat_map(|_| [0xCC, 0x00, 0x00]))
        .collect();
    let raw = row.repeat(size as usize);
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    let len = u16::try_from(raw.len()).unwrap();
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend_from_slice(&len.to_le_bytes());
    zlib.extend_from_slice(&(!len).to_le_bytes());
    zlib.extend_from_slice(&raw);
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8 bit, RGB
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}

const RED_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20"><rect x="0" y="0" width="40" height="20" fill="#cc0000"/></svg>"##;

fn with_logo(bytes: Vec<u8>, format: ImageFormat) -> LetterFormatting {
    LetterFormatting {
        logo: Some(Logo {
            bytes,
            format,
            width_mm: 30,
        }),
        ..sample::formatting()
    }
}

/// Whether the top left quarter of page 1 has red pixels (the logo), from a
/// 30 dpi rendering by `pdftoppm`.
fn top_left_is_red(pdf: &Pdf) -> bool {
    let out = Command::new("pdftoppm")
        .args(["-r", "30", "-f", "1", "-l", "1"])
        .arg(&pdf.path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let ppm = out.stdout;
    // P6 header: "P6\n<w> <h>\n255\n", then RGB bytes.
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 4 {
        while ppm[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let start = pos;
        while !ppm[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(String::from_utf8_lossy(&ppm[start..pos]).into_owned());
    }
    pos += 1;
    assert_eq!(fields[0], "P6");
    let width: usize = fields[1].parse().unwrap();
    let height: usize = fields[2].parse().unwrap();
    let pixels = &ppm[pos..];
    (0..height / 4).any(|y| {
        (0..width / 2).any(|x| {
            let i = (y * width + x) * 3;
            pixels[i] > 150 && pixels[i + 1] < 80 && pixels[i + 2] < 80
        })
    })
}

// --- text, pages, PDF/A, fonts ---------------------------------------------

#[test]
fn a_two_page_reference_prints_every_sentence_with_umlauts_and_eszett() {
    if !poppler("two_page_text") {
        return;
    }
    let pdf = Pdf::render(&sample::two_page_letter(), &sample::formatting());
    let text = pdf.text();
    for needle in [
        "Arbeitszeugnis",
        "Herr Jürgen Weiß, geboren am 14. Februar 1985 in Düsseldorf",
        "mit einer Größe von rund 12.000 Quadratmetern",
        "Hauptstraße",
        "Er erledigte die ihm übertragenen Aufgaben stets zu unserer vollsten Zufriedenheit.",
        "wieder in unserem Unternehmen begrüßen zu dürfen.",
        "Köln, 31. März 2024",
        "Dr. Änne Groß",
        "Geschäftsführerin",
        "Björn Meißner",
        "Leiter Personal",
        "Muster & Söhne GmbH",
        "Telefon 0221 123456",
        "Amtsgericht Köln HRB 12345",
    ] {
        assert_contains(&text, needle);
    }
    // Every paragraph, whole.
    for p in sample::PARAGRAPHS {
        assert_contains(&text, p);
    }
}

#[test]
fn a_full_reference_has_two_numbered_pages_and_a_short_one_one_unnumbered() {
    if !poppler("page_count") {
        return;
    }
    let long = Pdf::render(&sample::two_page_letter(), &sample::formatting());
    assert_eq!(long.page_count(), 2);
    let pages = long.pages();
    assert_eq!(pages.len(), 2);
    assert_contains(&pages[0], "Seite 1 von 2");
    assert_contains(&pages[1], "Seite 2 von 2");
    // Letterhead on the first page only, footer on every page.
    assert_contains(&pages[0], "Telefon 0221 123456");
    assert!(!pages[1].contains("Telefon 0221 123456"));
    for page in &pages {
        assert_contains(page, "Amtsgericht Köln HRB 12345");
    }

    let short = Pdf::render(&sample::short_letter(), &sample::formatting());
    assert_eq!(short.page_count(), 1);
    let text = short.text();
    assert_contains(&text, "Zwischenzeugnis");
    assert!(!text.contains("Seite"), "a one-page letter is not numbered");
}

#[test]
fn the_pdf_is_pdf_a_2b_with_title_language_and_date() {
    if !poppler("pdf_a") {
        return;
    }
    let pdf = Pdf::render(&sample::two_page_letter(), &sample::formatting());
    let xmp = run("pdfinfo", &["-meta".as_ref(), pdf.path.as_os_str()]);
    let has = |key: &str, value: &str| {
        xmp.contains(&format!("<{key}>{value}</{key}>"))
            || xmp.contains(&format!("{key}=\"{value}\""))
    };
    assert!(has("pdfaid:part", "2"), "no PDF/A part 2 in:\n{xmp}");
    assert!(
        has("pdfaid:conformance", "B"),
        "no conformance B in:\n{xmp}"
    );
    assert!(
        xmp.contains("de-DE") || xmp.contains(">de<"),
        "no language in:\n{xmp}"
    );

    let info = pdf.info();
    assert!(
        info.lines()
            .any(|l| l.starts_with("Title:") && l.contains("Arbeitszeugnis Jürgen Weiß")),
        "{info}"
    );
    assert!(
        info.lines()
            .any(|l| l.starts_with("CreationDate:") && l.contains("2024")),
        "{info}"
    );
}

#[test]
fn every_font_is_embedded() {
    if !poppler("fonts_embedded") {
        return;
    }
    let pdf = Pdf::render(&sample::two_page_letter(), &sample::formatting());
    let fonts = pdf.fonts();
    assert!(!fonts.is_empty());
    for (name, emb) in &fonts {
        assert_eq!(emb, "yes", "font {name} is not embedded");
    }
}

#[test]
fn serif_and_sans_use_different_embedded_faces() {
    if !poppler("typefaces") {
        return;
    }
    let names = |typeface| {
        let formatting = LetterFormatting {
            typeface,
            ..sample::formatting()
        };
        let pdf = Pdf::render(&sample::short_letter(), &formatting);
        let fonts = pdf.fonts();
        assert!(fonts.iter().all(|(_, emb)| emb == "yes"));
        fonts.into_iter().map(|(name, _)| name).collect::<Vec<_>>()
    };
    let serif = names(Typeface::Serif);
    let sans = names(Typeface::Sans);
    assert!(
        serif.iter().any(|n| n.contains("LibertinusSerif")),
        "{serif:?}"
    );
    assert!(
        sans.iter().any(|n| n.contains("LiberationSans")),
        "{sans:?}"
    );
    assert!(!sans.iter().any(|n| n.contains("Libertinus")), "{sans:?}");
}

#[test]
fn the_renderer_offers_a_sans_serif_face() {
    let families = renderer().font_families();
    assert!(
        families.iter().any(|f| f == "Liberation Sans"),
        "{families:?}"
    );
    assert!(
        families.iter().any(|f| f == "Libertinus Serif"),
        "{families:?}"
    );
}

// --- user data is data -------------------------------------------------------

#[test]
fn markup_and_code_in_user_data_print_literally() {
    if !poppler("injection") {
        return;
    }
    let tricks = [
        r#"#panic("boom")"#,
        r#"#read("/etc/passwd")"#,
        "*x*",
        "$y$",
        "]",
        "<lbl>",
        "@ref",
        r#"#eval("1 + 1")"#,
        "_kursiv_ `code` \\ // kein Kommentar /* auch nicht */",
        r#"")] #include "x.typ" ["#,
    ];
    let letter = Letter {
        heading: tricks[0].into(),
        paragraphs: vec![tricks.join(" "), format!("Name: {}", tricks[1])],
        place: tricks[2].into(),
        signatures: vec![SignatureLine {
            name: tricks[3].into(),
            position: Some(tricks[4].into()),
        }],
        title: tricks[5].into(),
        ..sample::short_letter()
    };
    let formatting = LetterFormatting {
        letterhead: vec![tricks[6].into(), tricks[7].into()],
        footer: vec![tricks[9].into()],
        ..sample::formatting()
    };
    let pdf = Pdf::render(&letter, &formatting);
    let text = pdf.text();
    for trick in tricks {
        assert_contains(&text, trick);
    }
    assert!(!text.contains("root:"), "a file was read");
    assert!(!text.contains(" 2 "), "code was evaluated");
}

#[test]
fn line_breaks_inside_a_paragraph_are_kept() {
    if !poppler("line_breaks") {
        return;
    }
    let letter = Letter {
        paragraphs: vec!["Erste Zeile\nZweite Zeile\r\nDritte Zeile".into()],
        ..sample::short_letter()
    };
    let pdf = Pdf::render(&letter, &sample::formatting());
    let raw = pdf.raw_text();
    let lines: Vec<&str> = raw.lines().map(str::trim).collect();
    for line in ["Erste Zeile", "Zweite Zeile", "Dritte Zeile"] {
        assert!(
            lines.contains(&line),
            "{line:?} is not a line of its own:\n{raw}"
        );
    }
}

#[test]
fn without_a_place_the_date_stands_alone() {
    if !poppler("no_place") {
        return;
    }
    let with_place = Pdf::render(&sample::short_letter(), &sample::formatting()).raw_text();
    assert!(with_place.contains("Köln, 31. März 2024"), "{with_place}");
    let letter = Letter {
        place: String::new(),
        ..sample::short_letter()
    };
    let raw = Pdf::render(&letter, &sample::formatting()).raw_text();
    let lines: Vec<&str> = raw.lines().map(str::trim).collect();
    assert!(lines.contains(&"31. März 2024"), "{raw}");
    assert!(!raw.contains(", 31. März 2024"), "{raw}");
}

// --- logo ------------------------------------------------------------------

#[test]
fn a_png_logo_is_drawn_at_the_top_left() {
    if !poppler("png_logo") {
        return;
    }
    let pdf = Pdf::render(
        &sample::short_letter(),
        &with_logo(red_png(4), ImageFormat::Png),
    );
    let images = run("pdfimages", &["-list".as_ref(), pdf.path.as_os_str()]);
    assert_eq!(images.lines().count(), 3, "one image expected:\n{images}");
    assert!(top_left_is_red(&pdf));

    let plain = Pdf::render(&sample::short_letter(), &sample::formatting());
    assert!(!top_left_is_red(&plain));
}

#[test]
fn an_svg_logo_is_drawn_at_the_top_left() {
    if !poppler("svg_logo") {
        return;
    }
    let pdf = Pdf::render(
        &sample::short_letter(),
        &with_logo(RED_SVG.as_bytes().to_vec(), ImageFormat::Svg),
    );
    assert!(top_left_is_red(&pdf));
    assert_contains(&pdf.text(), "Zwischenzeugnis");
}

#[test]
fn a_logo_that_is_not_an_image_is_a_formatting_error() {
    let cases = [
        // Looks like a PNG, is not one.
        (
            b"\x89PNG\r\n\x1a\nnot really a png".to_vec(),
            ImageFormat::Png,
        ),
        (b"\xFF\xD8\xFF\xE0 broken jpeg".to_vec(), ImageFormat::Jpeg),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><rect".to_vec(),
            ImageFormat::Svg,
        ),
        // Not even claimed correctly.
        (b"GIF89a".to_vec(), ImageFormat::Png),
    ];
    for (bytes, format) in cases {
        let result = renderer().render(&sample::short_letter(), &with_logo(bytes, format));
        assert!(
            matches!(result, Err(RenderError::Formatting(_))),
            "{format:?}: {result:?}"
        );
    }
}

// --- draft, layout, errors, sharing ---------------------------------------------

#[test]
fn a_draft_says_so_on_every_page() {
    if !poppler("draft") {
        return;
    }
    let letter = Letter {
        draft: true,
        ..sample::two_page_letter()
    };
    let pdf = Pdf::render(&letter, &sample::formatting());
    let pages = pdf.pages();
    assert_eq!(pages.len(), 2);
    for page in &pages {
        assert_contains(page, "ENTWURF");
    }
    let final_pdf = Pdf::render(&sample::two_page_letter(), &sample::formatting());
    assert!(!final_pdf.text().contains("ENTWURF"));
}

/// The y coordinates (top, bottom) of a word on page 1, from `pdftotext -bbox`.
fn word_box(pdf: &Pdf, word: &str) -> (f64, f64) {
    let html = run(
        "pdftotext",
        &[
            "-bbox".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            pdf.path.as_os_str(),
            "-".as_ref(),
        ],
    );
    let line = html
        .lines()
        .find(|l| l.contains(&format!(">{word}</word>")))
        .unwrap_or_else(|| panic!("{word} not found"));
    let attr = |name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + line[start..].find('"').unwrap();
        line[start..end].parse().unwrap()
    };
    (attr("yMin"), attr("yMax"))
}

#[test]
fn a_tall_letterhead_pushes_the_text_down_instead_of_covering_it() {
    if !poppler("tall_letterhead") {
        return;
    }
    let formatting = LetterFormatting {
        letterhead: (1..=6).map(|i| format!("Briefkopfzeile{i}")).collect(),
        footer: (1..=6).map(|i| format!("Fußzeile{i}")).collect(),
        margins: Margins {
            top: 10,
            right: 20,
            bottom: 10,
            left: 25,
        },
        logo: Some(Logo {
            bytes: red_png(4),
            format: ImageFormat::Png,
            width_mm: 40,
        }),
        ..sample::formatting()
    };
    let letter = Letter {
        heading: "Überschrift".into(),
        ..sample::two_page_letter()
    };
    let pdf = Pdf::render(&letter, &formatting);
    let (_, head_bottom) = word_box(&pdf, "Briefkopfzeile6");
    let (heading_top, _) = word_box(&pdf, "Überschrift");
    assert!(
        head_bottom < heading_top,
        "letterhead {head_bottom} overlaps the heading at {heading_top}"
    );
    let (foot_top, _) = word_box(&pdf, "Fußzeile1");
    let text = pdf.pages()[0].clone();
    assert_contains(&text, "Fußzeile6");
    // The last body line of page 1 ends above the footer.
    let html = run(
        "pdftotext",
        &[
            "-bbox".as_ref(),
            "-f".as_ref(),
            "1".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            pdf.path.as_os_str(),
            "-".as_ref(),
        ],
    );
    let lowest_body = html
        .lines()
        .filter(|l| {
            l.contains("<word")
                && !l.contains("Fußzeile")
                && !l.contains("Seite")
                && !l.contains(">von<")
                && !l.contains(">1<")
                && !l.contains(">2<")
        })
        .map(|l| {
            let start = l.find("yMax=\"").unwrap() + 6;
            let end = start + l[start..].find('"').unwrap();
            l[start..end].parse::<f64>().unwrap()
        })
        .fold(0.0_f64, f64::max);
    assert!(
        lowest_body < foot_top,
        "body {lowest_body} runs into the footer at {foot_top}"
    );
}

#[test]
fn characters_no_font_has_are_replaced_and_the_letter_prints() {
    // PDF/A forbids missing glyphs: what no embedded font can show is
    // replaced instead of failing the whole letter.
    for typeface in [Typeface::Serif, Typeface::Sans] {
        let letter = Letter {
            paragraphs: vec!["Geheimname 𓀀 und 🙂 bleibt lesbar.".into()],
            ..sample::short_letter()
        };
        let formatting = LetterFormatting {
            typeface,
            ..sample::formatting()
        };
        let bytes = renderer()
            .render(&letter, &formatting)
            .expect("a glyph no embedded font has is replaced, not fatal");
        assert!(bytes.starts_with(b"%PDF-"));
        if poppler("no_font_replaced") {
            let text = Pdf::new(&bytes).text();
            assert!(text.contains("Geheimname"), "{text}");
            assert!(text.contains("bleibt lesbar."), "{text}");
            assert!(!text.contains('🙂') && !text.contains('𓀀'), "{text}");
        }
    }
}

#[test]
fn invalid_formatting_is_refused_before_rendering() {
    let formatting = LetterFormatting {
        font_size_pt: 30,
        ..sample::formatting()
    };
    assert!(matches!(
        renderer().render(&sample::short_letter(), &formatting),
        Err(RenderError::Formatting(_))
    ));
}

#[test]
fn one_renderer_serves_several_threads() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<TypstRenderer>();

    let shared = Arc::new(renderer().clone());
    let threads: Vec<_> = (0..3)
        .map(|i| {
            let r = Arc::clone(&shared);
            std::thread::spawn(move || {
                let letter = Letter {
                    heading: format!("Zeugnis {i}"),
                    ..sample::short_letter()
                };
                r.render(&letter, &sample::formatting()).unwrap()
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().unwrap().starts_with(b"%PDF-"));
    }
}

#[test]
fn rendering_is_deterministic() {
    let a = renderer()
        .render(&sample::short_letter(), &sample::formatting())
        .unwrap();
    let b = renderer()
        .render(&sample::short_letter(), &sample::formatting())
        .unwrap();
    assert_eq!(a, b);
}

#[test]
fn stored_text_no_font_can_show_is_replaced_and_the_letter_still_prints() {
    // What the API refuses today may have been stored before: control
    // characters, noncharacters, private-use and unassigned code points, in
    // the text, a signature and the letterhead.
    let nasty = "A\u{0}B\u{7}C\u{7f}D\u{fffe}E\u{ffff}F\u{e000}G\u{e0080}H\u{1b}[31m";
    let mut letter = sample::short_letter();
    letter.paragraphs.push(format!("Zeile mit {nasty} Ende."));
    letter.heading = format!("Zeugnis {nasty}");
    letter.signatures = vec![SignatureLine {
        name: format!("Erika {nasty}"),
        position: Some(nasty.to_owned()),
    }];
    let formatting = LetterFormatting {
        letterhead: vec![format!("Muster {nasty} GmbH"), "Hauptstraße 1".into()],
        footer: vec![nasty.to_owned()],
        ..sample::formatting()
    };
    for typeface in [Typeface::Serif, Typeface::Sans] {
        let formatting = LetterFormatting {
            typeface,
            ..formatting.clone()
        };
        let bytes = renderer()
            .render(&letter, &formatting)
            .expect("a letter with unprintable stored text still renders");
        assert!(bytes.starts_with(b"%PDF-"));
        if poppler("unprintable_replaced") {
            let text = Pdf::new(&bytes).text();
            assert!(text.contains("Zeile mit A"), "{text}");
            assert!(text.contains("Ende."), "{text}");
            assert!(text.contains("Hauptstraße 1"), "{text}");
            assert!(!text.contains('\u{0}'), "{text:?}");
        }
    }
}
