//! Liveness and readiness probes, and what the server does with unknown paths.

use zeugnis_tests::TestApp;

#[tokio::test]
async fn health_answers_200_with_status_ok() {
    let app = TestApp::spawn().await;

    let response = app.get("/health").await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
}

#[tokio::test]
async fn ready_answers_200_with_status_ready() {
    let app = TestApp::spawn().await;

    let response = app.get("/ready").await;

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "status": "ready" }));
}

#[tokio::test]
async fn an_unknown_path_is_404() {
    let app = TestApp::spawn().await;

    assert_eq!(app.get("/no/such/page").await.status(), 404);
}

#[tokio::test]
async fn the_server_creates_its_data_dir() {
    let app = TestApp::spawn().await;

    assert!(app.data_dir().is_dir());
}

#[tokio::test]
async fn the_builder_can_change_the_configuration() {
    let app = TestApp::builder()
        .with_config(|config| config.data_dir.push("nested/deeper"))
        .spawn()
        .await;

    assert!(app.data_dir().ends_with("data/nested/deeper"));
    assert!(app.data_dir().is_dir());
}

#[tokio::test]
async fn two_servers_run_side_by_side_on_their_own_ports() {
    let one = TestApp::spawn().await;
    let two = TestApp::spawn().await;

    assert_ne!(one.addr(), two.addr());
    assert_eq!(one.get("/health").await.status(), 200);
    assert_eq!(two.get("/health").await.status(), 200);
}
