//! Second factors, the audit log API and the retention sweep, through the real
//! server on SQLite and Postgres. TOTP codes are computed by the test from the
//! secret in the enrolment URI; SMS codes are read from the gateway double.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers fail the test loudly"
)]

use std::sync::Arc;
use std::time::Duration as StdDuration;

use serde_json::json;
use time::Duration;
use zeugnis_core::ports::{
    AuditLog as _, AuditQuery, ChangeSet, Clock as _, PageRequest, SettingsStore as _,
    TotpEngine as _, TotpSecret, UnitOfWork as _, Write,
};
use zeugnis_core::second_factor::step_at;
use zeugnis_core::settings::SecondFactorRequirement;
use zeugnis_tests::api::{
    ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, Reply, setup_first_tenant, token_in_mail,
    totp_secret_of as secret_of,
};
use zeugnis_tests::sms_gateway::GatewayDouble;
use zeugnis_tests::{Backend, TestApp, TestAppBuilder, TestClock};

fn code(secret: &TotpSecret, clock: &TestClock) -> String {
    zeugnis_auth::TotpRs::new().code_at(secret, step_at(clock.now()))
}

async fn audit_actions(app: &TestApp, tenant: zeugnis_core::id::TenantId) -> Vec<String> {
    app.store()
        .entries(tenant, &AuditQuery::default(), PageRequest::first(500))
        .await
        .unwrap()
        .items
        .iter()
        .map(|e| e.event.action.key().to_owned())
        .collect()
}

async fn builder(backend: Backend, what: &str, clock: &Arc<TestClock>) -> Option<TestAppBuilder> {
    TestApp::builder()
        .with_clock(Arc::clone(clock) as Arc<dyn zeugnis_core::ports::Clock>)
        .on(backend, what)
        .await
}

zeugnis_tests::on_both_databases!(
    totp_codes_work_once_and_recovery_codes_replace_a_lost_app,
    a_required_second_factor_is_enrolled_during_the_next_login,
    sms_codes_expire_after_five_minutes_and_belong_to_one_attempt,
    administrators_read_and_export_the_audit_log_safely,
    the_retention_sweep_deletes_audit_entries_past_retention,
    a_hash_with_weaker_parameters_is_renewed_at_the_next_login,
    forgot_password_requests_from_one_address_are_limited,
    a_login_left_at_the_second_step_counts_as_a_failure,
);

async fn totp_codes_work_once_and_recovery_codes_replace_a_lost_app(backend: Backend) {
    let clock = TestClock::new();
    // Without Postgres outside CI the database helper prints why it skips.
    let Some(b) = builder(backend, "totp", &clock).await else {
        return;
    };
    let app = b.with_admin().spawn().await;
    let tenant = app.organisation().tenant;
    let mut c = app.admin();

    // Setting up a factor needs the current password.
    let Reply {
        status, json: body, ..
    } = c.post("/me/totp", &json!({"password": "falsch"})).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("wrong_current_password"))
    );
    let Reply {
        status,
        json: setup,
        ..
    } = c
        .post("/me/totp", &json!({"password": ADMIN_PASSWORD}))
        .await;
    assert_eq!(status, 200, "{setup}");
    let uri = setup["otpauth_uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/") && uri.contains("issuer="),
        "{uri}"
    );
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = secret_of(uri);
    // A wrong code does not confirm.
    let Reply { status, .. } = c.post("/me/totp/confirm", &json!({"code": "000000"})).await;
    assert_eq!(status, 401);
    let enrolment_code = code(&secret, &clock);
    let Reply {
        status, json: body, ..
    } = c
        .post("/me/totp/confirm", &json!({"code": enrolment_code}))
        .await;
    assert_eq!(status, 200, "{body}");
    let recovery: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);

    // The next login asks for the second factor; the session can do nothing else.
    let Reply {
        status, json: body, ..
    } = c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "second_factor_required");
    assert!(body.get("user").is_none());
    assert_eq!(c.get("/session").await.status, 401);
    // The code used at enrolment is never accepted again (same step).
    let Reply {
        status, json: body, ..
    } = c
        .post(
            "/login/second-factor",
            &json!({"method": "totp", "code": enrolment_code}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (401, Some("invalid_code")));
    // The next step's code, computed here, logs in.
    clock.advance(Duration::seconds(30));
    let fresh = code(&secret, &clock);
    let Reply {
        status, json: body, ..
    } = c
        .post(
            "/login/second-factor",
            &json!({"method": "totp", "code": fresh}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "logged_in");
    assert_eq!(c.get("/session").await.status, 200);
    // Replaying that code in a new login is refused.
    assert_eq!(c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    let Reply { status, .. } = c
        .post(
            "/login/second-factor",
            &json!({"method": "totp", "code": fresh}),
        )
        .await;
    assert_eq!(status, 401);
    // A recovery code works once.
    let Reply { status, .. } = c
        .post(
            "/login/second-factor",
            &json!({"method": "recovery_code", "code": recovery[0].to_uppercase()}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    let Reply { status, .. } = c
        .post(
            "/login/second-factor",
            &json!({"method": "recovery_code", "code": recovery[0]}),
        )
        .await;
    assert_eq!(status, 401);

    let actions = audit_actions(&app, tenant).await;
    for expected in [
        "second_factor_enrolled",
        "second_factor_failed",
        "recovery_code_used",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} in {actions:?}"
        );
    }
    // Three wrong codes so far counted as failed logins.
    let failed = actions
        .iter()
        .filter(|a| *a == "second_factor_failed")
        .count();
    assert_eq!(failed, 3, "{actions:?}");
}

async fn a_required_second_factor_is_enrolled_during_the_next_login(backend: Backend) {
    let clock = TestClock::new();
    let Some(b) = builder(backend, "totp_required", &clock).await else {
        return;
    };
    let app = b.spawn().await;
    let tenant = setup_first_tenant(&app).await.tenant;
    let store = &app.store();
    let current = store.settings(tenant).await.unwrap();
    let mut settings = current.value.clone();
    settings.security.second_factor = SecondFactorRequirement::Required;
    let version = (current.version.0 > 0).then_some(current.version);
    let mut cs = ChangeSet::new(tenant);
    cs.push(Write::SaveSettings(settings, version));
    store.commit(cs).await.unwrap();

    let mut c = ApiClient::new(&app);
    let Reply {
        status, json: body, ..
    } = c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "second_factor_required");
    assert_eq!(body["enrolment_required"], true);
    assert_eq!(
        c.get("/users").await.status,
        401,
        "nothing before enrolment"
    );
    let Reply {
        status,
        json: setup,
        ..
    } = c.post("/login/totp", &json!({})).await;
    assert_eq!(status, 200, "{setup}");
    let secret = secret_of(setup["otpauth_uri"].as_str().unwrap());
    let Reply {
        status, json: body, ..
    } = c
        .post(
            "/login/totp/confirm",
            &json!({"code": code(&secret, &clock)}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["login"]["status"], "logged_in");
    assert_eq!(body["recovery_codes"].as_array().unwrap().len(), 10);
    assert_eq!(c.get("/users").await.status, 200);
    let logins = app
        .store()
        .entries(
            tenant,
            &AuditQuery {
                action: Some(zeugnis_core::audit::AuditAction::LoginSucceeded),
                ..AuditQuery::default()
            },
            PageRequest::first(10),
        )
        .await
        .unwrap()
        .items;
    assert_eq!(
        logins[0]
            .event
            .detail
            .as_ref()
            .map(|d| d.as_str().to_owned()),
        Some("totp_enrolment".to_owned()),
        "the login through enrolment is audited"
    );
}

async fn sms_codes_expire_after_five_minutes_and_belong_to_one_attempt(backend: Backend) {
    let clock = TestClock::new();
    let gateway = GatewayDouble::start().await;
    let url = gateway.url();
    let Some(b) = builder(backend, "sms_codes", &clock).await else {
        return;
    };
    let app = b
        .with_config(|c| {
            c.sms.url = url;
            c.delivery.poll_secs = 1;
        })
        .with_admin()
        .spawn()
        .await;
    let mut c = app.admin();
    let me = c.get("/session").await.json["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The own phone number is changed with the password, not through PATCH.
    let Reply {
        status, json: body, ..
    } = c
        .patch(
            &format!("/users/{me}"),
            &json!({"phone": "+49 151 1234 5678"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("reauthentication_required"))
    );
    let Reply {
        status, json: body, ..
    } = c
        .request(
            reqwest::Method::PUT,
            "/me/contact",
            Some(&json!({"password": ADMIN_PASSWORD, "phone": "+49 151 1234 5678"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["phone"], "+4915112345678");

    let sms_count = || gateway.requests().len();
    let wait_for_sms = |n: usize| {
        let gateway = &gateway;
        async move {
            for _ in 0..200 {
                let requests = gateway.requests();
                if requests.len() >= n {
                    let text = requests[n - 1].body["text"].as_str().unwrap().to_owned();
                    return text.split_whitespace().next().unwrap().to_owned();
                }
                tokio::time::sleep(StdDuration::from_millis(50)).await;
            }
            panic!("no SMS number {n} arrived");
        }
    };
    let Reply {
        status, json: body, ..
    } = c
        .post("/me/sms", &json!({"password": ADMIN_PASSWORD}))
        .await;
    assert_eq!(status, 202, "{body}");
    let challenge = body["challenge_id"].as_str().unwrap().to_owned();
    let enrol_code = wait_for_sms(1).await;
    let Reply {
        status, json: body, ..
    } = c
        .post(
            "/me/sms/confirm",
            &json!({"challenge_id": challenge, "code": enrol_code}),
        )
        .await;
    assert_eq!(status, 204, "{body}");

    // Attempt A gets a code; it expires after 5 minutes.
    let Reply { json: body, .. } = c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(body["status"], "second_factor_required");
    let attempt_a = (c.cookie.clone(), c.csrf.clone());
    assert_eq!(c.post("/login/sms", &json!({})).await.status, 202);
    let code_a = wait_for_sms(2).await;
    let Reply {
        status, json: body, ..
    } = c.post("/login/sms", &json!({})).await;
    assert_eq!((status, body["code"].as_str()), (429, Some("too_soon")));
    clock.advance(Duration::minutes(5));
    let Reply { status, .. } = c
        .post(
            "/login/second-factor",
            &json!({"method": "sms", "code": code_a}),
        )
        .await;
    assert_eq!(status, 401, "an expired code is refused");

    // Attempt B: attempt A's code does not work for it; its own does.
    clock.advance(Duration::minutes(1));
    let Reply { json: body, .. } = c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(body["status"], "second_factor_required");
    let before = sms_count();
    assert_eq!(c.post("/login/sms", &json!({})).await.status, 202);
    let code_b = wait_for_sms(before + 1).await;
    let Reply { status, .. } = c
        .post(
            "/login/second-factor",
            &json!({"method": "sms", "code": code_a}),
        )
        .await;
    assert_eq!(status, 401, "a code of another attempt is refused");
    let Reply {
        status, json: body, ..
    } = c
        .post(
            "/login/second-factor",
            &json!({"method": "sms", "code": code_b}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Used once.
    let Reply { status, .. } = c
        .post(
            "/login/second-factor",
            &json!({"method": "sms", "code": code_b}),
        )
        .await;
    assert_eq!(status, 401, "the full session is no pending login");
    // Attempt A's pending session ended when its 5 minutes ran out.
    c.cookie = attempt_a.0;
    c.csrf = attempt_a.1;
    assert_eq!(c.post("/login/sms", &json!({})).await.status, 401);
}

async fn administrators_read_and_export_the_audit_log_safely(backend: Backend) {
    let clock = TestClock::new();
    let Some(b) = builder(backend, "audit_api", &clock).await else {
        return;
    };
    let app = b.with_admin().spawn().await;
    let mut admin = app.admin();
    assert_eq!(
        ApiClient::new(&app)
            .login(ADMIN_EMAIL, "falsch")
            .await
            .status,
        401
    );
    let Reply {
        status,
        json: created,
        ..
    } = admin
        .post(
            "/roles",
            &json!({"name": "Leser", "permissions": {"employees": "read"}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let reader_role = created["id"].as_str().unwrap().to_owned();
    let Reply {
        status,
        json: invited,
        ..
    } = admin
        .post(
            "/users",
            &json!({
                "first_name": "=HYPERLINK(\"http://evil\")", "last_name": "Jürgens, Öztürk",
                "email": "leser@acme.de", "role_id": reader_role,
                "scope": {"administrator": false, "location": ["Köln"]},
            }),
        )
        .await;
    assert_eq!(status, 201, "{invited}");
    let uid = invited["id"].as_str().unwrap().to_owned();
    let Reply {
        status,
        json: changed,
        ..
    } = admin
        .patch(&format!("/users/{uid}"), &json!({"last_name": "@Straße"}))
        .await;
    assert_eq!(status, 200, "{changed}");

    let Reply {
        status, json: page, ..
    } = admin.get("/audit?action=login_failed").await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["detail"], "wrong_password");
    assert_eq!(items[0]["source_ip"], "127.0.0.1");
    let Reply { json: by_user, .. } = admin.get(&format!("/audit?user={uid}")).await;
    let actions: Vec<&str> = by_user["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["user_changed", "user_created"]);
    assert_eq!(admin.get("/audit?action=nonsense").await.status, 422);

    let resp = app
        .client()
        .get(app.url("/api/v1/audit/export"))
        .header("cookie", admin.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xef\xbb\xbf", "UTF-8 byte-order mark");
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        csv.starts_with(
            "seq,time_utc,actor,on_behalf_of,source_ip,action,target,changed_fields,before,after,detail\r\n"
        ),
        "{csv}"
    );
    // Every row has the header's eleven cells (quoted cells may hold commas).
    for line in csv.lines() {
        let mut cells = 1;
        let mut quoted = false;
        for ch in line.chars() {
            match ch {
                '"' => quoted = !quoted,
                ',' if !quoted => cells += 1,
                _ => {}
            }
        }
        assert_eq!(cells, 11, "{line}");
    }
    assert!(csv.contains("Straße"), "umlauts kept");
    // Every cell that a spreadsheet would run starts with a quote mark.
    for line in csv.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "unsafe cell {cell:?} in {line}"
            );
        }
    }
    assert!(csv.contains("'@Straße"), "{csv}");
    assert!(!csv.contains(ADMIN_PASSWORD));
    let actions = audit_actions(&app, app.organisation().tenant).await;
    assert_eq!(actions[0], "data_exported");

    // A non-Administrator gets nothing.
    let token = invitation_token(&app).await;
    let mut reader = ApiClient::new(&app);
    let Reply {
        status, json: body, ..
    } = reader
        .post(
            "/invitations/accept",
            &json!({"token": token, "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        reader.login("leser@acme.de", ADMIN_PASSWORD).await.status,
        200
    );
    let Reply {
        status, json: body, ..
    } = reader.get("/audit").await;
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(reader.get("/audit/export").await.status, 403);
}

/// The registration token of the (only) invitation mail in the mail folder.
async fn invitation_token(app: &TestApp) -> String {
    app.deliver_outbox()
        .await
        .iter()
        .find_map(|m| token_in_mail(m, "/welcome#"))
        .expect("an invitation mail")
}

async fn the_retention_sweep_deletes_audit_entries_past_retention(backend: Backend) {
    let clock = TestClock::new();
    let Some(b) = builder(backend, "audit_retention", &clock).await else {
        return;
    };
    let app = b.spawn().await;
    let tenant = setup_first_tenant(&app).await.tenant;
    let mut c = ApiClient::new(&app);
    assert_eq!(c.login(ADMIN_EMAIL, "falsch").await.status, 401);
    let before = audit_actions(&app, tenant).await;
    assert!(before.iter().any(|a| a == "login_failed"));

    clock.advance(Duration::days(59));
    zeugnis_app::jobs::sweep_all(app.state()).await.unwrap();
    let kept = audit_actions(&app, tenant).await;
    assert!(kept.iter().any(|a| a == "login_failed"), "59 days: kept");

    clock.advance(Duration::days(2));
    assert_eq!(zeugnis_app::jobs::sweep_all(app.state()).await.unwrap(), 1);
    let after = audit_actions(&app, tenant).await;
    assert!(!after.iter().any(|a| a == "login_failed"), "{after:?}");
    assert!(after.iter().all(|a| a == "retention_sweep"), "{after:?}");
}

async fn a_hash_with_weaker_parameters_is_renewed_at_the_next_login(backend: Backend) {
    use zeugnis_core::password::Password;
    use zeugnis_core::ports::{CredentialStore as _, PasswordHasher as _, UserStore as _};
    let clock = TestClock::new();
    let Some(b) = builder(backend, "rehash", &clock).await else {
        return;
    };
    // Today's parameters as a server for use has them.
    let app = b
        .with_config(|c| c.auth.password_hashing = zeugnis_app::config::PasswordHashing::Owasp)
        .spawn()
        .await;
    let tenant = setup_first_tenant(&app).await.tenant;
    let store = &app.store();
    let user = store
        .user_by_email(
            tenant,
            &zeugnis_core::values::Email::parse(ADMIN_EMAIL).unwrap(),
        )
        .await
        .unwrap()
        .unwrap()
        .value;
    let old = zeugnis_auth::Argon2Hasher::new(
        zeugnis_auth::Argon2Params {
            memory_kib: 8192,
            iterations: 1,
            parallelism: 1,
        },
        1,
    )
    .unwrap()
    .hash(&Password::new(ADMIN_PASSWORD))
    .await
    .unwrap();
    assert!(old.as_str().contains("m=8192"));
    let mut cs = ChangeSet::new(tenant);
    cs.push(Write::SetPasswordHash(user.id, old));
    store.commit(cs).await.unwrap();

    let mut c = ApiClient::new(&app);
    assert_eq!(c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    let renewed = store.password_hash(tenant, user.id).await.unwrap().unwrap();
    assert!(
        renewed.as_str().starts_with("$argon2id$") && renewed.as_str().contains("m=19456,t=2,p=1"),
        "renewed with today's parameters"
    );
    assert_eq!(
        c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status,
        200,
        "and still works"
    );
}

async fn forgot_password_requests_from_one_address_are_limited(backend: Backend) {
    let clock = TestClock::new();
    let Some(b) = builder(backend, "forgot_limit", &clock).await else {
        return;
    };
    let app = b
        .with_config(|c| c.auth.failures_per_minute_per_address = 3)
        .spawn()
        .await;
    setup_first_tenant(&app).await;
    let mut c = ApiClient::new(&app);
    for _ in 0..4 {
        let Reply { status, .. } = c
            .post("/password/forgot", &json!({"email": ADMIN_EMAIL}))
            .await;
        assert_eq!(status, 202);
    }
    let Reply {
        status, json: body, ..
    } = c
        .post("/password/forgot", &json!({"email": ADMIN_EMAIL}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
}

async fn a_login_left_at_the_second_step_counts_as_a_failure(backend: Backend) {
    let clock = TestClock::new();
    let Some(b) = builder(backend, "abandoned", &clock).await else {
        return;
    };
    let app = b.with_admin().spawn().await;
    let tenant = app.organisation().tenant;
    let mut c = app.admin();
    let Reply { json: setup, .. } = c
        .post("/me/totp", &json!({"password": ADMIN_PASSWORD}))
        .await;
    let secret = secret_of(setup["otpauth_uri"].as_str().unwrap());
    assert_eq!(
        c.post("/me/totp/confirm", &json!({"code": code(&secret, &clock)}))
            .await
            .status,
        200
    );
    // Five logins that never give the code: the fifth missing code locks.
    let mut left_behind = Vec::new();
    for _ in 0..5 {
        let Reply {
            status, json: body, ..
        } = c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(
            (status, body["status"].as_str()),
            (200, Some("second_factor_required"))
        );
        left_behind.push(c.cookie.clone());
    }
    let Reply {
        status, json: body, ..
    } = c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
    let actions = audit_actions(&app, tenant).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "account_locked").count(),
        1,
        "{actions:?}"
    );
    // The abandoned pending sessions are gone.
    c.cookie = left_behind[0].clone();
    clock.advance(Duration::seconds(30));
    let Reply { status, .. } = c
        .post(
            "/login/second-factor",
            &json!({"method": "totp", "code": code(&secret, &clock)}),
        )
        .await;
    assert_eq!(status, 401);
}
