//! Operator commands and the first start, run as an operator would.
#![expect(clippy::unwrap_used, reason = "test helpers fail the test loudly")]

use crate::common::*;
use serde_json::{Value, json};

async fn post(server: &Server, path: &str, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url(path))
        .json(body)
        .send()
        .await
        .unwrap()
}

fn token_of(link: &str) -> &str {
    link.rsplit_once('#').unwrap().1.trim()
}

#[tokio::test]
async fn an_operator_creates_a_tenant_and_invites_its_administrator_who_then_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let out = finish(zeugnis(
        dir.path(),
        &[
            "admin",
            "create-tenant",
            "--slug",
            "acme",
            "--name",
            "ACME GmbH",
        ],
    ))
    .await;
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.contains("short name acme"), "{}", out.stdout);

    let again = finish(zeugnis(
        dir.path(),
        &[
            "admin",
            "create-tenant",
            "--slug",
            "acme",
            "--name",
            "Other",
        ],
    ))
    .await;
    assert!(!again.status.success());
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);

    let bad = finish(zeugnis(
        dir.path(),
        &["admin", "create-tenant", "--slug", "A B", "--name", "X"],
    ))
    .await;
    assert!(!bad.status.success());
    assert!(bad.stderr.contains("--slug"), "{}", bad.stderr);

    let out = finish(zeugnis(
        dir.path(),
        &[
            "admin",
            "invite",
            "--tenant",
            "acme",
            "--email",
            "anna@acme.de",
            "--first-name",
            "Anna",
            "--last-name",
            "Admin",
        ],
    ))
    .await;
    assert!(out.status.success(), "{out:?}");
    let link = out
        .stdout
        .lines()
        .find(|l| l.contains("/t/acme/welcome#"))
        .expect("the link is printed")
        .to_owned();
    let unknown = finish(zeugnis(
        dir.path(),
        &[
            "admin",
            "invite",
            "--tenant",
            "nope",
            "--email",
            "x@acme.de",
            "--first-name",
            "X",
            "--last-name",
            "Y",
        ],
    ))
    .await;
    assert!(!unknown.status.success());
    assert!(
        unknown.stderr.contains("no organisation"),
        "{}",
        unknown.stderr
    );

    let server = Server::start(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    // With no mail server, the mail lands in the mail folder, carrying the link.
    let mail_dir = dir.path().join("data").join("mail");
    let mut mails = Vec::new();
    for _ in 0..100 {
        mails = std::fs::read_dir(&mail_dir)
            .map(|d| d.filter_map(Result::ok).collect())
            .unwrap_or_default();
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(mails.len(), 1, "one invitation mail");
    let mail = std::fs::read_to_string(mails[0].path())
        .unwrap()
        .replace("=\r\n", "")
        .replace("=\n", "");
    assert!(
        mail.contains(token_of(&link)),
        "the mail carries the same link"
    );

    let accepted = post(
        &server,
        "/api/v1/invitations/accept",
        &json!({"tenant": "acme", "token": token_of(&link), "password": "Wald-Läufer-7"}),
    )
    .await;
    assert_eq!(accepted.status(), 204, "{:?}", accepted.text().await);
    let login = post(
        &server,
        "/api/v1/login",
        &json!({"email": "anna@acme.de", "password": "Wald-Läufer-7"}),
    )
    .await;
    assert_eq!(login.status(), 200);
    let body: Value = login.json().await.unwrap();
    assert_eq!(body["status"], "logged_in");
    assert_eq!(body["user"]["scope"]["administrator"], true);
}

#[tokio::test]
async fn the_first_start_logs_a_setup_link_that_works_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        Server::start(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    let line = server
        .log()
        .iter()
        .find(|l| l.contains("/setup#"))
        .expect("the setup link is logged")
        .clone();
    let token = line
        .split("/setup#")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 64);
    let page = server.get("/setup").await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );

    let setup = json!({
        "token": token, "organisation": "ACME GmbH", "slug": "acme",
        "first_name": "Anna", "last_name": "Admin", "email": "anna@acme.de",
        "password": "Wald-Läufer-7",
    });
    let mut forged = setup.clone();
    forged["token"] = json!("ab".repeat(32));
    let wrong = post(&server, "/api/v1/setup", &forged).await;
    assert_eq!(wrong.status(), 410);
    let created = post(&server, "/api/v1/setup", &setup).await;
    assert_eq!(created.status(), 201, "{:?}", created.text().await);
    let twice = post(&server, "/api/v1/setup", &setup).await;
    assert_eq!(twice.status(), 410);
    let login = post(
        &server,
        "/api/v1/login",
        &json!({"email": "anna@acme.de", "password": "Wald-Läufer-7"}),
    )
    .await;
    assert_eq!(login.status(), 200);
    drop(server);

    let mut again = Server::start(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    assert!(
        !again.log().iter().any(|l| l.contains("/setup#")),
        "no setup link once an organisation exists"
    );
}

/// A data folder with one organisation and three audit entries (tenant created,
/// two users invited).
async fn audited_installation() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: Vec<String>| {
        let dir = dir.path().to_owned();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = finish(zeugnis(&dir, &args)).await;
            assert!(out.status.success(), "{out:?}");
        }
    };
    run([
        "admin",
        "create-tenant",
        "--slug",
        "acme",
        "--name",
        "ACME GmbH",
    ]
    .map(String::from)
    .to_vec())
    .await;
    for who in ["anna", "bert"] {
        run([
            "admin",
            "invite",
            "--tenant",
            "acme",
            "--email",
            &format!("{who}@acme.de"),
            "--first-name",
            who,
            "--last-name",
            "Muster",
        ]
        .map(String::from)
        .to_vec())
        .await;
    }
    dir
}

fn tamper(dir: &tempfile::TempDir, sql: &str) {
    let db = rusqlite::Connection::open(dir.path().join("data").join("zeugnis.db")).unwrap();
    let changed = db.execute(sql, []).unwrap();
    assert!(changed > 0, "{sql} changed nothing");
}

async fn verify(dir: &tempfile::TempDir) -> Finished {
    finish(zeugnis(dir.path(), &["audit", "verify"])).await
}

#[tokio::test]
async fn audit_verify_passes_an_intact_log_and_names_the_first_tampered_entry() {
    let dir = audited_installation().await;
    let out = verify(&dir).await;
    assert!(out.status.success(), "{out:?}");
    assert!(
        out.stdout.contains("acme: intact (3 entries, 1 to 3)"),
        "{}",
        out.stdout
    );

    // The filterable action column says something else than the sealed entry.
    tamper(
        &dir,
        "UPDATE audit_log SET action = 'login_succeeded' WHERE seq = 2",
    );
    let out = verify(&dir).await;
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        out.stdout.contains("acme: BROKEN at entry 2"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("tampered"), "{}", out.stderr);
}

#[tokio::test]
async fn audit_verify_finds_removed_swapped_and_cut_off_entries() {
    // An entry removed from the middle.
    let dir = audited_installation().await;
    tamper(&dir, "DELETE FROM audit_log WHERE seq = 2");
    let out = verify(&dir).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.contains("BROKEN at entry 3") && out.stdout.contains("missing"),
        "{}",
        out.stdout
    );

    // Content moved from one entry to another.
    let dir = audited_installation().await;
    tamper(
        &dir,
        "UPDATE audit_log SET data = (SELECT data FROM audit_log WHERE seq = 3) WHERE seq = 2",
    );
    let out = verify(&dir).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.contains("BROKEN at entry 2"), "{}", out.stdout);

    // A hash rewritten without the key.
    let dir = audited_installation().await;
    tamper(&dir, "UPDATE audit_log SET hash = prev WHERE seq = 1");
    let out = verify(&dir).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.contains("BROKEN at entry 1"), "{}", out.stdout);

    // The newest entry cut off.
    let dir = audited_installation().await;
    tamper(&dir, "DELETE FROM audit_log WHERE seq = 3");
    let out = verify(&dir).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.contains("BROKEN at entry 2") && out.stdout.contains("head"),
        "{}",
        out.stdout
    );
}
