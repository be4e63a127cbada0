//! Logging in through the real server on SQLite and Postgres: the invitation
//! and reset flows with mails read from a real SMTP server, lockout (also under
//! parallel attempts), no enumeration (status, body and timing), sessions and
//! their timeouts, CSRF, cookie flags, security headers, no escalation.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::print_stderr,
    reason = "test helpers fail the test loudly; the timing test reports its numbers"
)]

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use serde_json::{Value, json};
use time::Duration;
use zeugnis_core::access::{AccessLevel, Area, Permissions, Role};
use zeugnis_core::audit::AuditAction;
use zeugnis_core::id::{RoleId, TenantId};
use zeugnis_core::ports::{
    AuditLog as _, AuditQuery, ChangeSet, PageRequest, UnitOfWork as _, Write,
};
use zeugnis_core::values::Name;
use zeugnis_tests::client::{Client, PASSWORD, set_up, token_after};
use zeugnis_tests::smtp_sink::{SinkOptions, SmtpSink, start_sink_or_skip};
use zeugnis_tests::{Backend, TestApp, TestAppBuilder, TestClock};

const PATIENCE: StdDuration = StdDuration::from_secs(20);

async fn builder(backend: Backend, what: &str) -> Option<TestAppBuilder> {
    TestApp::builder().on(backend, what).await
}

async fn count(app: &TestApp, tenant: TenantId, action: AuditAction) -> usize {
    let q = AuditQuery {
        action: Some(action),
        ..AuditQuery::default()
    };
    app.store()
        .entries(tenant, &q, PageRequest::first(500))
        .await
        .unwrap()
        .items
        .len()
}

/// Invites `email` as a holder of `role_id` (Administrator scope unless given)
/// and completes the registration with [`PASSWORD`], reading the link from the
/// sink's `n`-th mail.
async fn invite_and_register(
    admin: &mut Client,
    app: &TestApp,
    sink: &SmtpSink,
    n: usize,
    email: &str,
    role_id: &str,
) -> String {
    let (status, body) = admin
        .post(
            "/users",
            json!({"first_name": "Bea", "last_name": "Berg", "email": email,
                   "role_id": role_id, "scope": {"administrator": true}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mails = sink.wait_for(n, PATIENCE).await;
    let mail = mails.last().unwrap();
    assert_eq!(mail.rcpt_tos, [email.to_owned()]);
    let token = token_after(mail.text.as_deref().unwrap(), "/welcome#").expect("a link");
    let (status, body) = Client::new(app)
        .post(
            "/invitations/accept",
            json!({"tenant": "acme", "token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let me = admin.get("/users").await.1;
    me["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn admin_role_id(roles: &Value) -> String {
    roles[0]["id"].as_str().unwrap().to_owned()
}

zeugnis_tests::on_both_databases!(
    workers = 4;
    an_invited_user_registers_through_the_mailed_link_once,
    the_fifth_failure_locks_until_an_administrator_unlocks,
    twenty_parallel_wrong_attempts_lock_at_exactly_five,
    unknown_wrong_locked_and_deactivated_accounts_look_the_same,
    a_reset_link_works_once_ends_sessions_and_expires,
    sessions_end_after_their_idle_and_absolute_timeouts,
    state_changes_without_the_csrf_token_are_refused_and_change_nothing,
    nobody_grants_more_than_they_hold_through_the_api,
    a_locked_administrator_cannot_step_in_for_the_last_active_one,
);

async fn an_invited_user_registers_through_the_mailed_link_once(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = builder(backend, "invitation").await else {
        return;
    };
    let app = b.with_smtp(&sink).spawn().await;
    let tenant = set_up(&app).await;
    let mut admin = Client::new(&app);
    assert_eq!(admin.login("anna@acme.de", PASSWORD).await.0, 200);
    let roles = admin.get("/roles").await.1;
    let (status, body) = admin
        .post(
            "/users",
            json!({"first_name": "Bea", "last_name": "Berg", "email": "bea@acme.de",
                   "role_id": admin_role_id(&roles), "scope": {"administrator": true}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mails = sink.wait_for(1, PATIENCE).await;
    assert_eq!(mails[0].rcpt_tos, ["bea@acme.de"]);
    let text = mails[0].text.as_deref().unwrap();
    assert!(text.contains("http://localhost/t/acme/welcome#"), "{text}");
    let token = token_after(text, "/welcome#").unwrap();

    let mut bea = Client::new(&app);
    // A common German password is refused, with the rule that failed.
    let (status, body) = bea
        .post(
            "/invitations/accept",
            json!({"tenant": "acme", "token": token, "password": "Passwort1!"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("password_policy"))
    );
    assert!(!body["details"].as_array().unwrap().is_empty());
    assert_eq!(bea.login("bea@acme.de", "Passwort1!").await.0, 401);
    let (status, _) = bea
        .post(
            "/invitations/accept",
            json!({"tenant": "acme", "token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = bea.login("bea@acme.de", PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["status"], "active");
    let (status, body) = bea
        .post(
            "/invitations/accept",
            json!({"tenant": "acme", "token": token, "password": "Another-Long-Pass-9"}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (410, Some("invalid_link")));
    assert_eq!(count(&app, tenant, AuditAction::UserCreated).await, 2);
    assert_eq!(
        count(&app, tenant, AuditAction::InvitationAccepted).await,
        1
    );
}

async fn the_fifth_failure_locks_until_an_administrator_unlocks(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = builder(backend, "lockout").await else {
        return;
    };
    let app = b.with_smtp(&sink).spawn().await;
    let tenant = set_up(&app).await;
    let mut admin = Client::new(&app);
    assert_eq!(admin.login("anna@acme.de", PASSWORD).await.0, 200);
    let roles = admin.get("/roles").await.1;
    let bea = invite_and_register(
        &mut admin,
        &app,
        &sink,
        1,
        "bea@acme.de",
        &admin_role_id(&roles),
    )
    .await;

    let mut c = Client::new(&app);
    for _ in 0..4 {
        assert_eq!(c.login("bea@acme.de", "falsch").await.0, 401);
    }
    assert_eq!(
        c.login("bea@acme.de", PASSWORD).await.0,
        200,
        "4 failures: not locked, and reset"
    );
    for _ in 0..4 {
        assert_eq!(c.login("bea@acme.de", "falsch").await.0, 401);
    }
    assert_eq!(
        c.login("bea@acme.de", PASSWORD).await.0,
        200,
        "the count started again"
    );
    for _ in 0..5 {
        assert_eq!(c.login("bea@acme.de", "falsch").await.0, 401);
    }
    let (status, body) = c.login("bea@acme.de", PASSWORD).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
    assert_eq!(count(&app, tenant, AuditAction::AccountLocked).await, 1);
    let user = admin.get(&format!("/users/{bea}")).await.1;
    assert_eq!(user["status"], "locked");
    // One lock notice (after the invitation).
    let mails = sink.wait_for(2, PATIENCE).await;
    assert_eq!(mails[1].rcpt_tos, ["bea@acme.de"]);
    assert_eq!(mails.len(), 2);

    let (status, _) = admin.post(&format!("/users/{bea}/unlock"), json!({})).await;
    assert_eq!(status, 204);
    assert_eq!(c.login("bea@acme.de", PASSWORD).await.0, 200);
    assert_eq!(count(&app, tenant, AuditAction::AccountUnlocked).await, 1);
    let (status, _) = admin.post(&format!("/users/{bea}/unlock"), json!({})).await;
    assert_eq!(status, 409, "not locked any more");
}

async fn twenty_parallel_wrong_attempts_lock_at_exactly_five(backend: Backend) {
    let Some(b) = builder(backend, "parallel_lockout").await else {
        return;
    };
    let app = b
        .with_config(|c| c.auth.failures_per_minute_per_address = 10_000)
        .spawn()
        .await;
    let tenant = set_up(&app).await;
    let at_once = |n: usize| {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..n {
            let mut c = Client::new(&app);
            set.spawn(async move { c.login("anna@acme.de", "falsch").await.0 });
        }
        set.join_all()
    };
    // Four at once: counted, not locked.
    let four = at_once(4).await;
    assert!(four.iter().all(|s| *s == 401));
    assert_eq!(
        Client::new(&app).login("anna@acme.de", PASSWORD).await.0,
        200
    );
    // Twenty at once: locked, every attempt counted once, one lock.
    let twenty = at_once(20).await;
    assert!(twenty.iter().all(|s| *s == 401));
    assert_eq!(
        Client::new(&app).login("anna@acme.de", PASSWORD).await.0,
        401
    );
    assert_eq!(count(&app, tenant, AuditAction::AccountLocked).await, 1);
    // 4 + 20 wrong passwords and the refused right one.
    assert_eq!(count(&app, tenant, AuditAction::LoginFailed).await, 25);
    let user = zeugnis_core::ports::UserStore::user_by_email(
        &**app.store(),
        tenant,
        &zeugnis_core::values::Email::parse("anna@acme.de").unwrap(),
    )
    .await
    .unwrap()
    .unwrap()
    .value;
    assert_eq!(
        user.failed_logins, 21,
        "20 wrong, then the refused right one"
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn p90(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() * 9 / 10]
}

async fn unknown_wrong_locked_and_deactivated_accounts_look_the_same(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = builder(backend, "enumeration").await else {
        return;
    };
    let app = b
        .with_smtp(&sink)
        .with_config(|c| c.auth.failures_per_minute_per_address = 100_000)
        .spawn()
        .await;
    set_up(&app).await;
    let mut admin = Client::new(&app);
    assert_eq!(admin.login("anna@acme.de", PASSWORD).await.0, 200);
    let role = admin_role_id(&admin.get("/roles").await.1);
    invite_and_register(&mut admin, &app, &sink, 1, "locked@acme.de", &role).await;
    let gone = invite_and_register(&mut admin, &app, &sink, 2, "gone@acme.de", &role).await;
    invite_and_register(&mut admin, &app, &sink, 3, "wrong@acme.de", &role).await;
    for _ in 0..5 {
        Client::new(&app).login("locked@acme.de", "falsch").await;
    }
    assert_eq!(
        admin
            .post(&format!("/users/{gone}/deactivate"), json!({}))
            .await
            .0,
        204
    );

    let cases: [(&str, &str, Option<&str>); 5] = [
        ("unknown", "niemand@acme.de", None),
        ("wrong password", "wrong@acme.de", None),
        ("locked", "locked@acme.de", None),
        ("deactivated", "gone@acme.de", None),
        ("unknown organisation", "wrong@acme.de", Some("nope")),
    ];
    let mut first: Option<(u16, Value)> = None;
    let rounds = 25;
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for _ in 0..rounds {
        for (i, (_, email, tenant)) in cases.iter().enumerate() {
            let mut c = Client::new(&app);
            let mut body = json!({"email": email, "password": "Falsch-Passwort-1"});
            if let Some(t) = tenant {
                body["tenant"] = json!(t);
            }
            let start = Instant::now();
            let answer = c.post("/login", body).await;
            times[i].push(start.elapsed().as_secs_f64() * 1000.0);
            match &first {
                None => first = Some(answer),
                Some(f) => assert_eq!(&answer, f, "case {:?}", cases[i].0),
            }
        }
    }
    let (status, body) = first.unwrap();
    assert_eq!(status, 401);
    assert_eq!(body["code"], "invalid_credentials");
    let medians: Vec<f64> = times.iter().map(|t| median(t.clone())).collect();
    for (i, (name, _, _)) in cases.iter().enumerate() {
        eprintln!(
            "login timing, {name}: median {:.1} ms, p90 {:.1} ms over {rounds} tries",
            medians[i],
            p90(times[i].clone())
        );
    }
    // The dummy hash makes every case do one Argon2id verify: the medians stay
    // within a generous band of the wrong-password case (machine noise allowed).
    let reference = medians[1];
    for (i, m) in medians.iter().enumerate() {
        assert!(
            (m - reference).abs() <= reference * 0.5 + 5.0,
            "{}: median {m:.1} ms vs wrong password {reference:.1} ms",
            cases[i].0
        );
    }
}

async fn a_reset_link_works_once_ends_sessions_and_expires(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let clock = TestClock::new();
    let Some(b) = TestApp::builder()
        .with_clock(Arc::clone(&clock) as Arc<dyn zeugnis_core::ports::Clock>)
        .on(backend, "reset")
        .await
    else {
        return;
    };
    let app = b.with_smtp(&sink).spawn().await;
    let tenant = set_up(&app).await;
    let mut old_session = Client::new(&app);
    assert_eq!(old_session.login("anna@acme.de", PASSWORD).await.0, 200);

    let mut anon = Client::new(&app);
    let unknown = anon
        .post("/password/forgot", json!({"email": "niemand@acme.de"}))
        .await;
    let known = anon
        .post("/password/forgot", json!({"email": "anna@acme.de"}))
        .await;
    assert_eq!(unknown, known, "the same answer either way");
    assert_eq!(known.0, 202);
    let mails = sink.wait_for(1, PATIENCE).await;
    zeugnis_tests::api::outbox_drained(&app).await;
    assert_eq!(
        sink.received().len(),
        1,
        "only the known address gets a mail"
    );
    assert_eq!(mails[0].rcpt_tos, ["anna@acme.de"]);
    let token = token_after(mails[0].text.as_deref().unwrap(), "/reset#").unwrap();

    let new_password = "Neues-Passwort-für-Dich-7";
    let (status, _) = anon
        .post(
            "/password/reset",
            json!({"token": token, "password": new_password}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        old_session.get("/session").await.0,
        401,
        "every session ended"
    );
    assert_eq!(
        Client::new(&app).login("anna@acme.de", PASSWORD).await.0,
        401
    );
    assert_eq!(
        Client::new(&app)
            .login("anna@acme.de", new_password)
            .await
            .0,
        200
    );
    let (status, body) = anon
        .post(
            "/password/reset",
            json!({"token": token, "password": "Noch-ein-Passwort-9"}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (410, Some("invalid_link")));
    assert_eq!(
        count(&app, tenant, AuditAction::PasswordResetRequested).await,
        2
    );
    assert_eq!(count(&app, tenant, AuditAction::PasswordReset).await, 1);

    // A new link expires after 30 minutes.
    assert_eq!(
        anon.post("/password/forgot", json!({"email": "anna@acme.de"}))
            .await
            .0,
        202
    );
    let mails = sink.wait_for(3, PATIENCE).await;
    let link = mails
        .iter()
        .rev()
        .find_map(|m| token_after(m.text.as_deref().unwrap_or_default(), "/reset#"))
        .unwrap();
    clock.advance(Duration::minutes(30));
    let (status, _) = anon
        .post(
            "/password/reset",
            json!({"token": link, "password": "Noch-ein-Passwort-9"}),
        )
        .await;
    assert_eq!(status, 410);
}

async fn sessions_end_after_their_idle_and_absolute_timeouts(backend: Backend) {
    let clock = TestClock::new();
    let Some(b) = TestApp::builder()
        .with_clock(Arc::clone(&clock) as Arc<dyn zeugnis_core::ports::Clock>)
        .on(backend, "timeouts")
        .await
    else {
        return;
    };
    let app = b.spawn().await;
    set_up(&app).await;
    let mut c = Client::new(&app);
    assert_eq!(c.login("anna@acme.de", PASSWORD).await.0, 200);
    clock.advance(Duration::minutes(29));
    assert_eq!(c.get("/session").await.0, 200, "29 idle minutes");
    clock.advance(Duration::minutes(31));
    assert_eq!(c.get("/session").await.0, 401, "31 idle minutes");

    // Active every 20 minutes, the session still ends after 12 hours.
    assert_eq!(c.login("anna@acme.de", PASSWORD).await.0, 200);
    for _ in 0..(12 * 3 - 1) {
        clock.advance(Duration::minutes(20));
        assert_eq!(c.get("/session").await.0, 200);
    }
    clock.advance(Duration::minutes(20));
    assert_eq!(c.get("/session").await.0, 401, "12 hours absolute");
}

async fn state_changes_without_the_csrf_token_are_refused_and_change_nothing(backend: Backend) {
    let Some(b) = builder(backend, "csrf").await else {
        return;
    };
    let app = b.spawn().await;
    set_up(&app).await;
    let mut c = Client::new(&app);
    assert_eq!(c.login("anna@acme.de", PASSWORD).await.0, 200);
    let role = admin_role_id(&c.get("/roles").await.1);
    let invite = json!({"first_name": "Max", "last_name": "Muster", "email": "max@acme.de",
                        "role_id": role, "scope": {"administrator": true}});
    let token = c.csrf.take();
    let (status, body) = c.post("/users", invite.clone()).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("csrf")));
    c.csrf = Some("0".repeat(64));
    assert_eq!(c.post("/users", invite.clone()).await.0, 403);
    c.csrf = None;
    assert_eq!(
        c.get("/users").await.1["items"].as_array().unwrap().len(),
        1,
        "nothing was created"
    );
    c.csrf = token;
    assert_eq!(c.post("/users", invite).await.0, 201);
}

async fn nobody_grants_more_than_they_hold_through_the_api(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = builder(backend, "escalation").await else {
        return;
    };
    let app = b.with_smtp(&sink).spawn().await;
    let tenant = set_up(&app).await;
    let hr_role = Role::custom(
        RoleId::from_bytes([0x42; 16]),
        tenant,
        Name::new("HR").unwrap(),
        Permissions::none()
            .with(Area::Users, AccessLevel::ReadWrite)
            .with(Area::Roles, AccessLevel::ReadWrite),
    );
    let mut cs = ChangeSet::new(tenant);
    cs.push(Write::InsertRole(hr_role.clone()));
    app.store().commit(cs).await.unwrap();

    let mut admin = Client::new(&app);
    assert_eq!(admin.login("anna@acme.de", PASSWORD).await.0, 200);
    let admin_role = admin_role_id(&admin.get("/roles").await.1);
    let admin_id = admin.get("/session").await.1["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // HR with a restricted scope.
    let (status, body) = admin
        .post(
            "/users",
            json!({"first_name": "Hanna", "last_name": "Rat", "email": "hr@acme.de",
                   "role_id": hr_role.id.to_string(),
                   "scope": {"administrator": false, "location": ["Köln"]}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mails = sink.wait_for(1, PATIENCE).await;
    let token = token_after(mails[0].text.as_deref().unwrap(), "/welcome#").unwrap();
    let mut hr = Client::new(&app);
    assert_eq!(
        hr.post(
            "/invitations/accept",
            json!({"token": token, "password": PASSWORD})
        )
        .await
        .0,
        204
    );
    assert_eq!(hr.login("hr@acme.de", PASSWORD).await.0, 200);

    let invite = |role: &str, scope: Value| json!({"first_name": "X", "last_name": "Y", "email": "x@acme.de", "role_id": role, "scope": scope});
    let (status, body) = hr
        .post(
            "/users",
            invite(
                &admin_role,
                json!({"administrator": false, "location": ["Köln"]}),
            ),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("escalation")));
    let (status, body) = hr
        .post(
            "/users",
            invite(&hr_role.id.to_string(), json!({"administrator": true})),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("escalation")));
    let (status, body) = hr
        .post(
            "/roles",
            json!({"name": "Mehr", "permissions": {"users": "read_write", "employees": "read"}}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("escalation")));
    assert_eq!(
        hr.post(&format!("/users/{admin_id}/deactivate"), json!({}))
            .await
            .0,
        403
    );
    assert_eq!(
        hr.post(&format!("/users/{admin_id}/unlock"), json!({}))
            .await
            .0,
        403
    );
    let (status, body) = hr
        .patch(&format!("/users/{admin_id}"), json!({"last_name": "Weg"}))
        .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("escalation")));
    // Within their own rights it works.
    let (status, body) = hr
        .post(
            "/users",
            invite(
                &hr_role.id.to_string(),
                json!({"administrator": false, "location": ["Köln"]}),
            ),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // The last Administrator cannot be deactivated, not even by themselves.
    let (status, body) = admin
        .post(&format!("/users/{admin_id}/deactivate"), json!({}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("last_administrator"))
    );
}

#[tokio::test]
async fn the_session_cookie_carries_its_flags() {
    let app = TestApp::builder()
        .with_config(|c| c.http.secure_cookies = true)
        .spawn()
        .await;
    set_up(&app).await;
    let resp = app
        .client()
        .post(app.url("/api/v1/login"))
        .json(&json!({"email": "anna@acme.de", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-zeugnis-session="), "{cookie}");
    for flag in ["; Path=/", "; HttpOnly", "; SameSite=Strict", "; Secure"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let csrf = resp.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = app
        .client()
        .delete(app.url("/api/v1/session"))
        .header("cookie", &pair)
        .header("x-csrf-token", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = app
        .client()
        .get(app.url("/api/v1/session"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        401,
        "the ended session is gone on the server"
    );

    // The default test setup (plain http on localhost) has no prefix and no Secure.
    let plain = TestApp::spawn().await;
    set_up(&plain).await;
    let mut c = Client::new(&plain);
    assert_eq!(c.login("anna@acme.de", PASSWORD).await.0, 200);
    let set = c.headers["set-cookie"].to_str().unwrap();
    assert!(
        set.starts_with("zeugnis-session=") && !set.contains("Secure"),
        "{set}"
    );
}

#[tokio::test]
async fn secure_cookies_cannot_be_switched_off_for_a_public_address() {
    let result = zeugnis_app::Application::build(zeugnis_app::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: tempfile::tempdir().unwrap().keep().join("data"),
        http: zeugnis_app::config::HttpConfig {
            public_url: "https://zeugnis.example.com".into(),
            secure_cookies: false,
            trusted_proxies: Vec::new(),
        },
        ..zeugnis_app::Config::default()
    })
    .await;
    let error = result.expect_err("refused").to_string();
    assert!(error.contains("secure_cookies"), "{error}");
}

#[tokio::test]
async fn api_responses_carry_the_security_headers() {
    let app = TestApp::builder()
        .with_config(|c| {
            c.http.public_url = "https://zeugnis.example".into();
            c.http.secure_cookies = true;
        })
        .spawn()
        .await;
    for (path, status) in [
        ("/api/v1/openapi.json", 200),
        ("/api/v1/session", 401),
        ("/api/v1/nothing-here", 404),
    ] {
        let resp = app.get(path).await;
        assert_eq!(resp.status(), status, "{path}");
        let h = resp.headers();
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        assert!(
            !h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("unsafe-inline")
        );
        assert!(
            h["strict-transport-security"]
                .to_str()
                .unwrap()
                .starts_with("max-age=")
        );
        if status != 200 {
            let body: Value = resp.json().await.unwrap();
            assert!(
                body["code"].is_string() && body["message"].is_string(),
                "{body}"
            );
        }
    }
    let plain = TestApp::spawn().await;
    assert!(
        plain
            .get("/api/v1/session")
            .await
            .headers()
            .get("strict-transport-security")
            .is_none()
    );
    // A body that is not JSON is the caller's mistake, in the same error shape.
    let resp = plain
        .client()
        .post(plain.url("/api/v1/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "invalid_request");
}

async fn a_locked_administrator_cannot_step_in_for_the_last_active_one(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = builder(backend, "locked_admin").await else {
        return;
    };
    let app = b.with_smtp(&sink).spawn().await;
    set_up(&app).await;
    let mut anna = Client::new(&app);
    assert_eq!(anna.login("anna@acme.de", PASSWORD).await.0, 200);
    let role = admin_role_id(&anna.get("/roles").await.1);
    let bea = invite_and_register(&mut anna, &app, &sink, 1, "bea@acme.de", &role).await;
    let anna_id = anna.get("/session").await.1["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..5 {
        Client::new(&app).login("bea@acme.de", "falsch").await;
    }
    assert_eq!(
        anna.get(&format!("/users/{bea}")).await.1["status"],
        "locked"
    );
    // Bea is an Administrator, but locked: Anna is the last active one.
    let (status, body) = anna
        .post(&format!("/users/{anna_id}/deactivate"), json!({}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("last_administrator"))
    );
    // Nor can the own second factors be dropped without the password.
    let (status, _) = anna
        .post(&format!("/users/{anna_id}/second-factor/reset"), json!({}))
        .await;
    assert_eq!(status, 403);
    // Once Bea is unlocked, Anna may step back.
    assert_eq!(
        anna.post(&format!("/users/{bea}/unlock"), json!({}))
            .await
            .0,
        204
    );
    assert_eq!(
        anna.patch(&format!("/users/{anna_id}"), json!({"role_id": role}))
            .await
            .0,
        200,
        "no change of role, a no-op"
    );
    assert_eq!(
        anna.post(&format!("/users/{anna_id}/deactivate"), json!({}))
            .await
            .0,
        204
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_they_are_read() {
    let app = TestApp::spawn().await;
    let resp = app
        .client()
        .post(app.url("/api/v1/login"))
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"email":"a@b.de","password":"{}"}}"#,
            "x".repeat(300_000)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "too_large");
}

#[tokio::test]
async fn the_setup_link_stops_working_once_an_organisation_exists() {
    let app = TestApp::spawn().await;
    let token = zeugnis_core::token::ActionToken::from_bytes([0x77; 32]);
    app.state()
        .set_setup_token(Some(zeugnis_core::token::SecretToken::hash(&token)));
    // An operator creates an organisation with the command line meanwhile.
    app.state()
        .tenants()
        .create(
            zeugnis_core::values::Slug::parse("other").unwrap(),
            Name::new("Other GmbH").unwrap(),
            None,
        )
        .await
        .unwrap();
    let (status, body) = Client::new(&app)
        .post(
            "/setup",
            json!({"token": token.expose_hex(), "organisation": "ACME GmbH", "slug": "acme",
                   "first_name": "Anna", "last_name": "Admin", "email": "anna@acme.de",
                   "password": PASSWORD}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (410, Some("invalid_link")));
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_and_nobody_else_can() {
    let app = TestApp::builder()
        .with_config(|c| c.http.trusted_proxies = vec!["127.0.0.1".into()])
        .spawn()
        .await;
    let tenant = set_up(&app).await;
    // The client forged a first line; the proxy appended the real address. Sent
    // as raw HTTP, so the two header lines reach the server exactly so.
    let body = r#"{"email":"anna@acme.de","password":"falsch"}"#;
    let raw = format!(
        "POST /api/v1/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         X-Forwarded-For: 1.2.3.4\r\nX-Forwarded-For: 198.51.100.7\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(app.addr()).await.unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut stream, raw.as_bytes())
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer)
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let untrusted = TestApp::spawn().await;
    let other = set_up(&untrusted).await;
    let resp = untrusted
        .client()
        .post(untrusted.url("/api/v1/login"))
        .header("x-forwarded-for", "198.51.100.7")
        .json(&json!({"email": "anna@acme.de", "password": "falsch"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let source = |app: &TestApp, tenant: TenantId| {
        let store = std::sync::Arc::clone(app.store());
        async move {
            let q = AuditQuery {
                action: Some(AuditAction::LoginFailed),
                ..AuditQuery::default()
            };
            store
                .entries(tenant, &q, PageRequest::first(5))
                .await
                .unwrap()
                .items[0]
                .event
                .source_ip
                .unwrap()
                .to_string()
        }
    };
    assert_eq!(source(&app, tenant).await, "198.51.100.7");
    assert_eq!(source(&untrusted, other).await, "127.0.0.1");
}
