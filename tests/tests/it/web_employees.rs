//! Creating, editing and deleting employee records in the pages, as a
//! browser without JavaScript sends the forms: every field named where it
//! is wrong and nothing saved, the record's version, the scope, and deleting
//! refused while a reference names the person.

use serde_json::json;
use zeugnis_core::access::{AccessLevel, Area, Permissions};
use zeugnis_tests::api::{ADMIN_EMAIL, ADMIN_PASSWORD, SLUG};
use zeugnis_tests::pages::{PageClient, form_fields, visible_text};
use zeugnis_tests::{TestApp, TestRole};

async fn logged_in(app: &TestApp, email: &str, password: &str) -> PageClient {
    let mut c = PageClient::new(app);
    let p = c.log_in(&format!("/t/{SLUG}/login"), email, password).await;
    assert_eq!(p.status, 303, "{}", p.body);
    c
}

fn with(mut fields: Vec<(String, String)>, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push(((*name).to_owned(), (*value).to_owned()));
    }
    fields
}

#[tokio::test]
async fn hr_adds_an_employee_edits_the_record_and_starts_a_reference() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let list = c.get("/employees").await;
    assert!(list.body.contains("href=\"/employees/new\""));
    let form = c.get("/employees/new").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let text = visible_text(&form.body);
    for seen in [
        "Neuer Mitarbeiter",
        "Persönliche Daten",
        "Kontakt",
        "Beschäftigung",
        "Unterbrechungen",
        "Vollmachten",
        "Organisation",
    ] {
        assert!(text.contains(seen), "{seen} in {text}");
    }
    let blank = form_fields(&form.body, "/employees/new");

    // Wrong entries: each at its field, nothing created.
    let bad = with(
        blank.clone(),
        &[
            ("first_name", "Jördis"),
            ("birth_date", "31.02.1988"),
            ("email", "joerdis@"),
            ("interruption.0.from", "01.03.2020"),
        ],
    );
    let p = c.post_fields("/employees/new", &bad).await;
    assert_eq!(p.status, 422, "{}", p.body);
    let text = visible_text(&p.body);
    assert!(text.contains("Bitte füllen Sie dieses Feld aus."), "{text}");
    assert!(text.contains("gültiges Datum"), "{text}");
    assert!(text.contains("gültige E-Mail-Adresse"), "{text}");
    assert!(p.body.contains("id=\"e-last-name-error\""));
    assert!(
        p.body.contains("id=\"e-salutation-error\""),
        "a salutation is chosen, never assumed"
    );
    assert!(
        p.body.contains("id=\"e-interruption-0-to-error\""),
        "an interruption needs its end"
    );
    assert!(p.body.contains("value=\"Jördis\""), "the input is kept");
    let count = api.get("/employees").await.json["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(count, 0);

    let good = with(
        blank,
        &[
            ("salutation", "frau"),
            ("first_name", "Jördis"),
            ("last_name", "Weißgerber"),
            ("birth_date", "14.07.1988"),
            ("email", "joerdis@nordlicht.example"),
            ("entry_date", "01.04.2016"),
            ("job_descriptions", "Sachbearbeiterin Einkauf\nTeamleiterin"),
            ("interruption.0.from", "01.03.2020"),
            ("interruption.0.to", "28.02.2021"),
            ("interruption.0.reason", "Elternzeit"),
            ("power.0.kind", "Handlungsvollmacht"),
            ("location", "Hamburg"),
            ("department", "Einkauf"),
        ],
    );
    let p = c.post_fields("/employees/new", &good).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let to = p.location.clone().unwrap();
    let id = to
        .strip_prefix("/employees/")
        .and_then(|r| r.strip_suffix("?done=created"))
        .unwrap()
        .to_owned();
    let e = api.get(&format!("/employees/{id}")).await;
    assert_eq!(e.status, 200, "{}", e.text());
    assert_eq!(e.json["birth_date"], "1988-07-14");
    assert_eq!(e.json["salutation"], "frau");
    assert_eq!(e.json["interruptions"][0]["reason"], "Elternzeit");
    assert_eq!(
        e.json["powers_of_attorney"][0]["kind"],
        "Handlungsvollmacht"
    );
    assert_eq!(
        e.json["job_descriptions"],
        json!(["Sachbearbeiterin Einkauf", "Teamleiterin"])
    );

    // The record page: dates as German readers write them.
    let page = c.follow(&p).await;
    let text = visible_text(&page.body);
    assert!(text.contains("Der Mitarbeiter ist angelegt."), "{text}");
    assert!(page.body.contains("value=\"14.07.1988\""));
    let action = format!("/employees/{id}");
    let fields = form_fields(&page.body, &action);

    // Exit before entry: the core's rule, named at the exit date.
    let p = c
        .post_fields(
            &action,
            &with(fields.clone(), &[("exit_date", "31.12.2015")]),
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(visible_text(&p.body).contains("Das Austrittsdatum liegt vor dem Eintrittsdatum."));
    assert!(p.body.contains("id=\"e-exit-date-error\""));

    let p = c
        .post_fields(
            &action,
            &with(
                fields.clone(),
                &[
                    ("exit_date", "30.09.2025"),
                    ("exit_reason", "employee_resignation"),
                ],
            ),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let e = api.get(&format!("/employees/{id}")).await;
    assert_eq!(e.json["exit_date"], "2025-09-30");
    assert_eq!(e.json["exit_reason"], "employee_resignation");

    // The same form again is stale now: nothing is overwritten.
    let p = c
        .post_fields(&action, &with(fields, &[("city", "Lübeck")]))
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(visible_text(&p.body).contains("inzwischen geändert"));
    assert!(api.get(&format!("/employees/{id}")).await.json["city"].is_null());

    // A reference from the record, opened in the editor.
    let page = c.get(&action).await;
    let csrf = page.input("csrf").unwrap();
    let p = c
        .post(
            "/references",
            &[("csrf", &csrf), ("employee_id", &id), ("kind", "interim")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert!(p.location.as_deref().unwrap().starts_with("/references/"));
    let page = c.get(&action).await;
    assert!(visible_text(&page.body).contains("Zwischenzeugnis"));
}

#[tokio::test]
async fn deleting_an_employee_is_refused_while_a_reference_names_them() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let r = api
        .post(
            "/employees",
            &json!({"salutation": "herr", "first_name": "Karl", "last_name": "Domblick"}),
        )
        .await;
    let id = r.json["id"].as_str().unwrap().to_owned();
    let r = api
        .post("/references", &json!({"employee_id": id, "kind": "final"}))
        .await;
    let reference = r.json["id"].as_str().unwrap().to_owned();
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = c.get(&format!("/employees/{id}")).await;
    let csrf = page.input("csrf").unwrap();
    let delete = format!("/employees/{id}/delete");
    let p = c.post(&delete, &[("csrf", &csrf)]).await;
    assert_eq!(p.status, 422, "the tick is needed: {}", p.body);
    let p = c.post(&delete, &[("csrf", &csrf), ("confirm", "1")]).await;
    assert_eq!(p.status, 409, "{}", p.body);
    let text = visible_text(&p.body);
    assert!(
        text.contains("solange ein Zeugnis die Person nennt"),
        "{text}"
    );
    assert!(
        p.body
            .contains(&format!("href=\"/references/{reference}\"")),
        "the refusal shows the reference"
    );
    assert_eq!(api.get(&format!("/employees/{id}")).await.status, 200);

    assert_eq!(
        api.delete(&format!("/references/{reference}")).await.status,
        204
    );
    let p = c.post(&delete, &[("csrf", &csrf), ("confirm", "1")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/employees?done=deleted"));
    assert!(
        visible_text(&c.follow(&p).await.body).contains("Der Mitarbeiterdatensatz ist gelöscht.")
    );
    assert_eq!(api.get(&format!("/employees/{id}")).await.status, 404);
}

#[tokio::test]
async fn a_scoped_user_neither_sees_nor_creates_records_outside_the_scope() {
    let koeln = TestRole::custom(
        "Personal Köln",
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    );
    let app = TestApp::builder()
        .with_user(koeln, json!({"administrator": false, "location": ["Köln"]}))
        .spawn()
        .await;
    let mut api = app.admin();
    let r = api
        .post(
            "/employees",
            &json!({"first_name": "Bernd", "last_name": "Geheimrat", "location": "Bonn"}),
        )
        .await;
    let bonn = r.json["id"].as_str().unwrap().to_owned();
    let user = app.user(1).clone();
    let mut c = logged_in(&app, &user.email, user.password).await;
    let p = c.get(&format!("/employees/{bonn}")).await;
    assert_eq!(p.status, 404);
    assert!(!p.body.contains("Geheimrat"));
    let form = c.get("/employees/new").await;
    let fields = with(
        form_fields(&form.body, "/employees/new"),
        &[
            ("salutation", "none"),
            ("first_name", "Anna"),
            ("last_name", "Rhein"),
            ("location", "Bonn"),
        ],
    );
    let p = c.post_fields("/employees/new", &fields).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(visible_text(&p.body).contains("außerhalb Ihrer Zugriffsberechtigung"));
    let fields = with(fields, &[("location", "Köln")]);
    let p = c.post_fields("/employees/new", &fields).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let mut no_token = fields.clone();
    no_token.retain(|(n, _)| n != "csrf");
    assert_eq!(c.post_fields("/employees/new", &no_token).await.status, 403);
}
