//! When a reference last changed (its sections, signatories or status), for
//! the overview's "last change" column. Existing references take the time of
//! their last status change, the latest change the schema knew of.

use sea_orm_migration::prelude::*;

use super::m20261123_000001_initial::big;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut changed_at = big("changed_at");
        changed_at.default(0);
        manager
            .alter_table(
                Table::alter()
                    .table("reference_letters")
                    .add_column(changed_at)
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::update()
                    .table("reference_letters")
                    .value("changed_at", Expr::col("status_since"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("reference_letters")
                    .drop_column("changed_at")
                    .to_owned(),
            )
            .await
    }
}
