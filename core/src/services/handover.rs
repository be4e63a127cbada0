//! Opening a handover link: token check, link state, the optional one-time code,
//! and the matrix view of the reference.
//!
//! An unknown id and a wrong secret give the same [`LinkError::NotFound`] (the
//! secret is compared in constant time, against a dummy hash when the id is
//! unknown). Only a holder of the right secret learns that a link was revoked,
//! finished or expired. When the handover needs a code, opening sends one (through
//! the outbox, in the same transaction as its challenge and audit entry) and
//! [`HandoverLinkService::verify_code`] grants access once it is entered.

use std::net::IpAddr;

use crate::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget};
use crate::handover::{Handover, LinkState};
use crate::id::{ChallengeId, MessageId, ReferenceId, TenantId};
use crate::matrix::MatrixView;
use crate::otp::{CodeChallenge, CodeError, CodePolicy, CodePurpose, OneTimeCode};
use crate::ports::{
    ChallengeStore, ChangeSet, Clock, Destination, HandoverStore, MessageKind, MessageParams,
    OutgoingMessage, RandomSource, ReferenceStore, SettingsStore, StoreError, TenantStore,
    UnitOfWork, Versioned, Write, random_bytes, random_u64,
};
use crate::settings::CodeChannel;
use crate::settings::LinkCheckSettings;
use crate::tenant::Tenant;
use crate::token::{HandoverId, HandoverSecret, TokenHash};
use crate::values::Timestamp;

/// A request that presents a link.
#[derive(Debug, Clone)]
pub struct LinkRequest {
    /// The tenant in the link's path.
    pub tenant: TenantId,
    /// The public id in the link.
    pub id: HandoverId,
    /// The secret in the link.
    pub secret: HandoverSecret,
    /// The client's address.
    pub source_ip: Option<IpAddr>,
}

/// Access granted to a link holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverAccess {
    /// The handover (bind the short-lived session to it).
    pub handover: HandoverId,
    /// The reference.
    pub reference: ReferenceId,
    /// What the holder may see, with what they may write and download.
    pub view: MatrixView,
    /// When the link expires (the session must not outlive it).
    pub expires_at: Timestamp,
}

/// What opening a link led to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenOutcome {
    /// Access granted.
    Granted(HandoverAccess),
    /// A code was sent; ask for it.
    CodeSent {
        /// The challenge to answer.
        challenge: ChallengeId,
        /// By which channel it went.
        channel: CodeChannel,
        /// Until when it is valid.
        expires_at: Timestamp,
    },
}

/// Why a link does not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// Unknown link or wrong secret (indistinguishable).
    #[error("this link is not valid")]
    NotFound,
    /// HR revoked the link.
    #[error("this link was withdrawn")]
    Revoked,
    /// The recipient already finished.
    #[error("the work on this reference was already marked as finished")]
    Finished,
    /// The link expired.
    #[error("this link has expired")]
    Expired,
    /// Too many wrong one-time codes were entered.
    #[error("this link was blocked after too many wrong codes; ask HR for a new one")]
    Blocked,
    /// Too many codes were requested.
    #[error("too many codes were requested for this link; ask HR for a new one")]
    TooManyCodes,
    /// The link needs a code but no allowed channel reaches the recipient.
    #[error("this link needs a one-time code, but no allowed way to send it reaches you; ask HR")]
    NoCodeChannel,
    /// The one-time code was not accepted.
    #[error(transparent)]
    Code(#[from] CodeError),
    /// Storage failed; the message is for the log.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl From<StoreError> for LinkError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound | StoreError::Gone => LinkError::NotFound,
            other => LinkError::Unavailable(other.to_string()),
        }
    }
}

/// The link-holder use cases.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct HandoverLinkService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// Settings (the code requirement is decided with today's privacy settings).
    pub settings: &'a dyn SettingsStore,
    /// Handovers.
    pub handovers: &'a dyn HandoverStore,
    /// References.
    pub references: &'a dyn ReferenceStore,
    /// Code challenges.
    pub challenges: &'a dyn ChallengeStore,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Randomness (codes, ids).
    pub random: &'a dyn RandomSource,
}

/// A hash no secret matches; compared against when the id is unknown so both
/// cases take the same time.
const DUMMY: TokenHash = TokenHash::from_bytes([0; 32]);

/// The channel a code must go by now: the handover's own choice while the
/// privacy settings still allow it, otherwise — when the handover asked for a code
/// or the settings now make it mandatory — the first allowed channel that reaches
/// the recipient.
fn code_channel_now(
    h: &Handover,
    link_check: &LinkCheckSettings,
) -> Result<Option<CodeChannel>, LinkError> {
    let reaches = |c: CodeChannel| c == CodeChannel::Email || h.recipient.phone.is_some();
    match h.code_channel {
        Some(c) if link_check.allows(c) && reaches(c) => Ok(Some(c)),
        Some(_) => link_check
            .allowed_channels()
            .find(|c| reaches(*c))
            .map(Some)
            .ok_or(LinkError::NoCodeChannel),
        None if link_check.mandatory => link_check
            .allowed_channels()
            .find(|c| reaches(*c))
            .map(Some)
            .ok_or(LinkError::NoCodeChannel),
        None => Ok(None),
    }
}

impl HandoverLinkService<'_> {
    /// The tenant (readable), its link-check settings, and the handover the link
    /// names if the secret matches and the link is usable.
    async fn authenticate(
        &self,
        req: &LinkRequest,
        now: Timestamp,
    ) -> Result<(Tenant, LinkCheckSettings, Versioned<Handover>), LinkError> {
        let found = self.handovers.handover(req.tenant, req.id).await?;
        let hash = found.as_ref().map_or(DUMMY, |h| h.value.secret_hash);
        let secret_ok = hash.matches(&req.secret);
        let h = match found {
            Some(h) if secret_ok && h.value.tenant == req.tenant => h,
            _ => return Err(LinkError::NotFound),
        };
        let tenant = self
            .tenants
            .tenant(req.tenant)
            .await?
            .filter(|t| t.ensure_readable().is_ok())
            .ok_or(LinkError::NotFound)?;
        match h.value.state(now) {
            LinkState::Active => {}
            LinkState::Revoked => return Err(LinkError::Revoked),
            LinkState::Finished => return Err(LinkError::Finished),
            LinkState::Expired => return Err(LinkError::Expired),
            LinkState::Blocked => return Err(LinkError::Blocked),
        }
        let link_check = self
            .settings
            .settings(req.tenant)
            .await?
            .value
            .privacy
            .link_check;
        Ok((tenant, link_check, h))
    }

    async fn grant(
        &self,
        tenant: &Tenant,
        h: &Handover,
        now: Timestamp,
        mut changes: ChangeSet,
        ip: Option<IpAddr>,
    ) -> Result<HandoverAccess, LinkError> {
        let reference = self
            .references
            .reference(h.tenant, h.reference)
            .await?
            .filter(|r| r.value.tenant == h.tenant)
            .ok_or(LinkError::NotFound)?;
        // Writes only while the reference can be edited and the tenant can change.
        let matrix = if tenant.ensure_writable().is_ok() && reference.value.status.is_editable() {
            h.matrix
        } else {
            h.matrix.read_only()
        };
        changes.push(Write::AppendAudit(
            AuditEvent::new(
                Some(h.tenant),
                now,
                AuditActor::Handover(h.id),
                AuditAction::HandoverOpened,
                AuditTarget::Handover(h.id),
            )
            .from_ip(ip),
        ));
        self.uow.commit(changes).await?;
        Ok(HandoverAccess {
            handover: h.id,
            reference: h.reference,
            view: matrix.view(&reference.value.content),
            expires_at: h.expires_at,
        })
    }

    /// Opens a link: grants access, or sends a one-time code first.
    ///
    /// # Errors
    /// [`LinkError`].
    pub async fn open(&self, req: LinkRequest) -> Result<OpenOutcome, LinkError> {
        let now = self.clock.now();
        let (tenant, link_check, stored) = self.authenticate(&req, now).await?;
        let (mut h, version) = (stored.value, stored.version);
        let Some(channel) = code_channel_now(&h, &link_check)? else {
            let access = self
                .grant(&tenant, &h, now, ChangeSet::new(req.tenant), req.source_ip)
                .await?;
            return Ok(OpenOutcome::Granted(access));
        };
        let to = match (channel, &h.recipient.phone) {
            (CodeChannel::Sms, Some(phone)) => Destination::Sms(phone.clone()),
            (CodeChannel::Sms, None) => return Err(LinkError::NoCodeChannel),
            (CodeChannel::Email, _) => Destination::Email(h.recipient.email.clone()),
        };
        h.record_code_sent().map_err(|_| LinkError::TooManyCodes)?;
        let code = OneTimeCode::from_random(random_u64(self.random));
        let challenge = CodeChallenge::issue(
            ChallengeId::from_random(random_bytes(self.random)),
            req.tenant,
            CodePurpose::HandoverLink(h.id),
            &code,
            now,
            CodePolicy::default(),
        );
        let (challenge_id, expires_at) = (challenge.id, challenge.expires_at);
        let mut changes = ChangeSet::new(req.tenant);
        changes
            .push(Write::UpdateHandover(h.clone(), version))
            .push(Write::InsertChallenge(challenge))
            .push(Write::Enqueue(OutgoingMessage {
                id: MessageId::from_random(random_bytes(self.random)),
                tenant: req.tenant,
                kind: MessageKind::OneTimeCode,
                to,
                params: MessageParams::new().with("code", code.expose()).with(
                    "valid_minutes",
                    CodePolicy::default().validity.whole_minutes().to_string(),
                ),
                created_at: now,
                expires_at: Some(expires_at),
            }))
            .push(Write::AppendAudit(
                AuditEvent::new(
                    Some(req.tenant),
                    now,
                    AuditActor::Handover(h.id),
                    AuditAction::HandoverCodeSent,
                    AuditTarget::Handover(h.id),
                )
                .from_ip(req.source_ip),
            ));
        self.uow.commit(changes).await?;
        Ok(OpenOutcome::CodeSent {
            challenge: challenge_id,
            channel,
            expires_at,
        })
    }

    /// Checks the one-time code of a link and grants access. Every wrong code
    /// also counts against the link; after [`Handover::MAX_FAILED_CODES`] it is
    /// blocked.
    ///
    /// # Errors
    /// [`LinkError::Code`] when the code is wrong, expired, used or exhausted (a
    /// missing challenge counts as expired); [`LinkError::Blocked`] when this
    /// wrong code blocked the link; other [`LinkError`]s as for
    /// [`HandoverLinkService::open`].
    pub async fn verify_code(
        &self,
        req: LinkRequest,
        challenge: ChallengeId,
        code: &str,
    ) -> Result<HandoverAccess, LinkError> {
        let now = self.clock.now();
        let (tenant, _, stored_handover) = self.authenticate(&req, now).await?;
        let (mut h, h_version) = (stored_handover.value, stored_handover.version);
        let stored = self
            .challenges
            .challenge(req.tenant, challenge)
            .await?
            .filter(|c| c.value.tenant == req.tenant)
            .ok_or(LinkError::Code(CodeError::Expired))?;
        let (updated, verdict) = stored
            .value
            .verify(code, &CodePurpose::HandoverLink(h.id), now);
        let mut changes = ChangeSet::new(req.tenant);
        if verdict != Err(CodeError::WrongPurpose) {
            changes.push(Write::UpdateChallenge(updated, stored.version));
        }
        match verdict {
            Ok(()) => self.grant(&tenant, &h, now, changes, req.source_ip).await,
            Err(e) => {
                let guessed = matches!(
                    e,
                    CodeError::Wrong { .. } | CodeError::TooManyAttempts | CodeError::WrongPurpose
                );
                if guessed {
                    h.record_code_failure();
                    changes.push(Write::UpdateHandover(h.clone(), h_version));
                }
                let blocked = h.state(now) == LinkState::Blocked;
                let mut event = AuditEvent::new(
                    Some(req.tenant),
                    now,
                    AuditActor::Handover(h.id),
                    AuditAction::HandoverCodeFailed,
                    AuditTarget::Handover(h.id),
                )
                .from_ip(req.source_ip);
                if blocked {
                    event = event.with_detail("link_blocked");
                }
                changes.push(Write::AppendAudit(event));
                self.uow.commit(changes).await?;
                Err(if blocked {
                    LinkError::Blocked
                } else {
                    LinkError::Code(e)
                })
            }
        }
    }
}
