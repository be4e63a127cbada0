//! The page behind a handover link, as a browser without JavaScript uses it:
//! a visit opens nothing, the opening form exchanges the link for a session,
//! the one-time code where asked, the shared sections with their labels and
//! German formats (never a hidden one), saving only what may be written (the
//! text follows the new ratings), finishing, and a closed link that says why.

#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking, also in the helpers they call"
)]

use serde_json::json;
use zeugnis_tests::TestApp;
use zeugnis_tests::api::{ApiClient, SLUG};
use zeugnis_tests::main_job::{INTERNAL_NOTE, created, filled_reference, link_in};
use zeugnis_tests::pages::{PageClient, form_fields, visible_text};

const SUPERVISOR_EMAIL: &str = "bernd.brauer@nordlicht.example";

/// A reference handed over with `code_channel`; returns the link's path.
async fn handed_over(app: &TestApp, hr: &mut ApiClient, code: Option<&str>) -> (String, String) {
    let reference = filled_reference(hr).await;
    let _ = app.deliver_outbox().await;
    let mut body = json!({
        "recipient_name": "Bernd Brauer",
        "recipient_email": SUPERVISOR_EMAIL,
        "sections": {
            "personal": "read", "tasks": "read", "result": "read",
            "performance": "write", "achievements": "write",
        },
    });
    if let Some(channel) = code {
        body["code_channel"] = json!(channel);
    }
    let r = hr
        .post(&format!("/references/{reference}/handovers"), &body)
        .await;
    created(&r, "hand over");
    let mails = app.deliver_outbox().await;
    let mail = mails
        .iter()
        .find(|m| m.rcpt_tos.iter().any(|t| t == SUPERVISOR_EMAIL))
        .expect("the link mail");
    let (id, secret) = link_in(mail);
    (reference, format!("/t/{SLUG}/h/{id}/{secret}"))
}

#[tokio::test]
async fn the_supervisor_opens_the_link_reads_with_labels_writes_what_is_open_and_finishes() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut hr = app.admin();
    let (reference, link) = handed_over(&app, &mut hr, None).await;
    let mut c = PageClient::new(&app);

    // A visit (as a mail scanner makes) opens nothing and shows nothing.
    let landing = c.get(&link).await;
    assert_eq!(landing.status, 200);
    assert_eq!(landing.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(landing.header("cache-control"), Some("no-store"));
    assert!(!landing.body.contains("Weißgerber"));
    assert!(visible_text(&landing.body).contains("Zeugnis öffnen"));
    assert!(landing.input("form_token").is_some());
    assert_eq!(c.get("/h").await.status, 401, "no session from a visit");

    // The form needs its token; a wrong secret is an invalid link.
    let refused = c.post(&link, &[("form_token", "x")]).await;
    assert_eq!(refused.status, 403);
    let token = refused.input("form_token").unwrap();
    let (base, secret) = link.rsplit_once('/').unwrap();
    let wrong = format!("{base}/{}", "0".repeat(secret.len()));
    let p = c.post(&wrong, &[("form_token", &token)]).await;
    assert_eq!(p.status, 404);
    assert!(visible_text(&p.body).contains("Dieser Link ist ungültig."));

    let p = c.post(&link, &[("form_token", &token)]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(p.location.as_deref(), Some("/h"));
    let page = c.get("/h").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    let text = visible_text(&page.body);
    for seen in [
        "Mitwirkung am Arbeitszeugnis",
        "Der Link gilt bis",
        " Uhr",
        "Persönliche Daten",
        "Geburtsdatum",
        "Bewertung (Leistung)",
        "Erfolge",
        "nur lesen",
        "Frau Jördis Weißgerber, geboren am 14. Juli 1988",
    ] {
        assert!(text.contains(seen), "{seen} in {text}");
    }
    // German labels and formats, not keys and ISO values.
    assert!(page.body.contains("value=\"14.07.1988\""), "{}", page.body);
    assert!(
        page.body
            .contains("<option value=\"frau\" selected>Frau</option>")
    );
    assert!(!text.contains("birth_date") && !text.contains("1988-07-14"));
    // Nothing HR did not share.
    assert!(!page.body.contains(INTERNAL_NOTE));
    assert!(!text.contains("Weitere Angaben") && !text.contains("Zeugnisdaten"));
    assert!(
        !page.body.contains("href=\"/h/pdf\""),
        "no download without the flag"
    );

    // Save: a grade and an achievement; a forged change to a read-only
    // section is not even read.
    let fields = {
        let mut f = form_fields(&page.body, "/h");
        f.retain(|(n, _)| n != "performance.ability" && n != "achievements");
        f.push(("performance.ability".into(), "1".into()));
        f.push((
            "achievements".into(),
            "Aufbau eines Lieferantenportals".into(),
        ));
        f.push(("personal.first_name".into(), "Gefälscht".into()));
        f
    };
    let mut no_token = fields.clone();
    no_token.retain(|(n, _)| n != "csrf");
    assert_eq!(c.post_fields("/h", &no_token).await.status, 403);
    let p = c.post_fields("/h", &fields).await;
    assert_eq!(p.status, 303, "{}", p.body);
    let page = c.follow(&p).await;
    let text = visible_text(&page.body);
    assert!(text.contains("Gespeichert."), "{text}");
    assert!(
        text.contains("Aufbau eines Lieferantenportals"),
        "the preview follows the save: {text}"
    );
    let r = hr.get(&format!("/references/{reference}")).await;
    let s = &r.json["sections"];
    assert_eq!(s["performance"]["ratings"]["ability"], 1);
    assert_eq!(
        s["achievements"],
        json!(["Aufbau eines Lieferantenportals"])
    );
    assert_eq!(s["personal"]["first_name"], "Jördis");
    assert!(
        s["result"]
            .as_str()
            .unwrap()
            .contains("Aufbau eines Lieferantenportals"),
        "the text was written again"
    );

    // A writable list's buttons rearrange the form without saving it; a
    // list the holder may only read has none.
    assert!(page.body.contains("value=\"list:achievements:add\""));
    assert!(
        !page.body.contains("list:tasks.items"),
        "tasks are read-only"
    );
    let achievements = |p: &zeugnis_tests::pages::Page| -> Vec<String> {
        form_fields(&p.body, "/h")
            .into_iter()
            .filter(|(n, v)| n == "achievements" && !v.is_empty())
            .map(|(_, v)| v)
            .collect()
    };
    let mut f = form_fields(&page.body, "/h");
    f.push(("achievements".into(), "Senkung der Lagerkosten".into()));
    f.push(("then".into(), "list:achievements:add".into()));
    let p = c.post_fields("/h", &f).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(
        achievements(&p),
        ["Aufbau eines Lieferantenportals", "Senkung der Lagerkosten"]
    );
    let mut f = form_fields(&p.body, "/h");
    f.push(("then".into(), "list:achievements:1:up".into()));
    let p = c.post_fields("/h", &f).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert_eq!(
        achievements(&p),
        ["Senkung der Lagerkosten", "Aufbau eines Lieferantenportals"]
    );
    assert!(p.body.contains("id=\"f-achievements-0\" name=\"achievements\" type=\"text\" value=\"Senkung der Lagerkosten\" aria-label=\"Eintrag 1\" autofocus"));
    assert_eq!(
        hr.get(&format!("/references/{reference}")).await.json["sections"]["achievements"],
        json!(["Aufbau eines Lieferantenportals"]),
        "nothing saved by rearranging"
    );

    // Finish: thanks, and the link says it is finished.
    let csrf = page.input("csrf").unwrap();
    let p = c.post("/h/finish", &[("csrf", &csrf)]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(visible_text(&p.body).contains("Vielen Dank"));
    assert_eq!(c.get("/h").await.status, 401);
    let landing = c.get(&link).await;
    let token = landing.input("form_token").unwrap();
    let p = c.post(&link, &[("form_token", &token)]).await;
    assert_eq!(p.status, 410);
    let text = visible_text(&p.body);
    assert!(text.contains("bereits abgeschlossen"), "{text}");
    assert!(!text.contains("Weißgerber"));
    assert_eq!(
        hr.get(&format!("/references/{reference}")).await.json["status"],
        "draft"
    );
}

#[tokio::test]
async fn a_link_with_a_code_asks_for_it_and_counts_wrong_ones() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut hr = app.admin();
    let (_, link) = handed_over(&app, &mut hr, Some("email")).await;
    let mut c = PageClient::new(&app);
    let landing = c.get(&link).await;
    let token = landing.input("form_token").unwrap();
    let p = c.post(&link, &[("form_token", &token)]).await;
    assert_eq!(p.status, 200, "{}", p.body);
    let text = visible_text(&p.body);
    assert!(text.contains("Bestätigungscode per E-Mail"), "{text}");
    let challenge = p.input("challenge").unwrap();
    let token = p.input("form_token").unwrap();
    let mails = app.deliver_outbox().await;
    let mail = mails
        .iter()
        .find(|m| m.rcpt_tos.iter().any(|t| t == SUPERVISOR_EMAIL))
        .expect("the code mail");
    let text = mail.text.clone().unwrap_or_else(|| mail.raw.clone());
    let code = text
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit()))
        .expect("a six-digit code")
        .to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let p = c
        .post(
            &link,
            &[
                ("form_token", &token),
                ("challenge", &challenge),
                ("code", wrong),
            ],
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(visible_text(&p.body).contains("Der Code stimmt nicht."));
    assert!(p.body.contains("aria-describedby=\"link-error\""));
    let token = p.input("form_token").unwrap();
    let p = c
        .post(
            &link,
            &[
                ("form_token", &token),
                ("challenge", &challenge),
                ("code", &code),
            ],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(c.get("/h").await.status, 200);
}

#[tokio::test]
async fn hr_reminds_the_supervisor_once_a_day_with_a_fresh_link() {
    let app = TestApp::builder().with_admin().spawn().await;
    let mut hr = app.admin();
    let (reference, old_link) = handed_over(&app, &mut hr, None).await;
    let mut c = PageClient::new(&app);
    let p = c
        .log_in(
            &format!("/t/{SLUG}/login"),
            zeugnis_tests::api::ADMIN_EMAIL,
            zeugnis_tests::api::ADMIN_PASSWORD,
        )
        .await;
    assert_eq!(p.status, 303);
    let overview = c.get("/").await;
    let text = visible_text(&overview.body);
    assert!(text.contains("Erinnerung senden"), "{text}");
    let csrf = overview.input("csrf").unwrap();
    let action = {
        let at = overview.body.find("/handovers/").unwrap();
        let start = overview.body[..at].rfind("action=\"").unwrap() + 8;
        let end = at + overview.body[at..].find('"').unwrap();
        overview.body[start..end].to_owned()
    };
    assert!(action.starts_with(&format!("/references/{reference}/handovers/")));
    assert!(action.ends_with("/remind"));
    let p = c
        .post(&action, &[("csrf", &csrf), ("back", "overview")])
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let text = visible_text(&c.follow(&p).await.body);
    assert!(text.contains("Die Erinnerung ist unterwegs"), "{text}");
    let mails = app.deliver_outbox().await;
    let mail = mails
        .iter()
        .find(|m| m.rcpt_tos.iter().any(|t| t == SUPERVISOR_EMAIL))
        .expect("the reminder");
    assert!(mail.subject.contains("Erinnerung"), "{}", mail.subject);
    let (id, secret) = link_in(mail);
    let new_link = format!("/t/{SLUG}/h/{id}/{secret}");
    assert_ne!(new_link, old_link);

    // Once a day.
    let p = c
        .post(&action, &[("csrf", &csrf), ("back", "overview")])
        .await;
    assert_eq!(p.status, 303);
    assert!(visible_text(&c.follow(&p).await.body).contains("Heute wurde schon erinnert"));
    assert!(
        app.deliver_outbox()
            .await
            .iter()
            .all(|m| !m.rcpt_tos.iter().any(|t| t == SUPERVISOR_EMAIL)),
        "no second mail"
    );

    // The old link is no more; the new one opens.
    let mut sup = PageClient::new(&app);
    let token = sup.get(&old_link).await.input("form_token").unwrap();
    assert_eq!(
        sup.post(&old_link, &[("form_token", &token)]).await.status,
        404
    );
    let token = sup.get(&new_link).await.input("form_token").unwrap();
    let p = sup.post(&new_link, &[("form_token", &token)]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(sup.get("/h").await.status, 200);
}
