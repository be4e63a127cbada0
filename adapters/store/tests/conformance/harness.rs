//! One store per test: a fresh SQLite file, or a fresh Postgres database that
//! is dropped afterwards (also when the test fails).

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Statement};
use zeugnis_conformance::{Records, StoreUnderTest};
use zeugnis_crypto::{KeySource, MasterKey, MasterKeyring};
use zeugnis_store::testing::TestDatabase;
use zeugnis_store::{Location, Store};

pub(crate) struct Harness {
    pub(crate) store: Store,
    pub(crate) location: Location,
    pub(crate) master: MasterKey,
    db: TestDatabase,
}

pub(crate) fn ring(master: &MasterKey) -> MasterKeyring {
    MasterKeyring::new(master.clone(), KeySource::Env("TEST_MASTER_KEY".into()))
}

impl Harness {
    async fn on(db: TestDatabase) -> Harness {
        let location = db.location().clone();
        let master = MasterKey::generate().unwrap();
        let store = Store::open(&location, ring(&master)).await.unwrap();
        Harness {
            store,
            location,
            master,
            db,
        }
    }

    pub(crate) async fn sqlite() -> Harness {
        Self::on(TestDatabase::sqlite().unwrap()).await
    }

    /// [`Harness::sqlite`] as a conformance subject (never skipped).
    pub(crate) async fn sqlite_subject() -> Option<Harness> {
        Some(Self::sqlite().await)
    }

    /// `None` (with a visible note) when no Postgres is configured outside CI.
    pub(crate) async fn postgres() -> Option<Harness> {
        let db = TestDatabase::postgres("conformance test").await.unwrap()?;
        Some(Self::on(db).await)
    }

    pub(crate) fn is_postgres(&self) -> bool {
        self.db.is_postgres()
    }

    /// The SQLite files (database, WAL, shared memory).
    pub(crate) fn sqlite_files(&self) -> Vec<PathBuf> {
        let Some(dir) = self.db.dir() else {
            return Vec::new();
        };
        std::fs::read_dir(dir)
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

    /// A byte string as an SQL literal of this database.
    pub(crate) fn bytes_literal(&self, bytes: &[u8]) -> String {
        let hex = hex(bytes);
        if self.is_postgres() {
            format!("'\\x{hex}'::bytea")
        } else {
            format!("X'{hex}'")
        }
    }

    /// How many rows `table` holds for the tenant (hex id).
    pub(crate) async fn rows_of(&self, table: &str, tenant: zeugnis_core::id::TenantId) -> i64 {
        let literal = self.bytes_literal(tenant.as_bytes());
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

/// The table holding each kind of record.
fn table(kind: Records) -> &'static str {
    match kind {
        Records::Tenants => "tenants",
        Records::Users => "users",
        Records::Roles => "roles",
        Records::Credentials => "credentials",
        Records::Employees => "employees",
        Records::References => "reference_letters",
        Records::Sections => "reference_sections",
        Records::Signatories => "reference_signatories",
        Records::StatusHistory => "status_history",
        Records::ChangeLog => "change_log",
        Records::Documents => "documents",
        Records::Handovers => "handovers",
        Records::Challenges => "challenges",
        Records::Sessions => "sessions",
        Records::ActionTokens => "action_tokens",
        Records::SecondFactors => "second_factors",
        Records::AuditEntries => "audit_log",
        Records::AuditHeads => "audit_heads",
        Records::OutboxMessages => "outbox",
        Records::Settings => "settings",
        other => panic!("no table known for {other:?}"),
    }
}

/// The port-level suite speaks to the store; the record counts come from the
/// tables behind it.
#[async_trait::async_trait]
impl StoreUnderTest for Harness {
    type Store = Store;

    fn store(&self) -> &Store {
        &self.store
    }

    async fn records(&self, kind: Records, tenant: zeugnis_core::id::TenantId) -> Option<u64> {
        Some(u64::try_from(self.rows_of(table(kind), tenant).await).unwrap())
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Generates every case twice, on SQLite and on Postgres: the port-level suite
/// of `zeugnis-conformance`, and the SQL-specific cases named here.
#[macro_export]
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            zeugnis_conformance::conformance_tests!($crate::harness::Harness::sqlite_subject());
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let h = $crate::harness::Harness::sqlite().await;
                    $crate::cases::$name(&h).await;
                }
            )*
        }
        mod postgres {
            zeugnis_conformance::conformance_tests!($crate::harness::Harness::postgres());
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
