//! The audit log: appending to a tenant's hash chain inside a change set,
//! reading it, and verifying it (`zeugnis audit verify`).

use async_trait::async_trait;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use zeugnis_core::audit::{AuditEntry, AuditEvent, ChainHash};
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::{AuditLog, AuditQuery, Cursor, Page, PageRequest, StoreError};
use zeugnis_core::values::Timestamp;

use crate::Store;
use crate::codec::{bytes32, corrupt, from_json, instant};
use crate::entity::{audit_entry, audit_head};
use crate::error::db;
use crate::row::{Txn, ctx, delete, of, paged, tid};

/// The field context of an entry's sealed event.
fn sealed_at(tenant: TenantId, seq: i64) -> zeugnis_core::ports::FieldContext {
    ctx(tenant, "audit_log", "data", &seq.to_be_bytes())
}

/// Up to `limit` entries of the tenant after sequence number `after`, oldest first.
async fn entries_after<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    after: i64,
    limit: u64,
) -> Result<Vec<audit_entry::Model>, StoreError> {
    audit_entry::Entity::find()
        .filter(of::<audit_entry::Entity>(tenant))
        .filter(audit_entry::Column::Seq.gt(after))
        .order_by_asc(audit_entry::Column::Seq)
        .limit(limit)
        .all(conn)
        .await
        .map_err(db)
}

/// What verifying a tenant's audit chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: u64,
    /// The oldest entry kept (older ones were removed by retention).
    pub first: Option<u64>,
    /// The newest entry.
    pub last: Option<u64>,
    /// The first entry that does not verify, if any.
    pub broken: Option<BrokenEntry>,
}

/// The first entry where the chain breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenEntry {
    /// Its sequence number.
    pub seq: u64,
    /// Why, in words.
    pub reason: String,
}

const BATCH: u64 = 500;

impl Store {
    /// Verifies a tenant's audit chain under its chain key: every entry
    /// decrypts, matches its own hash, links to the entry before it, the
    /// sequence has no gap, and the last entry is the head recorded with the
    /// tenant (so removing the newest entries is found too). Stops at the first
    /// broken entry.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`]; [`StoreError::Gone`] when the tenant's key
    /// was destroyed.
    pub async fn verify_audit_chain(&self, tenant: TenantId) -> Result<ChainReport, StoreError> {
        let data_key = self.keys.data_key(&self.db, tenant).await?;
        let key = data_key.chain_key();
        let mut report = ChainReport {
            entries: 0,
            first: None,
            last: None,
            broken: None,
        };
        let mut previous: Option<(u64, ChainHash)> = None;
        let mut after: i64 = 0;
        loop {
            let rows = entries_after(&self.db, tenant, after, BATCH).await?;
            let Some(last_row) = rows.last() else { break };
            after = last_row.seq;
            for m in rows {
                let seq = u64::try_from(m.seq).unwrap_or_default();
                let broken = |reason: &str| BrokenEntry {
                    seq,
                    reason: reason.to_owned(),
                };
                report.entries += 1;
                report.first.get_or_insert(seq);
                report.last = Some(seq);
                let sealed = sealed_at(tenant, m.seq);
                let event: Option<AuditEvent> = data_key
                    .open_field(&sealed, &m.data)
                    .ok()
                    .and_then(|plain| from_json("audit_log", &plain).ok());
                let Some(event) = event else {
                    report.broken = Some(broken(
                        "its content cannot be decrypted: it was altered or moved",
                    ));
                    return Ok(report);
                };
                // The plain columns serve filters; they must say what the sealed
                // content says.
                let user_col =
                    |u: Option<zeugnis_core::id::UserId>| u.map(|u| u.as_bytes().to_vec());
                if m.action != event.action.key()
                    || instant(event.at).ok() != Some(m.at)
                    || m.actor_user != user_col(event.acting_user())
                    || m.subject_user != user_col(event.target_user())
                {
                    report.broken = Some(broken(
                        "its time, action or user columns do not match its content: the entry was changed",
                    ));
                    return Ok(report);
                }
                let (Ok(prev), Ok(hash)) = (bytes32(&m.prev), bytes32(&m.hash)) else {
                    report.broken = Some(broken("its stored hashes are malformed"));
                    return Ok(report);
                };
                let entry = AuditEntry {
                    seq,
                    event,
                    prev: ChainHash(prev),
                    hash: ChainHash(hash),
                };
                if !entry.is_intact(&key) {
                    report.broken = Some(broken(
                        "its content does not match its hash: the entry was changed",
                    ));
                    return Ok(report);
                }
                if let Some((prev_seq, prev_hash)) = previous {
                    if seq != prev_seq + 1 {
                        report.broken = Some(broken(&format!(
                            "entries after {prev_seq} are missing: they were removed"
                        )));
                        return Ok(report);
                    }
                    if entry.prev != prev_hash {
                        report.broken = Some(broken(&format!(
                            "it does not follow entry {prev_seq}: an entry was removed, inserted or changed"
                        )));
                        return Ok(report);
                    }
                }
                previous = Some((seq, entry.hash));
            }
        }
        let head = audit_head::Entity::find_by_id(tid(tenant))
            .one(&self.db)
            .await
            .map_err(db)?;
        if let Some(head) = head {
            let head_seq = u64::try_from(head.seq).unwrap_or_default();
            let head_hash = bytes32(&head.hash).map(ChainHash).ok();
            match previous {
                Some((seq, hash)) if seq == head_seq && Some(hash) == head_hash => {}
                Some((seq, _)) => {
                    report.broken = Some(BrokenEntry {
                        seq,
                        reason: format!(
                            "the chain ends at entry {seq} but its head is entry {head_seq}: the newest entries were removed or changed"
                        ),
                    });
                }
                None if head_seq > 0 && report.entries == 0 => {
                    // Retention may have removed every entry; the head stays.
                }
                None => {}
            }
        }
        Ok(report)
    }
}

impl Store {
    async fn decode_audit<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        m: &audit_entry::Model,
    ) -> Result<AuditEntry, StoreError> {
        let event: AuditEvent = self
            .open_json(conn, &sealed_at(tenant, m.seq), &m.data)
            .await?;
        Ok(AuditEntry {
            seq: u64::try_from(m.seq).map_err(|_| corrupt("audit sequence"))?,
            event,
            prev: ChainHash(bytes32(&m.prev)?),
            hash: ChainHash(bytes32(&m.hash)?),
        })
    }
}

#[async_trait]
impl AuditLog for Store {
    async fn entries(
        &self,
        tenant: TenantId,
        query: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError> {
        let mut q = audit_entry::Entity::find().filter(of::<audit_entry::Entity>(tenant));
        if let Some(from) = query.from {
            q = q.filter(audit_entry::Column::At.gte(instant(from)?));
        }
        if let Some(until) = query.until {
            q = q.filter(audit_entry::Column::At.lt(instant(until)?));
        }
        if let Some(a) = query.action {
            q = q.filter(audit_entry::Column::Action.eq(a.key()));
        }
        if let Some(u) = query.user {
            let id = u.as_bytes().to_vec();
            q = q.filter(
                Condition::any()
                    .add(audit_entry::Column::ActorUser.eq(id.clone()))
                    .add(audit_entry::Column::SubjectUser.eq(id)),
            );
        }
        if let Some(c) = &page.after {
            let seq: i64 = c.0.parse().map_err(|_| StoreError::InvalidCursor)?;
            q = q.filter(audit_entry::Column::Seq.lt(seq));
        }
        let rows = q
            .order_by_desc(audit_entry::Column::Seq)
            .limit(u64::from(page.limit()) + 1)
            .all(&self.db)
            .await
            .map_err(db)?;
        let mut items = Vec::with_capacity(rows.len());
        for m in rows.iter().take(usize::from(page.limit())) {
            items.push(self.decode_audit(&self.db, tenant, m).await?);
        }
        Ok(paged(
            rows,
            page.limit(),
            |m| Cursor(m.seq.to_string()),
            items,
        ))
    }

    async fn chain_after(
        &self,
        tenant: TenantId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = entries_after(&self.db, tenant, after, u64::from(limit)).await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in &rows {
            out.push(self.decode_audit(&self.db, tenant, m).await?);
        }
        Ok(out)
    }
}

/// The audit chain within one change set: the head is read once, the entries
/// are inserted in batches and the head is written once at the end.
#[derive(Default)]
pub(crate) struct Chain {
    /// `(seq, hash)` of the newest entry, once read.
    head: Option<(i64, ChainHash)>,
    /// Whether a head row exists in the database.
    existed: bool,
    /// Whether entries were appended.
    moved: bool,
    pending: Vec<audit_entry::ActiveModel>,
}

impl Chain {
    /// Rows per multi-row insert (7 values each, well under SQLite's limit).
    const BATCH: usize = 500;

    /// `Write::AppendAudit`: links the event to the chain's head and queues
    /// its row.
    pub(crate) async fn append(
        &mut self,
        store: &Store,
        txn: &Txn,
        t: TenantId,
        e: AuditEvent,
    ) -> Result<(), StoreError> {
        let key = store.keys.data_key(txn, t).await?;
        if self.head.is_none() {
            let head = audit_head::Entity::find_by_id(tid(t))
                .one(txn)
                .await
                .map_err(db)?;
            self.existed = head.is_some();
            self.head = Some(match head {
                Some(h) => (h.seq, ChainHash(bytes32(&h.hash)?)),
                None => (0, ChainHash::default()),
            });
        }
        let (last, prev) = self.head.unwrap_or_default();
        let seq = last.saturating_add(1);
        let entry = AuditEntry::at(
            &key.chain_key(),
            u64::try_from(seq).map_err(|_| corrupt("audit sequence"))?,
            prev,
            e,
        );
        let sealed = store
            .seal_json(txn, &sealed_at(t, seq), &entry.event)
            .await?;
        self.pending.push(audit_entry::ActiveModel {
            tenant_id: Set(tid(t)),
            seq: Set(seq),
            at: Set(instant(entry.event.at)?),
            action: Set(entry.event.action.key().to_owned()),
            actor_user: Set(entry.event.acting_user().map(|u| u.as_bytes().to_vec())),
            subject_user: Set(entry.event.target_user().map(|u| u.as_bytes().to_vec())),
            prev: Set(entry.prev.0.to_vec()),
            hash: Set(entry.hash.0.to_vec()),
            data: Set(sealed),
        });
        self.head = Some((seq, entry.hash));
        self.moved = true;
        Ok(())
    }

    /// Inserts the queued rows.
    pub(crate) async fn flush_rows(&mut self, txn: &Txn) -> Result<(), StoreError> {
        while !self.pending.is_empty() {
            let rest = self.pending.split_off(self.pending.len().min(Self::BATCH));
            let batch = std::mem::replace(&mut self.pending, rest);
            audit_entry::Entity::insert_many(batch)
                .exec_without_returning(txn)
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    /// Records the new head, if entries were appended.
    pub(crate) async fn save_head(&self, txn: &Txn, t: TenantId) -> Result<(), StoreError> {
        let (true, Some((seq, hash))) = (self.moved, self.head) else {
            return Ok(());
        };
        if self.existed {
            audit_head::Entity::update_many()
                .col_expr(audit_head::Column::Seq, Expr::value(seq))
                .col_expr(audit_head::Column::Hash, Expr::value(hash.0.to_vec()))
                .filter(of::<audit_head::Entity>(t))
                .exec(txn)
                .await
                .map_err(db)?;
        } else {
            let head = audit_head::ActiveModel {
                tenant_id: Set(tid(t)),
                seq: Set(seq),
                hash: Set(hash.0.to_vec()),
            };
            crate::row::insert(txn, head, db).await?;
        }
        Ok(())
    }
}

/// `Write::PurgeAuditBefore`: entries older than `at`, and the outbox's
/// failure records of the same age.
pub(crate) async fn purge_before(
    store: &Store,
    txn: &Txn,
    t: TenantId,
    at: Timestamp,
) -> Result<(), StoreError> {
    let rows = of::<audit_entry::Entity>(t).add(audit_entry::Column::At.lt(instant(at)?));
    delete::<audit_entry::Entity>(txn, rows).await?;
    store.purge_failed_messages(txn, t, at).await
}
