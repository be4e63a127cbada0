//! Running the `zeugnis` binary as a user would, for the integration tests.
//!
//! Every test works in its own temporary directory and listens on port 0; the port
//! the server got is read from its "listening on" log line. A [`Server`] kills its
//! process when dropped, so a failing test leaves nothing running.

#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail the test that calls them"
)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::time::timeout;

/// Longest wait for the server to start, answer or stop.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// `zeugnis` with `args`, run in `dir`, with no `ZEUGNIS_*` or `RUST_LOG` inherited.
pub(crate) fn zeugnis(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_zeugnis"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ZEUGNIS_") {
            command.env_remove(name);
        }
    }
    command
}

/// Output of a command that is expected to end by itself.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

pub(crate) async fn finish(mut command: Command) -> Finished {
    let output = timeout(PATIENCE, command.output())
        .await
        .expect("zeugnis did not exit in time")
        .expect("zeugnis could not be run");
    Finished {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A running `zeugnis serve`; killed on drop.
#[derive(Debug)]
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) addr: SocketAddr,
    /// Log lines read so far.
    pub(crate) log: Vec<String>,
    lines: mpsc::UnboundedReceiver<String>,
}

impl Server {
    /// Starts `command` and waits for its "listening on" line.
    pub(crate) async fn start(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("zeugnis could not be run");
        let stderr = child.stderr.take().expect("stderr is piped");
        let (sender, mut lines) = mpsc::unbounded_channel();
        // Keeps reading so that the server never blocks on a full pipe.
        tokio::spawn(async move {
            let mut reader = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut log = Vec::new();
        let addr = timeout(PATIENCE, async {
            while let Some(line) = lines.recv().await {
                let addr = listening_addr(&line);
                log.push(line);
                if let Some(addr) = addr {
                    return Some(addr);
                }
            }
            None
        })
        .await;
        let addr = match addr {
            Ok(Some(addr)) => addr,
            Ok(None) => panic!("zeugnis stopped before listening:\n{}", log.join("\n")),
            Err(_) => panic!("zeugnis did not listen in time:\n{}", log.join("\n")),
        };
        Self {
            child,
            addr,
            log,
            lines,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) async fn get(&self, path: &str) -> reqwest::Response {
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(PATIENCE)
            .build()
            .expect("HTTP client");
        client
            .get(self.url(path))
            .send()
            .await
            .expect("request to zeugnis failed")
    }

    /// Log lines so far, including those not yet read.
    pub(crate) fn log(&mut self) -> &[String] {
        while let Ok(line) = self.lines.try_recv() {
            self.log.push(line);
        }
        &self.log
    }

    /// Waits (at most [`PATIENCE`]) for a log line that `wanted` accepts.
    pub(crate) async fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        if let Some(line) = self.log().iter().find(|l| wanted(l)) {
            return line.clone();
        }
        let found = timeout(PATIENCE, async {
            while let Some(line) = self.lines.recv().await {
                self.log.push(line.clone());
                if wanted(&line) {
                    return Some(line);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(line)) => line,
            _ => panic!("no such log line:\n{}", self.log.join("\n")),
        }
    }

    /// Waits until the process ends; its log is complete then.
    pub(crate) async fn wait(&mut self) -> ExitStatus {
        let status = timeout(PATIENCE, self.child.wait())
            .await
            .expect("zeugnis did not stop in time")
            .expect("zeugnis could not be waited for");
        while let Ok(Some(line)) = timeout(PATIENCE, self.lines.recv()).await {
            self.log.push(line);
        }
        status
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Already gone is fine.
        let _ = self.child.start_kill();
    }
}

/// The address in a line like `... INFO ...: listening on http://127.0.0.1:4711`.
pub(crate) fn listening_addr(line: &str) -> Option<SocketAddr> {
    let (_, rest) = line.split_once("listening on http://")?;
    let addr: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '"')
        .collect();
    addr.parse().ok()
}

pub(crate) fn write(dir: &TempDir, name: &str, text: &str) {
    std::fs::write(dir.path().join(name), text).expect("write file");
}

/// The master key file of a data folder.
pub(crate) fn key_file(dir: &TempDir) -> std::path::PathBuf {
    dir.path().join("data").join("master.key")
}
