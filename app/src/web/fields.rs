//! The editor's form fields: a reference's sections written out as the
//! fields of one HTML form, and a posted form read back into section inputs
//! for `ReferenceService::update_sections`.
//!
//! This is the edge's parsing only: each field is checked as the core's
//! values check it (a [`Line`], a date, a grade) so that an error names the
//! field it belongs to, in the page's language; what a section may hold and
//! whether the reference may change is still decided by the core.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use zeugnis_core::employee::{IssueReason, Salutation};
use zeugnis_core::id::EmployeeId;
use zeugnis_core::reference::form::{Form, Forms, Line, MAX_LINES};
use zeugnis_core::reference::{ConductGroup, Criterion, Section, SectionContent};
use zeugnis_core::services::references::SectionInput;

/// Every reason a reference may be issued for, in the order the editor
/// offers them.
pub const ISSUE_REASONS: [IssueReason; 9] = [
    IssueReason::EmployeeResignation,
    IssueReason::EmployerTermination,
    IssueReason::MutualAgreement,
    IssueReason::FixedTermEnd,
    IssueReason::Retirement,
    IssueReason::ChangeOfSupervisor,
    IssueReason::Reorganisation,
    IssueReason::EmployeeRequest,
    IssueReason::Other,
];

/// The salutations, as the editor offers them.
pub const SALUTATIONS: [Salutation; 3] = [Salutation::Frau, Salutation::Herr, Salutation::None];

/// The criteria the editor rates, in the order a reference names them.
pub const CRITERIA: [Criterion; 9] = zeugnis_core::phrases::RATED_CRITERIA;

/// The conduct groups, in the order a reference names them.
pub const GROUPS: [ConductGroup; 3] = [
    ConductGroup::Superiors,
    ConductGroup::Colleagues,
    ConductGroup::Customers,
];

/// The sections that are lists of lines, one line per entry in a text area.
pub const LIST_SECTIONS: [Section; 6] = [
    Section::Career,
    Section::Stations,
    Section::AdditionalTasks,
    Section::Training,
    Section::Powers,
    Section::Achievements,
];

/// The machine key of a serde enum (`employee_resignation`, `frau`, …).
#[must_use]
pub fn key_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The key of a conduct group.
#[must_use]
pub fn group_key(group: ConductGroup) -> String {
    key_of(&group)
}

/// How many signature rows the editor shows for `signers` signers.
#[must_use]
pub fn signer_slots(signers: usize) -> usize {
    (signers + 1).clamp(2, 6)
}

/// A form's fields: every value of every field, by name; and, after a list
/// was rearranged, the entry that takes the focus.
#[derive(Debug, Default, Clone)]
pub struct Fields(BTreeMap<String, Vec<String>>, Option<(String, usize)>);

/// The fields that are lists (one input per entry), by name.
pub const LIST_FIELDS: [&str; 8] = [
    "tasks.items",
    "career",
    "stations",
    "additional_tasks",
    "training",
    "powers",
    "qualifications",
    "achievements",
];

/// What a list's buttons ask for: `list:<field>:<entry>:<up|down|remove>`
/// or `list:<field>:add`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListStep {
    Up(usize),
    Down(usize),
    Remove(usize),
    Add,
}

impl Fields {
    /// The fields of a posted form.
    #[must_use]
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut out = Self::default();
        for (k, v) in pairs {
            out.0.entry(k).or_default().push(v);
        }
        out
    }

    /// The entries of a list field: every value, a value with line breaks
    /// (a form without rows) split at them, blank ones left out.
    #[must_use]
    pub fn entries(&self, name: &str) -> Vec<String> {
        self.all(name)
            .iter()
            .flat_map(|v| v.lines())
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_owned())
            .collect()
    }

    /// Rearranges a list as one of its buttons asks (`step` is the posted
    /// `then`): an entry up, down or removed, or the typed one taken and a
    /// new empty one offered. Returns whether `step` was such a request;
    /// the entry to focus is kept for the page. Nothing is saved.
    pub fn rearrange(&mut self, step: &str) -> bool {
        let Some((name, step)) = parse_list_step(step) else {
            return false;
        };
        let mut entries = self.entries(name);
        let n = entries.len();
        let focus = match step {
            ListStep::Up(i) if i > 0 && i < n => {
                entries.swap(i - 1, i);
                i - 1
            }
            ListStep::Down(i) if i + 1 < n => {
                entries.swap(i, i + 1);
                i + 1
            }
            ListStep::Remove(i) if i < n => {
                entries.remove(i);
                i.min(entries.len())
            }
            ListStep::Up(i) | ListStep::Down(i) | ListStep::Remove(i) => i.min(n),
            ListStep::Add => n,
        };
        self.0.insert(name.to_owned(), entries);
        self.1 = Some((name.to_owned(), focus));
        true
    }

    /// The list entry that takes the focus (after [`Fields::rearrange`]).
    #[must_use]
    pub fn focus(&self, name: &str) -> Option<usize> {
        self.1
            .as_ref()
            .filter(|(n, _)| n == name)
            .map(|(_, at)| *at)
    }

    /// The (first) value of a field, or "".
    #[must_use]
    pub fn one(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }

    /// Every value of a field.
    #[must_use]
    pub fn all(&self, name: &str) -> &[String] {
        self.0.get(name).map_or(&[], Vec::as_slice)
    }

    fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), vec![value.into()]);
    }

    fn push(&mut self, name: &str, value: impl Into<String>) {
        self.0
            .entry(name.to_owned())
            .or_default()
            .push(value.into());
    }
}

fn parse_list_step(raw: &str) -> Option<(&'static str, ListStep)> {
    let rest = raw.strip_prefix("list:")?;
    let (field, step) = rest.split_once(':')?;
    let name = LIST_FIELDS.into_iter().find(|n| *n == field)?;
    if step == "add" {
        return Some((name, ListStep::Add));
    }
    let (at, op) = step.split_once(':')?;
    let at: usize = at.parse().ok()?;
    let step = match op {
        "up" => ListStep::Up(at),
        "down" => ListStep::Down(at),
        "remove" => ListStep::Remove(at),
        _ => return None,
    };
    Some((name, step))
}

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn entries_of(lines: &[Line]) -> Vec<String> {
    lines.iter().map(|l| l.as_str().to_owned()).collect()
}

fn opt(line: Option<&Line>) -> String {
    line.map(|l| l.as_str().to_owned()).unwrap_or_default()
}

/// The fields that show a reference's sections; `known_qualifications` are
/// the library's labels (ticked boxes instead of lines), `date` writes a date
/// as the page's language does (read back by [`parse_date`]).
#[must_use]
pub fn fields_of(
    forms: &Forms,
    known_qualifications: &[String],
    date: impl Fn(time::Date) -> String,
) -> Fields {
    let iso = date;
    let mut f = Fields::default();
    let d = &forms.data;
    f.set(
        "data.entry_date",
        d.entry_date.map(&iso).unwrap_or_default(),
    );
    f.set("data.exit_date", d.exit_date.map(&iso).unwrap_or_default());
    f.set(
        "data.issue_reason",
        d.issue_reason.map(|r| key_of(&r)).unwrap_or_default(),
    );
    if let Some(p) = &forms.personal {
        f.set("personal.salutation", key_of(&p.salutation));
        f.set("personal.title", opt(p.title.as_ref()));
        f.set("personal.first_name", p.first_name.as_str());
        f.set("personal.last_name", p.last_name.as_str());
        f.set(
            "personal.birth_date",
            p.birth_date.map(&iso).unwrap_or_default(),
        );
        f.set("personal.birth_place", opt(p.birth_place.as_ref()));
    }
    f.set("company", forms.company.clone());
    let r = &forms.reference_data;
    f.set("reference_data.heading", opt(r.heading.as_ref()));
    f.set("reference_data.place", opt(r.place.as_ref()));
    f.set("reference_data.date", r.date.map(iso).unwrap_or_default());
    f.set("further", forms.further.clone());
    for (i, s) in forms.signatures.iter().enumerate() {
        f.set(
            format!("signer.{i}.employee"),
            s.employee.map(|e| e.to_string()).unwrap_or_default(),
        );
        f.set(format!("signer.{i}.name"), s.name.as_str());
        f.set(format!("signer.{i}.position"), opt(s.position.as_ref()));
    }
    for (section, lines) in [
        (Section::Career, &forms.career),
        (Section::Stations, &forms.stations),
        (Section::AdditionalTasks, &forms.additional_tasks),
        (Section::Training, &forms.training),
        (Section::Powers, &forms.powers),
        (Section::Achievements, &forms.achievements),
    ] {
        f.0.insert(section.key().to_owned(), entries_of(lines));
    }
    let t = &forms.tasks;
    f.set("tasks.position", opt(t.position.as_ref()));
    f.set("tasks.department", opt(t.department.as_ref()));
    f.set("tasks.job_profile", opt(t.job_profile.as_ref()));
    f.0.insert("tasks.items".to_owned(), entries_of(&t.items));
    for (criterion, grade) in &forms.performance.ratings {
        f.set(
            format!("performance.{}", criterion.key()),
            grade.value().to_string(),
        );
    }
    for (group, grade) in [
        (ConductGroup::Superiors, forms.conduct.superiors),
        (ConductGroup::Colleagues, forms.conduct.colleagues),
        (ConductGroup::Customers, forms.conduct.customers),
    ] {
        if let Some(g) = grade {
            f.set(
                format!("conduct.{}", group_key(group)),
                g.value().to_string(),
            );
        }
    }
    let mut other = Vec::new();
    for q in &forms.qualifications {
        if known_qualifications.iter().any(|k| k == q.as_str()) {
            f.push("qualifications.pick", q.as_str());
        } else {
            other.push(q.clone());
        }
    }
    f.0.insert("qualifications".to_owned(), entries_of(&other));
    f.set("result", forms.result.clone());
    f
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Required and empty.
    Required,
    /// Longer than a line may be.
    TooLong,
    /// Line breaks or control characters in a single line, or control
    /// characters in a text.
    BadCharacters,
    /// Not a date.
    BadDate,
    /// More lines than a list holds.
    TooManyLines,
    /// More text than a section holds.
    TextTooLong,
    /// Not one of the offered choices.
    BadChoice,
    /// Not an e-mail address.
    BadEmail,
    /// The exit lies before the entry.
    ExitBeforeEntry,
    /// The birth lies after the entry.
    BornAfterEntry,
    /// An interruption ends before it starts.
    InterruptionReversed,
    /// Outside the user's reference access scope.
    OutsideScope,
}

impl Problem {
    /// The catalogue key of its message.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Problem::Required => "field-required",
            Problem::TooLong => "field-too-long",
            Problem::BadCharacters => "field-bad-characters",
            Problem::BadDate => "field-bad-date",
            Problem::TooManyLines => "field-too-many-lines",
            Problem::TextTooLong => "field-text-too-long",
            Problem::BadChoice => "field-bad-choice",
            Problem::BadEmail => "field-bad-email",
            Problem::ExitBeforeEntry => "field-exit-before-entry",
            Problem::BornAfterEntry => "field-born-after-entry",
            Problem::InterruptionReversed => "field-interruption-reversed",
            Problem::OutsideScope => "field-outside-scope",
        }
    }
}

/// The fields that are wrong, by name, each with its first problem (and the
/// line, for a list).
pub type Problems = BTreeMap<String, (Problem, Option<usize>)>;

struct Reader<'a> {
    fields: &'a Fields,
    problems: Problems,
}

impl Reader<'_> {
    fn flag(&mut self, name: &str, problem: Problem, line: Option<usize>) {
        self.problems
            .entry(name.to_owned())
            .or_insert((problem, line));
    }

    fn line_problem(raw: &str) -> Problem {
        if raw.trim().chars().count() > Line::MAX_LEN {
            Problem::TooLong
        } else {
            Problem::BadCharacters
        }
    }

    /// An optional single line.
    fn line(&mut self, name: &str) -> Option<String> {
        let raw = self.fields.one(name);
        if raw.trim().is_empty() {
            return None;
        }
        match Line::new(raw) {
            Ok(l) => Some(l.as_str().to_owned()),
            Err(_) => {
                self.flag(name, Self::line_problem(raw), None);
                None
            }
        }
    }

    /// A required single line.
    fn required(&mut self, name: &str) -> Option<String> {
        let got = self.line(name);
        if got.is_none() && self.fields.one(name).trim().is_empty() {
            self.flag(name, Problem::Required, None);
        }
        got
    }

    /// An optional date, `YYYY-MM-DD` (as a date field sends it) or
    /// `TT.MM.JJJJ` (as a person types it).
    fn date(&mut self, name: &str) -> Option<String> {
        let raw = self.fields.one(name).trim();
        if raw.is_empty() {
            return None;
        }
        let parsed = parse_date(raw);
        if parsed.is_none() {
            self.flag(name, Problem::BadDate, None);
        }
        parsed.map(iso)
    }

    /// A list: one entry per value (and per line of a value); blank ones
    /// are dropped, and a problem names the entry by its number.
    fn lines(&mut self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (n, l) in self.fields.entries(name).iter().enumerate() {
            match Line::new(l) {
                Ok(line) => out.push(line.as_str().to_owned()),
                Err(_) => self.flag(name, Self::line_problem(l), Some(n + 1)),
            }
        }
        if out.len() > MAX_LINES {
            self.flag(name, Problem::TooManyLines, None);
        }
        out
    }

    /// A free text.
    fn text(&mut self, name: &str) -> String {
        let raw = self.fields.one(name).replace("\r\n", "\n");
        if raw.chars().count() > SectionContent::MAX_LEN {
            self.flag(name, Problem::TextTooLong, None);
        } else if raw
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        {
            self.flag(name, Problem::BadCharacters, None);
        }
        raw
    }

    /// A grade, or none.
    fn grade(&mut self, name: &str) -> Option<u8> {
        let raw = self.fields.one(name).trim();
        if raw.is_empty() {
            return None;
        }
        match raw.parse::<u8>() {
            Ok(g @ 1..=5) => Some(g),
            _ => {
                self.flag(name, Problem::BadChoice, None);
                None
            }
        }
    }

    /// One of the offered keys, or none.
    fn choice(&mut self, name: &str, offered: &[String]) -> Option<String> {
        let raw = self.fields.one(name).trim();
        if raw.is_empty() {
            return None;
        }
        if offered.iter().any(|o| o == raw) {
            Some(raw.to_owned())
        } else {
            self.flag(name, Problem::BadChoice, None);
            None
        }
    }
}

/// A date as a person writes it (`31.03.2026`, `31/03/2026`) or a date
/// field sends it (`2026-03-31`).
#[must_use]
pub fn parse_date(raw: &str) -> Option<time::Date> {
    let (y, m, d) = if let Some((d, rest)) = raw.split_once(['.', '/']) {
        let (m, y) = rest.split_once(['.', '/'])?;
        (y, m, d)
    } else {
        let mut parts = raw.splitn(3, '-');
        (parts.next()?, parts.next()?, parts.next()?)
    };
    if y.len() != 4 {
        return None;
    }
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    time::Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), Value::String(v));
    }
}

/// What the editor knows besides the posted fields: the employees a signer
/// may be picked from (id and printed name) and the library's choices.
#[derive(Debug, Default, Clone)]
pub struct Choices {
    /// The employees a signer row may name: id and "First Last" (those the
    /// rows name already; the full list is loaded on demand).
    pub employees: Vec<(EmployeeId, String)>,
    /// Where the picker loads every employee the user may see, row number
    /// appended (none where the user may not pick employees).
    pub all_employees_href: Option<String>,
    /// Job profile keys.
    pub job_profiles: Vec<String>,
    /// Qualification labels.
    pub qualifications: Vec<String>,
}

/// Reads the posted fields into one input per section, or the fields that
/// are wrong. Nothing is half read: with any problem, no input is returned.
///
/// # Errors
/// The problems, by field name.
pub fn section_inputs(fields: &Fields, choices: &Choices) -> Result<Vec<SectionInput>, Problems> {
    let mut r = Reader {
        fields,
        problems: Problems::new(),
    };
    let mut out: Vec<SectionInput> = Vec::new();

    let reasons: Vec<String> = ISSUE_REASONS.iter().map(key_of).collect();
    let mut data = Map::new();
    put(&mut data, "entry_date", r.date("data.entry_date"));
    put(&mut data, "exit_date", r.date("data.exit_date"));
    put(
        &mut data,
        "issue_reason",
        r.choice("data.issue_reason", &reasons),
    );
    out.push((Section::Data, Value::Object(data)));

    let salutations: Vec<String> = SALUTATIONS.iter().map(key_of).collect();
    let mut personal = Map::new();
    put(
        &mut personal,
        "salutation",
        r.choice("personal.salutation", &salutations),
    );
    put(&mut personal, "title", r.line("personal.title"));
    put(
        &mut personal,
        "first_name",
        r.required("personal.first_name"),
    );
    put(&mut personal, "last_name", r.required("personal.last_name"));
    put(&mut personal, "birth_date", r.date("personal.birth_date"));
    put(&mut personal, "birth_place", r.line("personal.birth_place"));
    out.push((Section::Personal, Value::Object(personal)));

    for section in [Section::Company, Section::Further, Section::Result] {
        let text = r.text(section.key());
        out.push((section, Value::String(text)));
    }

    let mut rd = Map::new();
    put(&mut rd, "heading", r.line("reference_data.heading"));
    put(&mut rd, "place", r.line("reference_data.place"));
    put(&mut rd, "date", r.date("reference_data.date"));
    out.push((Section::ReferenceData, Value::Object(rd)));

    let mut signers = Vec::new();
    for i in 0..6 {
        let employee_field = format!("signer.{i}.employee");
        let picked = fields.one(&employee_field).trim();
        let employee = if picked.is_empty() {
            None
        } else {
            let found = choices
                .employees
                .iter()
                .find(|(id, _)| id.to_string() == picked);
            if found.is_none() {
                r.flag(&employee_field, Problem::BadChoice, None);
            }
            found
        };
        let name = r
            .line(&format!("signer.{i}.name"))
            .or_else(|| employee.map(|(_, n)| n.clone()));
        let position = r.line(&format!("signer.{i}.position"));
        let Some(name) = name else {
            if position.is_some() {
                r.flag(&format!("signer.{i}.name"), Problem::Required, None);
            }
            continue;
        };
        let mut s = Map::new();
        if let Some((id, _)) = employee {
            s.insert("employee".into(), Value::String(id.to_string()));
        }
        s.insert("name".into(), Value::String(name));
        put(&mut s, "position", position);
        signers.push(Value::Object(s));
    }
    out.push((Section::Signatures, Value::Array(signers)));

    for section in LIST_SECTIONS {
        let lines = r.lines(section.key());
        out.push((section, json!(lines)));
    }

    let mut tasks = Map::new();
    put(&mut tasks, "position", r.line("tasks.position"));
    put(&mut tasks, "department", r.line("tasks.department"));
    put(
        &mut tasks,
        "job_profile",
        r.choice("tasks.job_profile", &choices.job_profiles),
    );
    tasks.insert("items".into(), json!(r.lines("tasks.items")));
    out.push((Section::Tasks, Value::Object(tasks)));

    let mut ratings = Map::new();
    for c in CRITERIA {
        if let Some(g) = r.grade(&format!("performance.{}", c.key())) {
            ratings.insert(c.key().to_owned(), json!(g));
        }
    }
    out.push((Section::Performance, json!({ "ratings": ratings })));

    let mut conduct = Map::new();
    for g in GROUPS {
        let key = group_key(g);
        if let Some(grade) = r.grade(&format!("conduct.{key}")) {
            conduct.insert(key, json!(grade));
        }
    }
    out.push((Section::Conduct, Value::Object(conduct)));

    let mut qualifications = Vec::new();
    for picked in fields.all("qualifications.pick") {
        if choices.qualifications.iter().any(|q| q == picked) {
            qualifications.push(picked.clone());
        } else {
            r.flag("qualifications", Problem::BadChoice, None);
        }
    }
    qualifications.extend(r.lines("qualifications"));
    if qualifications.len() > MAX_LINES {
        r.flag("qualifications", Problem::TooManyLines, None);
    }
    out.push((Section::Qualifications, json!(qualifications)));

    if r.problems.is_empty() {
        Ok(out)
    } else {
        Err(r.problems)
    }
}

/// The section a field belongs to (`personal.first_name` → personal,
/// `signer.0.name` → signatures).
#[must_use]
pub fn section_of_field(name: &str) -> Option<Section> {
    match name.split('.').next()? {
        "signer" => Some(Section::Signatures),
        head => Section::from_key(head),
    }
}

/// [`section_inputs`] for the sections in `only` (a link holder's writable
/// ones): the others are neither read nor checked.
///
/// # Errors
/// The problems of those sections' fields.
pub fn section_inputs_for(
    fields: &Fields,
    choices: &Choices,
    only: &[Section],
) -> Result<Vec<SectionInput>, Problems> {
    let wanted = |s: Option<Section>| s.is_some_and(|s| only.contains(&s));
    match section_inputs(fields, choices) {
        Ok(all) => Ok(all.into_iter().filter(|(s, _)| only.contains(s)).collect()),
        Err(problems) => {
            let mine: Problems = problems
                .into_iter()
                .filter(|(name, _)| wanted(section_of_field(name)))
                .collect();
            if !mine.is_empty() {
                return Err(mine);
            }
            // Only other sections were wrong: read ours with theirs blanked.
            let mut kept = fields.clone();
            kept.0
                .retain(|name, _| wanted(section_of_field(name)) || name == "csrf");
            kept.set("personal.first_name", "-");
            kept.set("personal.last_name", "-");
            section_inputs(&kept, choices)
                .map(|all| all.into_iter().filter(|(s, _)| only.contains(s)).collect())
        }
    }
}

/// The inputs that change something: an input equal to the section's stored
/// content, or empty where the section was never filled, is left out, so a
/// save touches (and logs) only what the user changed.
#[must_use]
pub fn changed_only(
    inputs: Vec<SectionInput>,
    stored: &zeugnis_core::reference::ReferenceContent,
) -> Vec<SectionInput> {
    inputs
        .into_iter()
        .filter(|(section, value)| {
            let Ok(new) = Form::from_json(*section, value.clone()) else {
                // Let the core name what is wrong.
                return true;
            };
            match stored.get(*section) {
                Some(content) => Form::parse(*section, content)
                    .map_or(true, |old| old.to_json() != new.to_json()),
                None => !is_empty(&new.to_json()),
            }
        })
        .collect()
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_empty),
        _ => false,
    }
}

/// A short fingerprint of a section's stored content ("-" when absent), so
/// that a save that meets a newer version can tell which sections changed
/// meanwhile.
#[must_use]
pub fn base_of(content: Option<&SectionContent>) -> String {
    use sha2::{Digest, Sha256};
    content.map_or_else(
        || "-".to_owned(),
        |c| {
            Sha256::digest(c.as_str().as_bytes())
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeugnis_core::reference::ReferenceContent;

    fn choices() -> Choices {
        Choices {
            employees: Vec::new(),
            all_employees_href: None,
            job_profiles: vec!["accountant".into()],
            qualifications: vec!["Teamfähigkeit".into()],
        }
    }

    fn posted(pairs: &[(&str, &str)]) -> Fields {
        Fields::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_holders_form_reads_only_their_sections() {
        let f = posted(&[
            ("performance.knowledge", "2"),
            ("achievements", "Neues Portal"),
            ("data.entry_date", "kein Datum"),
        ]);
        let only = [Section::Performance, Section::Achievements];
        let inputs = section_inputs_for(&f, &choices(), &only).unwrap();
        let mut sections: Vec<Section> = inputs.iter().map(|(s, _)| *s).collect();
        sections.sort();
        assert_eq!(sections, vec![Section::Performance, Section::Achievements]);
        let (_, performance) = inputs
            .iter()
            .find(|(s, _)| *s == Section::Performance)
            .unwrap();
        assert_eq!(performance["ratings"]["knowledge"], 2);
        let f = posted(&[("performance.knowledge", "9")]);
        let problems = section_inputs_for(&f, &choices(), &only).unwrap_err();
        assert_eq!(
            problems.keys().collect::<Vec<_>>(),
            ["performance.knowledge"]
        );
        assert_eq!(section_of_field("signer.1.name"), Some(Section::Signatures));
        assert_eq!(
            section_of_field("qualifications.pick"),
            Some(Section::Qualifications)
        );
    }

    #[test]
    fn dates_are_read_as_a_date_field_or_a_person_writes_them() {
        let d = time::Date::from_calendar_date(2026, time::Month::March, 31).unwrap();
        assert_eq!(parse_date("2026-03-31"), Some(d));
        assert_eq!(parse_date("31.03.2026"), Some(d));
        assert_eq!(parse_date("31.3.2026"), Some(d));
        assert_eq!(parse_date("31/03/2026"), Some(d));
        for bad in ["31.02.2026", "2026-3", "26-03-31", "morgen", "31.03.26"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_problem_is_named_by_its_field_and_nothing_is_returned() {
        let long = "x".repeat(Line::MAX_LEN + 1);
        let f = posted(&[
            ("personal.first_name", ""),
            ("personal.last_name", "Weiß"),
            ("data.entry_date", "32.01.2020"),
            ("career", &format!("Sachbearbeiterin\n\n{long}")),
            ("performance.knowledge", "7"),
            ("tasks.job_profile", "astronaut"),
        ]);
        let problems = section_inputs(&f, &choices()).unwrap_err();
        assert_eq!(
            problems.get("personal.first_name"),
            Some(&(Problem::Required, None))
        );
        assert_eq!(
            problems.get("data.entry_date"),
            Some(&(Problem::BadDate, None))
        );
        assert_eq!(
            problems.get("career"),
            Some(&(Problem::TooLong, Some(2))),
            "the second entry (blank lines are no entries)"
        );
        assert_eq!(
            problems.get("performance.knowledge"),
            Some(&(Problem::BadChoice, None))
        );
        assert_eq!(
            problems.get("tasks.job_profile"),
            Some(&(Problem::BadChoice, None))
        );
        assert_eq!(problems.len(), 5);
    }

    #[test]
    fn a_sections_fields_read_back_as_the_same_content() {
        let mut content = ReferenceContent::default();
        for (section, raw) in [
            (
                Section::Personal,
                r#"{"salutation":"frau","first_name":"Jürgen","last_name":"Weiß","birth_date":"1990-02-28"}"#,
            ),
            (
                Section::Data,
                r#"{"entry_date":"2019-03-01","issue_reason":"employee_resignation"}"#,
            ),
            (Section::Career, r#"["Sachbearbeiterin","Teamleiterin"]"#),
            (
                Section::Performance,
                r#"{"ratings":{"knowledge":2,"work_results":1}}"#,
            ),
            (Section::Conduct, r#"{"superiors":1,"colleagues":2}"#),
            (Section::Qualifications, r#"["Teamfähigkeit","Geduld"]"#),
            (
                Section::Signatures,
                r#"[{"name":"Greta Graf","position":"Leiterin Personal"}]"#,
            ),
            (Section::Result, "Frau Weiß war bei uns tätig."),
        ] {
            content.set(section, SectionContent::new(raw).unwrap());
        }
        let forms = Forms::from_content(&content).unwrap();
        let fields = fields_of(&forms, &choices().qualifications, |d| {
            format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
        });
        assert_eq!(fields.all("qualifications.pick"), ["Teamfähigkeit"]);
        assert_eq!(fields.one("qualifications"), "Geduld");
        let inputs = section_inputs(&fields, &choices()).unwrap();
        assert!(
            changed_only(inputs, &content).is_empty(),
            "reading the fields back changes nothing"
        );
        // One changed grade is one changed section.
        let mut changed = fields.clone();
        changed.set("performance.knowledge", "3");
        let inputs = changed_only(section_inputs(&changed, &choices()).unwrap(), &content);
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].0, Section::Performance);
    }

    #[test]
    fn a_signer_picked_from_the_employees_is_printed_with_their_name() {
        let id: EmployeeId = "0123456789abcdef0123456789abcdef".parse().unwrap();
        let c = Choices {
            employees: vec![(id, "Greta Graf".into())],
            ..choices()
        };
        let f = posted(&[
            ("personal.first_name", "A"),
            ("personal.last_name", "B"),
            ("signer.0.employee", &id.to_string()),
            ("signer.0.position", "Leiterin Personal"),
            ("signer.1.position", "Geschäftsführer"),
        ]);
        let problems = section_inputs(&f, &c).unwrap_err();
        assert_eq!(
            problems.get("signer.1.name"),
            Some(&(Problem::Required, None)),
            "a function without a name"
        );
        let f = posted(&[
            ("personal.first_name", "A"),
            ("personal.last_name", "B"),
            ("signer.0.employee", &id.to_string()),
        ]);
        let inputs = section_inputs(&f, &c).unwrap();
        let (_, signers) = inputs
            .iter()
            .find(|(s, _)| *s == Section::Signatures)
            .unwrap();
        assert_eq!(signers[0]["name"], "Greta Graf");
        assert_eq!(signers[0]["employee"], id.to_string());
    }

    fn list(entries: &[&str]) -> Fields {
        Fields::from_pairs(
            entries
                .iter()
                .map(|e| ("career".to_owned(), (*e).to_owned()))
                .chain([("csrf".to_owned(), "t".to_owned())])
                .collect(),
        )
    }

    #[test]
    fn a_list_moves_removes_and_adds_entries_and_keeps_the_focus() {
        let cases: [(&str, &[&str], usize); 6] = [
            ("list:career:1:up", &["B", "A", "C"], 0),
            ("list:career:1:down", &["A", "C", "B"], 2),
            ("list:career:0:up", &["A", "B", "C"], 0),
            ("list:career:2:down", &["A", "B", "C"], 2),
            ("list:career:2:remove", &["A", "B"], 2),
            ("list:career:add", &["A", "B", "C"], 3),
        ];
        for (step, expected, focus) in cases {
            // The empty field for the next entry comes along and is dropped.
            let mut f = list(&["A", "B", "C", ""]);
            assert!(f.rearrange(step), "{step}");
            assert_eq!(f.entries("career"), expected, "{step}");
            assert_eq!(f.focus("career"), Some(focus), "{step}");
            assert_eq!(f.focus("training"), None);
            assert_eq!(f.one("csrf"), "t", "the rest of the form stays");
        }
        // What names no list, no step or no entry is not a list's button.
        for step in [
            "save",
            "list:",
            "list:csrf:0:up",
            "list:career:x:up",
            "list:career:0:sideways",
            "list:career",
        ] {
            let mut f = list(&["A", "B"]);
            assert!(!f.rearrange(step), "{step}");
            assert_eq!(f.entries("career"), ["A", "B"]);
        }
        // An entry past the end moves nothing.
        let mut f = list(&["A", "B"]);
        assert!(f.rearrange("list:career:7:remove"));
        assert_eq!(f.entries("career"), ["A", "B"]);
        // A value with line breaks (a form without rows) is one entry a line.
        assert_eq!(list(&["A\nB", " ", "C"]).entries("career"), ["A", "B", "C"]);
    }
}
