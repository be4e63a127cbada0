//! The `reference_letters` table.
use sea_orm::entity::prelude::*;

/// A row of `reference_letters`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reference_letters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Vec<u8>,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Vec<u8>,
    pub version: i64,
    pub employee_id: Vec<u8>,
    pub company: Option<String>,
    pub location: Option<String>,
    pub department: Option<String>,
    pub unit: Option<String>,
    pub employee_type: Option<String>,
    pub kind: String,
    pub language: String,
    pub status: String,
    pub status_since: i64,
    pub private: bool,
    pub created_by: Vec<u8>,
    pub created_at: i64,
    pub generated_hash: Option<Vec<u8>>,
}

/// No relations are navigated through the ORM; foreign keys live in the migration.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
