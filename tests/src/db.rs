//! Real databases for cross-crate tests, with a store on them (see
//! `zeugnis_store::testing` for how they are made and when Postgres skips).

use zeugnis_core::id::TenantId;
use zeugnis_core::ports::{ChangeSet, UnitOfWork, Write};
use zeugnis_core::tenant::{Tenant, TenantStatus};
use zeugnis_core::values::{Name, Slug, Timestamp};
use zeugnis_crypto::{KeySource, MasterKey, MasterKeyring};
use zeugnis_store::testing::TestDatabase;
use zeugnis_store::{Location, Store};

/// A fresh database with its store.
#[derive(Debug)]
pub struct TestDb {
    /// The store on it.
    pub store: Store,
    /// Its master key.
    pub master: MasterKey,
    db: TestDatabase,
}

/// The keyring of a test master key.
#[must_use]
pub fn ring(master: &MasterKey) -> MasterKeyring {
    MasterKeyring::new(master.clone(), KeySource::Env("TEST_MASTER_KEY".into()))
}

impl TestDb {
    async fn on(db: TestDatabase) -> Self {
        let master = MasterKey::generate().expect("a master key");
        let store = Store::open(db.location(), ring(&master))
            .await
            .expect("the store opens");
        Self { store, master, db }
    }

    /// A fresh SQLite file.
    pub async fn sqlite() -> Self {
        Self::on(TestDatabase::sqlite().expect("a temporary folder")).await
    }

    /// A fresh Postgres database, or `None` when none is configured outside CI.
    ///
    /// # Panics
    /// Under `CI=true` without `ZEUGNIS_TEST_POSTGRES_URL`.
    pub async fn postgres(what: &str) -> Option<Self> {
        let db = TestDatabase::postgres(what)
            .await
            .expect("a Postgres test database")?;
        Some(Self::on(db).await)
    }

    /// A fresh database on `backend` (see [`TestDb::postgres`] for when
    /// there is none).
    pub async fn on_backend(backend: crate::Backend, what: &str) -> Option<Self> {
        match backend {
            crate::Backend::Sqlite => Some(Self::sqlite().await),
            crate::Backend::Postgres => Self::postgres(what).await,
        }
    }

    /// Whether this is Postgres.
    #[must_use]
    pub fn is_postgres(&self) -> bool {
        self.db.is_postgres()
    }

    /// Where it is.
    #[must_use]
    pub fn location(&self) -> &Location {
        self.db.location()
    }

    /// Another store on the same database with its own connection pool (as a
    /// second app instance would have).
    pub async fn open_again(&self) -> Store {
        Store::open(self.db.location(), ring(&self.master))
            .await
            .expect("the store opens a second time")
    }
}

/// Creates an active tenant `n` named `name`.
pub async fn seed_tenant(store: &Store, n: u8, name: &str) -> TenantId {
    let tenant = Tenant {
        id: TenantId::from_bytes([n; 16]),
        slug: Slug::parse(&format!("firma{n}")).expect("a valid slug"),
        name: Name::new(name).expect("a valid name"),
        status: TenantStatus::Active,
        created_at: Timestamp::now(),
    };
    let id = tenant.id;
    let mut changes = ChangeSet::new(id);
    changes.push(Write::InsertTenant(tenant));
    store.commit(changes).await.expect("the tenant is created");
    id
}
