//! The reference editor: the 17 sections in four groups (Stammdaten,
//! Tätigkeit, Bewertung, Ergebnis) as one form, saved with the version it was
//! read at; "Speichern und Text erzeugen" with the comparison and "Vorschlag
//! übernehmen" after a hand edit; "Prüfen" with the findings at their
//! sentences; a preview of the letter beside the form and the PDF on demand;
//! the workflow's allowed transitions as buttons; the history; deleting with
//! a confirmation. Every decision is the core's (`ReferenceService`): which
//! transitions exist, whether the reference may change, what the text says.

use std::collections::BTreeSet;
use std::sync::Arc;

use askama::Template;
use poem::http::StatusCode;
use poem::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use serde::Deserialize;
use zeugnis_core::access::{AccessLevel, Area};
use zeugnis_core::check::{Finding, sentences};
use zeugnis_core::employee::Employee;
use zeugnis_core::generator::{DiffLine, GenerateError, fingerprint};
use zeugnis_core::handover::LinkState;
use zeugnis_core::id::{EmployeeId, ReferenceId};
use zeugnis_core::ports::{PageRequest, Version};
use zeugnis_core::reference::form::{Form as SectionForm, Forms};
use zeugnis_core::reference::{
    ConductGroup, Criterion, ReferenceStatus, Section, SectionContent, StatusActor,
};
use zeugnis_core::services::references::{
    GenerateOutcome, History, ReferenceError, ReferenceView, WritingAids, letter_of,
};

use super::fields::{
    CRITERIA, Choices, Fields, GROUPS, ISSUE_REASONS, Problems, SALUTATIONS, base_of, changed_only,
    fields_of, group_key, key_of, section_inputs, signer_slots,
};
use super::i18n::Tr;
use super::overview::{kind_label, status_label};
use super::page::{Chrome, PageUser, redirect};
use super::{failure, render, require_form_user, require_user};
use crate::api::error::ApiError;
use crate::state::AppState;

/// The label of a section.
#[must_use]
pub fn section_label(t: Tr, section: Section) -> String {
    t.t(&format!("section-{}", section.key().replace('_', "-")))
}

fn criterion_label(t: Tr, c: Criterion) -> String {
    t.t(&format!("criterion-{}", c.key().replace('_', "-")))
}

fn group_label(t: Tr, g: ConductGroup) -> String {
    t.t(&format!("conduct-{}", group_key(g)))
}

/// One choice of a select or a set of boxes.
pub(crate) struct Opt {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// One grade of a rating, with the sentence it produces.
pub(crate) struct GradeOpt {
    pub(crate) value: u8,
    pub(crate) label: String,
    pub(crate) phrase: String,
    pub(crate) checked: bool,
}

/// A control of the editor's form.
pub(crate) enum Control {
    /// A single-line input (`text` or `date`).
    Input {
        id: String,
        name: String,
        label: String,
        value: String,
        kind: &'static str,
        hint: Option<String>,
        error: Option<String>,
        required: bool,
    },
    /// A text area.
    Area {
        id: String,
        name: String,
        label: String,
        value: String,
        rows: u8,
        hint: Option<String>,
        error: Option<String>,
    },
    /// A list: one input per entry with buttons to move it up or down or
    /// remove it (they post the form and rearrange it without saving), and
    /// an empty input for the next entry.
    List {
        id: String,
        name: String,
        label: String,
        entries: Vec<String>,
        /// The entry (or, at `entries.len()`, the new one) that takes the
        /// focus after a rearrangement.
        focus: Option<usize>,
        /// The buttons and the input for a new entry (not where the list
        /// can only be read).
        tools: bool,
        hint: Option<String>,
        error: Option<String>,
    },
    /// A select.
    Select {
        id: String,
        name: String,
        label: String,
        options: Vec<Opt>,
        hint: Option<String>,
        error: Option<String>,
    },
    /// A select of people that lists only those already chosen, with a
    /// button that loads everyone the user may see in its place (htmx).
    Picker {
        id: String,
        name: String,
        label: String,
        options: Vec<Opt>,
        /// Where the full list comes from, and the button's text.
        more: Option<(String, String)>,
        /// Takes the focus when it arrives (the full list replacing the
        /// short one under the user's hand).
        focus: bool,
        error: Option<String>,
    },
    /// A rating: grades 1–5 (and "not rated") as radio buttons.
    Grades {
        id: String,
        name: String,
        legend: String,
        options: Vec<GradeOpt>,
        unrated: bool,
        error: Option<String>,
    },
    /// Boxes to tick.
    Checks {
        id: String,
        name: String,
        legend: String,
        options: Vec<Opt>,
    },
}

impl Control {
    /// Shown for reading only: a list without its buttons.
    fn read_only(&mut self) {
        if let Self::List { tools, .. } = self {
            *tools = false;
        }
    }

    /// Whether a list's entry `at` (or, at the number of entries, its new
    /// one) takes the focus.
    pub(crate) fn focus_on<T: std::borrow::Borrow<usize>>(&self, at: T) -> bool {
        matches!(self, Self::List { focus: Some(f), .. } if f == at.borrow())
    }
}

/// A section's card.
pub(crate) struct Card {
    pub(crate) id: String,
    /// The reference section it shows, if any.
    pub(crate) section: Option<Section>,
    /// Shown, but not to be changed.
    pub(crate) disabled: bool,
    pub(crate) title: String,
    pub(crate) hint: Option<String>,
    pub(crate) controls: Vec<Control>,
}

/// A group of sections.
pub(crate) struct Group {
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) cards: Vec<Card>,
}

/// A sentence of the preview, marked when a finding names it.
struct Sent {
    text: String,
    finding: Option<usize>,
}

/// A paragraph of the preview: sentences, then list items.
struct Para {
    sentences: Vec<Sent>,
    items: Vec<Sent>,
}

/// The letter as the preview shows it.
struct Preview {
    heading: String,
    place_date: String,
    paragraphs: Vec<Para>,
    signatures: Vec<(String, String)>,
}

/// A finding of the check.
struct FindingView {
    n: usize,
    kind: String,
    explanation: String,
    anchored: bool,
}

/// A transition the workflow allows now.
struct TransitionView {
    to: &'static str,
    label: String,
}

/// A status change of the history.
struct StatusLine {
    at: String,
    from: String,
    to: String,
    by: String,
}

/// A handover of the history.
struct HandoverLine {
    id: String,
    active: bool,
    name: String,
    created: String,
    state: String,
    finished: String,
}

/// A change-log entry.
struct ChangeLine {
    at: String,
    editor: String,
    section: String,
    before: String,
    after: String,
}

/// What a save met: sections changed by someone else meanwhile.
struct ConflictNote {
    sections: Vec<String>,
    by: Option<String>,
}

/// An error of the form, for the summary at its top.
struct ErrorLink {
    id: String,
    text: String,
}

#[derive(Template)]
#[template(path = "editor.html")]
struct EditorPage {
    c: Chrome,
    id: String,
    kind: String,
    status: String,
    status_key: &'static str,
    private: bool,
    created: String,
    editable: bool,
    locked: Option<String>,
    version: u64,
    bases: Vec<(&'static str, String)>,
    groups: Vec<Group>,
    errors: Vec<ErrorLink>,
    conflict: Option<ConflictNote>,
    preview: Option<Preview>,
    findings: Option<Vec<FindingView>>,
    transitions: Vec<TransitionView>,
    hand_over: bool,
    can_write: bool,
    statuses: Vec<StatusLine>,
    handovers: Vec<HandoverLine>,
    changes: Vec<ChangeLine>,
}

/// One line of the proposal's comparison.
struct DiffView {
    n: usize,
    kind: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage {
    c: Chrome,
    id: String,
    version: u64,
    proposal: String,
    lines: Vec<DiffView>,
}

/// The editor's query: a finished step to confirm, or the check to show.
#[derive(Debug, Default, Deserialize)]
pub struct EditorQuery {
    done: Option<String>,
    check: Option<String>,
}

fn parse_id(raw: &str) -> Result<ReferenceId, ApiError> {
    raw.parse::<ReferenceId>()
        .map_err(|_| ApiError::not_found())
}

fn may_write(user: &PageUser) -> bool {
    user.caller
        .role
        .permissions()
        .allows(Area::Employees, AccessLevel::ReadWrite)
}

/// Every employee a signer may be picked from (those the user sees), by
/// name: what the picker loads when asked, not on every page.
async fn employee_choices(
    state: &Arc<AppState>,
    user: &PageUser,
) -> Result<Vec<(EmployeeId, String)>, ApiError> {
    let page = state
        .employees()
        .list(
            &user.caller.actor,
            PageRequest::new(None, PageRequest::MAX_LIMIT),
        )
        .await?;
    let mut out: Vec<_> = page.items.iter().map(|e| (e.id, printed_name(e))).collect();
    out.sort_by_key(|(_, n)| n.to_lowercase());
    Ok(out)
}

fn printed_name(e: &Employee) -> String {
    let p = &e.personal;
    format!("{} {}", p.first_name.as_str(), p.last_name.as_str())
}

/// The employees the signer rows name (at most six), each looked up with
/// the user's visibility: one unknown or out of sight is left out, so
/// choosing it is refused like any choice not offered.
async fn chosen_signers(
    state: &Arc<AppState>,
    user: &PageUser,
    f: &Fields,
) -> Result<Vec<(EmployeeId, String)>, ApiError> {
    let mut out: Vec<(EmployeeId, String)> = Vec::new();
    for i in 0..6 {
        let Ok(id) = f
            .one(&format!("signer.{i}.employee"))
            .trim()
            .parse::<EmployeeId>()
        else {
            continue;
        };
        if out.iter().any(|(known, _)| *known == id) {
            continue;
        }
        match state.employees().get(&user.caller.actor, id).await {
            Ok(e) => out.push((id, printed_name(&e.value))),
            Err(e) => {
                let e = ApiError::from(e);
                if !matches!(e.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) {
                    return Err(e);
                }
            }
        }
    }
    Ok(out)
}

async fn choices_for(
    state: &Arc<AppState>,
    user: &PageUser,
    reference: ReferenceId,
    aids: &WritingAids,
    f: &Fields,
) -> Result<Choices, ApiError> {
    Ok(Choices {
        employees: chosen_signers(state, user, f).await?,
        all_employees_href: may_write(user).then(|| format!("/references/{reference}/signers")),
        job_profiles: aids.job_profiles.iter().map(|(k, _)| k.clone()).collect(),
        qualifications: aids.qualifications.clone(),
    })
}

/// The signer picker of row `i`: "by name" and the `employees` offered.
fn signer_picker(
    t: Tr,
    i: usize,
    chosen: &str,
    employees: &[(EmployeeId, String)],
    more: Option<(String, String)>,
    error: Option<String>,
) -> Control {
    let name = format!("signer.{i}.employee");
    let mut options = vec![Opt {
        value: String::new(),
        label: t.t("editor-signer-by-name"),
        selected: chosen.is_empty(),
    }];
    options.extend(employees.iter().map(|(id, label)| Opt {
        value: id.to_string(),
        label: label.clone(),
        selected: id.to_string() == chosen,
    }));
    Control::Picker {
        id: field_id(&name),
        label: t.t1("editor-signer-employee", "n", i + 1),
        name,
        options,
        more,
        focus: false,
        error,
    }
}

/// The id of a field's control.
fn field_id(name: &str) -> String {
    format!("f-{}", name.replace(['.', '_'], "-"))
}

/// Builds the groups of controls from the fields, with the problems at
/// their fields.
fn groups(
    t: Tr,
    f: &Fields,
    problems: &Problems,
    aids: &WritingAids,
    choices: &Choices,
) -> Vec<Group> {
    groups_for(t, f, problems, aids, choices, |_| true, |_| true)
}

/// The editor's groups with the sections `shown` admits, those `editable`
/// refuses shown disabled (a link holder's page); empty groups left out.
pub(crate) fn groups_for(
    t: Tr,
    f: &Fields,
    problems: &Problems,
    aids: &WritingAids,
    choices: &Choices,
    shown: impl Fn(Section) -> bool,
    editable: impl Fn(Section) -> bool,
) -> Vec<Group> {
    let mut groups = all_groups(t, f, problems, aids, choices);
    for g in &mut groups {
        g.cards.retain(|c| c.section.is_none_or(&shown));
        for c in &mut g.cards {
            c.disabled = c.section.is_some_and(|s| !editable(s));
            if c.disabled {
                c.controls.iter_mut().for_each(Control::read_only);
            }
        }
    }
    groups.retain(|g| !g.cards.is_empty());
    groups
}

#[expect(
    clippy::too_many_lines,
    reason = "one place that lays out all 17 sections"
)]
fn all_groups(
    t: Tr,
    f: &Fields,
    problems: &Problems,
    aids: &WritingAids,
    choices: &Choices,
) -> Vec<Group> {
    let id_of = field_id;
    let error = |name: &str| {
        problems.get(name).map(|(p, line)| match line {
            Some(n) => t.t1(p.key(), "line", n),
            None => t.t1(p.key(), "line", 0),
        })
    };
    let input = |name: &str, label: &str, kind: &'static str, required: bool| Control::Input {
        id: id_of(name),
        name: name.to_owned(),
        label: t.t(label),
        value: f.one(name).to_owned(),
        // Dates are typed as German readers write them (31.03.2026), the
        // same in every browser, instead of the browser's own date format.
        kind: "text",
        hint: (kind == "date").then(|| t.t("editor-date-hint")),
        error: error(name),
        required,
    };
    let area = |name: &str, label: &str, rows: u8, hint: Option<&str>| Control::Area {
        id: id_of(name),
        name: name.to_owned(),
        label: t.t(label),
        value: f.one(name).to_owned(),
        rows,
        hint: hint.map(|h| t.t(h)),
        error: error(name),
    };
    let list = |name: &str, label: &str, hint: &str| Control::List {
        id: id_of(name),
        name: name.to_owned(),
        label: t.t(label),
        entries: f.entries(name),
        focus: f.focus(name),
        tools: true,
        hint: Some(t.t(hint)),
        error: error(name),
    };
    let select = |name: &str, label: &str, empty: Option<&str>, options: Vec<(String, String)>| {
        let chosen = f.one(name);
        let mut opts: Vec<Opt> = empty
            .map(|e| Opt {
                value: String::new(),
                label: t.t(e),
                selected: chosen.is_empty(),
            })
            .into_iter()
            .collect();
        opts.extend(options.into_iter().map(|(value, label)| Opt {
            selected: value == chosen,
            value,
            label,
        }));
        Control::Select {
            id: id_of(name),
            name: name.to_owned(),
            label: t.t(label),
            options: opts,
            hint: None,
            error: error(name),
        }
    };
    let grades = |name: String, legend: String, phrases: Option<&[String; 5]>| {
        let chosen = f.one(&name).to_owned();
        Control::Grades {
            id: id_of(&name),
            legend,
            options: (1..=5u8)
                .map(|g| GradeOpt {
                    value: g,
                    label: t.t(&format!("grade-{g}")),
                    phrase: phrases
                        .and_then(|p| p.get(usize::from(g - 1)))
                        .cloned()
                        .unwrap_or_default(),
                    checked: chosen == g.to_string(),
                })
                .collect(),
            unrated: chosen.is_empty(),
            error: error(&name),
            name,
        }
    };
    let card = |section: Section, hint: Option<&str>, controls: Vec<Control>| Card {
        id: format!("sec-{}", section.key().replace('_', "-")),
        section: Some(section),
        disabled: false,
        title: section_label(t, section),
        hint: hint.map(|h| t.t(h)),
        controls,
    };

    let reasons = ISSUE_REASONS
        .iter()
        .map(|r| {
            let k = key_of(r);
            let label = t.t(&format!("reason-{}", k.replace('_', "-")));
            (k, label)
        })
        .collect();
    let salutations = SALUTATIONS
        .iter()
        .map(|s| {
            let k = key_of(s);
            let label = t.t(&format!("salutation-{k}"));
            (k, label)
        })
        .collect();

    let mut signer_controls = Vec::new();
    let filled = (0..6)
        .filter(|i| {
            !f.one(&format!("signer.{i}.name")).is_empty()
                || !f.one(&format!("signer.{i}.employee")).is_empty()
        })
        .count();
    for i in 0..signer_slots(filled) {
        let n = i + 1;
        let employee = format!("signer.{i}.employee");
        signer_controls.push(signer_picker(
            t,
            i,
            f.one(&employee),
            &choices.employees,
            choices
                .all_employees_href
                .as_ref()
                .map(|href| (format!("{href}/{i}"), t.t("editor-signer-all"))),
            error(&employee),
        ));
        for (field, key) in [
            ("name", "editor-signer-name"),
            ("position", "editor-signer-position"),
        ] {
            let name = format!("signer.{i}.{field}");
            signer_controls.push(Control::Input {
                id: id_of(&name),
                label: t.t1(key, "n", n),
                value: f.one(&name).to_owned(),
                kind: "text",
                hint: None,
                error: error(&name),
                required: false,
                name,
            });
        }
    }

    let profiles = aids
        .job_profiles
        .iter()
        .map(|(k, title)| (k.clone(), title.clone()))
        .collect();
    let picked = f.all("qualifications.pick");

    vec![
        Group {
            id: "stammdaten",
            title: t.t("editor-group-master"),
            cards: vec![
                card(
                    Section::Personal,
                    None,
                    vec![
                        select(
                            "personal.salutation",
                            "editor-salutation",
                            None,
                            salutations,
                        ),
                        input("personal.title", "editor-title-field", "text", false),
                        input("personal.first_name", "editor-first-name", "text", true),
                        input("personal.last_name", "editor-last-name", "text", true),
                        input("personal.birth_date", "editor-birth-date", "date", false),
                        input("personal.birth_place", "editor-birth-place", "text", false),
                    ],
                ),
                card(
                    Section::Data,
                    None,
                    vec![
                        input("data.entry_date", "editor-entry-date", "date", false),
                        input("data.exit_date", "editor-exit-date", "date", false),
                        select(
                            "data.issue_reason",
                            "editor-issue-reason",
                            Some("editor-none-chosen"),
                            reasons,
                        ),
                    ],
                ),
                card(
                    Section::ReferenceData,
                    Some("editor-reference-data-hint"),
                    vec![
                        input("reference_data.heading", "editor-heading", "text", false),
                        input("reference_data.place", "editor-place", "text", false),
                        input("reference_data.date", "editor-issue-date", "date", false),
                    ],
                ),
                card(
                    Section::Company,
                    None,
                    vec![area("company", "editor-company", 4, None)],
                ),
                card(
                    Section::Signatures,
                    Some("editor-signatures-hint"),
                    signer_controls,
                ),
                card(
                    Section::Further,
                    None,
                    vec![area(
                        "further",
                        "editor-further",
                        3,
                        Some("editor-further-hint"),
                    )],
                ),
            ],
        },
        Group {
            id: "taetigkeit",
            title: t.t("editor-group-work"),
            cards: vec![
                card(
                    Section::Tasks,
                    None,
                    vec![
                        input("tasks.position", "editor-position", "text", false),
                        input("tasks.department", "editor-department", "text", false),
                        select(
                            "tasks.job_profile",
                            "editor-job-profile",
                            Some("editor-none-chosen"),
                            profiles,
                        ),
                        list("tasks.items", "editor-task-items", "editor-task-items-hint"),
                    ],
                ),
                card(
                    Section::Career,
                    None,
                    vec![list("career", "editor-lines", "editor-lines-hint")],
                ),
                card(
                    Section::Stations,
                    None,
                    vec![list("stations", "editor-lines", "editor-lines-hint")],
                ),
                card(
                    Section::AdditionalTasks,
                    None,
                    vec![list(
                        "additional_tasks",
                        "editor-lines",
                        "editor-lines-hint",
                    )],
                ),
                card(
                    Section::Training,
                    None,
                    vec![list("training", "editor-lines", "editor-lines-hint")],
                ),
                card(
                    Section::Powers,
                    None,
                    vec![list("powers", "editor-lines", "editor-lines-hint")],
                ),
            ],
        },
        Group {
            id: "bewertung",
            title: t.t("editor-group-rating"),
            cards: vec![
                card(
                    Section::Performance,
                    Some("editor-performance-hint"),
                    CRITERIA
                        .iter()
                        .map(|c| {
                            grades(
                                format!("performance.{}", c.key()),
                                criterion_label(t, *c),
                                aids.ratings.get(c),
                            )
                        })
                        .collect(),
                ),
                card(
                    Section::Conduct,
                    Some("editor-conduct-hint"),
                    GROUPS
                        .iter()
                        .map(|g| {
                            grades(
                                format!("conduct.{}", group_key(*g)),
                                group_label(t, *g),
                                aids.conduct.get(g),
                            )
                        })
                        .collect(),
                ),
                card(
                    Section::Qualifications,
                    None,
                    vec![
                        Control::Checks {
                            id: id_of("qualifications.pick"),
                            name: "qualifications.pick".into(),
                            legend: t.t("editor-qualifications-library"),
                            options: aids
                                .qualifications
                                .iter()
                                .map(|q| Opt {
                                    value: q.clone(),
                                    label: q.clone(),
                                    selected: picked.contains(q),
                                })
                                .collect(),
                        },
                        list(
                            "qualifications",
                            "editor-qualifications-other",
                            "editor-lines-hint",
                        ),
                    ],
                ),
                card(
                    Section::Achievements,
                    None,
                    vec![list("achievements", "editor-lines", "editor-lines-hint")],
                ),
            ],
        },
        Group {
            id: "ergebnis",
            title: t.t("editor-group-result"),
            cards: vec![card(
                Section::Result,
                Some("editor-result-hint"),
                vec![area("result", "editor-result", 14, None)],
            )],
        },
    ]
}

fn preview_of(
    state: &AppState,
    user: &PageUser,
    view: &ReferenceView,
    findings: Option<&[Finding]>,
) -> Option<Preview> {
    let today = user.zone.local(state.clock.now()).date();
    let letter = letter_of(&view.reference, today).ok()?;
    let flagged = |text: &str| {
        findings.and_then(|f| {
            f.iter()
                .position(|x| x.sentence.as_deref() == Some(text))
                .map(|i| i + 1)
        })
    };
    let paragraphs = letter
        .paragraphs
        .iter()
        .map(|p| {
            let mut para = Para {
                sentences: Vec::new(),
                items: Vec::new(),
            };
            for s in sentences(p) {
                let sent = Sent {
                    finding: flagged(&s.text),
                    text: s.text,
                };
                if s.list_item {
                    para.items.push(sent);
                } else {
                    para.sentences.push(sent);
                }
            }
            para
        })
        .collect();
    let date = user.t.date(letter.date);
    Some(Preview {
        heading: letter.heading,
        place_date: if letter.place.is_empty() {
            date
        } else {
            format!("{}, {date}", letter.place)
        },
        paragraphs,
        signatures: letter
            .signatures
            .into_iter()
            .map(|s| (s.name, s.position.unwrap_or_default()))
            .collect(),
    })
}

/// A section's content as a person reads it, for the change log.
fn describe(t: Tr, section: Section, content: Option<&SectionContent>) -> String {
    let Some(content) = content else {
        return "–".to_owned();
    };
    let Ok(form) = SectionForm::parse(section, content) else {
        return "–".to_owned();
    };
    let text = match form {
        SectionForm::Text(s) => s,
        SectionForm::Lines(lines) => lines
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        SectionForm::Performance(p) => p
            .ratings
            .iter()
            .map(|(c, g)| format!("{} {}", criterion_label(t, *c), g.value()))
            .collect::<Vec<_>>()
            .join(", "),
        SectionForm::Conduct(c) => GROUPS
            .iter()
            .zip([c.superiors, c.colleagues, c.customers])
            .filter_map(|(g, grade)| grade.map(|v| format!("{} {}", group_label(t, *g), v.value())))
            .collect::<Vec<_>>()
            .join(", "),
        other => {
            let mut parts = Vec::new();
            flatten(&other.to_json(), &mut parts);
            parts.join(", ")
        }
    };
    let text = text.trim();
    if text.is_empty() {
        "–".to_owned()
    } else if text.chars().count() > 300 {
        format!("{} …", text.chars().take(300).collect::<String>())
    } else {
        text.to_owned()
    }
}

fn flatten(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Number(n) => out.push(n.to_string()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| flatten(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| flatten(x, out)),
        _ => {}
    }
}

fn history_lines(
    user: &PageUser,
    history: &History,
) -> (Vec<StatusLine>, Vec<HandoverLine>, Vec<ChangeLine>) {
    let t = user.t;
    let by = |a: &StatusActor| match a {
        StatusActor::User(u) => history
            .user_names
            .get(u)
            .cloned()
            .unwrap_or_else(|| t.t("history-by-former-user")),
        StatusActor::Handover(h) => history
            .handovers
            .iter()
            .find(|s| s.handover.id == *h)
            .map_or_else(
                || t.t("history-by-link"),
                |s| s.handover.recipient.name.as_str().to_owned(),
            ),
        _ => t.t("history-by-system"),
    };
    let statuses = history
        .statuses
        .iter()
        .map(|s| StatusLine {
            at: user.date_time(s.at),
            from: status_label(t, s.from),
            to: status_label(t, s.to),
            by: by(&s.by),
        })
        .collect();
    let handovers = history
        .handovers
        .iter()
        .map(|h| {
            let state = match h.state {
                LinkState::Active => "link-active",
                LinkState::Revoked => "link-revoked",
                LinkState::Finished => "link-finished",
                LinkState::Expired => "link-expired",
                _ => "link-blocked",
            };
            HandoverLine {
                id: h.handover.id.to_string(),
                active: h.state == LinkState::Active,
                name: h.handover.recipient.name.as_str().to_owned(),
                created: user.date_time(h.handover.created_at),
                state: t.t(state),
                finished: h
                    .handover
                    .finished_at
                    .map(|at| user.date_time(at))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let changes = history
        .changes
        .iter()
        .rev()
        .take(50)
        .map(|c| ChangeLine {
            at: user.date_time(c.at),
            editor: c.editor.as_str().to_owned(),
            section: section_label(t, c.section),
            before: describe(t, c.section, c.before.as_ref()),
            after: describe(t, c.section, c.after.as_ref()),
        })
        .collect();
    (statuses, handovers, changes)
}

/// What an editor page shows besides the reference itself.
#[derive(Default)]
struct Extras {
    fields: Option<Fields>,
    problems: Problems,
    conflict: Option<ConflictNote>,
    findings: Option<Vec<Finding>>,
    flash: Option<(&'static str, String)>,
}

async fn editor_page(
    req: &Request,
    state: &Arc<AppState>,
    user: &PageUser,
    view: &ReferenceView,
    extras: Extras,
) -> Result<EditorPage, ApiError> {
    let t = user.t;
    let actor = &user.caller.actor;
    let references = state.references();
    let r = &view.reference;
    let aids = references.writing_aids(actor, view).await?;
    let forms = Forms::from_content(&r.content).map_err(ReferenceError::from)?;
    // A form shown again (a refused field, a list rearranged) still carries
    // the version and the section fingerprints it was read at, so a change
    // made meanwhile is found when it is saved; after a conflict it carries
    // the current ones, and saving again is the deliberate overwrite.
    let read_at = extras
        .fields
        .as_ref()
        .filter(|_| extras.conflict.is_none())
        .and_then(|f| {
            let version = f.one("version").parse::<u64>().ok()?;
            let bases: Vec<(&'static str, String)> = Section::ALL
                .iter()
                .map(|s| (s.key(), f.one(&format!("base.{}", s.key())).to_owned()))
                .collect();
            bases
                .iter()
                .all(|(_, b)| !b.is_empty())
                .then_some((version, bases))
        });
    let fields = extras
        .fields
        .unwrap_or_else(|| fields_of(&forms, &aids.qualifications, |d| t.date(d)));
    let choices = choices_for(state, user, r.id, &aids, &fields).await?;
    let history = references.history(actor, r.id).await?;
    let (statuses, handovers, changes) = history_lines(user, &history);
    let can_write = may_write(user);
    let editable = can_write && r.status.is_editable();
    let locked = if !can_write {
        Some(t.t("editor-read-only"))
    } else if !r.status.is_editable() {
        Some(t.t1("editor-locked", "status", status_label(t, r.status)))
    } else {
        None
    };
    let name = forms.personal.as_ref().map_or_else(
        || t.t("employee-gone"),
        |p| format!("{} {}", p.first_name.as_str(), p.last_name.as_str()),
    );
    let mut c = Chrome::of(req, user, "editor-title", "/references");
    c.title = t.t1("editor-title-of", "name", name);
    if let Some((kind, text)) = extras.flash {
        c = c.with_flash(kind, text);
    }
    let problems = &extras.problems;
    let mut groups = groups(t, &fields, problems, &aids, &choices);
    if !editable {
        for card in groups.iter_mut().flat_map(|g| g.cards.iter_mut()) {
            card.controls.iter_mut().for_each(Control::read_only);
        }
    }
    let errors = if problems.is_empty() {
        Vec::new()
    } else {
        let mut out = Vec::new();
        for g in &groups {
            for card in &g.cards {
                for control in &card.controls {
                    let (id, label, error) = match control {
                        Control::Input {
                            id, label, error, ..
                        }
                        | Control::Area {
                            id, label, error, ..
                        }
                        | Control::List {
                            id, label, error, ..
                        }
                        | Control::Select {
                            id, label, error, ..
                        }
                        | Control::Picker {
                            id, label, error, ..
                        } => (id, label, error),
                        Control::Grades {
                            id, legend, error, ..
                        } => (id, legend, error),
                        Control::Checks { .. } => continue,
                    };
                    if let Some(e) = error {
                        out.push(ErrorLink {
                            id: id.clone(),
                            text: format!("{} – {label}: {e}", card.title),
                        });
                    }
                }
            }
        }
        out
    };
    let findings = extras.findings.as_deref();
    let preview = preview_of(state, user, view, findings);
    let anchored: BTreeSet<usize> = preview
        .iter()
        .flat_map(|p| &p.paragraphs)
        .flat_map(|p| p.sentences.iter().chain(&p.items))
        .filter_map(|s| s.finding)
        .collect();
    Ok(EditorPage {
        c,
        id: r.id.to_string(),
        kind: kind_label(t, r.kind),
        status: status_label(t, r.status),
        status_key: r.status.key(),
        private: r.private,
        created: user.date(r.created_at),
        editable,
        locked,
        version: read_at.as_ref().map_or(view.version.0, |(v, _)| *v),
        bases: read_at.map_or_else(
            || {
                Section::ALL
                    .iter()
                    .map(|s| (s.key(), base_of(r.content.get(*s))))
                    .collect()
            },
            |(_, bases)| bases,
        ),
        groups,
        errors,
        conflict: extras.conflict,
        preview,
        findings: findings.map(|f| {
            f.iter()
                .enumerate()
                .map(|(i, x)| FindingView {
                    n: i + 1,
                    kind: t.t(&format!("finding-{}", key_of(&x.kind).replace('_', "-"))),
                    explanation: x.explanation.clone(),
                    anchored: anchored.contains(&(i + 1)),
                })
                .collect()
        }),
        transitions: if can_write {
            r.status
                .next()
                .iter()
                .filter(|s| **s != ReferenceStatus::WithSupervisor)
                .map(|s| TransitionView {
                    to: s.key(),
                    label: t.t(&format!("transition-{}", s.key().replace('_', "-"))),
                })
                .collect()
        } else {
            Vec::new()
        },
        hand_over: can_write && r.status.next().contains(&ReferenceStatus::WithSupervisor),
        can_write,
        statuses,
        handovers,
        changes,
    })
}

async fn show_with(
    req: &Request,
    state: &Arc<AppState>,
    user: &PageUser,
    id: ReferenceId,
    status: StatusCode,
    extras: Extras,
) -> Response {
    let view = match state.references().get(&user.caller.actor, id).await {
        Ok(v) => v,
        Err(e) => return failure(req, &ApiError::from(e)),
    };
    match editor_page(req, state, user, &view, extras).await {
        Ok(page) => render(req, status, &page),
        Err(e) => failure(req, &e),
    }
}

/// The steps a redirect to the editor confirms: `?done=` value, message,
/// style.
const DONE: [(&str, &str, &str); 12] = [
    ("reminded", "reminder-sent", "success"),
    ("remind-later", "reminder-today", "info"),
    ("created", "references-created", "success"),
    ("saved", "editor-saved", "success"),
    ("generated", "editor-generated", "success"),
    ("unchanged", "editor-unchanged", "info"),
    ("adopted", "editor-adopted", "success"),
    ("status", "editor-status-changed", "success"),
    ("nothing", "editor-nothing-changed", "info"),
    ("handed-over", "handover-created", "success"),
    ("revoked", "handover-revoked", "success"),
    ("revoke-late", "handover-revoke-late", "info"),
];

#[derive(Template)]
#[template(path = "signer_picker.html")]
struct PickerFragment {
    c: Chrome,
    control: Control,
}

/// The signer picker of one row with everyone the user may see: what the
/// editor's "Aus allen Mitarbeitern wählen" loads in place of the short
/// one (the row's current choice comes along as its field).
#[handler]
pub(crate) async fn signer_choices(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path((raw, row)): Path<(String, usize)>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let user = match require_user(req, &state).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return failure(req, &e),
    };
    if row >= 6 {
        return failure(req, &ApiError::not_found());
    }
    if !may_write(&user) {
        return super::error_page(req, user.t, StatusCode::FORBIDDEN, "error-forbidden");
    }
    // The reference must be one the user may see, like the editor itself.
    if let Err(e) = state.references().get(&user.caller.actor, id).await {
        return failure(req, &ApiError::from(e));
    }
    let employees = match employee_choices(&state, &user).await {
        Ok(e) => e,
        Err(e) => return failure(req, &e),
    };
    let fields = Fields::from_pairs(pairs);
    let mut control = signer_picker(
        user.t,
        row,
        fields.one(&format!("signer.{row}.employee")),
        &employees,
        None,
        None,
    );
    if let Control::Picker { focus, .. } = &mut control {
        *focus = true;
    }
    let page = PickerFragment {
        c: Chrome::of(req, &user, "editor-title", "/references"),
        control,
    };
    render(req, StatusCode::OK, &page)
}

/// The editor.
#[handler]
pub(crate) async fn show(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(raw): Path<String>,
    query: Query<EditorQuery>,
) -> Response {
    let user = match require_user(req, &state).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return failure(req, &e),
    };
    let mut extras = Extras::default();
    if let Some(done) = &query.done
        && let Some((_, key, kind)) = DONE.iter().find(|(d, ..)| d == done)
    {
        extras.flash = Some((kind, user.t.t(key)));
    }
    if query.check.is_some() {
        match state.references().check(&user.caller.actor, id).await {
            Ok(findings) => {
                let text = if findings.is_empty() {
                    user.t.t("check-clean")
                } else {
                    user.t.count("check-found", findings.len() as u64)
                };
                extras.flash = Some(("info", text));
                extras.findings = Some(findings);
            }
            Err(ReferenceError::NoText) => {
                extras.flash = Some(("error", user.t.t("check-no-text")));
            }
            Err(e) => return failure(req, &ApiError::from(e)),
        }
    }
    show_with(req, &state, &user, id, StatusCode::OK, extras).await
}

/// Saves the editor's form, and generates the text after it when asked.
#[handler]
pub(crate) async fn save(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(raw): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut fields = Fields::from_pairs(pairs);
    let user = match require_form_user(req, &state, fields.one("csrf")).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return failure(req, &e),
    };
    let t = user.t;
    let actor = &user.caller.actor;
    let references = state.references();
    let view = match references.get(actor, id).await {
        Ok(v) => v,
        Err(e) => return failure(req, &ApiError::from(e)),
    };
    let step = fields.one("then").to_owned();
    if fields.rearrange(&step) {
        // A list's button: the form again, rearranged, nothing saved.
        let extras = Extras {
            fields: Some(fields),
            ..Extras::default()
        };
        return show_with(req, &state, &user, id, StatusCode::OK, extras).await;
    }
    let aids = match references.writing_aids(actor, &view).await {
        Ok(a) => a,
        Err(e) => return failure(req, &ApiError::from(e)),
    };
    let choices = match choices_for(&state, &user, id, &aids, &fields).await {
        Ok(c) => c,
        Err(e) => return failure(req, &e),
    };
    let inputs = match section_inputs(&fields, &choices) {
        Ok(i) => i,
        Err(problems) => {
            let extras = Extras {
                fields: Some(fields),
                problems,
                flash: Some(("error", t.t("editor-check-fields"))),
                ..Extras::default()
            };
            return show_with(
                req,
                &state,
                &user,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                extras,
            )
            .await;
        }
    };
    let version = fields.one("version").parse::<u64>().ok().map(Version);
    let inputs = changed_only(inputs, &view.reference.content);
    if !inputs.is_empty() {
        match references
            .update_sections(actor, id, inputs, version, user.caller.ip)
            .await
        {
            Ok(_) => {}
            Err(ReferenceError::Conflict(_)) => {
                let conflict = conflict_note(&state, &user, id, &fields).await;
                let extras = Extras {
                    fields: Some(fields),
                    conflict,
                    ..Extras::default()
                };
                return show_with(req, &state, &user, id, StatusCode::CONFLICT, extras).await;
            }
            Err(ReferenceError::NotEditable(status)) => {
                let extras = Extras {
                    flash: Some((
                        "error",
                        t.t1("editor-locked", "status", status_label(t, status)),
                    )),
                    ..Extras::default()
                };
                return show_with(req, &state, &user, id, StatusCode::CONFLICT, extras).await;
            }
            Err(e) => {
                let e = ApiError::from(e);
                if e.status() == StatusCode::UNPROCESSABLE_ENTITY {
                    let extras = Extras {
                        fields: Some(fields),
                        flash: Some(("error", t.t("editor-check-fields"))),
                        ..Extras::default()
                    };
                    return show_with(req, &state, &user, id, e.status(), extras).await;
                }
                return failure(req, &e);
            }
        }
    }
    match fields.one("then") {
        "generate" => generate_after_save(req, &state, &user, id).await,
        "check" => redirect(&format!("/references/{id}?check=1#check")),
        _ => redirect(&format!("/references/{id}?done=saved")),
    }
}

/// Which sections changed since the form was read, and by whom (when the
/// change log says).
async fn conflict_note(
    state: &Arc<AppState>,
    user: &PageUser,
    id: ReferenceId,
    fields: &Fields,
) -> Option<ConflictNote> {
    let actor = &user.caller.actor;
    let view = state.references().get(actor, id).await.ok()?;
    let changed: Vec<Section> = Section::ALL
        .into_iter()
        .filter(|s| {
            fields.one(&format!("base.{}", s.key())) != base_of(view.reference.content.get(*s))
        })
        .collect();
    let history = state.references().history(actor, id).await.ok();
    let by = history.and_then(|h| {
        h.changes
            .iter()
            .rev()
            .find(|c| changed.contains(&c.section))
            .map(|c| format!("{}, {}", c.editor.as_str(), user.date_time(c.at)))
    });
    Some(ConflictNote {
        sections: changed.iter().map(|s| section_label(user.t, *s)).collect(),
        by,
    })
}

fn generate_problem(t: Tr, e: GenerateError) -> String {
    t.t(match e {
        GenerateError::MissingPersonal => "generate-missing-personal",
        GenerateError::NoRatings => "generate-no-ratings",
        _ => "generate-missing-conduct",
    })
}

async fn generate_after_save(
    req: &Request,
    state: &Arc<AppState>,
    user: &PageUser,
    id: ReferenceId,
) -> Response {
    let t = user.t;
    match state
        .references()
        .generate(&user.caller.actor, id, false, user.caller.ip)
        .await
    {
        Ok(GenerateOutcome::Written(_)) => {
            redirect(&format!("/references/{id}?done=generated#ergebnis"))
        }
        Ok(GenerateOutcome::Unchanged) => {
            redirect(&format!("/references/{id}?done=unchanged#ergebnis"))
        }
        Ok(GenerateOutcome::Kept { proposed, diff }) => {
            let view = match state.references().get(&user.caller.actor, id).await {
                Ok(v) => v,
                Err(e) => return failure(req, &ApiError::from(e)),
            };
            let mut c = Chrome::of(req, user, "proposal-title", "/references");
            c = c.with_flash("info", t.t("proposal-kept"));
            let page = ProposalPage {
                c,
                id: id.to_string(),
                version: view.version.0,
                proposal: hex(&fingerprint(&proposed)),
                lines: diff
                    .into_iter()
                    .enumerate()
                    .map(|(n, d)| match d {
                        DiffLine::Same(text) => DiffView {
                            n,
                            kind: "same",
                            text,
                        },
                        DiffLine::Removed(text) => DiffView {
                            n,
                            kind: "removed",
                            text,
                        },
                        DiffLine::Added(text) => DiffView {
                            n,
                            kind: "added",
                            text,
                        },
                    })
                    .collect(),
            };
            render(req, StatusCode::OK, &page)
        }
        Err(ReferenceError::Generate(e)) => {
            let extras = Extras {
                flash: Some(("error", generate_problem(t, e))),
                ..Extras::default()
            };
            show_with(
                req,
                state,
                user,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                extras,
            )
            .await
        }
        Err(ReferenceError::NotEditable(status)) => {
            let extras = Extras {
                flash: Some((
                    "error",
                    t.t1("editor-locked", "status", status_label(t, status)),
                )),
                ..Extras::default()
            };
            show_with(req, state, user, id, StatusCode::CONFLICT, extras).await
        }
        Err(e) => failure(req, &ApiError::from(e)),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Takes the chosen sentences of the proposal (or all of them).
#[handler]
pub(crate) async fn adopt(
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
    let version = fields.one("version").parse::<u64>().ok().map(Version);
    let proposal = unhex(fields.one("proposal"));
    let (Some(version), Some(proposal)) = (version, proposal) else {
        return failure(req, &ApiError::not_found());
    };
    let all = fields.one("all") == "1";
    let n = fields.one("lines").parse::<usize>().unwrap_or_default();
    let accept: BTreeSet<usize> = if all {
        (0..n.min(10_000)).collect()
    } else {
        fields
            .all("accept")
            .iter()
            .filter_map(|a| a.parse().ok())
            .collect()
    };
    if accept.is_empty() {
        return redirect(&format!("/references/{id}?done=nothing#ergebnis"));
    }
    match state
        .references()
        .adopt(
            &user.caller.actor,
            id,
            (version, proposal),
            &accept,
            user.caller.ip,
        )
        .await
    {
        Ok(GenerateOutcome::Unchanged) => {
            redirect(&format!("/references/{id}?done=nothing#ergebnis"))
        }
        Ok(_) => redirect(&format!("/references/{id}?done=adopted#ergebnis")),
        Err(ReferenceError::Conflict(_)) => {
            let extras = Extras {
                flash: Some(("error", t.t("proposal-stale"))),
                ..Extras::default()
            };
            show_with(req, &state, &user, id, StatusCode::CONFLICT, extras).await
        }
        Err(ReferenceError::Generate(e)) => {
            let extras = Extras {
                flash: Some(("error", generate_problem(t, e))),
                ..Extras::default()
            };
            show_with(
                req,
                &state,
                &user,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                extras,
            )
            .await
        }
        Err(e) => failure(req, &ApiError::from(e)),
    }
}

/// A status change as posted.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
}

/// Moves the reference to another status.
#[handler]
pub(crate) async fn change_status(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(raw): Path<String>,
    form: Form<StatusForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return failure(req, &e),
    };
    let t = user.t;
    let Some(to) = ReferenceStatus::ALL
        .into_iter()
        .find(|s| s.key() == form.to)
    else {
        let extras = Extras {
            flash: Some(("error", t.t("transition-unknown"))),
            ..Extras::default()
        };
        return show_with(
            req,
            &state,
            &user,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            extras,
        )
        .await;
    };
    match state
        .references()
        .change_status(&user.caller.actor, id, to, user.caller.ip)
        .await
    {
        Ok(_) => redirect(&format!("/references/{id}?done=status")),
        Err(ReferenceError::Transition(e)) => {
            let allowed: Vec<String> = e.from.next().iter().map(|s| status_label(t, *s)).collect();
            let mut text = t.t1("transition-refused", "from", status_label(t, e.from));
            text.push(' ');
            text.push_str(&if allowed.is_empty() {
                t.t("transition-final")
            } else {
                t.t1("transition-allowed", "allowed", allowed.join(", "))
            });
            let extras = Extras {
                flash: Some(("error", text)),
                ..Extras::default()
            };
            show_with(req, &state, &user, id, StatusCode::CONFLICT, extras).await
        }
        Err(e) => {
            let e = ApiError::from(e);
            if e.status() == StatusCode::UNPROCESSABLE_ENTITY {
                let extras = Extras {
                    flash: Some(("error", t.t("transition-by-handover"))),
                    ..Extras::default()
                };
                show_with(req, &state, &user, id, e.status(), extras).await
            } else {
                failure(req, &e)
            }
        }
    }
}

/// Deleting as posted: the box that confirms it.
#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    csrf: String,
    confirm: Option<String>,
}

/// Deletes the reference for real, once the box is ticked.
#[handler]
pub(crate) async fn delete(
    req: &Request,
    state: Data<&Arc<AppState>>,
    Path(raw): Path<String>,
    form: Form<DeleteForm>,
) -> Response {
    let user = match require_form_user(req, &state, &form.csrf).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let id = match parse_id(&raw) {
        Ok(id) => id,
        Err(e) => return failure(req, &e),
    };
    if form.confirm.as_deref() != Some("1") {
        let extras = Extras {
            flash: Some(("error", user.t.t("delete-confirm-missing"))),
            ..Extras::default()
        };
        return show_with(
            req,
            &state,
            &user,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            extras,
        )
        .await;
    }
    match state
        .references()
        .delete(&user.caller.actor, id, user.caller.ip)
        .await
    {
        Ok(()) => redirect("/references?done=deleted"),
        Err(e) => failure(req, &ApiError::from(e)),
    }
}

/// The reference as PDF (the draft as it would print), shown in the browser.
#[handler]
pub(crate) async fn pdf(
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
    let (letter, formatting) = match state
        .references()
        .document(&user.caller.actor, id, user.caller.ip)
        .await
    {
        Ok(d) => d,
        Err(ReferenceError::NoText) => {
            let extras = Extras {
                flash: Some(("error", user.t.t("check-no-text"))),
                ..Extras::default()
            };
            return show_with(req, &state, &user, id, StatusCode::CONFLICT, extras).await;
        }
        Err(e) => return failure(req, &ApiError::from(e)),
    };
    match state.render(letter, formatting).await {
        Ok(bytes) => Response::builder()
            .header(CONTENT_TYPE, "application/pdf")
            .header(CONTENT_DISPOSITION, "inline; filename=\"zeugnis.pdf\"")
            .header(CACHE_CONTROL, "no-store")
            .body(bytes),
        Err(e) => failure(req, &ApiError::internal("rendering a reference", &e)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_proposal_fingerprint_survives_the_form() {
        let fp = fingerprint("Ein Text.");
        assert_eq!(unhex(&hex(&fp)), Some(fp));
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex(&"g".repeat(64)), None);
        assert!(unhex(&hex(&fp)).unwrap() != fingerprint("Ein anderer."));
    }

    #[test]
    fn every_label_the_editor_builds_from_a_key_is_in_both_catalogues() {
        use zeugnis_core::check::FindingKind;
        for lang in super::super::i18n::Lang::ALL {
            let t = Tr::new(lang);
            let mut keys: Vec<String> = Vec::new();
            keys.extend(
                Section::ALL
                    .iter()
                    .map(|s| format!("section-{}", s.key().replace('_', "-"))),
            );
            keys.extend(
                CRITERIA
                    .iter()
                    .chain(&[Criterion::ConductInternal, Criterion::ConductExternal])
                    .map(|c| format!("criterion-{}", c.key().replace('_', "-"))),
            );
            keys.extend(GROUPS.iter().map(|g| format!("conduct-{}", group_key(*g))));
            keys.extend(
                ISSUE_REASONS
                    .iter()
                    .map(|r| format!("reason-{}", key_of(r).replace('_', "-"))),
            );
            keys.extend(
                SALUTATIONS
                    .iter()
                    .map(|s| format!("salutation-{}", key_of(s))),
            );
            keys.extend(
                ReferenceStatus::ALL
                    .iter()
                    .map(|s| format!("transition-{}", s.key().replace('_', "-"))),
            );
            keys.extend(
                [
                    FindingKind::ClosingMissing,
                    FindingKind::ClosingWeakened,
                    FindingKind::ConductMissing,
                    FindingKind::ConductGroupMissing,
                    FindingKind::ConductOrder,
                    FindingKind::GradeMismatch,
                    FindingKind::TenseMismatch,
                    FindingKind::PronounInconsistent,
                    FindingKind::ProtectedCharacteristic,
                ]
                .iter()
                .map(|k| format!("finding-{}", key_of(k).replace('_', "-"))),
            );
            keys.extend((1..=5).map(|g| format!("grade-{g}")));
            keys.extend(DONE.iter().map(|(_, k, _)| (*k).to_owned()));
            for key in keys {
                assert_ne!(t.t(&key), key, "{key} in {}", lang.code());
            }
        }
    }

    #[test]
    fn every_done_step_has_its_message_key() {
        let keys: BTreeMap<_, _> = DONE.into_iter().map(|(d, k, _)| (d, k)).collect();
        assert_eq!(keys.len(), DONE.len());
    }
}
