//! Identity: pending registration / password-reset links, and each user's
//! second factor (TOTP secret, last accepted step, recovery-code hashes; sealed).

use sea_orm_migration::prelude::*;

use super::m20261123_000001_initial::{
    big, blob, blob_null, create_all, drop_all, fk, index, pk, tenant_owned, text,
};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

fn schema() -> (Vec<TableCreateStatement>, Vec<IndexCreateStatement>) {
    let mut tables = Vec::new();
    let mut indexes = Vec::new();

    let mut t = tenant_owned("action_tokens");
    t.col(blob("token_hash"))
        .col(blob("user_id"))
        .col(text("purpose"))
        .col(big("created_at"))
        .col(big("expires_at"));
    pk(&mut t, &["tenant_id", "token_hash"]);
    fk(
        &mut t,
        "action_tokens",
        &["tenant_id", "user_id"],
        "users",
        &["tenant_id", "id"],
        ForeignKeyAction::Cascade,
    );
    tables.push(t);
    indexes.push(index(
        "action_tokens",
        "ix_action_tokens_user",
        &["tenant_id", "user_id"],
    ));

    let mut t = tenant_owned("second_factors");
    t.col(blob("user_id")).col(big("version")).col(blob("data"));
    pk(&mut t, &["tenant_id", "user_id"]);
    fk(
        &mut t,
        "second_factors",
        &["tenant_id", "user_id"],
        "users",
        &["tenant_id", "id"],
        ForeignKeyAction::Cascade,
    );
    tables.push(t);

    (tables, indexes)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (tables, indexes) = schema();
        create_all(manager, tables, indexes).await?;
        // Filtering the audit log by user: who acted, and whom it was about.
        for column in ["actor_user", "subject_user"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("audit_log")
                        .add_column(blob_null(column))
                        .to_owned(),
                )
                .await?;
            manager
                .create_index(index(
                    "audit_log",
                    if column == "actor_user" {
                        "ix_audit_log_actor_user"
                    } else {
                        "ix_audit_log_subject_user"
                    },
                    &["tenant_id", column, "seq"],
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (column, index_name) in [
            ("actor_user", "ix_audit_log_actor_user"),
            ("subject_user", "ix_audit_log_subject_user"),
        ] {
            manager
                .drop_index(Index::drop().name(index_name).table("audit_log").to_owned())
                .await?;
            manager
                .alter_table(
                    Table::alter()
                        .table("audit_log")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        drop_all(manager, &schema().0).await
    }
}
