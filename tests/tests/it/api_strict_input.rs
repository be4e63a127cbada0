//! The API's edge is strict, black box over HTTP: a body is checked against
//! the OpenAPI document before any handler runs. A wrong JSON type is refused,
//! never coerced; an unknown field is refused, never ignored; a scope that
//! misspells a criterion is refused instead of becoming unrestricted; text
//! that is not printable is refused wherever it stands; `limit` is 1 to 500
//! and a cursor that was not handed out is a `422` naming `after`. Every
//! refusal names the field, and nothing of a refused request is stored.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking, also in the helpers they call"
)]

use serde_json::{Value, json};
use zeugnis_tests::api::{
    ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, Reply, administrator_role_id, setup_first_tenant,
};
use zeugnis_tests::main_job::{created, ok};
use zeugnis_tests::{Backend, TestApp};

async fn start(what: &str) -> Option<(TestApp, ApiClient)> {
    let app = TestApp::builder()
        .on(Backend::Sqlite, what)
        .await?
        .spawn()
        .await;
    setup_first_tenant(&app).await;
    let mut admin = ApiClient::new(&app);
    let r = admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(r.status, 200, "login: {}", r.text());
    Some((app, admin))
}

/// Asserts a refusal with `status`, `code` and `field`.
fn refused(r: &Reply, status: u16, code: &str, field: &str) {
    assert_eq!(
        (r.status, r.code(), r.json["field"].as_str()),
        (status, Some(code), Some(field)),
        "{}",
        r.text()
    );
    assert!(
        r.json["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a refusal says why: {}",
        r.text()
    );
}

async fn employee_count(admin: &mut ApiClient) -> usize {
    let r = admin.get("/employees?limit=500").await;
    ok(&r, "list the employees");
    r.json["items"].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_types_and_unknown_fields_are_refused_naming_the_field() {
    let Some((_app, mut admin)) = start("strict_types").await else {
        return;
    };
    for wrong in [
        json!(123),
        json!(true),
        json!(1.5),
        json!(["Erika"]),
        json!({}),
    ] {
        let r = admin
            .post(
                "/employees",
                &json!({"first_name": wrong, "last_name": "Muster"}),
            )
            .await;
        refused(&r, 422, "invalid_type", "first_name");
    }
    let r = admin
        .post(
            "/employees",
            &json!({"first_name": "Erika", "last_name": "Muster", "favourite_colour": "blau"}),
        )
        .await;
    refused(&r, 422, "unknown_field", "favourite_colour");
    let r = admin
        .post("/employees", &json!({"first_name": "Erika"}))
        .await;
    refused(&r, 422, "missing_field", "last_name");
    assert_eq!(employee_count(&mut admin).await, 0, "nothing was created");

    // The same body without the mistakes is taken as it is.
    let id = created(
        &admin
            .post(
                "/employees",
                &json!({"first_name": "Erika", "last_name": "Muster"}),
            )
            .await,
        "a correct employee",
    );
    let r = admin.get(&format!("/employees/{id}")).await;
    ok(&r, "read it");
    assert_eq!(r.json["first_name"], "Erika");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misspelled_or_mistyped_scope_criterion_is_refused_never_unrestricted() {
    let Some((_app, mut admin)) = start("strict_scope").await else {
        return;
    };
    let role = administrator_role_id(&mut admin).await;
    let invite = |scope: Value| {
        json!({
            "first_name": "Paula", "last_name": "Personal",
            "email": "paula@example.org", "role_id": role, "scope": scope,
        })
    };
    for (scope, code, field) in [
        (
            json!({"administrator": false, "departement": ["Finanzen"]}),
            "unknown_field",
            "scope.departement",
        ),
        (
            json!({"administrator": false, "Department": ["Finanzen"]}),
            "unknown_field",
            "scope.Department",
        ),
        (
            json!({"administrator": false, "department": [1, true]}),
            "invalid_type",
            "scope.department[0]",
        ),
        (
            json!({"administrator": false, "department": "Finanzen"}),
            "invalid_type",
            "scope.department",
        ),
    ] {
        let r = admin.post("/users", &invite(scope.clone())).await;
        refused(&r, 422, code, field);
    }
    let r = admin.get("/users").await;
    ok(&r, "list the users");
    assert_eq!(
        r.json["items"].as_array().unwrap().len(),
        1,
        "only the administrator: {}",
        r.text()
    );

    // A correctly spelled scope is kept as named; a misspelling in a later
    // change is refused and the scope stays as it was.
    let id = created(
        &admin
            .post(
                "/users",
                &invite(json!({"administrator": false, "department": ["Finanzen"]})),
            )
            .await,
        "invite with a department scope",
    );
    let r = admin
        .request(
            reqwest::Method::PATCH,
            &format!("/users/{id}"),
            Some(&json!({"scope": {"administrator": false, "Department": ["Vertrieb"]}})),
        )
        .await;
    refused(&r, 422, "unknown_field", "scope.Department");
    let r = admin.get(&format!("/users/{id}")).await;
    ok(&r, "read the user");
    assert_eq!(
        r.json["scope"],
        json!({"administrator": false, "department": ["Finanzen"]}),
        "{}",
        r.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_and_cursor_are_checked_naming_the_parameter() {
    let Some((_app, mut admin)) = start("strict_paging").await else {
        return;
    };
    for path in ["/employees", "/references", "/users", "/audit"] {
        for limit in ["0", "501", "65535", "-1", "zehn"] {
            let r = admin.get(&format!("{path}?limit={limit}")).await;
            refused(&r, 422, "invalid_parameter", "limit");
        }
        for limit in ["1", "500"] {
            ok(&admin.get(&format!("{path}?limit={limit}")).await, path);
        }
        for cursor in ["kaputt", "AAAA", "%00", "eyJpZCI6MX0"] {
            let r = admin.get(&format!("{path}?after={cursor}")).await;
            refused(&r, 422, "invalid_cursor", "after");
        }
    }
    // A cursor handed out works.
    for n in 0..3 {
        created(
            &admin
                .post(
                    "/employees",
                    &json!({"first_name": format!("Person{n}"), "last_name": "Muster"}),
                )
                .await,
            "an employee",
        );
    }
    let first = admin.get("/employees?limit=2").await;
    ok(&first, "first page");
    let next = first.json["next"].as_str().unwrap().to_owned();
    let second = admin.get(&format!("/employees?limit=2&after={next}")).await;
    ok(&second, "second page");
    assert_eq!(second.json["items"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_that_is_not_printable_is_refused_in_sections_and_the_letterhead() {
    let Some((_app, mut admin)) = start("strict_text").await else {
        return;
    };
    let employee = created(
        &admin
            .post(
                "/employees",
                &json!({"first_name": "Erika", "last_name": "Muster", "salutation": "frau"}),
            )
            .await,
        "an employee",
    );
    let reference = created(
        &admin
            .post(
                "/references",
                &json!({"employee_id": employee, "kind": "interim"}),
            )
            .await,
        "a reference",
    );
    let sections = format!("/references/{reference}/sections");
    for bad in [
        "Null\u{0}Byte",
        "Glocke\u{7}",
        "\u{1b}[31mrot",
        "Ende\u{ffff}",
        "Zeichen\u{fffe}",
    ] {
        let r = admin
            .put(&sections, &json!({"sections": {"result": bad}}))
            .await;
        refused(&r, 422, "unprintable_character", "sections.result");
        let r = admin
            .put(
                &sections,
                &json!({"sections": {"tasks": {"items": ["Einkauf", bad]}}}),
            )
            .await;
        refused(&r, 422, "unprintable_character", "sections.tasks.items[1]");
    }
    // Line breaks, tabs, umlauts and emoji are text.
    let text = "Erste Zeile\nZweite Zeile\r\nDritte\tSpalte – Größe 😀";
    ok(
        &admin
            .put(&sections, &json!({"sections": {"result": text}}))
            .await,
        "printable text",
    );
    let r = admin.get(&format!("/references/{reference}")).await;
    assert_eq!(r.json["sections"]["result"], text);

    let formatting = admin.get("/library/formatting").await;
    ok(&formatting, "read the formatting");
    let mut data = formatting.json["data"].clone();
    data["letterhead"] = json!(["Muster\u{0} GmbH", "Hauptstraße 1"]);
    let r = admin
        .put(
            "/library/formatting",
            &json!({"version": formatting.json["version"], "data": data}),
        )
        .await;
    refused(&r, 422, "unprintable_character", "data.letterhead[0]");
    let after = admin.get("/library/formatting").await;
    assert_eq!(after.json, formatting.json, "nothing was saved");

    // The document still prints.
    let r = admin
        .get(&format!("/references/{reference}/document"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}
