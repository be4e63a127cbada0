//! Pages against the JSON API they share services with: the reference list
//! (first page, 50 rows) and the editor, on SQLite with 100,000 references.
//!
//! Builds and starts the real server (`target/release/zeugnis serve` on a free
//! port, in a temporary data directory), sets up an organisation and logs in
//! as its first Administrator. The data generator is the API itself and is
//! reproducible: `PAGES_REFERENCES` references (100,000) for one employee per
//! 50 references, the employees spread over five locations, final and interim
//! alternating; one further reference with every rated section filled and its
//! text generated is the one the editor shows. Then, `PAGES_ROUNDS` times
//! (200), in alternating order, one request each of:
//!
//! - the list page `GET /references` against `GET /api/v1/references?limit=50`
//!   (both: the first 50 visible references with their employee's name and
//!   holder, through `ReferenceService::list`);
//! - the editor `GET /references/{id}` against `GET /api/v1/references/{id}`
//!   plus `GET /api/v1/references/{id}/history` (what the editor shows besides
//!   the library's sentences: the reference and its history).
//!
//! It reports p50 and p95 of each, and the ratio API p95 / page p95 (the goal
//! is ≥ 0.8: a page costs no more than 1.25 times the API it shares services
//! with). Printed and written as JSON to `target/pages-render.json`
//! (`PAGES_OUTPUT` names another file). Numbers are printed, never asserted.
//!
//! `cargo bench -p zeugnis-app --bench pages`;
//! `PAGES_REFERENCES=5000 PAGES_ROUNDS=50 cargo bench -p zeugnis-app --bench pages`
//! for a quick run.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark binary: printing its report and progress is its purpose"
)]

#[path = "support/mod.rs"]
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use serde_json::{Value, json};

use support::{
    Hr, Res, ServerProcess, build_server, client, env, expect_status, number, round2, seed,
    target_dir, write_report,
};

/// References per employee.
const PER_EMPLOYEE: u64 = 50;
/// Requests in flight while generating.
const WRITERS: u64 = 16;
const LOCATIONS: [&str; 5] = ["Hamburg", "Köln", "München", "Leipzig", "Bonn"];

struct Api {
    http: reqwest::Client,
    base: String,
    hr: Hr,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Res<Value> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .header("cookie", &self.hr.cookie)
            .header("x-csrf-token", &self.hr.csrf);
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req
            .send()
            .await
            .with_context(|| format!("{method} {path}"))?;
        let wanted = if method == reqwest::Method::POST && !path.ends_with("/generate") {
            201
        } else {
            200
        };
        expect_status(r, wanted, &format!("{method} {path}")).await
    }

    /// One GET, timed to the last byte of the body.
    async fn timed(&self, path: &str) -> Res<Duration> {
        let started = Instant::now();
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.hr.cookie)
            .send()
            .await
            .with_context(|| format!("GET {path}"))?;
        let status = r.status().as_u16();
        let body = r.bytes().await?;
        let took = started.elapsed();
        if status != 200 {
            return Err(anyhow!("GET {path}: {status} ({} bytes)", body.len()));
        }
        Ok(took)
    }
}

fn id_of(v: &Value) -> Res<String> {
    v.get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no id in {v}"))
}

/// Employee `n` and its references.
async fn write_employee(api: &Api, n: u64, references: u64) -> Res<()> {
    let location = LOCATIONS
        .get(usize::try_from(n % 5).unwrap_or_default())
        .copied()
        .unwrap_or("Hamburg");
    let employee = api
        .send(
            reqwest::Method::POST,
            "/api/v1/employees",
            Some(&json!({
                "salutation": if n.is_multiple_of(2) { "frau" } else { "herr" },
                "first_name": format!("Vorname{n}"),
                "last_name": format!("Nachname{n}"),
                "birth_date": "1985-05-05",
                "entry_date": "2015-01-01",
                "job_descriptions": ["Sachbearbeitung"],
                "location": location,
                "department": "Verwaltung",
            })),
        )
        .await?;
    let id = id_of(&employee)?;
    for k in 0..references {
        api.send(
            reqwest::Method::POST,
            "/api/v1/references",
            Some(&json!({
                "employee_id": id,
                "kind": if k.is_multiple_of(2) { "final" } else { "interim" },
            })),
        )
        .await?;
    }
    Ok(())
}

async fn generate(api: Arc<Api>, references: u64) -> Res<()> {
    let employees = references.div_ceil(PER_EMPLOYEE);
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..WRITERS {
        let (api, next) = (Arc::clone(&api), Arc::clone(&next));
        workers.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= employees {
                    return Ok::<(), anyhow::Error>(());
                }
                let count = PER_EMPLOYEE.min(references - n * PER_EMPLOYEE);
                write_employee(&api, n, count).await?;
                if n.is_multiple_of(200) {
                    eprintln!("pages: {} of {employees} employees written", n + 1);
                }
            }
        });
    }
    while let Some(done) = workers.join_next().await {
        done??;
    }
    Ok(())
}

/// The reference the editor shows: every rated section filled, the text
/// generated.
async fn filled(api: &Api) -> Res<String> {
    let employee = api
        .send(
            reqwest::Method::POST,
            "/api/v1/employees",
            Some(&json!({
                "salutation": "frau", "first_name": "Jördis", "last_name": "Weißgerber",
                "birth_date": "1988-07-14", "entry_date": "2016-04-01",
                "exit_date": "2025-09-30", "exit_reason": "employee_resignation",
                "job_descriptions": ["Sachbearbeiterin Einkauf"], "location": "Hamburg",
            })),
        )
        .await?;
    let reference = api
        .send(
            reqwest::Method::POST,
            "/api/v1/references",
            Some(&json!({"employee_id": id_of(&employee)?, "kind": "final"})),
        )
        .await?;
    let id = id_of(&reference)?;
    api.send(
        reqwest::Method::PUT,
        &format!("/api/v1/references/{id}/sections"),
        Some(&json!({"sections": {
            "company": "Die Bench GmbH plant und baut Holzhäuser.",
            "tasks": {"position": "Sachbearbeiterin Einkauf", "items": [
                "Auswahl und Bewertung von Lieferanten", "Verhandlung von Rahmenverträgen",
                "Bestellabwicklung", "Reklamationsmanagement"]},
            "performance": {"ratings": {"willingness": 1, "ability": 2, "knowledge": 2,
                "further_training": 2, "working_style": 1, "work_results": 2, "attributes": 1}},
            "conduct": {"superiors": 1, "colleagues": 1, "customers": 2},
            "qualifications": ["Teamfähigkeit", "Belastbarkeit"],
            "achievements": ["Einführung eines digitalen Bestellwesens"],
        }})),
    )
    .await?;
    api.send(
        reqwest::Method::POST,
        &format!("/api/v1/references/{id}/generate"),
        Some(&json!({"force": false})),
    )
    .await?;
    Ok(id)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let last = sorted.len() - 1;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short list"
    )]
    let at = ((last as f64) * p).round() as usize;
    sorted
        .get(at.min(last))
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn summary(mut samples: Vec<Duration>) -> Value {
    samples.sort();
    json!({
        "p50_ms": round2(percentile(&samples, 0.5)),
        "p95_ms": round2(percentile(&samples, 0.95)),
        "samples": samples.len(),
    })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Res<()> {
    let references: u64 = match env("PAGES_REFERENCES") {
        Some(raw) => number("PAGES_REFERENCES", &raw)?,
        None => 100_000,
    };
    let rounds: u64 = match env("PAGES_ROUNDS") {
        Some(raw) => number("PAGES_ROUNDS", &raw)?,
        None => 200,
    };
    let output = env("PAGES_OUTPUT").map_or_else(
        || target_dir().join("pages-render.json"),
        std::path::PathBuf::from,
    );
    let binary = build_server("pages")?;
    let server = ServerProcess::start(&binary, &[])?;
    let http = client(Some(64))?;
    let hr = seed(&server, &http).await?;
    let api = Arc::new(Api {
        http,
        base: server.url(""),
        hr,
    });

    let started = Instant::now();
    generate(Arc::clone(&api), references).await?;
    let editor_id = filled(&api).await?;
    let generation = started.elapsed();
    eprintln!(
        "pages: {references} references written in {:.0} s",
        generation.as_secs_f64()
    );

    let list_page = "/references".to_owned();
    let list_api = "/api/v1/references?limit=50".to_owned();
    let editor_page = format!("/references/{editor_id}");
    let editor_api = format!("/api/v1/references/{editor_id}");
    let history_api = format!("/api/v1/references/{editor_id}/history");
    // Warm up once each.
    for p in [
        &list_page,
        &list_api,
        &editor_page,
        &editor_api,
        &history_api,
    ] {
        api.timed(p).await?;
    }
    let (mut lp, mut la, mut ep, mut ea) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        if round.is_multiple_of(2) {
            lp.push(api.timed(&list_page).await?);
            la.push(api.timed(&list_api).await?);
            ep.push(api.timed(&editor_page).await?);
            ea.push(api.timed(&editor_api).await? + api.timed(&history_api).await?);
        } else {
            la.push(api.timed(&list_api).await?);
            lp.push(api.timed(&list_page).await?);
            ea.push(api.timed(&editor_api).await? + api.timed(&history_api).await?);
            ep.push(api.timed(&editor_page).await?);
        }
    }
    let (lp, la, ep, ea) = (summary(lp), summary(la), summary(ep), summary(ea));
    let ratio = |api: &Value, page: &Value| {
        let p = page["p95_ms"].as_f64().unwrap_or(0.0);
        let a = api["p95_ms"].as_f64().unwrap_or(0.0);
        round2(if p > 0.0 { a / p } else { 0.0 })
    };
    let report = json!({
        "references": references,
        "rounds": rounds,
        "generation_seconds": round2(generation.as_secs_f64()),
        "list": {"page": lp, "api": la, "api_p95_over_page_p95": ratio(&la, &lp)},
        "editor": {"page": ep, "api": ea, "api_p95_over_page_p95": ratio(&ea, &ep)},
        "goal": "api_p95_over_page_p95 >= 0.8",
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    write_report(&output, &report)?;
    drop(server);
    Ok(())
}
