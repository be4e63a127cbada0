//! P1: a handover read next to a bare endpoint of the same server, under `wrk`.
//!
//! Builds and starts the real server (`target/release/zeugnis serve` on a free
//! port, in a temporary data directory), sets up an organisation and its first
//! Administrator, logs in as them, and writes a final reference of about two
//! printed pages: an employee, every section filled (a dozen tasks, ratings for
//! every criterion, achievements, …), the text generated. It hands the
//! reference over (some sections `read`, some `write`, the rest hidden), takes
//! the link from the mail the server wrote to `data/mail/` (no SMTP server is
//! configured), opens it and keeps the handover session cookie.
//!
//! Then `wrk` (Debian package `wrk`) runs on loopback, with the same threads,
//! connections and duration each time:
//!
//! 1. `GET /health`: the bare endpoint (no session, no database);
//! 2. `GET /api/v1/handover` with the handover cookie: session check, handover
//!    and reference loaded, the reference decrypted, the matrix applied, JSON;
//! 3. `GET /health` again.
//!
//! The baseline is the mean of the two bare runs; the target is handover
//! requests per second ≥ 0.5 × baseline. Settings: `P1_SECONDS` (10),
//! `P1_CONNECTIONS` (32), `P1_THREADS` (2), or as arguments
//! (`cargo bench -p zeugnis-app --bench handover_read -- --seconds 5
//! --connections 16 --threads 1`). The report is printed and written as JSON
//! to `target/p1-handover-read.json` (`P1_OUTPUT` names another file). A run in
//! which `wrk` saw answers other than 2xx/3xx or socket errors is flagged.
//! Numbers are printed, never asserted.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark binary: printing its report and progress is its purpose"
)]

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use serde_json::{Value, json};

use support::{
    Hr, ORGANISATION, PATIENCE, Res, SLUG, ServerProcess, arguments, build_server, client,
    cookie_pair, env, expect_status, f, number, round2, seed, target_dir, u, write_report,
};

/// Target: handover requests per second relative to the bare endpoint.
const RATIO_TARGET: f64 = 0.5;
const BARE_PATH: &str = "/health";
const HANDOVER_PATH: &str = "/api/v1/handover";

/// Access per section in the handover; sections not named are hidden.
const READ_SECTIONS: [&str; 11] = [
    "data",
    "personal",
    "company",
    "reference_data",
    "career",
    "stations",
    "tasks",
    "additional_tasks",
    "training",
    "qualifications",
    "achievements",
];
const WRITE_SECTIONS: [&str; 3] = ["performance", "conduct", "result"];
const HIDDEN_SECTIONS: [&str; 3] = ["further", "signatures", "powers"];

#[derive(Debug, Clone)]
struct Settings {
    seconds: u64,
    connections: u64,
    threads: u64,
    output: PathBuf,
}

fn settings() -> Res<Settings> {
    let mut seconds = env("P1_SECONDS").unwrap_or_else(|| "10".into());
    let mut connections = env("P1_CONNECTIONS").unwrap_or_else(|| "32".into());
    let mut threads = env("P1_THREADS").unwrap_or_else(|| "2".into());
    arguments(&mut [
        ("--seconds", &mut seconds),
        ("--connections", &mut connections),
        ("--threads", &mut threads),
    ])?;
    let output =
        env("P1_OUTPUT").map_or_else(|| target_dir().join("p1-handover-read.json"), PathBuf::from);
    let settings = Settings {
        seconds: number("P1_SECONDS", &seconds)?,
        connections: number("P1_CONNECTIONS", &connections)?,
        threads: number("P1_THREADS", &threads)?,
        output,
    };
    if settings.seconds == 0 || settings.threads == 0 {
        bail!("P1_SECONDS and P1_THREADS must be at least 1");
    }
    if settings.connections < settings.threads {
        bail!("P1_CONNECTIONS must be at least P1_THREADS (wrk needs a connection per thread)");
    }
    Ok(settings)
}

/// The first line of `wrk -v` (`wrk 4.1.0 [epoll] …`); an error telling how to
/// install it when it is missing.
fn wrk_version() -> Res<String> {
    let output = match Command::new("wrk").arg("-v").stdin(Stdio::null()).output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("P1 needs `wrk` on the PATH (Debian/Ubuntu: `apt-get install wrk`)")
        }
        Err(e) => return Err(e).context("cannot run wrk"),
    };
    // `wrk -v` prints its version and usage and exits with 1.
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    Ok(text
        .lines()
        .find(|l| l.starts_with("wrk "))
        .and_then(|l| l.split(" Copyright").next())
        .unwrap_or("wrk (version unknown)")
        .trim()
        .to_owned())
}

/// Ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`; 100 if unknown).
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .stdin(Stdio::null())
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .filter(|t: &f64| *t > 0.0)
        .unwrap_or(100.0)
}

/// CPU time (user + system) the process used so far, in ticks.
fn cpu_ticks(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name in parentheses: state (field 3), …, utime (14),
    // stime (15).
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some(user + system)
}

/// A state-changing request as the Administrator; the answer's JSON.
async fn hr_send(
    server: &ServerProcess,
    http: &reqwest::Client,
    hr: &Hr,
    method: reqwest::Method,
    path: &str,
    body: &Value,
    wanted: u16,
) -> Res<Value> {
    let response = http
        .request(method.clone(), server.url(path))
        .header(reqwest::header::COOKIE, &hr.cookie)
        .header("X-CSRF-Token", &hr.csrf)
        .json(body)
        .send()
        .await
        .with_context(|| format!("{method} {path} failed"))?;
    expect_status(response, wanted, &format!("{method} {path}")).await
}

fn id_of(answer: &Value, what: &str) -> Res<String> {
    answer
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("{what}: the answer has no id: {answer}"))
}

/// The content of a final reference of about two printed pages.
fn sections() -> Value {
    json!({
        "company": "Die Bench GmbH entwickelt und fertigt mit rund 250 Beschäftigten an zwei \
            Standorten Präzisionswerkzeuge für die Automobil- und Luftfahrtindustrie. \
            Der Bereich Finanzen verantwortet Buchhaltung, Controlling und Treasury \
            für die Gesellschaft und ihre beiden Tochterunternehmen.",
        "further": "Frau Dr. Weiß hat die Einführung des neuen ERP-Systems im Bereich Finanzen \
            als Key-Userin begleitet.",
        "reference_data": {"heading": "Arbeitszeugnis", "place": "Köln", "date": "2026-03-31"},
        "signatures": [
            {"name": "Ada Admin", "position": "Leiterin Personal"},
            {"name": "Bernd Becker", "position": "Leiter Finanzen"}
        ],
        "career": [
            "Sachbearbeiterin Kreditorenbuchhaltung (04/2019 – 12/2020)",
            "Buchhalterin (01/2021 – 06/2022)",
            "Bilanzbuchhalterin und stellvertretende Teamleiterin (seit 07/2022)"
        ],
        "stations": [
            "Kreditorenbuchhaltung",
            "Debitorenbuchhaltung und Mahnwesen",
            "Hauptbuch und Anlagenbuchhaltung",
            "Controlling (Projekt Kostenstellenrechnung, 6 Monate)"
        ],
        "tasks": {
            "position": "Bilanzbuchhalterin",
            "department": "Finanzen",
            "job_profile": "accountant",
            "items": [
                "Erstellung der Monats-, Quartals- und Jahresabschlüsse nach HGB",
                "Führung des Hauptbuchs und Abstimmung der Nebenbücher",
                "Kontierung und Buchung laufender Geschäftsvorfälle",
                "Betreuung der Anlagenbuchhaltung einschließlich Abschreibungen",
                "Vorbereitung und Abgabe der Umsatzsteuer-Voranmeldungen",
                "Abstimmung der Intercompany-Verrechnungen mit den Tochtergesellschaften",
                "Überwachung des Zahlungsverkehrs und der Liquiditätsplanung",
                "Zusammenarbeit mit Wirtschaftsprüfern und Steuerberatern",
                "Erstellung von Auswertungen und Berichten für die Geschäftsführung",
                "Pflege der Stammdaten von Kreditoren und Debitoren",
                "Einarbeitung und fachliche Anleitung neuer Kolleginnen und Kollegen",
                "Mitarbeit bei der Weiterentwicklung interner Kontrollen und Prozesse"
            ]
        },
        "additional_tasks": [
            "Ausbildungsbeauftragte für Auszubildende zur Industriekauffrau",
            "Key-Userin für das Finanzmodul des ERP-Systems",
            "Mitglied des Arbeitskreises Digitalisierung"
        ],
        "training": [
            "Geprüfte Bilanzbuchhalterin (IHK), 2022",
            "Internationale Rechnungslegung nach IFRS, 2023",
            "Umsatzsteuer im Binnenmarkt, 2024",
            "Führen ohne Vorgesetztenfunktion, 2024"
        ],
        "performance": {"ratings": {
            "willingness": 1, "ability": 1, "knowledge": 1, "further_training": 2,
            "working_style": 1, "work_results": 1, "leadership": 2,
            "conduct_internal": 1, "conduct_external": 1, "final_exam": 2, "attributes": 1
        }},
        "conduct": {"superiors": 1, "colleagues": 1, "customers": 1},
        "qualifications": [
            "Teamfähigkeit",
            "Zuverlässigkeit",
            "Analytisches Denkvermögen",
            "Sicherer Umgang mit SAP FI und Excel",
            "Verhandlungssicheres Englisch"
        ],
        "achievements": [
            "Einführung des elektronischen Rechnungseingangs mit einer Durchlaufzeit von zwei statt zehn Tagen",
            "Verkürzung des Monatsabschlusses von acht auf vier Arbeitstage",
            "Reibungslose Umstellung der Anlagenbuchhaltung auf das neue ERP-System",
            "Aufbau eines Berichtswesens zur Liquidität für die Geschäftsführung",
            "Prüfungen ohne Beanstandungen in allen Jahresabschlüssen seit 2021"
        ]
    })
}

/// What the handover read returns, checked before any timing.
#[derive(Debug)]
struct Prepared {
    /// `zeugnis-handover=<token>`.
    cookie: String,
    /// Size of one `GET /api/v1/handover` answer.
    response_bytes: usize,
    /// Section keys in the answer.
    sections: Vec<String>,
    /// Those of them the holder may write.
    writable: Vec<String>,
    /// Characters of the generated text.
    text_chars: usize,
    /// Characters of all section contents the HR view holds.
    content_chars: usize,
}

/// The link `/t/bench/h/<id>/<secret>` in a mail; quoted-printable soft line
/// breaks are joined first.
fn link_in_mail(raw: &str) -> Option<(String, String)> {
    let joined = raw
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let marker = format!("/t/{SLUG}/h/");
    joined.match_indices(&marker).find_map(|(at, _)| {
        let rest = joined.get(at + marker.len()..)?;
        let id: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        let rest = rest.get(id.len()..)?.strip_prefix('/')?;
        let secret: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        (id.len() == 32 && secret.len() == 32).then_some((id, secret))
    })
}

/// Waits for the outbox to write the handover mail; its link.
async fn handover_link(server: &ServerProcess) -> Res<(String, String)> {
    let dir = server.mail_dir();
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "eml")
                    && let Some(link) = std::fs::read_to_string(&path)
                        .ok()
                        .as_deref()
                        .and_then(link_in_mail)
                {
                    return Ok(link);
                }
            }
        }
        if Instant::now() > deadline {
            bail!(
                "no mail with a handover link appeared in {} (see [delivery] in the configuration)",
                dir.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Employee, reference, sections, text, handover; the link opened.
async fn prepare(server: &ServerProcess, http: &reqwest::Client, hr: &Hr) -> Res<Prepared> {
    use reqwest::Method;
    let employee = hr_send(
        server,
        http,
        hr,
        Method::POST,
        "/api/v1/employees",
        &json!({
            "salutation": "frau", "title": "Dr.", "first_name": "Jana", "last_name": "Weiß",
            "birth_date": "1990-02-28", "birth_place": "Köln",
            "street": "Domstraße 12", "postcode": "50668", "city": "Köln",
            "email": "jana.weiss@bench.example",
            "entry_date": "2019-04-01", "exit_date": "2026-03-31",
            "exit_reason": "employee_resignation",
            "job_descriptions": ["Bilanzbuchhalterin"],
            "powers_of_attorney": [{"kind": "Handlungsvollmacht", "since": "2022-07-01"}],
            "company": ORGANISATION, "location": "Köln", "department": "Finanzen",
        }),
        201,
    )
    .await?;
    let employee = id_of(&employee, "POST /api/v1/employees")?;
    let reference = hr_send(
        server,
        http,
        hr,
        Method::POST,
        "/api/v1/references",
        &json!({ "employee_id": employee, "kind": "final" }),
        201,
    )
    .await?;
    let reference = id_of(&reference, "POST /api/v1/references")?;
    hr_send(
        server,
        http,
        hr,
        Method::PUT,
        &format!("/api/v1/references/{reference}/sections"),
        &json!({ "sections": sections() }),
        200,
    )
    .await?;
    let generated = hr_send(
        server,
        http,
        hr,
        Method::POST,
        &format!("/api/v1/references/{reference}/generate"),
        &json!({ "force": false }),
        200,
    )
    .await?;
    if generated.get("outcome").and_then(Value::as_str) != Some("written") {
        bail!("generating the text did not write it: {generated}");
    }
    let full = http
        .get(server.url(&format!("/api/v1/references/{reference}")))
        .header(reqwest::header::COOKIE, &hr.cookie)
        .send()
        .await
        .context("GET /api/v1/references/{id} failed")?;
    let full = expect_status(full, 200, "GET /api/v1/references/{id}").await?;
    let text_chars = full
        .pointer("/sections/result")
        .and_then(Value::as_str)
        .map_or(0, |t| t.chars().count());
    let content_chars = full
        .get("sections")
        .and_then(Value::as_object)
        .map_or(0, |s| {
            s.values()
                .map(|v| match v {
                    Value::String(t) => t.chars().count(),
                    other => other.to_string().chars().count(),
                })
                .sum()
        });

    let matrix: serde_json::Map<String, Value> = READ_SECTIONS
        .iter()
        .map(|k| ((*k).to_owned(), json!("read")))
        .chain(
            WRITE_SECTIONS
                .iter()
                .map(|k| ((*k).to_owned(), json!("write"))),
        )
        .collect();
    hr_send(
        server,
        http,
        hr,
        Method::POST,
        &format!("/api/v1/references/{reference}/handovers"),
        &json!({
            "recipient_name": "Bernd Becker",
            "recipient_email": "bernd.becker@bench.example",
            "sections": matrix,
            "download": false,
        }),
        201,
    )
    .await?;
    let (id, secret) = handover_link(server).await?;
    let opened = http
        .post(server.url(&format!("/api/v1/links/{SLUG}/{id}/{secret}")))
        .send()
        .await
        .context("opening the handover link failed")?;
    let cookie = cookie_pair(&opened, "zeugnis-handover")
        .ok_or_else(|| anyhow!("opening the link set no zeugnis-handover cookie"))?;
    expect_status(opened, 200, "POST /api/v1/links/{slug}/{id}/{secret}").await?;

    // The read the benchmark times, once, checked.
    let read = http
        .get(server.url(HANDOVER_PATH))
        .header(reqwest::header::COOKIE, &cookie)
        .send()
        .await
        .context("GET /api/v1/handover failed")?;
    let status = read.status().as_u16();
    let body = read.bytes().await.context("reading the handover answer")?;
    if status != 200 {
        bail!(
            "GET {HANDOVER_PATH}: expected 200, got {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let view: Value = serde_json::from_slice(&body).context("the handover answer is not JSON")?;
    let listed = view
        .get("sections")
        .and_then(Value::as_array)
        .ok_or_else(|| anyhow!("the handover answer has no sections: {view}"))?;
    let key = |s: &Value| s.get("key").and_then(Value::as_str).map(str::to_owned);
    let sections: Vec<String> = listed.iter().filter_map(key).collect();
    let writable: Vec<String> = listed
        .iter()
        .filter(|s| s.get("writable").and_then(Value::as_bool) == Some(true))
        .filter_map(key)
        .collect();
    let mut expected: Vec<&str> = READ_SECTIONS
        .iter()
        .chain(&WRITE_SECTIONS)
        .copied()
        .collect();
    expected.sort_unstable();
    let mut got: Vec<&str> = sections.iter().map(String::as_str).collect();
    got.sort_unstable();
    if got != expected {
        bail!("the handover shows the sections {got:?}, expected {expected:?}");
    }
    if let Some(hidden) = HIDDEN_SECTIONS.iter().find(|h| got.contains(h)) {
        bail!("the handover shows the hidden section {hidden}");
    }
    let mut writable_sorted: Vec<&str> = writable.iter().map(String::as_str).collect();
    writable_sorted.sort_unstable();
    let mut write_expected = WRITE_SECTIONS.to_vec();
    write_expected.sort_unstable();
    if writable_sorted != write_expected {
        bail!("the handover marks {writable_sorted:?} writable, expected {write_expected:?}");
    }
    if let Some(empty) = listed
        .iter()
        .find(|s| s.get("content").is_none_or(Value::is_null))
    {
        bail!("a section of the handover has no content: {empty}");
    }
    Ok(Prepared {
        cookie,
        response_bytes: body.len(),
        sections,
        writable,
        text_chars,
        content_chars,
    })
}

/// A duration as wrk prints it (`412.35us`, `1.20ms`, `2.00s`, `1.00m`) in ms.
fn wrk_ms(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    let split = raw.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = raw.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match unit {
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "m" => 60_000.0,
        "h" => 3_600_000.0,
        _ => return None,
    };
    Some(round3(number * factor))
}

/// What one wrk run reported.
fn parse_wrk(output: &str) -> Res<Value> {
    let mut latency = serde_json::Map::new();
    let mut requests = None;
    let mut duration_s = None;
    let mut rps = None;
    let mut non_2xx: u64 = 0;
    let mut socket_errors = json!({"connect": 0, "read": 0, "write": 0, "timeout": 0});
    let mut transfer = Value::Null;
    for line in output.lines() {
        let line = line.trim();
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Latency", avg, stdev, max, _] => {
                latency.insert("avg_ms".into(), json!(wrk_ms(avg)));
                latency.insert("stdev_ms".into(), json!(wrk_ms(stdev)));
                latency.insert("max_ms".into(), json!(wrk_ms(max)));
            }
            [pct, value] if pct.ends_with('%') && wrk_ms(value).is_some() => {
                let name = format!("p{}_ms", pct.trim_end_matches('%'));
                latency.insert(name, json!(wrk_ms(value)));
            }
            [n, "requests", "in", took, ..] => {
                requests = n.parse::<u64>().ok();
                duration_s = wrk_ms(took.trim_end_matches(',')).map(|ms| ms / 1000.0);
            }
            ["Requests/sec:", n] => rps = n.parse::<f64>().ok(),
            ["Transfer/sec:", t] => transfer = json!(t),
            _ => {}
        }
        if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non_2xx = n.trim().parse().context("wrk's non-2xx count")?;
        }
        if let Some(errors) = line.strip_prefix("Socket errors:") {
            for part in errors.split(',') {
                let mut kv = part.split_whitespace();
                if let (Some(k), Some(v)) = (kv.next(), kv.next())
                    && let Some(slot) = socket_errors.get_mut(k)
                {
                    *slot = json!(v.parse::<u64>().unwrap_or(0));
                }
            }
        }
    }
    let (Some(requests), Some(rps)) = (requests, rps) else {
        bail!("cannot read wrk's output:\n{output}");
    };
    let socket_total: u64 = socket_errors
        .as_object()
        .map_or(0, |o| o.values().filter_map(Value::as_u64).sum());
    Ok(json!({
        "requests": requests,
        "duration_s": duration_s,
        "requests_per_second": rps,
        "transfer_per_second": transfer,
        "latency": latency,
        "non_2xx_or_3xx": non_2xx,
        "socket_errors": socket_errors,
        "errors": non_2xx + socket_total,
    }))
}

/// One `wrk` run against `path`; its numbers with the server's CPU use.
async fn run_wrk(
    settings: &Settings,
    server: &ServerProcess,
    name: &str,
    path: &str,
    cookie: Option<&str>,
    ticks_per_second: f64,
) -> Res<Value> {
    let mut command = tokio::process::Command::new("wrk");
    command
        .arg(format!("-t{}", settings.threads))
        .arg(format!("-c{}", settings.connections))
        .arg(format!("-d{}s", settings.seconds))
        .arg("--latency");
    if let Some(cookie) = cookie {
        command.arg("-H").arg(format!("Cookie: {cookie}"));
    }
    command
        .arg(server.url(path))
        .stdin(Stdio::null())
        .kill_on_drop(true);
    eprintln!(
        "P1: wrk -t{} -c{} -d{}s --latency GET {path} ({name})",
        settings.threads, settings.connections, settings.seconds
    );
    let cpu_before = cpu_ticks(server.pid());
    let started = Instant::now();
    let output = command.output().await.context("cannot run wrk")?;
    let wall = started.elapsed().as_secs_f64();
    let cpu_after = cpu_ticks(server.pid());
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "wrk failed ({}):\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let mut run = parse_wrk(&stdout)?;
    let server_cpu_s = match (cpu_before, cpu_after) {
        (Some(a), Some(b)) => Some((b - a) / ticks_per_second),
        _ => None,
    };
    if let Some(object) = run.as_object_mut() {
        object.insert("name".into(), json!(name));
        object.insert("path".into(), json!(path));
        object.insert("server_cpu_seconds".into(), json!(server_cpu_s.map(round3)));
        object.insert(
            "server_cpu_percent".into(),
            json!(server_cpu_s.map(|s| round2(s / wall.max(f64::EPSILON) * 100.0))),
        );
        object.insert("wrk_output".into(), json!(stdout));
    }
    Ok(run)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn print_report(report: &Value) {
    println!();
    println!(
        "P1 handover read — {}, -t{} -c{} -d{}s --latency on loopback; {} CPUs shared by wrk and the server",
        report
            .pointer("/settings/wrk")
            .and_then(Value::as_str)
            .unwrap_or("wrk"),
        u(report, "/settings/threads"),
        u(report, "/settings/connections"),
        u(report, "/settings/seconds"),
        u(report, "/machine/cpus"),
    );
    println!(
        "  the read: {} sections ({} writable, {} hidden), {} bytes of JSON; generated text {} characters",
        report
            .pointer("/handover/sections")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
        report
            .pointer("/handover/writable")
            .and_then(Value::as_array)
            .map_or(0, Vec::len),
        HIDDEN_SECTIONS.len(),
        u(report, "/handover/response_bytes"),
        u(report, "/handover/text_chars"),
    );
    let runs = report
        .get("runs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for run in &runs {
        println!(
            "  {:<30} {:>10.1} req/s  avg {:>7.3} ms  p50 {:>7.3}  p75 {:>7.3}  p90 {:>7.3}  p99 {:>7.3}  max {:>8.3} ms  non-2xx/3xx {}  socket errors {}  server CPU {:.0} %",
            format!(
                "GET {} ({})",
                run.get("path").and_then(Value::as_str).unwrap_or(""),
                run.get("name").and_then(Value::as_str).unwrap_or("")
            ),
            f(run, "/requests_per_second"),
            f(run, "/latency/avg_ms"),
            f(run, "/latency/p50_ms"),
            f(run, "/latency/p75_ms"),
            f(run, "/latency/p90_ms"),
            f(run, "/latency/p99_ms"),
            f(run, "/latency/max_ms"),
            u(run, "/non_2xx_or_3xx"),
            u(run, "/errors").saturating_sub(u(run, "/non_2xx_or_3xx")),
            f(run, "/server_cpu_percent"),
        );
    }
    println!(
        "  baseline (mean of the two bare runs) {:.1} req/s",
        f(report, "/baseline_requests_per_second")
    );
    let met = report
        .pointer("/targets/ratio_at_least_0_5")
        .and_then(Value::as_bool);
    println!(
        "  ratio handover / bare            {:.3}  (target ≥ {RATIO_TARGET}: {})",
        f(report, "/ratio"),
        match met {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "unknown",
        }
    );
    println!(
        "  server log                       {} lines, {} warnings, {} errors; handover read after the runs: {}",
        u(report, "/server/log_lines"),
        u(report, "/server/log_warnings"),
        u(report, "/server/log_errors"),
        report
            .pointer("/server/handover_read_after")
            .and_then(Value::as_u64)
            .map_or_else(|| "failed".to_owned(), |s| s.to_string()),
    );
    let bad: Vec<&Value> = runs.iter().filter(|r| u(r, "/errors") > 0).collect();
    if !bad.is_empty() {
        println!();
        println!("  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        for run in bad {
            println!(
                "  !!! INVALID RUN: GET {} ({}) had {} answers other than 2xx/3xx and {} socket errors {}",
                run.get("path").and_then(Value::as_str).unwrap_or(""),
                run.get("name").and_then(Value::as_str).unwrap_or(""),
                u(run, "/non_2xx_or_3xx"),
                u(run, "/errors").saturating_sub(u(run, "/non_2xx_or_3xx")),
                run.get("socket_errors").unwrap_or(&Value::Null),
            );
        }
        println!("  !!! its requests per second do not measure the handover read");
        println!("  !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Res<()> {
    let settings = settings()?;
    let wrk = wrk_version()?;
    let binary = build_server("P1")?;
    let server = ServerProcess::start(&binary, &[])?;
    eprintln!(
        "P1: server (pid {}) listening on {}",
        server.pid(),
        server.addr
    );

    let http = client(None)?;
    let hr = seed(&server, &http).await?;
    let prepared = prepare(&server, &http, &hr).await?;
    eprintln!(
        "P1: handover open: {} sections readable, {} bytes per read",
        prepared.sections.len(),
        prepared.response_bytes
    );

    let ticks = clock_ticks();
    let mut runs = Vec::new();
    for (name, path, cookie) in [
        ("bare, before", BARE_PATH, None),
        ("handover", HANDOVER_PATH, Some(prepared.cookie.as_str())),
        ("bare, after", BARE_PATH, None),
    ] {
        let run = run_wrk(&settings, &server, name, path, cookie, ticks).await?;
        if u(&run, "/errors") > 0 {
            eprintln!(
                "P1: !!! {name}: wrk saw {} answers other than 2xx/3xx and {} socket errors",
                u(&run, "/non_2xx_or_3xx"),
                u(&run, "/errors").saturating_sub(u(&run, "/non_2xx_or_3xx"))
            );
        }
        runs.push(run);
    }

    // The session still works after the runs (no throttle, no idle timeout).
    let after = http
        .get(server.url(HANDOVER_PATH))
        .header(reqwest::header::COOKIE, &prepared.cookie)
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16());
    let log = server.log();
    drop(server);

    let rps = |i: usize| runs.get(i).map_or(0.0, |r| f(r, "/requests_per_second"));
    let baseline = f64::midpoint(rps(0), rps(2));
    let ratio = if baseline > 0.0 {
        rps(1) / baseline
    } else {
        0.0
    };
    let errors: u64 = runs.iter().map(|r| u(r, "/errors")).sum();
    let report = json!({
        "benchmark": "P1 handover read",
        "settings": {
            "seconds": settings.seconds,
            "connections": settings.connections,
            "threads": settings.threads,
            "wrk": wrk,
        },
        "machine": {
            "cpus": std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get),
            "note": "wrk and the server run on the same CPUs",
        },
        "handover": {
            "read": READ_SECTIONS,
            "write": WRITE_SECTIONS,
            "hidden": HIDDEN_SECTIONS,
            "download": false,
            "sections": prepared.sections,
            "writable": prepared.writable,
            "response_bytes": prepared.response_bytes,
            "text_chars": prepared.text_chars,
            "reference_content_chars": prepared.content_chars,
        },
        "runs": runs,
        "baseline_requests_per_second": round2(baseline),
        "handover_requests_per_second": round2(rps(1)),
        "ratio": round3(ratio),
        "errors": errors,
        "valid": errors == 0,
        "targets": {
            "ratio_at_least_0_5": (baseline > 0.0).then_some(ratio >= RATIO_TARGET),
        },
        "server": {
            "handover_read_after": after,
            "log_lines": log.lines,
            "log_warnings": log.warnings,
            "log_errors": log.errors,
            "log_first_warnings_and_errors": log.kept,
        },
    });
    print_report(&report);
    write_report(&settings.output, &report)
}
