//! Tenants: the organisation rows, their creation with a data key, and the
//! purge of everything a tenant owns.

use async_trait::async_trait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait as _, QueryFilter, QueryOrder, Set};
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::{StoreError, TenantStore};
use zeugnis_core::tenant::Tenant;
use zeugnis_core::values::Slug;

use crate::Store;
use crate::codec::{from_json, instant, name_of, to_json};
use crate::entity::{
    action_token, audit_entry, audit_head, challenge, change_log, credential, document, employee,
    handover, outbox, reference, role, second_factor, section, session, setting, signatory,
    status_change, tenant, tenant_document, user,
};
use crate::error::db;
use crate::row::{Txn, conflict, delete, found, insert, of, one, tid};

fn decode(m: &tenant::Model) -> Result<Tenant, StoreError> {
    from_json("tenant", m.data.as_bytes())
}

impl Store {
    /// The tenant whose `column` is `value`.
    async fn tenant_where(
        &self,
        column: tenant::Column,
        value: impl Into<sea_orm::Value> + Send,
    ) -> Result<Option<Tenant>, StoreError> {
        let rows = Condition::all().add(column.eq(value));
        one::<tenant::Entity, _>(&self.db, rows)
            .await?
            .as_ref()
            .map(decode)
            .transpose()
    }
}

#[async_trait]
impl TenantStore for Store {
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        self.tenant_where(tenant::Column::Id, tid(id)).await
    }

    async fn tenant_by_slug(&self, slug: &Slug) -> Result<Option<Tenant>, StoreError> {
        self.tenant_where(tenant::Column::Slug, slug.as_str()).await
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let rows = tenant::Entity::find()
            .order_by_asc(tenant::Column::Slug)
            .all(&self.db)
            .await
            .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for m in &rows {
            let t = decode(m)?;
            if t.ensure_readable().is_ok() {
                out.push(t);
            }
        }
        Ok(out)
    }
}

/// `Write::InsertTenant`: the row and the tenant's fresh data key.
pub(crate) async fn insert_tenant(store: &Store, txn: &Txn, x: &Tenant) -> Result<(), StoreError> {
    let row = tenant::ActiveModel {
        id: Set(tid(x.id)),
        slug: Set(x.slug.as_str().to_owned()),
        status: Set(name_of(&x.status)?),
        version: Set(1),
        created_at: Set(instant(x.created_at)?),
        data: Set(to_json(x)?),
    };
    insert(txn, row, conflict("a tenant with this id or slug exists")).await?;
    store.keys.create(txn, x.id, x.created_at).await
}

/// `Write::UpdateTenant` (the last write wins: tenants are changed by operators).
pub(crate) async fn update_tenant(txn: &Txn, x: &Tenant) -> Result<(), StoreError> {
    let r = tenant::Entity::update_many()
        .col_expr(
            tenant::Column::Slug,
            Expr::value(x.slug.as_str().to_owned()),
        )
        .col_expr(tenant::Column::Status, Expr::value(name_of(&x.status)?))
        .col_expr(tenant::Column::Data, Expr::value(to_json(x)?))
        .col_expr(
            tenant::Column::Version,
            Expr::col(tenant::Column::Version).add(1),
        )
        .filter(tenant::Column::Id.eq(tid(x.id)))
        .exec(txn)
        .await
        .map_err(conflict("another tenant has this slug"))?;
    found(r.rows_affected)
}

/// `Write::PurgeTenantData`: every row the tenant owns, children first, and
/// its data key; the tenant row stays.
pub(crate) async fn purge_tenant(store: &Store, txn: &Txn, t: TenantId) -> Result<(), StoreError> {
    macro_rules! purge {
        ($($m:ident),*) => {$(
            delete::<$m::Entity>(txn, of::<$m::Entity>(t)).await?;
        )*};
    }
    purge!(
        session,
        action_token,
        second_factor,
        challenge,
        document,
        change_log,
        status_change,
        section,
        signatory,
        handover,
        reference,
        employee,
        credential,
        user,
        role,
        audit_entry,
        audit_head,
        outbox,
        setting,
        tenant_document
    );
    store.keys.destroy(txn, t, time::UtcDateTime::now()).await
}

/// `Precondition::OnlyTenant`: no other tenant exists.
pub(crate) async fn only_tenant(txn: &Txn, t: TenantId) -> Result<bool, StoreError> {
    let others = tenant::Entity::find()
        .filter(tenant::Column::Id.ne(tid(t)))
        .count(txn)
        .await
        .map_err(db)?;
    Ok(others == 0)
}
