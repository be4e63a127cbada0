//! The `outbox` table.
use sea_orm::entity::prelude::*;

/// A row of `outbox`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Vec<u8>,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Vec<u8>,
    pub kind: String,
    pub state: String,
    pub attempts: i32,
    pub due_at: i64,
    pub claimed_until: Option<i64>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub data: Option<Vec<u8>>,
}

/// No relations are navigated through the ORM; foreign keys live in the migration.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
