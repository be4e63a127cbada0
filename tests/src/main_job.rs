//! The steps of the main job that several tests share: an employee with a
//! filled and generated reference, and reading the handover link and the
//! one-time code from the mails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "test helpers fail the test that calls them"
)]

use serde_json::json;

use crate::api::{ApiClient, Reply, SLUG};
use crate::smtp_sink::ReceivedMail;

/// The employee's place of birth.
pub const BIRTH_PLACE: &str = "Quedlinburg";
/// The employee's date of birth.
pub const BIRTH_DATE: &str = "1988-07-14";
/// HR's internal note (section `further`, hidden from the supervisor; the
/// generator does not print it): no holder answer may show it.
pub const INTERNAL_NOTE: &str = "Interner Vermerk: Gehaltsgespräch im März vertagt";

/// The id of a `201 Created` answer.
///
/// # Panics
/// When the answer is not `201` with an id.
pub fn created(r: &Reply, what: &str) -> String {
    assert_eq!(r.status, 201, "{what}: {}", r.text());
    r.json["id"].as_str().unwrap().to_owned()
}

/// Asserts a `200 OK`.
///
/// # Panics
/// When the answer is another.
pub fn ok(r: &Reply, what: &str) {
    assert_eq!(r.status, 200, "{what}: {}", r.text());
}

/// Creates the employee Jördis Weißgerber (Hamburg) and a final reference for
/// her with tasks, ratings and conduct filled in, and generates its text.
/// Returns the reference's id.
///
/// # Panics
/// When a step fails.
pub async fn filled_reference(hr: &mut ApiClient) -> String {
    let employee = created(
        &hr.post(
            "/employees",
            &json!({
                "salutation": "frau",
                "first_name": "Jördis",
                "last_name": "Weißgerber",
                "birth_date": BIRTH_DATE,
                "birth_place": BIRTH_PLACE,
                "entry_date": "2016-04-01",
                "exit_date": "2025-09-30",
                "exit_reason": "employee_resignation",
                "job_descriptions": ["Sachbearbeiterin Einkauf"],
                "location": "Hamburg",
                "department": "Einkauf",
            }),
        )
        .await,
        "create the employee",
    );
    let reference = created(
        &hr.post(
            "/references",
            &json!({"employee_id": employee, "kind": "final"}),
        )
        .await,
        "create the reference",
    );
    let r = hr
        .put(
            &format!("/references/{reference}/sections"),
            &json!({"sections": {
                "further": INTERNAL_NOTE,
                "company": "Die Nordlicht Holzbau GmbH plant und baut Holzhäuser in Norddeutschland.",
                "tasks": {"position": "Sachbearbeiterin Einkauf", "items": [
                    "Auswahl und Bewertung von Lieferanten",
                    "Verhandlung von Rahmenverträgen",
                ]},
                "performance": {"ratings": {
                    "willingness": 1, "ability": 2, "knowledge": 2,
                    "working_style": 1, "work_results": 2,
                }},
                "conduct": {"superiors": 1, "colleagues": 1, "customers": 2},
            }}),
        )
        .await;
    ok(&r, "fill the sections");
    let r = hr
        .post(
            &format!("/references/{reference}/generate"),
            &json!({"force": false}),
        )
        .await;
    ok(&r, "generate");
    assert_eq!(r.json["outcome"], "written", "{}", r.text());
    reference
}

/// The id and secret of the handover link in `mail` (`…/t/<slug>/h/<id>/<secret>`).
///
/// # Panics
/// When the mail has no such link.
pub fn link_in(mail: &ReceivedMail) -> (String, String) {
    let text = mail.text.as_deref().unwrap_or(&mail.raw);
    let flat = text.replace("=\r\n", "").replace("=\n", "");
    let marker = format!("/t/{SLUG}/h/");
    let at = flat.find(&marker).expect("a handover link in the mail") + marker.len();
    let rest = &flat[at..];
    let id: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    let secret: String = rest[id.len() + 1..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert!(
        id.len() >= 16 && secret.len() >= 32,
        "link parts: {id} {secret}"
    );
    (id, secret)
}

/// The six-digit code in a code mail.
///
/// # Panics
/// When the mail has none.
pub fn code_in(mail: &ReceivedMail) -> String {
    let text = mail.text.as_deref().unwrap();
    text.lines()
        .map(str::trim)
        .find(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit()))
        .expect("a six-digit code in the mail")
        .to_owned()
}
