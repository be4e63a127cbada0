//! Baseline security headers, on success and error responses alike.

use reqwest::Method;
use zeugnis_tests::TestApp;

const EXPECTED: [(&str, &str); 4] = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    (
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'",
    ),
];

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;

    for (method, path, status) in [
        (Method::GET, "/health", 200),
        (Method::GET, "/ready", 200),
        (Method::GET, "/no/such/page", 404),
        (Method::POST, "/health", 405),
    ] {
        let response = app
            .client()
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();

        assert_eq!(response.status(), status, "{method} {path}");
        for (name, value) in EXPECTED {
            assert_eq!(
                response.headers().get(name).map(|v| v.to_str().unwrap()),
                Some(value),
                "{name} on {method} {path}"
            );
        }
    }
}
