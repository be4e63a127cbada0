//! Delivery of queued messages: one round claims due messages from the outbox,
//! renders each with its tenant's templates, hands it to the mail transport or
//! the SMS gateway, and records the outcome.
//!
//! - Sent: the message is deleted (its body holds links and codes).
//! - Failed for now ([`DeliveryError::Transient`]): due again after the
//!   [`RetryPolicy`]'s back-off.
//! - Failed for good (a permanent error, or the last attempt): the body is
//!   deleted, a failure record stays, and a `delivery_failed` audit entry is
//!   written in the same transaction.
//! - A tenant template that does not render: the default is sent and a
//!   `mail_template_failed` audit entry says which part failed.
//!
//! Delivery is at least once: a worker that dies after sending but before
//! recording it leaves the message to be sent again when its lease ends; the
//! message id travels with it as an idempotency key (the mail's `Message-ID`,
//! the gateway's request id). A round stops handing out its claimed messages
//! when half the lease is used up and releases the rest, so a slow server
//! cannot make a lease run out under a message that is still waiting.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::sync::atomic::{AtomicBool, Ordering};

use time::Duration;

use crate::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget};
use crate::id::{MessageId, TenantId};
use crate::mail::{MailSettings, RetryDecision, RetryPolicy};
use crate::ports::{
    ChangeSet, ClaimedMessage, Clock, DeliveryError, Destination, Mail, MailTransport, MessageKind,
    MessageRenderer, OutboxQueue, OutgoingMessage, RenderContext, RenderedContent, SettingsStore,
    SmsGateway, StoreError, TemplateProblem, TenantStore, UnitOfWork, Write,
};
use crate::tenant::TenantStatus;
use crate::values::Name;

/// How a worker claims messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// Messages claimed per round.
    pub batch: u32,
    /// How long a claim keeps other workers away.
    pub lease: Duration,
    /// Back-off and attempts.
    pub retry: RetryPolicy,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self {
            batch: 20,
            lease: Duration::minutes(5),
            retry: RetryPolicy::default(),
        }
    }
}

/// A failed attempt, for the operator's log (no recipient, no content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedAttempt {
    /// The message.
    pub id: MessageId,
    /// Its tenant.
    pub tenant: TenantId,
    /// Its kind.
    pub kind: MessageKind,
    /// Which attempt failed (1 = the first).
    pub attempt: u32,
    /// Why.
    pub error: DeliveryError,
    /// Whether this was the end (no further attempt).
    pub gave_up: bool,
}

/// A tenant template that failed and was replaced by the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFallback {
    /// The tenant.
    pub tenant: TenantId,
    /// The kind of message.
    pub kind: MessageKind,
    /// The part and the reason.
    pub problem: TemplateProblem,
}

/// What a round did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryRound {
    /// Messages claimed.
    pub claimed: usize,
    /// Messages sent.
    pub sent: usize,
    /// Messages to be tried again later.
    pub retrying: usize,
    /// Messages that failed for good.
    pub failed: usize,
    /// Messages dropped because their tenant is gone.
    pub dropped: usize,
    /// Messages released unsent (half the lease used up, or stopping).
    pub released: usize,
    /// Failed attempts.
    pub failures: Vec<FailedAttempt>,
    /// Tenant templates replaced by the defaults.
    pub fallbacks: Vec<TemplateFallback>,
    /// Failures that could not be recorded because another worker claimed the
    /// message since (this worker's lease ran out).
    pub lost: usize,
    /// Errors that did not stop the round (an audit entry that could not be
    /// written).
    pub unrecorded: Vec<StoreError>,
}

impl DeliveryRound {
    /// Whether the round claimed a full batch (more may be waiting).
    #[must_use]
    pub fn was_full(&self, policy: &DeliveryPolicy) -> bool {
        u32::try_from(self.claimed).unwrap_or(u32::MAX) >= policy.batch
    }
}

/// The delivery use case (one worker's round).
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct DeliveryService<'a> {
    /// The outbox.
    pub queue: &'a dyn OutboxQueue,
    /// Tenants (their names).
    pub tenants: &'a dyn TenantStore,
    /// Settings (sender name, templates).
    pub settings: &'a dyn SettingsStore,
    /// Templates.
    pub renderer: &'a dyn MessageRenderer,
    /// E-mail.
    pub mail: &'a dyn MailTransport,
    /// SMS.
    pub sms: &'a dyn SmsGateway,
    /// Commits failure records and audit entries.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Batch, lease, retries.
    pub policy: &'a DeliveryPolicy,
    /// Set when the worker is asked to stop: the round releases the messages
    /// it has not started on.
    pub stop: Option<&'a AtomicBool>,
}

type Sender = Option<(Name, MailSettings)>;

impl DeliveryService<'_> {
    /// Runs one round.
    ///
    /// Trouble with one message's tenant (its settings do not read) counts as
    /// a failed attempt of that message, so it cannot hold up the others.
    ///
    /// # Errors
    /// [`StoreError`] when the outbox cannot be read or an outcome cannot be
    /// recorded. The round then gives back the messages it has not started;
    /// the one in hand stays claimed until its lease ends.
    pub async fn run_once(&self) -> Result<DeliveryRound, StoreError> {
        let started = self.clock.now();
        let claimed = self
            .queue
            .claim_due(started, self.policy.batch, self.policy.lease)
            .await?;
        let hand_out_until = started.saturating_add(self.policy.lease / 2);
        let mut round = DeliveryRound {
            claimed: claimed.len(),
            ..DeliveryRound::default()
        };
        let mut senders: BTreeMap<TenantId, Sender> = BTreeMap::new();
        let mut claims = claimed.into_iter();
        while let Some(claim) = claims.next() {
            let stopping = self.stop.is_some_and(|s| s.load(Ordering::Relaxed));
            if stopping || self.clock.now() >= hand_out_until {
                self.queue.release(&claim).await?;
                round.released += 1;
                continue;
            }
            if let Err(e) = self.handle(claim, &mut senders, &mut round).await {
                for rest in claims {
                    // Best effort: what cannot be released now is handed out
                    // again when its lease ends.
                    if self.queue.release(&rest).await.is_ok() {
                        round.released += 1;
                    }
                }
                return Err(e);
            }
        }
        Ok(round)
    }

    async fn handle(
        &self,
        claim: ClaimedMessage,
        senders: &mut BTreeMap<TenantId, Sender>,
        round: &mut DeliveryRound,
    ) -> Result<(), StoreError> {
        let tenant = claim.message.tenant;
        let sender = match senders.entry(tenant) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => match self.sender(tenant).await {
                Ok(sender) => slot.insert(sender),
                Err(e) => {
                    let outcome = Err(DeliveryError::Transient(format!(
                        "cannot read the tenant's mail settings: {e}"
                    )));
                    return self.record(claim, outcome, round).await;
                }
            },
        };
        let Some((organisation, mail)) = sender.as_ref() else {
            // The tenant is gone: nobody can send in its name any more.
            self.queue.delivered(tenant, claim.message.id).await?;
            round.dropped += 1;
            return Ok(());
        };
        let outcome = self
            .deliver(&claim.message, organisation, mail, round)
            .await;
        self.record(claim, outcome, round).await
    }

    async fn sender(&self, tenant: TenantId) -> Result<Sender, StoreError> {
        let Some(t) = self.tenants.tenant(tenant).await? else {
            return Ok(None);
        };
        if matches!(t.status, TenantStatus::Deleted) {
            return Ok(None);
        }
        let mail = self.settings.settings(tenant).await?.value.mail;
        Ok(Some((t.name, mail)))
    }

    async fn deliver(
        &self,
        m: &OutgoingMessage,
        organisation: &Name,
        mail: &MailSettings,
        round: &mut DeliveryRound,
    ) -> Result<(), DeliveryError> {
        let sender = mail.sender_display_name(organisation);
        let context = RenderContext {
            organisation: organisation.as_str(),
            sender,
            custom: mail.templates.get(&m.kind),
        };
        let rendered = self.renderer.render(m, &context)?;
        if !rendered.problems.is_empty() {
            if let Err(e) = self.report_fallbacks(m, &rendered.problems).await {
                // The mail still goes out; the operator's log gets the error.
                round.unrecorded.push(e);
            }
            round.fallbacks.extend(
                rendered
                    .problems
                    .into_iter()
                    .map(|problem| TemplateFallback {
                        tenant: m.tenant,
                        kind: m.kind,
                        problem,
                    }),
            );
        }
        match (&m.to, rendered.content) {
            (
                Destination::Email(to),
                RenderedContent::Mail {
                    subject,
                    text,
                    html,
                },
            ) => {
                let mail = Mail {
                    id: m.id,
                    to: to.clone(),
                    from_name: sender.to_owned(),
                    subject,
                    text,
                    html,
                };
                self.mail.send(&mail).await
            }
            (Destination::Sms(to), RenderedContent::Sms(text)) => {
                self.sms.send(m.id, to, &text).await
            }
            _ => Err(DeliveryError::Permanent(
                "the renderer produced content for another channel".into(),
            )),
        }
    }

    async fn report_fallbacks(
        &self,
        m: &OutgoingMessage,
        problems: &[TemplateProblem],
    ) -> Result<(), StoreError> {
        let mut changes = ChangeSet::new(m.tenant);
        for p in problems {
            changes.push(Write::AppendAudit(
                AuditEvent::new(
                    Some(m.tenant),
                    self.clock.now(),
                    AuditActor::System,
                    AuditAction::MailTemplateFailed,
                    AuditTarget::Tenant(m.tenant),
                )
                .with_detail(&format!(
                    "{} {}: {}",
                    m.kind.key(),
                    p.part.key(),
                    p.reason
                )),
            ));
        }
        self.uow.commit(changes).await
    }

    async fn record(
        &self,
        claim: ClaimedMessage,
        outcome: Result<(), DeliveryError>,
        round: &mut DeliveryRound,
    ) -> Result<(), StoreError> {
        let m = &claim.message;
        let attempt = claim.attempts.saturating_add(1);
        let error = match outcome {
            Ok(()) => {
                self.queue.delivered(m.tenant, m.id).await?;
                round.sent += 1;
                return Ok(());
            }
            Err(e) => e,
        };
        let decision = match error {
            DeliveryError::Transient(_) => self.policy.retry.after_failure(attempt),
            DeliveryError::Permanent(_) => RetryDecision::GiveUp,
        };
        let gave_up = match decision {
            RetryDecision::RetryIn(delay) => {
                let next = self.clock.now().saturating_add(delay);
                self.queue.retry_at(&claim, next).await?;
                round.retrying += 1;
                false
            }
            RetryDecision::GiveUp => {
                let mut changes = ChangeSet::new(m.tenant);
                changes
                    .push(Write::FailMessage(m.id, claim.lease_until))
                    .push(Write::AppendAudit(
                        AuditEvent::new(
                            Some(m.tenant),
                            self.clock.now(),
                            AuditActor::System,
                            AuditAction::DeliveryFailed,
                            AuditTarget::Message(m.id),
                        )
                        .with_detail(&format!(
                            "{} after {attempt} attempt(s): {error}",
                            m.kind.key()
                        )),
                    ));
                match self.uow.commit(changes).await {
                    Ok(()) => round.failed += 1,
                    // Another worker holds the message now (this claim's lease
                    // ran out): its outcome counts, not this one.
                    Err(StoreError::NotFound) => round.lost += 1,
                    Err(e) => return Err(e),
                }
                true
            }
        };
        round.failures.push(FailedAttempt {
            id: m.id,
            tenant: m.tenant,
            kind: m.kind,
            attempt,
            error,
            gave_up,
        });
        Ok(())
    }
}
