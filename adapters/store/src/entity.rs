//! The sea-orm entities: one module per table. Every table but `tenants` and
//! `installation` leads its primary key with `tenant_id`; columns named `data`
//! or `content` of type `Vec<u8>` hold AES-256-GCM ciphertext, those of type
//! `String` hold plain JSON without personal data.
//!
//! Every table is declared by `table!`: its module, its name, its primary-key
//! columns in order and its other columns. The macro writes the rest of what
//! sea-orm needs (the model's derives, an empty relation list, the default
//! behaviour), so a table reads as its columns alone.

/// Declares the sea-orm entity of one table as a module `$module`: the key
/// columns in `(…)` become the primary key in that order (never
/// auto-incremented), the columns in `{…}` follow. No relations are navigated
/// through the ORM; foreign keys live in the migration.
macro_rules! table {
    (
        $(#[$doc:meta])*
        $module:ident = $table:tt ($($key:ident: $key_ty:ty),+ $(,)?) {
            $($(#[$attr:meta])* $column:ident: $ty:ty),* $(,)?
        }
    ) => {
        $(#[$doc])*
        pub mod $module {
            use sea_orm::entity::prelude::*;

            #[doc = concat!("A row of `", $table, "`.")]
            #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                $(
                    #[sea_orm(primary_key, auto_increment = false)]
                    pub $key: $key_ty,
                )+
                $(
                    $(#[$attr])*
                    pub $column: $ty,
                )*
            }

            /// No relations are navigated through the ORM.
            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

table! {
    /// The `action_tokens` table: pending registration and password-reset links,
    /// found by the hash of their token.
    action_token = "action_tokens" (tenant_id: Vec<u8>, token_hash: Vec<u8>) {
        user_id: Vec<u8>,
        purpose: String,
        created_at: i64,
        expires_at: i64,
    }
}

table! {
    /// The `audit_log` table.
    audit_entry = "audit_log" (tenant_id: Vec<u8>, seq: i64) {
        at: i64,
        action: String,
        actor_user: Option<Vec<u8>>,
        subject_user: Option<Vec<u8>>,
        prev: Vec<u8>,
        hash: Vec<u8>,
        data: Vec<u8>,
    }
}

table! {
    /// The `audit_heads` table.
    audit_head = "audit_heads" (tenant_id: Vec<u8>) {
        seq: i64,
        hash: Vec<u8>,
    }
}

table! {
    /// The `challenges` table.
    challenge = "challenges" (tenant_id: Vec<u8>, id: Vec<u8>) {
        version: i64,
        handover_id: Option<Vec<u8>>,
        expires_at: i64,
        data: String,
    }
}

table! {
    /// The `change_log` table.
    change_log = "change_log" (tenant_id: Vec<u8>, reference_id: Vec<u8>, seq: i64) {
        at: i64,
        data: Vec<u8>,
    }
}

table! {
    /// The `credentials` table.
    credential = "credentials" (tenant_id: Vec<u8>, user_id: Vec<u8>) {
        phc: String,
    }
}

table! {
    /// The `documents` table.
    document = "documents" (tenant_id: Vec<u8>, id: Vec<u8>) {
        reference_id: Vec<u8>,
        created_at: i64,
        content: Vec<u8>,
    }
}

table! {
    /// The `employees` table.
    employee = "employees" (tenant_id: Vec<u8>, id: Vec<u8>) {
        version: i64,
        company: Option<String>,
        location: Option<String>,
        department: Option<String>,
        unit: Option<String>,
        employee_type: Option<String>,
        exit_date: Option<i32>,
        data: Vec<u8>,
    }
}

table! {
    /// The `handovers` table.
    handover = "handovers" (tenant_id: Vec<u8>, id: Vec<u8>) {
        version: i64,
        reference_id: Vec<u8>,
        created_at: i64,
        expires_at: i64,
        data: Vec<u8>,
    }
}

table! {
    /// The `installation` table.
    installation = "installation" (name: String) {
        value: String,
    }
}

table! {
    /// The `outbox` table.
    outbox = "outbox" (tenant_id: Vec<u8>, id: Vec<u8>) {
        kind: String,
        state: String,
        attempts: i32,
        due_at: i64,
        claimed_until: Option<i64>,
        expires_at: Option<i64>,
        created_at: i64,
        data: Option<Vec<u8>>,
    }
}

table! {
    /// The `reference_letters` table.
    reference = "reference_letters" (tenant_id: Vec<u8>, id: Vec<u8>) {
        version: i64,
        employee_id: Vec<u8>,
        company: Option<String>,
        location: Option<String>,
        department: Option<String>,
        unit: Option<String>,
        employee_type: Option<String>,
        kind: String,
        language: String,
        status: String,
        status_since: i64,
        private: bool,
        created_by: Vec<u8>,
        created_at: i64,
        changed_at: i64,
        generated_hash: Option<Vec<u8>>,
    }
}

table! {
    /// The `roles` table.
    role = "roles" (tenant_id: Vec<u8>, id: Vec<u8>) {
        version: i64,
        is_administrator: bool,
        data: String,
    }
}

table! {
    /// The `second_factors` table: a user's TOTP secret, last accepted step and
    /// recovery-code hashes, sealed in `data`.
    second_factor = "second_factors" (tenant_id: Vec<u8>, user_id: Vec<u8>) {
        version: i64,
        data: Vec<u8>,
    }
}

table! {
    /// The `reference_sections` table.
    section = "reference_sections" (tenant_id: Vec<u8>, reference_id: Vec<u8>, section: String) {
        content: Vec<u8>,
    }
}

table! {
    /// The `sessions` table.
    session = "sessions" (tenant_id: Vec<u8>, token_hash: Vec<u8>) {
        user_id: Option<Vec<u8>>,
        handover_id: Option<Vec<u8>>,
        created_at: i64,
        last_seen_at: i64,
        data: String,
    }
}

table! {
    /// The `settings` table.
    setting = "settings" (tenant_id: Vec<u8>) {
        version: i64,
        data: String,
    }
}

table! {
    /// The `reference_signatories` table.
    signatory = "reference_signatories" (tenant_id: Vec<u8>, reference_id: Vec<u8>, position: i32) {
        employee_id: Vec<u8>,
    }
}

table! {
    /// The `status_history` table.
    status_change = "status_history" (tenant_id: Vec<u8>, reference_id: Vec<u8>, seq: i64) {
        at: i64,
        data: String,
    }
}

table! {
    /// The `tenants` table.
    tenant = "tenants" (id: Vec<u8>) {
        #[sea_orm(unique)]
        slug: String,
        status: String,
        version: i64,
        created_at: i64,
        data: String,
    }
}

table! {
    /// The `tenant_documents` table: a tenant's phrase library and reference
    /// formatting, as plain JSON by kind.
    tenant_document = "tenant_documents" (tenant_id: Vec<u8>, kind: String) {
        version: i64,
        data: String,
    }
}

table! {
    /// The `tenant_keys` table.
    tenant_key = "tenant_keys" (tenant_id: Vec<u8>) {
        master_key_id: Option<String>,
        wrapped: Option<Vec<u8>>,
        created_at: i64,
        destroyed_at: Option<i64>,
    }
}

table! {
    /// The `users` table.
    user = "users" (tenant_id: Vec<u8>, id: Vec<u8>) {
        version: i64,
        email_hash: Vec<u8>,
        sso_hash: Option<Vec<u8>>,
        role_id: Vec<u8>,
        status: String,
        created_at: i64,
        data: Vec<u8>,
    }
}
