//! A Postgres outage under a running server, made by cutting a TCP proxy
//! between them: readiness answers within a second, requests answer `503`
//! with `Retry-After` quickly instead of hanging or a `500`, and the server
//! recovers by itself once the database is back.
#![expect(
    clippy::expect_used,
    reason = "the test fails loudly on a URL it cannot take apart"
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::json;
use zeugnis_tests::api::{ApiClient, Reply};
use zeugnis_tests::proxy::TcpProxy;
use zeugnis_tests::{Backend, TestApp};

/// `postgres://user@host:port/db` → (its `host:port`, the URL with `via` instead).
fn through(url: &str, via: SocketAddr) -> (SocketAddr, String) {
    let (scheme_user, rest) = url.rsplit_once('@').expect("a URL with user@host");
    let (host_port, path) = rest.split_once('/').expect("a URL with a database");
    let target: SocketAddr = host_port
        .replace("localhost", "127.0.0.1")
        .parse()
        .expect("host:port");
    (target, format!("{scheme_user}@{via}/{path}"))
}

/// `POST /employees` for Ida `last_name`.
async fn add_employee(admin: &mut ApiClient, last_name: &str) -> Reply {
    admin
        .post(
            "/employees",
            &json!({"first_name": "Ida", "last_name": last_name}),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_answers_503_quickly_and_the_server_recovers() {
    let Some(builder) = TestApp::builder().on(Backend::Postgres, "outage").await else {
        return;
    };
    // Put a proxy between the server and the database.
    let mut url = String::new();
    let builder = builder.with_config(|c| url.clone_from(&c.database.url));
    let (target, _) = through(&url, "127.0.0.1:1".parse().unwrap());
    let proxy = TcpProxy::start(target).await;
    let (_, proxied) = through(&url, proxy.addr());
    let app = builder
        .with_config(move |c| c.database.url = proxied)
        .with_admin()
        .spawn()
        .await;
    let mut admin = app.admin();
    assert_eq!(app.get("/ready").await.status(), 200);

    proxy.cut();

    // Readiness: its own short check.
    let started = Instant::now();
    let ready = app.get("/ready").await;
    let took = started.elapsed();
    assert_eq!(ready.status(), 503);
    assert!(ready.headers().get("retry-after").is_some());
    assert!(took < Duration::from_secs(1), "/ready took {took:?}");

    // The API: 503 with Retry-After, for reads and writes, well before a
    // client's usual timeout.
    for attempt in 0..3 {
        let read = admin.get("/employees").await;
        assert_eq!(read.status, 503, "read {attempt}: {}", read.text());
        assert_eq!(read.code(), Some("unavailable"));
        assert!(read.header("retry-after").is_some());
        assert!(
            read.elapsed < Duration::from_secs(6),
            "read took {:?}",
            read.elapsed
        );
        let write = add_employee(&mut admin, "Ausfall").await;
        assert_eq!(write.status, 503, "write {attempt}: {}", write.text());
        assert!(!write.text().contains("internal"), "{}", write.text());
    }

    // Back: the server recovers by itself (polled, bounded).
    proxy.restore().await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if app.get("/ready").await.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "the server did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut recovered = false;
    for _ in 0..50 {
        let reply = admin.get("/employees").await;
        if reply.status == 200 {
            recovered = true;
            break;
        }
        assert_eq!(reply.status, 503, "{}", reply.text());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        recovered,
        "the API did not recover after the database came back"
    );
    let created = add_employee(&mut admin, "Zurück").await;
    assert_eq!(created.status, 201, "{}", created.text());
}
