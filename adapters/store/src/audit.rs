//! Verifying a tenant's audit chain (`zeugnis audit verify`).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use zeugnis_core::audit::{AuditEntry, AuditEvent, ChainHash};
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::StoreError;

use crate::Store;
use crate::codec::{bytes32, from_json, instant};
use crate::entity::{audit_entry, audit_head};
use crate::error::db;
use crate::read::{ctx, tid};

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
            let rows = audit_entry::Entity::find()
                .filter(audit_entry::Column::TenantId.eq(tid(tenant)))
                .filter(audit_entry::Column::Seq.gt(after))
                .order_by_asc(audit_entry::Column::Seq)
                .limit(BATCH)
                .all(&self.db)
                .await
                .map_err(db)?;
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
                let sealed = ctx(tenant, "audit_log", "data", &m.seq.to_be_bytes());
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
