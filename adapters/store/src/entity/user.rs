//! The `users` table.
use sea_orm::entity::prelude::*;

/// A row of `users`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Vec<u8>,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Vec<u8>,
    pub version: i64,
    pub email_hash: Vec<u8>,
    pub sso_hash: Option<Vec<u8>>,
    pub role_id: Vec<u8>,
    pub status: String,
    pub created_at: i64,
    pub data: Vec<u8>,
}

/// No relations are navigated through the ORM; foreign keys live in the migration.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
