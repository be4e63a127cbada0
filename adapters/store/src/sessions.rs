//! Sessions, found by the hash of their token; the last use in its own column
//! (touched on every request).

use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use zeugnis_core::id::{TenantId, UserId};
use zeugnis_core::ports::{SessionStore, StoreError};
use zeugnis_core::session::{Principal, Session};
use zeugnis_core::token::TokenHash;
use zeugnis_core::values::Timestamp;

use crate::Store;
use crate::codec::{from_instant, from_json, instant, to_json};
use crate::entity::session;
use crate::error::db;
use crate::row::{Txn, conflict, delete, delete_one, insert, key, one, tid};

fn decode(m: &session::Model) -> Result<Session, StoreError> {
    let mut s: Session = from_json("session", m.data.as_bytes())?;
    // The last use is kept in its own column (touched on every request).
    s.last_seen_at = from_instant(m.last_seen_at)?;
    Ok(s)
}

/// The tenant's sessions whose `column` is `value`.
fn where_(t: TenantId, column: session::Column, value: &[u8]) -> sea_orm::Condition {
    key::<session::Entity>(t, column, value.to_vec())
}

#[async_trait]
impl SessionStore for Store {
    async fn session(
        &self,
        tenant: TenantId,
        token: &TokenHash,
    ) -> Result<Option<Session>, StoreError> {
        let rows = where_(tenant, session::Column::TokenHash, token.as_bytes());
        one::<session::Entity, _>(&self.db, rows)
            .await?
            .as_ref()
            .map(decode)
            .transpose()
    }

    async fn sessions_of(
        &self,
        tenant: TenantId,
        user_id: UserId,
    ) -> Result<Vec<Session>, StoreError> {
        let rows = session::Entity::find()
            .filter(where_(tenant, session::Column::UserId, user_id.as_bytes()))
            .order_by_desc(session::Column::CreatedAt)
            .all(&self.db)
            .await
            .map_err(db)?;
        rows.iter().map(decode).collect()
    }
}

/// `Write::InsertSession`.
pub(crate) async fn insert_session(txn: &Txn, s: &Session) -> Result<(), StoreError> {
    let user_id = s.principal.user().map(|u| u.as_bytes().to_vec());
    let handover_id = match s.principal {
        Principal::Handover(h) => Some(h.as_bytes().to_vec()),
        _ => None,
    };
    let first = session::ActiveModel {
        tenant_id: Set(tid(s.tenant)),
        token_hash: Set(s.token_hash.as_bytes().to_vec()),
        user_id: Set(user_id),
        handover_id: Set(handover_id),
        created_at: Set(instant(s.created_at)?),
        last_seen_at: Set(instant(s.last_seen_at)?),
        data: Set(to_json(s)?),
    };
    insert(txn, first, conflict("a session with this token exists")).await
}

/// `Write::TouchSession` (none is fine).
pub(crate) async fn touch_session(
    txn: &Txn,
    t: TenantId,
    hash: &TokenHash,
    at: Timestamp,
) -> Result<(), StoreError> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(instant(at)?))
        .filter(where_(t, session::Column::TokenHash, hash.as_bytes()))
        .exec(txn)
        .await
        .map_err(db)?;
    Ok(())
}

/// `Write::ConsumeSession`: [`StoreError::NotFound`] when it is gone.
pub(crate) async fn consume_session(
    txn: &Txn,
    t: TenantId,
    hash: &TokenHash,
) -> Result<(), StoreError> {
    delete_one::<session::Entity>(txn, where_(t, session::Column::TokenHash, hash.as_bytes())).await
}

/// Ends the tenant's sessions whose `column` is `value` (none is fine):
/// `Write::DeleteSession`, `DeleteSessionsOfUser`, `DeleteSessionsOfHandover`.
pub(crate) async fn delete_sessions(
    txn: &Txn,
    t: TenantId,
    column: session::Column,
    value: &[u8],
) -> Result<(), StoreError> {
    delete::<session::Entity>(txn, where_(t, column, value)).await?;
    Ok(())
}

/// `Write::DeleteOtherSessionsOfUser`.
pub(crate) async fn delete_other_sessions(
    txn: &Txn,
    t: TenantId,
    user_id: UserId,
    keep: &TokenHash,
) -> Result<(), StoreError> {
    let rows = where_(t, session::Column::UserId, user_id.as_bytes())
        .add(session::Column::TokenHash.ne(keep.as_bytes().to_vec()));
    delete::<session::Entity>(txn, rows).await?;
    Ok(())
}
