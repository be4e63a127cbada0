//! The `tenant_keys` table.
use sea_orm::entity::prelude::*;

/// A row of `tenant_keys`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Vec<u8>,
    pub master_key_id: Option<String>,
    pub wrapped: Option<Vec<u8>>,
    pub created_at: i64,
    pub destroyed_at: Option<i64>,
}

/// No relations are navigated through the ORM; foreign keys live in the migration.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
