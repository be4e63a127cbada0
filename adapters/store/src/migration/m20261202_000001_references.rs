//! References and their libraries: the fingerprint of the generated text on each
//! reference, and a tenant's phrase library and reference formatting (plain JSON,
//! no personal data).

use sea_orm_migration::prelude::*;

use super::m20261123_000001_initial::{
    big, blob_null, create_all, drop_all, pk, tenant_owned, text,
};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

fn schema() -> (Vec<TableCreateStatement>, Vec<IndexCreateStatement>) {
    let mut t = tenant_owned("tenant_documents");
    t.col(text("kind")).col(big("version")).col(text("data"));
    pk(&mut t, &["tenant_id", "kind"]);
    (vec![t], Vec::new())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (tables, indexes) = schema();
        create_all(manager, tables, indexes).await?;
        manager
            .alter_table(
                Table::alter()
                    .table("reference_letters")
                    .add_column(blob_null("generated_hash"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("reference_letters")
                    .drop_column("generated_hash")
                    .to_owned(),
            )
            .await?;
        drop_all(manager, &schema().0).await
    }
}
