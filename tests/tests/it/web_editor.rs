//! The reference editor over HTTP, as a browser without JavaScript sends it:
//! the sections in their groups, saving with the version (and what a save
//! that meets a newer version shows), field errors that save nothing,
//! generating with the proposal after a hand edit and taking chosen
//! sentences, the check at its sentences, the workflow's buttons and a
//! refused transition, the PDF, deleting with a confirmation, and what the
//! editor shows to a user outside the scope or with read access only.
#![expect(
    clippy::indexing_slicing,
    reason = "tests fail by panicking, also in the helpers they call"
)]

use serde_json::{Value, json};
use zeugnis_core::access::{AccessLevel, Area, Permissions};
use zeugnis_tests::api::{ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, SLUG};
use zeugnis_tests::main_job::{created, filled_reference};
use zeugnis_tests::pages::{Page, PageClient, form_fields, visible_text};
use zeugnis_tests::{TestApp, TestRole};

async fn logged_in(app: &TestApp, email: &str, password: &str) -> PageClient {
    let mut c = PageClient::new(app);
    let p = c.log_in(&format!("/t/{SLUG}/login"), email, password).await;
    assert_eq!(p.status, 303, "{}", p.body);
    c
}

/// The editor's form with `changes` made to it.
fn edited(page: &Page, id: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = form_fields(&page.body, &format!("/references/{id}"));
    for (name, value) in changes {
        fields.retain(|(n, _)| n != name);
        fields.push(((*name).to_owned(), (*value).to_owned()));
    }
    fields
}

async fn sections(api: &mut ApiClient, id: &str) -> Value {
    let r = api.get(&format!("/references/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json["sections"].clone()
}

#[tokio::test]
async fn the_editor_shows_every_section_in_its_group_and_saves_what_changed() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let p = c.get(&format!("/references/{id}")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(p.header("cache-control"), Some("no-store"));
    let text = visible_text(&p.body);
    for seen in [
        "Zeugnis für Jördis Weißgerber",
        "Stammdaten",
        "Tätigkeit",
        "Bewertung",
        "Ergebnis",
        "Persönliche Daten",
        "Zeugnisdaten",
        "Unterschriften",
        "Werdegang",
        "Stationen",
        "Zusatztätigkeiten",
        "Weiterbildungen",
        "Vollmachten",
        "Bewertung (Leistung)",
        "Bewertung (Verhalten)",
        "Qualifikationen",
        "Erfolge",
        "Weitere Angaben",
        "Entwurf",
        "Endzeugnis",
        // A grade shows the sentence it gives, worded for her.
        "1 – sehr gut",
        "Sie zeigte stets",
        // The preview of the letter and the history.
        "Vorschau",
        "Arbeitszeugnis",
        "Verlauf",
    ] {
        assert!(text.contains(seen), "{seen} in {text}");
    }
    // Dates are in their fields as a date field holds them, labelled.
    assert!(
        p.body
            .contains("<label for=\"f-personal-birth-date\">Geburtsdatum")
    );
    assert!(p.body.contains("value=\"14.07.1988\""), "{}", p.body);
    assert!(
        p.body
            .contains("<option value=\"frau\" selected>Frau</option>"),
        "the salutation by its label"
    );
    // The workflow offers exactly what the core allows from a draft.
    assert!(text.contains("Zur Freigabe geben"), "{text}");
    assert!(!text.contains("Archivieren"), "{text}");

    // Save: one changed grade and a career line.
    let fields = edited(
        &p,
        &id,
        &[
            ("performance.knowledge", "1"),
            ("career", "Sachbearbeiterin Einkauf\nTeamleiterin Einkauf"),
        ],
    );
    let saved = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("/references/{id}?done=saved").as_str())
    );
    let p = c.follow(&saved).await;
    assert!(visible_text(&p.body).contains("Die Änderungen sind gespeichert."));
    let s = sections(&mut api, &id).await;
    assert_eq!(s["performance"]["ratings"]["knowledge"], 1);
    assert_eq!(
        s["career"],
        json!(["Sachbearbeiterin Einkauf", "Teamleiterin Einkauf"])
    );
    assert_eq!(s["conduct"]["customers"], 2, "untouched sections stay");

    // Without the session's token nothing is saved.
    let mut fields = edited(&p, &id, &[("performance.knowledge", "4")]);
    fields.retain(|(n, _)| n != "csrf");
    let refused = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        sections(&mut api, &id).await["performance"]["ratings"]["knowledge"],
        1
    );
}

#[tokio::test]
async fn a_wrong_field_is_named_at_the_field_and_nothing_of_the_form_is_saved() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let before = sections(&mut api, &id).await;
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = c.get(&format!("/references/{id}")).await;
    let fields = edited(
        &p,
        &id,
        &[
            ("personal.first_name", "  "),
            ("data.entry_date", "31.02.2016"),
            ("achievements", "Neues Lieferantenportal eingeführt"),
        ],
    );
    let p = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(p.status, 422, "{}", p.body);
    let text = visible_text(&p.body);
    assert!(text.contains("Es wurde nichts gespeichert."), "{text}");
    assert!(text.contains("Bitte füllen Sie dieses Feld aus."), "{text}");
    assert!(
        text.contains("Bitte geben Sie ein gültiges Datum ein"),
        "{text}"
    );
    // Each message is tied to its field, and the summary links to it.
    assert!(
        p.body
            .contains("aria-describedby=\"f-personal-first-name-error\"")
            || p.body.contains(" f-personal-first-name-error\""),
        "{}",
        p.body
    );
    assert!(p.body.contains("id=\"f-personal-first-name-error\""));
    assert!(p.body.contains("href=\"#f-data-entry-date\""));
    // What was typed stays in the form.
    assert!(
        p.body.contains("Neues Lieferantenportal eingeführt"),
        "the typed text is kept"
    );
    assert_eq!(sections(&mut api, &id).await, before, "nothing saved");
}

#[tokio::test]
async fn a_save_that_meets_a_newer_version_names_what_changed_and_overwrites_nothing() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = c.get(&format!("/references/{id}")).await;

    // Meanwhile someone else rates the knowledge.
    let r = api
        .put(
            &format!("/references/{id}/sections"),
            &json!({"sections": {"performance": {"ratings": {"knowledge": 5, "willingness": 1}}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let fields = edited(&page, &id, &[("company", "Eine andere Beschreibung.")]);
    let p = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(p.status, 409, "{}", p.body);
    let text = visible_text(&p.body);
    assert!(text.contains("Inzwischen geändert"), "{text}");
    assert!(text.contains("Bewertung (Leistung)"), "{text}");
    assert!(
        text.contains("Aktuelle Fassung laden"),
        "reload is offered: {text}"
    );
    assert!(
        p.body.contains("Eine andere Beschreibung."),
        "the user's input is kept in the form"
    );
    let s = sections(&mut api, &id).await;
    assert_eq!(
        s["performance"]["ratings"]["knowledge"], 5,
        "not overwritten"
    );
    assert_ne!(s["company"], "Eine andere Beschreibung.", "nothing saved");

    // Saving again from that page is a deliberate overwrite of what it shows.
    let fields = edited(&p, &id, &[]);
    let again = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(
        sections(&mut api, &id).await["company"],
        "Eine andere Beschreibung."
    );
}

#[tokio::test]
async fn a_hand_edited_text_is_kept_and_chosen_sentences_of_the_proposal_are_taken() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = c.get(&format!("/references/{id}")).await;
    let generated = sections(&mut api, &id).await["result"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = "Frau Weißgerber hat unser Lieferantenportal aufgebaut.";
    let edited_text = format!("{generated}\n\n{own}");
    // Edit by hand, raise a grade, and ask for the text again.
    let fields = edited(
        &p,
        &id,
        &[
            ("result", &edited_text),
            ("performance.knowledge", "1"),
            ("then", "generate"),
        ],
    );
    let p = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(p.status, 200, "the proposal page: {}", p.body);
    let text = visible_text(&p.body);
    assert!(text.contains("Vorschläge übernehmen"), "{text}");
    assert!(text.contains(own), "{text}");
    assert!(text.contains("entfällt") && text.contains("neu"), "{text}");
    let s = sections(&mut api, &id).await;
    assert_eq!(s["result"], edited_text.as_str(), "the hand edit is kept");
    assert_eq!(s["performance"]["ratings"]["knowledge"], 1, "saved first");

    // Take only the new sentences, keep the own one.
    let mut fields = form_fields(&p.body, &format!("/references/{id}/adopt"));
    let added: Vec<String> = p
        .body
        .split("<li class=\"diff-added\">")
        .skip(1)
        .map(|li| {
            let at = li.find("name=\"accept\" value=\"").unwrap() + 21;
            li[at..at + li[at..].find('"').unwrap()].to_owned()
        })
        .collect();
    assert!(!added.is_empty(), "{}", p.body);
    for n in &added {
        fields.push(("accept".into(), n.clone()));
    }
    let r = c
        .post_fields(&format!("/references/{id}/adopt"), &fields)
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let result = sections(&mut api, &id).await["result"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(result.contains(own), "the own sentence stays: {result}");
    assert!(
        result.contains("Sie verfügte über ein umfassendes und fundiertes Fachwissen"),
        "the new grade's sentence is taken: {result}"
    );

    // The same proposal again is stale now: nothing is written.
    let stale = c
        .post_fields(&format!("/references/{id}/adopt"), &fields)
        .await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(visible_text(&stale.body).contains("inzwischen geändert"));
    assert_eq!(sections(&mut api, &id).await["result"], result.as_str());
}

#[tokio::test]
async fn the_check_marks_the_sentences_it_names_and_explains_why() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let r = api
        .put(
            &format!("/references/{id}/sections"),
            &json!({"sections": {"result": "Frau Weißgerber war bei uns tätig. Sie hat sich stets bemüht, die Aufgaben zu erledigen."}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = c.get(&format!("/references/{id}?check=1")).await;
    assert_eq!(p.status, 200);
    let text = visible_text(&p.body);
    assert!(text.contains("Prüfung"), "{text}");
    assert!(text.contains("Schlussformel fehlt"), "{text}");
    assert!(text.contains("Hinweise gefunden"), "{text}");
    assert!(
        p.body.contains("<mark class=\"finding\""),
        "a named sentence is marked in the preview: {}",
        p.body
    );
}

#[tokio::test]
async fn the_workflow_buttons_move_the_reference_and_a_refused_step_says_what_is_possible() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = c.get(&format!("/references/{id}")).await;
    let csrf = p.input("csrf").unwrap();
    let r = c
        .post(
            &format!("/references/{id}/status"),
            &[("csrf", &csrf), ("to", "in_approval")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let p = c.follow(&r).await;
    let text = visible_text(&p.body);
    assert!(text.contains("Der Status ist geändert."), "{text}");
    assert!(text.contains("In Freigabe"), "{text}");
    assert!(
        text.contains("kann das Zeugnis nicht mehr geändert werden"),
        "{text}"
    );
    assert!(
        p.body
            .contains("<fieldset class=\"editor-fields\" disabled>")
    );
    assert!(text.contains("Freigeben") && text.contains("Zurück in den Entwurf"));
    assert!(
        !text.contains("Zur Freigabe geben"),
        "only the allowed steps: {text}"
    );
    // The history names who changed it.
    assert!(text.contains("Greta Graf"), "{text}");

    // A step the workflow does not allow.
    let r = c
        .post(
            &format!("/references/{id}/status"),
            &[("csrf", &csrf), ("to", "archived")],
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let text = visible_text(&r.body);
    assert!(
        text.contains("Aus dem Status „In Freigabe“ ist das nicht möglich.")
            && text.contains("Möglich ist: Freigegeben, Entwurf."),
        "{text}"
    );
    // A save in a locked status changes nothing.
    let fields = edited(&p, &id, &[("company", "Neu.")]);
    let r = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_ne!(sections(&mut api, &id).await["company"], "Neu.");
}

#[tokio::test]
async fn the_pdf_is_shown_in_the_browser_and_deleting_needs_the_tick() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let pdf = c.get(&format!("/references/{id}/pdf")).await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    assert!(
        pdf.header("content-disposition")
            .is_some_and(|d| d.starts_with("inline")),
        "shown, not saved"
    );
    assert!(pdf.body.starts_with("%PDF"));

    let p = c.get(&format!("/references/{id}")).await;
    let csrf = p.input("csrf").unwrap();
    let r = c
        .post(&format!("/references/{id}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(visible_text(&r.body).contains("Bitte bestätigen Sie das Löschen"));
    assert_eq!(api.get(&format!("/references/{id}")).await.status, 200);
    let r = c
        .post(
            &format!("/references/{id}/delete"),
            &[("csrf", &csrf), ("confirm", "1")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/references?done=deleted"));
    assert!(visible_text(&c.follow(&r).await.body).contains("Das Zeugnis ist gelöscht."));
    assert_eq!(api.get(&format!("/references/{id}")).await.status, 404);
    assert_eq!(c.get(&format!("/references/{id}")).await.status, 404);
}

#[tokio::test]
async fn the_editor_shows_nothing_the_api_would_hide_and_reading_is_not_writing() {
    let koeln = TestRole::custom(
        "Personal Köln",
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    );
    let reader = TestRole::custom(
        "Lesen",
        Permissions::none().with(Area::Employees, AccessLevel::Read),
    );
    let app = TestApp::builder()
        .with_user(koeln, json!({"administrator": false, "location": ["Köln"]}))
        .with_user(reader, json!({"administrator": true}))
        .spawn()
        .await;
    let mut api = app.admin();
    // Hamburg: outside the Köln scope.
    let hamburg = filled_reference(&mut api).await;
    let employee = created(
        &api.post(
            "/employees",
            &json!({"salutation": "herr", "first_name": "Karl", "last_name": "Domblick", "location": "Köln"}),
        )
        .await,
        "employee",
    );
    let private = created(
        &api.post(
            "/references",
            &json!({"employee_id": employee, "kind": "interim", "private": true}),
        )
        .await,
        "private reference",
    );
    let user = app.user(1).clone();
    let mut c = logged_in(&app, &user.email, user.password).await;
    for id in [&hamburg, &private] {
        let p = c.get(&format!("/references/{id}")).await;
        assert_eq!(p.status, 404, "{}", p.body);
        assert!(!p.body.contains("Weißgerber") && !p.body.contains("Domblick"));
        assert_eq!(c.get(&format!("/references/{id}/pdf")).await.status, 404);
    }
    let csrf = {
        let p = c.get("/references").await;
        p.input("csrf").unwrap()
    };
    let r = c
        .post(
            &format!("/references/{hamburg}"),
            &[("csrf", csrf.as_str()), ("company", "Übernommen.")],
        )
        .await;
    assert_eq!(r.status, 404);
    let r = c
        .post(
            &format!("/references/{hamburg}/delete"),
            &[("csrf", csrf.as_str()), ("confirm", "1")],
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(api.get(&format!("/references/{hamburg}")).await.status, 200);
    assert_eq!(c.get("/references/nonsense").await.status, 404);

    // Read access: the editor shows, nothing can be changed.
    let user = app.user(2).clone();
    let mut r = logged_in(&app, &user.email, user.password).await;
    let p = r.get(&format!("/references/{hamburg}")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let text = visible_text(&p.body);
    assert!(
        text.contains("Ihre Rolle erlaubt hier nur das Lesen."),
        "{text}"
    );
    assert!(!p.body.contains("name=\"then\""), "no save buttons");
    assert!(!text.contains("Zeugnis löschen"), "{text}");
    let fields = edited(&p, &hamburg, &[("company", "Gelesen.")]);
    let refused = r
        .post_fields(&format!("/references/{hamburg}"), &fields)
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_ne!(sections(&mut api, &hamburg).await["company"], "Gelesen.");
}

#[tokio::test]
async fn the_editor_speaks_english_when_asked() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = c.get(&format!("/references/{id}?lang=en")).await;
    let text = visible_text(&p.body);
    for seen in [
        "Reference for Jördis Weißgerber",
        "Master data",
        "Assessment (performance)",
        "Save and write the text",
        "Send for approval",
        "History",
    ] {
        assert!(text.contains(seen), "{seen} in {text}");
    }
    assert!(p.body.contains("<article class=\"letter\" lang=\"de\""));
}

#[tokio::test]
async fn hr_hands_a_reference_over_from_the_editor_with_a_grid_and_revokes_it() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let _ = app.deliver_outbox().await;
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let p = c.get(&format!("/references/{id}")).await;
    assert!(
        p.body
            .contains(&format!("href=\"/references/{id}/handover\"")),
        "the editor offers the handover"
    );
    let form = c.get(&format!("/references/{id}/handover")).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let text = visible_text(&form.body);
    for seen in [
        "Übergabe an Vorgesetzte",
        "Vorgesetzte/r: Bewertung schreiben",
        "Nur lesen",
        "Kein Zugriff",
        "zum Herunterladen braucht die Person darauf mindestens Lesezugriff",
        "Persönliche Daten, Zeugnisdaten, Ergebnis, Unterschriften",
    ] {
        assert!(text.contains(seen), "{seen} in {text}");
    }
    // The supervisor preset: the assessment to write, HR's remarks hidden.
    let checked = |body: &str, section: &str, access: &str| {
        body.contains(&format!(
            "name=\"access.{section}\" value=\"{access}\" aria-labelledby=\"row-{section} col-{access}\" checked"
        ))
    };
    assert!(checked(&form.body, "performance", "write"));
    assert!(checked(&form.body, "result", "read"));
    assert!(checked(&form.body, "further", "none"));

    let action = format!("/references/{id}/handover");
    let mut fields = form_fields(&form.body, &action);
    let set = |fields: &mut Vec<(String, String)>, name: &str, value: &str| {
        fields.retain(|(n, _)| n != name);
        fields.push((name.to_owned(), value.to_owned()));
    };
    // Another preset shows the form again with its grid; nothing is sent.
    let mut preset = fields.clone();
    set(&mut preset, "recipient_name", "Bernd Brauer");
    set(&mut preset, "preset", "read");
    let p = c.post_fields(&action, &preset).await;
    assert_eq!(p.status, 200);
    assert!(checked(&p.body, "performance", "read"));
    assert!(
        p.body.contains("value=\"Bernd Brauer\""),
        "the name is kept"
    );
    assert!(
        api.get(&format!("/references/{id}/handovers"))
            .await
            .json
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Wrong entries are named at their fields; nothing is handed over.
    set(&mut fields, "recipient_name", "Bernd Brauer");
    set(&mut fields, "recipient_email", "bernd.brauer@");
    set(&mut fields, "download", "1");
    set(&mut fields, "access.signatures", "none");
    let p = c.post_fields(&action, &fields).await;
    assert_eq!(p.status, 422, "{}", p.body);
    let text = visible_text(&p.body);
    assert!(text.contains("gültige E-Mail-Adresse"), "{text}");
    assert!(p.body.contains("id=\"h-email-error\""));
    set(
        &mut fields,
        "recipient_email",
        "bernd.brauer@nordlicht.example",
    );
    let p = c.post_fields(&action, &fields).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(
        visible_text(&p.body).contains("Zum Herunterladen braucht die Person Lesezugriff auf"),
        "the printed-sections rule: {}",
        visible_text(&p.body)
    );
    fields.retain(|(n, _)| n != "download");
    set(&mut fields, "access.signatures", "read");

    // Without the token nothing happens.
    let mut no_token = fields.clone();
    no_token.retain(|(n, _)| n != "csrf");
    assert_eq!(c.post_fields(&action, &no_token).await.status, 403);

    let p = c.post_fields(&action, &fields).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/references/{id}?done=handed-over#workflow").as_str())
    );
    let mails = app.deliver_outbox().await;
    assert!(
        mails.iter().any(|m| m
            .rcpt_tos
            .iter()
            .any(|r| r == "bernd.brauer@nordlicht.example")),
        "the link is mailed"
    );
    let list = api.get(&format!("/references/{id}/handovers")).await.json;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let handover = list[0]["id"].as_str().unwrap().to_owned();
    let r = api.get(&format!("/references/{id}")).await;
    assert_eq!(r.json["status"], "with_supervisor");

    // The editor lists it, open, with "Widerrufen".
    let p = c.follow(&p).await;
    let text = visible_text(&p.body);
    assert!(text.contains("Das Zeugnis ist übergeben."), "{text}");
    assert!(
        text.contains("Bernd Brauer") && text.contains("offen"),
        "{text}"
    );
    let revoke = format!("/references/{id}/handovers/{handover}/revoke");
    assert!(p.body.contains(&revoke));
    let csrf = p.input("csrf").unwrap();
    let r = c.post(&revoke, &[("csrf", &csrf)]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let p = c.follow(&r).await;
    let text = visible_text(&p.body);
    assert!(text.contains("Die Übergabe ist widerrufen"), "{text}");
    assert!(text.contains("widerrufen"), "{text}");
    assert_eq!(
        api.get(&format!("/references/{id}")).await.json["status"],
        "draft",
        "back with HR"
    );
    // A handover of another reference cannot be revoked through this one.
    let other = filled_reference(&mut api).await;
    let r = c
        .post(
            &format!("/references/{other}/handovers/{handover}/revoke"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn the_editor_with_its_style_and_script_stays_under_150_kilobytes() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = c.get(&format!("/references/{id}?check=1")).await;
    assert_eq!(page.status, 200);
    let css = c.get("/assets/zeugnis.css").await;
    let js = c.get("/assets/htmx.min.js").await;
    let total = page.body.len() + css.body.len() + js.body.len();
    assert!(
        total < 150 * 1024,
        "editor {} + css {} + htmx {} = {total} bytes",
        page.body.len(),
        css.body.len(),
        js.body.len()
    );
}

#[tokio::test]
async fn the_signer_picker_loads_the_people_in_scope_only_when_asked() {
    let koeln = TestRole::custom(
        "Personal Köln",
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    );
    let reader = TestRole::custom(
        "Lesen",
        Permissions::none().with(Area::Employees, AccessLevel::Read),
    );
    let app = TestApp::builder()
        .with_user(koeln, json!({"administrator": false, "location": ["Köln"]}))
        .with_user(reader, json!({"administrator": true}))
        .spawn()
        .await;
    let mut api = app.admin();
    let hamburg = filled_reference(&mut api).await;
    let person = |first: &str, last: &str, location: &str| {
        let body = json!({"first_name": first, "last_name": last, "location": location});
        let mut api = api.clone();
        async move { created(&api.post("/employees", &body).await, "employee") }
    };
    let karl = person("Karl", "Domblick", "Köln").await;
    let greta = person("Greta", "Graf", "Köln").await;
    let hafen = person("Hans", "Hafen", "Hamburg").await;
    let id = created(
        &api.post(
            "/references",
            &json!({"employee_id": karl, "kind": "final", "private": false}),
        )
        .await,
        "reference",
    );
    let user = app.user(1).clone();
    let mut c = logged_in(&app, &user.email, user.password).await;

    // The editor names nobody it does not need: the picker offers "by name"
    // and a button that loads the people.
    let p = c.get(&format!("/references/{id}")).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        !p.body.contains(&greta) && !p.body.contains("Graf"),
        "{}",
        p.body
    );
    assert!(
        p.body
            .contains(&format!("hx-get=\"/references/{id}/signers/0\""))
    );
    assert!(visible_text(&p.body).contains("Aus allen Mitarbeitern wählen"));

    // Loaded: everyone in Köln, nobody from Hamburg, the row's choice kept.
    let list = c
        .get(&format!(
            "/references/{id}/signers/0?signer.0.employee={karl}"
        ))
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body
            .contains(&format!("<option value=\"{greta}\">Greta Graf</option>"))
    );
    assert!(
        list.body.contains(&format!(
            "<option value=\"{karl}\" selected>Karl Domblick</option>"
        )),
        "{}",
        list.body
    );
    assert!(!list.body.contains(&hafen) && !list.body.contains("Hafen"));
    assert!(list.body.contains("autofocus"), "the list takes the focus");
    assert!(!list.body.contains("<html"), "a fragment, not a page");
    assert_eq!(
        c.get(&format!("/references/{hamburg}/signers/0"))
            .await
            .status,
        404,
        "not for a reference out of sight"
    );
    assert_eq!(
        c.get(&format!("/references/{id}/signers/6")).await.status,
        404
    );

    // Picked and saved: the signer is linked and printed with the name.
    let fields = edited(&p, &id, &[("signer.0.employee", &greta)]);
    let saved = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let s = sections(&mut api, &id).await;
    assert_eq!(s["signatures"][0]["employee"], greta);
    assert_eq!(s["signatures"][0]["name"], "Greta Graf");
    let p = c.get(&format!("/references/{id}")).await;
    assert!(
        p.body.contains(&format!(
            "<option value=\"{greta}\" selected>Greta Graf</option>"
        )),
        "the chosen one is offered without loading: {}",
        p.body
    );

    // Someone out of the scope, posted anyway, is refused at the field.
    let fields = edited(&p, &id, &[("signer.1.employee", &hafen)]);
    let refused = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("id=\"f-signer-1-employee-error\""));
    assert!(!refused.body.contains("Hafen"));
    assert_eq!(
        sections(&mut api, &id).await["signatures"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Reading is not picking.
    let reader = app.user(2).clone();
    let mut r = logged_in(&app, &reader.email, reader.password).await;
    assert_eq!(
        r.get(&format!("/references/{id}/signers/0")).await.status,
        403
    );
    let p = r.get(&format!("/references/{id}")).await;
    assert!(!p.body.contains("/signers/0"), "no button to load people");
}

#[tokio::test]
async fn a_list_is_rearranged_by_its_buttons_without_saving_and_saved_in_that_order() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut api = app.admin();
    let id = filled_reference(&mut api).await;
    let r = api
        .put(
            &format!("/references/{id}/sections"),
            &json!({"sections": {"career": ["Auszubildende", "Sachbearbeiterin", "Teamleiterin"]}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut c = logged_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = c.get(&format!("/references/{id}")).await;
    assert_eq!(page.status, 200);
    // One field per entry, numbered for screen readers, and one for the next.
    for (n, entry) in ["Auszubildende", "Sachbearbeiterin", "Teamleiterin"]
        .iter()
        .enumerate()
    {
        assert!(
            page.body.contains(&format!(
                "id=\"f-career-{n}\" name=\"career\" type=\"text\" value=\"{entry}\" aria-label=\"Eintrag {}\"",
                n + 1
            )),
            "{}",
            page.body
        );
    }
    assert!(page.body.contains("id=\"f-career-new\" name=\"career\""));
    assert!(visible_text(&page.body).contains("Eintrag 3 nach oben"));
    let career = |p: &Page| -> Vec<String> {
        form_fields(&p.body, &format!("/references/{id}"))
            .into_iter()
            .filter(|(n, v)| n == "career" && !v.is_empty())
            .map(|(_, v)| v)
            .collect()
    };
    let step = |p: &Page, step: &str, typed: Option<&str>| {
        let mut fields = form_fields(&p.body, &format!("/references/{id}"));
        if let Some(t) = typed {
            fields.push(("career".into(), t.into()));
        }
        fields.push(("then".into(), step.into()));
        fields
    };

    // Up: the third entry moves up, keeps the focus, and nothing is saved.
    let p = c
        .post_fields(
            &format!("/references/{id}"),
            &step(&page, "list:career:2:up", None),
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(
        career(&p),
        ["Auszubildende", "Teamleiterin", "Sachbearbeiterin"]
    );
    assert!(
        p.body
            .contains("value=\"Teamleiterin\" aria-label=\"Eintrag 2\" autofocus"),
        "{}",
        p.body
    );
    assert_eq!(
        sections(&mut api, &id).await["career"],
        json!(["Auszubildende", "Sachbearbeiterin", "Teamleiterin"]),
        "rearranging saves nothing"
    );

    // Remove the first; then a typed entry taken with "add", the focus on
    // the empty field for the next one.
    let p = c
        .post_fields(
            &format!("/references/{id}"),
            &step(&p, "list:career:0:remove", None),
        )
        .await;
    assert_eq!(career(&p), ["Teamleiterin", "Sachbearbeiterin"]);
    let p = c
        .post_fields(
            &format!("/references/{id}"),
            &step(&p, "list:career:add", Some("Abteilungsleiterin")),
        )
        .await;
    assert_eq!(
        career(&p),
        ["Teamleiterin", "Sachbearbeiterin", "Abteilungsleiterin"]
    );
    assert!(p.body.contains("id=\"f-career-new\" name=\"career\" type=\"text\" value=\"\" aria-label=\"Neuer Eintrag\" autofocus"));
    // A step that names no list or no entry changes nothing.
    for odd in [
        "list:career:9:up",
        "list:career:x:down",
        "list:nonsense:0:up",
    ] {
        let again = c
            .post_fields(&format!("/references/{id}"), &step(&p, odd, None))
            .await;
        assert!(matches!(again.status, 200 | 303), "{odd}: {}", again.status);
        if again.status == 200 {
            assert_eq!(
                career(&again),
                ["Teamleiterin", "Sachbearbeiterin", "Abteilungsleiterin"]
            );
        }
    }
    assert_eq!(
        sections(&mut api, &id).await["career"],
        json!(["Teamleiterin", "Sachbearbeiterin", "Abteilungsleiterin"]),
        "an unknown step is a save of the form as it stands"
    );

    // The rearranged form still carries the version it was read at: a
    // change made meanwhile is found when it is saved.
    let page = c.get(&format!("/references/{id}")).await;
    let p = c
        .post_fields(
            &format!("/references/{id}"),
            &step(&page, "list:career:0:down", None),
        )
        .await;
    assert_eq!(p.status, 200);
    let r = api
        .put(
            &format!("/references/{id}/sections"),
            &json!({"sections": {"career": ["Von anderer Hand"]}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let mut fields = form_fields(&p.body, &format!("/references/{id}"));
    fields.push(("then".into(), "save".into()));
    let saved = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(saved.status, 409, "{}", saved.body);
    assert_eq!(
        sections(&mut api, &id).await["career"],
        json!(["Von anderer Hand"])
    );

    // Saved in the order shown.
    let page = c.get(&format!("/references/{id}")).await;
    let p = c
        .post_fields(
            &format!("/references/{id}"),
            &step(&page, "list:career:add", Some("Bereichsleiterin")),
        )
        .await;
    let mut fields = form_fields(&p.body, &format!("/references/{id}"));
    fields.push(("then".into(), "save".into()));
    let saved = c.post_fields(&format!("/references/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        sections(&mut api, &id).await["career"],
        json!(["Von anderer Hand", "Bereichsleiterin"])
    );
}
