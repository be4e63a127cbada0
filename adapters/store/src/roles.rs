//! Roles: their areas and scopes as plain JSON, and whether they are the
//! Administrator role.

use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, QueryFilter, QueryOrder, Set, SqlErr};
use zeugnis_core::access::{Role, RoleKind};
use zeugnis_core::id::{RoleId, TenantId};
use zeugnis_core::ports::{RoleStore, StoreError, Version, Versioned};

use crate::Store;
use crate::codec::to_json;
use crate::entity::role;
use crate::error::{classify, db};
use crate::row::{
    Txn, conflict, delete_or, found, insert, key, of, one, tid, update, versioned_json,
};

fn decode(m: &role::Model) -> Result<Versioned<Role>, StoreError> {
    versioned_json("role", &m.data, m.version)
}

fn row(t: TenantId, id: RoleId) -> sea_orm::Condition {
    key::<role::Entity>(t, role::Column::Id, id.as_bytes().to_vec())
}

#[async_trait]
impl RoleStore for Store {
    async fn role(
        &self,
        tenant: TenantId,
        id: RoleId,
    ) -> Result<Option<Versioned<Role>>, StoreError> {
        one::<role::Entity, _>(&self.db, row(tenant, id))
            .await?
            .as_ref()
            .map(decode)
            .transpose()
    }

    async fn roles(&self, tenant: TenantId) -> Result<Vec<Role>, StoreError> {
        let rows = role::Entity::find()
            .filter(of::<role::Entity>(tenant))
            .order_by_desc(role::Column::IsAdministrator)
            .order_by_asc(role::Column::Id)
            .all(&self.db)
            .await
            .map_err(db)?;
        rows.iter().map(|m| decode(m).map(|v| v.value)).collect()
    }
}

fn is_administrator(r: &Role) -> bool {
    matches!(r.kind, RoleKind::Administrator)
}

/// `Write::InsertRole`.
pub(crate) async fn insert_role(txn: &Txn, r: &Role) -> Result<(), StoreError> {
    let first = role::ActiveModel {
        tenant_id: Set(tid(r.tenant)),
        id: Set(r.id.as_bytes().to_vec()),
        version: Set(1),
        is_administrator: Set(is_administrator(r)),
        data: Set(to_json(r)?),
    };
    insert(txn, first, conflict("a role with this id exists")).await
}

/// `Write::UpdateRole`.
pub(crate) async fn update_role(txn: &Txn, r: &Role, v: Version) -> Result<(), StoreError> {
    let set = vec![
        (
            role::Column::IsAdministrator,
            Expr::value(is_administrator(r)),
        ),
        (role::Column::Data, Expr::value(to_json(r)?)),
    ];
    update::<role::Entity>(txn, row(r.tenant, r.id), v, set, "role", db).await
}

/// `Write::DeleteRole`: refused while users hold the role.
pub(crate) async fn delete_role(txn: &Txn, t: TenantId, id: RoleId) -> Result<(), StoreError> {
    let still_held = |e| match classify(&e) {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => StoreError::Conflict {
            what: "the role is still assigned to users".into(),
        },
        _ => db(e),
    };
    found(delete_or::<role::Entity>(txn, row(t, id), still_held).await?)
}
