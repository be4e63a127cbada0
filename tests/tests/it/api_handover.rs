//! The main job through the JSON API, black box, with the mails read from a
//! real SMTP server: HR creates an employee and a reference, fills and
//! generates it, hands it over to a supervisor with a section matrix (some
//! sections writable, some read-only, some hidden); the supervisor opens the
//! mailed link (with and without a one-time code), reads, writes an allowed
//! section, is refused on the others with nothing changed, never sees a hidden
//! section in any answer, downloads only when allowed, and finishes; HR sees
//! the history, the change log and the audit trail, regenerates and downloads
//! the PDF, whose text (read with poppler's `pdftotext`) carries the umlauts.
//! Revoked, expired and finished links answer with their reason and nothing
//! else. Every test runs on SQLite and on Postgres.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};
use time::Duration;
use zeugnis_core::access::{AccessLevel, Area, Permissions};
use zeugnis_core::audit::AuditAction;
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::{ChangeSet, Clock, SettingsStore as _, UnitOfWork as _, Write};
use zeugnis_core::settings::{AllowedDomains, PrivacySettings};
use zeugnis_tests::api::{
    ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, Invitee, Reply, SLUG, audit_entries, insert_role,
    invite_and_register, is_to, setup_first_tenant, wait_for_mails_to,
};
use zeugnis_tests::main_job::{
    BIRTH_DATE, BIRTH_PLACE, INTERNAL_NOTE, code_in, created, filled_reference, link_in, ok,
};
use zeugnis_tests::smtp_sink::{SinkOptions, SmtpSink, start_sink_or_skip};
use zeugnis_tests::{Backend, TestApp, TestClock};

zeugnis_tests::on_both_databases!(
    hr_hands_a_reference_over_and_the_supervisor_works_only_within_the_matrix,
    a_link_with_a_one_time_code_allows_the_download_until_hr_revokes_it,
    expired_unknown_and_foreign_domain_links_give_nothing_away,
);

// --- helpers -----------------------------------------------------------------

const HR_EMAIL: &str = "hanna.hoffmann@nordlicht.example";
const HR_PASSWORD: &str = "Linden-Weg-28";
const SUPERVISOR: &str = "Sören Groß";
const SUPERVISOR_EMAIL: &str = "soeren.gross@nordlicht.example";
const LINK_SUBJECT: &str = "Mitwirkung an einem Arbeitszeugnis";
const CODE_SUBJECT: &str = "Bestätigungscode";

struct World {
    app: TestApp,
    sink: SmtpSink,
    clock: Arc<TestClock>,
    tenant: TenantId,
    hr: ApiClient,
}

/// An organisation with an HR user (area Employees read+write, scope: location
/// Hamburg) logged in, on `backend`, mails to a real SMTP server.
async fn world(backend: Backend, what: &str) -> Option<World> {
    let sink = start_sink_or_skip(SinkOptions::default())?;
    let clock = TestClock::new();
    let app = TestApp::builder()
        .on(backend, what)
        .await?
        .with_clock(Arc::clone(&clock) as Arc<dyn Clock>)
        .with_smtp(&sink)
        .spawn()
        .await;
    let org = setup_first_tenant(&app).await;
    let mut admin = ApiClient::new(&app);
    assert_eq!(admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    let role = insert_role(
        &app,
        org.tenant,
        "Personal",
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    )
    .await
    .to_string();
    invite_and_register(
        &mut admin,
        &sink,
        &Invitee {
            first_name: "Hanna",
            last_name: "Hoffmann",
            email: HR_EMAIL,
            role_id: &role,
            scope: json!({"administrator": false, "location": ["Hamburg"]}),
        },
        HR_PASSWORD,
    )
    .await;
    let mut hr = ApiClient::new(&app);
    let r = hr.login(HR_EMAIL, HR_PASSWORD).await;
    assert_eq!(r.status, 200, "HR login: {}", r.text());
    Some(World {
        app,
        sink,
        clock,
        tenant: org.tenant,
        hr,
    })
}

/// Changes the organisation's privacy settings directly in the store (the
/// settings API is not part of these tests).
async fn set_privacy(app: &TestApp, tenant: TenantId, change: impl FnOnce(&mut PrivacySettings)) {
    let store = &app.store();
    let current = store.settings(tenant).await.unwrap();
    let mut settings = current.value;
    change(&mut settings.privacy);
    let mut changes = ChangeSet::new(tenant);
    // Version 0: the defaults, never saved yet.
    let stored = (current.version.0 > 0).then_some(current.version);
    changes.push(Write::SaveSettings(settings, stored));
    store.commit(changes).await.unwrap();
}

fn refused(r: &Reply, status: u16, code: &str, what: &str) {
    assert_eq!(
        (r.status, r.code()),
        (status, Some(code)),
        "{what}: {}",
        r.text()
    );
}

/// The reference as HR sees it.
async fn reference_of(hr: &mut ApiClient, id: &str) -> Value {
    let r = hr.get(&format!("/references/{id}")).await;
    ok(&r, "read the reference");
    r.json
}

/// A client for the link holder: no account, only what the link gives.
fn holder(app: &TestApp) -> ApiClient {
    ApiClient::new(app)
}

/// Takes the handover session of a `200` answer to opening the link.
fn take_session(holder: &mut ApiClient, r: &Reply) {
    ok(r, "open the link");
    let cookie = r.set_cookie().expect("a session cookie");
    assert!(cookie.has("HttpOnly"), "the handover cookie is HttpOnly");
    assert_eq!(cookie.attribute("SameSite"), Some("Strict"));
    holder.cookie = Some(cookie.pair());
    holder.csrf = Some(r.json["csrf_token"].as_str().unwrap().to_owned());
}

fn link_path(id: &str, secret: &str) -> String {
    format!("/links/{SLUG}/{id}/{secret}")
}

/// The section keys of a holder view.
fn keys(view: &Value) -> Vec<String> {
    view["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_owned())
        .collect()
}

fn section<'a>(view: &'a Value, key: &str) -> &'a Value {
    view["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("section {key} in {view}"))
}

/// The text of a PDF, by poppler's `pdftotext`.
fn pdf_text(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is installed");
    child.stdin.take().unwrap().write_all(pdf).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "pdftotext failed");
    // Joins words hyphenated at a line end and lines, so sentences compare.
    String::from_utf8(out.stdout)
        .unwrap()
        .replace("-\n", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn assert_pdf(r: &Reply, what: &str) {
    ok(r, what);
    assert_eq!(r.header("content-type"), Some("application/pdf"), "{what}");
    assert!(r.bytes.starts_with(b"%PDF-"), "{what}: a PDF");
}

/// How many audit entries of `action` the organisation has.
async fn audited(app: &TestApp, tenant: TenantId, action: AuditAction) -> usize {
    audit_entries(app, tenant)
        .await
        .iter()
        .filter(|e| e.event.action == action)
        .count()
}

// --- 1. the whole flow without a code ----------------------------------------

async fn hr_hands_a_reference_over_and_the_supervisor_works_only_within_the_matrix(
    backend: Backend,
) {
    let Some(mut w) = world(backend, "handover_flow").await else {
        return;
    };
    set_privacy(&w.app, w.tenant, |p| p.change_tracking = true).await;
    let reference = filled_reference(&mut w.hr).await;
    let before = reference_of(&mut w.hr, &reference).await;
    let generated = before["sections"]["result"].as_str().unwrap().to_owned();
    assert!(
        generated.contains("Frau Jördis Weißgerber"),
        "the text names her: {generated}"
    );

    // A download flag without read access to every printed section is refused.
    let r =
        w.hr.post(
            &format!("/references/{reference}/handovers"),
            &json!({
                "recipient_name": SUPERVISOR,
                "recipient_email": SUPERVISOR_EMAIL,
                "sections": {"performance": "write"},
                "download": true,
            }),
        )
        .await;
    refused(&r, 422, "handover_refused", "download without reading");
    assert_eq!(r.json["field"], "download", "{}", r.text());

    // The matrix: ratings, conduct and achievements writable; data, tasks and
    // the text read-only; everything else (personal data, company, …) hidden.
    let r =
        w.hr.post(
            &format!("/references/{reference}/handovers"),
            &json!({
                "recipient_name": SUPERVISOR,
                "recipient_email": SUPERVISOR_EMAIL,
                "sections": {
                    "data": "read", "tasks": "read", "result": "read",
                    "performance": "write", "conduct": "write", "achievements": "write",
                    "personal": "none",
                },
                "download": false,
                "expires_in_days": 14,
            }),
        )
        .await;
    let handover = created(&r, "hand over");
    assert_eq!(r.json["state"], "active");
    assert_eq!(
        r.json["sections"],
        json!({"achievements": "write", "conduct": "write", "data": "read",
               "performance": "write", "result": "read", "tasks": "read"})
    );
    let overview = w.hr.get("/references").await;
    ok(&overview, "overview");
    let line = &overview.json["items"][0];
    assert_eq!(line["status"], "with_supervisor");
    assert_eq!(line["holder"]["kind"], "recipient");
    assert_eq!(line["holder"]["name"], SUPERVISOR);
    // HR keeps working on its own sections meanwhile; the supervisor does not
    // see them.
    let r =
        w.hr.put(
            &format!("/references/{reference}/sections"),
            &json!({"sections": {"further": format!("{INTERNAL_NOTE} (Stand Dezember)")}}),
        )
        .await;
    ok(&r, "HR edits a hidden section while handed over");

    // The link arrives by mail; its path carries id and secret.
    let mails = wait_for_mails_to(&w.sink, SUPERVISOR_EMAIL, LINK_SUBJECT, 1).await;
    let (id, secret) = link_in(&mails[0]);
    assert_eq!(id, handover);
    let mail_text = mails[0].text.clone().unwrap_or_default();
    assert!(
        !mail_text.contains(BIRTH_PLACE) && !mail_text.contains("Weißgerber"),
        "the mail names neither the employee nor her data: {mail_text}"
    );

    // Fetching the mailed address (as a mail scanner does) gets the static
    // page and spends nothing: the link still opens afterwards.
    let page = w.app.get(&format!("/t/{SLUG}/h/{id}/{secret}")).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        !page.text().await.unwrap().contains("Weißgerber"),
        "the page itself carries no reference data"
    );

    // Without the link's session nothing is readable.
    let mut sup = holder(&w.app);
    refused(
        &sup.get("/handover").await,
        401,
        "unauthenticated",
        "no cookie",
    );
    // A wrong secret is an invalid link, like an unknown one.
    let wrong = "0".repeat(secret.len());
    refused(
        &sup.post(&link_path(&id, &wrong), &json!({})).await,
        404,
        "invalid_link",
        "wrong secret",
    );

    let r = sup.post(&link_path(&id, &secret), &json!({})).await;
    take_session(&mut sup, &r);
    let mut answers = vec![r.clone()];
    let view = r.json["handover"].clone();
    assert_eq!(
        keys(&view),
        [
            "data",
            "tasks",
            "performance",
            "conduct",
            "achievements",
            "result"
        ]
    );
    assert_eq!(view["download"], false);
    assert_eq!(section(&view, "tasks")["writable"], false);
    assert_eq!(section(&view, "performance")["writable"], true);
    assert_eq!(section(&view, "result")["content"], generated.as_str());

    let r = sup.get("/handover").await;
    ok(&r, "read");
    assert_eq!(r.json, view);
    answers.push(r);

    // A write to the writable section is saved.
    let r = sup
        .put(
            "/handover/sections",
            &json!({"sections": {
                "achievements": ["Einführung eines digitalen Bestellwesens für alle Standorte"],
                "performance": {"ratings": {
                    "willingness": 1, "ability": 1, "knowledge": 2,
                    "working_style": 1, "work_results": 1,
                }},
            }}),
        )
        .await;
    ok(&r, "write the writable sections");
    assert_eq!(
        section(&r.json, "achievements")["content"],
        json!(["Einführung eines digitalen Bestellwesens für alle Standorte"])
    );
    answers.push(r);
    let after_write = reference_of(&mut w.hr, &reference).await;

    // A write touching a read-only section is refused whole: the writable
    // part of the same request is not saved either.
    let r = sup
        .put(
            "/handover/sections",
            &json!({"sections": {
                "achievements": ["Sollte nicht gespeichert werden"],
                "tasks": {"items": ["Umgeschrieben"]},
            }}),
        )
        .await;
    refused(&r, 403, "section_not_writable", "write a read-only section");
    assert_eq!(r.json["details"], json!(["tasks"]), "{}", r.text());
    answers.push(r);
    // Text that is not printable (a NUL, an escape sequence) is refused at the
    // edge for the holder as for HR, naming the field; nothing is saved.
    for bad in ["Projekt\u{0}leitung", "\u{1b}[31mrot", "Ende\u{ffff}"] {
        let r = sup
            .put(
                "/handover/sections",
                &json!({"sections": {"achievements": ["Gültiger Erfolg", bad]}}),
            )
            .await;
        refused(&r, 422, "unprintable_character", "unprintable holder text");
        assert_eq!(r.json["field"], "sections.achievements[1]", "{}", r.text());
    }
    // A hidden section is refused the same way, without showing its content.
    let r = sup
        .put(
            "/handover/sections",
            &json!({"sections": {"personal": {"salutation": "herr",
                "first_name": "X", "last_name": "Y"}}}),
        )
        .await;
    refused(&r, 403, "section_not_writable", "write a hidden section");
    answers.push(r);
    let unchanged = reference_of(&mut w.hr, &reference).await;
    assert_eq!(
        unchanged["sections"], after_write["sections"],
        "refused writes change nothing"
    );
    assert_eq!(unchanged["version"], after_write["version"]);

    // No download without the flag.
    let r = sup.get("/handover/document").await;
    refused(&r, 403, "download_not_allowed", "download without the flag");
    answers.push(r);

    // Nothing hidden appears in any answer the holder got.
    for a in &answers {
        let text = a.text();
        assert!(
            !text.contains(INTERNAL_NOTE) && !text.contains(BIRTH_DATE),
            "a hidden section's content in a holder answer: {text}"
        );
        if let Some(sections) = a
            .json
            .get("sections")
            .or(a.json["handover"].get("sections"))
        {
            for s in sections.as_array().unwrap() {
                assert!(
                    !["personal", "company", "further"].contains(&s["key"].as_str().unwrap()),
                    "a hidden section in a holder answer: {s}"
                );
            }
        }
    }

    // Finishing ends the session and the link.
    let r = sup.post("/handover/finish", &json!({})).await;
    assert_eq!(r.status, 204, "finish: {}", r.text());
    assert!(r.set_cookie().is_some_and(|c| c.clears()), "cookie cleared");
    let mut stale = holder(&w.app);
    stale.cookie = answers[0].set_cookie().map(|c| c.pair());
    stale.csrf = sup.csrf.clone();
    let r = stale.get("/handover").await;
    assert!(
        matches!(r.status, 401 | 410),
        "the old cookie after finishing: {} {}",
        r.status,
        r.text()
    );
    let r = holder(&w.app)
        .post(&link_path(&id, &secret), &json!({}))
        .await;
    refused(&r, 410, "link_finished", "open a finished link");
    assert!(r.set_cookie().is_none());

    // HR: the reference is back, with its history and change log.
    let back = reference_of(&mut w.hr, &reference).await;
    assert_eq!(back["status"], "draft");
    let h = w.hr.get(&format!("/references/{reference}/history")).await;
    ok(&h, "history");
    let statuses: Vec<(String, String, String)> = h.json["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["to"].as_str().unwrap().to_owned(),
                s["by"]["kind"].as_str().unwrap().to_owned(),
                s["by"]["id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(
        statuses
            .iter()
            .any(|(to, kind, _)| to == "with_supervisor" && kind == "user"),
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .any(|(to, kind, by)| to == "draft" && kind == "handover" && *by == handover),
        "{statuses:?}"
    );
    assert_eq!(h.json["handovers"][0]["state"], "finished");
    let changes = h.json["changes"].as_array().unwrap();
    let by_supervisor: Vec<&Value> = changes
        .iter()
        .filter(|c| c["by"]["kind"] == "handover")
        .collect();
    let mut changed: Vec<&str> = by_supervisor
        .iter()
        .map(|c| c["section"].as_str().unwrap())
        .collect();
    changed.sort_unstable();
    // The supervisor's ratings write the generator's text again, logged as
    // their change, so their PDF shows their own assessment.
    assert_eq!(
        changed,
        ["achievements", "performance", "result"],
        "{changes:?}"
    );
    let text = by_supervisor
        .iter()
        .find(|c| c["section"] == "result")
        .unwrap();
    assert!(
        text["after"]
            .as_str()
            .unwrap()
            .contains("Einführung eines digitalen Bestellwesens"),
        "{text}"
    );
    let perf = by_supervisor
        .iter()
        .find(|c| c["section"] == "performance")
        .unwrap();
    assert_eq!(perf["editor"], SUPERVISOR);
    assert_eq!(perf["before"]["ratings"]["ability"], 2);
    assert_eq!(perf["after"]["ratings"]["ability"], 1);
    assert!(
        changes
            .iter()
            .any(|c| c["by"]["kind"] == "user" && c["section"] == "tasks"),
        "HR's own edits are logged too: {changes:?}"
    );

    // The text already follows the supervisor's ratings: regenerating has
    // nothing to do. HR downloads the PDF.
    let r =
        w.hr.post(
            &format!("/references/{reference}/generate"),
            &json!({"force": false}),
        )
        .await;
    ok(&r, "regenerate");
    assert_eq!(r.json["outcome"], "unchanged", "{}", r.text());
    let r = w.hr.get(&format!("/references/{reference}/document")).await;
    assert_pdf(&r, "HR download");
    let text = pdf_text(&r.bytes);
    for expected in [
        "Frau Jördis Weißgerber",
        "Einführung eines digitalen Bestellwesens für alle Standorte",
        "Verhandlung von Rahmenverträgen",
        "ENTWURF",
    ] {
        assert!(text.contains(expected), "{expected:?} in the PDF: {text}");
    }

    // Every step is in the audit log.
    for action in [
        AuditAction::EmployeeCreated,
        AuditAction::ReferenceCreated,
        AuditAction::ReferenceGenerated,
        AuditAction::HandoverCreated,
        AuditAction::HandoverOpened,
        AuditAction::HandoverFinished,
        AuditAction::ReferenceDownloaded,
    ] {
        assert!(
            audited(&w.app, w.tenant, action).await >= 1,
            "{action:?} is audited"
        );
    }
    assert!(audited(&w.app, w.tenant, AuditAction::ReferenceChanged).await >= 2);
    // Out to the supervisor and back to HR.
    assert!(audited(&w.app, w.tenant, AuditAction::ReferenceStatusChanged).await >= 2);
}

// --- 2. a code, the download, revocation -------------------------------------

async fn a_link_with_a_one_time_code_allows_the_download_until_hr_revokes_it(backend: Backend) {
    let Some(mut w) = world(backend, "handover_code").await else {
        return;
    };
    // The organisation makes the code mandatory: HR's "no code" is overruled.
    set_privacy(&w.app, w.tenant, |p| p.link_check.mandatory = true).await;
    let reference = filled_reference(&mut w.hr).await;
    let all_read: serde_json::Map<String, Value> = [
        "data",
        "personal",
        "company",
        "reference_data",
        "further",
        "signatures",
        "career",
        "stations",
        "tasks",
        "additional_tasks",
        "training",
        "powers",
        "performance",
        "conduct",
        "qualifications",
        "achievements",
        "result",
    ]
    .into_iter()
    .map(|k| (k.to_owned(), json!("read")))
    .collect();
    let r =
        w.hr.post(
            &format!("/references/{reference}/handovers"),
            &json!({
                "recipient_name": SUPERVISOR,
                "recipient_email": SUPERVISOR_EMAIL,
                "sections": all_read,
                "download": true,
            }),
        )
        .await;
    let handover = created(&r, "hand over");
    assert_eq!(r.json["code_channel"], "email", "{}", r.text());
    let mails = wait_for_mails_to(&w.sink, SUPERVISOR_EMAIL, LINK_SUBJECT, 1).await;
    let (id, secret) = link_in(&mails[0]);

    // Opening sends a code instead of granting access.
    let mut sup = holder(&w.app);
    let r = sup.post(&link_path(&id, &secret), &json!({})).await;
    assert_eq!(r.status, 202, "open with a code: {}", r.text());
    assert!(r.set_cookie().is_none(), "no session before the code");
    assert_eq!(r.json["channel"], "email");
    let challenge = r.json["challenge"].as_str().unwrap().to_owned();
    let code_mails = wait_for_mails_to(&w.sink, SUPERVISOR_EMAIL, CODE_SUBJECT, 1).await;
    let code = code_in(&code_mails[0]);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = sup
        .post(
            &format!("{}/code", link_path(&id, &secret)),
            &json!({"challenge": challenge, "code": wrong}),
        )
        .await;
    refused(&r, 422, "invalid_code", "a wrong code");
    assert!(r.set_cookie().is_none());
    let r = sup
        .post(
            &format!("{}/code", link_path(&id, &secret)),
            &json!({"challenge": challenge, "code": code}),
        )
        .await;
    take_session(&mut sup, &r);
    assert_eq!(r.json["handover"]["download"], true);
    // The code works once.
    let r = holder(&w.app)
        .post(
            &format!("{}/code", link_path(&id, &secret)),
            &json!({"challenge": challenge, "code": code}),
        )
        .await;
    refused(&r, 422, "invalid_code", "the code a second time");

    // Everything is readable, nothing writable.
    let r = sup.get("/handover").await;
    ok(&r, "read");
    assert_eq!(keys(&r.json).len(), 17);
    assert!(
        r.json["sections"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["writable"] == false)
    );
    let r = sup
        .put(
            "/handover/sections",
            &json!({"sections": {"achievements": ["Nicht erlaubt"]}}),
        )
        .await;
    refused(&r, 403, "section_not_writable", "write a read-only section");

    // With the flag the holder downloads the PDF.
    let r = sup.get("/handover/document").await;
    assert_pdf(&r, "holder download");
    assert!(pdf_text(&r.bytes).contains("Jördis Weißgerber"));

    // HR revokes: the session and the link stop at once.
    let r =
        w.hr.post(&format!("/handovers/{handover}/revoke"), &json!({}))
            .await;
    assert!(
        matches!(r.status, 200 | 204),
        "revoke: {} {}",
        r.status,
        r.text()
    );
    let r = sup.get("/handover").await;
    assert!(
        matches!(r.status, 401 | 410),
        "a revoked link's session: {} {}",
        r.status,
        r.text()
    );
    assert!(!r.text().contains("Weißgerber"));
    let r = sup.get("/handover/document").await;
    assert!(matches!(r.status, 401 | 410), "download after revocation");
    assert!(!r.bytes.starts_with(b"%PDF"));
    let r = holder(&w.app)
        .post(&link_path(&id, &secret), &json!({}))
        .await;
    refused(&r, 410, "link_revoked", "open a revoked link");
    assert!(
        r.text().len() < 400,
        "a message and nothing else: {}",
        r.text()
    );

    let back = reference_of(&mut w.hr, &reference).await;
    assert_eq!(back["status"], "draft", "revoking returns it to HR");
    for action in [
        AuditAction::HandoverCodeSent,
        AuditAction::HandoverCodeFailed,
        AuditAction::HandoverOpened,
        AuditAction::ReferenceDownloaded,
        AuditAction::HandoverRevoked,
    ] {
        assert!(
            audited(&w.app, w.tenant, action).await >= 1,
            "{action:?} is audited"
        );
    }
}

// --- 3. expiry, unknown links, allowed domains ---------------------------------

async fn expired_unknown_and_foreign_domain_links_give_nothing_away(backend: Backend) {
    let Some(mut w) = world(backend, "handover_expiry").await else {
        return;
    };
    set_privacy(&w.app, w.tenant, |p| {
        p.allowed_handover_domains = AllowedDomains::only(["nordlicht.example"]).unwrap();
    })
    .await;
    let reference = filled_reference(&mut w.hr).await;

    // A recipient outside the allowed domains is refused; no mail goes out.
    let r =
        w.hr.post(
            &format!("/references/{reference}/handovers"),
            &json!({
                "recipient_name": "Fremde Person",
                "recipient_email": "fremd@example.com",
                "sections": {"result": "read"},
            }),
        )
        .await;
    refused(&r, 422, "handover_refused", "a foreign domain");
    assert_eq!(r.json["field"], "recipient_email", "{}", r.text());
    assert_eq!(reference_of(&mut w.hr, &reference).await["status"], "draft");
    let r =
        w.hr.post(
            &format!("/references/{reference}/handovers"),
            &json!({
                "recipient_name": SUPERVISOR,
                "recipient_email": SUPERVISOR_EMAIL,
                "sections": {"result": "read", "achievements": "write"},
                "expires_in_days": 1,
            }),
        )
        .await;
    created(&r, "hand over for a day");
    let mails = wait_for_mails_to(&w.sink, SUPERVISOR_EMAIL, LINK_SUBJECT, 1).await;
    assert!(
        !w.sink
            .received()
            .iter()
            .any(|m| is_to(m, "fremd@example.com")),
        "nothing went to the refused address"
    );
    let (id, secret) = link_in(&mails[0]);

    // An unknown id and a malformed one answer like a wrong secret.
    let mut anyone = holder(&w.app);
    let unknown = "f".repeat(id.len());
    for path in [
        link_path(&unknown, &secret),
        link_path("nonsense", &secret),
        format!("/links/unbekannt/{id}/{secret}"),
    ] {
        refused(
            &anyone.post(&path, &json!({})).await,
            404,
            "invalid_link",
            &path,
        );
    }

    let mut sup = holder(&w.app);
    let r = sup.post(&link_path(&id, &secret), &json!({})).await;
    take_session(&mut sup, &r);
    ok(&sup.get("/handover").await, "read while valid");

    // A day later the link and its session are over.
    w.clock.advance(Duration::hours(25));
    // (HR's session has ended too, after twelve hours at most.)
    assert_eq!(w.hr.login(HR_EMAIL, HR_PASSWORD).await.status, 200);
    let r = sup.get("/handover").await;
    assert!(
        matches!(r.status, 401 | 410),
        "an expired link's session: {} {}",
        r.status,
        r.text()
    );
    let r = sup
        .put(
            "/handover/sections",
            &json!({"sections": {"achievements": ["Zu spät"]}}),
        )
        .await;
    assert!(matches!(r.status, 401 | 410), "write after expiry");
    let r = holder(&w.app)
        .post(&link_path(&id, &secret), &json!({}))
        .await;
    refused(&r, 410, "link_expired", "open an expired link");
    let after = reference_of(&mut w.hr, &reference).await;
    assert!(
        after["sections"].get("achievements").is_none(),
        "nothing written after expiry: {after}"
    );
    let r =
        w.hr.get(&format!("/references/{reference}/handovers"))
            .await;
    ok(&r, "handovers");
    assert_eq!(r.json[0]["state"], "expired", "{}", r.text());

    // The method is POST: a GET of the link's API path (a mail scanner
    // following links) opens nothing.
    let r = anyone
        .send(anyone.bare(Method::GET, &link_path(&id, &secret)))
        .await;
    assert_eq!(r.status, 405, "{}", r.text());
}
