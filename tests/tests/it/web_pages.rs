//! The web application's pages over HTTP, requested as a browser without
//! JavaScript would: the login with its second step, the overview, logout,
//! an expired session, the CSRF refusals, the language, and what the
//! overview shows within the user's scope. (The browser tests drive the same
//! pages in Chromium.)
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking, also in the helpers they call"
)]

use std::sync::Arc;

use serde_json::{Value, json};
use zeugnis_core::access::{AccessLevel, Area, Permissions};
use zeugnis_core::ports::{Clock as _, TotpEngine as _};
use zeugnis_core::second_factor::step_at;
use zeugnis_tests::api::{
    ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, ORGANISATION, SLUG, totp_secret_of,
};
use zeugnis_tests::pages::{PageClient, visible_text};
use zeugnis_tests::{TestApp, TestClock, TestRole};

fn login_path() -> String {
    format!("/t/{SLUG}/login")
}

#[tokio::test]
async fn the_login_page_speaks_german_first_and_english_when_asked() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut c = PageClient::new(&app);
    let p = c.get(&login_path()).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("<html lang=\"de\">"), "{}", p.body);
    let text = visible_text(&p.body);
    assert!(text.contains("Anmelden"), "{text}");
    assert!(text.contains(&format!("bei {ORGANISATION} an")), "{text}");
    assert!(
        text.contains("E-Mail-Adresse") && text.contains("Passwort"),
        "{text}"
    );
    let csp = p.header("content-security-policy").unwrap();
    for part in [
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(p.header("cache-control"), Some("no-store"));
    let form_cookie = p
        .set_cookies
        .iter()
        .find(|c| c.starts_with("zeugnis-form="))
        .unwrap();
    assert!(
        form_cookie.contains("HttpOnly") && form_cookie.contains("SameSite=Strict"),
        "{form_cookie}"
    );
    // Every control has its label.
    for id in ["email", "password"] {
        assert!(
            p.body.contains(&format!("<label for=\"{id}\">")),
            "label for {id}"
        );
    }

    c.accept_language = Some("en-GB,en;q=0.9,de;q=0.5".into());
    let p = c.get(&login_path()).await;
    assert!(p.body.contains("<html lang=\"en\">"));
    assert!(
        visible_text(&p.body).contains("Log in to Nordlicht Holzbau GmbH"),
        "{}",
        p.body
    );

    // A choice on the page wins over the browser, and is remembered.
    let p = c.get(&format!("{}?lang=de", login_path())).await;
    assert!(p.body.contains("<html lang=\"de\">"));
    assert_eq!(c.cookie("zeugnis-lang"), Some("de"));
    let p = c.get(&login_path()).await;
    assert!(
        p.body.contains("<html lang=\"de\">"),
        "the choice outlives the request"
    );
    assert!(
        p.body.contains("lang=en"),
        "the switch leads to the other language"
    );
}

#[tokio::test]
async fn a_person_logs_in_lands_on_the_overview_and_logs_out() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut c = PageClient::new(&app);
    let p = c.get("/").await;
    assert_eq!(p.status, 303, "without a session / leads to the login");
    assert_eq!(p.location.as_deref(), Some("/login"));

    let p = c.log_in(&login_path(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/"));
    let session = p
        .set_cookies
        .iter()
        .find(|c| c.starts_with("zeugnis-session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );

    let p = c.get("/").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let text = visible_text(&p.body);
    for seen in [
        "Übersicht",
        "Guten Tag, Greta.",
        ORGANISATION,
        "Zeugnisse nach Status",
        "Abmelden",
        "Meine Entwürfe",
    ] {
        assert!(text.contains(seen), "{seen} in {text}");
    }
    assert!(
        p.body.contains("aria-current=\"page\""),
        "the current entry is marked"
    );
    assert!(
        text.contains("Sie haben keine offenen Entwürfe"),
        "the empty state says what to do: {text}"
    );
    assert_eq!(p.header("cache-control"), Some("no-store"));

    // Logging out needs the session's token in the form.
    let p = c.post("/logout", &[("csrf", "0000")]).await;
    assert_eq!(p.status, 403);
    assert_eq!(c.get("/").await.status, 200, "the session still holds");
    let csrf = c.get("/").await.input("csrf").unwrap();
    let p = c.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(p.status, 303);
    assert_eq!(
        p.location.as_deref(),
        Some(&*format!("{}?logged_out=1", login_path()))
    );
    assert!(
        c.cookie("zeugnis-session").is_none(),
        "the cookie is cleared"
    );
    let p = c.follow(&p).await;
    assert!(visible_text(&p.body).contains("Sie haben sich abgemeldet."));
    assert_eq!(c.get("/").await.status, 303);
}

#[tokio::test]
async fn a_wrong_password_keeps_the_address_and_starts_no_session() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut c = PageClient::new(&app);
    let p = c
        .log_in(&login_path(), ADMIN_EMAIL, "Falsches-Passwort-1")
        .await;
    assert_eq!(p.status, 401);
    let text = visible_text(&p.body);
    assert!(
        text.contains("E-Mail-Adresse oder Passwort stimmen nicht"),
        "{text}"
    );
    assert_eq!(p.input("email").as_deref(), Some(ADMIN_EMAIL));
    assert!(
        !p.body.contains("Falsches-Passwort-1"),
        "the password is never echoed"
    );
    assert!(p.body.contains("role=\"alert\""));
    assert!(c.cookie("zeugnis-session").is_none());

    // Empty fields are named where they are.
    let form = c.get(&login_path()).await;
    let token = form.input("form_token").unwrap();
    let p = c
        .post(
            &login_path(),
            &[("form_token", &token), ("email", ""), ("password", "")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body.contains("aria-describedby=\"email-error\""),
        "{}",
        p.body
    );
    assert!(p.body.contains("id=\"password-error\""));
    assert!(visible_text(&p.body).contains("Bitte füllen Sie dieses Feld aus."));
}

#[tokio::test]
async fn the_login_form_needs_its_token_and_returns_only_to_this_server() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut c = PageClient::new(&app);
    // No token, and a token that is not the cookie's: refused, no session.
    let p = c
        .post(
            &login_path(),
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(visible_text(&p.body).contains("Das Formular ist abgelaufen"));
    let _ = c.get(&login_path()).await;
    let p = c
        .post(
            &login_path(),
            &[
                ("form_token", "ab".repeat(32).as_str()),
                ("email", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(c.cookie("zeugnis-session").is_none());

    // A login goes back where it was asked to, on this server only.
    let p = c
        .log_in(
            &format!("{}?next=//evil.example/x", login_path()),
            ADMIN_EMAIL,
            ADMIN_PASSWORD,
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/"));
    let mut c = PageClient::new(&app);
    let p = c
        .log_in(
            &format!("{}?next=/%3Flang%3Den", login_path()),
            ADMIN_EMAIL,
            ADMIN_PASSWORD,
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/?lang=en"));
}

#[tokio::test]
async fn an_ended_session_leads_to_the_login_and_back_to_where_it_was() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut c = PageClient::new(&app);
    let p = c.log_in(&login_path(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(p.status, 303);
    // The same browser's session ends elsewhere (another tab logs out).
    let mut other = c.clone();
    let csrf = other.get("/").await.input("csrf").unwrap();
    assert_eq!(other.post("/logout", &[("csrf", &csrf)]).await.status, 303);

    let p = c.get("/?lang=de").await;
    assert_eq!(p.status, 303);
    let to = p.location.clone().unwrap();
    assert_eq!(to, format!("{}?expired=1&next=/%3Flang%3Dde", login_path()));
    let p = c.get(&to).await;
    assert!(
        visible_text(&p.body).contains("Ihre Sitzung ist abgelaufen"),
        "{}",
        p.body
    );
    let p = c.log_in(&to, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(p.location.as_deref(), Some("/?lang=de"));
}

#[tokio::test]
async fn a_login_with_an_authenticator_app_asks_for_the_code_on_its_own_page() {
    let clock = TestClock::new();
    let app = TestApp::builder()
        .with_clock(Arc::clone(&clock) as Arc<dyn zeugnis_core::ports::Clock>)
        .with_admin()
        .spawn()
        .await;
    let mut api = app.admin();
    let r = api
        .post("/me/totp", &json!({"password": ADMIN_PASSWORD}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let secret = totp_secret_of(r.json["otpauth_uri"].as_str().unwrap());
    let code = |at| zeugnis_auth::TotpRs::new().code_at(&secret, step_at(at));
    let r = api
        .post("/me/totp/confirm", &json!({"code": code(clock.now())}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    clock.advance(time::Duration::seconds(31));

    let mut c = PageClient::new(&app);
    let p = c.log_in(&login_path(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location.as_deref(), Some("/login/factor?next=/"));
    assert_eq!(
        c.get("/").await.location.as_deref(),
        Some("/login/factor"),
        "the overview waits for the second step"
    );
    let p = c.get("/login/factor?next=/").await;
    assert_eq!(p.status, 200);
    let text = visible_text(&p.body);
    assert!(
        text.contains("Code aus der Authenticator-App") && text.contains("Wiederherstellungscode"),
        "{text}"
    );
    let csrf = p.input("csrf").unwrap();

    let p = c
        .post(
            "/login/factor",
            &[
                ("csrf", &csrf),
                ("method", "totp"),
                ("code", "000000"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(p.status, 401, "{}", p.body);
    assert!(visible_text(&p.body).contains("Der Code stimmt nicht"));
    let fresh = code(clock.now());
    let p = c
        .post(
            "/login/factor",
            &[
                ("csrf", "nicht-das-token"),
                ("method", "totp"),
                ("code", &fresh),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(p.status, 403, "the second step needs its token too");
    let p = c
        .post(
            "/login/factor",
            &[
                ("csrf", &csrf),
                ("method", "totp"),
                ("code", &fresh),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/"));
    let p = c.get("/").await;
    assert_eq!(p.status, 200);
    assert!(visible_text(&p.body).contains("Guten Tag, Greta."));
}

fn employee(first: &str, last: &str, location: &str) -> Value {
    json!({
        "salutation": "frau",
        "first_name": first,
        "last_name": last,
        "birth_date": "1988-04-12",
        "entry_date": "2019-03-01",
        "job_descriptions": ["Sachbearbeitung"],
        "company": ORGANISATION,
        "location": location,
    })
}

/// An employee and a final reference for them; returns both ids.
async fn employee_with_reference(
    client: &mut ApiClient,
    first: &str,
    last: &str,
    location: &str,
) -> (String, String) {
    let r = client
        .post("/employees", &employee(first, last, location))
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    let id = r.json["id"].as_str().unwrap().to_owned();
    let r = client
        .post(
            "/references",
            &json!({"employee_id": id, "kind": "final", "private": false}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text());
    (id, r.json["id"].as_str().unwrap().to_owned())
}

async fn reference_for(client: &mut ApiClient, first: &str, last: &str, location: &str) -> String {
    employee_with_reference(client, first, last, location)
        .await
        .1
}

#[tokio::test]
async fn the_overview_shows_only_what_the_user_may_see() {
    let hr = TestRole::custom(
        "Personal",
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    );
    let app = TestApp::builder()
        .with_user(hr, json!({"administrator": false, "location": ["Köln"]}))
        .spawn()
        .await;
    let mut admin = app.admin();
    let _ = reference_for(&mut admin, "Anna", "Kölsch", "Köln").await;
    let _ = reference_for(&mut admin, "Bernd", "Geheimrat", "Bonn").await;
    let user = app.user(1).clone();
    let mut own = user.client.clone();
    let mine = reference_for(&mut own, "Clara", "Domplatz", "Köln").await;

    let mut c = PageClient::new(&app);
    assert_eq!(
        c.log_in(&login_path(), &user.email, user.password)
            .await
            .status,
        303
    );
    let p = c.get("/").await;
    assert_eq!(p.status, 200);
    let text = visible_text(&p.body);
    assert!(text.contains("2 Entwurf"), "two drafts in Köln: {text}");
    assert!(!text.contains("Geheimrat"), "nothing of Bonn: {text}");
    assert!(
        text.contains("Clara Domplatz"),
        "the user's own draft: {text}"
    );
    assert!(
        !text.contains("Anna Kölsch"),
        "the Administrator's draft is not the user's own"
    );
    assert!(p.body.contains(&format!("data-reference=\"{mine}\"")));

    let mut a = PageClient::new(&app);
    assert_eq!(
        a.log_in(&login_path(), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        303
    );
    let text = visible_text(&a.get("/").await.body);
    assert!(
        text.contains("3 Entwurf"),
        "the Administrator sees all three: {text}"
    );

    // The same overview in English.
    let p = c.get("/?lang=en").await;
    assert!(visible_text(&p.body).contains("2 Draft"));
}

#[tokio::test]
async fn forgot_password_answers_alike_for_every_address_and_mails_only_an_account() {
    let app = TestApp::builder().with_admin().spawn().await;
    let _ = app.deliver_outbox().await;
    let mut c = PageClient::new(&app);
    let login = c.get(&login_path()).await;
    assert!(
        login
            .body
            .contains(&format!("href=\"{}/forgot\"", login_path()))
    );
    let mut answers = Vec::new();
    for email in [ADMIN_EMAIL, "niemand@nordlicht.example"] {
        let form = c.get(&format!("{}/forgot", login_path())).await;
        assert_eq!(form.status, 200);
        let token = form.input("form_token").unwrap();
        let p = c
            .post(
                &format!("{}/forgot", login_path()),
                &[("form_token", &token), ("email", email)],
            )
            .await;
        assert_eq!(p.status, 200, "{}", p.body);
        answers.push(visible_text(&p.body));
    }
    assert_eq!(answers[0], answers[1], "the same answer for both");
    assert!(
        answers[0].contains("Wenn die Adresse zu einem aktiven Konto gehört"),
        "{}",
        answers[0]
    );
    let mails = app.deliver_outbox().await;
    assert_eq!(mails.len(), 1, "one mail, to the account");
    assert_eq!(mails[0].rcpt_tos, [ADMIN_EMAIL]);
    // Without the form's token nothing is sent.
    let p = c
        .post(
            &format!("{}/forgot", login_path()),
            &[("email", ADMIN_EMAIL)],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(app.deliver_outbox().await.is_empty());
}

async fn count(client: &mut ApiClient) -> u64 {
    let r = client.get("/references/count").await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json["count"].as_u64().unwrap()
}

#[tokio::test]
async fn the_reference_list_filters_searches_and_starts_references_within_the_scope() {
    let hr = TestRole::custom(
        "Personal",
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    );
    let app = TestApp::builder()
        .with_user(hr, json!({"administrator": false, "location": ["Köln"]}))
        .spawn()
        .await;
    let mut admin = app.admin();
    let (anna, _) = employee_with_reference(&mut admin, "Anna", "Kölsch", "Köln").await;
    let (bernd, _) = employee_with_reference(&mut admin, "Bernd", "Geheimrat", "Bonn").await;
    let user = app.user(1).clone();
    let mut api = user.client.clone();
    let mut c = PageClient::new(&app);
    assert_eq!(
        c.log_in(&login_path(), &user.email, user.password)
            .await
            .status,
        303
    );

    let p = c.get("/references").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let text = visible_text(&p.body);
    assert!(
        text.contains("Anna Kölsch") && text.contains("Endzeugnis") && text.contains("Entwurf"),
        "{text}"
    );
    assert!(!p.body.contains("Geheimrat"), "nothing of Bonn");
    assert!(p.body.contains("href=\"/references/new\""), "{}", p.body);
    assert!(p.body.contains("aria-current=\"page\""));

    // "Neues Zeugnis" finds people by name, within the scope only.
    let p = c.get("/references/new").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        !p.body.contains("name=\"employee_id\""),
        "nobody before a search"
    );
    let p = c.get("/references/new?q=k").await;
    assert_eq!(p.status, 422, "a search under two characters is refused");
    assert!(
        p.body
            .contains("aria-describedby=\"new-q-hint new-q-error\"")
    );
    for q in ["Geheimrat", "bernd"] {
        let p = c.get(&format!("/references/new?q={q}")).await;
        assert_eq!(p.status, 200);
        assert!(
            !p.body.contains(&bernd) && !visible_text(&p.body).contains("Geheimrat, Bernd"),
            "{}",
            p.body
        );
        assert!(
            visible_text(&p.body).contains("Niemand in Ihrem Bereich passt"),
            "{}",
            p.body
        );
    }
    // Named by id from elsewhere, out of scope: not offered either.
    let p = c.get(&format!("/references/new?employee={bernd}")).await;
    assert!(
        !p.body.contains(&format!("value=\"{bernd}\"")),
        "{}",
        p.body
    );
    assert!(!p.body.contains("name=\"employee_id\""), "{}", p.body);
    let p = c.get("/references/new?q=k%C3%B6ls").await;
    assert!(
        p.body.contains(&format!(
            "<input type=\"radio\" name=\"employee_id\" value=\"{anna}\" checked required>"
        )),
        "the only match is chosen: {}",
        p.body
    );
    assert!(visible_text(&p.body).contains("Kölsch, Anna"));
    let p = c
        .get(&format!("/references/new?employee={anna}&kind=interim"))
        .await;
    assert!(
        p.body.contains(&format!("value=\"{anna}\" checked")),
        "{}",
        p.body
    );
    assert!(p.body.contains("<option value=\"interim\" selected>"));

    // Without the session's token nothing is created.
    let form = [("employee_id", anna.as_str()), ("kind", "interim")];
    let p = c
        .post("/references", &[("csrf", "falsch"), form[0], form[1]])
        .await;
    assert_eq!(p.status, 403);
    assert_eq!(count(&mut api).await, 1);
    let csrf = c.get("/references/new").await.input("csrf").unwrap();
    // An employee outside the scope is refused like an unknown one, and the
    // search the choice came from is shown again.
    let p = c
        .post(
            "/references",
            &[
                ("csrf", csrf.as_str()),
                ("employee_id", bernd.as_str()),
                ("kind", "final"),
                ("q", "Kölsch"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    let text = visible_text(&p.body);
    assert!(text.contains("Bitte wählen Sie Mitarbeiter/in"), "{text}");
    assert!(
        text.contains("Kölsch, Anna") && !p.body.contains(&bernd),
        "{}",
        p.body
    );
    assert_eq!(count(&mut api).await, 1);
    let p = c
        .post(
            "/references",
            &[("csrf", csrf.as_str()), form[0], form[1], ("private", "1")],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let to = p.location.clone().unwrap();
    assert!(
        to.starts_with("/references/") && to.ends_with("?done=created"),
        "a new reference opens in the editor: {to}"
    );
    let p = c.follow(&p).await;
    let text = visible_text(&p.body);
    assert!(text.contains("Das Zeugnis ist angelegt."), "{text}");
    assert!(
        text.contains("Zwischenzeugnis") && text.contains("privat"),
        "{text}"
    );
    assert_eq!(count(&mut api).await, 2);

    // Filters and the name search.
    let rows = |body: &str| body.matches("<tr data-reference=").count();
    assert_eq!(rows(&c.get("/references").await.body), 2);
    let p = c.get("/references?kind=interim").await;
    assert_eq!(rows(&p.body), 1, "{}", p.body);
    assert!(
        p.body.contains("<option value=\"interim\" selected>"),
        "the filter shows its choice"
    );
    let p = c.get("/references?status=approved").await;
    assert!(visible_text(&p.body).contains("Kein Zeugnis passt zu diesen Filtern."));
    let text = visible_text(&c.get("/references?q=kÖlS").await.body);
    assert!(text.contains("Anna Kölsch"), "{text}");
    let text = visible_text(&c.get("/references?q=Geheim").await.body);
    assert!(
        text.contains("Kein Zeugnis passt"),
        "the search finds nothing outside the scope: {text}"
    );
}

#[tokio::test]
async fn the_reference_list_filters_by_place_sorts_and_pages_with_its_filters() {
    let hr = TestRole::custom(
        "Personal",
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    );
    let app = TestApp::builder()
        .with_user(hr, json!({"administrator": false, "location": ["Köln"]}))
        .spawn()
        .await;
    let mut admin = app.admin();
    let mut person = async |first: &str, last: &str, location: &str, department: &str| {
        let mut body = employee(first, last, location);
        body["department"] = json!(department);
        let r = admin.post("/employees", &body).await;
        assert_eq!(r.status, 201, "{}", r.text());
        let id = r.json["id"].as_str().unwrap().to_owned();
        let r = admin
            .post(
                "/references",
                &json!({"employee_id": id, "kind": "final", "private": false}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        (id, r.json["id"].as_str().unwrap().to_owned())
    };
    let (_, anna) = person("Anna", "Kölsch", "Köln", "Einkauf").await;
    let (otto, ostwind) = person("Otto", "Ostwind", "Hamburg", "Vertrieb").await;
    let (_, bernd) = person("Bernd", "Geheimrat", "Bonn", "Vorstand").await;
    // Anna's waits longest no more: its status changed last.
    let r = admin
        .post(
            &format!("/references/{anna}/status"),
            &json!({"status": "in_approval"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let mut c = PageClient::new(&app);
    assert_eq!(
        c.log_in(&login_path(), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        303
    );
    let order = |body: &str| -> Vec<String> {
        body.split("<tr data-reference=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(str::to_owned)
            .collect()
    };
    let p = c.get("/references").await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(
        order(&p.body),
        [bernd.clone(), ostwind.clone(), anna.clone()],
        "newest first"
    );
    // The place is a column; the filters offer the organisation's values.
    assert!(
        p.body.contains(&format!(
            "<td data-label=\"Unternehmen · Abteilung\">{ORGANISATION} · Vertrieb</td>"
        )),
        "{}",
        p.body
    );
    for value in ["Bonn", "Hamburg", "Köln", "Einkauf", "Vertrieb", "Vorstand"] {
        assert!(
            p.body
                .contains(&format!("<option value=\"{value}\">{value}</option>")),
            "{value}"
        );
    }
    let p = c.get("/references?sort=oldest").await;
    assert_eq!(
        order(&p.body),
        [anna.clone(), ostwind.clone(), bernd.clone()]
    );
    assert!(p.body.contains("<option value=\"oldest\" selected>"));
    let p = c.get("/references?sort=waiting").await;
    assert_eq!(
        order(&p.body),
        [ostwind.clone(), bernd.clone(), anna.clone()],
        "by the last status change"
    );
    let p = c.get("/references?location=Hamburg").await;
    assert_eq!(order(&p.body), vec![ostwind.clone()]);
    assert!(
        p.body
            .contains("<option value=\"Hamburg\" selected>Hamburg</option>")
    );
    let p = c
        .get("/references?department=Einkauf&location=Hamburg")
        .await;
    assert!(order(&p.body).is_empty());
    assert!(visible_text(&p.body).contains("Kein Zeugnis passt zu diesen Filtern."));
    assert_eq!(
        c.get("/references?location=%01").await.status,
        200,
        "a value that cannot be is no filter"
    );

    // The next page keeps the filters and the order.
    for _ in 0..50 {
        let r = admin
            .post(
                "/references",
                &json!({"employee_id": otto, "kind": "interim", "private": false}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let p = c.get("/references?location=Hamburg&sort=oldest").await;
    let first = order(&p.body);
    assert_eq!(first.len(), 50);
    assert_eq!(first[0], ostwind, "the oldest of Hamburg first");
    let next = p
        .body
        .split("<a href=\"")
        .find_map(|rest| {
            let href = rest.split('"').next()?;
            href.contains("after=")
                .then(|| zeugnis_tests::pages::unescape(href))
        })
        .unwrap();
    assert!(
        next.contains("location=Hamburg") && next.contains("sort=oldest"),
        "{next}"
    );
    let p = c.get(&next).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let rest = order(&p.body);
    assert_eq!(rest.len(), 1, "{}", p.body);
    assert!(!first.contains(&rest[0]));

    // A user of Köln is offered Köln's values only.
    let user = app.user(1).clone();
    let mut k = PageClient::new(&app);
    assert_eq!(
        k.log_in(&login_path(), &user.email, user.password)
            .await
            .status,
        303
    );
    let p = k.get("/references").await;
    assert_eq!(order(&p.body), vec![anna.clone()]);
    assert!(p.body.contains("<option value=\"Köln\">Köln</option>"));
    for hidden in ["Bonn", "Hamburg", "Vorstand", "Vertrieb"] {
        assert!(!p.body.contains(hidden), "{hidden}: {}", p.body);
    }
    let p = k.get("/references?location=Bonn").await;
    assert!(order(&p.body).is_empty(), "a filter never widens the scope");
}

#[tokio::test]
async fn the_account_page_changes_the_password_and_ends_sessions() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut c = PageClient::new(&app);
    assert_eq!(
        c.log_in(&login_path(), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        303
    );
    let mut other = PageClient::new(&app);
    assert_eq!(
        other
            .log_in(&login_path(), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        303
    );

    let p = c.get("/account").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let text = visible_text(&p.body);
    for seen in [
        "Konto",
        "Greta Graf",
        ADMIN_EMAIL,
        "Administrator",
        "diese Sitzung",
        "Überall abmelden",
    ] {
        assert!(text.contains(seen), "{seen} in {text}");
    }
    assert_eq!(
        p.body.matches("action=\"/account/sessions/end\"").count(),
        3,
        "two browsers and the test's own API session"
    );
    let csrf = p.input("csrf").unwrap();

    // Refusals change nothing.
    let p = c
        .post("/account/sessions/end-all", &[("csrf", "falsch")])
        .await;
    assert_eq!(p.status, 403);
    let p = c
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", "Falsch-Falsch-1"),
                ("new", "Neues-Passwort-Lang-9"),
                ("repeat", "Neues-Passwort-Lang-9"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(visible_text(&p.body).contains("Das aktuelle Passwort stimmt nicht"));
    let p = c
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", ADMIN_PASSWORD),
                ("new", "Neues-Passwort-Lang-9"),
                ("repeat", "Anderes-Passwort-9"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(visible_text(&p.body).contains("stimmen nicht überein"));
    let p = c
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", ADMIN_PASSWORD),
                ("new", "kurz"),
                ("repeat", "kurz"),
            ],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(
        p.body.contains("aria-invalid=\"true\""),
        "the rule is tied to the field"
    );
    assert_eq!(other.get("/").await.status, 200, "nothing ended so far");

    // The change: the other session ends, this one stays.
    let p = c
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", ADMIN_PASSWORD),
                ("new", "Neues-Passwort-Lang-9"),
                ("repeat", "Neues-Passwort-Lang-9"),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = c.follow(&p).await;
    assert!(visible_text(&p.body).contains("Ihr Passwort ist geändert."));
    assert_eq!(
        other.get("/").await.status,
        303,
        "the other session has ended"
    );
    let mut fresh = PageClient::new(&app);
    assert_eq!(
        fresh
            .log_in(&login_path(), ADMIN_EMAIL, "Neues-Passwort-Lang-9")
            .await
            .status,
        303
    );

    // Ending the other session from here.
    let p = c.get("/account").await;
    let current = p.input("csrf").unwrap();
    let ids: Vec<String> = p
        .body
        .split("name=\"id\" value=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next().map(str::to_owned))
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    // The current one is listed first.
    let p = c
        .post(
            "/account/sessions/end",
            &[("csrf", &current), ("id", &ids[1])],
        )
        .await;
    assert_eq!(p.location.as_deref(), Some("/account?done=session"));
    assert_eq!(fresh.get("/").await.status, 303, "that session has ended");
    assert_eq!(c.get("/").await.status, 200, "this one holds");
    // Everywhere: this one too.
    let p = c
        .post("/account/sessions/end-all", &[("csrf", &current)])
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(c.get("/").await.status, 303);
}

#[tokio::test]
async fn the_employee_list_shows_and_searches_only_the_scope() {
    let hr = TestRole::custom(
        "Personal",
        Permissions::none().with(Area::Employees, AccessLevel::Read),
    );
    let app = TestApp::builder()
        .with_user(hr, json!({"administrator": false, "location": ["Köln"]}))
        .spawn()
        .await;
    let mut admin = app.admin();
    for (first, last, location, department) in [
        ("Anna", "Kölsch", "Köln", "Einkauf"),
        ("Karl", "Kölschbach", "Köln", "Vertrieb"),
        ("Bernd", "Geheimrat", "Bonn", "Vorstand"),
    ] {
        let mut body = employee(first, last, location);
        body["department"] = json!(department);
        let r = admin.post("/employees", &body).await;
        assert_eq!(r.status, 201, "{}", r.text());
    }
    let user = app.user(1).clone();
    let mut c = PageClient::new(&app);
    assert_eq!(
        c.log_in(&login_path(), &user.email, user.password)
            .await
            .status,
        303
    );
    let p = c.get("/employees").await;
    assert_eq!(p.status, 200, "{}", p.body);
    let text = visible_text(&p.body);
    assert!(
        text.contains("Kölsch, Anna") && text.contains("Kölschbach, Karl"),
        "{text}"
    );
    assert!(
        text.contains("01.03.2019"),
        "dates as German readers write them: {text}"
    );
    assert!(!p.body.contains("Geheimrat"));
    assert_eq!(p.body.matches("class=\"employee-row\"").count(), 2);
    // Filters by place offer the scope's values and narrow within it.
    assert!(
        p.body
            .contains("<option value=\"Vertrieb\">Vertrieb</option>")
    );
    assert!(!p.body.contains("Vorstand") && !p.body.contains("Bonn"));
    let p = c.get("/employees?department=Vertrieb").await;
    assert_eq!(p.body.matches("class=\"employee-row\"").count(), 1);
    assert!(visible_text(&p.body).contains("Kölschbach, Karl"));
    assert!(
        p.body
            .contains("<option value=\"Vertrieb\" selected>Vertrieb</option>")
    );
    let p = c.get("/employees?department=Vertrieb&q=anna").await;
    assert!(visible_text(&p.body).contains("Niemand in Ihrem Bereich passt"));
    let p = c.get("/employees?location=Bonn").await;
    assert_eq!(
        p.body.matches("class=\"employee-row\"").count(),
        0,
        "a filter never widens the scope"
    );
    let p = c.get("/employees?q=ANNA").await;
    assert_eq!(
        p.body.matches("class=\"employee-row\"").count(),
        1,
        "{}",
        p.body
    );
    let p = c.get("/employees?q=geheim").await;
    assert!(visible_text(&p.body).contains("Niemand in Ihrem Bereich passt"));
    let p = c.get("/employees?q=k").await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("aria-describedby=\"q-error\""));
    assert!(visible_text(&p.body).contains("mindestens zwei Zeichen"));
    // A read-only role sees the list but not "Neues Zeugnis".
    let p = c.get("/references").await;
    assert_eq!(p.status, 200);
    assert!(
        !p.body.contains("href=\"/references/new\""),
        "no way to start one"
    );
    assert_eq!(c.get("/references/new").await.status, 403);
}

#[tokio::test]
async fn the_account_page_sets_up_and_removes_an_authenticator_app() {
    let clock = TestClock::new();
    let app = TestApp::builder()
        .with_clock(Arc::clone(&clock) as Arc<dyn zeugnis_core::ports::Clock>)
        .with_admin()
        .spawn()
        .await;
    let mut c = PageClient::new(&app);
    assert_eq!(
        c.log_in(&login_path(), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        303
    );
    let p = c.get("/account").await;
    let text = visible_text(&p.body);
    assert!(text.contains("Zweiter Faktor"), "{text}");
    assert!(text.contains("nicht eingerichtet"), "{text}");
    let csrf = p.input("csrf").unwrap();

    // The password first; a wrong one is named at its field.
    let p = c
        .post("/account/totp", &[("csrf", &csrf), ("password", "falsch")])
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("id=\"totp-password-error\""));
    assert_eq!(
        c.post("/account/totp", &[("password", ADMIN_PASSWORD)])
            .await
            .status,
        403,
        "no token, no step"
    );
    let p = c
        .post(
            "/account/totp",
            &[("csrf", &csrf), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(
        p.body.contains("src=\"data:image/svg+xml;utf8,"),
        "the QR code"
    );
    let at = p.body.find("otpauth://").unwrap();
    let uri: String = p.body[at..]
        .chars()
        .take_while(|c| *c != '<')
        .collect::<String>()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let secret = totp_secret_of(&uri);
    let code = zeugnis_auth::TotpRs::new().code_at(&secret, step_at(clock.now()));
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let p = c
        .post("/account/totp/confirm", &[("csrf", &csrf), ("code", wrong)])
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("id=\"totp-code-error\""));
    let p = c
        .post(
            "/account/totp/confirm",
            &[("csrf", &csrf), ("code", code.as_str())],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(visible_text(&p.body).contains("Wiederherstellungscodes"));
    assert_eq!(
        p.body.matches("<li><code>").count(),
        10,
        "ten recovery codes"
    );
    let text = visible_text(&c.get("/account").await.body);
    assert!(
        text.contains("eingerichtet") && text.contains("Entfernen"),
        "{text}"
    );

    let p = c
        .post(
            "/account/factor/remove",
            &[
                ("csrf", &csrf),
                ("method", "totp"),
                ("password", ADMIN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let text = visible_text(&c.follow(&p).await.body);
    assert!(text.contains("Der zweite Faktor ist entfernt."), "{text}");
    assert!(text.contains("nicht eingerichtet"), "{text}");
}

#[tokio::test]
async fn the_account_page_changes_the_mobile_number_and_confirms_it_with_a_code() {
    let gateway = zeugnis_tests::sms_gateway::GatewayDouble::start().await;
    let url = gateway.url();
    let app = TestApp::builder()
        .with_config(|c| {
            c.sms.url = url;
            c.delivery.poll_secs = 1;
        })
        .with_admin()
        .spawn()
        .await;
    let mut c = PageClient::new(&app);
    assert_eq!(
        c.log_in(&login_path(), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        303
    );
    let p = c.get("/account").await;
    let text = visible_text(&p.body);
    assert!(text.contains("Mobilnummer keine"), "{text}");
    assert!(text.contains("Tragen Sie sie oben"), "{text}");
    let csrf = p.input("csrf").unwrap();
    let contact = |phone: &'static str, password: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("email", ADMIN_EMAIL.to_owned()),
            ("phone", phone.to_owned()),
            ("password", password.to_owned()),
        ]
    };
    let post = async |c: &mut PageClient, fields: [(&str, String); 4]| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.post("/account/contact", &fields).await
    };
    let stored = |app: &TestApp| {
        let mut api = app.admin();
        async move {
            let me = api.get("/session").await.json["user"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
            api.get(&format!("/users/{me}")).await.json["phone"].clone()
        }
    };

    // Without the token, with a national number, with a wrong password:
    // nothing changes, and the error stands at its field.
    let mut forged = contact("+49 151 1234 5678", ADMIN_PASSWORD);
    forged[0].1 = "falsch".into();
    assert_eq!(post(&mut c, forged).await.status, 403);
    let p = post(&mut c, contact("0151 1234567", ADMIN_PASSWORD)).await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("id=\"contact-phone-error\""));
    assert!(visible_text(&p.body).contains("international"));
    assert!(p.body.contains("value=\"0151 1234567\""), "kept as typed");
    let p = post(&mut c, contact("+49 151 1234 5678", "falsch")).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("id=\"contact-password-error\""));
    assert_eq!(stored(&app).await, Value::Null);

    // Saved: SMS codes wait for a code sent to the number.
    let p = post(&mut c, contact("+49 151 1234 5678", ADMIN_PASSWORD)).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = c.follow(&p).await;
    let text = visible_text(&p.body);
    assert!(text.contains("Ihre Mobilnummer ist gespeichert."), "{text}");
    assert!(text.contains("+4915112345678"), "{text}");
    assert_eq!(stored(&app).await, "+4915112345678");
    let p = c
        .post(
            "/account/sms",
            &[("csrf", csrf.as_str()), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(p.status, 200, "{}", p.body);
    let challenge = p.input("challenge").unwrap();
    // The outbox delivers the code before this returns.
    let _ = app.deliver_outbox().await;
    let requests = gateway.requests();
    let sent = requests.first().expect("a code by SMS");
    assert_eq!(sent.body["to"], "+4915112345678", "{:?}", sent.body);
    let code = sent.body["text"]
        .as_str()
        .and_then(|t| t.split_whitespace().next())
        .map(str::to_owned);
    let code = code.expect("a code by SMS");
    let p = c
        .post(
            "/account/sms/confirm",
            &[
                ("csrf", csrf.as_str()),
                ("challenge", challenge.as_str()),
                ("code", code.as_str()),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let p = c.follow(&p).await;
    assert!(visible_text(&p.body).contains("SMS-Codes sind eingeschaltet."));
    assert!(
        !p.body.contains("action=\"/account/sms\""),
        "on: no form to turn it on"
    );

    // The same number written otherwise is no change; a new one turns SMS
    // codes off until it is confirmed.
    let p = post(&mut c, contact("+49 (151) 1234-5678", ADMIN_PASSWORD)).await;
    assert_eq!(p.location.as_deref(), Some("/account"));
    let p = c.get("/account").await;
    assert!(!p.body.contains("action=\"/account/sms\""), "still on");
    let p = post(&mut c, contact("+49 160 9876 5432", ADMIN_PASSWORD)).await;
    assert_eq!(p.status, 303);
    let p = c.get("/account").await;
    assert!(
        p.body.contains("action=\"/account/sms\""),
        "off again: {}",
        p.body
    );
}

#[tokio::test]
async fn anyone_changes_their_own_name_language_and_address_on_the_account_page() {
    // A role that writes references and manages no users.
    let clerk = TestRole::custom(
        "Sachbearbeitung",
        Permissions::none().with(Area::Employees, AccessLevel::ReadWrite),
    );
    let app = TestApp::builder()
        .with_user(clerk, json!({"administrator": false, "location": ["Köln"]}))
        .spawn()
        .await;
    let user = app.user(1).clone();
    let mut c = PageClient::new(&app);
    c.accept_language = Some("de-DE,de;q=0.9".into());
    assert_eq!(
        c.log_in(&login_path(), &user.email, user.password)
            .await
            .status,
        303
    );
    let p = c.get("/account").await;
    let text = visible_text(&p.body);
    assert!(
        text.contains("Sprache wie im Browser eingestellt"),
        "{text}"
    );
    let csrf = p.input("csrf").unwrap();
    let profile = async |c: &mut PageClient, first: &str, last: &str, language: &str| {
        c.post(
            "/account/profile",
            &[
                ("csrf", csrf.as_str()),
                ("first_name", first),
                ("last_name", last),
                ("language", language),
            ],
        )
        .await
    };

    // Without the form token nothing changes.
    let refused = c
        .post(
            "/account/profile",
            &[
                ("first_name", "Fremd"),
                ("last_name", "Name"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);

    // An empty name is refused at its field, and nothing is saved.
    let p = profile(&mut c, "  ", "Wolf", "en").await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains(r#"aria-describedby="profile-first-error""#));
    assert!(p.body.contains(r#"id="profile-first-error""#));
    assert!(visible_text(&p.body).contains("Bitte füllen Sie dieses Feld aus."));
    assert_eq!(c.cookie("zeugnis-lang"), None, "nothing remembered");

    // Name and language saved: the pages speak English at once.
    let p = profile(&mut c, "Lea-Marie", "Wolf-Brandt", "en").await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(c.cookie("zeugnis-lang"), Some("en"));
    let p = c.follow(&p).await;
    let text = visible_text(&p.body);
    assert!(text.contains("Your name and language are saved."), "{text}");
    assert!(text.contains("Lea-Marie Wolf-Brandt"), "{text}");
    assert!(text.contains("Language English"), "{text}");

    // The address too, with the password, without any right over users.
    let p = c
        .post(
            "/account/contact",
            &[
                ("csrf", csrf.as_str()),
                ("email", "lea.wolf@firma.de"),
                ("phone", ""),
                ("password", user.password),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);

    // Another browser that asks for German gets English after the login.
    let mut other = PageClient::new(&app);
    other.accept_language = Some("de-DE,de;q=0.9".into());
    let p = other
        .log_in(&login_path(), "lea.wolf@firma.de", user.password)
        .await;
    assert_eq!(p.status, 303);
    assert_eq!(other.cookie("zeugnis-lang"), Some("en"));
    let p = other.get("/").await;
    assert!(p.body.contains(r#"<html lang="en">"#), "{}", p.body);
    // Even when the browser forgot it.
    other.set_cookie("zeugnis-lang", "");
    assert!(other.get("/").await.body.contains(r#"<html lang="en">"#));

    // Back to the browser's language: the remembered choice is forgotten.
    let p = profile(&mut c, "Lea-Marie", "Wolf-Brandt", "").await;
    assert_eq!(p.status, 303);
    assert_eq!(c.cookie("zeugnis-lang"), None);
    let p = c.follow(&p).await;
    assert!(p.body.contains(r#"<html lang="de">"#));
    assert!(visible_text(&p.body).contains("Sprache wie im Browser eingestellt"));

    // Each change is in the audit log with its fields.
    let mut admin = app.admin();
    let log = admin.get("/audit?action=user_changed").await;
    let entries = log.json["items"].as_array().unwrap().clone();
    let fields: Vec<String> = entries
        .iter()
        .flat_map(|e| e["changes"].as_array().unwrap().clone())
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    for field in ["first_name", "last_name", "language", "email"] {
        assert!(fields.iter().any(|f| f == field), "{field}: {fields:?}");
    }
}

#[tokio::test]
async fn the_reference_list_shows_when_each_reference_last_changed() {
    // A winter morning in UTC: 09:00 in Berlin.
    let clock = TestClock::at(time::macros::utc_datetime!(2026-12-01 08:00));
    let app = TestApp::builder()
        .with_clock(Arc::clone(&clock) as Arc<dyn zeugnis_core::ports::Clock>)
        .with_admin()
        .spawn()
        .await;
    let mut admin = app.admin();
    let (_, id) = employee_with_reference(&mut admin, "Anna", "Kölsch", "Köln").await;
    let (_, untouched) = employee_with_reference(&mut admin, "Bernd", "Rhein", "Köln").await;
    clock.advance(time::Duration::days(3) + time::Duration::hours(2) + time::Duration::minutes(7));
    // Days later, a new session.
    assert_eq!(admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    let r = admin
        .put(
            &format!("/references/{id}/sections"),
            &json!({"sections": {"company": "Die Kölsch & Partner GmbH"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json["changed_at"], "2026-12-04T10:07:00Z", "{}", r.json);
    assert_eq!(r.json["created_at"], "2026-12-01T08:00:00Z");
    let mut c = PageClient::new(&app);
    assert_eq!(
        c.log_in(&login_path(), ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .status,
        303
    );
    let p = c.get("/references").await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains(">Letzte Änderung</th>"), "{}", p.body);
    let row = |id: &str| {
        let start = p
            .body
            .find(&format!("<tr data-reference=\"{id}\">"))
            .unwrap();
        let end = start + p.body[start..].find("</tr>").unwrap();
        visible_text(&p.body[start..end])
    };
    let changed = row(&id);
    assert!(
        changed.contains("01.12.2026") && changed.contains("04.12.2026, 11:07 Uhr"),
        "created on the 1st, changed on the 4th at 11:07 in Berlin: {changed}"
    );
    let same = row(&untouched);
    assert!(
        same.contains("01.12.2026, 09:00 Uhr"),
        "an untouched reference last changed when it was created: {same}"
    );
}
