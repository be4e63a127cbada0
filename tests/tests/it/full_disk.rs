//! A data folder that runs full, for real: a small tmpfs mounted by the test
//! (it needs root; without it the test skips with a message, and under
//! `CI=true` it fails), four writers in parallel, filled, freed, restarted.
//!
//! What must hold: a write that could not be stored answers `503` (never
//! `201`, never a `500` or `404`); every write that was answered `201` is there
//! after a restart, with its audit entry; and once space is free again, writes
//! work without a restart.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test"
)]

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::Mutex;
use zeugnis_core::audit::{AuditAction, AuditTarget};
use zeugnis_tests::TestApp;
use zeugnis_tests::api::{ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, setup_first_tenant};

/// The size of the data folder's file system.
const SIZE: &str = "24m";
/// How much space is left for the writers in each round.
const HEADROOM: u64 = 1_500_000;
/// Writers in parallel.
const WRITERS: usize = 4;
/// Fill-and-free rounds.
const ROUNDS: usize = 3;

/// A tmpfs, unmounted when dropped.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    /// Mounts one at `path`, or says why it cannot.
    fn mount(path: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(path).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={SIZE}"), "tmpfs"])
            .arg(path)
            .output()
            .map_err(|e| format!("mount could not run: {e}"))?;
        if out.status.success() {
            Ok(Self {
                path: path.to_owned(),
            })
        } else {
            Err(format!(
                "mount -t tmpfs failed (the test needs root): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Fills the file system with `filler` until it is full, then gives back
/// [`HEADROOM`] bytes.
fn fill(filler: &Path) {
    let mut f = std::fs::File::create(filler).unwrap();
    let chunk = vec![0x5a_u8; 64 * 1024];
    let mut written: u64 = 0;
    loop {
        match f.write(&chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => written += n as u64,
        }
    }
    let _ = f.sync_all();
    f.set_len(written.saturating_sub(HEADROOM)).unwrap();
    f.sync_all().unwrap();
}

fn employee_body(writer: usize, n: usize) -> Value {
    // Long values, so that the folder fills in a few hundred writes.
    let long = |what: &str| format!("{what} {writer}-{n} {}", "Lindenblütenweg ".repeat(11));
    json!({
        "first_name": format!("Ida{writer}x{n}"),
        "last_name": long("Nachname"),
        "street": long("Straße"),
        "city": long("Stadt"),
        "birth_place": long("Ort"),
        "department": "Vertrieb",
    })
}

/// What the writers saw.
#[derive(Debug, Default)]
struct Seen {
    acknowledged: BTreeSet<String>,
    refused: usize,
    wrong: Vec<String>,
}

/// Writers in parallel until each has seen `stop_after` refusals in a row
/// (or a bound of attempts).
async fn write_until_full(clients: Vec<ApiClient>, seen: &Arc<Mutex<Seen>>, round: usize) {
    let mut tasks = Vec::new();
    for (w, mut client) in clients.into_iter().enumerate() {
        let seen = Arc::clone(seen);
        tasks.push(tokio::spawn(async move {
            let mut refused_in_a_row = 0;
            for n in 0..3000 {
                let reply = client
                    .post("/employees", &employee_body(w, round * 10_000 + n))
                    .await;
                let mut s = seen.lock().await;
                match reply.status {
                    201 => {
                        refused_in_a_row = 0;
                        let id = reply.json["id"].as_str().unwrap().to_owned();
                        s.acknowledged.insert(id);
                    }
                    503 => {
                        refused_in_a_row += 1;
                        s.refused += 1;
                        if reply.code() != Some("unavailable")
                            || reply.header("retry-after").is_none()
                        {
                            s.wrong.push(format!(
                                "503 without its code or Retry-After: {}",
                                reply.text()
                            ));
                        }
                        if refused_in_a_row >= 5 {
                            break;
                        }
                    }
                    other => s.wrong.push(format!("{other}: {}", reply.text())),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_loses_no_acknowledged_write_answers_503_and_recovers_without_a_restart() {
    let temp = tempfile::tempdir().unwrap();
    let mount = temp.path().join("small");
    let tmpfs = match Tmpfs::mount(&mount) {
        Ok(t) => t,
        Err(why) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI must run the full-disk test as root: {why}"
            );
            let _ = writeln!(std::io::stderr(), "SKIPPED full_disk: {why}");
            return;
        }
    };
    let data = tmpfs.path.join("data");
    let filler = tmpfs.path.join("filler");
    let data_for_config = data.clone();

    let app = TestApp::builder()
        .with_config(move |c| c.data_dir = data_for_config)
        .spawn()
        .await;
    let org = setup_first_tenant(&app).await;
    let seen = Arc::new(Mutex::new(Seen::default()));

    for round in 0..ROUNDS {
        // Logged in while there is space (a login writes its session).
        let mut clients = Vec::new();
        for _ in 0..WRITERS {
            let mut client = ApiClient::new(&app);
            let login = client.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
            assert_eq!(login.status, 200, "login: {}", login.text());
            clients.push(client);
        }
        fill(&filler);
        write_until_full(clients, &seen, round).await;
        {
            let s = seen.lock().await;
            assert!(s.wrong.is_empty(), "round {round}: {:?}", s.wrong);
            assert!(s.refused > 0, "round {round}: the folder never ran full");
        }
        // Space again: writes work at once, without a restart.
        std::fs::remove_file(&filler).unwrap();
        let mut client = ApiClient::new(&app);
        assert_eq!(client.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
        for n in 0..20 {
            let reply = client
                .post("/employees", &employee_body(99, round * 10_000 + n))
                .await;
            assert_eq!(
                reply.status,
                201,
                "round {round}, write {n} after freeing space: {}",
                reply.text()
            );
            let id = reply.json["id"].as_str().unwrap().to_owned();
            seen.lock().await.acknowledged.insert(id);
        }
    }

    // A restart on the same folder: everything acknowledged is there.
    drop(app);
    let data_again = data.clone();
    let app = TestApp::builder()
        .with_config(move |c| c.data_dir = data_again)
        .spawn()
        .await;
    let mut admin = ApiClient::new(&app);
    assert_eq!(admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    let acknowledged = seen.lock().await.acknowledged.clone();
    assert!(acknowledged.len() > 60, "{} writes", acknowledged.len());
    let mut listed = BTreeSet::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/employees?limit=500&after={a}"),
            None => "/employees?limit=500".to_owned(),
        };
        let page = admin.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text());
        for e in page.json["items"].as_array().unwrap() {
            listed.insert(e["id"].as_str().unwrap().to_owned());
        }
        match page.json["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => break,
        }
    }
    let lost: Vec<&String> = acknowledged.difference(&listed).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged employees are gone after the restart",
        lost.len(),
        acknowledged.len()
    );
    // And each has its audit entry.
    let entries = zeugnis_tests::api::audit_entries(&app, org.tenant).await;
    let audited: BTreeSet<String> = entries
        .iter()
        .filter(|e| e.event.action == AuditAction::EmployeeCreated)
        .filter_map(|e| match e.event.target {
            AuditTarget::Employee(id) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let unaudited: Vec<&String> = acknowledged.difference(&audited).collect();
    assert!(
        unaudited.is_empty(),
        "employees without their audit entry: {unaudited:?}"
    );
    drop(app);
    drop(tmpfs);
}
