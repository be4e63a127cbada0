//! The page behind a handover link, for the person HR asked (usually a
//! supervisor; no account): open the link (a form, so a mere visit by a mail
//! scanner opens nothing), enter the one-time code where one is asked for,
//! read the shared sections with their labels and formats, change the ones HR
//! opened for writing, see the draft as a letter, download the PDF where
//! allowed, and finish. The link's secret leaves the address once, by the
//! opening form; from then on a short-lived session cookie bound to this
//! handover carries the work. What is shown and what may be written is the
//! core's (`HandoverLinkService`, `HandoverWorkService`, the matrix).

use std::collections::BTreeSet;
use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, REFERRER_POLICY};
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use zeugnis_core::check::sentences;
use zeugnis_core::id::{ChallengeId, TenantId};
use zeugnis_core::reference::form::Forms;
use zeugnis_core::reference::{ReferenceContent, Section};
use zeugnis_core::services::handover::{
    HandoverAccess, HolderError, LinkError, LinkRequest, OpenOutcome,
};
use zeugnis_core::services::references::{ReferenceError, WritingAids};
use zeugnis_core::session::Principal;
use zeugnis_core::token::{HandoverId, HandoverSecret};

use super::editor::{Control, Group, groups_for};
use super::fields::{Choices, Fields, Problems, changed_only, fields_of, section_inputs_for};
use super::i18n::{Lang, Tr};
use super::login::{form_cookie, form_token_matches, new_form_token};
use super::page::{Chrome, html, redirect, with_cookie};
use crate::api::auth::{
    self, clear_handover_cookie, client_ip, csrf_token, handover_cookie, session_in_cookie,
};
use crate::api::error::ApiError;
use crate::state::AppState;

/// A paragraph of the letter: sentences, then list items.
struct Para {
    text: String,
    items: Vec<String>,
}

#[derive(Template)]
#[template(path = "link_open.html")]
struct OpenPage {
    c: Chrome,
    action: String,
    form_token: String,
    /// A code was sent: its challenge and where it went.
    challenge: Option<String>,
    channel: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "link_closed.html")]
struct ClosedPage {
    c: Chrome,
    message: String,
}

#[derive(Template)]
#[template(path = "link_work.html")]
struct WorkPage {
    c: Chrome,
    intro: String,
    expiry: String,
    groups: Vec<Group>,
    writable: bool,
    download: bool,
    heading: String,
    letter: Vec<Para>,
    has_text: bool,
}

/// Keeps search engines away from the link's pages.
const ROBOTS: &str = "x-robots-tag";

fn t_of(req: &Request) -> Tr {
    Tr::new(Lang::of(req))
}

/// A page of the link: not cached, no referrer, not indexed.
fn link_html(req: &Request, status: StatusCode, page: &impl Template) -> Response {
    let mut r = match page.render() {
        Ok(body) => html(req, status, body),
        Err(e) => {
            tracing::error!(error = %e, "a link page could not be rendered");
            Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .finish()
        }
    };
    let headers = r.headers_mut();
    if let Ok(v) = "no-referrer".parse() {
        headers.insert(REFERRER_POLICY, v);
    }
    if let Ok(v) = "noindex, nofollow".parse() {
        headers.insert(poem::http::header::HeaderName::from_static(ROBOTS), v);
    }
    r
}

/// The page that says a link no longer works, and why.
fn closed(req: &Request, e: &LinkError) -> Response {
    let t = t_of(req);
    let (status, key) = match e {
        LinkError::NotFound => (StatusCode::NOT_FOUND, "link-invalid"),
        LinkError::Revoked => (StatusCode::GONE, "link-revoked-page"),
        LinkError::Finished => (StatusCode::GONE, "link-finished-page"),
        LinkError::Expired => (StatusCode::GONE, "link-expired-page"),
        LinkError::Blocked | LinkError::TooManyCodes => (StatusCode::GONE, "link-blocked-page"),
        LinkError::NoCodeChannel => (StatusCode::CONFLICT, "link-no-channel"),
        LinkError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "error-unavailable"),
        _ => (StatusCode::UNPROCESSABLE_ENTITY, "link-code-wrong"),
    };
    let page = ClosedPage {
        c: Chrome::public(req, t, "link-closed-title", None),
        message: t.t(key),
    };
    link_html(req, status, &page)
}

fn ended(req: &Request) -> Response {
    let t = t_of(req);
    let page = ClosedPage {
        c: Chrome::public(req, t, "link-closed-title", None),
        message: t.t("link-session-ended"),
    };
    link_html(req, StatusCode::UNAUTHORIZED, &page)
}

async fn request_of(
    req: &Request,
    state: &Arc<AppState>,
    (slug, id, secret): (&str, &str, &str),
) -> Result<LinkRequest, LinkError> {
    let tenant = crate::api::resolve_tenant(state, Some(slug))
        .await
        .map_err(|_| LinkError::Unavailable("tenants".into()))?
        .ok_or(LinkError::NotFound)?;
    Ok(LinkRequest {
        tenant: tenant.id,
        id: id.parse::<HandoverId>().map_err(|_| LinkError::NotFound)?,
        secret: secret
            .parse::<HandoverSecret>()
            .map_err(|_| LinkError::NotFound)?,
        source_ip: client_ip(req, state),
    })
}

fn open_page(req: &Request, state: &AppState, action: String) -> OpenPage {
    let t = t_of(req);
    OpenPage {
        c: Chrome::public(req, t, "link-open-title", None),
        action,
        form_token: new_form_token(state),
        challenge: None,
        channel: String::new(),
        error: None,
    }
}

fn with_form_cookie(state: &AppState, r: Response, token: &str) -> Response {
    with_cookie(r, &form_cookie(state.cookies, token))
}

/// The link from the mail: a page with the button that opens it.
#[handler]
pub(crate) async fn landing(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path((slug, id, secret)): Path<(String, String, String)>,
) -> Response {
    let page = open_page(req, &state, format!("/t/{slug}/h/{id}/{secret}"));
    let token = page.form_token.clone();
    with_form_cookie(&state, link_html(req, StatusCode::OK, &page), &token)
}

/// The opening form (and the code form) as posted.
#[derive(Debug, Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    form_token: String,
    challenge: Option<String>,
    code: Option<String>,
}

async fn grant(
    req: &Request,
    state: &AppState,
    tenant: TenantId,
    access: &HandoverAccess,
) -> Response {
    match state
        .sessions()
        .start_until(
            tenant,
            Principal::Handover(access.handover),
            None,
            Some(access.expires_at),
        )
        .await
    {
        Ok(started) => with_cookie(
            redirect("/h"),
            &handover_cookie(state.cookies, tenant, &started.token),
        ),
        Err(e) => super::failure(req, &ApiError::from(e)),
    }
}

/// Opens the link (or checks its one-time code) and leads to the work.
#[handler]
pub(crate) async fn open(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path((slug, id, secret)): Path<(String, String, String)>,
    form: Form<OpenForm>,
) -> Response {
    let t = t_of(req);
    let action = format!("/t/{slug}/h/{id}/{secret}");
    if !form_token_matches(req, state.cookies, &form.form_token) {
        let mut page = open_page(req, &state, action);
        page.error = Some(t.t("error-csrf"));
        let token = page.form_token.clone();
        let r = link_html(req, StatusCode::FORBIDDEN, &page);
        return with_form_cookie(&state, r, &token);
    }
    let request = match request_of(req, &state, (&slug, &id, &secret)).await {
        Ok(r) => r,
        Err(e) => return closed(req, &e),
    };
    let tenant = request.tenant;
    let links = state.handover_links();
    let outcome = match (&form.challenge, &form.code) {
        (Some(challenge), Some(code)) => {
            let Ok(challenge) = challenge.parse::<ChallengeId>() else {
                return closed(req, &LinkError::NotFound);
            };
            match links.verify_code(request, challenge, code.trim()).await {
                Ok(access) => return grant(req, &state, tenant, &access).await,
                Err(LinkError::Code(e)) => {
                    let mut page = open_page(req, &state, action);
                    page.c.title = t.t("link-code-title");
                    page.challenge = Some(challenge.to_string());
                    page.channel = form_channel(req);
                    page.error = Some(match e {
                        zeugnis_core::otp::CodeError::Wrong { remaining } => {
                            t.count("link-code-wrong-left", u64::from(remaining))
                        }
                        _ => t.t("link-code-expired"),
                    });
                    let token = page.form_token.clone();
                    let r = link_html(req, StatusCode::UNPROCESSABLE_ENTITY, &page);
                    return with_form_cookie(&state, r, &token);
                }
                Err(e) => return closed(req, &e),
            }
        }
        _ => links.open(request).await,
    };
    match outcome {
        Ok(OpenOutcome::Granted(access)) => grant(req, &state, tenant, &access).await,
        Ok(OpenOutcome::CodeSent {
            challenge, channel, ..
        }) => {
            let mut page = open_page(req, &state, action);
            page.challenge = Some(challenge.to_string());
            page.channel = t.t(match channel {
                zeugnis_core::settings::CodeChannel::Email => "link-code-by-email",
                _ => "link-code-by-sms",
            });
            page.c.title = t.t("link-code-title");
            let token = page.form_token.clone();
            let r = link_html(req, StatusCode::OK, &page);
            with_form_cookie(&state, r, &token)
        }
        Ok(_) => closed(req, &LinkError::NotFound),
        Err(e) => closed(req, &e),
    }
}

fn form_channel(req: &Request) -> String {
    t_of(req).t("link-code-again")
}

/// The holder of a handover session, with the form token of their pages.
struct Holder {
    tenant: TenantId,
    handover: HandoverId,
    csrf: String,
    ip: Option<std::net::IpAddr>,
}

async fn holder(req: &Request, state: &Arc<AppState>) -> Option<Holder> {
    let name = state.cookies.handover_name();
    let (found, token) = session_in_cookie(req, state, name).await.ok()??;
    match found {
        zeugnis_core::services::sessions::Authenticated::Handover { session, handover } => {
            Some(Holder {
                tenant: session.tenant,
                handover,
                csrf: csrf_token(&token),
                ip: auth::client_ip(req, state),
            })
        }
        _ => None,
    }
}

/// The holder behind a posted form: their session, and the form's token
/// matching it (`403` otherwise, nothing done).
async fn holder_of_form(
    req: &Request,
    state: &Arc<AppState>,
    fields: &Fields,
) -> Result<Holder, Response> {
    let Some(h) = holder(req, state).await else {
        return Err(ended(req));
    };
    if bool::from(subtle::ConstantTimeEq::ct_eq(
        fields.one("csrf").as_bytes(),
        h.csrf.as_bytes(),
    )) {
        Ok(h)
    } else {
        Err(super::forbidden(req, t_of(req)))
    }
}

fn content_of(access: &HandoverAccess) -> ReferenceContent {
    let mut content = ReferenceContent::default();
    // A shared section that was never filled is empty, not a form.
    for (s, c, _) in access.view.sections() {
        if !c.as_str().is_empty() {
            content.set(s, c.clone());
        }
    }
    content
}

async fn work_page(
    req: &Request,
    state: &Arc<AppState>,
    h: &Holder,
    access: &HandoverAccess,
    fields: Option<Fields>,
    problems: &Problems,
    flash: Option<(&'static str, String)>,
) -> Response {
    let t = t_of(req);
    let content = content_of(access);
    let forms = Forms::from_content(&content).unwrap_or_default();
    let writable: BTreeSet<Section> = access
        .view
        .sections()
        .filter(|(_, _, w)| *w)
        .map(|(s, _, _)| s)
        .collect();
    let readable: BTreeSet<Section> = access.view.sections().map(|(s, _, _)| s).collect();
    let choices = kept_signers(&forms);
    let fields = fields.unwrap_or_else(|| fields_of(&forms, &[], |d| t.date(d)));
    let groups = groups_for(
        t,
        &fields,
        problems,
        &WritingAids::default(),
        &choices,
        |s| readable.contains(&s) && s != Section::Result,
        |s| writable.contains(&s),
    );
    let mut groups = groups;
    for card in groups.iter_mut().flat_map(|g| g.cards.iter_mut()) {
        if card.section == Some(Section::Performance) && !card.disabled {
            card.hint = Some(t.t("link-performance-hint"));
        }
    }
    let zone = match state.working_settings(h.tenant).await {
        Ok(w) => w.time_zone,
        Err(e) => return super::failure(req, &ApiError::from(e)),
    };
    let org = state.tenants().tenant(h.tenant).await.ok().flatten();
    let mut c = Chrome::public(req, t, "link-work-title", org.as_ref());
    c.csrf = h.csrf.clone();
    if let Some((kind, text)) = flash {
        c = c.with_flash(kind, text);
    }
    let (heading, letter, has_text) = if readable.contains(&Section::Result) {
        let paragraphs: Vec<Para> = forms
            .result
            .replace("\r\n", "\n")
            .split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                let mut para = Para {
                    text: String::new(),
                    items: Vec::new(),
                };
                let mut text = Vec::new();
                for s in sentences(p) {
                    if s.list_item {
                        para.items.push(s.text);
                    } else {
                        text.push(s.text);
                    }
                }
                para.text = text.join(" ");
                para
            })
            .collect();
        let heading = forms
            .reference_data
            .heading
            .as_ref()
            .map(|h| h.as_str().to_owned())
            .unwrap_or_default();
        let has = !paragraphs.is_empty();
        (heading, paragraphs, has)
    } else {
        (String::new(), Vec::new(), false)
    };
    let page = WorkPage {
        c,
        intro: t.t(if writable.is_empty() {
            "link-work-intro-read"
        } else {
            "link-work-intro"
        }),
        expiry: t.t1(
            "link-valid-until",
            "date",
            t.date_time(zone.local(access.expires_at)),
        ),
        groups,
        writable: !writable.is_empty(),
        download: access.view.may_download(),
        heading,
        letter,
        has_text,
    };
    link_html(req, StatusCode::OK, &page)
}

/// Signers the reference names already: the only employees a holder may
/// keep by reference (they see no employee records).
fn kept_signers(forms: &Forms) -> Choices {
    Choices {
        employees: forms
            .signatures
            .iter()
            .filter_map(|s| s.employee.map(|e| (e, s.name.as_str().to_owned())))
            .collect(),
        ..Choices::default()
    }
}

/// What a link's step confirms.
#[derive(Debug, Default, Deserialize)]
pub struct WorkQuery {
    done: Option<String>,
}

/// The work behind the link.
#[handler]
pub(crate) async fn show(
    req: &Request,
    state: Data<&Arc<AppState>>,
    query: Query<WorkQuery>,
) -> Response {
    let Some(h) = holder(req, &state).await else {
        return ended(req);
    };
    let access = match state.handover_work().view(h.tenant, h.handover).await {
        Ok(a) => a,
        Err(e) => return refused(req, e),
    };
    let t = t_of(req);
    let flash = (query.done.as_deref() == Some("saved")).then(|| ("success", t.t("link-saved")));
    work_page(req, &state, &h, &access, None, &Problems::new(), flash).await
}

fn refused(req: &Request, e: HolderError) -> Response {
    match e {
        HolderError::Link(l) => closed(req, &l),
        HolderError::Refused(r) => super::failure(req, &ApiError::from(r)),
        _ => super::failure(req, &ApiError::not_found()),
    }
}

/// Saves what the holder may write.
#[handler]
pub(crate) async fn save(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut fields = Fields::from_pairs(pairs);
    let h = match holder_of_form(req, &state, &fields).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let t = t_of(req);
    let holders = state.handover_work();
    let access = match holders.view(h.tenant, h.handover).await {
        Ok(a) => a,
        Err(e) => return refused(req, e),
    };
    let step = fields.one("then").to_owned();
    if fields.rearrange(&step) {
        // A list's button: the form again, rearranged, nothing saved.
        return work_page(
            req,
            &state,
            &h,
            &access,
            Some(fields),
            &Problems::new(),
            None,
        )
        .await;
    }
    let writable: Vec<Section> = access
        .view
        .sections()
        .filter(|(_, _, w)| *w)
        .map(|(s, _, _)| s)
        .collect();
    let content = content_of(&access);
    let forms = Forms::from_content(&content).unwrap_or_default();
    let inputs = match section_inputs_for(&fields, &kept_signers(&forms), &writable) {
        Ok(i) => changed_only(i, &content),
        Err(problems) => {
            let flash = Some(("error", t.t("editor-check-fields")));
            return work_page(req, &state, &h, &access, Some(fields), &problems, flash).await;
        }
    };
    if !inputs.is_empty()
        && let Err(e) = holders.save(h.tenant, h.handover, inputs, h.ip).await
    {
        return match e {
            HolderError::Refused(ReferenceError::Invalid { .. }) => {
                let flash = Some(("error", t.t("editor-check-fields")));
                work_page(
                    req,
                    &state,
                    &h,
                    &access,
                    Some(fields),
                    &Problems::new(),
                    flash,
                )
                .await
            }
            other => refused(req, other),
        };
    }
    redirect("/h?done=saved")
}

/// Finishes the work: the link and the session end.
#[handler]
pub(crate) async fn finish(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let fields = Fields::from_pairs(pairs);
    let h = match holder_of_form(req, &state, &fields).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let t = t_of(req);
    if let Err(e) = state
        .handover_work()
        .finish(h.tenant, h.handover, h.ip)
        .await
    {
        return refused(req, e);
    }
    let page = ClosedPage {
        c: Chrome::public(req, t, "link-thanks-title", None),
        message: t.t("link-thanks"),
    };
    with_cookie(
        link_html(req, StatusCode::OK, &page),
        &clear_handover_cookie(state.cookies),
    )
}

/// The PDF, where the handover allows it.
#[handler]
pub(crate) async fn pdf(req: &Request, state: Data<&Arc<AppState>>) -> Response {
    let Some(h) = holder(req, &state).await else {
        return ended(req);
    };
    let (letter, formatting) = match state
        .handover_work()
        .document(h.tenant, h.handover, h.ip)
        .await
    {
        Ok(d) => d,
        Err(e) => return refused(req, e),
    };
    match state.render(letter, formatting).await {
        Ok(bytes) => Response::builder()
            .header(CONTENT_TYPE, "application/pdf")
            .header(CONTENT_DISPOSITION, "inline; filename=\"zeugnis.pdf\"")
            .header(CACHE_CONTROL, "no-store")
            .header(REFERRER_POLICY, "no-referrer")
            .body(bytes),
        Err(e) => super::failure(req, &ApiError::internal("rendering a reference", &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_link_says_why_and_nothing_else() {
        let req = Request::builder().finish();
        for (e, status) in [
            (LinkError::NotFound, 404),
            (LinkError::Revoked, 410),
            (LinkError::Finished, 410),
            (LinkError::Expired, 410),
            (LinkError::Blocked, 410),
        ] {
            let r = closed(&req, &e);
            assert_eq!(r.status().as_u16(), status, "{e:?}");
            assert_eq!(
                r.headers()
                    .get(REFERRER_POLICY)
                    .and_then(|v| v.to_str().ok()),
                Some("no-referrer")
            );
        }
    }
}
