//! The page behind a handover link, in a real browser (headless Chromium): the
//! supervisor opens the link from the mail, enters the one-time code from the
//! second mail, sees the shared sections and never a hidden one, edits the
//! writable ones, saves, finishes; the link then shows only that the work is
//! finished. HR's view through the API confirms what was saved. An address
//! with a wrong secret shows only that the link is invalid.

use fantoccini::Locator;
use serde_json::json;
use zeugnis_tests::TestApp;
use zeugnis_tests::api::{
    ADMIN_EMAIL, ADMIN_PASSWORD, ApiClient, SLUG, setup_first_tenant, wait_for_mails_to,
};
use zeugnis_tests::browser::Browser;
use zeugnis_tests::main_job::{INTERNAL_NOTE, code_in, created, filled_reference, link_in, ok};
use zeugnis_tests::smtp_sink::{SinkOptions, start_sink_or_skip};

const SUPERVISOR_EMAIL: &str = "bernd.brauer@nordlicht.example";
const ACHIEVEMENT: &str = "Aufbau eines Lieferantenportals für über 300 Partner";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_supervisor_works_on_the_page_behind_the_link() {
    let Some(sink) = start_sink_or_skip(SinkOptions::default()) else {
        return;
    };
    let Some(browser) = Browser::start_or_skip("browser_handover").await else {
        return;
    };
    let app = TestApp::builder().with_smtp(&sink).spawn().await;
    setup_first_tenant(&app).await;
    let mut hr = ApiClient::new(&app);
    assert_eq!(hr.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    let reference = filled_reference(&mut hr).await;
    let r = hr
        .put(
            &format!("/references/{reference}/sections"),
            &json!({"sections": {"further": INTERNAL_NOTE}}),
        )
        .await;
    ok(&r, "HR's internal note");
    let r = hr
        .post(
            &format!("/references/{reference}/handovers"),
            &json!({
                "recipient_name": "Bernd Brauer",
                "recipient_email": SUPERVISOR_EMAIL,
                "sections": {
                    "tasks": "read", "result": "read",
                    "performance": "write", "achievements": "write",
                },
                "code_channel": "email",
            }),
        )
        .await;
    created(&r, "hand over");
    let mails = wait_for_mails_to(&sink, SUPERVISOR_EMAIL, "Mitwirkung", 1).await;
    let (id, secret) = link_in(&mails[0]);
    let link = app.url(&format!("/t/{SLUG}/h/{id}/{secret}"));

    // A wrong secret: the page says the link is invalid, nothing else.
    browser
        .goto(&app.url(&format!("/t/{SLUG}/h/{id}/{}", "0".repeat(secret.len()))))
        .await;
    browser.wait_for_text("#title", "Link ungültig").await;
    assert!(!browser.visible("#work").await);

    // The real link asks for the code sent by mail.
    browser.goto(&link).await;
    browser.wait_for_text("#title", "Bestätigungscode").await;
    let code_mail = wait_for_mails_to(&sink, SUPERVISOR_EMAIL, "Bestätigungscode", 1).await;
    let code = code_in(&code_mail[0]);
    let input = browser.wait_for("#code-form input[name=code]").await;
    input.send_keys("000000").await.unwrap();
    browser.click("#code-form button").await;
    if code != "000000" {
        browser.wait_for_text("#message", "Code stimmt nicht").await;
    }
    input.clear().await.unwrap();
    input.send_keys(&code).await.unwrap();
    browser.click("#code-form button").await;

    // The shared sections, in order; the hidden ones are not on the page.
    browser
        .wait_for("section[data-key=achievements] textarea")
        .await;
    let keys: Vec<String> = {
        let mut keys = Vec::new();
        for el in browser
            .client
            .find_all(Locator::Css("section.part"))
            .await
            .unwrap()
        {
            keys.push(el.attr("data-key").await.unwrap().unwrap());
        }
        keys
    };
    assert_eq!(keys, ["tasks", "performance", "achievements", "result"]);
    let html = browser.html().await;
    assert!(
        !html.contains(INTERNAL_NOTE),
        "the hidden note is not on the page"
    );
    assert!(!html.contains("data-key=\"further\"") && !html.contains("data-key=\"personal\""));
    browser
        .wait_for_text("section[data-key=result]", "Frau Jördis Weißgerber")
        .await;
    browser
        .wait_for_text("section[data-key=tasks]", "Verhandlung von Rahmenverträgen")
        .await;
    assert!(
        !browser.visible("#download").await,
        "no download without the flag"
    );
    assert!(
        browser
            .client
            .find(Locator::Css("section[data-key=result] textarea"))
            .await
            .is_err(),
        "a read-only section has no editor"
    );

    // Edit and save.
    browser
        .wait_for("section[data-key=achievements] textarea")
        .await
        .send_keys(ACHIEVEMENT)
        .await
        .unwrap();
    browser
        .wait_for("select[name='performance.ability']")
        .await
        .select_by_value("1")
        .await
        .unwrap();
    browser.click("#save").await;
    browser.wait_for_text("#message", "Gespeichert").await;
    let r = hr.get(&format!("/references/{reference}")).await;
    ok(&r, "HR reads the reference");
    assert_eq!(r.json["sections"]["achievements"], json!([ACHIEVEMENT]));
    assert_eq!(r.json["sections"]["performance"]["ratings"]["ability"], 1);
    assert_eq!(
        r.json["sections"]["performance"]["ratings"]["willingness"], 1,
        "untouched grades stay"
    );
    assert_eq!(r.json["sections"]["further"], INTERNAL_NOTE);

    // Finish; the link then says only that.
    browser.click("#finish").await;
    browser.wait_for_text("#title", "Vielen Dank").await;
    browser.goto(&link).await;
    browser
        .wait_for_text("#title", "Bearbeitung abgeschlossen")
        .await;
    assert!(!browser.visible("#work").await);
    assert!(!browser.html().await.contains("Weißgerber"));
    let r = hr.get(&format!("/references/{reference}")).await;
    assert_eq!(r.json["status"], "draft", "back with HR");
    browser.close().await;
}
