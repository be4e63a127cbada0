//! A real browser for the tests of zeugnis' pages: Debian's headless Chromium,
//! driven over WebDriver by its `chromedriver`.
//!
//! [`Browser::start_or_skip`] starts `chromedriver` on a free port and opens a
//! browser session with a fresh profile. Where Chromium or chromedriver is not
//! installed the test prints a SKIPPED line and returns, except under
//! `CI=true`, where that is a failure (install the Debian packages `chromium`
//! and `chromium-driver`).
//!
//! Chromium starts with the network quiet (no background networking, sync,
//! component updates or QUIC), so the only requests it makes are the test's.

#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test that calls them"
)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tempfile::TempDir;

use crate::smtp_sink::free_port;

/// The browser binary (`ZEUGNIS_TEST_CHROMIUM` overrides).
const CHROMIUM: &str = "/usr/bin/chromium";
/// The WebDriver binary (`ZEUGNIS_TEST_CHROMEDRIVER` overrides).
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long to wait for the driver, a page or an element.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A headless Chromium session; the driver process ends when it is dropped.
#[derive(Debug)]
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    driver: Child,
    _profile: TempDir,
}

/// Where the browser tests save their screenshots (`target/screenshots`).
#[must_use]
pub fn screenshot_dir() -> std::path::PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        std::path::PathBuf::from,
    );
    target.join("screenshots")
}

/// The source of axe-core: `ZEUGNIS_TEST_AXE`, else the copy npm installs
/// from `tests/package.json` (`npm ci --prefix tests`). Without it the check
/// is skipped with a visible line, except under `CI=true`, where that is a
/// failure.
///
/// # Panics
/// Under `CI=true` when axe-core is not installed.
#[must_use]
pub fn axe_source() -> Option<String> {
    let path = std::env::var_os("ZEUGNIS_TEST_AXE").map_or_else(
        || {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("node_modules/axe-core/axe.min.js")
        },
        std::path::PathBuf::from,
    );
    if let Ok(source) = std::fs::read_to_string(&path) {
        return Some(source);
    }
    let in_ci = std::env::var("CI").is_ok_and(|ci| ci == "true" || ci == "1");
    assert!(
        !in_ci,
        "axe-core is needed for the accessibility checks: run `npm ci --prefix tests`"
    );
    skip_axe();
    None
}

#[expect(
    clippy::print_stderr,
    reason = "a skipped check must say so where the test output shows it"
)]
fn skip_axe() {
    eprintln!("SKIPPED accessibility check: axe-core is not installed (npm ci --prefix tests)");
}

fn program(env: &str, default: &str) -> String {
    std::env::var(env).unwrap_or_else(|_| default.to_owned())
}

fn installed(path: &str) -> bool {
    Command::new(path)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[expect(
    clippy::print_stderr,
    reason = "a skipped test must say so where the test output shows it"
)]
fn skip(test: &str) {
    eprintln!(
        "SKIPPED {test}: chromium and chromedriver are not installed (Debian packages chromium, chromium-driver)"
    );
}

impl Browser {
    /// Starts a browser, or returns `None` after a visible skip message when
    /// Chromium or chromedriver is missing outside CI.
    ///
    /// # Panics
    /// When they are missing under `CI=true`, or the session does not start.
    pub async fn start_or_skip(test: &str) -> Option<Self> {
        let chromium = program("ZEUGNIS_TEST_CHROMIUM", CHROMIUM);
        let driver = program("ZEUGNIS_TEST_CHROMEDRIVER", CHROMEDRIVER);
        if !(installed(&chromium) && installed(&driver)) {
            let in_ci = std::env::var("CI").is_ok_and(|ci| ci == "true" || ci == "1");
            assert!(
                !in_ci,
                "chromium and chromedriver are needed for {test}: install the Debian packages chromium and chromium-driver"
            );
            skip(test);
            return None;
        }
        let port = free_port();
        let driver = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = TempDir::new().expect("a profile directory");
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--lang=de-DE".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            // Headless Chromium ignores --lang for Accept-Language: a German
            // browser, as HR's are.
            json!({"binary": chromium, "args": args, "prefs": {"intl.accept_languages": "de-DE,de"}}),
        );
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let mut driver = driver;
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if started.elapsed() < PATIENCE => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => {
                    let _ = driver.kill();
                    panic!("no browser session within {PATIENCE:?}: {e}");
                }
            }
        };
        Some(Self {
            client,
            driver,
            _profile: profile,
        })
    }

    /// Opens `url`.
    ///
    /// # Panics
    /// When the browser cannot.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("the page opens");
    }

    /// Waits for the first element matching the CSS selector.
    ///
    /// # Panics
    /// When none appears within [`PATIENCE`].
    pub async fn wait_for(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} within {PATIENCE:?}: {e}"))
    }

    /// Waits until the text of the first element matching `css` contains
    /// `text`, and returns that text.
    ///
    /// # Panics
    /// When it does not within [`PATIENCE`].
    pub async fn wait_for_text(&self, css: &str, text: &str) -> String {
        let started = Instant::now();
        loop {
            let current = match self.client.find(Locator::Css(css)).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if current.contains(text) {
                return current;
            }
            if started.elapsed() > PATIENCE {
                panic!("{css} does not show {text:?} within {PATIENCE:?}; it shows {current:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the first element matching the CSS selector, once it is there.
    ///
    /// # Panics
    /// When none appears within [`PATIENCE`] or the click fails.
    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click on {css}: {e}"));
    }

    /// The page's HTML as it is now (after the scripts ran).
    ///
    /// # Panics
    /// When the browser cannot tell.
    pub async fn html(&self) -> String {
        self.client.source().await.expect("the page source")
    }

    /// Whether an element matching `css` exists and is displayed.
    ///
    /// # Panics
    /// When the browser cannot tell.
    pub async fn visible(&self, css: &str) -> bool {
        match self.client.find(Locator::Css(css)).await {
            Ok(el) => el.is_displayed().await.expect("visibility"),
            Err(_) => false,
        }
    }

    /// Sets the window to `width` × `height` CSS pixels.
    ///
    /// # Panics
    /// When the browser refuses.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client
            .set_window_size(width, height)
            .await
            .expect("the window resizes");
    }

    /// Saves a screenshot of the page at 1280 and at 390 px width as
    /// `target/screenshots/<name>-1280.png` and `…-390.png`, for a reviewer to
    /// look at, and leaves the window at 1280 px.
    ///
    /// # Panics
    /// When the browser cannot take them or the files cannot be written.
    pub async fn screenshots(&self, name: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).expect("the screenshot folder");
        for (width, height) in [(390, 844), (1280, 900)] {
            self.resize(width, height).await;
            let png = self.client.screenshot().await.expect("a screenshot");
            std::fs::write(dir.join(format!("{name}-{width}.png")), png)
                .expect("the screenshot is written");
        }
    }

    /// Runs axe-core on the page and returns its WCAG 2.1 A/AA violations
    /// (each with its id, the rule's help text and the offending elements),
    /// or `None` when axe-core is not installed (outside CI only; see
    /// [`axe_source`]).
    ///
    /// # Panics
    /// When axe cannot run.
    pub async fn axe_violations(&self) -> Option<Vec<serde_json::Value>> {
        let source = axe_source()?;
        self.client
            .execute(&format!("{source}\nreturn true;"), vec![])
            .await
            .expect("axe-core loads into the page");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\n\
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})\n\
                   .then(r => done(r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html)}))))\n\
                   .catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        Some(result.as_array().cloned().unwrap_or_default())
    }

    /// Asserts that axe-core finds no WCAG 2.1 A/AA violation on the page.
    ///
    /// # Panics
    /// When it finds one.
    pub async fn assert_accessible(&self, what: &str) {
        if let Some(violations) = self.axe_violations().await {
            assert!(
                violations.is_empty(),
                "{what}: axe-core finds {} violation(s): {}",
                violations.len(),
                serde_json::to_string_pretty(&violations).unwrap_or_default()
            );
        }
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
