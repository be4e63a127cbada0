//! Every security event of the spec leaves an audit entry — and no entry holds
//! a password, token or code. One journey through the API on each database.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers fail the test loudly"
)]

use std::time::Duration as StdDuration;

use serde_json::json;
use zeugnis_core::ports::{AuditLog as _, AuditQuery, PageRequest};
use zeugnis_tests::api::{
    ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, Reply, setup_first_tenant, token_after,
};
use zeugnis_tests::smtp_sink::{SinkOptions, start_sink_or_skip};
use zeugnis_tests::{Backend, TestApp};

const PATIENCE: StdDuration = StdDuration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_security_event_is_audited_without_secrets_on_sqlite() {
    journey(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_security_event_is_audited_without_secrets_on_postgres() {
    journey(Backend::Postgres).await;
}

async fn journey(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = TestApp::builder().on(backend, "audit_events").await else {
        return;
    };
    let app = b
        .with_smtp(&sink)
        .with_config(|c| c.auth.failures_per_minute_per_address = 12)
        .spawn()
        .await;
    let tenant = setup_first_tenant(&app).await.tenant;
    let mut secrets: Vec<String> = vec![ADMIN_PASSWORD.to_owned()];

    let mut admin = ApiClient::new(&app);
    assert_eq!(admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    secrets.push(admin.cookie.clone().unwrap());
    secrets.push(admin.csrf.clone().unwrap());

    // Roles: created, changed, deleted.
    let Reply { json: role, .. } = admin
        .post(
            "/roles",
            &json!({"name": "Leser", "permissions": {"employees": "read"}}),
        )
        .await;
    let role_id = role["id"].as_str().unwrap().to_owned();
    let Reply { status, .. } = admin
        .request(
            reqwest::Method::PUT,
            &format!("/roles/{role_id}"),
            Some(&json!({"name": "Leser", "permissions": {"employees": "read", "users": "read"}})),
        )
        .await;
    assert_eq!(status, 200);
    let Reply { json: spare, .. } = admin
        .post("/roles", &json!({"name": "Spare", "permissions": {}}))
        .await;
    let spare = spare["id"].as_str().unwrap().to_owned();
    assert_eq!(
        admin
            .request(reqwest::Method::DELETE, &format!("/roles/{spare}"), None)
            .await
            .status,
        204
    );

    // A user: created, registered, changed, deactivated, reactivated.
    let Reply {
        status,
        json: created,
        ..
    } = admin
        .post(
            "/users",
            &json!({"first_name": "Bea", "last_name": "Berg", "email": "bea@acme.de",
                   "role_id": role_id, "scope": {"administrator": false, "location": ["Köln"]}}),
        )
        .await;
    assert_eq!(status, 201);
    let bea = created["id"].as_str().unwrap().to_owned();
    let mails = sink.wait_for(1, PATIENCE).await;
    let token = token_after(mails[0].text.as_deref().unwrap(), "/welcome#").unwrap();
    secrets.push(token.clone());
    assert_eq!(
        ApiClient::new(&app)
            .post(
                "/invitations/accept",
                &json!({"token": token, "password": ADMIN_PASSWORD})
            )
            .await
            .status,
        204
    );
    assert_eq!(
        admin
            .patch(&format!("/users/{bea}"), &json!({"last_name": "Brunnen"}))
            .await
            .status,
        200
    );
    assert_eq!(
        admin
            .post(&format!("/users/{bea}/deactivate"), &json!({}))
            .await
            .status,
        204
    );
    assert_eq!(
        admin
            .post(&format!("/users/{bea}/reactivate"), &json!({}))
            .await
            .status,
        204
    );

    // Bea: password changed, logged out, sessions ended, reset requested and done.
    let mut b = ApiClient::new(&app);
    assert_eq!(b.login("bea@acme.de", ADMIN_PASSWORD).await.status, 200);
    let second = "Ein-neues-Kennwort-42";
    secrets.push(second.to_owned());
    assert_eq!(
        b.request(
            reqwest::Method::PUT,
            "/me/password",
            Some(&json!({"current_password": ADMIN_PASSWORD, "new_password": second})),
        )
        .await
        .status,
        204
    );
    assert_eq!(
        b.request(reqwest::Method::DELETE, "/session", None)
            .await
            .status,
        204
    );
    assert_eq!(b.login("bea@acme.de", second).await.status, 200);
    assert_eq!(b.post("/sessions/end-all", &json!({})).await.status, 204);
    assert_eq!(
        b.post("/password/forgot", &json!({"email": "bea@acme.de"}))
            .await
            .status,
        202
    );
    let mails = sink.wait_for(3, PATIENCE).await;
    let reset = mails
        .iter()
        .find_map(|m| token_after(m.text.as_deref().unwrap_or_default(), "/reset#"))
        .unwrap();
    secrets.push(reset.clone());
    let third = "Drittes-Kennwort-für-B-77";
    secrets.push(third.to_owned());
    assert_eq!(
        b.post(
            "/password/reset",
            &json!({"token": reset, "password": third})
        )
        .await
        .status,
        204
    );

    // Lockout and unlock; a burst from one address is a suspected attack.
    for _ in 0..5 {
        assert_eq!(
            ApiClient::new(&app)
                .login("bea@acme.de", "falsch")
                .await
                .status,
            401
        );
    }
    assert_eq!(
        admin
            .post(&format!("/users/{bea}/unlock"), &json!({}))
            .await
            .status,
        204
    );
    for _ in 0..8 {
        ApiClient::new(&app)
            .login("niemand@acme.de", "falsch")
            .await;
    }

    // Audit export.
    assert_eq!(admin.get("/audit/export").await.status, 200);

    let entries = app
        .store()
        .entries(tenant, &AuditQuery::default(), PageRequest::first(500))
        .await
        .unwrap()
        .items;
    let actions: Vec<&str> = entries.iter().map(|e| e.event.action.key()).collect();
    for expected in [
        "tenant_created",
        "user_created",
        "login_succeeded",
        "login_failed",
        "role_created",
        "role_changed",
        "role_deleted",
        "invitation_accepted",
        "user_changed",
        "user_deactivated",
        "user_reactivated",
        "password_changed",
        "logged_out",
        "sessions_ended",
        "password_reset_requested",
        "password_reset",
        "account_locked",
        "account_unlocked",
        "suspected_attack",
        "data_exported",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing in {actions:?}"
        );
    }
    // Every entry has a time and an actor; those caused by a request its address.
    for e in &entries {
        if !matches!(
            e.event.action.key(),
            "tenant_created" | "account_locked" | "user_created"
        ) {
            assert!(
                e.event.source_ip.is_some(),
                "{:?} without address",
                e.event.action
            );
        }
    }
    // No secret in any entry, in any field.
    let dump = format!("{entries:?}");
    let texts: Vec<String> = entries
        .iter()
        .flat_map(|e| {
            e.event
                .changes
                .iter()
                .flat_map(|c| {
                    [
                        Some(c.field.as_str()),
                        c.before.as_ref().map(|v| v.as_str()),
                        c.after.as_ref().map(|v| v.as_str()),
                    ]
                })
                .flatten()
                .map(str::to_owned)
                .chain(e.event.detail.as_ref().map(|d| d.as_str().to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    for secret in &secrets {
        let needle = secret.split('=').next_back().unwrap();
        assert!(!dump.contains(needle), "a secret in the audit log");
        assert!(
            texts.iter().all(|t| !t.contains(needle)),
            "a secret in the audit log"
        );
    }
}
