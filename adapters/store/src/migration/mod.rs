//! The one migration set, backend-neutral: the same statements build the schema
//! on SQLite and on Postgres.

use sea_orm_migration::prelude::*;

mod m20261123_000001_initial;
mod m20261201_000001_identity;
mod m20261202_000001_references;
mod m20261207_000001_reference_order;
mod m20261208_000001_reference_changed;

/// Every migration, oldest first.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_initial::Migration),
            Box::new(m20261201_000001_identity::Migration),
            Box::new(m20261202_000001_references::Migration),
            Box::new(m20261207_000001_reference_order::Migration),
            Box::new(m20261208_000001_reference_changed::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        "schema_migrations".into_iden()
    }
}
