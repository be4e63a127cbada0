//! P4: a flood of failed logins must not starve normal requests.
//!
//! Builds and starts the real server (`target/release/zeugnis serve` on a free
//! port, in a temporary data directory), sets up an organisation and its first
//! Administrator, logs in as them, and then, for `P4_SECONDS` (30):
//!
//! - `P4_CONCURRENCY` (200) tasks post `POST /api/v1/login` with wrong
//!   passwords for 100 unknown addresses (`victim{i}@bench.example`: the server
//!   verifies them against a dummy Argon2id hash, the cost of a real wrong
//!   password), back to back;
//! - one client reads as the Administrator (`GET /api/v1/session` and
//!   `GET /api/v1/users`, alternately, back to back) and records each latency.
//!
//! Before the flood the same reads run alone for `P4_BASELINE_SECONDS` (3) as a
//! baseline. The server's resident memory is sampled every 500 ms and its
//! `VmHWM` read at the end. The report is printed and written as JSON to
//! `target/p4-login-flood.json` (`target/p4-login-flood-throttled.json` with the
//! default throttle; `P4_OUTPUT` names another file).
//!
//! All requests come from 127.0.0.1, so the per-address throttle is raised to
//! 1,000,000 failures per minute by default; `P4_THROTTLE=default` leaves the
//! server's default (30 per minute) to show its effect, `P4_THROTTLE=<n>` sets
//! another limit. The same settings are accepted as arguments:
//! `cargo bench -p zeugnis-app --bench login_flood -- --seconds 10
//! --concurrency 50 --throttle default`.
//!
//! Targets: read p99 < 50 ms, peak RSS < 512 MiB. Numbers are printed, never
//! asserted.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark binary: printing its report and progress is its purpose"
)]

#[path = "support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::{Value, json};

use support::{
    Res, ServerProcess, arguments, build_server, client, env, f, number, round2, seed, target_dir,
    u, write_report,
};

/// Distinct unknown addresses the flood cycles through.
const VICTIMS: usize = 100;
/// Targets.
const READ_P99_TARGET_MS: f64 = 50.0;
const PEAK_RSS_TARGET_MIB: f64 = 512.0;
const RSS_EVERY: Duration = Duration::from_millis(500);

#[derive(Debug, Clone)]
struct Settings {
    seconds: u64,
    baseline_seconds: u64,
    concurrency: usize,
    /// `None`: the server's default.
    failures_per_minute: Option<u32>,
    output: PathBuf,
}

fn parse_throttle(raw: &str) -> Res<Option<u32>> {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("default") {
        Ok(None)
    } else {
        raw.parse()
            .map(Some)
            .with_context(|| format!("throttle must be `default` or a number, got {raw:?}"))
    }
}

fn settings() -> Res<Settings> {
    let mut seconds = env("P4_SECONDS").unwrap_or_else(|| "30".into());
    let mut concurrency = env("P4_CONCURRENCY").unwrap_or_else(|| "200".into());
    let mut throttle = env("P4_THROTTLE").unwrap_or_else(|| "1000000".into());
    let baseline = env("P4_BASELINE_SECONDS").unwrap_or_else(|| "3".into());
    arguments(&mut [
        ("--seconds", &mut seconds),
        ("--concurrency", &mut concurrency),
        ("--throttle", &mut throttle),
    ])?;
    let failures_per_minute = parse_throttle(&throttle)?;
    let output = env("P4_OUTPUT").map_or_else(
        || {
            target_dir().join(if failures_per_minute.is_none() {
                "p4-login-flood-throttled.json"
            } else {
                "p4-login-flood.json"
            })
        },
        PathBuf::from,
    );
    let settings = Settings {
        seconds: number("P4_SECONDS", &seconds)?,
        baseline_seconds: number("P4_BASELINE_SECONDS", &baseline)?,
        concurrency: number("P4_CONCURRENCY", &concurrency)?,
        failures_per_minute,
        output,
    };
    if settings.seconds == 0 || settings.concurrency == 0 {
        bail!("P4_SECONDS and P4_CONCURRENCY must be at least 1");
    }
    Ok(settings)
}

/// The number in a field of `/proc/<pid>/status` (`VmRSS`, `Threads`).
fn proc_field(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status
        .lines()
        .find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':')))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A memory field of `/proc/<pid>/status` (`VmRSS`, `VmHWM`, given in kB) in MiB.
fn proc_mib(pid: u32, field: &str) -> Option<f64> {
    proc_field(pid, field).map(|kib| kib / 1024.0)
}

const READ_PATHS: [&str; 2] = ["/api/v1/session", "/api/v1/users"];

#[derive(Debug, Default)]
struct Reads {
    /// Latency of each read, by path.
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    /// Answers other than 200, and transport errors (as 0).
    failures: BTreeMap<u16, u64>,
}

/// Reads as the Administrator, back to back, until `deadline`.
async fn read_until(
    http: reqwest::Client,
    base: String,
    cookie: String,
    deadline: tokio::time::Instant,
) -> Reads {
    let mut reads = Reads::default();
    for path in READ_PATHS.iter().cycle() {
        let started = Instant::now();
        let request = http
            .get(format!("{base}{path}"))
            .header(reqwest::header::COOKIE, &cookie)
            .send();
        let outcome = tokio::time::timeout_at(deadline, async {
            let response = request.await?;
            let status = response.status().as_u16();
            response.bytes().await?;
            Ok::<u16, reqwest::Error>(status)
        })
        .await;
        let Ok(outcome) = outcome else { break };
        let elapsed = started.elapsed();
        match outcome {
            Ok(200) => reads.latencies.entry(path).or_default().push(elapsed),
            Ok(status) => *reads.failures.entry(status).or_default() += 1,
            Err(_) => *reads.failures.entry(0).or_default() += 1,
        }
    }
    reads
}

#[derive(Debug, Default)]
struct Logins {
    statuses: BTreeMap<u16, u64>,
    errors: u64,
    latencies: Vec<Duration>,
}

/// Wrong passwords for unknown addresses, back to back, until `deadline`.
/// A request still open at the deadline is dropped and not counted.
async fn flood_until(
    http: reqwest::Client,
    url: String,
    task: usize,
    deadline: tokio::time::Instant,
) -> Logins {
    let mut logins = Logins::default();
    let mut attempt: usize = 0;
    loop {
        let victim = (task + attempt) % VICTIMS;
        attempt += 1;
        let body = json!({
            "email": format!("victim{victim}@bench.example"),
            "password": format!("wrong-{task}-{attempt}"),
        });
        let started = Instant::now();
        let request = http.post(&url).json(&body).send();
        let outcome = tokio::time::timeout_at(deadline, async {
            let response = request.await?;
            let status = response.status().as_u16();
            response.bytes().await?;
            Ok::<u16, reqwest::Error>(status)
        })
        .await;
        let Ok(outcome) = outcome else { break };
        match outcome {
            Ok(status) => {
                *logins.statuses.entry(status).or_default() += 1;
                logins.latencies.push(started.elapsed());
            }
            Err(_) => {
                logins.errors += 1;
                // Do not spin on a refused connection.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    logins
}

/// Nearest-rank percentiles in milliseconds.
fn latency_stats(mut samples: Vec<Duration>) -> Value {
    samples.sort_unstable();
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| round2(d.as_secs_f64() * 1000.0));
    let pct = |p: f64| {
        let rank = (p * samples.len() as f64).ceil() as usize;
        ms(samples.get(rank.saturating_sub(1)))
    };
    let mean = if samples.is_empty() {
        0.0
    } else {
        round2(
            samples.iter().map(Duration::as_secs_f64).sum::<f64>() * 1000.0 / samples.len() as f64,
        )
    };
    json!({
        "count": samples.len(),
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": ms(samples.last()),
        "mean_ms": mean,
    })
}

fn read_report(reads: Reads) -> Value {
    let all: Vec<Duration> = reads.latencies.values().flatten().copied().collect();
    let mut report = latency_stats(all);
    let by_path: serde_json::Map<String, Value> = reads
        .latencies
        .into_iter()
        .map(|(path, samples)| (path.to_owned(), latency_stats(samples)))
        .collect();
    if let Some(object) = report.as_object_mut() {
        object.insert("by_path".into(), Value::Object(by_path));
        object.insert(
            "failures".into(),
            json!(
                reads
                    .failures
                    .iter()
                    .map(|(s, n)| (
                        if *s == 0 {
                            "error".to_owned()
                        } else {
                            s.to_string()
                        },
                        *n
                    ))
                    .collect::<BTreeMap<_, _>>()
            ),
        );
    }
    report
}

fn print_report(report: &Value) {
    let throttle = report
        .pointer("/settings/failures_per_minute_per_address")
        .map_or_else(String::new, Value::to_string);
    println!();
    println!(
        "P4 login flood — {} s, {} flooding tasks, throttle {} failures/min/address, {} CPUs",
        u(report, "/settings/seconds"),
        u(report, "/settings/concurrency"),
        throttle.trim_matches('"'),
        u(report, "/machine/cpus"),
    );
    for (title, key) in [
        ("reads alone (baseline)", "/baseline_reads"),
        ("reads during the flood", "/reads"),
    ] {
        println!(
            "  {title:<24} n={:<6} p50 {:>8.2} ms  p90 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms",
            u(report, &format!("{key}/count")),
            f(report, &format!("{key}/p50_ms")),
            f(report, &format!("{key}/p90_ms")),
            f(report, &format!("{key}/p99_ms")),
            f(report, &format!("{key}/max_ms")),
        );
        for path in READ_PATHS {
            let p = format!("{key}/by_path/{}", path.replace('/', "~1"));
            if report.pointer(&p).is_some() {
                println!(
                    "    {path:<22} n={:<6} p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms",
                    u(report, &format!("{p}/count")),
                    f(report, &format!("{p}/p50_ms")),
                    f(report, &format!("{p}/p99_ms")),
                    f(report, &format!("{p}/max_ms")),
                );
            }
        }
        if let Some(failures) = report
            .pointer(&format!("{key}/failures"))
            .filter(|v| v.as_object().is_some_and(|o| !o.is_empty()))
        {
            println!("    failed reads: {failures}");
        }
    }
    println!(
        "  logins                   {} completed, {:.1}/s; status {}; 429: {}; transport errors: {}",
        u(report, "/logins/completed"),
        f(report, "/logins/per_second"),
        report
            .pointer("/logins/status")
            .map_or_else(String::new, Value::to_string),
        u(report, "/logins/too_many_requests"),
        u(report, "/logins/errors"),
    );
    println!(
        "    login latency          p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        f(report, "/logins/latency/p50_ms"),
        f(report, "/logins/latency/p99_ms"),
        f(report, "/logins/latency/max_ms"),
    );
    println!(
        "  server memory            RSS before {:.1} MiB, max sampled {:.1} MiB, VmHWM {:.1} MiB, 2 s after {:.1} MiB; up to {} threads",
        f(report, "/server/rss_before_mib"),
        f(report, "/server/rss_max_sampled_mib"),
        f(report, "/server/vm_hwm_mib"),
        f(report, "/server/rss_2s_after_flood_mib"),
        u(report, "/server/threads_max_sampled"),
    );
    println!(
        "  server log               {} lines, {} warnings, {} errors; healthy after: {}",
        u(report, "/server/log_lines"),
        u(report, "/server/log_warnings"),
        u(report, "/server/log_errors"),
        report
            .pointer("/server/healthy_after")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    );
    let verdict = |ok: Option<bool>| match ok {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "unknown",
    };
    println!(
        "  targets                  read p99 < {READ_P99_TARGET_MS} ms: {}; peak RSS < {PEAK_RSS_TARGET_MIB} MiB: {}",
        verdict(
            report
                .pointer("/targets/read_p99_below_50_ms")
                .and_then(Value::as_bool)
        ),
        verdict(
            report
                .pointer("/targets/peak_rss_below_512_mib")
                .and_then(Value::as_bool)
        ),
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Res<()> {
    let settings = settings()?;
    let binary = build_server("P4")?;
    let throttle = settings.failures_per_minute.map(|limit| {
        (
            "ZEUGNIS_AUTH__FAILURES_PER_MINUTE_PER_ADDRESS",
            limit.to_string(),
        )
    });
    let server = ServerProcess::start(&binary, throttle.as_slice())?;
    let pid = server.pid();
    eprintln!("P4: server (pid {pid}) listening on {}", server.addr);

    let reader_http = client(Some(4))?;
    let cookie = seed(&server, &reader_http).await?.cookie;
    let base = format!("http://{}", server.addr);

    eprintln!("P4: {} s of reads alone", settings.baseline_seconds);
    let baseline_deadline =
        tokio::time::Instant::now() + Duration::from_secs(settings.baseline_seconds);
    let baseline = read_until(
        reader_http.clone(),
        base.clone(),
        cookie.clone(),
        baseline_deadline,
    )
    .await;
    if baseline.latencies.is_empty() && settings.baseline_seconds > 0 {
        bail!(
            "not one read succeeded without load: {:?}",
            baseline.failures
        );
    }

    let rss_before = proc_mib(pid, "VmRSS").unwrap_or(0.0);
    let stop_sampling = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = Arc::clone(&stop_sampling);
        tokio::spawn(async move {
            let mut rss = Vec::new();
            let mut threads_max: u64 = 0;
            let mut tick = tokio::time::interval(RSS_EVERY);
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                if let Some(mib) = proc_mib(pid, "VmRSS") {
                    rss.push(round2(mib));
                }
                if let Some(threads) = proc_field(pid, "Threads") {
                    threads_max = threads_max.max(threads as u64);
                }
            }
            (rss, threads_max)
        })
    };
    eprintln!(
        "P4: {} s of flood with {} tasks, reads alongside",
        settings.seconds, settings.concurrency
    );
    let flood_http = client(Some(settings.concurrency))?;
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(settings.seconds);
    let login_url = server.url("/api/v1/login");
    let flooders: Vec<_> = (0..settings.concurrency)
        .map(|task| {
            tokio::spawn(flood_until(
                flood_http.clone(),
                login_url.clone(),
                task,
                deadline,
            ))
        })
        .collect();
    let reader = tokio::spawn(read_until(
        reader_http.clone(),
        base.clone(),
        cookie,
        deadline,
    ));
    let mut logins = Logins::default();
    for flooder in flooders {
        let one = flooder.await.context("a flooding task failed")?;
        for (status, n) in one.statuses {
            *logins.statuses.entry(status).or_default() += n;
        }
        logins.errors += one.errors;
        logins.latencies.extend(one.latencies);
    }
    let reads = reader.await.context("the reading task failed")?;
    let elapsed = started.elapsed().as_secs_f64().min(settings.seconds as f64);
    stop_sampling.store(true, Ordering::Relaxed);
    let (rss_timeline, threads_max) = sampler.await.context("the memory sampler failed")?;
    let rss_max = rss_timeline.iter().copied().fold(0.0, f64::max);
    let vm_hwm = proc_mib(pid, "VmHWM").unwrap_or(0.0);
    drop(flood_http);
    // What the server keeps once the flood is over.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = proc_mib(pid, "VmRSS").unwrap_or(0.0);

    let healthy_after = reader_http
        .get(server.url("/health"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    let log = server.log();
    drop(server);

    let completed: u64 = logins.statuses.values().sum();
    let report = json!({
        "benchmark": "P4 login flood",
        "settings": {
            "seconds": settings.seconds,
            "baseline_seconds": settings.baseline_seconds,
            "concurrency": settings.concurrency,
            "failures_per_minute_per_address": settings
                .failures_per_minute
                .map_or_else(|| json!("default (30)"), |n| json!(n)),
            "max_concurrent_hashes": "default (CPUs)",
            "victim_addresses": VICTIMS,
        },
        "machine": {
            "cpus": std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get),
        },
        "baseline_reads": read_report(baseline),
        "reads": read_report(reads),
        "logins": {
            "completed": completed,
            "per_second": round2(completed as f64 / elapsed.max(f64::EPSILON)),
            "status": logins.statuses.iter().map(|(s, n)| (s.to_string(), *n)).collect::<BTreeMap<_, _>>(),
            "too_many_requests": logins.statuses.get(&429).copied().unwrap_or(0),
            "errors": logins.errors,
            "latency": latency_stats(logins.latencies),
        },
        "server": {
            "rss_before_mib": round2(rss_before),
            "rss_max_sampled_mib": round2(rss_max),
            "vm_hwm_mib": round2(vm_hwm),
            "rss_2s_after_flood_mib": round2(rss_after),
            "threads_max_sampled": threads_max,
            "rss_every_500ms_mib": rss_timeline,
            "log_lines": log.lines,
            "log_warnings": log.warnings,
            "log_errors": log.errors,
            "log_first_warnings_and_errors": log.kept,
            "healthy_after": healthy_after,
        },
    });
    let read_p99 = f(&report, "/reads/p99_ms");
    let read_count = u(&report, "/reads/count");
    let peak = rss_max.max(vm_hwm);
    let mut report = report;
    if let Some(object) = report.as_object_mut() {
        object.insert(
            "targets".into(),
            json!({
                "read_p99_below_50_ms": (read_count > 0).then_some(read_p99 < READ_P99_TARGET_MS),
                "peak_rss_below_512_mib": (peak > 0.0).then_some(peak < PEAK_RSS_TARGET_MIB),
            }),
        );
    }
    print_report(&report);
    write_report(&settings.output, &report)
}
