//! One store per test: a fresh SQLite file, or a fresh Postgres database that
//! is dropped afterwards (also when the test fails).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database, Statement};
use zeugnis_crypto::{KeySource, MasterKey, MasterKeyring};
use zeugnis_store::{Location, Store};

pub(crate) struct Harness {
    pub(crate) store: Store,
    pub(crate) location: Location,
    pub(crate) master: MasterKey,
    /// The SQLite folder (kept alive for the test).
    pub(crate) dir: Option<tempfile::TempDir>,
    pg: Option<PgDatabase>,
}

struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Dropping needs async I/O; do it on a runtime of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(db) = Database::connect(&admin_url).await {
                    let _ = db
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = db.close().await;
                }
            });
        })
        .join();
    }
}

pub(crate) fn ring(master: &MasterKey) -> MasterKeyring {
    MasterKeyring::new(master.clone(), KeySource::Env("TEST_MASTER_KEY".into()))
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl Harness {
    pub(crate) async fn sqlite() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::Sqlite(dir.path().join("zeugnis.db"));
        let master = MasterKey::generate().unwrap();
        let store = Store::open(&location, ring(&master)).await.unwrap();
        Harness {
            store,
            location,
            master,
            dir: Some(dir),
            pg: None,
        }
    }

    /// `None` (with a visible note) when no Postgres is configured outside CI.
    pub(crate) async fn postgres() -> Option<Harness> {
        let Ok(admin_url) = std::env::var("ZEUGNIS_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var("CI").is_err(),
                "ZEUGNIS_TEST_POSTGRES_URL must be set under CI: the Postgres half of the conformance suite may not skip"
            );
            eprintln!(
                "SKIPPED: Postgres conformance test (set ZEUGNIS_TEST_POSTGRES_URL to run it)"
            );
            return None;
        };
        let name = format!(
            "zeugnis_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
        );
        let admin = Database::connect(&admin_url).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let pg = PgDatabase {
            admin_url: admin_url.clone(),
            name: name.clone(),
        };
        let url = with_database(&admin_url, &name);
        let location = Location::Postgres(url);
        let master = MasterKey::generate().unwrap();
        let store = Store::open(&location, ring(&master)).await.unwrap();
        Some(Harness {
            store,
            location,
            master,
            dir: None,
            pg: Some(pg),
        })
    }

    pub(crate) fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// The SQLite files (database, WAL, shared memory).
    pub(crate) fn sqlite_files(&self) -> Vec<PathBuf> {
        let Some(dir) = &self.dir else {
            return Vec::new();
        };
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    }

    /// Runs raw SQL (for looking behind the adapter's back).
    pub(crate) async fn raw(&self, sql: &str) -> Vec<sea_orm::QueryResult> {
        let conn = self.store.connection();
        conn.query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
    }

    pub(crate) async fn raw_exec(&self, sql: &str) {
        let conn = self.store.connection();
        conn.execute_unprepared(sql).await.unwrap();
    }

    /// How many rows `table` holds for the tenant (hex id).
    pub(crate) async fn rows_of(&self, table: &str, tenant: zeugnis_core::id::TenantId) -> i64 {
        let hex = hex(tenant.as_bytes());
        let literal = if self.is_postgres() {
            format!("'\\x{hex}'::bytea")
        } else {
            format!("X'{hex}'")
        };
        let column = if table == "tenants" {
            "id"
        } else {
            "tenant_id"
        };
        let rows = self
            .raw(&format!(
                "SELECT COUNT(*) AS n FROM {table} WHERE {column} = {literal}"
            ))
            .await;
        rows[0].try_get::<i64>("", "n").unwrap()
    }

    /// Opens the same database again with another master keyring.
    pub(crate) async fn reopen(
        &self,
        ring: MasterKeyring,
    ) -> Result<Store, zeugnis_store::OpenError> {
        Store::open(&self.location, ring).await
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn with_database(url: &str, name: &str) -> String {
    // postgres://user@host:port/db?params → replace the path.
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

/// Generates each case twice: on SQLite and on Postgres.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let h = $crate::harness::Harness::sqlite().await;
                    $crate::cases::$name(&h).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(h) = $crate::harness::Harness::postgres().await else { return };
                    $crate::cases::$name(&h).await;
                }
            )*
        }
    };
}
