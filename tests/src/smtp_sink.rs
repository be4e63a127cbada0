//! A real SMTP server for mail delivery tests, and a throw-away CA for its TLS.
//!
//! [`SmtpSink`] runs `support/smtp_sink.py` (aiosmtpd) as a child process on
//! `127.0.0.1`, which stores every accepted mail; [`SmtpSink::received`] reads them
//! back, parsed:
//!
//! ```no_run
//! # async fn example() {
//! use std::time::Duration;
//! use zeugnis_tests::smtp_sink::{SinkOptions, start_sink_or_skip};
//!
//! let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
//!     return;
//! };
//! // ... send a mail to sink.host():sink.port() ...
//! let mails = sink.wait_for(1, Duration::from_secs(10)).await;
//! assert_eq!(mails[0].subject, "Ihr Zeugnis");
//! # }
//! ```
//!
//! Without a python that has aiosmtpd (Debian: `python3-aiosmtpd`) the mail tests
//! are skipped with a message, except under `CI=true`, where they fail.

use std::io::{BufRead as _, BufReader, Read as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use serde::Deserialize;
use tempfile::TempDir;

/// How long the sink may take to report that it listens.
pub const SINK_START_TIMEOUT: Duration = Duration::from_secs(15);

/// The environment variable naming the python interpreter to run the sink with.
pub const PYTHON_ENV: &str = "ZEUGNIS_TEST_PYTHON";

/// A certificate authority and a server certificate for `localhost` and
/// `127.0.0.1` signed by it, as PEM files in a directory.
///
/// Clients trust [`ca_file`](Self::ca_file); the server presents
/// [`cert_file`](Self::cert_file) with [`key_file`](Self::key_file). (rustls does
/// not accept a self-signed server certificate as its own trust anchor, hence the
/// separate CA.)
#[derive(Debug, Clone)]
pub struct TestCa {
    ca_file: PathBuf,
    cert_file: PathBuf,
    key_file: PathBuf,
    ca_pem: String,
}

impl TestCa {
    /// Generates a fresh CA and server certificate and writes `ca.pem`,
    /// `cert.pem` and `key.pem` into `dir` (created when missing).
    ///
    /// # Panics
    ///
    /// When the certificates cannot be generated or written.
    #[must_use]
    pub fn generate(dir: &Path) -> Self {
        let ca_key = KeyPair::generate().expect("CA key pair");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "zeugnis test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("self-signed CA");

        let server_key = KeyPair::generate().expect("server key pair");
        let mut server_params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .expect("server certificate parameters");
        server_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server_params.use_authority_key_identifier_extension = true;
        let server_cert = server_params
            .signed_by(&server_key, &ca)
            .expect("server certificate signed by the CA");

        std::fs::create_dir_all(dir).expect("directory for the certificates");
        let test_ca = Self {
            ca_file: dir.join("ca.pem"),
            cert_file: dir.join("cert.pem"),
            key_file: dir.join("key.pem"),
            ca_pem: ca.pem(),
        };
        std::fs::write(&test_ca.ca_file, &test_ca.ca_pem).expect("write ca.pem");
        std::fs::write(&test_ca.cert_file, server_cert.pem()).expect("write cert.pem");
        std::fs::write(&test_ca.key_file, server_key.serialize_pem()).expect("write key.pem");
        test_ca
    }

    /// The CA certificate (PEM) that clients should trust.
    #[must_use]
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// The server certificate (PEM) for `localhost` and `127.0.0.1`.
    #[must_use]
    pub fn cert_file(&self) -> &Path {
        &self.cert_file
    }

    /// The server certificate's private key (PEM, PKCS#8).
    #[must_use]
    pub fn key_file(&self) -> &Path {
        &self.key_file
    }

    /// The CA certificate as PEM text.
    #[must_use]
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
}

/// How the sink offers TLS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SinkTls {
    /// Plain SMTP only.
    #[default]
    None,
    /// Plain SMTP with STARTTLS offered.
    StartTls,
    /// TLS from the first byte (SMTPS, "implicit TLS").
    Implicit,
}

/// How to run an [`SmtpSink`]; the default is plain SMTP on a free port.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkOptions {
    /// How TLS is offered; with TLS a [`TestCa`] is generated for the sink.
    pub tls: SinkTls,
    /// With [`SinkTls::StartTls`]: refuse `MAIL` (and everything but `EHLO`,
    /// `STARTTLS`, `NOOP`, `QUIT`, …) before `STARTTLS`.
    pub require_tls: bool,
    /// Require `AUTH PLAIN`/`AUTH LOGIN` with this user and password before
    /// `MAIL`. `AUTH` is only offered over TLS, so without TLS no mail gets through.
    pub auth: Option<(String, String)>,
    /// Recipients whose `RCPT TO` gets `550 5.1.1 mailbox unavailable`
    /// (compared case-insensitively).
    pub reject: Vec<String>,
    /// The port to listen on; `None` picks a free one.
    pub port: Option<u16>,
}

/// A mail the sink accepted: the envelope, how it arrived, and the message
/// parsed by python's `email` package.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`), empty for the null sender.
    pub mail_from: String,
    /// The accepted envelope recipients (`RCPT TO`), rejected ones left out.
    pub rcpt_tos: Vec<String>,
    /// Whether the session was encrypted (STARTTLS or implicit TLS).
    pub tls: bool,
    /// The user that authenticated, if any.
    pub auth_user: Option<String>,
    /// The decoded `From` header, e.g. `Personalabteilung Müller <hr@example.org>`.
    pub from: String,
    /// The decoded `To` header.
    pub to: String,
    /// The decoded `Subject` header.
    pub subject: String,
    /// The `Message-ID` header, with its angle brackets.
    pub message_id: String,
    /// The content type of the top part, e.g. `multipart/alternative`.
    pub content_type: String,
    /// The decoded text/plain body, with `\n` line ends.
    pub text: Option<String>,
    /// The decoded text/html body, with `\n` line ends.
    pub html: Option<String>,
    /// The message as received (after SMTP dot-unstuffing), CRLF line ends.
    #[serde(default)]
    pub raw: String,
}

/// Where a test reads the mails sent so far: an [`SmtpSink`], or a
/// [`TestApp`](crate::TestApp) (its sink, or its mail folder without one).
pub trait Mailbox {
    /// The mails sent so far, in the order they arrived.
    fn received(&self) -> Vec<ReceivedMail>;
}

impl Mailbox for SmtpSink {
    fn received(&self) -> Vec<ReceivedMail> {
        read_sink_dir(&self.mail_dir)
    }
}

/// The mails a sink stored in `dir` (`<n>.json` parsed, `<n>.eml` raw), in
/// the order they arrived.
///
/// # Panics
///
/// When a stored mail cannot be read.
#[must_use]
pub fn read_sink_dir(dir: &Path) -> Vec<ReceivedMail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut numbers: Vec<u64> = entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name();
            name.to_str()?.strip_suffix(".json")?.parse().ok()
        })
        .collect();
    numbers.sort_unstable();
    numbers
        .into_iter()
        .map(|n| {
            let json_path = dir.join(format!("{n}.json"));
            let json = std::fs::read(&json_path)
                .unwrap_or_else(|e| panic!("read {}: {e}", json_path.display()));
            let mut mail: ReceivedMail = serde_json::from_slice(&json)
                .unwrap_or_else(|e| panic!("parse {}: {e}", json_path.display()));
            let raw_path = dir.join(format!("{n}.eml"));
            let raw = std::fs::read(&raw_path)
                .unwrap_or_else(|e| panic!("read {}: {e}", raw_path.display()));
            mail.raw = String::from_utf8_lossy(&raw).into_owned();
            mail
        })
        .collect()
}

/// The mails the server wrote to its mail folder (no SMTP server configured),
/// oldest first. Only the envelope and the raw message are filled in: the
/// recipient and subject come from the `To` and `Subject` headers as written,
/// the parsed parts stay empty.
#[must_use]
pub fn read_mail_folder(dir: &Path) -> Vec<ReceivedMail> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.ends_with(".eml") && !n.starts_with('.'))
        })
        .map(|e| {
            let at = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            (at, e.path())
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|(_, path)| std::fs::read(path).ok())
        .map(|bytes| {
            let raw = String::from_utf8_lossy(&bytes).into_owned();
            let header = |name: &str| {
                let head = raw.split("\r\n\r\n").next().unwrap_or_default();
                let mut value = String::new();
                let mut inside = false;
                for line in head.split("\r\n") {
                    if inside && line.starts_with([' ', '\t']) {
                        value.push_str(line.trim_start());
                    } else if inside {
                        break;
                    } else if let Some((key, rest)) = line.split_once(':')
                        && key.eq_ignore_ascii_case(name)
                    {
                        value = rest.trim().to_owned();
                        inside = true;
                    }
                }
                value
            };
            let to = header("To");
            let address = to
                .rsplit_once('<')
                .and_then(|(_, a)| a.strip_suffix('>'))
                .unwrap_or(&to)
                .to_owned();
            ReceivedMail {
                mail_from: String::new(),
                rcpt_tos: vec![address],
                tls: false,
                auth_user: None,
                from: header("From"),
                to,
                subject: header("Subject"),
                message_id: header("Message-ID"),
                content_type: header("Content-Type"),
                text: None,
                html: None,
                raw,
            }
        })
        .collect()
}

/// A running SMTP sink, killed when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    python: String,
    options: SinkOptions,
    port: u16,
    ca: Option<TestCa>,
    mail_dir: PathBuf,
    process: Option<SinkProcess>,
    // Dropped last, after the process is gone.
    temp_dir: TempDir,
}

#[derive(Debug)]
struct SinkProcess {
    child: Child,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<JoinHandle<()>>,
}

impl SinkProcess {
    /// Kills the process and returns what it wrote to stderr.
    fn kill(mut self) -> String {
        // Fails only when it has exited already.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        let stderr = self.stderr.lock().unwrap_or_else(PoisonError::into_inner);
        stderr.clone()
    }
}

impl Drop for SinkProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum StartError {
    /// The port was taken (only retried when the port was picked here).
    PortInUse(String),
    Failed(String),
}

impl SmtpSink {
    /// Starts a sink.
    ///
    /// # Panics
    ///
    /// When no python with aiosmtpd is found (see [`start_sink_or_skip`] to skip
    /// instead), or the sink does not start within [`SINK_START_TIMEOUT`].
    #[must_use]
    pub fn start(options: SinkOptions) -> Self {
        let python = find_python().expect(
            "a python with aiosmtpd for the SMTP sink (install python3-aiosmtpd, \
             or name the interpreter in ZEUGNIS_TEST_PYTHON)",
        );
        let temp_dir = tempfile::tempdir().expect("temporary directory for the SMTP sink");
        let mail_dir = temp_dir.path().join("mails");
        std::fs::create_dir_all(&mail_dir).expect("mail directory");
        let ca =
            (options.tls != SinkTls::None).then(|| TestCa::generate(&temp_dir.path().join("tls")));
        let mut sink = Self {
            python: python.to_owned(),
            port: options.port.unwrap_or(0),
            options,
            ca,
            mail_dir,
            process: None,
            temp_dir,
        };
        // A port picked here may be taken by someone else before the sink binds it.
        let attempts = if sink.options.port.is_some() { 1 } else { 5 };
        let mut last_error = String::new();
        for _ in 0..attempts {
            if sink.options.port.is_none() {
                sink.port = free_port();
            }
            match sink.spawn() {
                Ok(process) => {
                    sink.process = Some(process);
                    return sink;
                }
                Err(StartError::PortInUse(stderr)) => last_error = stderr,
                Err(StartError::Failed(stderr)) => {
                    last_error = stderr;
                    break;
                }
            }
        }
        panic!(
            "the SMTP sink did not start on port {}; its stderr:\n{last_error}",
            sink.port
        );
    }

    fn spawn(&self) -> Result<SinkProcess, StartError> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("support/smtp_sink.py");
        let mut command = Command::new(&self.python);
        command
            .arg(&script)
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--dir")
            .arg(&self.mail_dir)
            .arg("--watch-stdin")
            .arg("--tls")
            .arg(match self.options.tls {
                SinkTls::None => "none",
                SinkTls::StartTls => "starttls",
                SinkTls::Implicit => "implicit",
            });
        if let Some(ca) = &self.ca {
            command
                .arg("--cert")
                .arg(ca.cert_file())
                .arg("--key")
                .arg(ca.key_file());
        }
        if self.options.require_tls {
            command.arg("--require-tls");
        }
        if let Some((user, password)) = &self.options.auth {
            command.arg("--auth").arg(format!("{user}:{password}"));
        }
        for address in &self.options.reject {
            command.arg("--reject").arg(address);
        }
        // stdin stays open as long as the child handle lives: the sink exits when
        // it closes, so that no sink outlives a test process that was killed.
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {} {}: {e}", self.python, script.display()));

        let stdout = child.stdout.take().expect("the sink's stdout is piped");
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if line.trim() == "ready" {
                    let _ = ready_tx.send(());
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut stderr_pipe = child.stderr.take().expect("the sink's stderr is piped");
        let stderr_sink = Arc::clone(&stderr);
        let stderr_reader = std::thread::spawn(move || {
            let mut chunk = [0_u8; 4096];
            while let Ok(n @ 1..) = stderr_pipe.read(&mut chunk) {
                let text = String::from_utf8_lossy(chunk.get(..n).unwrap_or_default());
                stderr_sink
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push_str(&text);
            }
        });
        let process = SinkProcess {
            child,
            stderr,
            stderr_reader: Some(stderr_reader),
        };

        match ready_rx.recv_timeout(SINK_START_TIMEOUT) {
            Ok(()) => Ok(process),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(StartError::Failed(format!(
                "(no `ready` within {SINK_START_TIMEOUT:?})\n{}",
                process.kill()
            ))),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let stderr = process.kill();
                if stderr
                    .to_ascii_lowercase()
                    .contains("address already in use")
                {
                    Err(StartError::PortInUse(stderr))
                } else {
                    Err(StartError::Failed(stderr))
                }
            }
        }
    }

    /// The port the sink listens on (on 127.0.0.1); it keeps it across
    /// [`restart`](Self::restart).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The host name to connect to: `localhost`, which the TLS certificate names.
    #[must_use]
    pub fn host(&self) -> &'static str {
        "localhost"
    }

    /// The CA to trust when the sink runs with TLS.
    #[must_use]
    pub fn ca_file(&self) -> Option<PathBuf> {
        self.ca.as_ref().map(|ca| ca.ca_file().to_owned())
    }

    /// The certificates when the sink runs with TLS.
    #[must_use]
    pub fn ca(&self) -> Option<&TestCa> {
        self.ca.as_ref()
    }

    /// The options the sink runs with.
    #[must_use]
    pub fn options(&self) -> &SinkOptions {
        &self.options
    }

    /// Where the sink stores mails: `<n>.eml` (raw) and `<n>.json` (parsed).
    #[must_use]
    pub fn mail_dir(&self) -> &Path {
        &self.mail_dir
    }

    /// A temporary directory for the test, removed when the sink is dropped.
    #[must_use]
    pub fn temp_dir(&self) -> &Path {
        self.temp_dir.path()
    }

    /// Whether the sink process is running (not [`stop`](Self::stop)ped).
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.process.is_some()
    }

    /// The mails accepted so far, in the order they arrived.
    ///
    /// # Panics
    ///
    /// When a stored mail cannot be read.
    #[must_use]
    pub fn received(&self) -> Vec<ReceivedMail> {
        read_sink_dir(&self.mail_dir)
    }

    /// Waits until at least `n` mails have arrived, and returns all of them.
    ///
    /// # Panics
    ///
    /// When fewer than `n` arrive within `timeout`; the message lists those that
    /// did.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let mails = self.received();
            if mails.len() >= n {
                return mails;
            }
            if Instant::now() >= deadline {
                let listed: String = mails
                    .iter()
                    .map(|m| format!("\n  to {:?}: {:?}", m.rcpt_tos, m.subject))
                    .collect();
                panic!(
                    "expected {n} mail(s) at the SMTP sink within {timeout:?}, {} arrived{listed}{}",
                    mails.len(),
                    self.stderr_note(),
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn stderr_note(&self) -> String {
        let Some(process) = &self.process else {
            return "\n(the sink is stopped)".to_owned();
        };
        let stderr = process
            .stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if stderr.is_empty() {
            String::new()
        } else {
            format!("\nthe sink's stderr:\n{stderr}")
        }
    }

    /// Stops the sink (kills it and waits); its port is free afterwards and
    /// connections to it are refused. The mails received so far stay.
    pub fn stop(&mut self) {
        if let Some(process) = self.process.take() {
            process.kill();
        }
    }

    /// Starts the sink again, on the same port with the same options and mail
    /// directory (stopping it first if it runs): mails keep their numbering.
    ///
    /// # Panics
    ///
    /// When it does not start, e.g. because something else took the port.
    pub fn restart(&mut self) {
        self.stop();
        match self.spawn() {
            Ok(process) => self.process = Some(process),
            Err(StartError::PortInUse(stderr) | StartError::Failed(stderr)) => panic!(
                "the SMTP sink did not restart on port {}; its stderr:\n{stderr}",
                self.port
            ),
        }
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
///
/// # Panics
///
/// When no port can be bound.
#[must_use]
pub fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .expect("bind a free port on 127.0.0.1")
        .port()
}

/// The python interpreter that has aiosmtpd: `$ZEUGNIS_TEST_PYTHON`,
/// `/usr/bin/python3` or `python3`, whichever can import it first.
#[must_use]
pub fn find_python() -> Option<&'static str> {
    static PYTHON: OnceLock<Option<String>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let candidates = std::env::var(PYTHON_ENV)
                .ok()
                .filter(|python| !python.is_empty())
                .into_iter()
                .chain(["/usr/bin/python3".to_owned(), "python3".to_owned()]);
            candidates.into_iter().find(|python| {
                Command::new(python)
                    .args(["-c", "import aiosmtpd"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|status| status.success())
            })
        })
        .as_deref()
}

/// Whether an [`SmtpSink`] can run here (a python with aiosmtpd is found).
#[must_use]
pub fn smtp_sink_available() -> bool {
    find_python().is_some()
}

/// Starts a sink, or returns `None` after a visible skip message when no python
/// with aiosmtpd is found.
///
/// # Panics
///
/// When aiosmtpd is missing under `CI=true` (CI must run the mail tests), or the
/// sink does not start.
#[must_use]
pub fn start_sink_or_skip(options: SinkOptions) -> Option<SmtpSink> {
    if smtp_sink_available() {
        return Some(SmtpSink::start(options));
    }
    let in_ci = std::env::var("CI").is_ok_and(|ci| ci == "true" || ci == "1");
    assert!(
        !in_ci,
        "no python with aiosmtpd found: install python3-aiosmtpd (apt) so the mail \
         tests can run (or name the interpreter in {PYTHON_ENV})"
    );
    skip_message();
    None
}

#[expect(
    clippy::print_stderr,
    reason = "a skipped test must say so where the test output shows it"
)]
fn skip_message() {
    eprintln!(
        "SKIPPED: no python with aiosmtpd found, this mail test does not run; install \
         python3-aiosmtpd (apt) or name the interpreter in {PYTHON_ENV}"
    );
}
