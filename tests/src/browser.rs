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
            json!({"binary": chromium, "args": args}),
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
