//! Handovers of a reference to an outside reviewer, and the code challenges
//! (SMS codes) that guard handover links and logins.

use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use zeugnis_core::handover::Handover;
use zeugnis_core::id::{ChallengeId, ReferenceId, TenantId};
use zeugnis_core::otp::{CodeChallenge, CodePurpose};
use zeugnis_core::ports::{ChallengeStore, HandoverStore, StoreError, Version, Versioned};
use zeugnis_core::token::HandoverId;

use crate::Store;
use crate::codec::{instant, to_json};
use crate::entity::{challenge, handover};
use crate::error::db;
use crate::row::{Txn, conflict, delete_one, insert, key, of, one, tid, update, versioned_json};

fn handover_row(t: TenantId, id: HandoverId) -> sea_orm::Condition {
    key::<handover::Entity>(t, handover::Column::Id, id.as_bytes().to_vec())
}

fn challenge_row(t: TenantId, id: ChallengeId) -> sea_orm::Condition {
    key::<challenge::Entity>(t, challenge::Column::Id, id.as_bytes().to_vec())
}

#[async_trait]
impl HandoverStore for Store {
    async fn handover(
        &self,
        tenant: TenantId,
        id: HandoverId,
    ) -> Result<Option<Versioned<Handover>>, StoreError> {
        self.open_one::<handover::Entity, _>(tenant, handover_row(tenant, id))
            .await
    }

    async fn handovers_of(
        &self,
        tenant: TenantId,
        reference_id: ReferenceId,
    ) -> Result<Vec<Handover>, StoreError> {
        let rows = handover::Entity::find()
            .filter(of::<handover::Entity>(tenant))
            .filter(handover::Column::ReferenceId.eq(reference_id.as_bytes().to_vec()))
            .order_by_desc(handover::Column::CreatedAt)
            .order_by_desc(handover::Column::Id)
            .all(&self.db)
            .await
            .map_err(db)?;
        self.open_rows(tenant, rows.iter().collect()).await
    }
}

#[async_trait]
impl ChallengeStore for Store {
    async fn challenge(
        &self,
        tenant: TenantId,
        id: ChallengeId,
    ) -> Result<Option<Versioned<CodeChallenge>>, StoreError> {
        one::<challenge::Entity, _>(&self.db, challenge_row(tenant, id))
            .await?
            .map(|m| versioned_json("challenge", &m.data, m.version))
            .transpose()
    }
}

/// `Write::InsertHandover`: the handover sealed.
pub(crate) async fn insert_handover(
    store: &Store,
    txn: &Txn,
    h: &Handover,
) -> Result<(), StoreError> {
    let id = h.id.as_bytes().to_vec();
    let data = store
        .seal_row::<handover::Model>(txn, h.tenant, &id, h)
        .await?;
    let first = handover::ActiveModel {
        tenant_id: Set(tid(h.tenant)),
        id: Set(id),
        version: Set(1),
        reference_id: Set(h.reference.as_bytes().to_vec()),
        created_at: Set(instant(h.created_at)?),
        expires_at: Set(instant(h.expires_at)?),
        data: Set(data),
    };
    insert(txn, first, conflict("a handover with this id exists")).await
}

/// `Write::UpdateHandover`.
pub(crate) async fn update_handover(
    store: &Store,
    txn: &Txn,
    h: &Handover,
    v: Version,
) -> Result<(), StoreError> {
    let data = store
        .seal_row::<handover::Model>(txn, h.tenant, h.id.as_bytes(), h)
        .await?;
    let set = vec![
        (
            handover::Column::ExpiresAt,
            Expr::value(instant(h.expires_at)?),
        ),
        (handover::Column::Data, Expr::value(data)),
    ];
    update::<handover::Entity>(txn, handover_row(h.tenant, h.id), v, set, "handover", db).await
}

/// The handover a challenge guards, if any (its own column: deleting the
/// handover deletes its challenges).
fn challenge_handover(c: &CodeChallenge) -> Option<Vec<u8>> {
    match c.purpose {
        CodePurpose::HandoverLink(h) => Some(h.as_bytes().to_vec()),
        _ => None,
    }
}

/// `Write::InsertChallenge`.
pub(crate) async fn insert_challenge(txn: &Txn, c: &CodeChallenge) -> Result<(), StoreError> {
    let first = challenge::ActiveModel {
        tenant_id: Set(tid(c.tenant)),
        id: Set(c.id.as_bytes().to_vec()),
        version: Set(1),
        handover_id: Set(challenge_handover(c)),
        expires_at: Set(instant(c.expires_at)?),
        data: Set(to_json(c)?),
    };
    insert(txn, first, conflict("a challenge with this id exists")).await
}

/// `Write::UpdateChallenge`.
pub(crate) async fn update_challenge(
    txn: &Txn,
    c: &CodeChallenge,
    v: Version,
) -> Result<(), StoreError> {
    let set = vec![
        (
            challenge::Column::ExpiresAt,
            Expr::value(instant(c.expires_at)?),
        ),
        (challenge::Column::Data, Expr::value(to_json(c)?)),
    ];
    let row = challenge_row(c.tenant, c.id);
    update::<challenge::Entity>(txn, row, v, set, "code challenge", db).await
}

/// `Write::DeleteChallenge`.
pub(crate) async fn delete_challenge(
    txn: &Txn,
    t: TenantId,
    id: ChallengeId,
) -> Result<(), StoreError> {
    delete_one::<challenge::Entity>(txn, challenge_row(t, id)).await
}
