//! The OpenAPI document: generated from the code, committed in
//! `docs/openapi.json`, so every change of the API shows up in review. Run with
//! `ZEUGNIS_UPDATE_OPENAPI=1` to write the new document after an intended
//! change. CI also checks the committed document against the OpenAPI schema.

use crate::common::*;

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("docs")
        .join("openapi.json")
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = format!("{}\n", zeugnis_app::api::openapi_json());
    if std::env::var_os("ZEUGNIS_UPDATE_OPENAPI").is_some() {
        std::fs::write(committed_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is out of date: the API changed. Review the change, then run \
         `ZEUGNIS_UPDATE_OPENAPI=1 cargo test -p zeugnis-app --test it openapi::` and commit the file."
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    for path in ["/login", "/session", "/users", "/password/forgot", "/setup"] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["session"]["in"],
        "cookie"
    );
}

#[tokio::test]
async fn the_server_serves_the_same_document() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    let served = server.get("/api/v1/openapi.json").await;
    assert_eq!(served.status(), 200);
    let served: serde_json::Value = served.json().await.unwrap();
    let generated: serde_json::Value =
        serde_json::from_str(&zeugnis_app::api::openapi_json()).unwrap();
    assert_eq!(served, generated);
    let printed = finish(zeugnis(dir.path(), &["openapi"])).await;
    assert!(printed.status.success());
    let printed: serde_json::Value = serde_json::from_str(&printed.stdout).unwrap();
    assert_eq!(printed, generated);
}
