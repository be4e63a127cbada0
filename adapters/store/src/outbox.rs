//! The outbox: messages written in the change's transaction, claimed by
//! delivery workers. Bodies (recipient and parameters: links, codes) are
//! sealed; a delivered or expired message is deleted, a failed one keeps only
//! its kind and times.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait as _, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use zeugnis_core::id::{MessageId, TenantId};
use zeugnis_core::ports::{
    ClaimedMessage, Destination, MessageParams, OutboxQueue, OutgoingMessage, StoreError,
};
use zeugnis_core::values::{Email, Phone, Timestamp};

use crate::Store;
use crate::codec::from_name;
use crate::codec::{from_instant, id16, instant, name_of, to_json_bytes};
use crate::entity::outbox;
use crate::error::db;
use crate::row::{ctx, tid};

const QUEUED: &str = "queued";
const FAILED: &str = "failed";

/// How long a message whose key does not open now waits before the next try.
const KEY_RETRY: time::Duration = time::Duration::minutes(1);

#[derive(Serialize, Deserialize)]
struct Body {
    email: Option<String>,
    phone: Option<String>,
    params: BTreeMap<String, String>,
}

impl Store {
    /// How many messages of the installation wait to be sent (queued, claimed
    /// or scheduled again; not those failed for good). For tests and
    /// operators: `0` means every message caused so far has been handed on.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn queued_messages(&self) -> Result<u64, StoreError> {
        outbox::Entity::find()
            .filter(outbox::Column::State.eq(QUEUED))
            .count(&self.db)
            .await
            .map_err(db)
    }

    /// A message failed for good: its body goes, a record of kind and times
    /// stays (inside the caller's transaction) — if the claim is still the
    /// caller's.
    pub(crate) async fn fail_message(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        tenant: TenantId,
        id: MessageId,
        lease_until: Timestamp,
    ) -> Result<(), StoreError> {
        let r = outbox::Entity::update_many()
            .col_expr(outbox::Column::State, Expr::value(FAILED))
            .col_expr(outbox::Column::Data, Expr::value(Option::<Vec<u8>>::None))
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(Option::<i64>::None),
            )
            .filter(outbox::Column::TenantId.eq(tid(tenant)))
            .filter(outbox::Column::Id.eq(id.as_bytes().to_vec()))
            .filter(outbox::Column::State.eq(QUEUED))
            .filter(outbox::Column::ClaimedUntil.eq(instant(lease_until)?))
            .exec(txn)
            .await
            .map_err(db)?;
        if r.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Failure records (kind and times, no body) go with the audit entries
    /// of the same age.
    pub(crate) async fn purge_failed_messages(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        tenant: TenantId,
        before: Timestamp,
    ) -> Result<(), StoreError> {
        outbox::Entity::delete_many()
            .filter(outbox::Column::TenantId.eq(tid(tenant)))
            .filter(outbox::Column::State.eq(FAILED))
            .filter(outbox::Column::CreatedAt.lt(instant(before)?))
            .exec(txn)
            .await
            .map_err(db)?;
        Ok(())
    }

    pub(crate) async fn enqueue(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        m: &OutgoingMessage,
    ) -> Result<(), StoreError> {
        let (email, phone) = match &m.to {
            Destination::Email(e) => (Some(e.as_str().to_owned()), None),
            Destination::Sms(p) => (None, Some(p.as_str().to_owned())),
            _ => return Err(StoreError::Unavailable("unknown destination".into())),
        };
        let body = Body {
            email,
            phone,
            params: m
                .params
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        };
        let id = m.id.as_bytes().to_vec();
        let sealed = self
            .keys
            .seal(
                txn,
                &ctx(m.tenant, "outbox", "data", &id),
                &to_json_bytes(&body)?,
            )
            .await?;
        outbox::Entity::insert(outbox::ActiveModel {
            tenant_id: Set(tid(m.tenant)),
            id: Set(id),
            kind: Set(name_of(&m.kind)?),
            state: Set(QUEUED.to_owned()),
            attempts: Set(0),
            due_at: Set(instant(m.created_at)?),
            claimed_until: Set(None),
            expires_at: Set(m.expires_at.map(instant).transpose()?),
            created_at: Set(instant(m.created_at)?),
            data: Set(Some(sealed)),
        })
        .exec_without_returning(txn)
        .await
        .map_err(crate::error::db)?;
        Ok(())
    }

    /// Decodes a claimed row. The outer error is the store's (database, key
    /// destroyed); the inner one says why the row itself cannot be read
    /// (damaged or altered), which no retry will change.
    async fn decode_message(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        m: &outbox::Model,
        lease_until: Timestamp,
    ) -> Result<Result<ClaimedMessage, String>, StoreError> {
        let tenant = TenantId::from_bytes(id16(&m.tenant_id)?);
        let key = self.keys.data_key(conn, tenant).await?;
        Ok(decode_body(&key, tenant, m, lease_until))
    }
}

fn decode_body(
    key: &zeugnis_crypto::DataKey,
    tenant: TenantId,
    m: &outbox::Model,
    lease_until: Timestamp,
) -> Result<ClaimedMessage, String> {
    let sealed = m.data.as_deref().ok_or("no body")?;
    let plain = key
        .open_field(&ctx(tenant, "outbox", "data", &m.id), sealed)
        .map_err(|_| "the body failed its integrity check (altered or moved)")?;
    let body: Body = serde_json::from_slice(&plain).map_err(|_| "the body does not parse")?;
    let to = match (body.email, body.phone) {
        (Some(e), None) => Destination::Email(Email::parse(&e).map_err(|_| "bad recipient")?),
        (None, Some(p)) => Destination::Sms(Phone::parse(&p).map_err(|_| "bad recipient")?),
        _ => return Err("no recipient".into()),
    };
    let params = body
        .params
        .iter()
        .fold(MessageParams::new(), |p, (k, v)| p.with(k, v.clone()));
    let bad = |what: &str| format!("bad {what}");
    Ok(ClaimedMessage {
        message: OutgoingMessage {
            id: MessageId::from_bytes(id16(&m.id).map_err(|_| bad("id"))?),
            tenant,
            kind: from_name(&m.kind).map_err(|_| bad("kind"))?,
            to,
            params,
            created_at: from_instant(m.created_at).map_err(|_| bad("time"))?,
            expires_at: m
                .expires_at
                .map(from_instant)
                .transpose()
                .map_err(|_| bad("expiry"))?,
        },
        attempts: u32::try_from(m.attempts).unwrap_or(0),
        lease_until,
    })
}

#[async_trait]
impl OutboxQueue for Store {
    async fn claim_due(
        &self,
        now: Timestamp,
        limit: u32,
        lease: time::Duration,
    ) -> Result<Vec<ClaimedMessage>, StoreError> {
        let now_ns = instant(now)?;
        let lease_until = now.saturating_add(lease);
        let until = instant(lease_until)?;
        let txn = self.begin_write().await?;
        let expired = outbox::Entity::delete_many()
            .filter(outbox::Column::State.eq(QUEUED))
            .filter(outbox::Column::ExpiresAt.lte(now_ns))
            .exec(&txn)
            .await
            .map_err(db)?;
        if expired.rows_affected > 0 {
            tracing::info!(
                count = expired.rows_affected,
                "expired messages deleted unsent"
            );
        }
        let rows = outbox::Entity::find()
            .filter(outbox::Column::State.eq(QUEUED))
            .filter(outbox::Column::DueAt.lte(now_ns))
            .filter(
                sea_orm::Condition::any()
                    .add(outbox::Column::ClaimedUntil.is_null())
                    .add(outbox::Column::ClaimedUntil.lte(now_ns)),
            )
            .order_by_asc(outbox::Column::DueAt)
            .limit(u64::from(limit))
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await
            .map_err(db)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for m in &rows {
            outbox::Entity::update_many()
                .col_expr(outbox::Column::ClaimedUntil, Expr::value(until))
                .col_expr(
                    outbox::Column::Attempts,
                    Expr::value(m.attempts.saturating_add(1)),
                )
                .filter(outbox::Column::TenantId.eq(m.tenant_id.clone()))
                .filter(outbox::Column::Id.eq(m.id.clone()))
                .exec(&txn)
                .await
                .map_err(db)?;
            match self.decode_message(&txn, m, lease_until).await {
                Ok(Ok(c)) => claimed.push(c),
                // A body that cannot be read can never be sent; mark it failed
                // so it does not block every message behind it.
                Ok(Err(reason)) => {
                    tracing::error!(
                        message_id = %uuid_of(&m.id), reason,
                        "outbox message cannot be read; marked failed"
                    );
                    outbox::Entity::update_many()
                        .col_expr(outbox::Column::State, Expr::value(FAILED))
                        .col_expr(outbox::Column::Data, Expr::value(Option::<Vec<u8>>::None))
                        .col_expr(
                            outbox::Column::ClaimedUntil,
                            Expr::value(Option::<i64>::None),
                        )
                        .filter(outbox::Column::TenantId.eq(m.tenant_id.clone()))
                        .filter(outbox::Column::Id.eq(m.id.clone()))
                        .exec(&txn)
                        .await
                        .map_err(db)?;
                }
                // A message whose tenant key is gone can never be sent.
                Err(StoreError::Gone) => {
                    tracing::info!(
                        message_id = %uuid_of(&m.id),
                        "message of a tenant whose key is destroyed deleted unsent"
                    );
                    outbox::Entity::delete_many()
                        .filter(outbox::Column::TenantId.eq(m.tenant_id.clone()))
                        .filter(outbox::Column::Id.eq(m.id.clone()))
                        .exec(&txn)
                        .await
                        .map_err(db)?;
                }
                // The tenant's key does not open now (e.g. wrapped under a
                // master key this instance lacks during a rotation): try this
                // message again later and let the others through.
                Err(e) => {
                    tracing::error!(
                        message_id = %uuid_of(&m.id), error = %e,
                        "outbox message cannot be opened now; trying again later"
                    );
                    outbox::Entity::update_many()
                        .col_expr(
                            outbox::Column::ClaimedUntil,
                            Expr::value(Option::<i64>::None),
                        )
                        .col_expr(
                            outbox::Column::DueAt,
                            Expr::value(instant(now.saturating_add(KEY_RETRY))?),
                        )
                        .filter(outbox::Column::TenantId.eq(m.tenant_id.clone()))
                        .filter(outbox::Column::Id.eq(m.id.clone()))
                        .exec(&txn)
                        .await
                        .map_err(db)?;
                }
            }
        }
        txn.commit().await.map_err(db)?;
        Ok(claimed)
    }

    async fn delivered(&self, tenant: TenantId, id: MessageId) -> Result<(), StoreError> {
        outbox::Entity::delete_many()
            .filter(outbox::Column::TenantId.eq(tid(tenant)))
            .filter(outbox::Column::Id.eq(id.as_bytes().to_vec()))
            .exec(&self.db)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn retry_at(
        &self,
        claim: &ClaimedMessage,
        next_attempt: Timestamp,
    ) -> Result<(), StoreError> {
        let m = &claim.message;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::DueAt, Expr::value(instant(next_attempt)?))
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(Option::<i64>::None),
            )
            .filter(outbox::Column::TenantId.eq(tid(m.tenant)))
            .filter(outbox::Column::Id.eq(m.id.as_bytes().to_vec()))
            .filter(outbox::Column::State.eq(QUEUED))
            .filter(outbox::Column::ClaimedUntil.eq(instant(claim.lease_until)?))
            .exec(&self.db)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn release(&self, claim: &ClaimedMessage) -> Result<(), StoreError> {
        let m = &claim.message;
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::ClaimedUntil,
                Expr::value(Option::<i64>::None),
            )
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).sub(1),
            )
            .filter(outbox::Column::TenantId.eq(tid(m.tenant)))
            .filter(outbox::Column::Id.eq(m.id.as_bytes().to_vec()))
            .filter(outbox::Column::State.eq(QUEUED))
            .filter(outbox::Column::Attempts.gt(0))
            .filter(outbox::Column::ClaimedUntil.eq(instant(claim.lease_until)?))
            .exec(&self.db)
            .await
            .map_err(db)?;
        Ok(())
    }
}

/// A message id for the log.
fn uuid_of(id: &[u8]) -> String {
    id16(id).map_or_else(|_| "?".to_owned(), |b| MessageId::from_bytes(b).to_string())
}
