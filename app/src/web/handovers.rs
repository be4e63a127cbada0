//! Übergabe from the editor: the recipient, a grid of the 17 sections ×
//! (keine / lesen / schreiben) with presets, the download with the rule it
//! follows, the one-time code and the expiry; and "Widerrufen" for an open
//! handover. What a handover may be is the core's (`HandoverService`: the
//! privacy settings' channels and domains, the printed-sections rule).

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use zeugnis_core::handover::{HandoverError, LinkCheckChoice, Recipient};
use zeugnis_core::id::ReferenceId;
use zeugnis_core::matrix::{PermissionMatrix, SectionAccess};
use zeugnis_core::reference::Section;
use zeugnis_core::services::handover::{HandoverInput, HandoverTerms};
use zeugnis_core::services::references::ReferenceError;
use zeugnis_core::settings::CodeChannel;
use zeugnis_core::token::HandoverId;
use zeugnis_core::values::{Email, Name, Phone};

use super::editor::section_label;
use super::fields::Fields;
use super::i18n::Tr;
use super::page::{Chrome, PageUser, redirect};
use super::{failure, render, require_form_user, require_user};
use crate::api::error::ApiError;
use crate::state::AppState;

/// One row of the grid.
struct Row {
    key: &'static str,
    label: String,
    access: &'static str,
    printed: bool,
}

/// A code channel to choose.
struct Channel {
    value: &'static str,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "handover.html")]
struct HandoverPage {
    c: Chrome,
    id: String,
    name: String,
    email: String,
    phone: String,
    rows: Vec<Row>,
    download: bool,
    printed: String,
    channels: Vec<Channel>,
    expiry: String,
    domains: String,
    errors: BTreeMap<&'static str, String>,
}

impl HandoverPage {
    fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

fn parse_id(raw: &str) -> Result<ReferenceId, ApiError> {
    raw.parse::<ReferenceId>()
        .map_err(|_| ApiError::not_found())
}

fn access_key(a: SectionAccess) -> &'static str {
    if a.can_write() {
        "write"
    } else if a.can_read() {
        "read"
    } else {
        "none"
    }
}

fn channel_key(c: CodeChannel) -> &'static str {
    match c {
        CodeChannel::Email => "email",
        _ => "sms",
    }
}

/// What the form shows: the values typed and the grid.
struct Draft {
    name: String,
    email: String,
    phone: String,
    matrix: PermissionMatrix,
    channel: String,
    expiry: String,
}

fn page(
    req: &Request,
    user: &PageUser,
    id: ReferenceId,
    terms: &HandoverTerms,
    draft: Draft,
    errors: BTreeMap<&'static str, String>,
) -> HandoverPage {
    let t = user.t;
    let mut c = Chrome::of(req, user, "handover-title", "/references");
    if !errors.is_empty() {
        c = c.with_flash("error", t.t("handover-check-fields"));
    }
    let mut channels = Vec::new();
    if !terms.code_mandatory {
        channels.push(Channel {
            value: "none",
            label: t.t("handover-code-none"),
            checked: draft.channel.is_empty() || draft.channel == "none",
        });
    }
    for ch in &terms.code_channels {
        let value = channel_key(*ch);
        channels.push(Channel {
            value,
            label: t.t(&format!("handover-code-{value}")),
            checked: draft.channel == value,
        });
    }
    if !channels.iter().any(|c| c.checked)
        && let Some(first) = channels.first_mut()
    {
        first.checked = true;
    }
    HandoverPage {
        c,
        id: id.to_string(),
        name: draft.name,
        email: draft.email,
        phone: draft.phone,
        rows: Section::ALL
            .iter()
            .map(|s| Row {
                key: s.key(),
                label: section_label(t, *s),
                access: access_key(draft.matrix.access(*s)),
                printed: Section::DOCUMENT.contains(s),
            })
            .collect(),
        download: draft.matrix.may_download(),
        printed: Section::DOCUMENT
            .iter()
            .map(|s| section_label(t, *s))
            .collect::<Vec<_>>()
            .join(", "),
        channels,
        expiry: draft.expiry,
        domains: terms.domains.join(", "),
        errors,
    }
}

async fn terms_and_name(
    state: &Arc<AppState>,
    user: &PageUser,
    id: ReferenceId,
) -> Result<HandoverTerms, ApiError> {
    // The reference must be one the user sees (and may hand over).
    state.references().get(&user.caller.actor, id).await?;
    Ok(state.handovers().terms(&user.caller.actor).await?)
}

/// The handover form, with the supervisor preset.
#[handler]
pub(crate) async fn form(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(raw): Path<String>,
) -> Response {
    let user = match require_user(req, &state).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return failure(req, &e),
    };
    let terms = match terms_and_name(&state, &user, id).await {
        Ok(t) => t,
        Err(e) => return failure(req, &e),
    };
    let draft = Draft {
        name: String::new(),
        email: String::new(),
        phone: String::new(),
        matrix: PermissionMatrix::supervisor_assessment(),
        channel: String::new(),
        expiry: terms.expiry_days.to_string(),
    };
    let p = page(req, &user, id, &terms, draft, BTreeMap::new());
    render(req, StatusCode::OK, &p)
}

fn matrix_of(fields: &Fields) -> PermissionMatrix {
    let mut m = PermissionMatrix::none().with_download(fields.one("download") == "1");
    for s in Section::ALL {
        let access = match fields.one(&format!("access.{}", s.key())) {
            "read" => SectionAccess::Read,
            "write" => SectionAccess::Write,
            _ => SectionAccess::None,
        };
        m.set(s, access);
    }
    m
}

fn message(t: Tr, e: &HandoverError) -> (&'static str, String) {
    match e {
        HandoverError::DomainNotAllowed { domain } => (
            "recipient_email",
            t.t1("handover-domain-refused", "domain", domain),
        ),
        HandoverError::PhoneRequired => ("recipient_phone", t.t("handover-phone-required")),
        HandoverError::ChannelNotAllowed(_) => ("code_channel", t.t("handover-channel-refused")),
        HandoverError::InvalidExpiry => ("expires_in_days", t.t("handover-expiry-invalid")),
        HandoverError::DownloadNeedsRead { sections } => (
            "download",
            t.t1(
                "handover-download-needs-read",
                "sections",
                sections
                    .iter()
                    .map(|s| section_label(t, *s))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ),
        _ => ("form", t.t("error-conflict")),
    }
}

/// Hands the reference over, or shows the form again with a preset applied
/// or with what is wrong at its field.
#[handler]
pub(crate) async fn create(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields::from_pairs(pairs);
    let user = match require_form_user(req, &state, fields.one("csrf")).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return failure(req, &e),
    };
    let t = user.t;
    let terms = match terms_and_name(&state, &user, id).await {
        Ok(t) => t,
        Err(e) => return failure(req, &e),
    };
    let mut draft = Draft {
        name: fields.one("recipient_name").to_owned(),
        email: fields.one("recipient_email").to_owned(),
        phone: fields.one("recipient_phone").to_owned(),
        matrix: matrix_of(&fields),
        channel: fields.one("code_channel").to_owned(),
        expiry: fields.one("expires_in_days").to_owned(),
    };
    match fields.one("preset") {
        "assessment" => draft.matrix = PermissionMatrix::supervisor_assessment(),
        "read" => draft.matrix = PermissionMatrix::read_everything(),
        _ => {}
    }
    if !fields.one("preset").is_empty() {
        let p = page(req, &user, id, &terms, draft, BTreeMap::new());
        return render(req, StatusCode::OK, &p);
    }
    let mut errors = BTreeMap::new();
    let name = Name::new(draft.name.trim())
        .map_err(|_| errors.insert("recipient_name", t.t("handover-name-invalid")))
        .ok();
    let email = Email::parse(draft.email.trim())
        .map_err(|_| errors.insert("recipient_email", t.t("handover-email-invalid")))
        .ok();
    let phone = match draft.phone.trim() {
        "" => None,
        p => Phone::parse(p)
            .map_err(|_| errors.insert("recipient_phone", t.t("handover-phone-invalid")))
            .ok(),
    };
    let expires_in_days = match draft.expiry.trim() {
        "" => None,
        d => match d.parse::<u16>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert("expires_in_days", t.t("handover-expiry-invalid"));
                None
            }
        },
    };
    let link_check = match draft.channel.as_str() {
        "email" => LinkCheckChoice::On(CodeChannel::Email),
        "sms" => LinkCheckChoice::On(CodeChannel::Sms),
        _ => LinkCheckChoice::Off,
    };
    let (Some(name), Some(email), true) = (name, email, errors.is_empty()) else {
        let p = page(req, &user, id, &terms, draft, errors);
        return render(req, StatusCode::UNPROCESSABLE_ENTITY, &p);
    };
    let input = HandoverInput {
        recipient: Recipient { name, email, phone },
        matrix: draft.matrix,
        expires_in_days,
        link_check,
    };
    match state
        .handovers()
        .hand_over(&user.caller.actor, id, input, user.caller.ip)
        .await
    {
        Ok(_) => redirect(&format!("/references/{id}?done=handed-over#workflow")),
        Err(ReferenceError::Handover(e)) => {
            let (field, text) = message(t, &e);
            errors.insert(field, text);
            let p = page(req, &user, id, &terms, draft, errors);
            render(req, StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(ReferenceError::NotEditable(_)) => {
            errors.insert("form", t.t("handover-not-editable"));
            let p = page(req, &user, id, &terms, draft, errors);
            render(req, StatusCode::CONFLICT, &p)
        }
        Err(e) => failure(req, &ApiError::from(e)),
    }
}

/// The reference and the handover a form names, when the handover belongs
/// to that reference and the user sees it; otherwise the "not found" page.
async fn handover_of(
    req: &Request,
    state: &AppState,
    user: &PageUser,
    raw: &str,
    handover: &str,
) -> Result<(ReferenceId, HandoverId), Response> {
    let (Ok(id), Ok(h)) = (parse_id(raw), handover.parse::<HandoverId>()) else {
        return Err(failure(req, &ApiError::not_found()));
    };
    match state.handovers().handovers(&user.caller.actor, id).await {
        Ok(list) if list.iter().any(|s| s.handover.id == h) => Ok((id, h)),
        Ok(_) => Err(failure(req, &ApiError::not_found())),
        Err(e) => Err(failure(req, &ApiError::from(e))),
    }
}

/// Revokes an open handover of the reference.
#[handler]
pub(crate) async fn revoke(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path((raw, handover)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields::from_pairs(pairs);
    let user = match require_form_user(req, &state, fields.one("csrf")).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (id, h) = match handover_of(req, &state, &user, &raw, &handover).await {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    match state
        .handovers()
        .revoke(&user.caller.actor, h, user.caller.ip)
        .await
    {
        Ok(_) => redirect(&format!("/references/{id}?done=revoked#history")),
        Err(ReferenceError::Handover(_)) => {
            redirect(&format!("/references/{id}?done=revoke-late#history"))
        }
        Err(e) => failure(req, &ApiError::from(e)),
    }
}

/// Sends a reminder with a fresh link to the recipient of an open handover
/// (at most once a day), back to the overview or the editor.
#[handler]
pub(crate) async fn remind(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path((raw, handover)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields::from_pairs(pairs);
    let user = match require_form_user(req, &state, fields.one("csrf")).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (id, h) = match handover_of(req, &state, &user, &raw, &handover).await {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let back = |done: &str| {
        if fields.one("back") == "overview" {
            redirect(&format!("/?done={done}#waiting-title"))
        } else {
            redirect(&format!("/references/{id}?done={done}#history"))
        }
    };
    match state
        .handovers()
        .remind(&user.caller.actor, h, user.caller.ip)
        .await
    {
        Ok(_) => back("reminded"),
        Err(ReferenceError::Handover(HandoverError::RemindedToday { .. })) => back("remind-later"),
        Err(ReferenceError::Handover(_)) => back("revoke-late"),
        Err(e) => failure(req, &ApiError::from(e)),
    }
}
