//! HR's pages in a real browser (headless Chromium): the login with the
//! keyboard alone, the second step, the overview with a reference waiting
//! on a supervisor (overdue) and the user's own drafts, both languages, and
//! logout; the whole main job with the keyboard alone. axe-core checks every page for WCAG 2.1 AA; screenshots of every
//! page at 1280 and 390 px land in `target/screenshots/`.
#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking, also in the helpers they call"
)]

use std::sync::Arc;

use fantoccini::Locator;
use fantoccini::actions::{InputSource as _, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::json;
use zeugnis_core::ports::{Clock as _, TotpEngine as _};
use zeugnis_core::second_factor::step_at;
use zeugnis_tests::api::{ADMIN_EMAIL, ADMIN_PASSWORD, SLUG, totp_secret_of};
use zeugnis_tests::browser::Browser;
use zeugnis_tests::main_job::{created, filled_reference};
use zeugnis_tests::{TestApp, TestClock};

/// Types `text` into the element that has the focus.
async fn type_text(browser: &Browser, text: &str) {
    let active = browser
        .client
        .active_element()
        .await
        .expect("a focused element");
    active.send_keys(text).await.expect("typing");
}

/// Presses Tab `n` times.
async fn tab(browser: &Browser, n: usize) {
    for _ in 0..n {
        let active = browser
            .client
            .active_element()
            .await
            .expect("a focused element");
        active.send_keys(&Key::Tab.to_string()).await.expect("tab");
    }
}

/// The element for `css`, scrolled to the middle of the window (clear of the
/// editor's sticky save bar, as a person scrolling would have it).
async fn centred(browser: &Browser, css: &str) -> fantoccini::elements::Element {
    let el = browser.wait_for(css).await;
    let arg = serde_json::to_value(&el).expect("an element reference");
    browser
        .client
        .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
        .await
        .expect("scrolling");
    el
}

async fn focused_id(browser: &Browser) -> String {
    let active = browser
        .client
        .active_element()
        .await
        .expect("a focused element");
    active
        .attr("id")
        .await
        .expect("attribute")
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hr_logs_in_with_the_keyboard_and_finds_what_waits_on_the_overview() {
    let Some(browser) = Browser::start_or_skip("browser_pages").await else {
        return;
    };
    let clock = TestClock::new();
    let app = TestApp::builder()
        .with_clock(Arc::clone(&clock) as Arc<dyn zeugnis_core::ports::Clock>)
        .with_admin()
        .spawn()
        .await;
    // A reference handed over to a supervisor, and a draft of HR's own.
    let mut hr = app.admin();
    let waiting = filled_reference(&mut hr).await;
    let r = hr
        .post(
            &format!("/references/{waiting}/handovers"),
            &json!({
                "recipient_name": "Bernd Brauer",
                "recipient_email": "bernd.brauer@nordlicht.example",
                "sections": {"performance": "write", "result": "read"},
            }),
        )
        .await;
    created(&r, "hand over");
    let _draft = filled_reference(&mut hr).await;
    // An authenticator app for the Administrator.
    let r = hr
        .post("/me/totp", &json!({"password": ADMIN_PASSWORD}))
        .await;
    let secret = totp_secret_of(r.json["otpauth_uri"].as_str().unwrap());
    let code = |at| zeugnis_auth::TotpRs::new().code_at(&secret, step_at(at));
    let r = hr
        .post("/me/totp/confirm", &json!({"code": code(clock.now())}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Three weeks later the supervisor still has it.
    clock.advance(time::Duration::days(21));

    let login = app.url(&format!("/t/{SLUG}/login"));
    browser.goto(&login).await;
    browser.wait_for("form input[name=email]").await;
    assert_eq!(
        focused_id(&browser).await,
        "email",
        "the address field has the focus"
    );
    browser.assert_accessible("login (de)").await;
    browser.screenshots("login-de").await;

    // A wrong password: the message is announced, the address is kept.
    type_text(&browser, ADMIN_EMAIL).await;
    tab(&browser, 1).await;
    assert_eq!(focused_id(&browser).await, "password");
    type_text(&browser, &format!("falsch{}", Key::Enter)).await;
    browser.wait_for_text("[role=alert]", "stimmen nicht").await;
    browser.assert_accessible("login with an error").await;
    browser.screenshots("login-error-de").await;

    // The keyboard alone: the password field has the focus again, Enter sends.
    assert_eq!(focused_id(&browser).await, "password");
    type_text(&browser, &format!("{ADMIN_PASSWORD}{}", Key::Enter)).await;
    browser.wait_for_text("h1", "Bestätigung").await;
    browser.assert_accessible("second step").await;
    browser.screenshots("second-factor-de").await;
    assert_eq!(focused_id(&browser).await, "code");
    type_text(&browser, &format!("{}{}", code(clock.now()), Key::Enter)).await;

    browser.wait_for_text("h1", "Übersicht").await;
    let text = browser.wait_for_text("main", "Wartet auf jemanden").await;
    assert!(text.contains("Bernd Brauer"), "who holds it: {text}");
    assert!(
        text.contains("überfällig"),
        "three weeks is overdue: {text}"
    );
    assert!(text.contains("21 Tage"), "{text}");
    assert!(text.contains("Meine Entwürfe"), "{text}");
    browser.assert_accessible("overview (de)").await;
    browser.screenshots("overview-de").await;

    // The list of references, and a new one started from it.
    browser.click("nav a[href='/references']").await;
    browser.wait_for_text("h1", "Zeugnisse").await;
    let text = browser.wait_for_text("main", "Bernd Brauer").await;
    assert!(text.contains("Bei Vorgesetzten"), "{text}");
    browser.assert_accessible("references (de)").await;
    browser.screenshots("references-de").await;
    browser.click("a[href='/references/new']").await;
    browser.wait_for_text("h1", "Neues Zeugnis").await;
    browser.assert_accessible("new reference (de)").await;
    // Typing searches as one types (htmx).
    browser.click("#new-q").await;
    type_text(&browser, "weiß").await;
    browser
        .wait_for_text("#new-matches", "Weißgerber, Jördis")
        .await;
    browser
        .assert_accessible("new reference with a match")
        .await;
    browser.screenshots("references-new-de").await;
    // Two records of one name: nothing is chosen for the user.
    browser.click("#new-matches input[type=radio]").await;
    browser
        .click("form[action='/references'] button[type=submit]")
        .await;
    browser
        .wait_for_text("[role=status]", "Das Zeugnis ist angelegt.")
        .await;
    browser
        .assert_accessible("the new reference in the editor")
        .await;

    // The employees.
    browser.click("nav a[href='/employees']").await;
    browser.wait_for_text("h1", "Mitarbeiter").await;
    browser.wait_for_text("main", "Weißgerber").await;
    browser.assert_accessible("employees (de)").await;
    browser.screenshots("employees-de").await;

    // The account page.
    browser.click("nav a[href='/account']").await;
    browser.wait_for_text("h1", "Konto").await;
    let text = browser.wait_for_text("main", "Ihre Sitzungen").await;
    assert!(text.contains("diese Sitzung"), "{text}");
    browser.assert_accessible("account (de)").await;
    browser.screenshots("account-de").await;

    // The skip link is the first stop of the keyboard and leads to the content.
    browser.goto(&app.url("/")).await;
    browser.wait_for("main").await;
    tab(&browser, 1).await;
    let first = browser.client.active_element().await.unwrap();
    assert_eq!(
        first.attr("class").await.unwrap().as_deref(),
        Some("skip-link")
    );

    // English, chosen on the page.
    browser.click("a.lang-switch").await;
    browser.wait_for_text("h1", "Overview").await;
    let text = browser.wait_for_text("main", "Waiting on someone").await;
    assert!(text.contains("overdue"), "{text}");
    browser.assert_accessible("overview (en)").await;
    browser.screenshots("overview-en").await;

    browser.click("nav a[href='/references']").await;
    browser.wait_for_text("h1", "References").await;
    browser.assert_accessible("references (en)").await;
    browser.screenshots("references-en").await;

    // Log out: back at the login, in English still.
    browser
        .client
        .find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_for_text("main", "You have logged out.").await;
    browser.assert_accessible("login (en)").await;
    browser.screenshots("login-en").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_setup_link_leads_to_the_new_administrator_logged_in_on_the_overview() {
    let Some(browser) = Browser::start_or_skip("browser_pages_setup").await else {
        return;
    };
    let app = TestApp::builder().spawn().await;
    let token = zeugnis_tests::api::new_setup_token(&app);
    browser
        .goto(&app.url(&format!("/setup#{}", token.expose_hex())))
        .await;
    browser.wait_for("input[name=organisation]").await;
    browser.assert_accessible("setup (de)").await;
    browser.screenshots("setup-de").await;
    for (name, value) in [
        ("organisation", "Nordlicht Holzbau GmbH"),
        ("slug", SLUG),
        ("first_name", "Greta"),
        ("last_name", "Graf"),
        ("email", ADMIN_EMAIL),
        ("password", ADMIN_PASSWORD),
        ("repeat", ADMIN_PASSWORD),
    ] {
        let field = browser.wait_for(&format!("input[name={name}]")).await;
        field.send_keys(value).await.unwrap();
    }
    browser.click("form button[type=submit]").await;
    browser.wait_for_text("h1", "Übersicht").await;
    let text = browser.wait_for_text("main", "Guten Tag, Greta.").await;
    assert!(text.contains("Meine Entwürfe"), "{text}");

    // The page behind a reset link, in the same design.
    browser
        .goto(&app.url(&format!("/t/{SLUG}/reset#{}", "ab".repeat(32))))
        .await;
    browser.wait_for_text("h1", "Neues Passwort").await;
    browser.wait_for("#form:not([hidden]) #password").await;
    browser.assert_accessible("reset (de)").await;
    browser.screenshots("reset-de").await;
    // An incomplete link says so.
    browser
        .goto(&app.url(&format!("/t/{SLUG}/welcome#kurz")))
        .await;
    browser.wait_for_text("#invalid", "unvollständig").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hr_fills_generates_checks_and_approves_a_reference_in_the_editor() {
    let Some(browser) = Browser::start_or_skip("browser_editor").await else {
        return;
    };
    let app = TestApp::builder().with_admin().spawn().await;
    let mut hr = app.admin();
    let id = filled_reference(&mut hr).await;

    let login = app.url(&format!("/t/{SLUG}/login"));
    browser.goto(&login).await;
    browser.wait_for("form input[name=email]").await;
    type_text(&browser, ADMIN_EMAIL).await;
    tab(&browser, 1).await;
    type_text(&browser, &format!("{ADMIN_PASSWORD}{}", Key::Enter)).await;
    browser.wait_for_text("h1", "Übersicht").await;

    // A new employee record, by the keyboard where it counts.
    browser.click("nav a[href='/employees']").await;
    browser.click("a[href='/employees/new']").await;
    browser.wait_for_text("h1", "Neuer Mitarbeiter").await;
    browser.assert_accessible("new employee (de)").await;
    browser.screenshots("employee-new-de").await;
    centred(&browser, "#e-salutation option[value='herr']")
        .await
        .click()
        .await
        .expect("the salutation");
    for (id, value) in [
        ("#e-first-name", "Karl"),
        ("#e-last-name", "Domblick"),
        ("#e-entry-date", "01.02.2019"),
        ("#e-location", "Köln"),
    ] {
        centred(&browser, id)
            .await
            .send_keys(value)
            .await
            .expect("typing");
    }
    centred(&browser, "#employee button.button-primary")
        .await
        .click()
        .await
        .expect("create");
    browser
        .wait_for_text("[role=status]", "Der Mitarbeiter ist angelegt.")
        .await;
    browser.wait_for_text("h1", "Karl Domblick").await;
    browser.assert_accessible("employee (de)").await;
    browser.screenshots("employee-de").await;

    // From the list into the editor.
    browser.click("nav a[href='/references']").await;
    browser.click(&format!("a[href='/references/{id}']")).await;
    browser
        .wait_for_text("h1", "Zeugnis für Jördis Weißgerber")
        .await;
    let text = browser.wait_for_text("main", "Stammdaten").await;
    assert!(text.contains("Vorschau"), "{text}");
    browser.assert_accessible("editor (de)").await;
    browser.screenshots("editor-de").await;

    // A grade chosen by the keyboard: the radio group moves with the arrows.
    centred(&browser, "input[name='performance.knowledge'][value='2']").await;
    browser.screenshots("editor-ratings-de").await;
    let radio = centred(&browser, "input[name='performance.knowledge'][value='2']").await;
    radio.click().await.expect("the grade");
    radio
        .send_keys(&Key::Up.to_string())
        .await
        .expect("arrow key");
    let checked = browser
        .wait_for("input[name='performance.knowledge']:checked")
        .await;
    assert_eq!(
        checked.attr("value").await.unwrap().as_deref(),
        Some("1"),
        "the arrow moved to grade 1"
    );
    // Hand-edit the text, then ask for the text again: the proposal.
    let area = centred(&browser, "#f-result").await;
    area.send_keys(" Wir empfehlen sie uneingeschränkt.")
        .await
        .expect("typing");
    browser.click("button[name=then][value=generate]").await;
    browser.wait_for_text("h1", "Vorschläge übernehmen").await;
    let text = browser.wait_for_text("main", "entfällt").await;
    assert!(text.contains("neu"), "{text}");
    browser.assert_accessible("proposal (de)").await;
    browser.screenshots("proposal-de").await;
    browser.click("button[name=all]").await;
    browser
        .wait_for_text("[role=status]", "Die gewählten Vorschläge sind übernommen.")
        .await;

    // A signer from the people in the scope, loaded only when asked for: the
    // loaded list takes the place and the focus of the short one.
    centred(&browser, "#f-signer-0-employee-field button")
        .await
        .click()
        .await
        .expect("load the people");
    browser
        .wait_for_text("#f-signer-0-employee", "Karl Domblick")
        .await;
    assert_eq!(focused_id(&browser).await, "f-signer-0-employee");
    browser
        .assert_accessible("editor with the people loaded")
        .await;
    for option in browser
        .client
        .find_all(Locator::Css("#f-signer-0-employee option"))
        .await
        .expect("the options")
    {
        if option.text().await.expect("text") == "Karl Domblick" {
            option.click().await.expect("choose Karl");
        }
    }
    centred(&browser, ".savebar button[name=then][value=save]")
        .await
        .click()
        .await
        .expect("save");
    browser
        .wait_for_text("[role=status]", "Die Änderungen sind gespeichert.")
        .await;
    let chosen = browser
        .wait_for("#f-signer-0-employee option:checked")
        .await;
    assert_eq!(chosen.text().await.unwrap(), "Karl Domblick");

    // The check.
    browser
        .click(".preview-tools a[href$='check=1#check']")
        .await;
    browser.wait_for_text("#check", "Prüfung").await;
    browser.assert_accessible("editor with the check").await;
    browser.screenshots("editor-check-de").await;

    // A field error, announced and tied to its field.
    let first = centred(&browser, "#f-personal-first-name").await;
    first.clear().await.expect("clear");
    browser
        .click(".savebar button[name=then][value=save]")
        .await;
    browser
        .wait_for_text("#form-errors", "Bitte füllen Sie dieses Feld aus.")
        .await;
    browser.assert_accessible("editor with errors").await;
    browser.screenshots("editor-errors-de").await;
    browser.goto(&app.url(&format!("/references/{id}"))).await;

    // Hand it over with the supervisor preset, then take it back.
    centred(&browser, "a[href$='/handover']")
        .await
        .click()
        .await
        .expect("the handover link");
    browser.wait_for_text("h1", "Übergabe an Vorgesetzte").await;
    browser.assert_accessible("handover (de)").await;
    browser.screenshots("handover-de").await;
    browser
        .wait_for("#h-name")
        .await
        .send_keys("Bernd Brauer")
        .await
        .expect("typing");
    browser
        .wait_for("#h-email")
        .await
        .send_keys("bernd.brauer@nordlicht.example")
        .await
        .expect("typing");
    centred(&browser, "form button.button-primary[type=submit]")
        .await
        .click()
        .await
        .expect("hand over");
    browser
        .wait_for_text("[role=status]", "Das Zeugnis ist übergeben.")
        .await;
    let text = browser.wait_for_text("#history", "Bernd Brauer").await;
    assert!(text.contains("offen"), "{text}");
    centred(&browser, "details.confirm > summary")
        .await
        .click()
        .await
        .expect("open the revoke");
    browser.assert_accessible("editor with a handover").await;
    browser.screenshots("editor-handover-de").await;
    centred(&browser, "details.confirm button")
        .await
        .click()
        .await
        .expect("revoke");
    browser
        .wait_for_text("[role=status]", "Die Übergabe ist widerrufen")
        .await;

    // The workflow: send for approval; the form is locked then.
    centred(
        &browser,
        "form[action$='/status'] input[value=in_approval] + button",
    )
    .await
    .click()
    .await
    .expect("the workflow button");
    browser
        .wait_for_text("[role=status]", "Der Status ist geändert.")
        .await;
    let text = browser.wait_for_text("main", "In Freigabe").await;
    assert!(text.contains("Freigeben"), "{text}");
    browser.assert_accessible("editor in approval").await;
    browser.screenshots("editor-in-approval-de").await;

    // English.
    browser.click("a.lang-switch").await;
    browser
        .wait_for_text("h1", "Reference for Jördis Weißgerber")
        .await;
    browser.assert_accessible("editor (en)").await;
    browser.screenshots("editor-en").await;

    // The account: setting up an authenticator app shows its QR code.
    browser.goto(&app.url("/account?lang=de")).await;
    centred(&browser, "#totp-password")
        .await
        .send_keys(&format!("{ADMIN_PASSWORD}{}", Key::Enter))
        .await
        .expect("typing");
    browser.wait_for("figure.qr img").await;
    browser
        .assert_accessible("account, setting up an app")
        .await;
    browser.screenshots("account-enrol-de").await;
    browser
        .goto(&app.url(&format!("/references/{id}?lang=en")))
        .await;
    browser
        .wait_for_text("h1", "Reference for Jördis Weißgerber")
        .await;
    browser.assert_accessible("editor (en)").await;
    browser.screenshots("editor-en").await;
    browser.close().await;
}

/// Presses `key` (and releases it), wherever the focus is.
async fn press(browser: &Browser, key: Key) {
    let key: char = key.into();
    browser
        .client
        .perform_actions(
            KeyActions::new("keyboard".into())
                .then(KeyAction::Down { value: key })
                .then(KeyAction::Up { value: key }),
        )
        .await
        .expect("a key press");
}

/// Presses Tab until the focus is on the element `css` names, as a person
/// using only the keyboard would, and checks that the focus can be seen
/// there (an outline or a ring). Fails when Tab never gets there.
async fn tab_to(browser: &Browser, css: &str) {
    const MOST: usize = 300;
    for _ in 0..MOST {
        let there = browser
            .client
            .execute(
                "const a = document.activeElement; return a !== null && a.matches(arguments[0]);",
                vec![json!(css)],
            )
            .await
            .expect("a script");
        if there.as_bool() == Some(true) {
            let seen = browser
                .client
                .execute(
                    "const s = getComputedStyle(document.activeElement); \
                     return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) \
                         || s.boxShadow !== 'none';",
                    vec![],
                )
                .await
                .expect("a script");
            assert_eq!(seen.as_bool(), Some(true), "the focus on {css} is visible");
            return;
        }
        press(browser, Key::Tab).await;
    }
    panic!("{MOST} presses of Tab never reached {css}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_job_is_done_with_the_keyboard_alone() {
    let Some(browser) = Browser::start_or_skip("browser_keyboard").await else {
        return;
    };
    let app = TestApp::builder().with_admin().spawn().await;
    // Only the first address is typed into the browser; from then on every
    // step is Tab, Enter, Space, arrows and typing.
    browser.goto(&app.url(&format!("/t/{SLUG}/login"))).await;
    browser.wait_for("form input[name=email]").await;
    type_text(&browser, ADMIN_EMAIL).await;
    press(&browser, Key::Tab).await;
    type_text(&browser, &format!("{ADMIN_PASSWORD}{}", Key::Enter)).await;
    browser.wait_for_text("h1", "Übersicht").await;

    // A new employee.
    tab_to(&browser, "nav a[href='/employees']").await;
    press(&browser, Key::Enter).await;
    browser.wait_for_text("h1", "Mitarbeiter").await;
    tab_to(&browser, "a[href='/employees/new']").await;
    press(&browser, Key::Enter).await;
    browser.wait_for_text("h1", "Neuer Mitarbeiter").await;
    tab_to(&browser, "#e-salutation").await;
    type_text(&browser, "Frau").await;
    for (field, value) in [
        ("#e-first-name", "Mara"),
        ("#e-last-name", "Tastmann"),
        ("#e-entry-date", "01.03.2020"),
        ("#e-location", "Köln"),
    ] {
        tab_to(&browser, field).await;
        type_text(&browser, value).await;
    }
    tab_to(&browser, "#employee button.button-primary").await;
    press(&browser, Key::Enter).await;
    browser
        .wait_for_text("[role=status]", "Der Mitarbeiter ist angelegt.")
        .await;

    // A final reference for her, from her record.
    tab_to(&browser, ".new-reference button").await;
    press(&browser, Key::Enter).await;
    browser
        .wait_for_text("h1", "Zeugnis für Mara Tastmann")
        .await;

    // A grade: Tab reaches the group on its choice ("keine Bewertung"), the
    // arrow keys move through the grades.
    tab_to(&browser, "input[name='performance.knowledge']").await;
    for _ in 0..4 {
        press(&browser, Key::Up).await;
    }
    // Conduct towards superiors and colleagues: grade 1 each.
    for group in ["superiors", "colleagues"] {
        tab_to(&browser, &format!("input[name='conduct.{group}']")).await;
        for _ in 0..5 {
            press(&browser, Key::Up).await;
        }
    }
    let checked = browser
        .wait_for("input[name='performance.knowledge']:checked")
        .await;
    assert_eq!(checked.attr("value").await.unwrap().as_deref(), Some("2"));

    // A list: Enter in an entry saves the form; "add" takes the typed entry
    // and offers the next field; an entry moved up keeps the focus.
    tab_to(&browser, "#f-career-new").await;
    type_text(
        &browser,
        &format!("Sachbearbeiterin Vertrieb{}", Key::Enter),
    )
    .await;
    browser
        .wait_for_text("[role=status]", "Die Änderungen sind gespeichert.")
        .await;
    tab_to(&browser, "#f-career-new").await;
    type_text(&browser, "Teamleiterin Vertrieb").await;
    tab_to(&browser, "button[value='list:career:add']").await;
    press(&browser, Key::Enter).await;
    browser.wait_for("#f-career-1").await;
    assert_eq!(focused_id(&browser).await, "f-career-new");
    tab_to(&browser, "button[value='list:career:1:up']").await;
    press(&browser, Key::Enter).await;
    browser.wait_for("#f-career-0[autofocus]").await;
    assert_eq!(focused_id(&browser).await, "f-career-0");
    let first = browser.wait_for("#f-career-0").await;
    assert_eq!(
        first.prop("value").await.unwrap().as_deref(),
        Some("Teamleiterin Vertrieb")
    );
    browser.assert_accessible("editor, a list rearranged").await;
    browser.screenshots("editor-list-de").await;

    // Save and write the text, then check it.
    tab_to(&browser, "button[name=then][value=generate]").await;
    press(&browser, Key::Enter).await;
    browser
        .wait_for_text("[role=status]", "Der Text ist erzeugt.")
        .await;
    let text = browser.wait_for_text("#f-result", "Tastmann").await;
    assert!(text.contains("Frau"), "{text}");
    tab_to(&browser, "button[name=then][value=check]").await;
    press(&browser, Key::Enter).await;
    browser.wait_for_text("#check", "Prüfung").await;
    let mut api = app.admin();
    let r = api.get("/references").await;
    let id = r.json["items"][0]["id"]
        .as_str()
        .expect("the reference")
        .to_owned();
    let r = api.get(&format!("/references/{id}")).await;
    assert_eq!(
        r.json["sections"]["career"],
        json!(["Teamleiterin Vertrieb", "Sachbearbeiterin Vertrieb"]),
        "saved in the order shown"
    );
    assert_eq!(r.json["sections"]["performance"]["ratings"]["knowledge"], 2);

    // Hand it over to her supervisor, then take it back.
    tab_to(&browser, "a[href$='/handover']").await;
    press(&browser, Key::Enter).await;
    browser.wait_for_text("h1", "Übergabe an Vorgesetzte").await;
    tab_to(&browser, "#h-name").await;
    type_text(&browser, "Bernd Brauer").await;
    tab_to(&browser, "#h-email").await;
    type_text(&browser, "bernd.brauer@nordlicht.example").await;
    tab_to(&browser, "form button.button-primary[type=submit]").await;
    press(&browser, Key::Enter).await;
    browser
        .wait_for_text("[role=status]", "Das Zeugnis ist übergeben.")
        .await;
    tab_to(&browser, "details.confirm > summary").await;
    press(&browser, Key::Enter).await;
    tab_to(&browser, "details.confirm button").await;
    press(&browser, Key::Enter).await;
    browser
        .wait_for_text("[role=status]", "Die Übergabe ist widerrufen")
        .await;

    // Into approval, approved; the PDF can be reached.
    tab_to(
        &browser,
        "form[action$='/status'] input[value=in_approval] + button",
    )
    .await;
    press(&browser, Key::Enter).await;
    browser.wait_for_text("main", "In Freigabe").await;
    tab_to(
        &browser,
        "form[action$='/status'] input[value=approved] + button",
    )
    .await;
    press(&browser, Key::Enter).await;
    browser
        .wait_for_text("[role=status]", "Der Status ist geändert.")
        .await;
    browser.wait_for_text("main", "Freigegeben").await;
    tab_to(&browser, "a[href$='/pdf']").await;
    browser.assert_accessible("editor, approved").await;
    browser.screenshots("editor-approved-keyboard-de").await;

    // The reference in the list, then logout.
    tab_to(&browser, "nav a[href='/references']").await;
    press(&browser, Key::Enter).await;
    let text = browser.wait_for_text("main", "Mara Tastmann").await;
    assert!(text.contains("Freigegeben"), "{text}");
    tab_to(&browser, "form[action='/logout'] button").await;
    press(&browser, Key::Enter).await;
    browser.wait_for("form input[name=email]").await;
    browser.close().await;
}
