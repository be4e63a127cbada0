//! The `reference_sections` table.
use sea_orm::entity::prelude::*;

/// A row of `reference_sections`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reference_sections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Vec<u8>,
    #[sea_orm(primary_key, auto_increment = false)]
    pub reference_id: Vec<u8>,
    #[sea_orm(primary_key, auto_increment = false)]
    pub section: String,
    pub content: Vec<u8>,
}

/// No relations are navigated through the ORM; foreign keys live in the migration.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
