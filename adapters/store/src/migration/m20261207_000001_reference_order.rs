//! The reference overview sorted and filtered: an index on the time of the
//! last status change, so the list sorted "longest waiting first" is read in
//! key order like the newest-first one; and an index per organisational
//! column of the employees, so the values a filter offers (and a scope
//! restricts to) are read along an index.

use sea_orm_migration::prelude::*;

use super::m20261123_000001_initial::index;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// Table, index name and columns of every index this migration adds.
const INDEXES: [(&str, &str, &[&str]); 6] = [
    (
        "reference_letters",
        "ix_references_since",
        &["tenant_id", "status_since", "id"],
    ),
    (
        "employees",
        "ix_employees_company",
        &["tenant_id", "company"],
    ),
    (
        "employees",
        "ix_employees_location",
        &["tenant_id", "location"],
    ),
    (
        "employees",
        "ix_employees_department",
        &["tenant_id", "department"],
    ),
    ("employees", "ix_employees_unit", &["tenant_id", "unit"]),
    (
        "employees",
        "ix_employees_employee_type",
        &["tenant_id", "employee_type"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, columns) in INDEXES {
            manager.create_index(index(table, name, columns)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
