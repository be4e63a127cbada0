//! The `tenants` table.
use sea_orm::entity::prelude::*;

/// A row of `tenants`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Vec<u8>,
    #[sea_orm(unique)]
    pub slug: String,
    pub status: String,
    pub version: i64,
    pub created_at: i64,
    pub data: String,
}

/// No relations are navigated through the ORM; foreign keys live in the migration.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
