//! P5: rendering a two-page reference to PDF, [`TypstRenderer`] next to
//! LibreOffice.
//!
//! The letter is the two-page sample of the tests (`tests/sample/mod.rs`), set
//! in Liberation Sans, the one face both tools can use from the same file.
//!
//! - **typst**: one renderer is created, one render warms it up, then
//!   `P5_RENDERS` (50) renders are timed one by one. typst memoises layout
//!   results, so every timed letter differs from the others: the document date
//!   moves by a day and one sentence carries a counter. A second series clears
//!   typst's caches before each render (the worst case: nothing of an earlier
//!   letter is reused).
//! - **LibreOffice**: the same letter is written as a Flat ODT (`letter.fodt`,
//!   one XML file) and converted with `soffice --headless --convert-to pdf`
//!   (PDF/A-2b, like the renderer), each conversion a separate process, as a
//!   user would run it. One conversion with a new profile
//!   (`-env:UserInstallation`, in a temporary directory) sets the profile up
//!   and is reported apart; then `P5_OFFICE_RUNS` (5) conversions with that
//!   profile are timed. `P5_SOFFICE` names the program (default `soffice`,
//!   then `libreoffice`). Without LibreOffice only the typst numbers are
//!   reported.
//!
//! Printed: median, min and max of each series, the page counts (when
//! poppler's `pdfinfo` is installed) and the ratio of the medians. Target:
//! typst at least 20 times faster. The generated files stay in
//! `target/p5-render/` for a look. Numbers are printed, never asserted.
#![expect(
    clippy::print_stdout,
    reason = "a benchmark binary: printing its report is its purpose"
)]

#[path = "../tests/sample/mod.rs"]
mod sample;

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use zeugnis_core::document::{Letter, LetterFormatting, Typeface};
use zeugnis_core::ports::DocumentRenderer;
use zeugnis_pdf::TypstRenderer;

type Res<T> = Result<T, Box<dyn Error>>;

/// The target: typst's median at least this many times below LibreOffice's.
const TARGET_RATIO: f64 = 20.0;
/// Longest wait for one LibreOffice conversion.
const OFFICE_PATIENCE: Duration = Duration::from_secs(180);

fn main() -> Res<()> {
    let renders = setting("P5_RENDERS", 50)?;
    let office_runs = setting("P5_OFFICE_RUNS", 5)?;
    let out_dir = target_dir().join("p5-render");
    std::fs::create_dir_all(&out_dir)?;

    let letter = sample::two_page_letter();
    let formatting = LetterFormatting {
        typeface: Typeface::Sans,
        ..sample::formatting()
    };
    println!("P5: rendering a two-page reference to PDF");
    println!(
        "letter: {} paragraphs, {} signatures, Liberation Sans {} pt, PDF/A-2b",
        letter.paragraphs.len(),
        letter.signatures.len(),
        formatting.font_size_pt
    );

    // --- typst ---------------------------------------------------------------
    let start = Instant::now();
    let renderer = TypstRenderer::new();
    let setup = start.elapsed();
    let start = Instant::now();
    let first = renderer.render(&letter, &formatting)?;
    let warm_up = start.elapsed();
    std::fs::write(out_dir.join("typst.pdf"), &first)?;
    println!(
        "typst: renderer set-up {}, first render {} ({} KiB)",
        ms(setup),
        ms(warm_up),
        first.len() / 1024
    );

    let mut warm = Vec::with_capacity(renders);
    let mut cold = Vec::with_capacity(renders);
    for (series, clear_caches) in [(&mut warm, false), (&mut cold, true)] {
        for i in 0..renders {
            // Different from every letter before it, in both series.
            let n = if clear_caches { renders + i + 1 } else { i + 1 };
            let letter = variant(&letter, n);
            if clear_caches {
                typst::comemo::evict(0);
            }
            let start = Instant::now();
            let pdf = renderer.render(&letter, &formatting)?;
            series.push(start.elapsed());
            std::hint::black_box(pdf);
        }
    }
    let warm = Stats::of(&warm).ok_or("P5_RENDERS must be at least 1")?;
    let cold = Stats::of(&cold).ok_or("P5_RENDERS must be at least 1")?;
    println!("typst, {renders} different letters:              {warm}");
    println!("typst, {renders} different letters, caches cleared: {cold}");
    let last = renderer.render(&variant(&letter, 2 * renders + 1), &formatting)?;
    let typst_varied = out_dir.join("typst-varied.pdf");
    std::fs::write(&typst_varied, &last)?;

    // --- LibreOffice ---------------------------------------------------------
    let fodt_path = out_dir.join("letter.fodt");
    std::fs::write(&fodt_path, fodt(&letter, &formatting))?;
    let office = match office(&fodt_path, &out_dir, office_runs) {
        Ok(office) => Some(office),
        Err(e) => {
            println!("libreoffice: not measured: {e}");
            None
        }
    };

    // --- report --------------------------------------------------------------
    let pages = |path: &Path| page_count(path).map_or_else(|| "?".to_owned(), |n| n.to_string());
    let mut page_line = format!(
        "pages: typst {} (varied letter {})",
        pages(&out_dir.join("typst.pdf")),
        pages(&typst_varied)
    );
    if office.is_some() {
        let _ = write!(
            page_line,
            ", libreoffice {}",
            pages(&out_dir.join("letter.pdf"))
        );
    }
    if page_count(&typst_varied).is_none() {
        page_line.push_str(" (pdfinfo from poppler-utils counts them)");
    }
    println!("{page_line}");
    println!("files: {}", out_dir.display());

    let Some(office) = office else {
        println!("ratio: needs LibreOffice (apt-get install libreoffice-writer)");
        return Ok(());
    };
    let ratio = office.runs.median.as_secs_f64() / warm.median.as_secs_f64();
    let ratio_cold = office.runs.median.as_secs_f64() / cold.median.as_secs_f64();
    let verdict = if ratio.min(ratio_cold) >= TARGET_RATIO {
        "met"
    } else {
        "MISSED"
    };
    println!(
        "ratio of the medians, libreoffice / typst: {ratio:.0}× (caches cleared: {ratio_cold:.0}×); \
         target ≥ {TARGET_RATIO:.0}×: {verdict}"
    );
    Ok(())
}

/// A number from the environment, or its default.
fn setting(name: &str, default: usize) -> Res<usize> {
    match std::env::var(name) {
        Ok(raw) if !raw.trim().is_empty() => raw
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a number, got {raw:?}").into()),
        _ => Ok(default),
    }
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

/// The sample letter, made unique by `n`: its date moves by `n` days and the
/// number of employees in the first paragraph by `n`.
fn variant(letter: &Letter, n: usize) -> Letter {
    let days = i64::try_from(n).unwrap_or(i64::MAX);
    let mut letter = letter.clone();
    letter.date = letter.date.saturating_add(time::Duration::days(days));
    if let Some(first) = letter.paragraphs.first_mut() {
        *first = first.replace("rund 450", &format!("rund {}", 450 + n));
    }
    letter
}

/// Median, min and max of a series.
#[derive(Debug, Clone, Copy)]
struct Stats {
    median: Duration,
    min: Duration,
    max: Duration,
}

impl Stats {
    fn of(samples: &[Duration]) -> Option<Self> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let mid = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 {
            *sorted.get(mid)?
        } else {
            (*sorted.get(mid.checked_sub(1)?)? + *sorted.get(mid)?) / 2
        };
        Some(Self {
            median,
            min: *sorted.first()?,
            max: *sorted.last()?,
        })
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "median {} (min {}, max {})",
            ms(self.median),
            ms(self.min),
            ms(self.max)
        )
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

/// The page count `pdfinfo` reports, if it is installed.
fn page_count(pdf: &Path) -> Option<usize> {
    let out = Command::new("pdfinfo").arg(pdf).output().ok()?;
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

// --- LibreOffice ---------------------------------------------------------------

/// LibreOffice's timings.
struct Office {
    runs: Stats,
}

/// Converts `fodt` once with a new profile, then `runs` times, each a separate
/// process; the PDF is left in `out_dir`.
fn office(fodt: &Path, out_dir: &Path, runs: usize) -> Res<Office> {
    let candidates = match std::env::var("P5_SOFFICE") {
        Ok(p) if !p.trim().is_empty() => vec![p],
        _ => vec!["soffice".to_owned(), "libreoffice".to_owned()],
    };
    let program = candidates
        .into_iter()
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .ok_or(
            "LibreOffice does not run (apt-get install --no-install-recommends \
             libreoffice-writer, or name the program in P5_SOFFICE)",
        )?;
    let version = Command::new(&program).arg("--version").output()?;
    println!(
        "libreoffice: {}",
        String::from_utf8_lossy(&version.stdout).trim()
    );

    let scratch = tempfile::tempdir()?;
    let profile = scratch.path().join("profile");
    let fonts_conf = scratch.path().join("fonts.conf");
    std::fs::write(&fonts_conf, fontconfig(scratch.path()))?;
    let log = scratch.path().join("soffice.log");
    let pdf = out_dir.join(
        fodt.with_extension("pdf")
            .file_name()
            .ok_or("the letter has no file name")?,
    );

    let convert = || -> Res<Duration> {
        match std::fs::remove_file(&pdf) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        let start = Instant::now();
        let mut child = Command::new(&program)
            .arg(format!("-env:UserInstallation={}", file_url(&profile)))
            .args(["--headless", "--norestore", "--nolockcheck", "--convert-to"])
            // PDF/A-2b, like the renderer.
            .arg(r#"pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}"#)
            .arg("--outdir")
            .arg(out_dir)
            .arg(fodt)
            // The letter's face: Liberation Sans from this crate, as if installed.
            .env("FONTCONFIG_FILE", &fonts_conf)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log)?)
            .stderr(std::fs::File::options().append(true).open(&log)?)
            .spawn()?;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if start.elapsed() > OFFICE_PATIENCE {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("a conversion took longer than {OFFICE_PATIENCE:?}").into());
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        let elapsed = start.elapsed();
        let produced = std::fs::metadata(&pdf).is_ok_and(|m| m.len() > 0);
        if !status.success() || !produced {
            let output = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!(
                "the conversion failed ({status}, PDF written: {produced}): {}",
                output.trim()
            )
            .into());
        }
        Ok(elapsed)
    };

    let first = convert()?;
    println!("libreoffice: first conversion, new profile {}", ms(first));
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(convert()?);
    }
    let runs_stats = Stats::of(&times).ok_or("P5_OFFICE_RUNS must be at least 1")?;
    println!("libreoffice, {runs} conversions (one process each):     {runs_stats}");
    Ok(Office { runs: runs_stats })
}

/// A `file://` URL for a local path (LibreOffice wants one for its profile).
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    url
}

/// A fontconfig setup: the system's, plus this crate's fonts.
fn fontconfig(scratch: &Path) -> String {
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts");
    format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n  \
         <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>\n  <dir>{}</dir>\n  \
         <cachedir>{}</cachedir>\n</fontconfig>\n",
        xml(&fonts.to_string_lossy()),
        xml(&scratch.join("font-cache").to_string_lossy()),
    )
}

// --- the letter as a Flat ODT ------------------------------------------------------

/// Escapes text for XML (element content and attribute values) and drops the
/// characters XML 1.0 cannot hold.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_xml(&mut out, c);
    }
    out
}

fn push_xml(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&apos;"),
        '\t' | '\n' | '\r' => out.push(c),
        c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
        c => out.push(c),
    }
}

/// User text as the content of a `text:p`: escaped, line breaks and tabs as
/// ODF elements, runs of spaces kept (ODF collapses them otherwise).
fn odf_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_space = true;
    for c in text.chars() {
        match c {
            '\n' => {
                out.push_str("<text:line-break/>");
                after_space = true;
            }
            '\r' => {}
            '\t' => {
                out.push_str("<text:tab/>");
                after_space = true;
            }
            ' ' if after_space => out.push_str("<text:s/>"),
            ' ' => {
                out.push(' ');
                after_space = true;
            }
            c => {
                push_xml(&mut out, c);
                after_space = false;
            }
        }
    }
    out
}

/// The letter as a Flat ODT document, laid out like `letter.typ`: letterhead
/// on the first page, footer with "Seite X von Y" on every page, justified
/// paragraphs, the closing paragraph kept with place, date and signatures.
fn fodt(letter: &Letter, formatting: &LetterFormatting) -> String {
    let font = match formatting.typeface {
        Typeface::Sans => "Liberation Sans",
        Typeface::Serif => "Libertinus Serif",
    };
    let size = f64::from(formatting.font_size_pt);
    let small = size * 0.8;
    let m = formatting.margins;
    // The header and footer sit 10 mm from the edge, 6 mm from the text.
    let head = u32::from(m.top).saturating_sub(16).max(5);
    let foot = u32::from(m.bottom).saturating_sub(16).max(5);

    let mut header = String::new();
    for (i, line) in formatting.letterhead.iter().enumerate() {
        let style = if i == 0 {
            "LetterheadFirst"
        } else {
            "Letterhead"
        };
        let _ = write!(
            header,
            "<text:p text:style-name=\"{style}\">{}</text:p>",
            odf_text(line)
        );
    }
    if header.is_empty() {
        header.push_str("<text:p text:style-name=\"Letterhead\"/>");
    }

    let mut footer = String::new();
    let footer_lines: Vec<&str> = if letter.draft {
        std::iter::once("ENTWURF")
            .chain(formatting.footer.iter().map(String::as_str))
            .collect()
    } else {
        formatting.footer.iter().map(String::as_str).collect()
    };
    for (i, line) in footer_lines.iter().enumerate() {
        let number = if i == 0 {
            "<text:tab/>Seite <text:page-number text:select-page=\"current\"/> von \
             <text:page-count/>"
        } else {
            ""
        };
        let _ = write!(
            footer,
            "<text:p text:style-name=\"Footer\">{}{number}</text:p>",
            odf_text(line)
        );
    }
    if footer.is_empty() {
        footer.push_str(
            "<text:p text:style-name=\"Footer\"><text:tab/>Seite \
             <text:page-number text:select-page=\"current\"/> von <text:page-count/></text:p>",
        );
    }

    let mut body = format!(
        "<text:p text:style-name=\"FirstHeading\">{}</text:p>",
        odf_text(&letter.heading)
    );
    let (closing, paragraphs) = match letter.paragraphs.split_last() {
        Some((last, rest)) if last.chars().count() <= 1200 => (Some(last), rest),
        _ => (None, letter.paragraphs.as_slice()),
    };
    for p in paragraphs {
        let _ = write!(
            body,
            "<text:p text:style-name=\"Body\">{}</text:p>",
            odf_text(p)
        );
    }
    if let Some(closing) = closing {
        let _ = write!(
            body,
            "<text:p text:style-name=\"BodyKeep\">{}</text:p>",
            odf_text(closing)
        );
    }
    let _ = write!(
        body,
        "<text:p text:style-name=\"PlaceDate\">{}, {}</text:p>",
        odf_text(&letter.place),
        odf_text(&zeugnis_core::document::german_date(letter.date))
    );
    let columns = letter.signatures.len().min(3);
    if columns > 0 {
        let _ = write!(
            body,
            "<table:table table:name=\"Signatures\" table:style-name=\"Signatures\">\
             <table:table-column table:number-columns-repeated=\"{columns}\"/>"
        );
        for row in letter.signatures.chunks(columns) {
            body.push_str("<table:table-row>");
            for s in row {
                let position = s.position.as_deref().map_or_else(String::new, |p| {
                    format!(
                        "<text:line-break/><text:span text:style-name=\"Small\">{}</text:span>",
                        odf_text(p)
                    )
                });
                let _ = write!(
                    body,
                    "<table:table-cell table:style-name=\"SignatureCell\" \
                     office:value-type=\"string\"><text:p text:style-name=\"Signature\">{}\
                     {position}</text:p></table:table-cell>",
                    odf_text(&s.name)
                );
            }
            for _ in row.len()..columns {
                body.push_str("<table:table-cell/>");
            }
            body.push_str("</table:table-row>");
        }
        body.push_str("</table:table>");
    }

    let text_width = 210 - u32::from(m.left) - u32::from(m.right);
    let date = letter.date;
    format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{title}</dc:title><dc:language>de-DE</dc:language><meta:creation-date>{year:04}-{month:02}-{day:02}T00:00:00</meta:creation-date></office:meta>
<office:font-face-decls><style:font-face style:name="{font}" svg:font-family="'{font}'"/></office:font-face-decls>
<office:styles>
<style:default-style style:family="paragraph"><style:paragraph-properties fo:hyphenation-ladder-count="no-limit"/><style:text-properties style:font-name="{font}" fo:font-size="{size}pt" fo:language="de" fo:country="DE" fo:hyphenate="true"/></style:default-style>
<style:style style:name="Standard" style:family="paragraph" style:class="text"/>
<style:style style:name="Body" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="justify" fo:margin-top="0mm" fo:margin-bottom="{spacing:.2}pt" fo:line-height="115%" fo:orphans="2" fo:widows="2"/></style:style>
<style:style style:name="BodyKeep" style:family="paragraph" style:parent-style-name="Body"><style:paragraph-properties fo:keep-with-next="always"/></style:style>
<style:style style:name="Heading" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="center" fo:margin-bottom="{heading_gap:.2}pt" fo:keep-with-next="always"/><style:text-properties fo:font-size="{heading_size:.1}pt" fo:font-weight="bold" fo:hyphenate="false"/></style:style>
<style:style style:name="PlaceDate" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:margin-top="{place_gap:.2}pt" fo:margin-bottom="{signature_gap:.2}pt" fo:keep-with-next="always"/></style:style>
<style:style style:name="Signature" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:margin-top="12mm" fo:padding-top="1mm" fo:border-top="0.5pt solid #000000"/></style:style>
<style:style style:name="Letterhead" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:text-align="end"/><style:text-properties fo:font-size="{small:.1}pt"/></style:style>
<style:style style:name="LetterheadFirst" style:family="paragraph" style:parent-style-name="Letterhead"><style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties><style:tab-stops><style:tab-stop style:position="{text_width}mm" style:type="right"/></style:tab-stops></style:paragraph-properties><style:text-properties fo:font-size="{small:.1}pt" fo:color="#404040"/></style:style>
<style:style style:name="Small" style:family="text"><style:text-properties fo:font-size="{position_size:.1}pt"/></style:style>
</office:styles>
<office:automatic-styles>
<style:style style:name="FirstHeading" style:family="paragraph" style:parent-style-name="Heading" style:master-page-name="First"/>
<style:style style:name="Signatures" style:family="table"><style:table-properties style:width="{text_width}mm" table:align="left" fo:keep-with-next="auto"/></style:style>
<style:style style:name="SignatureCell" style:family="table-cell"><style:table-cell-properties fo:padding-right="5mm" fo:border="none"/></style:style>
<style:page-layout style:name="FirstLayout"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm" fo:margin-top="10mm" fo:margin-bottom="10mm" fo:margin-left="{left}mm" fo:margin-right="{right}mm"/><style:header-style><style:header-footer-properties fo:min-height="{head}mm" fo:margin-bottom="6mm"/></style:header-style><style:footer-style><style:header-footer-properties fo:min-height="{foot}mm" fo:margin-top="6mm"/></style:footer-style></style:page-layout>
<style:page-layout style:name="RestLayout"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm" fo:margin-top="{top}mm" fo:margin-bottom="10mm" fo:margin-left="{left}mm" fo:margin-right="{right}mm"/><style:header-style/><style:footer-style><style:header-footer-properties fo:min-height="{foot}mm" fo:margin-top="6mm"/></style:footer-style></style:page-layout>
</office:automatic-styles>
<office:master-styles>
<style:master-page style:name="First" style:page-layout-name="FirstLayout" style:next-style-name="Rest"><style:header>{header}</style:header><style:footer>{footer}</style:footer></style:master-page>
<style:master-page style:name="Rest" style:page-layout-name="RestLayout"><style:footer>{footer}</style:footer></style:master-page>
</office:master-styles>
<office:body><office:text>{body}</office:text></office:body>
</office:document>
"##,
        title = xml(&letter.title),
        year = date.year(),
        month = u8::from(date.month()),
        day = date.day(),
        spacing = size * 1.1,
        heading_size = size * 1.4,
        heading_gap = size * 1.4,
        place_gap = size * 1.5,
        signature_gap = size * 2.5,
        position_size = size * 0.9,
        top = m.top,
        left = m.left,
        right = m.right,
    )
}
