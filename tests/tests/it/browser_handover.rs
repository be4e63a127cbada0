//! The page behind a handover link, in a real browser (headless Chromium): the
//! supervisor opens the link from the mail, enters the one-time code from the
//! second mail, sees the shared sections with their labels and the draft as a
//! letter, never a hidden one, edits the writable ones, saves, finishes; the
//! link then shows only that the work is finished. HR's view through the API
//! confirms what was saved. An address with a wrong secret shows only that
//! the link is invalid. axe-core checks the pages; screenshots land in
//! `target/screenshots/`.

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

    // A wrong secret: opening says the link is invalid, nothing else.
    browser
        .goto(&app.url(&format!("/t/{SLUG}/h/{id}/{}", "0".repeat(secret.len()))))
        .await;
    browser.click("form button.button-primary").await;
    browser
        .wait_for_text("#closed-message", "Dieser Link ist ungültig")
        .await;
    assert!(!browser.html().await.contains("Weißgerber"));

    // The real link: a visit opens nothing; the button does, and asks for
    // the code sent by mail.
    browser.goto(&link).await;
    browser.wait_for_text("h1", "Zeugnis öffnen").await;
    browser.assert_accessible("link (de)").await;
    browser.screenshots("link-open-de").await;
    browser.click("form button.button-primary").await;
    browser.wait_for_text("h1", "Bestätigungscode").await;
    browser.assert_accessible("link code").await;
    let code_mail = wait_for_mails_to(&sink, SUPERVISOR_EMAIL, "Bestätigungscode", 1).await;
    let code = code_in(&code_mail[0]);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let input = browser.wait_for("#code").await;
    input.send_keys(wrong).await.unwrap();
    browser.click("form button.button-primary").await;
    browser
        .wait_for_text("[role=alert]", "Code stimmt nicht")
        .await;
    browser.screenshots("link-code-wrong-de").await;
    let input = browser.wait_for("#code").await;
    input.send_keys(&code).await.unwrap();
    browser.click("form button.button-primary").await;

    // The shared sections, in order; the hidden ones are not on the page.
    browser
        .wait_for_text("h1", "Mitwirkung am Arbeitszeugnis")
        .await;
    browser.wait_for("#f-achievements-new").await;
    let keys: Vec<String> = {
        let mut keys = Vec::new();
        for el in browser
            .client
            .find_all(Locator::Css("fieldset.sec"))
            .await
            .unwrap()
        {
            keys.push(el.attr("id").await.unwrap().unwrap());
        }
        keys
    };
    assert_eq!(keys, ["sec-tasks", "sec-performance", "sec-achievements"]);
    let html = browser.html().await;
    assert!(
        !html.contains(INTERNAL_NOTE),
        "the hidden note is not on the page"
    );
    assert!(!html.contains("id=\"sec-further\"") && !html.contains("id=\"sec-personal\""));
    browser
        .wait_for_text("article.letter", "Frau Jördis Weißgerber")
        .await;
    let tasks = browser.wait_for("#f-tasks-items-1").await;
    assert!(
        tasks
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
            .contains("Verhandlung von Rahmenverträgen")
    );
    assert!(
        !browser.visible("#download").await,
        "no download without the flag"
    );
    assert!(
        browser
            .client
            .find(Locator::Css("#sec-result textarea"))
            .await
            .is_err(),
        "the text is shown as a letter, not as a field"
    );
    browser.assert_accessible("link work (de)").await;
    browser.screenshots("link-work-de").await;

    // Edit and save.
    let area = browser.wait_for("#f-achievements-new").await;
    let arg = serde_json::to_value(&area).unwrap();
    browser
        .client
        .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
        .await
        .unwrap();
    area.send_keys(ACHIEVEMENT).await.unwrap();
    let radio = browser
        .wait_for("input[name='performance.ability'][value='1']")
        .await;
    let arg = serde_json::to_value(&radio).unwrap();
    browser
        .client
        .execute(
            "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();",
            vec![arg],
        )
        .await
        .unwrap();
    let save = browser.wait_for("#link-work button.button-primary").await;
    let arg = serde_json::to_value(&save).unwrap();
    browser
        .client
        .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
        .await
        .unwrap();
    save.click().await.unwrap();
    browser.wait_for_text("[role=status]", "Gespeichert").await;
    browser.wait_for_text("article.letter", ACHIEVEMENT).await;
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
    let finish = browser.wait_for("#finish").await;
    let arg = serde_json::to_value(&finish).unwrap();
    browser
        .client
        .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
        .await
        .unwrap();
    finish.click().await.unwrap();
    browser.wait_for_text("h1", "Vielen Dank").await;
    browser.goto(&link).await;
    browser.click("form button.button-primary").await;
    browser
        .wait_for_text("#closed-message", "bereits abgeschlossen")
        .await;
    assert!(!browser.html().await.contains("Weißgerber"));
    let r = hr.get(&format!("/references/{reference}")).await;
    assert_eq!(r.json["status"], "draft", "back with HR");
    browser.close().await;
}
