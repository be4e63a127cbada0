//! The initial schema.
//!
//! Conventions: ids are 16-byte blobs, instants are nanoseconds since the Unix
//! epoch (`BIGINT`), dates are Julian day numbers, `tenant_id` leads every
//! primary key, unique constraint and index (the outbox's delivery index is the
//! one installation-wide exception: the delivery job claims across tenants).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

pub(super) fn col(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
}

pub(super) fn blob(name: &'static str) -> ColumnDef {
    let mut c = col(name);
    c.blob().not_null();
    c
}

pub(super) fn blob_null(name: &'static str) -> ColumnDef {
    let mut c = col(name);
    c.blob().null();
    c
}

pub(super) fn text(name: &'static str) -> ColumnDef {
    let mut c = col(name);
    c.text().not_null();
    c
}

pub(super) fn text_null(name: &'static str) -> ColumnDef {
    let mut c = col(name);
    c.text().null();
    c
}

pub(super) fn big(name: &'static str) -> ColumnDef {
    let mut c = col(name);
    c.big_integer().not_null();
    c
}

pub(super) fn big_null(name: &'static str) -> ColumnDef {
    let mut c = col(name);
    c.big_integer().null();
    c
}

pub(super) fn int(name: &'static str) -> ColumnDef {
    let mut c = col(name);
    c.integer().not_null();
    c
}

pub(super) fn boolean(name: &'static str) -> ColumnDef {
    let mut c = col(name);
    c.boolean().not_null();
    c
}

fn org_columns(t: &mut TableCreateStatement) {
    for name in ["company", "location", "department", "unit", "employee_type"] {
        t.col(text_null(name));
    }
}

pub(super) fn pk(t: &mut TableCreateStatement, columns: &[&'static str]) {
    let mut i = Index::create();
    for c in columns {
        i.col(*c);
    }
    t.primary_key(&mut i);
}

/// A foreign key from `columns` of `from` to `to_columns` of `to`.
pub(super) fn fk(
    t: &mut TableCreateStatement,
    from: &'static str,
    columns: &[&'static str],
    to: &'static str,
    to_columns: &[&'static str],
    on_delete: ForeignKeyAction,
) {
    let mut f = ForeignKey::create();
    f.name(format!("fk_{from}_{}", columns.join("_")))
        .from_tbl(from)
        .to_tbl(to)
        .on_delete(on_delete);
    for c in columns {
        f.from_col(*c);
    }
    for c in to_columns {
        f.to_col(*c);
    }
    t.foreign_key(&mut f);
}

fn table(name: &'static str) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(name);
    t
}

pub(super) fn tenant_owned(name: &'static str) -> TableCreateStatement {
    let mut t = table(name);
    t.col(blob("tenant_id"));
    fk(
        &mut t,
        name,
        &["tenant_id"],
        "tenants",
        &["id"],
        ForeignKeyAction::Cascade,
    );
    t
}

pub(super) fn index(
    table: &'static str,
    name: &'static str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in columns {
        i.col(*c);
    }
    i
}

fn schema() -> (Vec<TableCreateStatement>, Vec<IndexCreateStatement>) {
    use ForeignKeyAction::{Cascade, Restrict};
    let mut tables = Vec::new();
    let mut indexes = Vec::new();

    let mut t = table("installation");
    t.col(text("name")).col(text("value"));
    pk(&mut t, &["name"]);
    tables.push(t);

    let mut t = table("tenants");
    t.col(blob("id"))
        .col(text("slug"))
        .col(text("status"))
        .col(big("version"))
        .col(big("created_at"))
        .col(text("data"));
    pk(&mut t, &["id"]);
    tables.push(t);
    indexes.push(
        index("tenants", "ux_tenants_slug", &["slug"])
            .unique()
            .to_owned(),
    );

    let mut t = tenant_owned("tenant_keys");
    t.col(text_null("master_key_id"))
        .col(blob_null("wrapped"))
        .col(big("created_at"))
        .col(big_null("destroyed_at"));
    pk(&mut t, &["tenant_id"]);
    tables.push(t);

    let mut t = tenant_owned("roles");
    t.col(blob("id"))
        .col(big("version"))
        .col(boolean("is_administrator"))
        .col(text("data"));
    pk(&mut t, &["tenant_id", "id"]);
    tables.push(t);

    let mut t = tenant_owned("users");
    t.col(blob("id"))
        .col(big("version"))
        .col(blob("email_hash"))
        .col(blob_null("sso_hash"))
        .col(blob("role_id"))
        .col(text("status"))
        .col(big("created_at"))
        .col(blob("data"));
    pk(&mut t, &["tenant_id", "id"]);
    fk(
        &mut t,
        "users",
        &["tenant_id", "role_id"],
        "roles",
        &["tenant_id", "id"],
        Restrict,
    );
    tables.push(t);
    indexes.push(
        index("users", "ux_users_email", &["tenant_id", "email_hash"])
            .unique()
            .to_owned(),
    );
    indexes.push(
        index("users", "ux_users_sso", &["tenant_id", "sso_hash"])
            .unique()
            .to_owned(),
    );
    indexes.push(index(
        "users",
        "ix_users_role",
        &["tenant_id", "role_id", "status"],
    ));

    let mut t = tenant_owned("credentials");
    t.col(blob("user_id")).col(text("phc"));
    pk(&mut t, &["tenant_id", "user_id"]);
    fk(
        &mut t,
        "credentials",
        &["tenant_id", "user_id"],
        "users",
        &["tenant_id", "id"],
        Cascade,
    );
    tables.push(t);

    let mut t = tenant_owned("employees");
    t.col(blob("id")).col(big("version"));
    org_columns(&mut t);
    t.col({
        let mut c = col("exit_date");
        c.integer().null();
        c
    })
    .col(blob("data"));
    pk(&mut t, &["tenant_id", "id"]);
    tables.push(t);
    indexes.push(index(
        "employees",
        "ix_employees_exit",
        &["tenant_id", "exit_date"],
    ));

    let mut t = tenant_owned("reference_letters");
    t.col(blob("id"))
        .col(big("version"))
        .col(blob("employee_id"));
    org_columns(&mut t);
    t.col(text("kind"))
        .col(text("language"))
        .col(text("status"))
        .col(big("status_since"))
        .col(boolean("private"))
        .col(blob("created_by"))
        .col(big("created_at"));
    pk(&mut t, &["tenant_id", "id"]);
    fk(
        &mut t,
        "reference_letters",
        &["tenant_id", "employee_id"],
        "employees",
        &["tenant_id", "id"],
        Restrict,
    );
    tables.push(t);
    indexes.push(index(
        "reference_letters",
        "ix_references_created",
        &["tenant_id", "created_at", "id"],
    ));
    for c in ["company", "location", "department", "unit", "employee_type"] {
        let name: &'static str = match c {
            "company" => "ix_references_company",
            "location" => "ix_references_location",
            "department" => "ix_references_department",
            "unit" => "ix_references_unit",
            _ => "ix_references_employee_type",
        };
        indexes.push(index(
            "reference_letters",
            name,
            &["tenant_id", c, "created_at", "id"],
        ));
    }
    indexes.push(index(
        "reference_letters",
        "ix_references_employee",
        &["tenant_id", "employee_id"],
    ));
    indexes.push(index(
        "reference_letters",
        "ix_references_status",
        &["tenant_id", "status", "status_since"],
    ));

    let mut t = tenant_owned("reference_signatories");
    t.col(blob("reference_id"))
        .col(int("position"))
        .col(blob("employee_id"));
    pk(&mut t, &["tenant_id", "reference_id", "position"]);
    fk(
        &mut t,
        "reference_signatories",
        &["tenant_id", "reference_id"],
        "reference_letters",
        &["tenant_id", "id"],
        Cascade,
    );
    fk(
        &mut t,
        "reference_signatories",
        &["tenant_id", "employee_id"],
        "employees",
        &["tenant_id", "id"],
        Restrict,
    );
    tables.push(t);
    indexes.push(index(
        "reference_signatories",
        "ix_signatories_employee",
        &["tenant_id", "employee_id"],
    ));

    for (name, fk_name) in [
        ("reference_sections", "section"),
        ("status_history", "seq"),
        ("change_log", "seq"),
    ] {
        let mut t = tenant_owned(name);
        t.col(blob("reference_id"));
        if fk_name == "section" {
            t.col(text("section")).col(blob("content"));
        } else {
            t.col(big("seq")).col(big("at"));
            if name == "status_history" {
                t.col(text("data"));
            } else {
                t.col(blob("data"));
            }
        }
        pk(&mut t, &["tenant_id", "reference_id", fk_name]);
        fk(
            &mut t,
            name,
            &["tenant_id", "reference_id"],
            "reference_letters",
            &["tenant_id", "id"],
            Cascade,
        );
        tables.push(t);
    }

    let mut t = tenant_owned("documents");
    t.col(blob("id"))
        .col(blob("reference_id"))
        .col(big("created_at"))
        .col(blob("content"));
    pk(&mut t, &["tenant_id", "id"]);
    fk(
        &mut t,
        "documents",
        &["tenant_id", "reference_id"],
        "reference_letters",
        &["tenant_id", "id"],
        Cascade,
    );
    tables.push(t);
    indexes.push(index(
        "documents",
        "ix_documents_reference",
        &["tenant_id", "reference_id"],
    ));

    let mut t = tenant_owned("handovers");
    t.col(blob("id"))
        .col(big("version"))
        .col(blob("reference_id"))
        .col(big("created_at"))
        .col(big("expires_at"))
        .col(blob("data"));
    pk(&mut t, &["tenant_id", "id"]);
    fk(
        &mut t,
        "handovers",
        &["tenant_id", "reference_id"],
        "reference_letters",
        &["tenant_id", "id"],
        Cascade,
    );
    tables.push(t);
    indexes.push(index(
        "handovers",
        "ix_handovers_reference",
        &["tenant_id", "reference_id", "created_at"],
    ));

    let mut t = tenant_owned("challenges");
    t.col(blob("id"))
        .col(big("version"))
        .col(blob_null("handover_id"))
        .col(big("expires_at"))
        .col(text("data"));
    pk(&mut t, &["tenant_id", "id"]);
    fk(
        &mut t,
        "challenges",
        &["tenant_id", "handover_id"],
        "handovers",
        &["tenant_id", "id"],
        Cascade,
    );
    tables.push(t);
    indexes.push(index(
        "challenges",
        "ix_challenges_handover",
        &["tenant_id", "handover_id"],
    ));

    let mut t = tenant_owned("sessions");
    t.col(blob("token_hash"))
        .col(blob_null("user_id"))
        .col(blob_null("handover_id"))
        .col(big("created_at"))
        .col(big("last_seen_at"))
        .col(text("data"));
    pk(&mut t, &["tenant_id", "token_hash"]);
    fk(
        &mut t,
        "sessions",
        &["tenant_id", "user_id"],
        "users",
        &["tenant_id", "id"],
        Cascade,
    );
    fk(
        &mut t,
        "sessions",
        &["tenant_id", "handover_id"],
        "handovers",
        &["tenant_id", "id"],
        Cascade,
    );
    tables.push(t);
    indexes.push(index(
        "sessions",
        "ix_sessions_user",
        &["tenant_id", "user_id"],
    ));
    indexes.push(index(
        "sessions",
        "ix_sessions_handover",
        &["tenant_id", "handover_id"],
    ));

    let mut t = tenant_owned("audit_log");
    t.col(big("seq"))
        .col(big("at"))
        .col(text("action"))
        .col(blob("prev"))
        .col(blob("hash"))
        .col(blob("data"));
    pk(&mut t, &["tenant_id", "seq"]);
    tables.push(t);
    indexes.push(index(
        "audit_log",
        "ix_audit_at",
        &["tenant_id", "at", "seq"],
    ));

    let mut t = tenant_owned("audit_heads");
    t.col(big("seq")).col(blob("hash"));
    pk(&mut t, &["tenant_id"]);
    tables.push(t);

    let mut t = tenant_owned("outbox");
    t.col(blob("id"))
        .col(text("kind"))
        .col(text("state"))
        .col(int("attempts"))
        .col(big("due_at"))
        .col(big_null("claimed_until"))
        .col(big_null("expires_at"))
        .col(big("created_at"))
        .col(blob_null("data"));
    pk(&mut t, &["tenant_id", "id"]);
    tables.push(t);
    indexes.push(index("outbox", "ix_outbox_due", &["state", "due_at"]));

    let mut t = tenant_owned("settings");
    t.col(big("version")).col(text("data"));
    pk(&mut t, &["tenant_id"]);
    tables.push(t);

    (tables, indexes)
}

/// Creates `tables`, then `indexes`.
pub(super) async fn create_all(
    manager: &SchemaManager<'_>,
    tables: Vec<TableCreateStatement>,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    for t in tables {
        manager.create_table(t).await?;
    }
    for i in indexes {
        manager.create_index(i).await?;
    }
    Ok(())
}

/// Drops `tables`, last first.
pub(super) async fn drop_all(
    manager: &SchemaManager<'_>,
    tables: &[TableCreateStatement],
) -> Result<(), DbErr> {
    for t in tables.iter().rev() {
        if let Some(name) = t.get_table_name() {
            manager
                .drop_table(Table::drop().table(name.clone()).to_owned())
                .await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (tables, indexes) = schema();
        create_all(manager, tables, indexes).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &schema().0).await
    }
}
