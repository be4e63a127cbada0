//! Who sees which reference, black box through the JSON API: the reference
//! access scope, the private flag, the role's Employees area and the
//! organisation bound every reference and employee endpoint — the overview
//! with its filters, the count, the name search, reading, the PDF, handing
//! over, saving sections, status changes, generating, checking, the history,
//! deleting, revoking a handover, and the employees behind the references.
//! A reference (or employee, or handover) outside the caller's visibility is
//! indistinguishable from one that never existed: every request about it gets
//! exactly the answer a freshly made random id gets (status and body), it is
//! missing from lists, counts and search, and asking changes nothing. Private
//! references exist only for their creator and for users whose scope is
//! Administrator (the Administrator role with a restricted scope does not see
//! them). A role without the Employees area reads nothing, a read-only role
//! changes nothing, and those refusals look the same for existing and unknown
//! ids. Every test runs on SQLite and on Postgres.

#![expect(
    clippy::unwrap_used,
    reason = "tests fail by panicking, also in the helpers they call"
)]

use reqwest::Method;
use serde_json::{Value, json};
use zeugnis_core::access::{AccessLevel, Area, Permissions};
use zeugnis_core::id::{EmployeeId, ReferenceId};
use zeugnis_core::password::Password;
use zeugnis_core::ports::RandomSource as _;
use zeugnis_core::services::tenants::FirstAdministrator;
use zeugnis_core::token::HandoverId;
use zeugnis_core::values::{Email, Name, Slug};
use zeugnis_tests::api::{
    ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, Invitee, Organisation, Reply, SLUG,
    administrator_role_id, insert_role, invite_and_register, setup_first_tenant,
};
use zeugnis_tests::smtp_sink::{SinkOptions, SmtpSink, start_sink_or_skip};
use zeugnis_tests::{Backend, TestApp};

/// A password that passes the default policy and is on no list.
const PASSWORD: &str = "Kiefer-Zapfen-42";

zeugnis_tests::on_both_databases!(
    a_scope_bounds_every_reference_and_employee_endpoint,
    a_private_reference_exists_only_for_its_creator_and_administrator_scopes,
    without_the_employees_area_nothing_is_read_and_read_only_changes_nothing,
    another_organisation_finds_nothing_of_this_one,
);

// --- helpers -----------------------------------------------------------------

/// A mail sink, the server sending to it, the organisation and its logged-in
/// first Administrator (Administrator role and scope).
async fn start(
    backend: Backend,
    what: &str,
) -> Option<(SmtpSink, TestApp, Organisation, ApiClient)> {
    let sink = start_sink_or_skip(SinkOptions::default())?;
    let app = TestApp::builder()
        .on(backend, what)
        .await?
        .with_smtp(&sink)
        .spawn()
        .await;
    let org = setup_first_tenant(&app).await;
    let admin = logged_in(&app, SLUG, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    Some((sink, app, org, admin))
}

/// A client logged in to organisation `slug`.
async fn logged_in(app: &TestApp, slug: &str, email: &str, password: &str) -> ApiClient {
    let mut c = ApiClient::new(app);
    let r = c.login_to(Some(slug), email, password).await;
    assert_eq!(r.status, 200, "login {email}: {}", r.text());
    assert_eq!(r.json.get("status"), Some(&json!("logged_in")), "{email}");
    c
}

/// Invites a user through the mailed link, registers them and logs them in.
async fn add_user(
    app: &TestApp,
    admin: &mut ApiClient,
    sink: &SmtpSink,
    (first_name, last_name, email): (&str, &str, &str),
    role_id: &str,
    scope: Value,
) -> ApiClient {
    invite_and_register(
        admin,
        sink,
        &Invitee {
            first_name,
            last_name,
            email,
            role_id,
            scope,
        },
        PASSWORD,
    )
    .await;
    logged_in(app, SLUG, email, PASSWORD).await
}

/// Reading and writing employees and their references.
fn hr_permissions() -> Permissions {
    Permissions::none().with(Area::Employees, AccessLevel::ReadWrite)
}

/// Only employees at `location`.
fn at(location: &str) -> Value {
    json!({"administrator": false, "location": [location]})
}

/// A restriction that restricts nothing: every non-private reference.
fn unrestricted() -> Value {
    json!({"administrator": false})
}

/// The Administrator scope: every reference, private ones included.
fn everything() -> Value {
    json!({"administrator": true})
}

fn random16(app: &TestApp) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    app.state().random.fill(&mut bytes);
    bytes
}

/// A well-formed reference id that no reference has.
fn unknown_reference(app: &TestApp) -> String {
    ReferenceId::from_random(random16(app)).to_string()
}

/// A well-formed employee id that no employee has.
fn unknown_employee(app: &TestApp) -> String {
    EmployeeId::from_random(random16(app)).to_string()
}

/// A well-formed handover id that no handover has.
fn unknown_handover(app: &TestApp) -> String {
    HandoverId::from_bytes(random16(app)).to_string()
}

fn id_of(r: &Reply) -> String {
    r.json.get("id").and_then(Value::as_str).unwrap().to_owned()
}

fn employee_body(first: &str, last: &str, location: Option<&str>) -> Value {
    let mut body = json!({
        "salutation": "frau",
        "first_name": first,
        "last_name": last,
        "birth_date": "1988-04-12",
        "entry_date": "2019-03-01",
        "exit_date": "2025-06-30",
        "exit_reason": "employee_resignation",
        "job_descriptions": ["Sachbearbeitung Disposition"],
        "company": "Nordlicht Holzbau GmbH",
        "department": "Disposition",
    });
    if let (Some(l), Some(map)) = (location, body.as_object_mut()) {
        map.insert("location".into(), json!(l));
    }
    body
}

/// `POST /employees`; returns the id.
async fn add_employee(
    client: &mut ApiClient,
    first: &str,
    last: &str,
    location: Option<&str>,
) -> String {
    let r = client
        .post("/employees", &employee_body(first, last, location))
        .await;
    assert_eq!(r.status, 201, "create employee {last}: {}", r.text());
    id_of(&r)
}

/// `POST /references` for `employee`; returns the id.
async fn add_reference(client: &mut ApiClient, employee: &str, private: bool) -> String {
    let r = client
        .post(
            "/references",
            &json!({"employee_id": employee, "kind": "final", "private": private}),
        )
        .await;
    assert_eq!(r.status, 201, "create reference: {}", r.text());
    assert_eq!(r.json.get("private"), Some(&json!(private)));
    id_of(&r)
}

/// Writes the text a document is printed from.
async fn write_text(client: &mut ApiClient, id: &str) {
    let r = client
        .put(
            &format!("/references/{id}/sections"),
            &json!({"sections": {"result":
                "Frau Muster war vom 1. März 2019 bis 30. Juni 2025 bei uns tätig.\n\n\
                 Wir danken ihr für die stets sehr gute Zusammenarbeit."}}),
        )
        .await;
    assert_eq!(r.status, 200, "write the text: {}", r.text());
}

/// The reference downloads as a PDF.
async fn assert_pdf(client: &mut ApiClient, id: &str) {
    let r = client.get(&format!("/references/{id}/document")).await;
    assert_eq!(r.status, 200, "download: {}", r.text());
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("application/pdf")),
        "{:?}",
        r.header("content-type")
    );
    assert!(r.bytes.starts_with(b"%PDF"), "not a PDF");
}

fn handover_body() -> Value {
    json!({
        "recipient_name": "Pia Prüfer",
        "recipient_email": "pia.pruefer@nordlicht.example",
        "sections": {"performance": "write", "conduct": "write", "result": "read"},
    })
}

/// Hands the reference over; returns the handover's id.
async fn hand_over(client: &mut ApiClient, id: &str) -> String {
    let r = client
        .post(&format!("/references/{id}/handovers"), &handover_body())
        .await;
    assert_eq!(r.status, 201, "hand over: {}", r.text());
    assert_eq!(r.json.get("state"), Some(&json!("active")));
    id_of(&r)
}

/// The ids of `GET /references{query}`, in the order given.
async fn listed(client: &mut ApiClient, query: &str) -> Vec<String> {
    let r = client.get(&format!("/references{query}")).await;
    assert_eq!(r.status, 200, "list {query}: {}", r.text());
    r.json
        .get("items")
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .map(|i| i.get("id").and_then(Value::as_str).unwrap().to_owned())
        .collect()
}

/// `GET /references/count{query}`.
async fn counted(client: &mut ApiClient, query: &str) -> u64 {
    let r = client.get(&format!("/references/count{query}")).await;
    assert_eq!(r.status, 200, "count {query}: {}", r.text());
    r.json.get("count").and_then(Value::as_u64).unwrap()
}

/// The ids of `GET /employees`.
async fn employee_ids(client: &mut ApiClient) -> Vec<String> {
    let r = client.get("/employees").await;
    assert_eq!(r.status, 200, "list employees: {}", r.text());
    let mut ids: Vec<String> = r
        .json
        .get("items")
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .map(|i| i.get("id").and_then(Value::as_str).unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// What the reference's owner sees of it: the reference and its history.
async fn snapshot(client: &mut ApiClient, id: &str) -> (Value, Value) {
    let r = client.get(&format!("/references/{id}")).await;
    assert_eq!(r.status, 200, "read {id}: {}", r.text());
    let h = client.get(&format!("/references/{id}/history")).await;
    assert_eq!(h.status, 200, "history {id}: {}", h.text());
    (r.json, h.json)
}

type Request = (&'static str, Method, &'static str, Option<Value>);

/// The requests that read a reference: (what, method, path after the id, body).
fn reading() -> Vec<Request> {
    vec![
        ("read", Method::GET, "", None),
        ("download", Method::GET, "/document", None),
        ("history", Method::GET, "/history", None),
        ("check", Method::GET, "/check", None),
        ("handover list", Method::GET, "/handovers", None),
    ]
}

/// The requests that change a reference.
fn changing() -> Vec<Request> {
    vec![
        (
            "handover",
            Method::POST,
            "/handovers",
            Some(handover_body()),
        ),
        (
            "save sections",
            Method::PUT,
            "/sections",
            Some(json!({"sections": {"further": "Von außen geändert."}})),
        ),
        (
            "status change",
            Method::POST,
            "/status",
            Some(json!({"status": "in_approval"})),
        ),
        ("generate", Method::POST, "/generate", Some(json!({}))),
        ("delete", Method::DELETE, "", None),
    ]
}

fn every_request() -> Vec<Request> {
    let mut all = reading();
    all.extend(changing());
    all
}

/// Sends each request about reference `id`: (what, status, body).
async fn ask(
    client: &mut ApiClient,
    id: &str,
    requests: Vec<Request>,
) -> Vec<(&'static str, u16, Value)> {
    let mut out = Vec::new();
    for (what, method, suffix, body) in requests {
        let r = client
            .request(method, &format!("/references/{id}{suffix}"), body.as_ref())
            .await;
        out.push((what, r.status, r.json));
    }
    out
}

/// Each request about `id` gets the answer it gets for a random unknown id,
/// and that answer is `status` with `code`.
async fn assert_answers_like_unknown(
    app: &TestApp,
    client: &mut ApiClient,
    id: &str,
    requests: fn() -> Vec<Request>,
    (status, code): (u16, &str),
    who: &str,
) {
    let unknown = unknown_reference(app);
    let answers = ask(client, id, requests()).await;
    let unknown_answers = ask(client, &unknown, requests()).await;
    assert_eq!(answers.len(), unknown_answers.len());
    for ((what, got, body), (_, u_got, u_body)) in answers.iter().zip(&unknown_answers) {
        assert_eq!(
            (got, body),
            (u_got, u_body),
            "{who}, {what}: answered unlike an unknown reference"
        );
        assert_eq!(
            (*got, body.get("code").and_then(Value::as_str)),
            (status, Some(code)),
            "{who}, {what}: {body}"
        );
    }
}

/// The reference does not exist for this client: every endpoint answers as for
/// a random unknown id, `404 not_found`.
async fn assert_hidden(app: &TestApp, client: &mut ApiClient, id: &str, who: &str) {
    assert_answers_like_unknown(app, client, id, every_request, (404, "not_found"), who).await;
}

/// The employee does not exist for this client: reading, saving and deleting
/// it and creating a reference for it answer as for a random unknown id, and
/// the reference filters by it find nothing.
async fn assert_employee_hidden(app: &TestApp, client: &mut ApiClient, id: &str, who: &str) {
    let unknown = unknown_employee(app);
    for (what, method, path, body) in [
        ("read", Method::GET, "/employees/{}", None),
        (
            "save",
            Method::PUT,
            "/employees/{}",
            Some(employee_body("Ulla", "Überschrieben", Some("Hamburg"))),
        ),
        ("delete", Method::DELETE, "/employees/{}", None),
    ] {
        let mine = client
            .request(method.clone(), &path.replace("{}", id), body.as_ref())
            .await;
        let never = client
            .request(method, &path.replace("{}", &unknown), body.as_ref())
            .await;
        assert_eq!(
            (mine.status, &mine.json),
            (never.status, &never.json),
            "{who}, employee {what}: answered unlike an unknown employee"
        );
        assert_eq!(
            (mine.status, mine.code()),
            (404, Some("not_found")),
            "{who}, employee {what}"
        );
    }
    let new_reference = |e: &str| json!({"employee_id": e, "kind": "final", "private": false});
    let mine = client.post("/references", &new_reference(id)).await;
    let never = client.post("/references", &new_reference(&unknown)).await;
    assert_eq!(
        (mine.status, &mine.json),
        (never.status, &never.json),
        "{who}, a reference for the employee: answered unlike for an unknown employee"
    );
    assert_eq!(
        (mine.status, mine.code()),
        (422, Some("unknown_employee")),
        "{who}: {}",
        mine.text()
    );
    assert!(
        listed(client, &format!("?employee_id={id}"))
            .await
            .is_empty(),
        "{who}: references listed by the employee"
    );
    assert_eq!(
        counted(client, &format!("?employee_id={id}")).await,
        0,
        "{who}: references counted by the employee"
    );
    assert!(
        !employee_ids(client).await.contains(&id.to_owned()),
        "{who}: the employee is listed"
    );
}

/// Revoking the handover answers as for a random unknown handover id.
async fn assert_handover_hidden(app: &TestApp, client: &mut ApiClient, id: &str, who: &str) {
    let unknown = unknown_handover(app);
    let mine = client
        .request(Method::POST, &format!("/handovers/{id}/revoke"), None)
        .await;
    let never = client
        .request(Method::POST, &format!("/handovers/{unknown}/revoke"), None)
        .await;
    assert_eq!(
        (mine.status, &mine.json),
        (never.status, &never.json),
        "{who}, revoke: answered unlike an unknown handover"
    );
    assert_eq!(
        (mine.status, mine.code()),
        (404, Some("not_found")),
        "{who}: {}",
        mine.text()
    );
}

/// The handovers of a reference and their states.
async fn handover_states(client: &mut ApiClient, id: &str) -> Vec<(String, String)> {
    let r = client.get(&format!("/references/{id}/handovers")).await;
    assert_eq!(r.status, 200, "handovers of {id}: {}", r.text());
    r.json
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h.get("id").and_then(Value::as_str).unwrap().to_owned(),
                h.get("state").and_then(Value::as_str).unwrap().to_owned(),
            )
        })
        .collect()
}

// --- 1. scope ------------------------------------------------------------------

async fn a_scope_bounds_every_reference_and_employee_endpoint(backend: Backend) {
    let Some((sink, app, org, mut admin)) = start(backend, "visibility_scope").await else {
        return;
    };
    let hr = insert_role(&app, org.tenant, "Personalabteilung", hr_permissions())
        .await
        .to_string();
    let mut hamburg = add_user(
        &app,
        &mut admin,
        &sink,
        ("Hauke", "Hansen", "hauke.hansen@nordlicht.example"),
        &hr,
        at("Hamburg"),
    )
    .await;
    let mut munich = add_user(
        &app,
        &mut admin,
        &sink,
        ("Mia", "Moser", "mia.moser@nordlicht.example"),
        &hr,
        at("München"),
    )
    .await;
    let hanna = add_employee(&mut admin, "Hanna", "Hafenmeister", Some("Hamburg")).await;
    let moritz = add_employee(&mut admin, "Moritz", "Isarwinkel", Some("München")).await;
    let nora = add_employee(&mut admin, "Nora", "Ohnesitz", None).await;

    // Employees: each sees the employees of their location, and no other.
    assert_eq!(employee_ids(&mut hamburg).await, vec![hanna.clone()]);
    assert_eq!(employee_ids(&mut munich).await, vec![moritz.clone()]);
    assert_eq!(
        employee_ids(&mut admin).await,
        sorted(vec![hanna.clone(), moritz.clone(), nora.clone()])
    );
    assert_employee_hidden(&app, &mut hamburg, &moritz, "Hamburg, employee in München").await;
    assert_employee_hidden(
        &app,
        &mut hamburg,
        &nora,
        "Hamburg, employee without location",
    )
    .await;
    assert_employee_hidden(&app, &mut munich, &hanna, "München, employee in Hamburg").await;
    let r = admin.get(&format!("/employees/{moritz}")).await;
    assert_eq!(
        r.json.get("last_name"),
        Some(&json!("Isarwinkel")),
        "the hidden employee was not changed: {}",
        r.text()
    );

    let hamburg_ref = add_reference(&mut hamburg, &hanna, false).await;
    let munich_ref = add_reference(&mut munich, &moritz, false).await;
    write_text(&mut hamburg, &hamburg_ref).await;
    write_text(&mut munich, &munich_ref).await;

    // The overview, its filters, the count and the name search.
    assert_eq!(listed(&mut hamburg, "").await, vec![hamburg_ref.clone()]);
    assert_eq!(listed(&mut munich, "").await, vec![munich_ref.clone()]);
    assert_eq!(counted(&mut hamburg, "").await, 1);
    assert_eq!(counted(&mut munich, "").await, 1);
    assert_eq!(
        listed(&mut hamburg, "?status=draft&kind=final").await,
        vec![hamburg_ref.clone()]
    );
    assert_eq!(counted(&mut hamburg, "?status=draft&kind=final").await, 1);
    assert!(
        listed(&mut hamburg, &format!("?employee_id={moritz}&status=draft"))
            .await
            .is_empty()
    );
    assert_eq!(
        listed(&mut hamburg, "?q=hafenmeister").await,
        vec![hamburg_ref.clone()]
    );
    assert!(listed(&mut hamburg, "?q=isarwinkel").await.is_empty());
    assert!(
        listed(&mut hamburg, "?q=Moritz&kind=final")
            .await
            .is_empty()
    );
    assert!(listed(&mut munich, "?q=hafen").await.is_empty());
    assert_eq!(counted(&mut admin, "").await, 2);
    assert_eq!(
        sorted(listed(&mut admin, "").await),
        sorted(vec![hamburg_ref.clone(), munich_ref.clone()])
    );

    // By id, every endpoint: as if the other location's reference did not
    // exist, and asking changed nothing.
    let before = snapshot(&mut munich, &munich_ref).await;
    assert_hidden(
        &app,
        &mut hamburg,
        &munich_ref,
        "Hamburg, reference in München",
    )
    .await;
    assert_eq!(snapshot(&mut munich, &munich_ref).await, before);
    let before = snapshot(&mut hamburg, &hamburg_ref).await;
    assert_hidden(
        &app,
        &mut munich,
        &hamburg_ref,
        "München, reference in Hamburg",
    )
    .await;
    assert_eq!(snapshot(&mut hamburg, &hamburg_ref).await, before);

    // Inside the scope the same endpoints work.
    assert_pdf(&mut hamburg, &hamburg_ref).await;
    let handover = hand_over(&mut munich, &munich_ref).await;
    assert_handover_hidden(
        &app,
        &mut hamburg,
        &handover,
        "Hamburg, handover in München",
    )
    .await;
    assert_eq!(
        handover_states(&mut munich, &munich_ref).await,
        vec![(handover, "active".to_owned())]
    );

    // An employee who moves takes their references along: the reference now
    // exists for München and no longer for Hamburg.
    let r = admin
        .put(
            &format!("/employees/{hanna}"),
            &employee_body("Hanna", "Hafenmeister", Some("München")),
        )
        .await;
    assert_eq!(r.status, 200, "move: {}", r.text());
    assert_hidden(&app, &mut hamburg, &hamburg_ref, "Hamburg, after the move").await;
    assert_eq!(counted(&mut hamburg, "").await, 0);
    assert!(listed(&mut hamburg, "?q=hafenmeister").await.is_empty());
    assert!(employee_ids(&mut hamburg).await.is_empty());
    assert_eq!(
        sorted(listed(&mut munich, "").await),
        sorted(vec![hamburg_ref.clone(), munich_ref.clone()])
    );
    assert_eq!(
        listed(&mut munich, "?q=hafenmeister").await,
        vec![hamburg_ref.clone()]
    );
    let moved = snapshot(&mut munich, &hamburg_ref).await.0;
    assert_eq!(moved.get("sections"), before.0.get("sections"));
}

// --- 2. private flag ---------------------------------------------------------------

async fn a_private_reference_exists_only_for_its_creator_and_administrator_scopes(
    backend: Backend,
) {
    let Some((sink, app, org, mut admin)) = start(backend, "visibility_private").await else {
        return;
    };
    let hr = insert_role(&app, org.tenant, "Personalabteilung", hr_permissions())
        .await
        .to_string();
    let administrator = administrator_role_id(&mut admin).await;
    let mut anna = add_user(
        &app,
        &mut admin,
        &sink,
        ("Anna", "Albers", "anna.albers@nordlicht.example"),
        &hr,
        unrestricted(),
    )
    .await;
    let mut ben = add_user(
        &app,
        &mut admin,
        &sink,
        ("Ben", "Brandt", "ben.brandt@nordlicht.example"),
        &hr,
        unrestricted(),
    )
    .await;
    // The Administrator role, but not the Administrator scope.
    let mut clara = add_user(
        &app,
        &mut admin,
        &sink,
        ("Clara", "Claussen", "clara.claussen@nordlicht.example"),
        &administrator,
        unrestricted(),
    )
    .await;
    // The Administrator scope, but not the Administrator role.
    let mut dora = add_user(
        &app,
        &mut admin,
        &sink,
        ("Dora", "Dahl", "dora.dahl@nordlicht.example"),
        &hr,
        everything(),
    )
    .await;
    let paula = add_employee(&mut admin, "Paula", "Verborgen", Some("Hamburg")).await;
    let private = add_reference(&mut anna, &paula, true).await;
    let public = add_reference(&mut anna, &paula, false).await;
    write_text(&mut anna, &private).await;
    let both = sorted(vec![private.clone(), public.clone()]);

    // The creator sees it everywhere and works with it.
    assert_eq!(sorted(listed(&mut anna, "").await), both);
    assert_eq!(counted(&mut anna, "").await, 2);
    assert_eq!(
        counted(&mut anna, &format!("?employee_id={paula}")).await,
        2
    );
    assert_eq!(sorted(listed(&mut anna, "?q=verborgen").await), both);
    assert_pdf(&mut anna, &private).await;

    // So do the Administrator scopes, with or without the Administrator role.
    for (who, client) in [("Administrator", &mut admin), ("Dora", &mut dora)] {
        assert_eq!(sorted(listed(client, "").await), both, "{who}");
        assert_eq!(counted(client, "").await, 2, "{who}");
        assert_eq!(sorted(listed(client, "?q=verborgen").await), both, "{who}");
        let r = client.get(&format!("/references/{private}")).await;
        assert_eq!(r.status, 200, "{who}: {}", r.text());
        assert_eq!(r.json.get("private"), Some(&json!(true)), "{who}");
    }

    // Everyone else in the same (unrestricted) scope — the Administrator role
    // included — finds only the public reference of the same employee.
    let before = snapshot(&mut anna, &private).await;
    for (who, client) in [
        ("Ben, same scope", &mut ben),
        ("Clara, Administrator role", &mut clara),
    ] {
        assert_eq!(listed(client, "").await, vec![public.clone()], "{who}");
        assert_eq!(
            listed(client, "?status=draft&kind=final").await,
            vec![public.clone()],
            "{who}"
        );
        assert_eq!(counted(client, "").await, 1, "{who}");
        assert_eq!(
            counted(client, &format!("?employee_id={paula}")).await,
            1,
            "{who}"
        );
        assert_eq!(
            listed(client, &format!("?employee_id={paula}")).await,
            vec![public.clone()],
            "{who}"
        );
        assert_eq!(
            listed(client, "?q=verborgen").await,
            vec![public.clone()],
            "{who}"
        );
        let r = client.get(&format!("/references/{public}")).await;
        assert_eq!(r.status, 200, "{who}: {}", r.text());
        assert_hidden(&app, client, &private, who).await;
    }
    assert_eq!(snapshot(&mut anna, &private).await, before);

    // A handover of the private reference is as hidden as the reference.
    let handover = hand_over(&mut anna, &private).await;
    assert_handover_hidden(
        &app,
        &mut ben,
        &handover,
        "Ben, handover of a private reference",
    )
    .await;
    assert_handover_hidden(
        &app,
        &mut clara,
        &handover,
        "Clara, handover of a private reference",
    )
    .await;
    assert_eq!(
        handover_states(&mut anna, &private).await,
        vec![(handover, "active".to_owned())]
    );

    // And the other way round: Ben's private reference is his alone.
    let bens = add_reference(&mut ben, &paula, true).await;
    assert_eq!(counted(&mut ben, "").await, 2);
    assert_eq!(counted(&mut anna, "").await, 2);
    assert!(!listed(&mut anna, "?q=verborgen").await.contains(&bens));
    assert_hidden(&app, &mut anna, &bens, "Anna, Ben's private reference").await;
    assert_eq!(counted(&mut dora, "").await, 3);
}

// --- 3. role areas -------------------------------------------------------------------

async fn without_the_employees_area_nothing_is_read_and_read_only_changes_nothing(
    backend: Backend,
) {
    let Some((sink, app, org, mut admin)) = start(backend, "visibility_roles").await else {
        return;
    };
    let no_employees = insert_role(
        &app,
        org.tenant,
        "Benutzerpflege",
        Permissions::none().with(Area::Users, AccessLevel::Read),
    )
    .await
    .to_string();
    let read_only = insert_role(
        &app,
        org.tenant,
        "Nur lesen",
        Permissions::none().with(Area::Employees, AccessLevel::Read),
    )
    .await
    .to_string();
    let mut nina = add_user(
        &app,
        &mut admin,
        &sink,
        ("Nina", "Nordmann", "nina.nordmann@nordlicht.example"),
        &no_employees,
        everything(),
    )
    .await;
    let mut lars = add_user(
        &app,
        &mut admin,
        &sink,
        ("Lars", "Lesemann", "lars.lesemann@nordlicht.example"),
        &read_only,
        everything(),
    )
    .await;
    let emil = add_employee(&mut admin, "Emil", "Lesbar", Some("Hamburg")).await;
    let reference = add_reference(&mut admin, &emil, false).await;
    write_text(&mut admin, &reference).await;
    let before = snapshot(&mut admin, &reference).await;
    let employee_before = admin.get(&format!("/employees/{emil}")).await.json;
    let forbidden = (403, "forbidden");

    // Without the Employees area: no overview, count, search or employee list,
    // and every request about a reference or employee is refused — the same
    // way for one that exists and for one that does not.
    for path in [
        "/references".to_owned(),
        "/references/count".to_owned(),
        "/references?q=lesbar".to_owned(),
        format!("/references?employee_id={emil}"),
        "/employees".to_owned(),
    ] {
        let r = nina.get(&path).await;
        assert_eq!((r.status, r.code()), (403, Some("forbidden")), "{path}");
    }
    assert_answers_like_unknown(
        &app,
        &mut nina,
        &reference,
        every_request,
        forbidden,
        "no Employees area",
    )
    .await;
    let unknown = unknown_employee(&app);
    for (method, path, body) in [
        (Method::GET, "/employees/{}", None),
        (
            Method::PUT,
            "/employees/{}",
            Some(employee_body("Ulla", "Überschrieben", Some("Hamburg"))),
        ),
        (Method::DELETE, "/employees/{}", None),
    ] {
        let mine = nina
            .request(method.clone(), &path.replace("{}", &emil), body.as_ref())
            .await;
        let never = nina
            .request(method.clone(), &path.replace("{}", &unknown), body.as_ref())
            .await;
        assert_eq!((mine.status, &mine.json), (never.status, &never.json));
        assert_eq!(
            (mine.status, mine.code()),
            (403, Some("forbidden")),
            "{method} {path}"
        );
    }
    for (path, body) in [
        (
            "/references",
            json!({"employee_id": emil, "kind": "final", "private": false}),
        ),
        (
            "/employees",
            employee_body("Neu", "Angelegt", Some("Hamburg")),
        ),
    ] {
        let r = nina.post(path, &body).await;
        assert_eq!((r.status, r.code()), (403, Some("forbidden")), "{path}");
    }

    // Read only: everything can be read…
    assert_eq!(listed(&mut lars, "").await, vec![reference.clone()]);
    assert_eq!(counted(&mut lars, "").await, 1);
    assert_eq!(
        listed(&mut lars, "?q=lesbar").await,
        vec![reference.clone()]
    );
    assert_eq!(employee_ids(&mut lars).await, vec![emil.clone()]);
    for (what, got, body) in ask(&mut lars, &reference, reading()).await {
        assert_eq!(got, 200, "read only, {what}: {body}");
    }
    assert_pdf(&mut lars, &reference).await;
    let r = lars.get(&format!("/employees/{emil}")).await;
    assert_eq!(r.status, 200, "{}", r.text());

    // …and nothing changed: no reference created, no section saved, no status
    // changed, no text generated, nothing handed over or deleted — refused the
    // same way for an unknown reference.
    assert_answers_like_unknown(
        &app,
        &mut lars,
        &reference,
        changing,
        forbidden,
        "read only",
    )
    .await;
    let r = lars
        .post(
            "/references",
            &json!({"employee_id": emil, "kind": "final", "private": false}),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (403, Some("forbidden")),
        "{}",
        r.text()
    );
    let r = lars
        .post(
            "/employees",
            &employee_body("Neu", "Angelegt", Some("Hamburg")),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (403, Some("forbidden")),
        "{}",
        r.text()
    );
    let r = lars
        .put(
            &format!("/employees/{emil}"),
            &employee_body("Ulla", "Überschrieben", Some("Hamburg")),
        )
        .await;
    assert_eq!(
        (r.status, r.code()),
        (403, Some("forbidden")),
        "{}",
        r.text()
    );
    let r = lars.delete(&format!("/employees/{emil}")).await;
    assert_eq!(
        (r.status, r.code()),
        (403, Some("forbidden")),
        "{}",
        r.text()
    );

    assert_eq!(snapshot(&mut admin, &reference).await, before);
    assert_eq!(counted(&mut admin, "").await, 1);
    assert!(handover_states(&mut admin, &reference).await.is_empty());
    assert_eq!(
        admin.get(&format!("/employees/{emil}")).await.json,
        employee_before
    );
    assert_eq!(employee_ids(&mut admin).await, vec![emil]);
}

// --- 4. organisations ------------------------------------------------------------------

async fn another_organisation_finds_nothing_of_this_one(backend: Backend) {
    const OTHER_SLUG: &str = "suedwind";
    const OTHER_EMAIL: &str = "olaf.ost@suedwind.example";
    let Some((_sink, app, _org, mut admin)) = start(backend, "visibility_tenants").await else {
        return;
    };
    let tilda = add_employee(&mut admin, "Tilda", "Grenzgang", Some("Hamburg")).await;
    let reference = add_reference(&mut admin, &tilda, false).await;
    write_text(&mut admin, &reference).await;
    let handover = hand_over(&mut admin, &reference).await;
    let before = snapshot(&mut admin, &reference).await;

    // A second organisation with its own Administrator (role and scope).
    let state = app.state();
    state
        .tenants()
        .create_with_administrator(
            Slug::parse(OTHER_SLUG).unwrap(),
            Name::new("Südwind Logistik AG").unwrap(),
            FirstAdministrator {
                first_name: Name::new("Olaf").unwrap(),
                last_name: Name::new("Ost").unwrap(),
                email: Email::parse(OTHER_EMAIL).unwrap(),
                password: Password::new(PASSWORD),
            },
            &state.hasher,
            &state.breached,
        )
        .await
        .unwrap();
    let mut other = logged_in(&app, OTHER_SLUG, OTHER_EMAIL, PASSWORD).await;

    // Nothing of the first organisation is listed, counted, found or
    // reachable by id.
    assert!(listed(&mut other, "").await.is_empty());
    assert_eq!(counted(&mut other, "").await, 0);
    assert!(listed(&mut other, "?q=grenzgang").await.is_empty());
    assert!(employee_ids(&mut other).await.is_empty());
    assert_hidden(&app, &mut other, &reference, "other organisation").await;
    assert_employee_hidden(&app, &mut other, &tilda, "other organisation").await;
    assert_handover_hidden(&app, &mut other, &handover, "other organisation").await;
    assert_eq!(snapshot(&mut admin, &reference).await, before);
    assert_eq!(
        handover_states(&mut admin, &reference).await,
        vec![(handover, "active".to_owned())]
    );

    // An employee of the same name over there stays over there, and the other
    // way round.
    let namesake = add_employee(&mut other, "Tilda", "Grenzgang", Some("Hamburg")).await;
    let theirs = add_reference(&mut other, &namesake, false).await;
    assert_eq!(
        listed(&mut other, "?q=grenzgang").await,
        vec![theirs.clone()]
    );
    assert_eq!(counted(&mut other, "").await, 1);
    assert_eq!(
        listed(&mut admin, "?q=grenzgang").await,
        vec![reference.clone()]
    );
    assert_eq!(counted(&mut admin, "").await, 1);
    assert_eq!(employee_ids(&mut admin).await, vec![tilda]);
    assert_hidden(&app, &mut admin, &theirs, "first organisation").await;
    assert_employee_hidden(&app, &mut admin, &namesake, "first organisation").await;
}
