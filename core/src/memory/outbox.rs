//! The delivery side of the [`MemoryStore`]'s outbox.

use async_trait::async_trait;

use crate::id::{MessageId, TenantId};
use crate::ports::{ClaimedMessage, OutboxQueue, StoreError};
use crate::values::Timestamp;

use super::MemoryStore;
use super::state::{Outboxed, Pending};

impl MemoryStore {
    /// Changes the waiting message of `claim` if the claim is still its
    /// current one; nothing happens otherwise.
    fn with_claim(
        &self,
        claim: &ClaimedMessage,
        change: impl FnOnce(&mut Pending),
    ) -> Result<(), StoreError> {
        let mut state = self.write()?;
        let key = (claim.message.tenant, claim.message.id);
        if let Some(Outboxed::Queued(p)) = state.outbox.get_mut(&key)
            && p.claimed_until == Some(claim.lease_until)
        {
            change(p);
        }
        Ok(())
    }
}

#[async_trait]
impl OutboxQueue for MemoryStore {
    async fn claim_due(
        &self,
        now: Timestamp,
        limit: u32,
        lease: time::Duration,
    ) -> Result<Vec<ClaimedMessage>, StoreError> {
        let lease_until = now.saturating_add(lease);
        let mut state = self.write()?;
        // Past their expiry: deleted, never handed out.
        state.outbox.retain(|_, m| match m {
            Outboxed::Queued(p) => p.message.expires_at.is_none_or(|e| e > now),
            Outboxed::Failed { .. } => true,
        });
        let mut due: Vec<(Timestamp, (TenantId, MessageId))> = state
            .outbox
            .iter()
            .filter_map(|(key, m)| match m {
                Outboxed::Queued(p)
                    if p.due_at <= now && p.claimed_until.is_none_or(|c| c <= now) =>
                {
                    Some((p.due_at, *key))
                }
                Outboxed::Queued(_) | Outboxed::Failed { .. } => None,
            })
            .collect();
        due.sort();
        let mut claimed = Vec::new();
        for (_, key) in due
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
        {
            if let Some(Outboxed::Queued(p)) = state.outbox.get_mut(&key) {
                claimed.push(ClaimedMessage {
                    message: p.message.clone(),
                    attempts: p.attempts,
                    lease_until,
                });
                p.attempts = p.attempts.saturating_add(1);
                p.claimed_until = Some(lease_until);
            }
        }
        Ok(claimed)
    }

    async fn delivered(&self, tenant: TenantId, id: MessageId) -> Result<(), StoreError> {
        self.write()?.outbox.remove(&(tenant, id));
        Ok(())
    }

    async fn release(&self, claim: &ClaimedMessage) -> Result<(), StoreError> {
        self.with_claim(claim, |p| {
            if p.attempts > 0 {
                p.attempts -= 1;
                p.claimed_until = None;
            }
        })
    }

    async fn retry_at(
        &self,
        claim: &ClaimedMessage,
        next_attempt: Timestamp,
    ) -> Result<(), StoreError> {
        self.with_claim(claim, |p| {
            p.due_at = next_attempt;
            p.claimed_until = None;
        })
    }
}
