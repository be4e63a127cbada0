//! The `roles` table.
use sea_orm::entity::prelude::*;

/// A row of `roles`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Vec<u8>,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Vec<u8>,
    pub version: i64,
    pub is_administrator: bool,
    pub data: String,
}

/// No relations are navigated through the ORM; foreign keys live in the migration.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
