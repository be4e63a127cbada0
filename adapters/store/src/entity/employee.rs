//! The `employees` table.
use sea_orm::entity::prelude::*;

/// A row of `employees`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "employees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Vec<u8>,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Vec<u8>,
    pub version: i64,
    pub company: Option<String>,
    pub location: Option<String>,
    pub department: Option<String>,
    pub unit: Option<String>,
    pub employee_type: Option<String>,
    pub exit_date: Option<i32>,
    pub data: Vec<u8>,
}

/// No relations are navigated through the ORM; foreign keys live in the migration.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
