//! Storage benchmark: loads a deterministic, realistic data set through the
//! adapter and measures what the store's users feel.
//!
//! - **Load**: 10 tenants × 10,000 employees × 1–3 references, 1,000,000 audit
//!   events, all through [`Store::commit`] in change sets of ~800 writes.
//! - **P2**: a scoped reference list (page of 50, newest first) for a viewer
//!   without the Administrator scope: p50/p95/p99 and the query plan.
//! - **P3**: audit events per second through the adapter (1 and 100 per
//!   commit) next to raw `rusqlite` inserts of the same rows.
//! - **Decryption**: 10,000 employee records read with and without decryption.
//!
//! `cargo bench -p zeugnis-store --bench store`; `ZEUGNIS_BENCH_SCALE=20` divides
//! employees and audit events by 20 for a quick run; with
//! `ZEUGNIS_TEST_POSTGRES_URL` set (an admin URL) it runs on a fresh Postgres
//! database `zeugnis_bench_<pid>` too, dropped at the end. Numbers are
//! printed, never asserted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::indexing_slicing,
    reason = "benchmark binary"
)]

mod data;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use sea_orm::sea_query::{Condition, Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait, ConnectionTrait, Database, DatabaseBackend, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select, Statement, TransactionTrait,
};
use zeugnis_core::access::Permissions;
use zeugnis_core::authz::{Actor, VisibilityFilter};
use zeugnis_core::id::{EmployeeId, ReferenceId, TenantId};
use zeugnis_core::ports::{
    ChangeSet, EmployeeStore, PageRequest, ReferenceQuery, ReferenceStore, StoreError, UnitOfWork,
    Write,
};
use zeugnis_core::scope::{Criterion, ReferenceScope, Restriction};
use zeugnis_crypto::{KeySource, MasterKey, MasterKeyring};
use zeugnis_store::entity::{audit_entry, audit_head, employee, reference, tenant};
use zeugnis_store::{Location, Store};

use crate::data::{Rng, TenantSeed};

type Res<T> = anyhow::Result<T>;

/// The seed of everything generated ("ZEUGNIS!").
const SEED: u64 = 0x5A45_5547_4E49_5321;
const TENANTS: usize = 10;
const EMPLOYEES_PER_TENANT: usize = 10_000;
const AUDIT_EVENTS: usize = 1_000_000;
/// Writes per change set while loading employees and references.
const LOAD_WRITES: usize = 800;
/// Audit events per change set while loading.
const LOAD_AUDIT: usize = 1_000;

const P2_PAGE: u16 = 50;
const P2_WARMUP_ROUNDS: usize = 10;
/// Rounds of one first page and two continuation pages each.
const P2_ROUNDS: usize = 100;
const P2_CONTINUATIONS: usize = 2;

const P3_SINGLE: usize = 2_000;
const P3_BATCH: usize = 100;
const P3_BATCHED: usize = 20_000;

const DECRYPT_RECORDS: usize = 10_000;
const DECRYPT_PAGE: u16 = 500;
const DECRYPT_REPS: usize = 5;

fn store_err(e: StoreError) -> anyhow::Error {
    anyhow!("store: {e}")
}

#[derive(Debug, Clone, Copy)]
struct Config {
    scale: usize,
    employees_per_tenant: usize,
    audit_events: usize,
}

impl Config {
    fn from_env() -> Res<Self> {
        let scale = match std::env::var("ZEUGNIS_BENCH_SCALE") {
            Ok(s) => s
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| anyhow!("ZEUGNIS_BENCH_SCALE must be a whole number ≥ 1"))?,
            Err(_) => 1,
        };
        Ok(Self {
            scale,
            employees_per_tenant: (EMPLOYEES_PER_TENANT / scale).max(1),
            audit_events: (AUDIT_EVENTS / scale).max(TENANTS),
        })
    }
}

fn main() -> Res<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run())
}

async fn run() -> Res<()> {
    let cfg = Config::from_env()?;
    println!("zeugnis-store benchmark");
    println!(
        "scale 1/{}: {} tenants × {} employees × 1–3 references, {} audit events; seed {SEED:#x}",
        cfg.scale, TENANTS, cfg.employees_per_tenant, cfg.audit_events
    );
    println!(
        "machine: {} CPUs; build: {}",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get),
        if cfg!(debug_assertions) {
            "debug (numbers are not meaningful)"
        } else {
            "release"
        }
    );
    let mut reports = Vec::new();

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("zeugnis.db");
    println!("\n=== SQLite: {} ===", path.display());
    let store = Store::open(&Location::Sqlite(path.clone()), ring()?).await?;
    let report = bench_backend(&store, cfg, Some(dir.path())).await;
    let size = sqlite_size(dir.path());
    store.close().await.map_err(|e| anyhow!(e))?;
    let mut report = report?;
    report.size = Some(size);
    reports.push(report);
    drop(dir);

    match std::env::var("ZEUGNIS_TEST_POSTGRES_URL") {
        Ok(admin_url) => {
            let name = format!("zeugnis_bench_{}", std::process::id());
            println!("\n=== Postgres: database {name} ===");
            let pg = PgDatabase::create(&admin_url, &name).await?;
            let store = Store::open(&Location::Postgres(pg.url()), ring()?).await?;
            let report = bench_backend(&store, cfg, None).await;
            let size = pg_size(&store, &name).await.ok();
            store.close().await.map_err(|e| anyhow!(e))?;
            drop(pg);
            let mut report = report?;
            report.size = size;
            reports.push(report);
        }
        Err(_) => println!(
            "\n(Postgres skipped: set ZEUGNIS_TEST_POSTGRES_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres)"
        ),
    }

    print_summary(cfg, &reports);
    Ok(())
}

fn ring() -> Res<MasterKeyring> {
    let master = MasterKey::generate().map_err(|e| anyhow!("master key: {e}"))?;
    Ok(MasterKeyring::new(
        master,
        KeySource::Env("ZEUGNIS_BENCH_MASTER_KEY".into()),
    ))
}

// ---------------------------------------------------------------------------
// One backend
// ---------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Report {
    backend: &'static str,
    load_org: Duration,
    load_audit: Duration,
    rows: Vec<(&'static str, i64)>,
    size: Option<u64>,
    p2: P2,
    p3: P3,
    decrypt: Decrypt,
}

async fn bench_backend(store: &Store, cfg: Config, raw_dir: Option<&Path>) -> Res<Report> {
    let backend = match store.backend() {
        DatabaseBackend::Postgres => "Postgres",
        _ => "SQLite",
    };
    let mut report = Report {
        backend,
        ..Report::default()
    };

    let loaded = load(store, cfg, &mut report).await?;
    let started = Instant::now();
    store.connection().execute_unprepared("ANALYZE").await?;
    println!("ANALYZE: {:.1} s", started.elapsed().as_secs_f64());
    for table in [
        "employees",
        "reference_letters",
        "reference_sections",
        "reference_signatories",
        "audit_log",
    ] {
        let n = count_rows(store, table).await?;
        report.rows.push((table, n));
    }
    println!(
        "rows: {}",
        report
            .rows
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );

    report.p2 = p2(store, &loaded).await?;
    report.decrypt = decrypt(store, &loaded).await?;
    report.p3 = p3(store, &loaded, raw_dir).await?;
    Ok(report)
}

async fn count_rows(store: &Store, table: &str) -> Res<i64> {
    let conn = store.connection();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await?
        .context("no count")?;
    Ok(row.try_get::<i64>("", "n")?)
}

fn sqlite_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("zeugnis.db"))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

async fn pg_size(store: &Store, name: &str) -> Res<u64> {
    let conn = store.connection();
    let row = conn
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            format!("SELECT pg_database_size('{name}') AS n"),
        ))
        .await?
        .context("no size")?;
    Ok(u64::try_from(row.try_get::<i64>("", "n")?)?)
}

// ---------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------

/// What was written for one tenant (ids only; the records are regenerated
/// from the seed when needed).
#[derive(Debug)]
struct Loaded {
    tenants: Vec<TenantData>,
}

#[derive(Debug)]
struct TenantData {
    seed: TenantSeed,
    employees: Vec<EmployeeId>,
    references: Vec<ReferenceId>,
}

async fn load(store: &Store, cfg: Config, report: &mut Report) -> Res<Loaded> {
    let started = Instant::now();
    let mut tenants = Vec::with_capacity(TENANTS);
    for n in 0..TENANTS {
        let seed = data::tenant_seed(SEED, n);
        let mut cs = ChangeSet::new(seed.id());
        cs.push(Write::InsertTenant(seed.tenant.clone()));
        for r in &seed.roles {
            cs.push(Write::InsertRole(r.clone()));
        }
        for u in &seed.users {
            cs.push(Write::InsertUser(u.clone()));
        }
        store.commit(cs).await.map_err(store_err)?;
        tenants.push(TenantData {
            seed,
            employees: Vec::with_capacity(cfg.employees_per_tenant),
            references: Vec::with_capacity(cfg.employees_per_tenant * 2),
        });
    }

    let mut commits = 0usize;
    for (n, td) in tenants.iter_mut().enumerate() {
        let t = td.seed.id();
        let users = td.seed.user_ids();
        let mut rng = Rng::stream(SEED, 2_000 + n as u64);
        let mut cs = ChangeSet::new(t);
        let mut writes = 0usize;
        for _ in 0..cfg.employees_per_tenant {
            let e = data::employee(&mut rng, t);
            let refs = 1 + rng.below(3);
            let mut pending = vec![Write::InsertEmployee(e.clone())];
            for _ in 0..refs {
                let r = data::reference(&mut rng, &e, &users, &td.employees);
                td.references.push(r.id);
                pending.push(Write::InsertReference(r));
            }
            td.employees.push(e.id);
            writes += pending.len();
            for w in pending {
                cs.push(w);
            }
            if writes >= LOAD_WRITES {
                store
                    .commit(std::mem::replace(&mut cs, ChangeSet::new(t)))
                    .await
                    .map_err(store_err)?;
                commits += 1;
                writes = 0;
            }
        }
        if !cs.is_empty() {
            store.commit(cs).await.map_err(store_err)?;
            commits += 1;
        }
        eprintln!(
            "  tenant {}/{TENANTS}: {} employees, {} references ({:.1} s)",
            n + 1,
            td.employees.len(),
            td.references.len(),
            started.elapsed().as_secs_f64()
        );
    }
    report.load_org = started.elapsed();
    let employees: usize = tenants.iter().map(|t| t.employees.len()).sum();
    let references: usize = tenants.iter().map(|t| t.references.len()).sum();
    println!(
        "load: {employees} employees and {references} references in {commits} change sets: {:.1} s ({:.0} records/s)",
        report.load_org.as_secs_f64(),
        (employees + references) as f64 / report.load_org.as_secs_f64()
    );

    let started = Instant::now();
    let mut commits = 0usize;
    for (n, td) in tenants.iter().enumerate() {
        let t = td.seed.id();
        let users = td.seed.user_ids();
        let mut rng = Rng::stream(SEED, 3_000 + n as u64);
        let count = cfg.audit_events / TENANTS + usize::from(n < cfg.audit_events % TENANTS);
        let step = (data::SPAN * 1_000_000_000) / count as i64;
        let mut cs = ChangeSet::new(t);
        for i in 0..count {
            let nanos = i as i64 * step + rng.below(step as u64) as i64;
            let at = data::instant(data::EPOCH, nanos);
            cs.push(Write::AppendAudit(data::audit_event(
                &mut rng,
                t,
                at,
                &users,
                &td.employees,
                &td.references,
            )));
            if cs.writes().len() >= LOAD_AUDIT {
                store
                    .commit(std::mem::replace(&mut cs, ChangeSet::new(t)))
                    .await
                    .map_err(store_err)?;
                commits += 1;
            }
        }
        if !cs.is_empty() {
            store.commit(cs).await.map_err(store_err)?;
            commits += 1;
        }
        eprintln!(
            "  tenant {}/{TENANTS}: {count} audit events ({:.1} s)",
            n + 1,
            started.elapsed().as_secs_f64()
        );
    }
    report.load_audit = started.elapsed();
    println!(
        "load: {} audit events in {commits} change sets: {:.1} s ({:.0} events/s)",
        cfg.audit_events,
        report.load_audit.as_secs_f64(),
        cfg.audit_events as f64 / report.load_audit.as_secs_f64()
    );
    println!(
        "load total: {:.1} s",
        (report.load_org + report.load_audit).as_secs_f64()
    );
    Ok(Loaded { tenants })
}

// ---------------------------------------------------------------------------
// P2: the scoped reference list
// ---------------------------------------------------------------------------

#[derive(Debug, Default)]
struct P2 {
    first: Vec<Duration>,
    next: Vec<Duration>,
    items: usize,
    pages: usize,
    /// Every sample in the order run.
    order: Vec<Duration>,
    index_used: Option<bool>,
    sorts: bool,
}

impl P2 {
    fn all(&self) -> Vec<Duration> {
        self.first.iter().chain(&self.next).copied().collect()
    }
}

/// A restricted viewer: one company, two departments, not an administrator.
fn p2_filter(rng: &mut Rng, td: &TenantData) -> VisibilityFilter {
    let company = *rng.pick(&data::COMPANIES);
    let a = rng.below(data::DEPARTMENTS.len() as u64) as usize;
    let b =
        (a + 1 + rng.below(data::DEPARTMENTS.len() as u64 - 1) as usize) % data::DEPARTMENTS.len();
    let scope = ReferenceScope::Restricted(
        Restriction::unrestricted()
            .allow(Criterion::Company, [company])
            .unwrap()
            .allow(
                Criterion::Department,
                [data::DEPARTMENTS[a], data::DEPARTMENTS[b]],
            )
            .unwrap(),
    );
    // A clerk (user 0 is the administrator).
    let viewer = &td.seed.users[1 + rng.below(td.seed.users.len() as u64 - 1) as usize];
    Actor::new(td.seed.id(), viewer.id, Permissions::none(), false, scope).visibility()
}

/// One round: the first page, then up to `P2_CONTINUATIONS` more.
async fn p2_round(
    store: &Store,
    filter: &VisibilityFilter,
    p2: Option<&mut P2>,
) -> Res<Vec<zeugnis_core::ports::Page<zeugnis_core::ports::ReferenceSummary>>> {
    let query = ReferenceQuery::default();
    let mut pages = Vec::new();
    let mut first = Vec::new();
    let mut next = Vec::new();
    let mut order = Vec::new();
    let mut after = None;
    for i in 0..=P2_CONTINUATIONS {
        let started = Instant::now();
        let page = store
            .references(filter, &query, PageRequest::new(after, P2_PAGE))
            .await
            .map_err(store_err)?;
        let took = started.elapsed();
        if i == 0 {
            first.push(took);
        } else {
            next.push(took);
        }
        order.push(took);
        after = page.next.clone();
        pages.push(page);
        if after.is_none() {
            break;
        }
    }
    if let Some(p2) = p2 {
        p2.first.extend(first);
        p2.next.extend(next);
        p2.order.extend(order);
        p2.pages += pages.len();
        p2.items += pages.iter().map(|p| p.items.len()).sum::<usize>();
    }
    Ok(pages)
}

async fn p2(store: &Store, loaded: &Loaded) -> Res<P2> {
    println!("\n--- P2: scoped reference list, page of {P2_PAGE}, newest first ---");
    let mut rng = Rng::stream(SEED, 9_000);
    for i in 0..P2_WARMUP_ROUNDS {
        let filter = p2_filter(&mut rng, &loaded.tenants[i % TENANTS]);
        p2_round(store, &filter, None).await?;
    }
    let mut p2 = P2::default();
    let pool_before = pool_size(store);
    let mut rng = Rng::stream(SEED, 9_001);
    let mut example = None;
    for i in 0..P2_ROUNDS {
        let filter = p2_filter(&mut rng, &loaded.tenants[i % TENANTS]);
        let pages = p2_round(store, &filter, Some(&mut p2)).await?;
        if example.is_none() {
            example = Some((filter, pages));
        }
    }
    let first = Stats::of(&p2.first);
    let next = Stats::of(&p2.next);
    let all = Stats::of(&p2.all());
    println!(
        "{} queries ({} first pages, {} continuation pages), {:.1} items per page",
        p2.first.len() + p2.next.len(),
        p2.first.len(),
        p2.next.len(),
        p2.items as f64 / p2.pages.max(1) as f64
    );
    println!("first pages:        {first}");
    println!("continuation pages: {next}");
    println!("all:                {all}");
    let slowest = p2
        .order
        .iter()
        .enumerate()
        .max_by_key(|(_, d)| **d)
        .map_or(0, |(i, _)| i);
    println!(
        "slowest: query #{} of {}; pool connections {pool_before} before, {} after",
        slowest + 1,
        p2.order.len(),
        pool_size(store)
    );

    if let Some((filter, pages)) = example {
        let total = store
            .count(&filter, &ReferenceQuery::default())
            .await
            .map_err(store_err)?;
        println!(
            "example viewer: scope {}, {total} visible references",
            describe_scope(filter.scope())
        );
        let first_ids: Vec<ReferenceId> = pages[0].items.iter().map(|s| s.id).collect();
        let (used, sorts) = explain(store, &filter, None, &first_ids, "first page").await?;
        p2.index_used = Some(used);
        p2.sorts = sorts;
        if let (Some(cursor), Some(second)) = (&pages[0].next, pages.get(1)) {
            let ids: Vec<ReferenceId> = second.items.iter().map(|s| s.id).collect();
            let after = parse_cursor(&cursor.0)?;
            let (used, sorts) = explain(store, &filter, Some(after), &ids, "continuation").await?;
            p2.index_used = Some(p2.index_used.unwrap_or(true) && used);
            p2.sorts |= sorts;
        }
    }
    Ok(p2)
}

fn describe_scope(scope: &ReferenceScope) -> String {
    match scope {
        ReferenceScope::Restricted(r) => r
            .iter()
            .map(|(c, values)| {
                format!(
                    "{c:?} ∈ {{{}}}",
                    values
                        .iter()
                        .map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join(" and "),
        other => format!("{other:?}"),
    }
}

/// The store's cursor: `binding.created_at.hex(id)`.
fn parse_cursor(c: &str) -> Res<(i64, Vec<u8>)> {
    let mut parts = c.split('.');
    let (Some(_), Some(at), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(anyhow!("unexpected cursor shape {c}"));
    };
    let id = (0..id.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&id[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()?;
    Ok((at.parse()?, id))
}

fn criterion_column(c: Criterion) -> reference::Column {
    match c {
        Criterion::Company => reference::Column::Company,
        Criterion::Location => reference::Column::Location,
        Criterion::Department => reference::Column::Department,
        Criterion::OrganisationalUnit => reference::Column::Unit,
        _ => reference::Column::EmployeeType,
    }
}

/// The same query `ReferenceStore::references` sends (`read.rs`: `visible`,
/// the cursor condition, the order and `limit + 1`), built with the same
/// entity, so its plan is the plan of the measured query.
fn list_query(
    filter: &VisibilityFilter,
    after: Option<(i64, Vec<u8>)>,
) -> Select<reference::Entity> {
    let mut q = reference::Entity::find()
        .filter(reference::Column::TenantId.eq(filter.tenant().as_bytes().to_vec()));
    if let ReferenceScope::Restricted(r) = filter.scope() {
        for (criterion, values) in r.iter() {
            let values: Vec<String> = values.iter().map(|v| v.as_str().to_owned()).collect();
            q = q.filter(criterion_column(criterion).is_in(values));
        }
        q = q.filter(
            Condition::any()
                .add(reference::Column::Private.eq(false))
                .add(reference::Column::CreatedBy.eq(filter.viewer().as_bytes().to_vec())),
        );
    }
    if let Some((at, id)) = after {
        q = q.filter(
            Expr::tuple([
                Expr::col((reference::Entity, reference::Column::CreatedAt)),
                Expr::col((reference::Entity, reference::Column::Id)),
            ])
            .lt(Expr::tuple([Expr::value(at), Expr::value(id)])),
        );
    }
    q.order_by(reference::Column::CreatedAt, Order::Desc)
        .order_by(reference::Column::Id, Order::Desc)
        .limit(u64::from(P2_PAGE) + 1)
}

/// Prints the plan of the list query; returns (an index is used, a sort step
/// is needed).
async fn explain(
    store: &Store,
    filter: &VisibilityFilter,
    after: Option<(i64, Vec<u8>)>,
    expected: &[ReferenceId],
    label: &str,
) -> Res<(bool, bool)> {
    let conn = store.connection();
    let backend = conn.get_database_backend();
    let select = list_query(filter, after);
    let stmt = select.build(backend);

    // The rebuilt query returns what the store returned.
    let rows = select.clone().all(conn).await?;
    let got: Vec<ReferenceId> = rows
        .iter()
        .take(usize::from(P2_PAGE))
        .map(|m| ReferenceId::from_bytes(m.id.as_slice().try_into().unwrap_or([0; 16])))
        .collect();
    let same = got == expected;

    println!("\nquery plan ({label}):");
    println!("  SQL: {stmt}");
    println!(
        "  (rebuilt query returns the same {} rows as ReferenceStore::references: {})",
        got.len(),
        if same { "yes" } else { "NO" }
    );
    let prefix = match backend {
        DatabaseBackend::Postgres => "EXPLAIN (ANALYZE, BUFFERS) ",
        _ => "EXPLAIN QUERY PLAN ",
    };
    let explain = Statement {
        sql: format!("{prefix}{}", stmt.sql),
        values: stmt.values.clone(),
        db_backend: backend,
    };
    let rows = conn.query_all_raw(explain).await?;
    let mut lines = Vec::new();
    for row in &rows {
        let line = match backend {
            DatabaseBackend::Postgres => row.try_get::<String>("", "QUERY PLAN")?,
            _ => {
                let id = row.try_get::<i32>("", "id").unwrap_or(0);
                let parent = row.try_get::<i32>("", "parent").unwrap_or(0);
                let detail = row.try_get::<String>("", "detail")?;
                format!("[{id} ← {parent}] {detail}")
            }
        };
        lines.push(line);
    }
    for l in &lines {
        println!("  | {l}");
    }
    let text = lines.join("\n");
    let used = [
        "USING INDEX",
        "USING COVERING INDEX",
        "Index Scan",
        "Index Only Scan",
    ]
    .iter()
    .any(|k| text.contains(k));
    let sorts = ["TEMP B-TREE", "Sort"].iter().any(|k| text.contains(k));
    println!(
        "  → index used: {}; extra sort step: {}",
        if used { "yes" } else { "NO" },
        if sorts { "yes" } else { "no" }
    );
    Ok((used, sorts))
}

// ---------------------------------------------------------------------------
// Decryption
// ---------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Decrypt {
    records: usize,
    with: Duration,
    without: Duration,
}

async fn read_decrypted(store: &Store, loaded: &Loaded) -> Res<usize> {
    let mut n = 0usize;
    for td in &loaded.tenants {
        let mut after = None;
        loop {
            let page = store
                .employees(
                    td.seed.id(),
                    &zeugnis_core::scope::ReferenceScope::Administrator,
                    PageRequest::new(after, DECRYPT_PAGE),
                )
                .await
                .map_err(store_err)?;
            n += page.items.len();
            if n >= DECRYPT_RECORDS {
                return Ok(n);
            }
            match page.next {
                Some(c) => after = Some(c),
                None => break,
            }
        }
    }
    Ok(n)
}

/// The same rows by the same SQL through the same connection, without opening
/// the sealed `data` column.
async fn read_sealed(store: &Store, loaded: &Loaded) -> Res<(usize, usize)> {
    let conn = store.connection();
    let mut n = 0usize;
    let mut bytes = 0usize;
    for td in &loaded.tenants {
        let mut after: Option<Vec<u8>> = None;
        loop {
            let mut q = employee::Entity::find()
                .filter(employee::Column::TenantId.eq(td.seed.id().as_bytes().to_vec()));
            if let Some(a) = after.take() {
                q = q.filter(employee::Column::Id.gt(a));
            }
            let rows = q
                .order_by_asc(employee::Column::Id)
                .limit(u64::from(DECRYPT_PAGE) + 1)
                .all(conn)
                .await?;
            let more = rows.len() > usize::from(DECRYPT_PAGE);
            for m in rows.iter().take(usize::from(DECRYPT_PAGE)) {
                bytes += m.data.len();
                n += 1;
                after = Some(m.id.clone());
            }
            if n >= DECRYPT_RECORDS {
                return Ok((n, bytes));
            }
            if !more {
                break;
            }
        }
    }
    Ok((n, bytes))
}

async fn decrypt(store: &Store, loaded: &Loaded) -> Res<Decrypt> {
    println!("\n--- employee records: decrypted vs sealed ---");
    // Warm-up (also fills the key cache).
    read_decrypted(store, loaded).await?;
    read_sealed(store, loaded).await?;
    let mut with = Vec::new();
    let mut without = Vec::new();
    let mut records = 0;
    let mut bytes = 0;
    for _ in 0..DECRYPT_REPS {
        let started = Instant::now();
        records = read_decrypted(store, loaded).await?;
        with.push(started.elapsed());
        let started = Instant::now();
        let (n, b) = read_sealed(store, loaded).await?;
        without.push(started.elapsed());
        bytes = b;
        if n != records {
            println!("  (note: {n} sealed rows vs {records} decrypted records)");
        }
    }
    let d = Decrypt {
        records,
        with: median(&with),
        without: median(&without),
    };
    println!(
        "{records} records ({} bytes sealed, {:.0} bytes each), median of {DECRYPT_REPS}, pages of {DECRYPT_PAGE}:",
        bytes,
        bytes as f64 / records.max(1) as f64
    );
    println!(
        "  EmployeeStore::employees (decrypts): {:8.1} ms  ({:.1} µs/record)",
        ms(d.with),
        d.with.as_secs_f64() * 1e6 / records.max(1) as f64
    );
    println!(
        "  same SELECT, no decryption:          {:8.1} ms  ({:.1} µs/record)",
        ms(d.without),
        d.without.as_secs_f64() * 1e6 / records.max(1) as f64
    );
    println!(
        "  ratio decrypted/sealed: {:.2}",
        d.with.as_secs_f64() / d.without.as_secs_f64()
    );
    Ok(d)
}

// ---------------------------------------------------------------------------
// P3: audit insert throughput
// ---------------------------------------------------------------------------

#[derive(Debug, Default)]
struct P3 {
    single: Rate,
    batched: Rate,
    raw_single: Option<Rate>,
    raw_batched: Option<Rate>,
    /// Raw, but with the adapter's statements (head read, insert, head update).
    raw_head_single: Option<Rate>,
    raw_head_batched: Option<Rate>,
    /// One primary-key SELECT through sea-orm and sqlx: from the pool, and
    /// inside a held transaction.
    round_trip: (Duration, Duration),
}

#[derive(Debug, Default, Clone, Copy)]
struct Rate {
    events: usize,
    per_commit: usize,
    took: Duration,
}

impl Rate {
    fn per_second(&self) -> f64 {
        self.events as f64 / self.took.as_secs_f64()
    }
}

async fn head_seq(store: &Store, t: TenantId) -> Res<i64> {
    Ok(audit_head::Entity::find_by_id(t.as_bytes().to_vec())
        .one(store.connection())
        .await?
        .map_or(0, |h| h.seq))
}

/// Appends `count` events, `per_commit` per change set; returns the rate and
/// the rows written (as stored).
async fn p3_adapter(
    store: &Store,
    td: &TenantData,
    stream: u64,
    count: usize,
    per_commit: usize,
) -> Res<(Rate, Vec<audit_entry::Model>)> {
    let t = td.seed.id();
    let users = td.seed.user_ids();
    let mut rng = Rng::stream(SEED, stream);
    let before = head_seq(store, t).await?;
    // After everything loaded: the end of the five years plus a day.
    let base = data::EPOCH + data::SPAN + 86_400 + (stream % 100) as i64 * 100_000;
    let mut sets = Vec::with_capacity(count / per_commit + 1);
    let mut cs = ChangeSet::new(t);
    for i in 0..count {
        let at = data::instant(base + i as i64, rng.below(1_000_000_000) as i64);
        cs.push(Write::AppendAudit(data::audit_event(
            &mut rng,
            t,
            at,
            &users,
            &td.employees,
            &td.references,
        )));
        if cs.writes().len() >= per_commit {
            sets.push(std::mem::replace(&mut cs, ChangeSet::new(t)));
        }
    }
    if !cs.is_empty() {
        sets.push(cs);
    }
    let started = Instant::now();
    for cs in sets {
        store.commit(cs).await.map_err(store_err)?;
    }
    let took = started.elapsed();
    let rows = audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(t.as_bytes().to_vec()))
        .filter(audit_entry::Column::Seq.gt(before))
        .order_by_asc(audit_entry::Column::Seq)
        .all(store.connection())
        .await?;
    Ok((
        Rate {
            events: count,
            per_commit,
            took,
        },
        rows,
    ))
}

/// The cost of one statement through sea-orm and the driver: a primary-key
/// lookup of the audit head, repeated, from the pool (acquire, the pool's
/// liveness ping, the query) and inside one held transaction (the query only).
async fn round_trip(store: &Store, t: TenantId) -> Res<(Duration, Duration)> {
    const N: u32 = 2_000;
    let find = || audit_head::Entity::find_by_id(t.as_bytes().to_vec());
    for _ in 0..100 {
        find().one(store.connection()).await?;
    }
    let started = Instant::now();
    for _ in 0..N {
        find().one(store.connection()).await?;
    }
    let pooled = started.elapsed() / N;
    let txn = store.connection().begin().await?;
    for _ in 0..100 {
        find().one(&txn).await?;
    }
    let started = Instant::now();
    for _ in 0..N {
        find().one(&txn).await?;
    }
    let held = started.elapsed() / N;
    txn.rollback().await?;
    Ok((pooled, held))
}

/// Open connections in the store's pool.
fn pool_size(store: &Store) -> u32 {
    match store.backend() {
        DatabaseBackend::Postgres => store.connection().get_postgres_connection_pool().size(),
        _ => store.connection().get_sqlite_connection_pool().size(),
    }
}

async fn p3(store: &Store, loaded: &Loaded, raw_dir: Option<&Path>) -> Res<P3> {
    println!("\n--- P3: audit events per second ---");
    let td = &loaded.tenants[0];
    // Warm-up: a few commits through the same path.
    p3_adapter(store, td, 7_000, 50, 1).await?;
    let (single, single_rows) = p3_adapter(store, td, 7_001, P3_SINGLE, 1).await?;
    print_rate("adapter", &single);
    let (batched, batched_rows) = p3_adapter(store, td, 7_002, P3_BATCHED, P3_BATCH).await?;
    print_rate("adapter", &batched);
    let mut p3 = P3 {
        single,
        batched,
        round_trip: round_trip(store, td.seed.id()).await?,
        ..P3::default()
    };
    println!(
        "  one primary-key SELECT through sea-orm/sqlx (the adapter runs 3 per event): \
         {:.1} µs from the pool, {:.1} µs inside a transaction",
        p3.round_trip.0.as_secs_f64() * 1e6,
        p3.round_trip.1.as_secs_f64() * 1e6
    );
    let Some(dir) = raw_dir else {
        println!("  (raw rusqlite comparison: SQLite only)");
        return Ok(p3);
    };

    // The raw side: the adapter's own DDL for `tenants`, `audit_log` and
    // `audit_heads`, the tenant's row, and the very rows the adapter wrote.
    let conn = store.connection();
    let ddl: Vec<String> = conn
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "SELECT sql FROM sqlite_master \
             WHERE tbl_name IN ('tenants', 'audit_log', 'audit_heads') AND sql IS NOT NULL \
             ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, \
             CASE tbl_name WHEN 'tenants' THEN 0 ELSE 1 END"
                .to_owned(),
        ))
        .await?
        .iter()
        .map(|r| r.try_get::<String>("", "sql"))
        .collect::<Result<_, _>>()?;
    let tenant_row = tenant::Entity::find_by_id(td.seed.id().as_bytes().to_vec())
        .one(conn)
        .await?
        .context("tenant row")?;
    let job = RawJob {
        dir: dir.to_owned(),
        ddl,
        tenant: tenant_row,
        single: single_rows,
        batched: batched_rows,
    };
    let (plain, head) = tokio::task::spawn_blocking(move || -> Res<_> {
        let plain = (
            job.run("raw.db", &job.single, 1, false)?,
            job.run("raw.db", &job.batched, P3_BATCH, false)?,
        );
        let head = (
            job.run("raw_head.db", &job.single, 1, true)?,
            job.run("raw_head.db", &job.batched, P3_BATCH, true)?,
        );
        Ok((plain, head))
    })
    .await??;
    print_rate("raw rusqlite", &plain.0);
    print_rate("raw rusqlite", &plain.1);
    println!(
        "  ratio adapter/raw: {:.2} (1 per commit), {:.2} ({P3_BATCH} per commit)",
        single.per_second() / plain.0.per_second(),
        batched.per_second() / plain.1.per_second()
    );
    println!("  diagnostic: raw rusqlite with the adapter's statements per event");
    println!("  (SELECT audit_heads, INSERT audit_log, UPDATE audit_heads):");
    print_rate("raw + head", &head.0);
    print_rate("raw + head", &head.1);
    p3.raw_single = Some(plain.0);
    p3.raw_batched = Some(plain.1);
    p3.raw_head_single = Some(head.0);
    p3.raw_head_batched = Some(head.1);
    Ok(p3)
}

fn print_rate(what: &str, r: &Rate) {
    println!(
        "  {what:<13} {:>3} per commit: {:>6} events in {:7.2} s = {:8.0} events/s ({:.3} ms per commit)",
        r.per_commit,
        r.events,
        r.took.as_secs_f64(),
        r.per_second(),
        ms(r.took) / (r.events / r.per_commit).max(1) as f64
    );
}

/// The raw side of P3: precomputed rows for `rusqlite`.
#[derive(Debug)]
struct RawJob {
    dir: std::path::PathBuf,
    ddl: Vec<String>,
    tenant: tenant::Model,
    single: Vec<audit_entry::Model>,
    batched: Vec<audit_entry::Model>,
}

impl RawJob {
    /// Inserts `rows` into the file `name` with the adapter's pragmas (WAL,
    /// synchronous=FULL, foreign keys on) and commit granularity
    /// (`BEGIN IMMEDIATE` … `COMMIT` every `per_txn` rows); with `head`, also
    /// reads and updates `audit_heads` per row as the adapter does.
    fn run(
        &self,
        name: &str,
        rows: &[audit_entry::Model],
        per_txn: usize,
        head: bool,
    ) -> Res<Rate> {
        let mut db = rusqlite::Connection::open(self.dir.join(name))?;
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        db.pragma_update(None, "foreign_keys", "ON")?;
        db.busy_timeout(Duration::from_secs(10))?;
        let exists: i64 = db.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'audit_log'",
            [],
            |r| r.get(0),
        )?;
        if exists == 0 {
            for sql in &self.ddl {
                db.execute_batch(sql)?;
            }
            let t = &self.tenant;
            db.execute(
                "INSERT INTO tenants (id, slug, status, version, created_at, data) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![t.id, t.slug, t.status, t.version, t.created_at, t.data],
            )?;
        }
        if head && let Some(first) = rows.first() {
            db.execute(
                "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                rusqlite::params![first.tenant_id, first.seq - 1, first.prev],
            )?;
        }
        let started = Instant::now();
        let mut chained = 0usize;
        for chunk in rows.chunks(per_txn) {
            let txn = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut insert = txn.prepare_cached(
                    "INSERT INTO audit_log (tenant_id, seq, at, action, prev, hash, data) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                for r in chunk {
                    if head {
                        let (seq, hash): (i64, Vec<u8>) = txn
                            .prepare_cached(
                                "SELECT seq, hash FROM audit_heads WHERE tenant_id = ?1",
                            )?
                            .query_row([&r.tenant_id], |x| Ok((x.get(0)?, x.get(1)?)))?;
                        chained += usize::from(seq + 1 == r.seq && hash == r.prev);
                    }
                    insert.execute(rusqlite::params![
                        r.tenant_id,
                        r.seq,
                        r.at,
                        r.action,
                        r.prev,
                        r.hash,
                        r.data
                    ])?;
                    if head {
                        txn.prepare_cached(
                            "UPDATE audit_heads SET seq = ?1, hash = ?2 WHERE tenant_id = ?3",
                        )?
                        .execute(rusqlite::params![
                            r.seq,
                            r.hash,
                            r.tenant_id
                        ])?;
                    }
                }
            }
            txn.commit()?;
        }
        let took = started.elapsed();
        if head && chained != rows.len() {
            println!(
                "  (note: {} of {} raw rows did not follow their head)",
                rows.len() - chained,
                rows.len()
            );
        }
        Ok(Rate {
            events: rows.len(),
            per_commit: per_txn,
            took,
        })
    }
}

// ---------------------------------------------------------------------------
// Postgres database
// ---------------------------------------------------------------------------

/// A fresh database, dropped (with force) when this goes out of scope.
#[derive(Debug)]
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    async fn create(admin_url: &str, name: &str) -> Res<Self> {
        let admin = Database::connect(admin_url)
            .await
            .context("connecting to ZEUGNIS_TEST_POSTGRES_URL")?;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await?;
        admin.close().await?;
        Ok(Self {
            admin_url: admin_url.to_owned(),
            name: name.to_owned(),
        })
    }

    fn url(&self) -> String {
        with_database(&self.admin_url, &self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Dropping needs async I/O: on a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let db = Database::connect(&admin_url).await.ok()?;
                let r = db
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
                let _ = db.close().await;
                r.ok()
            })
        })
        .join();
        match dropped {
            Ok(Some(_)) => println!("dropped database {}", self.name),
            _ => eprintln!("could not drop database {}: drop it by hand", self.name),
        }
    }
}

/// `postgres://user@host:port/db?params` with the database replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{}", &base[..path_start], name);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

// ---------------------------------------------------------------------------
// Statistics and the summary
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Default)]
struct Stats {
    n: usize,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

impl Stats {
    fn of(samples: &[Duration]) -> Self {
        let mut v: Vec<f64> = samples.iter().map(|d| ms(*d)).collect();
        v.sort_by(f64::total_cmp);
        // Nearest rank.
        let rank = |q: f64| -> f64 {
            if v.is_empty() {
                return f64::NAN;
            }
            let i = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
            v[i]
        };
        Self {
            n: v.len(),
            p50: rank(0.50),
            p95: rank(0.95),
            p99: rank(0.99),
            max: v.last().copied().unwrap_or(f64::NAN),
        }
    }
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "n={:<4} p50 {:6.2} ms  p95 {:6.2} ms  p99 {:6.2} ms  max {:6.2} ms",
            self.n, self.p50, self.p95, self.p99, self.max
        )
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn print_summary(cfg: Config, reports: &[Report]) {
    println!("\n=== Summary (scale 1/{}) ===", cfg.scale);
    let mut rows: Vec<(String, Vec<String>, String)> = Vec::new();
    let col = |f: &dyn Fn(&Report) -> String| reports.iter().map(f).collect::<Vec<_>>();
    rows.push((
        "load employees + references (s)".into(),
        col(&|r| format!("{:.1}", r.load_org.as_secs_f64())),
        String::new(),
    ));
    rows.push((
        "load audit events (s)".into(),
        col(&|r| format!("{:.1}", r.load_audit.as_secs_f64())),
        String::new(),
    ));
    rows.push((
        "load total (s)".into(),
        col(&|r| format!("{:.1}", (r.load_org + r.load_audit).as_secs_f64())),
        String::new(),
    ));
    rows.push((
        "database size (MiB)".into(),
        col(&|r| {
            r.size
                .map_or("-".into(), |s| format!("{:.0}", s as f64 / 1_048_576.0))
        }),
        String::new(),
    ));
    for (label, pick) in [
        ("P2 first page", 0usize),
        ("P2 continuation page", 1),
        ("P2 all", 2),
    ] {
        rows.push((
            format!("{label} p50/p95/p99 (ms)"),
            col(&|r| {
                let s = match pick {
                    0 => Stats::of(&r.p2.first),
                    1 => Stats::of(&r.p2.next),
                    _ => Stats::of(&r.p2.all()),
                };
                format!("{:.2}/{:.2}/{:.2}", s.p50, s.p95, s.p99)
            }),
            if pick == 2 {
                "p95 < 10 (SQLite), < 20 (PG)".into()
            } else {
                String::new()
            },
        ));
    }
    rows.push((
        "P2 p95 within target".into(),
        col(&|r| {
            let limit = if r.backend == "Postgres" { 20.0 } else { 10.0 };
            yes_no(Stats::of(&r.p2.all()).p95 < limit)
        }),
        String::new(),
    ));
    rows.push((
        "P2 plan".into(),
        col(&|r| {
            let index = match r.p2.index_used {
                Some(true) => "index",
                Some(false) => "NO INDEX",
                None => "-",
            };
            let sort = if r.p2.sorts { "+ sort" } else { "no sort" };
            format!("{index}, {sort}")
        }),
        String::new(),
    ));
    rows.push((
        "P3 adapter, 1/commit (events/s)".into(),
        col(&|r| format!("{:.0}", r.p3.single.per_second())),
        String::new(),
    ));
    rows.push((
        "P3 raw rusqlite, 1/txn (events/s)".into(),
        col(&|r| {
            r.p3.raw_single
                .map_or("-".into(), |x| format!("{:.0}", x.per_second()))
        }),
        String::new(),
    ));
    rows.push((
        "P3 ratio adapter/raw, 1/commit".into(),
        col(&|r| {
            r.p3.raw_single.map_or("-".into(), |x| {
                format!("{:.2}", r.p3.single.per_second() / x.per_second())
            })
        }),
        "≥ 0.5".into(),
    ));
    rows.push((
        format!("P3 adapter, {P3_BATCH}/commit (events/s)"),
        col(&|r| format!("{:.0}", r.p3.batched.per_second())),
        String::new(),
    ));
    rows.push((
        format!("P3 raw rusqlite, {P3_BATCH}/txn (events/s)"),
        col(&|r| {
            r.p3.raw_batched
                .map_or("-".into(), |x| format!("{:.0}", x.per_second()))
        }),
        String::new(),
    ));
    rows.push((
        format!("P3 ratio adapter/raw, {P3_BATCH}/commit"),
        col(&|r| {
            r.p3.raw_batched.map_or("-".into(), |x| {
                format!("{:.2}", r.p3.batched.per_second() / x.per_second())
            })
        }),
        "≥ 0.5".into(),
    ));
    rows.push((
        format!("P3 raw + head read/update, 1 | {P3_BATCH}/txn (ev/s)"),
        col(&|r| match (r.p3.raw_head_single, r.p3.raw_head_batched) {
            (Some(a), Some(b)) => format!("{:.0} | {:.0}", a.per_second(), b.per_second()),
            _ => "-".into(),
        }),
        "diagnostic".into(),
    ));
    rows.push((
        "one PK SELECT via sea-orm/sqlx: pool | txn (µs)".into(),
        col(&|r| {
            format!(
                "{:.1} | {:.1}",
                r.p3.round_trip.0.as_secs_f64() * 1e6,
                r.p3.round_trip.1.as_secs_f64() * 1e6
            )
        }),
        "diagnostic".into(),
    ));
    rows.push((
        "employees read, decrypted (ms)".into(),
        col(&|r| format!("{:.1} ({})", ms(r.decrypt.with), r.decrypt.records)),
        String::new(),
    ));
    rows.push((
        "employees read, sealed (ms)".into(),
        col(&|r| format!("{:.1}", ms(r.decrypt.without))),
        String::new(),
    ));
    rows.push((
        "ratio decrypted/sealed".into(),
        col(&|r| {
            format!(
                "{:.2}",
                r.decrypt.with.as_secs_f64() / r.decrypt.without.as_secs_f64()
            )
        }),
        String::new(),
    ));

    let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let wc = rows
        .iter()
        .flat_map(|r| r.1.iter().map(|c| c.chars().count()))
        .chain(reports.iter().map(|r| r.backend.len()))
        .max()
        .unwrap_or(0);
    let mut header = format!("{:<w0$}", "");
    for r in reports {
        header.push_str(&format!(" | {:>wc$}", r.backend));
    }
    header.push_str(" | target");
    println!("{header}");
    println!("{}", "-".repeat(header.chars().count()));
    for (label, cols, target) in rows {
        let mut line = format!("{label:<w0$}");
        for c in cols {
            line.push_str(&format!(" | {c:>wc$}"));
        }
        line.push_str(&format!(" | {target}"));
        println!("{line}");
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes".into() } else { "NO".into() }
}
