//! What the benchmark binaries share: building and starting the real server
//! (`target/release/zeugnis serve` on a free port, in a temporary data
//! directory), its log counts, setting up the organisation and logging in its
//! first Administrator, the HTTP client, settings from the environment, and
//! reading and writing the JSON report.
//!
//! Each benchmark includes this file as its own module
//! (`#[path = "support/mod.rs"] mod support;`), so cargo does not take it for a
//! benchmark of its own.
#![allow(dead_code, reason = "each bench uses a part of the shared support")]

use std::ffi::OsString;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use serde_json::{Value, json};

pub(crate) type Res<T> = anyhow::Result<T>;

pub(crate) const ORGANISATION: &str = "Bench GmbH";
pub(crate) const SLUG: &str = "bench";
pub(crate) const ADMIN_EMAIL: &str = "ada@bench.example";
pub(crate) const ADMIN_PASSWORD: &str = "Wald-Läufer-7";
/// Longest wait for the build, the server's start, a mail and single requests.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);
/// Warnings and errors from the server's log kept for the report.
pub(crate) const LOG_KEEP: usize = 5;

pub(crate) fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::canonicalize(&root).unwrap_or(root)
}

pub(crate) fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => workspace_root().join("target"),
    }
}

/// An environment variable, unless it is unset or blank.
pub(crate) fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `raw` as a number; an error naming the setting `name` otherwise.
pub(crate) fn number<T: std::str::FromStr>(name: &str, raw: &str) -> Res<T> {
    raw.trim()
        .parse()
        .map_err(|_| anyhow!("{name} must be a number, got {raw:?}"))
}

/// Fills each slot from its option (`--seconds 5`) in the command line; other
/// arguments are skipped.
pub(crate) fn arguments(slots: &mut [(&str, &mut String)]) -> Res<()> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        // What `cargo bench` adds, and test-name filters: not ours.
        let Some((_, slot)) = slots.iter_mut().find(|(option, _)| *option == arg) else {
            continue;
        };
        **slot = args.next().ok_or_else(|| anyhow!("{arg} needs a value"))?;
    }
    Ok(())
}

/// `cargo build --release -p zeugnis-app --bin zeugnis`; the binary's path.
/// `tag` (`P4`) starts the progress line.
pub(crate) fn build_server(tag: &str) -> Res<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    eprintln!(
        "{tag}: building the release server (cargo build --release -p zeugnis-app --bin zeugnis)"
    );
    let mut command = Command::new(cargo);
    command
        .args([
            "build",
            "--release",
            "-p",
            "zeugnis-app",
            "--bin",
            "zeugnis",
        ])
        .current_dir(workspace_root())
        .stdin(Stdio::null());
    // What cargo sets for running this bench describes the bench, not the
    // build; some build scripts (ring's) watch `CARGO_MANIFEST_DIR`, so passing
    // it on would rebuild them here and again at the next `cargo bench`.
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if text.starts_with("CARGO_PKG_")
            || text.starts_with("CARGO_MANIFEST_")
            || [
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
                "OUT_DIR",
            ]
            .contains(&text.as_ref())
        {
            command.env_remove(&name);
        }
    }
    let status = command
        .status()
        .context("cannot run cargo to build the server")?;
    if !status.success() {
        bail!("building the server failed: {status}");
    }
    let binary = target_dir().join("release").join("zeugnis");
    if !binary.is_file() {
        bail!("the server binary is not at {}", binary.display());
    }
    Ok(binary)
}

/// Warnings and errors the server logged.
#[derive(Debug, Default, Clone)]
pub(crate) struct LogStats {
    pub(crate) lines: u64,
    pub(crate) warnings: u64,
    pub(crate) errors: u64,
    pub(crate) kept: Vec<String>,
}

/// A running `zeugnis serve`; killed when dropped, on every path.
#[derive(Debug)]
pub(crate) struct ServerProcess {
    child: Child,
    pub(crate) addr: SocketAddr,
    pub(crate) setup_token: String,
    log: Arc<Mutex<LogStats>>,
    data: tempfile::TempDir,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Already gone is fine.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in a line like `... INFO ...: listening on http://127.0.0.1:4711`.
fn listening_addr(line: &str) -> Option<SocketAddr> {
    let (_, rest) = line.split_once("listening on http://")?;
    let addr: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"')
        .collect();
    addr.parse().ok()
}

/// The token in the setup URL `…/setup#<64 hex>`.
fn setup_token(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("/setup#")?;
    let token: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    (token.len() == 64).then_some(token)
}

impl ServerProcess {
    /// Starts `binary` without the caller's `ZEUGNIS_*` variables and
    /// `RUST_LOG`, with insecure cookies, `http://localhost` as public URL and
    /// `extra_env` on top; waits until it listens.
    pub(crate) fn start(binary: &Path, extra_env: &[(&str, String)]) -> Res<Self> {
        let data = tempfile::tempdir().context("cannot make a temporary data directory")?;
        let mut command = Command::new(binary);
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data.path().join("data"))
            .current_dir(data.path())
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("ZEUGNIS_") {
                command.env_remove(name);
            }
        }
        command
            .env("ZEUGNIS_HTTP__SECURE_COOKIES", "false")
            .env("ZEUGNIS_HTTP__PUBLIC_URL", "http://localhost");
        for (name, value) in extra_env {
            command.env(name, value);
        }
        let mut child = command.spawn().context("cannot start the server")?;
        let stderr = child.stderr.take();
        let log = Arc::new(Mutex::new(LogStats::default()));
        let mut server = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            setup_token: String::new(),
            log: Arc::clone(&log),
            data,
        };
        let stderr = stderr.ok_or_else(|| anyhow!("the server's stderr is not piped"))?;
        let (sender, lines) = mpsc::channel::<String>();
        // Reads to the end, so that the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut stats) = log.lock() {
                    stats.lines += 1;
                    let warning = line.contains(" WARN ");
                    let error = line.contains(" ERROR ");
                    stats.warnings += u64::from(warning);
                    stats.errors += u64::from(error);
                    if (warning || error) && stats.kept.len() < LOG_KEEP {
                        stats.kept.push(line.chars().take(300).collect());
                    }
                }
                // Nobody listens once the server is up; keep draining.
                let _ = sender.send(line);
            }
        });
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match lines.recv_timeout(left) {
                Ok(line) => line,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    bail!("the server did not listen in time:\n{}", seen.join("\n"))
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    bail!("the server stopped before listening:\n{}", seen.join("\n"))
                }
            };
            if let Some(token) = setup_token(&line) {
                server.setup_token = token;
            }
            if let Some(addr) = listening_addr(&line) {
                server.addr = addr;
                break;
            }
            // The setup line holds the token: keep it out of error messages.
            if !line.contains("/setup#") {
                seen.push(line);
            }
        }
        if server.setup_token.is_empty() {
            bail!("the server logged no setup URL (`/setup#<token>`)");
        }
        Ok(server)
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Where the server writes mails without an SMTP server.
    pub(crate) fn mail_dir(&self) -> PathBuf {
        self.data.path().join("data").join("mail")
    }

    /// What the server logged so far (empty if the counter is poisoned).
    pub(crate) fn log(&self) -> LogStats {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// The HTTP client; `pool` caps the idle connections kept per host (reqwest's
/// default when `None`).
pub(crate) fn client(pool: Option<usize>) -> Res<reqwest::Client> {
    let mut builder = reqwest::Client::builder().no_proxy();
    if let Some(pool) = pool {
        builder = builder.pool_max_idle_per_host(pool);
    }
    builder
        .timeout(Duration::from_secs(120))
        .build()
        .context("cannot build the HTTP client")
}

pub(crate) async fn expect_status(
    response: reqwest::Response,
    wanted: u16,
    what: &str,
) -> Res<Value> {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    if status != wanted {
        bail!("{what}: expected {wanted}, got {status}: {body}");
    }
    Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// `name=value` of the `Set-Cookie` header for cookie `name`.
pub(crate) fn cookie_pair(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.trim_start().starts_with(&format!("{name}=")))
        .map(|pair| pair.trim().to_owned())
}

/// The Administrator's session: its `Cookie` header and CSRF token.
#[derive(Debug, Clone)]
pub(crate) struct Hr {
    pub(crate) cookie: String,
    pub(crate) csrf: String,
}

/// The organisation and its Administrator, logged in.
pub(crate) async fn seed(server: &ServerProcess, http: &reqwest::Client) -> Res<Hr> {
    let created = http
        .post(server.url("/api/v1/setup"))
        .json(&json!({
            "token": server.setup_token,
            "organisation": ORGANISATION,
            "slug": SLUG,
            "first_name": "Ada",
            "last_name": "Admin",
            "email": ADMIN_EMAIL,
            "password": ADMIN_PASSWORD,
        }))
        .send()
        .await
        .context("setup request failed")?;
    expect_status(created, 201, "POST /api/v1/setup").await?;
    let login = http
        .post(server.url("/api/v1/login"))
        .json(&json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .context("login request failed")?;
    let cookie = cookie_pair(&login, "zeugnis-session")
        .ok_or_else(|| anyhow!("the login set no zeugnis-session cookie"))?;
    let answer = expect_status(login, 200, "POST /api/v1/login (Administrator)").await?;
    if answer.get("status").and_then(Value::as_str) != Some("logged_in") {
        bail!("the Administrator's login did not finish: {answer}");
    }
    let csrf = answer
        .get("csrf_token")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("the login answer has no csrf_token: {answer}"))?
        .to_owned();
    Ok(Hr { cookie, csrf })
}

pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The number at `pointer` in the report (0 if there is none).
pub(crate) fn f(report: &Value, pointer: &str) -> f64 {
    report
        .pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
}

/// The whole number at `pointer` in the report (0 if there is none).
pub(crate) fn u(report: &Value, pointer: &str) -> u64 {
    report.pointer(pointer).and_then(Value::as_u64).unwrap_or(0)
}

/// Writes the report as pretty JSON to `output` and says where.
pub(crate) fn write_report(output: &Path, report: &Value) -> Res<()> {
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(output, serde_json::to_string_pretty(report)? + "\n")
        .with_context(|| format!("cannot write {}", output.display()))?;
    println!("  written to {}", output.display());
    Ok(())
}
