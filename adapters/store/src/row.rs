//! What the code of every table shares: the rows of a tenant, the
//! compare-and-set update of a versioned row, sealed columns, and pages.
//!
//! A family module (`users.rs`, `roles.rs`, …) names its columns and values;
//! the transaction, the version check, the mapping of "no row changed" to
//! [`StoreError::NotFound`] or a conflict, and the field contexts of sealed
//! columns are written here once.

use sea_orm::sea_query::{Condition, Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, SqlErr, Value,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::{
    Cursor, FieldContext, Page, PageRequest, StoreError, Version, Versioned,
};
use zeugnis_core::values::Timestamp;

use crate::Store;
use crate::codec::{from_json, from_version, instant, to_json_bytes, version};
use crate::entity;
use crate::error::db;
use crate::keys::{decode_hex, encode_hex};

/// The write transaction every change set runs in.
pub(crate) type Txn = DatabaseTransaction;

/// A tenant id as stored.
pub(crate) fn tid(t: TenantId) -> Vec<u8> {
    t.as_bytes().to_vec()
}

/// The field context of a sealed column: the additional data its ciphertext is
/// bound to (tenant, table, column, row). Changing what is passed here for a
/// column makes the values already stored unreadable.
pub(crate) fn ctx(
    tenant: TenantId,
    table: &'static str,
    column: &'static str,
    row: &[u8],
) -> FieldContext {
    FieldContext {
        tenant,
        table,
        column,
        row: encode_hex(row),
    }
}

/// A row whose record is sealed as JSON in its `data` column, bound to the
/// tenant, the table, the column `data` and the row's id.
pub(crate) trait SealedRow: Send + Sync {
    /// The table, as bound into the ciphertext.
    const TABLE: &'static str;
    /// The row's id, as bound into the ciphertext.
    fn row_id(&self) -> &[u8];
    /// The ciphertext.
    fn data(&self) -> &[u8];
    /// The stored version.
    fn version(&self) -> i64;
}

macro_rules! sealed_row {
    ($($m:ident: $table:literal by $id:ident),* $(,)?) => {$(
        impl SealedRow for entity::$m::Model {
            const TABLE: &'static str = $table;
            fn row_id(&self) -> &[u8] {
                &self.$id
            }
            fn data(&self) -> &[u8] {
                &self.data
            }
            fn version(&self) -> i64 {
                self.version
            }
        }
    )*};
}

sealed_row!(
    user: "users" by id,
    employee: "employees" by id,
    handover: "handovers" by id,
    second_factor: "second_factors" by user_id,
);

/// The field context of the sealed `data` column of the row `id` of `M`'s table.
fn sealed_at<M: SealedRow>(tenant: TenantId, id: &[u8]) -> FieldContext {
    ctx(tenant, M::TABLE, "data", id)
}

/// A table whose rows belong to one tenant: `tenant_id` leads its key.
pub(crate) trait Owned: EntityTrait {
    /// The `tenant_id` column.
    const TENANT: Self::Column;
}

/// A table whose rows carry a `version`, bumped by every update.
pub(crate) trait VersionedTable: Owned {
    /// The `version` column.
    const VERSION: Self::Column;
}

macro_rules! owned {
    ($($m:ident),* $(,)?) => {$(
        impl Owned for entity::$m::Entity {
            const TENANT: entity::$m::Column = entity::$m::Column::TenantId;
        }
    )*};
}

macro_rules! versioned {
    ($($m:ident),* $(,)?) => {$(
        impl VersionedTable for entity::$m::Entity {
            const VERSION: entity::$m::Column = entity::$m::Column::Version;
        }
    )*};
}

owned!(
    action_token,
    audit_entry,
    audit_head,
    challenge,
    change_log,
    credential,
    document,
    employee,
    handover,
    outbox,
    reference,
    role,
    second_factor,
    section,
    session,
    setting,
    signatory,
    status_change,
    tenant_document,
    user,
);
versioned!(
    challenge,
    employee,
    handover,
    reference,
    role,
    second_factor,
    setting,
    tenant_document,
    user,
);

/// Every row of tenant `t` in `E`.
pub(crate) fn of<E: Owned>(t: TenantId) -> Condition {
    Condition::all().add(E::TENANT.eq(tid(t)))
}

/// The rows of tenant `t` in `E` whose `column` is `value` (for most tables the
/// rest of the key: one row).
pub(crate) fn key<E: Owned>(t: TenantId, column: E::Column, value: impl Into<Value>) -> Condition {
    of::<E>(t).add(column.eq(value))
}

/// The conflict of an update that lost a race.
pub(crate) fn stale(what: &str) -> StoreError {
    StoreError::Conflict {
        what: format!("the {what} was changed by someone else; reload it"),
    }
}

/// Unique violations become a conflict named `what`; foreign-key violations
/// mean a record referred to does not exist.
pub(crate) fn conflict(what: &'static str) -> impl Fn(DbErr) -> StoreError {
    move |e| crate::error::conflict_as(e, what)
}

/// A unique violation on the first save of a row means another first save won.
pub(crate) fn stale_on_unique(what: &str) -> impl Fn(DbErr) -> StoreError + '_ {
    move |e| match crate::error::classify(&e) {
        Some(SqlErr::UniqueConstraintViolation(_)) => stale(what),
        _ => db(e),
    }
}

/// `Ok` when a write touched a row, [`StoreError::NotFound`] when none.
pub(crate) fn found(rows: u64) -> Result<(), StoreError> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Inserts one row; `err` says what a driver error means.
pub(crate) async fn insert<A>(
    txn: &Txn,
    row: A,
    err: impl FnOnce(DbErr) -> StoreError,
) -> Result<(), StoreError>
where
    A: ActiveModelTrait + Send,
{
    A::Entity::insert(row)
        .exec_without_returning(txn)
        .await
        .map_err(err)?;
    Ok(())
}

/// Deletes the rows `rows` selects (none is fine); how many went.
pub(crate) async fn delete<E: EntityTrait>(txn: &Txn, rows: Condition) -> Result<u64, StoreError> {
    delete_or::<E>(txn, rows, db).await
}

/// Like [`delete`]; `err` says what a driver error means (a row still
/// referred to, say).
pub(crate) async fn delete_or<E: EntityTrait>(
    txn: &Txn,
    rows: Condition,
    err: impl FnOnce(DbErr) -> StoreError,
) -> Result<u64, StoreError> {
    Ok(E::delete_many()
        .filter(rows)
        .exec(txn)
        .await
        .map_err(err)?
        .rows_affected)
}

/// Deletes the row `rows` selects; [`StoreError::NotFound`] when it is gone.
pub(crate) async fn delete_one<E: EntityTrait>(
    txn: &Txn,
    rows: Condition,
) -> Result<(), StoreError> {
    found(delete::<E>(txn, rows).await?)
}

/// Deletes the tenant's rows whose instant `column` is at or before `at`
/// (expired links, challenges, idle sessions).
pub(crate) async fn expire<E: Owned>(
    txn: &Txn,
    t: TenantId,
    column: E::Column,
    at: Timestamp,
) -> Result<(), StoreError> {
    delete::<E>(txn, of::<E>(t).add(column.lte(instant(at)?))).await?;
    Ok(())
}

/// The compare-and-set itself: writes `set` and the next version to the row
/// `key` while it still has version `v`; whether it did.
async fn swap<E: VersionedTable>(
    txn: &Txn,
    key: Condition,
    v: Version,
    set: Vec<(E::Column, SimpleExpr)>,
    err: impl FnOnce(DbErr) -> StoreError,
) -> Result<bool, StoreError> {
    let read = version(v)?;
    let mut update = E::update_many().col_expr(E::VERSION, Expr::value(read + 1));
    for (column, value) in set {
        update = update.col_expr(column, value);
    }
    let r = update
        .filter(key)
        .filter(E::VERSION.eq(read))
        .exec(txn)
        .await
        .map_err(err)?;
    Ok(r.rows_affected > 0)
}

/// Updates the versioned row `key`, read at version `v`: writes `set` and the
/// next version if nobody wrote it since. No row changed: the row is gone
/// ([`StoreError::NotFound`]) or it was changed ([`StoreError::Conflict`]
/// naming `what`). `err` says what a driver error means.
pub(crate) async fn update<E: VersionedTable>(
    txn: &Txn,
    key: Condition,
    v: Version,
    set: Vec<(E::Column, SimpleExpr)>,
    what: &str,
    err: impl FnOnce(DbErr) -> StoreError,
) -> Result<(), StoreError> {
    if swap::<E>(txn, key.clone(), v, set, err).await? {
        return Ok(());
    }
    match E::find().filter(key).one(txn).await.map_err(db)? {
        Some(_) => Err(stale(what)),
        None => Err(StoreError::NotFound),
    }
}

/// Saves a row that its first save creates: `None`, the insert of `first`
/// (version 1); else the update of `key` read at that version. Either way a
/// lost race, and an update of a row that is not there, is a conflict naming
/// `what`.
pub(crate) async fn save<A>(
    txn: &Txn,
    first: A,
    key: Condition,
    v: Option<Version>,
    set: Vec<(<A::Entity as EntityTrait>::Column, SimpleExpr)>,
    what: &str,
) -> Result<(), StoreError>
where
    A: ActiveModelTrait + Send,
    A::Entity: VersionedTable,
{
    match v {
        None => insert(txn, first, stale_on_unique(what)).await,
        Some(v) => {
            if swap::<A::Entity>(txn, key, v, set, db).await? {
                Ok(())
            } else {
                Err(stale(what))
            }
        }
    }
}

/// The one row of `E` that `rows` selects, if any.
pub(crate) async fn one<E: EntityTrait, C: ConnectionTrait>(
    conn: &C,
    rows: Condition,
) -> Result<Option<E::Model>, StoreError> {
    E::find().filter(rows).one(conn).await.map_err(db)
}

/// A value with its stored version.
pub(crate) fn versioned<T>(value: T, stored: i64) -> Result<Versioned<T>, StoreError> {
    Ok(Versioned {
        value,
        version: from_version(stored)?,
    })
}

/// A plain JSON column with its stored version.
pub(crate) fn versioned_json<T: DeserializeOwned>(
    what: &str,
    data: &str,
    stored: i64,
) -> Result<Versioned<T>, StoreError> {
    versioned(from_json(what, data.as_bytes())?, stored)
}

impl Store {
    /// `value` as JSON, sealed for the column `ctx` names.
    pub(crate) async fn seal_json<C: ConnectionTrait, T: Serialize>(
        &self,
        conn: &C,
        ctx: &FieldContext,
        value: &T,
    ) -> Result<Vec<u8>, StoreError> {
        self.keys.seal(conn, ctx, &to_json_bytes(value)?).await
    }

    /// `value` as JSON, sealed for the `data` column of the row `id` of `M`'s
    /// table.
    pub(crate) async fn seal_row<M: SealedRow>(
        &self,
        txn: &Txn,
        tenant: TenantId,
        id: &[u8],
        value: &(impl Serialize + Sync),
    ) -> Result<Vec<u8>, StoreError> {
        self.seal_json(txn, &sealed_at::<M>(tenant, id), value)
            .await
    }

    /// A sealed JSON column opened and read back.
    pub(crate) async fn open_json<C: ConnectionTrait, T: DeserializeOwned>(
        &self,
        conn: &C,
        ctx: &FieldContext,
        sealed: &[u8],
    ) -> Result<T, StoreError> {
        let plain = self.keys.open(conn, ctx, sealed).await?;
        from_json(ctx.table, &plain)
    }

    /// The sealed rows of tenant `tenant` opened, in order.
    pub(crate) async fn open_rows<M: SealedRow, T: DeserializeOwned>(
        &self,
        tenant: TenantId,
        rows: Vec<&M>,
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            let at = sealed_at::<M>(tenant, m.row_id());
            out.push(self.open_json(&self.db, &at, m.data()).await?);
        }
        Ok(out)
    }

    /// The sealed row of `E` that `rows` selects (a row of `tenant`), opened,
    /// with its version.
    pub(crate) async fn open_one<E, T>(
        &self,
        tenant: TenantId,
        rows: Condition,
    ) -> Result<Option<Versioned<T>>, StoreError>
    where
        E: EntityTrait,
        E::Model: SealedRow,
        T: DeserializeOwned,
    {
        let Some(m) = one::<E, _>(&self.db, rows).await? else {
            return Ok(None);
        };
        let at = sealed_at::<E::Model>(tenant, m.row_id());
        let value = self.open_json(&self.db, &at, m.data()).await?;
        Ok(Some(versioned(value, m.version())?))
    }
}

/// The cursor after a row with this id.
pub(crate) fn id_cursor(id: &[u8]) -> Cursor {
    Cursor(encode_hex(id))
}

/// The row id a page starts after, from its cursor.
pub(crate) fn after_id(page: &PageRequest) -> Result<Option<Vec<u8>>, StoreError> {
    page.after
        .as_ref()
        .map(|c| {
            decode_hex(&c.0)
                .filter(|b| b.len() == 16)
                .ok_or(StoreError::InvalidCursor)
        })
        .transpose()
}

/// `q` in the order of the id column `id`, after the page's cursor.
pub(crate) fn in_id_order<E: EntityTrait>(
    q: Select<E>,
    id: E::Column,
    page: &PageRequest,
) -> Result<Select<E>, StoreError> {
    let q = match after_id(page)? {
        Some(after) => q.filter(id.gt(after)),
        None => q,
    };
    Ok(q.order_by_asc(id))
}

/// The rows of one page: `limit + 1` are read, the extra one only says that
/// there is a next page.
pub(crate) struct Rows<M> {
    rows: Vec<M>,
    limit: u16,
}

impl<M> Rows<M> {
    /// Reads the rows of a page of `q` (filtered and ordered).
    pub(crate) async fn read<E, C>(conn: &C, q: Select<E>, limit: u16) -> Result<Self, StoreError>
    where
        E: EntityTrait<Model = M>,
        C: ConnectionTrait,
    {
        let rows = q.limit(u64::from(limit) + 1).all(conn).await.map_err(db)?;
        Ok(Self { rows, limit })
    }

    /// The rows shown on the page.
    pub(crate) fn shown(&self) -> impl Iterator<Item = &M> {
        self.rows.iter().take(usize::from(self.limit))
    }

    /// The page of `items` (made from [`Rows::shown`]), with the cursor `key`
    /// makes of its last row if there is a next page.
    pub(crate) fn page<T>(self, items: Vec<T>, key: impl Fn(&M) -> Cursor) -> Page<T> {
        paged(self.rows, self.limit, key, items)
    }
}

/// Takes `limit + 1` rows and turns the extra one into "there is a next page".
pub(crate) fn paged<M, T>(
    rows: Vec<M>,
    limit: u16,
    key: impl Fn(&M) -> Cursor,
    items: Vec<T>,
) -> Page<T> {
    let next = if rows.len() > usize::from(limit) {
        rows.get(usize::from(limit).saturating_sub(1)).map(&key)
    } else {
        None
    };
    Page { items, next }
}
