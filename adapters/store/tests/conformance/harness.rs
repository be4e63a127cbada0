//! One store per test: a fresh SQLite file, or a fresh Postgres database that
//! is dropped afterwards (also when the test fails).

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Statement};
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

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
