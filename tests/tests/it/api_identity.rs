//! Identity through the JSON API, black box: the first-start setup, invitation
//! and registration through the mailed link (a real SMTP server), login with
//! lockout and per-address throttling, answers that do not tell accounts apart,
//! password reset and change, sessions with their timeouts on an injected
//! clock, cookies, CSRF, security headers, and the rights to manage users.
//! Every test runs on SQLite and on Postgres.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stderr,
    reason = "tests fail by panicking and report their timings on stderr"
)]

use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use reqwest::Method;
use serde_json::{Value, json};
use time::Duration;
use zeugnis_core::access::{AccessLevel, Area, Permissions};
use zeugnis_core::audit::{AuditAction, AuditActor, AuditEntry, AuditTarget};
use zeugnis_core::id::{TenantId, UserId};
use zeugnis_core::ports::{Clock, TenantStore as _, UserStore as _};
use zeugnis_core::token::ActionToken;
use zeugnis_core::values::{Name, Slug};
use zeugnis_tests::api::{
    ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, Invitee, ORGANISATION, Reply, SLUG,
    administrator_role_id, audit_entries, insert_role, invite_and_register, is_to, logged_in,
    new_setup_token, organisation_with_admin, setup_body, setup_first_tenant, tenant_id,
    token_in_mail, wait_for_mails_to,
};
use zeugnis_tests::smtp_sink::{SinkOptions, SmtpSink, start_sink_or_skip};
use zeugnis_tests::{Backend, TestApp, TestAppBuilder, TestClock, TestRole, USER_PASSWORD};

/// Passwords that pass the default policy and are on no list.
const PASSWORD_B: &str = "Kiefer-Zapfen-42";
const PASSWORD_C: &str = "Eichen-Blatt-93";
const PASSWORD_D: &str = "Tannen-Nadel-58";
const WRONG: &str = "Falsch-Geraten-11";

/// Turned down as a common password (its core "passwort" is on the list).
const COMMON: &str = "Passwort1";

zeugnis_tests::on_both_databases!(
    the_setup_and_an_invitation_lead_to_a_login_and_the_link_works_once,
    the_fifth_consecutive_failure_locks_the_account_until_an_administrator_unlocks,
    twenty_parallel_wrong_passwords_lock_the_account_once_and_are_each_counted,
    unknown_wrong_locked_deactivated_and_foreign_logins_get_the_same_answer_in_the_same_time,
    a_reset_link_works_once_for_thirty_minutes_and_ends_every_session,
    sessions_end_after_thirty_idle_minutes_and_after_twelve_hours_however_busy,
    state_changing_requests_without_the_sessions_csrf_token_change_nothing,
    the_session_cookie_is_http_only_strict_host_only_and_cleared_at_logout,
    api_answers_carry_the_security_headers_whatever_their_status,
    nobody_grants_or_touches_more_rights_than_they_hold,
    the_last_administrator_stays_and_a_deactivated_user_is_out_at_once,
    changing_the_password_needs_the_current_one_and_ends_the_other_sessions,
    unknown_routes_and_malformed_bodies_get_json_errors,
    too_many_failures_from_one_address_are_refused_and_audited_once,
    users_see_and_end_their_own_sessions_only,
    a_waiting_setup_token_creates_nothing_once_an_organisation_exists,
    a_locked_administrator_cannot_step_in_for_the_last_active_one,
);

// --- helpers -----------------------------------------------------------------

async fn builder(backend: Backend, what: &str) -> Option<TestAppBuilder> {
    TestApp::builder().on(backend, what).await
}

fn clock_of(clock: &Arc<TestClock>) -> Arc<dyn Clock> {
    Arc::clone(clock) as Arc<dyn Clock>
}

fn uid(id: &str) -> UserId {
    UserId::from_str(id).unwrap()
}

/// The entries of `action`, newest first.
fn of_action(entries: &[AuditEntry], action: AuditAction) -> Vec<&AuditEntry> {
    entries
        .iter()
        .filter(|e| e.event.action == action)
        .collect()
}

/// The entries of `action` about `user`.
fn about(entries: &[AuditEntry], action: AuditAction, user: &str) -> Vec<AuditEntry> {
    let user = uid(user);
    entries
        .iter()
        .filter(|e| e.event.action == action && e.event.target == AuditTarget::User(user))
        .cloned()
        .collect()
}

fn detail(e: &AuditEntry) -> &str {
    e.event.detail.as_ref().map_or("", |d| d.as_str())
}

fn hr_permissions() -> Permissions {
    Permissions::none()
        .with(Area::Users, AccessLevel::ReadWrite)
        .with(Area::Employees, AccessLevel::Read)
}

fn koeln() -> Value {
    json!({"administrator": false, "location": ["Köln"]})
}

fn everything() -> Value {
    json!({"administrator": true})
}

/// `POST /login` as the Administrator, the request claiming to come from
/// 198.51.100.7 (`X-Forwarded-For`).
async fn login_from_a_claimed_address(c: &ApiClient, password: &str) -> Reply {
    c.send(
        c.bare(Method::POST, "/login")
            .header("x-forwarded-for", "198.51.100.7")
            .json(&json!({"email": ADMIN_EMAIL, "password": password})),
    )
    .await
}

fn assert_invalid_credentials(r: &Reply, what: &str) {
    assert_eq!(
        (r.status, r.code()),
        (401, Some("invalid_credentials")),
        "{what}: {}",
        r.text()
    );
    assert!(r.set_cookie().is_none(), "{what}: no cookie on a failure");
}

/// `POST path` with a JSON body and nothing else (no cookie, no CSRF token).
async fn anonymous_post(app: &TestApp, path: &str, body: &Value) -> Reply {
    let c = ApiClient::new(app);
    c.send(c.bare(Method::POST, path).json(body)).await
}

async fn user_status(admin: &mut ApiClient, id: &str) -> String {
    let r = admin.get(&format!("/users/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json["status"].as_str().unwrap().to_owned()
}

/// Waits until every message caused so far has been sent, so that a mail that
/// should not exist would have arrived.
async fn settle_outbox(app: &TestApp) {
    zeugnis_tests::api::outbox_drained(app).await;
}

fn count_mails(sink: &SmtpSink, to: &str, subject: &str) -> usize {
    sink.received()
        .iter()
        .filter(|m| is_to(m, to) && m.subject.contains(subject))
        .count()
}

// --- 1. setup and invitation ---------------------------------------------------

async fn the_setup_and_an_invitation_lead_to_a_login_and_the_link_works_once(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let clock = TestClock::new();
    let Some(b) = builder(backend, "invitation_flow").await else {
        return;
    };
    let app = b
        .with_clock(clock_of(&clock))
        .with_smtp(&sink)
        .spawn()
        .await;

    // The one-time setup link: a wrong token is refused, a breached password is
    // refused without using up the token, the right one creates the organisation
    // once.
    let token = new_setup_token(&app).expose_hex();
    let wrong = ActionToken::from_bytes([7; 32]).expose_hex();
    let r = anonymous_post(&app, "/setup", &setup_body(&wrong, ADMIN_PASSWORD)).await;
    r.assert_refused(410, "invalid_link", "");
    let r = anonymous_post(&app, "/setup", &setup_body(&token, "Sommer2024!")).await;
    r.assert_refused(422, "password_policy", "");
    assert_eq!(r.json["field"], "password");
    let details = r.json["details"].as_array().unwrap();
    assert!(!details.is_empty());
    assert!(
        details
            .iter()
            .any(|d| d.as_str().unwrap().contains("too common")),
        "{details:?}"
    );
    let mut bad_slug = setup_body(&token, ADMIN_PASSWORD);
    bad_slug["slug"] = json!("Nord Licht");
    let r = anonymous_post(&app, "/setup", &bad_slug).await;
    r.assert_refused(422, "invalid_value", "");
    assert_eq!(r.json["field"], "slug");
    let r = anonymous_post(&app, "/setup", &setup_body(&token, ADMIN_PASSWORD)).await;
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json["tenant"], SLUG);
    let admin_id = r.json["user_id"].as_str().unwrap().to_owned();
    let r = anonymous_post(&app, "/setup", &setup_body(&token, ADMIN_PASSWORD)).await;
    assert_eq!(
        (r.status, r.code()),
        (410, Some("invalid_link")),
        "used once"
    );
    let tenant = tenant_id(&app, SLUG).await;

    let mut admin = ApiClient::new(&app);
    let r = admin
        .login_to(Some(SLUG), ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json["status"], "logged_in");
    assert_eq!(r.json["enrolment_required"], false);
    assert_eq!(r.json["user"]["id"], admin_id.as_str());
    assert_eq!(r.json["user"]["email"], ADMIN_EMAIL);
    assert_eq!(r.json["csrf_token"].as_str().unwrap().len(), 64);
    let roles = admin.get("/roles").await;
    assert_eq!(roles.status, 200);
    assert_eq!(roles.json[0]["administrator"], true, "Administrator first");
    assert_eq!(roles.json[0]["permissions"]["users"], "read_write");
    let admin_role = administrator_role_id(&mut admin).await;

    // The invitation.
    let jonas = Invitee {
        first_name: "Jonas",
        last_name: "Berg",
        email: "jonas.berg@nordlicht.example",
        role_id: &admin_role,
        scope: everything(),
    };
    let mut unknown_role = jonas.body();
    unknown_role["role_id"] = json!(UserId::from_bytes([3; 16]).to_string());
    let r = admin.post("/users", &unknown_role).await;
    r.assert_refused(422, "unknown_role", "");
    let r = admin.post("/users", &jonas.body()).await;
    assert_eq!(r.status, 201, "{}", r.text());
    let jonas_id = r.json["id"].as_str().unwrap().to_owned();
    assert_eq!(user_status(&mut admin, &jonas_id).await, "invited");
    assert_invalid_credentials(
        &ApiClient::new(&app).login(jonas.email, PASSWORD_B).await,
        "an invited account cannot log in",
    );

    let mails = wait_for_mails_to(&sink, jonas.email, "Ihr Zugang", 1).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.rcpt_tos, [jonas.email]);
    assert!(mail.subject.contains(ORGANISATION), "{}", mail.subject);
    let text = mail.text.as_deref().unwrap();
    let link_start = format!("http://localhost/t/{SLUG}/welcome#");
    assert!(text.contains(&link_start), "{text}");
    let link_token = token_in_mail(mail, "/welcome#").unwrap();
    assert!(text.contains(&format!("{link_start}{link_token}")));

    // The same address cannot be invited twice, in any spelling.
    let mut again = jonas.body();
    again["email"] = json!("Jonas.Berg@Nordlicht.example");
    let r = admin.post("/users", &again).await;
    r.assert_refused(409, "email_taken", "");
    // A registration link is no reset link.
    let r = anonymous_post(
        &app,
        "/password/reset",
        &json!({"token": link_token, "password": PASSWORD_B}),
    )
    .await;
    r.assert_refused(410, "invalid_link", "");
    // An account that is not registered yet gets no reset link.
    let r = anonymous_post(&app, "/password/forgot", &json!({"email": jonas.email})).await;
    assert_eq!(r.status, 202);
    // A common password is refused with the reasons; the link stays usable.
    let accept =
        |password: &str| json!({"tenant": SLUG, "token": link_token, "password": password});
    let r = anonymous_post(&app, "/invitations/accept", &accept(COMMON)).await;
    r.assert_refused(422, "password_policy", "");
    assert_eq!(r.json["field"], "password");
    let details = r.json["details"].as_array().unwrap();
    assert!(
        details
            .iter()
            .any(|d| d.as_str().unwrap().contains("too common")),
        "{details:?}"
    );
    assert_invalid_credentials(
        &ApiClient::new(&app).login(jonas.email, COMMON).await,
        "the refused password was not set",
    );
    let r = anonymous_post(&app, "/invitations/accept", &accept(PASSWORD_B)).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(user_status(&mut admin, &jonas_id).await, "active");
    let r = ApiClient::new(&app)
        .login("JONAS.BERG@nordlicht.example", PASSWORD_B)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json["user"]["id"], jonas_id.as_str());
    assert_eq!(r.json["user"]["status"], "active");
    // Once only.
    let r = anonymous_post(&app, "/invitations/accept", &accept(PASSWORD_C)).await;
    r.assert_refused(410, "invalid_link", "");
    assert_eq!(
        ApiClient::new(&app)
            .login(jonas.email, PASSWORD_C)
            .await
            .status,
        401,
        "the second use set no password"
    );

    settle_outbox(&app).await;
    assert_eq!(count_mails(&sink, jonas.email, "Passwort zurücksetzen"), 0);
    let audit = audit_entries(&app, tenant).await;
    let created = about(&audit, AuditAction::UserCreated, &jonas_id);
    assert_eq!(created.len(), 1, "{audit:?}");
    assert_eq!(created[0].event.actor, AuditActor::User(uid(&admin_id)));
    assert_eq!(
        about(&audit, AuditAction::InvitationAccepted, &jonas_id).len(),
        1
    );
    assert_eq!(
        of_action(&audit, AuditAction::UserCreated).len(),
        2,
        "the Administrator at the setup, and Jonas"
    );
    assert_eq!(of_action(&audit, AuditAction::InvitationAccepted).len(), 1);

    // The link is valid for 72 hours.
    for (first, email) in [
        ("Lena", "lena@nordlicht.example"),
        ("Tom", "tom@nordlicht.example"),
    ] {
        let who = Invitee {
            first_name: first,
            last_name: "Sommerfeld",
            email,
            role_id: &admin_role,
            scope: everything(),
        };
        assert_eq!(admin.post("/users", &who.body()).await.status, 201);
    }
    let lena = token_in_mail(
        &wait_for_mails_to(&sink, "lena@nordlicht.example", "Ihr Zugang", 1).await[0],
        "/welcome#",
    )
    .unwrap();
    let tom = token_in_mail(
        &wait_for_mails_to(&sink, "tom@nordlicht.example", "Ihr Zugang", 1).await[0],
        "/welcome#",
    )
    .unwrap();
    clock.advance(Duration::hours(72) - Duration::minutes(1));
    let r = anonymous_post(
        &app,
        "/invitations/accept",
        &json!({"token": lena, "password": PASSWORD_C}),
    )
    .await;
    assert_eq!(r.status, 204, "a minute before the end: {}", r.text());
    clock.advance(Duration::minutes(2));
    let r = anonymous_post(
        &app,
        "/invitations/accept",
        &json!({"token": tom, "password": PASSWORD_C}),
    )
    .await;
    r.assert_refused(410, "invalid_link", "a minute after");
}

// --- 2. lockout ------------------------------------------------------------------

async fn the_fifth_consecutive_failure_locks_the_account_until_an_administrator_unlocks(
    backend: Backend,
) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = builder(backend, "lockout").await else {
        return;
    };
    let app = b.with_smtp(&sink).spawn().await;
    let (org, mut admin) = organisation_with_admin(&app).await;
    let hr = insert_role(&app, org.tenant, "Personal", hr_permissions()).await;
    let bea_email = "bea.brandt@nordlicht.example";
    let bea = invite_and_register(
        &mut admin,
        &sink,
        &Invitee {
            first_name: "Bea",
            last_name: "Brandt",
            email: bea_email,
            role_id: &hr.to_string(),
            scope: koeln(),
        },
        PASSWORD_B,
    )
    .await;
    let mut c = ApiClient::new(&app);

    // Four failures, then the right password: in, and the count starts over.
    for i in 1..=4 {
        assert_invalid_credentials(&c.login(bea_email, WRONG).await, &format!("failure {i}"));
    }
    assert_eq!(c.login(bea_email, PASSWORD_B).await.status, 200, "after 4");
    // Five failures lock.
    let mut wrong_body = Vec::new();
    for i in 1..=5 {
        let r = c.login(bea_email, WRONG).await;
        assert_invalid_credentials(&r, &format!("failure {i} after the reset"));
        wrong_body = r.bytes;
    }
    let r = c.login(bea_email, PASSWORD_B).await;
    assert_invalid_credentials(&r, "the right password on a locked account");
    assert_eq!(r.bytes, wrong_body, "the same answer as a wrong password");
    assert_eq!(user_status(&mut admin, &bea).await, "locked");

    let audit = audit_entries(&app, org.tenant).await;
    let locked = about(&audit, AuditAction::AccountLocked, &bea);
    assert_eq!(locked.len(), 1, "{audit:?}");
    assert_eq!(locked[0].event.actor, AuditActor::System);
    let failed = about(&audit, AuditAction::LoginFailed, &bea);
    assert_eq!(failed.len(), 10, "4 + 5 + 1 refused attempts");
    assert_eq!(
        failed
            .iter()
            .filter(|e| detail(e) == "locked_account")
            .count(),
        1
    );
    assert_eq!(about(&audit, AuditAction::LoginSucceeded, &bea).len(), 1);

    // One notice by mail, however often the locked account is tried.
    wait_for_mails_to(&sink, bea_email, "gesperrt", 1).await;
    assert_invalid_credentials(&c.login(bea_email, WRONG).await, "locked, wrong");
    settle_outbox(&app).await;
    assert_eq!(count_mails(&sink, bea_email, "gesperrt"), 1);
    assert_eq!(
        sink.received().len(),
        2,
        "the invitation and the lock notice, nothing else"
    );

    // The Administrator unlocks; the right password works again.
    let r = admin
        .post(&format!("/users/{bea}/unlock"), &json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(user_status(&mut admin, &bea).await, "active");
    assert_eq!(c.login(bea_email, PASSWORD_B).await.status, 200);
    // Unlocking started the count over: four failures do not lock again.
    for _ in 0..4 {
        assert_eq!(c.login(bea_email, WRONG).await.status, 401);
    }
    assert_eq!(c.login(bea_email, PASSWORD_B).await.status, 200);
    let r = admin
        .post(&format!("/users/{bea}/unlock"), &json!({}))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, Some("invalid_state")),
        "not locked"
    );
    let audit = audit_entries(&app, org.tenant).await;
    let unlocked = about(&audit, AuditAction::AccountUnlocked, &bea);
    assert_eq!(unlocked.len(), 1);
    assert_eq!(
        unlocked[0].event.actor,
        AuditActor::User(uid(&org.admin_id))
    );
}

// --- 3. parallel failures --------------------------------------------------------

async fn parallel_logins(app: &TestApp, email: &str, password: &str, n: usize) -> Vec<u16> {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..n {
        let mut c = ApiClient::new(app);
        let (email, password) = (email.to_owned(), password.to_owned());
        set.spawn(async move { c.login(&email, &password).await });
    }
    let mut statuses = Vec::new();
    while let Some(r) = set.join_next().await {
        let r = r.unwrap();
        assert_eq!(r.code(), Some("invalid_credentials"), "{}", r.text());
        statuses.push(r.status);
    }
    statuses
}

async fn twenty_parallel_wrong_passwords_lock_the_account_once_and_are_each_counted(
    backend: Backend,
) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = builder(backend, "parallel_lockout").await else {
        return;
    };
    let hr = || TestRole::custom("Personal", hr_permissions());
    let app = b
        .with_smtp(&sink)
        .with_config(|c| c.auth.failures_per_minute_per_address = 1000)
        .with_user(hr(), koeln())
        .with_user(hr(), koeln())
        .spawn()
        .await;
    let (org, mut admin) = (app.organisation(), app.admin());
    let (cara_email, cara) = (app.user(1).email.as_str(), &app.user(1).id);
    let (dora_email, dora) = (app.user(2).email.as_str(), &app.user(2).id);

    let statuses = parallel_logins(&app, cara_email, WRONG, 20).await;
    assert_eq!(statuses, vec![401; 20]);
    assert_eq!(user_status(&mut admin, cara).await, "locked");
    let audit = audit_entries(&app, org.tenant).await;
    let failed = about(&audit, AuditAction::LoginFailed, cara);
    assert_eq!(failed.len(), 20, "every attempt counted once");
    // In the order the database took them: five wrong passwords, the fifth
    // locking, then fifteen attempts on a locked account.
    let wrong = failed
        .iter()
        .filter(|e| detail(e) == "wrong_password")
        .count();
    assert_eq!((wrong, failed.len() - wrong), (5, 15), "{failed:?}");
    assert_eq!(about(&audit, AuditAction::AccountLocked, cara).len(), 1);
    assert_invalid_credentials(
        &ApiClient::new(&app).login(cara_email, USER_PASSWORD).await,
        "locked",
    );
    assert_eq!(
        failed_logins_of(&app, org.tenant, cara).await,
        21,
        "20 wrong, then the refused right one"
    );
    let audit = audit_entries(&app, org.tenant).await;
    assert_eq!(about(&audit, AuditAction::LoginFailed, cara).len(), 21);
    wait_for_mails_to(&sink, cara_email, "gesperrt", 1).await;
    settle_outbox(&app).await;
    assert_eq!(count_mails(&sink, cara_email, "gesperrt"), 1, "one notice");

    // Four parallel failures do not lock.
    let statuses = parallel_logins(&app, dora_email, WRONG, 4).await;
    assert_eq!(statuses, vec![401; 4]);
    assert_eq!(
        ApiClient::new(&app)
            .login(dora_email, USER_PASSWORD)
            .await
            .status,
        200
    );
    let audit = audit_entries(&app, org.tenant).await;
    assert_eq!(about(&audit, AuditAction::LoginFailed, dora).len(), 4);
    assert!(about(&audit, AuditAction::AccountLocked, dora).is_empty());
}

// --- 4. no enumeration -----------------------------------------------------------

fn median_and_p90(samples: &mut [StdDuration]) -> (StdDuration, StdDuration) {
    samples.sort_unstable();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[i]
    };
    (at(0.5), at(0.9))
}

async fn unknown_wrong_locked_deactivated_and_foreign_logins_get_the_same_answer_in_the_same_time(
    backend: Backend,
) {
    const ROUNDS: usize = 30;
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = builder(backend, "enumeration").await else {
        return;
    };
    // Hashes as costly as in use: the test compares the time of the paths.
    let app = b
        .with_smtp(&sink)
        .with_config(|c| {
            c.auth.failures_per_minute_per_address = 100_000;
            c.auth.password_hashing = zeugnis_app::config::PasswordHashing::Owasp;
        })
        .spawn()
        .await;
    let (org, mut admin) = organisation_with_admin(&app).await;
    let hr = insert_role(&app, org.tenant, "Personal", hr_permissions()).await;
    let hr = hr.to_string();
    let mut register = async |first: &'static str, email: &'static str| {
        invite_and_register(
            &mut admin,
            &sink,
            &Invitee {
                first_name: first,
                last_name: "Muster",
                email,
                role_id: &hr,
                scope: koeln(),
            },
            PASSWORD_B,
        )
        .await
    };
    let active = "gina@nordlicht.example";
    let locked = "ella@nordlicht.example";
    let deactivated = "finn@nordlicht.example";
    register("Gina", active).await;
    register("Ella", locked).await;
    let finn = register("Finn", deactivated).await;
    let mut c = ApiClient::new(&app);
    for _ in 0..5 {
        assert_eq!(c.login(locked, WRONG).await.status, 401);
    }
    let r = admin
        .post(&format!("/users/{finn}/deactivate"), &json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());

    // (case, organisation, address, password)
    let cases: [(&str, Option<&str>, &str, &str); 5] = [
        (
            "unknown e-mail",
            None,
            "niemand@nordlicht.example",
            PASSWORD_B,
        ),
        ("wrong password", None, active, WRONG),
        ("locked account", None, locked, PASSWORD_B),
        ("deactivated account", None, deactivated, PASSWORD_B),
        (
            "unknown organisation",
            Some("gibt-es-nicht"),
            active,
            PASSWORD_B,
        ),
    ];
    let mut times: Vec<Vec<StdDuration>> = vec![Vec::new(); cases.len()];
    let mut first_body: Option<Vec<u8>> = None;
    let mut first_type: Option<String> = None;
    for round in 0..ROUNDS {
        for k in 0..cases.len() {
            // A different order each round, so no case always comes first.
            let i = (k + round) % cases.len();
            let (name, tenant, email, password) = cases[i];
            let r = c.login_to(tenant, email, password).await;
            assert_invalid_credentials(&r, name);
            let body = first_body.get_or_insert_with(|| r.bytes.clone());
            assert_eq!(
                &r.bytes,
                body,
                "{name}: {} differs from {}",
                r.text(),
                String::from_utf8_lossy(body)
            );
            let content_type = r.header("content-type").map(str::to_owned);
            assert_eq!(
                first_type.get_or_insert_with(|| content_type.clone().unwrap()),
                content_type.as_ref().unwrap()
            );
            times[i].push(r.elapsed);
        }
        // The active account takes four failures without locking; a success
        // starts the count over, so it stays a "wrong password" case.
        if round % 4 == 3 {
            assert_eq!(c.login(active, PASSWORD_B).await.status, 200);
        }
    }

    // "Forgot password" answers the same for every kind of address, and mails
    // only the active account.
    let mut forgot_bodies = Vec::new();
    for email in [active, "niemand@nordlicht.example", locked, deactivated] {
        let r = c
            .send(
                c.bare(Method::POST, "/password/forgot")
                    .json(&json!({"email": email})),
            )
            .await;
        assert_eq!(r.status, 202, "forgot {email}: {}", r.text());
        let content_type = r.header("content-type").map(str::to_owned);
        forgot_bodies.push((r.bytes, content_type));
    }
    assert!(
        forgot_bodies.iter().all(|b| *b == forgot_bodies[0]),
        "{forgot_bodies:?}"
    );
    wait_for_mails_to(&sink, active, "Passwort zurücksetzen", 1).await;
    settle_outbox(&app).await;
    for email in [locked, deactivated] {
        assert_eq!(
            count_mails(&sink, email, "Passwort zurücksetzen"),
            0,
            "{email}"
        );
    }

    let mut medians = Vec::new();
    for ((name, ..), samples) in cases.iter().zip(times.iter_mut()) {
        let (median, p90) = median_and_p90(samples);
        eprintln!(
            "[{backend:?}] login {name:<22} median {:>7.1} ms  p90 {:>7.1} ms  ({} requests)",
            median.as_secs_f64() * 1e3,
            p90.as_secs_f64() * 1e3,
            samples.len()
        );
        medians.push(median.as_secs_f64());
    }
    // The hasher runs once on every path (a dummy hash without an account), so
    // the medians are close; the bound is generous for a busy machine.
    let wrong_password = medians[1];
    for (i, (name, ..)) in cases.iter().enumerate() {
        let ratio = medians[i] / wrong_password;
        assert!(
            (0.5..=1.5).contains(&ratio),
            "{name}: median {:.1} ms vs wrong password {:.1} ms",
            medians[i] * 1e3,
            wrong_password * 1e3
        );
    }
}

// --- 5. password reset ------------------------------------------------------------

async fn a_reset_link_works_once_for_thirty_minutes_and_ends_every_session(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let clock = TestClock::new();
    let Some(b) = builder(backend, "reset").await else {
        return;
    };
    let app = b
        .with_clock(clock_of(&clock))
        .with_smtp(&sink)
        .spawn()
        .await;
    let (org, mut old_session) = organisation_with_admin(&app).await;
    let forgot = |email: &str| json!({"tenant": SLUG, "email": email});

    let unknown = anonymous_post(
        &app,
        "/password/forgot",
        &forgot("niemand@nordlicht.example"),
    )
    .await;
    let known = anonymous_post(&app, "/password/forgot", &forgot(ADMIN_EMAIL)).await;
    assert_eq!((unknown.status, known.status), (202, 202));
    assert_eq!(unknown.bytes, known.bytes, "the same answer");
    assert_eq!(unknown.header("content-type"), known.header("content-type"));
    let mails = wait_for_mails_to(&sink, ADMIN_EMAIL, "Passwort zurücksetzen", 1).await;
    settle_outbox(&app).await;
    assert_eq!(sink.received().len(), 1, "no mail for the unknown address");
    let text = mails[0].text.as_deref().unwrap();
    assert!(
        text.contains(&format!("http://localhost/t/{SLUG}/reset#")),
        "{text}"
    );
    let token = token_in_mail(&mails[0], "/reset#").unwrap();
    let reset =
        |token: &str, password: &str| json!({"tenant": SLUG, "token": token, "password": password});

    // A refused password leaves the link usable.
    let r = anonymous_post(&app, "/password/reset", &reset(&token, COMMON)).await;
    r.assert_refused(422, "password_policy", "");
    assert_eq!(old_session.get("/session").await.status, 200);
    let r = anonymous_post(&app, "/password/reset", &reset(&token, PASSWORD_B)).await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = old_session.get("/session").await;
    assert_eq!(
        (r.status, r.code()),
        (401, Some("unauthenticated")),
        "sessions ended"
    );
    assert_eq!(
        ApiClient::new(&app)
            .login(ADMIN_EMAIL, PASSWORD_B)
            .await
            .status,
        200
    );
    assert_invalid_credentials(
        &ApiClient::new(&app)
            .login(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await,
        "the old password",
    );
    let r = anonymous_post(&app, "/password/reset", &reset(&token, PASSWORD_C)).await;
    assert_eq!(
        (r.status, r.code()),
        (410, Some("invalid_link")),
        "used once"
    );

    let audit = audit_entries(&app, org.tenant).await;
    let requested = of_action(&audit, AuditAction::PasswordResetRequested);
    let mut details: Vec<&str> = requested.iter().map(|e| detail(e)).collect();
    details.sort_unstable();
    assert_eq!(details, ["link_sent", "unknown_account"]);
    assert_eq!(
        about(&audit, AuditAction::PasswordReset, &org.admin_id).len(),
        1
    );

    // The reset is reported to the account's address.
    wait_for_mails_to(&sink, ADMIN_EMAIL, "Sicherheitshinweis", 1).await;

    // A newer link replaces the older one.
    let mut links = 1;
    let mut fresh_link = async || {
        let r = anonymous_post(&app, "/password/forgot", &forgot(ADMIN_EMAIL)).await;
        assert_eq!(r.status, 202);
        links += 1;
        let mails = wait_for_mails_to(&sink, ADMIN_EMAIL, "Passwort zurücksetzen", links).await;
        token_in_mail(&mails[links - 1], "/reset#").unwrap()
    };
    let replaced = fresh_link().await;
    let late = fresh_link().await;
    let r = anonymous_post(&app, "/password/reset", &reset(&replaced, PASSWORD_C)).await;
    r.assert_refused(410, "invalid_link", "replaced");
    // Thirty minutes: a link is dead at thirty and after, and works a minute
    // before.
    for (after, step) in [
        ("thirty minutes", Duration::minutes(30)),
        ("a second more", Duration::seconds(1)),
    ] {
        clock.advance(step);
        let r = anonymous_post(&app, "/password/reset", &reset(&late, PASSWORD_C)).await;
        assert_eq!(
            (r.status, r.code()),
            (410, Some("invalid_link")),
            "expired after {after}: {}",
            r.text()
        );
    }
    let in_time = fresh_link().await;
    clock.advance(Duration::minutes(29));
    let r = anonymous_post(&app, "/password/reset", &reset(&in_time, PASSWORD_C)).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(
        ApiClient::new(&app)
            .login(ADMIN_EMAIL, PASSWORD_C)
            .await
            .status,
        200
    );

    // A link does not get past a lockout that happened after it was sent.
    let before_lock = fresh_link().await;
    for _ in 0..5 {
        assert_eq!(
            ApiClient::new(&app).login(ADMIN_EMAIL, WRONG).await.status,
            401
        );
    }
    let r = anonymous_post(&app, "/password/reset", &reset(&before_lock, PASSWORD_D)).await;
    r.assert_refused(410, "invalid_link", "locked since");
    assert_invalid_credentials(
        &ApiClient::new(&app).login(ADMIN_EMAIL, PASSWORD_D).await,
        "still locked, password unchanged",
    );
}

// --- 6. session timeouts ----------------------------------------------------------

async fn sessions_end_after_thirty_idle_minutes_and_after_twelve_hours_however_busy(
    backend: Backend,
) {
    let clock = TestClock::new();
    let Some(b) = builder(backend, "session_timeouts").await else {
        return;
    };
    let app = b.with_clock(clock_of(&clock)).spawn().await;
    let (_, mut c) = organisation_with_admin(&app).await;
    let r = c.get("/session").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["idle_minutes"], 30);
    assert_eq!(r.json["user"]["email"], ADMIN_EMAIL);

    // Idle: 29 minutes are fine, and each use starts them over; 31 are not.
    clock.advance(Duration::minutes(29));
    assert_eq!(c.get("/session").await.status, 200, "29 minutes idle");
    clock.advance(Duration::minutes(29));
    assert_eq!(c.get("/session").await.status, 200, "29 more after a use");
    clock.advance(Duration::minutes(31));
    let r = c.get("/session").await;
    assert_eq!(
        (r.status, r.code()),
        (401, Some("unauthenticated")),
        "31 idle"
    );

    // Absolute: used every 20 minutes, the session still ends at 12 hours.
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for step in 1..=35 {
        clock.advance(Duration::minutes(20));
        let r = c.get("/session").await;
        assert_eq!(r.status, 200, "after {} minutes", step * 20);
    }
    clock.advance(Duration::minutes(20));
    let r = c.get("/session").await;
    assert_eq!(
        (r.status, r.code()),
        (401, Some("unauthenticated")),
        "12 hours"
    );
}

// --- 7. CSRF ---------------------------------------------------------------------

async fn state_changing_requests_without_the_sessions_csrf_token_change_nothing(backend: Backend) {
    let Some(b) = builder(backend, "csrf").await else {
        return;
    };
    let app = b.spawn().await;
    let (org, mut admin) = organisation_with_admin(&app).await;
    let admin_role = administrator_role_id(&mut admin).await;
    let ida = Invitee {
        first_name: "Ida",
        last_name: "Imhof",
        email: "ida@nordlicht.example",
        role_id: &admin_role,
        scope: everything(),
    };
    let other_session = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // The setup audited the first Administrator's creation.
    let created_before = of_action(
        &audit_entries(&app, org.tenant).await,
        AuditAction::UserCreated,
    )
    .len();

    let mut without = admin.clone();
    without.csrf = None;
    let mut made_up = admin.clone();
    made_up.csrf = Some("0".repeat(64));
    let mut foreign = admin.clone();
    foreign.csrf.clone_from(&other_session.csrf);
    for (what, client) in [
        ("no token", &mut without),
        ("a made-up token", &mut made_up),
        ("another session's token", &mut foreign),
    ] {
        let r = client.post("/users", &ida.body()).await;
        assert_eq!(
            (r.status, r.code()),
            (403, Some("csrf")),
            "{what}: {}",
            r.text()
        );
        let r = client.delete("/session").await;
        assert_eq!((r.status, r.code()), (403, Some("csrf")), "{what}: logout");
        let r = client
            .put(
                "/me/password",
                &json!({"current_password": ADMIN_PASSWORD, "new_password": PASSWORD_B}),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (403, Some("csrf")),
            "{what}: password"
        );
        // Reading needs no token.
        assert_eq!(client.get("/users").await.status, 200, "{what}: GET");
    }
    // A reloaded page reads the session's token from GET /session.
    let r = without.get("/session").await;
    assert_eq!(r.json["csrf_token"], admin.csrf.clone().unwrap().as_str());
    assert_ne!(
        r.json["csrf_token"],
        other_session.csrf.clone().unwrap().as_str()
    );
    // Nothing changed.
    let users = without.get("/users").await;
    assert_eq!(
        users.json["items"].as_array().unwrap().len(),
        1,
        "{}",
        users.text()
    );
    assert_eq!(admin.get("/session").await.status, 200, "not logged out");
    assert_eq!(
        ApiClient::new(&app)
            .login(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        200,
        "the password is unchanged"
    );
    let audit = audit_entries(&app, org.tenant).await;
    assert_eq!(
        of_action(&audit, AuditAction::UserCreated).len(),
        created_before
    );
    assert!(of_action(&audit, AuditAction::PasswordChanged).is_empty());
    assert!(of_action(&audit, AuditAction::LoggedOut).is_empty());

    // With the token the same request goes through.
    let r = admin.post("/users", &ida.body()).await;
    assert_eq!(r.status, 201, "{}", r.text());
}

// --- 8. cookies ---------------------------------------------------------------------

async fn the_session_cookie_is_http_only_strict_host_only_and_cleared_at_logout(backend: Backend) {
    for secure in [false, true] {
        let Some(b) = builder(backend, "cookies").await else {
            return;
        };
        let app = b
            .with_config(|c| c.http.secure_cookies = secure)
            .spawn()
            .await;
        let org = setup_first_tenant(&app).await;
        let name = if secure {
            "__Host-zeugnis-session"
        } else {
            "zeugnis-session"
        };
        let mut c = ApiClient::new(&app);
        let r = c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let raw = r.header("set-cookie").unwrap().to_owned();
        let cookie = r.set_cookie().unwrap();
        assert_eq!(cookie.name, name, "{raw}");
        let (tenant, token) = cookie.value.split_once('.').unwrap();
        assert_eq!(tenant, org.tenant.to_string());
        assert!(
            token.len() == 64 && token.chars().all(|ch| ch.is_ascii_hexdigit()),
            "{raw}"
        );
        assert_eq!(cookie.attribute("Path"), Some("/"), "{raw}");
        assert!(cookie.has("HttpOnly"), "{raw}");
        assert_eq!(cookie.attribute("SameSite"), Some("Strict"), "{raw}");
        assert_eq!(cookie.has("Secure"), secure, "{raw}");
        for absent in ["Domain", "Max-Age", "Expires"] {
            assert!(!cookie.has(absent), "{absent} in {raw}");
        }
        assert_eq!(c.get("/session").await.status, 200);
        // Only the cookie of the configured name counts.
        let mut renamed = c.clone();
        renamed.cookie = Some(format!(
            "{}={}",
            if secure {
                "zeugnis-session"
            } else {
                "__Host-zeugnis-session"
            },
            cookie.value
        ));
        assert_eq!(renamed.get("/session").await.status, 401, "{raw}");
        // The token belongs to its organisation only.
        let mut elsewhere = c.clone();
        elsewhere.cookie = Some(format!("{name}={}.{token}", TenantId::from_bytes([9; 16])));
        assert_eq!(elsewhere.get("/session").await.status, 401, "{raw}");

        // A login never adopts the cookie the browser sends (no session
        // fixation): it issues a new token, and the old session stays apart.
        let r = c
            .send(
                c.bare(Method::POST, "/login")
                    .header("cookie", cookie.pair())
                    .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
            )
            .await;
        assert_eq!(r.status, 200);
        let fresh = r.set_cookie().unwrap();
        assert_eq!(fresh.name, name);
        assert_ne!(fresh.value, cookie.value, "a new token at every login");
        assert_ne!(r.json["csrf_token"], c.csrf.clone().unwrap().as_str());

        let mut old = c.clone();
        let r = c.delete("/session").await;
        assert_eq!(r.status, 204, "{}", r.text());
        let cleared = r.set_cookie().unwrap();
        assert_eq!(cleared.name, name);
        assert_eq!(cleared.value, "");
        assert!(cleared.clears(), "{:?}", r.header("set-cookie"));
        assert_eq!(cleared.attribute("Path"), Some("/"));
        assert_eq!(cleared.has("Secure"), secure);
        assert!(c.cookie.is_none(), "the client dropped the cookie");
        let r = old.get("/session").await;
        assert_eq!((r.status, r.code()), (401, Some("unauthenticated")));
        let audit = audit_entries(&app, org.tenant).await;
        assert_eq!(
            about(&audit, AuditAction::LoggedOut, &org.admin_id).len(),
            1
        );
    }
}

// --- 9. security headers -------------------------------------------------------------

fn assert_security_headers(r: &Reply, what: &str, hsts: bool) {
    assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
    assert_eq!(
        r.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"), "{what}");
    assert_eq!(r.header("x-frame-options"), Some("DENY"), "{what}");
    let csp = r.header("content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    if r.status >= 400 {
        assert!(
            r.json["code"].is_string() && r.json["message"].is_string(),
            "{what}: an error body: {}",
            r.text()
        );
    }
    match r.header("strict-transport-security") {
        Some(v) if hsts => assert!(
            v.starts_with("max-age=") && !v.starts_with("max-age=0"),
            "{what}: {v}"
        ),
        Some(v) => panic!("{what}: HSTS over plain http: {v}"),
        None => assert!(!hsts, "{what}: no HSTS"),
    }
}

async fn api_answers_carry_the_security_headers_whatever_their_status(backend: Backend) {
    for https in [false, true] {
        let Some(b) = builder(backend, "security_headers").await else {
            return;
        };
        let app = b
            .with_config(|c| {
                if https {
                    c.http.public_url = "https://zeugnis.example".into();
                    c.http.secure_cookies = true;
                }
            })
            .spawn()
            .await;
        setup_first_tenant(&app).await;
        let mut c = ApiClient::new(&app);
        let r = c.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(r.status, 200);
        assert_security_headers(&r, "login", https);
        let r = c.get("/session").await;
        assert_eq!(r.status, 200);
        assert_security_headers(&r, "200", https);
        let r = ApiClient::new(&app).get("/session").await;
        assert_eq!(r.status, 401);
        assert_security_headers(&r, "401", https);
        let r = c.get("/gibt-es-nicht").await;
        assert_eq!(r.status, 404);
        assert_security_headers(&r, "404", https);
        let r = c.get("/openapi.json").await;
        assert_eq!(r.status, 200);
        assert_security_headers(&r, "the OpenAPI document", https);
    }
}

// --- 10. no escalation ---------------------------------------------------------------

async fn nobody_grants_or_touches_more_rights_than_they_hold(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = builder(backend, "escalation").await else {
        return;
    };
    let app = b.with_smtp(&sink).spawn().await;
    let (org, mut admin) = organisation_with_admin(&app).await;
    let admin_role = administrator_role_id(&mut admin).await;
    let hr = insert_role(
        &app,
        org.tenant,
        "Personal",
        hr_permissions().with(Area::Roles, AccessLevel::ReadWrite),
    )
    .await
    .to_string();
    let reader = insert_role(
        &app,
        org.tenant,
        "Lesen",
        Permissions::none().with(Area::Employees, AccessLevel::Read),
    )
    .await
    .to_string();
    let (karl_email, lisa_email, mara_email) = (
        "karl@nordlicht.example",
        "lisa@nordlicht.example",
        "mara@nordlicht.example",
    );
    for (first, email, role, scope, password) in [
        ("Karl", karl_email, &hr, koeln(), PASSWORD_B),
        ("Lisa", lisa_email, &reader, koeln(), PASSWORD_C),
        ("Mara", mara_email, &admin_role, everything(), PASSWORD_D),
    ] {
        invite_and_register(
            &mut admin,
            &sink,
            &Invitee {
                first_name: first,
                last_name: "Neumann",
                email,
                role_id: role,
                scope,
            },
            password,
        )
        .await;
    }
    let users = admin.get("/users").await;
    let id_of = |email: &str| {
        users.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == email)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let mara = id_of(mara_email);
    // A second Administrator, locked.
    for _ in 0..5 {
        assert_eq!(
            ApiClient::new(&app).login(mara_email, WRONG).await.status,
            401
        );
    }
    assert_eq!(user_status(&mut admin, &mara).await, "locked");

    let mut karl = logged_in(&app, karl_email, PASSWORD_B).await;
    let invite = |email: &'static str, role: &str, scope: Value| {
        json!({
            "first_name": "Neu", "last_name": "Ling", "email": email,
            "role_id": role, "scope": scope,
        })
    };
    for (what, body) in [
        (
            "the Administrator role",
            invite("a@nordlicht.example", &admin_role, koeln()),
        ),
        (
            "the administrator scope",
            invite("b@nordlicht.example", &hr, everything()),
        ),
        (
            "a wider restricted scope",
            invite(
                "c@nordlicht.example",
                &hr,
                json!({"administrator": false, "location": ["Köln", "Bonn"]}),
            ),
        ),
        (
            "no restriction on location",
            invite(
                "d@nordlicht.example",
                &hr,
                json!({"administrator": false, "department": ["Lager"]}),
            ),
        ),
    ] {
        let r = karl.post("/users", &body).await;
        assert_eq!(
            (r.status, r.code()),
            (403, Some("escalation")),
            "{what}: {}",
            r.text()
        );
    }
    let r = karl
        .post(
            "/roles",
            &json!({"name": "Mehr", "permissions": {"users": "read_write", "employees": "read_write"}}),
        )
        .await;
    r.assert_refused(403, "escalation", "a role with more rights");
    let r = karl
        .patch(
            &format!("/users/{}", org.admin_id),
            &json!({"last_name": "Weg"}),
        )
        .await;
    r.assert_refused(403, "escalation", "changing an Administrator");
    // Within the own rights it works.
    let r = karl
        .post("/users", &invite("e@nordlicht.example", &hr, koeln()))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());

    let r = karl
        .post(&format!("/users/{}/deactivate", org.admin_id), &json!({}))
        .await;
    r.assert_refused(403, "escalation", "");
    let r = karl
        .post(&format!("/users/{mara}/unlock"), &json!({}))
        .await;
    r.assert_refused(403, "forbidden", "");
    assert_eq!(user_status(&mut karl, &org.admin_id).await, "active");
    assert_eq!(user_status(&mut karl, &mara).await, "locked");
    let emails: Vec<String> = karl.get("/users").await.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect();
    for refused in ["a@", "b@", "c@", "d@"] {
        assert!(
            !emails.iter().any(|e| e.starts_with(refused)),
            "{refused}: {emails:?}"
        );
    }
    let audit = audit_entries(&app, org.tenant).await;
    assert!(of_action(&audit, AuditAction::UserDeactivated).is_empty());
    assert!(of_action(&audit, AuditAction::AccountUnlocked).is_empty());

    // Without the Users area, not even the list.
    let mut lisa = logged_in(&app, lisa_email, PASSWORD_C).await;
    let r = lisa.get("/users").await;
    r.assert_refused(403, "forbidden", "");
    let r = lisa.get(&format!("/users/{}", org.admin_id)).await;
    r.assert_refused(403, "forbidden", "");
    let r = lisa
        .post("/users", &invite("f@nordlicht.example", &reader, koeln()))
        .await;
    r.assert_refused(403, "forbidden", "");

    // Within his own rights Karl may deactivate: Lisa's role and scope are
    // no wider than his.
    let lisa_id = id_of(lisa_email);
    let r = karl
        .post(&format!("/users/{lisa_id}/deactivate"), &json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(lisa.get("/session").await.status, 401);
}

// --- 11. last Administrator, deactivation ----------------------------------------------

async fn the_last_administrator_stays_and_a_deactivated_user_is_out_at_once(backend: Backend) {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(b) = builder(backend, "deactivation").await else {
        return;
    };
    let app = b.with_smtp(&sink).spawn().await;
    let (org, mut admin) = organisation_with_admin(&app).await;
    let admin_role = administrator_role_id(&mut admin).await;
    let deactivate_self = format!("/users/{}/deactivate", org.admin_id);

    let r = admin.post(&deactivate_self, &json!({})).await;
    r.assert_refused(409, "last_administrator", "");
    assert_eq!(admin.get("/session").await.status, 200);
    assert_eq!(user_status(&mut admin, &org.admin_id).await, "active");

    let nora_email = "nora@nordlicht.example";
    let nora = invite_and_register(
        &mut admin,
        &sink,
        &Invitee {
            first_name: "Nora",
            last_name: "Nagel",
            email: nora_email,
            role_id: &admin_role,
            scope: everything(),
        },
        PASSWORD_B,
    )
    .await;
    let mut nora_session = logged_in(&app, nora_email, PASSWORD_B).await;
    let r = admin
        .post(&format!("/users/{nora}/deactivate"), &json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = nora_session.get("/session").await;
    assert_eq!(
        (r.status, r.code()),
        (401, Some("unauthenticated")),
        "out at once"
    );
    assert_invalid_credentials(
        &ApiClient::new(&app).login(nora_email, PASSWORD_B).await,
        "deactivated",
    );
    assert_eq!(user_status(&mut admin, &nora).await, "deactivated");
    // Nora no longer counts: the first Administrator is the last one again.
    let r = admin.post(&deactivate_self, &json!({})).await;
    assert_eq!((r.status, r.code()), (409, Some("last_administrator")));
    let r = admin
        .post(&format!("/users/{nora}/deactivate"), &json!({}))
        .await;
    assert_eq!((r.status, r.code()), (409, Some("invalid_state")), "twice");

    let audit = audit_entries(&app, org.tenant).await;
    let deactivated = about(&audit, AuditAction::UserDeactivated, &nora);
    assert_eq!(deactivated.len(), 1, "{audit:?}");
    assert_eq!(
        deactivated[0].event.actor,
        AuditActor::User(uid(&org.admin_id))
    );
    assert!(about(&audit, AuditAction::UserDeactivated, &org.admin_id).is_empty());

    let r = admin
        .post(&format!("/users/{nora}/reactivate"), &json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert_eq!(user_status(&mut admin, &nora).await, "active");
    assert_eq!(
        nora_session.get("/session").await.status,
        401,
        "the ended session does not come back"
    );
    logged_in(&app, nora_email, PASSWORD_B).await;
    let r = admin
        .post(&format!("/users/{nora}/reactivate"), &json!({}))
        .await;
    assert_eq!((r.status, r.code()), (409, Some("invalid_state")), "twice");
    let audit = audit_entries(&app, org.tenant).await;
    assert_eq!(about(&audit, AuditAction::UserReactivated, &nora).len(), 1);
}

// --- 12. changing the password ----------------------------------------------------------

async fn failed_logins_of(app: &TestApp, tenant: TenantId, user: &str) -> u32 {
    app.store()
        .user(tenant, uid(user))
        .await
        .unwrap()
        .unwrap()
        .value
        .failed_logins
}

async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions(backend: Backend) {
    let Some(b) = builder(backend, "change_password").await else {
        return;
    };
    let app = b.spawn().await;
    let (org, mut here) = organisation_with_admin(&app).await;
    let mut elsewhere = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    let r = here.put("/me/password", &change(WRONG, PASSWORD_B)).await;
    r.assert_refused(403, "wrong_current_password", "");
    assert_eq!(r.json["field"], "current_password");
    assert_eq!(failed_logins_of(&app, org.tenant, &org.admin_id).await, 1);
    let audit = audit_entries(&app, org.tenant).await;
    let failed = about(&audit, AuditAction::LoginFailed, &org.admin_id);
    assert_eq!(failed.len(), 1);
    assert_eq!(detail(&failed[0]), "wrong_current_password");
    assert_eq!(elsewhere.get("/session").await.status, 200, "nothing ended");

    let r = here
        .put("/me/password", &change(ADMIN_PASSWORD, COMMON))
        .await;
    r.assert_refused(422, "password_policy", "");
    assert_eq!(r.json["field"], "new_password");

    let r = here
        .put("/me/password", &change(ADMIN_PASSWORD, PASSWORD_B))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = elsewhere.get("/session").await;
    assert_eq!(
        (r.status, r.code()),
        (401, Some("unauthenticated")),
        "other session"
    );
    assert_eq!(here.get("/session").await.status, 200, "this session stays");
    assert_eq!(
        ApiClient::new(&app)
            .login(ADMIN_EMAIL, PASSWORD_B)
            .await
            .status,
        200
    );
    assert_invalid_credentials(
        &ApiClient::new(&app)
            .login(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await,
        "the old password",
    );
    let audit = audit_entries(&app, org.tenant).await;
    assert_eq!(of_action(&audit, AuditAction::PasswordChanged).len(), 1);

    // A wrong current password is the first of the five failures that lock.
    assert_eq!(
        ApiClient::new(&app)
            .login(ADMIN_EMAIL, PASSWORD_B)
            .await
            .status,
        200
    );
    let r = here.put("/me/password", &change(WRONG, PASSWORD_C)).await;
    assert_eq!(r.status, 403);
    for _ in 0..4 {
        assert_eq!(
            ApiClient::new(&app).login(ADMIN_EMAIL, WRONG).await.status,
            401
        );
    }
    assert_invalid_credentials(
        &ApiClient::new(&app).login(ADMIN_EMAIL, PASSWORD_B).await,
        "locked after 1 + 4 failures",
    );
    assert_eq!(
        here.get("/session").await.status,
        401,
        "a locked account's session ends"
    );
    let audit = audit_entries(&app, org.tenant).await;
    assert_eq!(
        about(&audit, AuditAction::AccountLocked, &org.admin_id).len(),
        1
    );
}

// --- 13. errors ---------------------------------------------------------------------------

async fn unknown_routes_and_malformed_bodies_get_json_errors(backend: Backend) {
    let Some(b) = builder(backend, "json_errors").await else {
        return;
    };
    let app = b.spawn().await;
    setup_first_tenant(&app).await;
    let c = ApiClient::new(&app);
    let json_type = |r: &Reply| {
        r.header("content-type")
            .is_some_and(|t| t.starts_with("application/json"))
    };

    for path in ["/gibt-es-nicht", "/users/x/y/z"] {
        let r = c.send(c.bare(Method::GET, path)).await;
        assert_eq!(
            (r.status, r.code()),
            (404, Some("not_found")),
            "{path}: {}",
            r.text()
        );
        assert!(json_type(&r), "{path}: {:?}", r.header("content-type"));
        assert!(r.json["message"].is_string());
    }

    let mut admin = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for id in [
        UserId::from_bytes([4; 16]).to_string(),
        "kein-uuid".to_owned(),
    ] {
        let r = admin.get(&format!("/users/{id}")).await;
        assert_eq!(
            (r.status, r.code()),
            (404, Some("not_found")),
            "{id}: {}",
            r.text()
        );
    }

    let r = c
        .send(
            c.bare(Method::POST, "/login")
                .header("content-type", "application/json")
                .body("{\"email\": \"greta.graf@nordlicht.example\", \"password\": "),
        )
        .await;
    assert_eq!(
        (r.status, r.code(), r.json["field"].as_str()),
        (400, Some("invalid_request"), Some("body")),
        "{}",
        r.text()
    );
    assert!(json_type(&r));
    let r = c
        .send(
            c.bare(Method::POST, "/login")
                .json(&json!({"email": ADMIN_EMAIL})),
        )
        .await;
    assert_eq!(
        (r.status, r.code(), r.json["field"].as_str()),
        (422, Some("missing_field"), Some("password")),
        "missing password: {}",
        r.text()
    );
    assert!(json_type(&r));
    let r = c.send(c.bare(Method::DELETE, "/login")).await;
    r.assert_refused(405, "method_not_allowed", "");
    assert!(json_type(&r));
}

// --- 14. per-address throttling -----------------------------------------------------------

async fn too_many_failures_from_one_address_are_refused_and_audited_once(backend: Backend) {
    let Some(b) = builder(backend, "throttle").await else {
        return;
    };
    let app = b
        .with_config(|c| c.auth.failures_per_minute_per_address = 3)
        .spawn()
        .await;
    let org = setup_first_tenant(&app).await;
    let mut c = ApiClient::new(&app);
    // Different accounts, so that no account lockout gets in the way.
    for (i, email) in [
        ADMIN_EMAIL,
        "a@nordlicht.example",
        "b@nordlicht.example",
        "c@nordlicht.example",
    ]
    .into_iter()
    .enumerate()
    {
        assert_invalid_credentials(&c.login(email, WRONG).await, &format!("failure {}", i + 1));
    }
    for (what, password) in [("right", ADMIN_PASSWORD), ("wrong", WRONG)] {
        let r = c.login(ADMIN_EMAIL, password).await;
        assert_eq!(
            (r.status, r.code()),
            (429, Some("too_many_attempts")),
            "{what} password: {}",
            r.text()
        );
        let wait: u64 = r
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or_default();
        assert!((1..=60).contains(&wait), "Retry-After: {wait}");
        assert!(r.set_cookie().is_none());
    }
    let r = anonymous_post(&app, "/password/forgot", &json!({"email": ADMIN_EMAIL})).await;
    assert_eq!(
        (r.status, r.code()),
        (429, Some("too_many_attempts")),
        "forgot"
    );
    // No trusted proxy is configured: a client cannot name another address.
    let r = login_from_a_claimed_address(&c, ADMIN_PASSWORD).await;
    assert_eq!(
        (r.status, r.code()),
        (429, Some("too_many_attempts")),
        "spoofed"
    );

    let audit = audit_entries(&app, org.tenant).await;
    let attacks = of_action(&audit, AuditAction::SuspectedAttack);
    assert_eq!(attacks.len(), 1, "{audit:?}");
    assert_eq!(
        attacks[0].event.source_ip,
        Some("127.0.0.1".parse().unwrap())
    );
    assert_eq!(detail(attacks[0]), "failed_logins_per_address");
    assert_eq!(
        of_action(&audit, AuditAction::LoginFailed).len(),
        4,
        "refused attempts are not tried"
    );
    // The account itself is not locked by the address's failures.
    assert_eq!(
        app.store()
            .user(org.tenant, uid(&org.admin_id))
            .await
            .unwrap()
            .unwrap()
            .value
            .failed_logins,
        1
    );
}

// --- 15. the own sessions -----------------------------------------------------------------

fn session_ids(r: &Reply) -> Vec<(String, bool)> {
    r.json
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["current"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn users_see_and_end_their_own_sessions_only(backend: Backend) {
    let Some(b) = builder(backend, "own_sessions").await else {
        return;
    };
    let app = b
        .with_user(TestRole::custom("Personal", hr_permissions()), koeln())
        .spawn()
        .await;
    let (org, mut admin) = (app.organisation(), app.admin());
    let mut laptop = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut phone = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mut otto = app.user(1).client.clone();

    let r = laptop.get("/sessions").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let list = session_ids(&r);
    assert_eq!(list.len(), 3, "three of the Administrator's: {list:?}");
    assert_eq!(list.iter().filter(|(_, current)| *current).count(), 1);
    let cookie_token = laptop.cookie.clone().unwrap();
    for (id, _) in &list {
        assert!(id.len() == 64 && id.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(
            !cookie_token.contains(id.as_str()),
            "the id is not the token"
        );
    }
    let phone_id = session_ids(&phone.get("/sessions").await)
        .into_iter()
        .find(|(_, current)| *current)
        .unwrap()
        .0;
    let otto_id = session_ids(&otto.get("/sessions").await)
        .into_iter()
        .find(|(_, current)| *current)
        .unwrap()
        .0;
    assert!(
        !list.iter().any(|(id, _)| *id == otto_id),
        "only the own sessions"
    );

    // Someone else's session cannot be ended, nor one that does not exist.
    for id in [otto_id.as_str(), &"ab".repeat(32), "kein-hash"] {
        let r = laptop.delete(&format!("/sessions/{id}")).await;
        assert_eq!(
            (r.status, r.code()),
            (404, Some("not_found")),
            "{id}: {}",
            r.text()
        );
    }
    assert_eq!(otto.get("/session").await.status, 200);

    // Another own session ends; this one stays.
    let r = laptop.delete(&format!("/sessions/{phone_id}")).await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert!(r.set_cookie().is_none(), "this session keeps its cookie");
    assert_eq!(phone.get("/session").await.status, 401);
    assert_eq!(laptop.get("/session").await.status, 200);
    assert_eq!(session_ids(&laptop.get("/sessions").await).len(), 2);

    // Everywhere: every session of the account ends, this one included.
    let r = laptop.post("/sessions/end-all", &json!({})).await;
    assert_eq!(r.status, 204, "{}", r.text());
    assert!(r.set_cookie().unwrap().clears());
    assert_eq!(admin.get("/session").await.status, 401);
    let mut after = ApiClient::new(&app);
    after.cookie = Some(cookie_token);
    assert_eq!(after.get("/session").await.status, 401);
    assert_eq!(otto.get("/session").await.status, 200, "others keep theirs");
    let otto_cookie = otto.cookie.clone();
    let r = otto.delete(&format!("/sessions/{otto_id}")).await;
    assert_eq!(r.status, 204, "the own current session: {}", r.text());
    assert!(r.set_cookie().unwrap().clears());
    let mut otto_again = ApiClient::new(&app);
    otto_again.cookie = otto_cookie;
    assert_eq!(otto_again.get("/session").await.status, 401);

    let audit = audit_entries(&app, org.tenant).await;
    assert_eq!(
        about(&audit, AuditAction::SessionsEnded, &org.admin_id).len(),
        1
    );
    assert_eq!(
        about(&audit, AuditAction::LoggedOut, &org.admin_id).len(),
        1
    );
}

// --- 16. the setup token after the setup ------------------------------------------------------

/// `app/src/setup.rs` promises that the setup token works "not at all once an
/// organisation exists". A token can be waiting while one exists: two
/// instances on one empty database each announce one, and the setup goes
/// through one of them; or the organisation is made with `zeugnis admin
/// create-tenant` while the server that logged the token runs.
async fn a_waiting_setup_token_creates_nothing_once_an_organisation_exists(backend: Backend) {
    let Some(b) = builder(backend, "stale_setup_token").await else {
        return;
    };
    let app = b.spawn().await;
    setup_first_tenant(&app).await;
    // What the other instance announced at its start, when no organisation
    // existed yet.
    let stale = new_setup_token(&app).expose_hex();
    let mut second = setup_body(&stale, PASSWORD_D);
    second["organisation"] = json!("Zweite Firma GmbH");
    second["slug"] = json!("zweite-firma");
    second["email"] = json!("eve@zweite-firma.example");
    let r = anonymous_post(&app, "/setup", &second).await;
    r.assert_refused(410, "invalid_link", "the installation is set up");
    assert_eq!(app.store().tenants().await.unwrap().len(), 1);

    // The organisation made with the command line while the token waits.
    let Some(b) = builder(backend, "stale_setup_token_cli").await else {
        return;
    };
    let app = b.spawn().await;
    let waiting = new_setup_token(&app).expose_hex();
    app.state()
        .tenants()
        .create(
            Slug::parse("other").unwrap(),
            Name::new("Other GmbH").unwrap(),
            None,
        )
        .await
        .unwrap();
    let r = anonymous_post(&app, "/setup", &setup_body(&waiting, ADMIN_PASSWORD)).await;
    r.assert_refused(410, "invalid_link", "an organisation exists");
    assert_eq!(app.store().tenants().await.unwrap().len(), 1);
}

// --- 17. a locked Administrator -------------------------------------------------------------

async fn a_locked_administrator_cannot_step_in_for_the_last_active_one(backend: Backend) {
    let Some(b) = builder(backend, "locked_admin").await else {
        return;
    };
    let app = b
        .with_user(TestRole::Administrator, everything())
        .spawn()
        .await;
    let org = app.organisation();
    let mut admin = app.admin();
    let bea = app.user(1);
    for _ in 0..5 {
        assert_invalid_credentials(
            &ApiClient::new(&app).login(&bea.email, WRONG).await,
            "wrong",
        );
    }
    assert_eq!(user_status(&mut admin, &bea.id).await, "locked");
    // Bea is an Administrator, but locked: the first one is the last active one.
    let deactivate_self = format!("/users/{}/deactivate", org.admin_id);
    let r = admin.post(&deactivate_self, &json!({})).await;
    r.assert_refused(409, "last_administrator", "");
    // Nor can the own second factors be dropped without the password.
    let r = admin
        .post(
            &format!("/users/{}/second-factor/reset", org.admin_id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    // Once Bea is unlocked, the first Administrator may step back.
    let r = admin
        .post(&format!("/users/{}/unlock", bea.id), &json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let r = admin
        .patch(
            &format!("/users/{}", org.admin_id),
            &json!({"role_id": bea.role_id}),
        )
        .await;
    assert_eq!(r.status, 200, "no change of role, a no-op: {}", r.text());
    let r = admin.post(&deactivate_self, &json!({})).await;
    assert_eq!(r.status, 204, "{}", r.text());
}

// --- without a database per test ------------------------------------------------------------

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
    let error = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(error.contains("secure_cookies"), "refused: {error:?}");
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_they_are_read() {
    let app = TestApp::spawn().await;
    let c = ApiClient::new(&app);
    let r = c
        .send(
            c.bare(Method::POST, "/login")
                .header("content-type", "application/json")
                .body(format!(
                    r#"{{"email":"a@b.de","password":"{}"}}"#,
                    "x".repeat(300_000)
                )),
        )
        .await;
    r.assert_refused(413, "too_large", "");
}

#[tokio::test]
async fn a_trusted_proxy_names_the_client_and_nobody_else_can() {
    let app = TestApp::builder()
        .with_config(|c| c.http.trusted_proxies = vec!["127.0.0.1".into()])
        .spawn()
        .await;
    let org = setup_first_tenant(&app).await;
    // The client forged a first line; the proxy appended the real address. Sent
    // as raw HTTP, so the two header lines reach the server exactly so.
    let body = format!(r#"{{"email":"{ADMIN_EMAIL}","password":"{WRONG}"}}"#);
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
    let other = setup_first_tenant(&untrusted).await;
    let c = ApiClient::new(&untrusted);
    let r = login_from_a_claimed_address(&c, WRONG).await;
    assert_eq!(r.status, 401);
    for (app, tenant, address) in [
        (&app, org.tenant, "198.51.100.7"),
        (&untrusted, other.tenant, "127.0.0.1"),
    ] {
        let audit = audit_entries(app, tenant).await;
        let failed = of_action(&audit, AuditAction::LoginFailed);
        assert_eq!(
            failed[0]
                .event
                .source_ip
                .map(|ip| ip.to_string())
                .as_deref(),
            Some(address)
        );
    }
}
