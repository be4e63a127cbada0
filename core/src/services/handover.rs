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

use crate::access::{AccessLevel, Area};
use crate::audit::FieldChange;
use crate::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget};
use crate::authz::{AccessError, Actor};
use crate::document::{Letter, LetterFormatting};
use crate::handover::{Handover, LinkState};
use crate::handover::{HandoverRequest, HandoverTokens, LinkCheckChoice, Recipient};
use crate::id::{ChallengeId, MessageId, ReferenceId, TenantId};
use crate::matrix::MatrixView;
use crate::matrix::{PermissionMatrix, SectionUpdate};
use crate::messages::instant_de;
use crate::otp::{CodeChallenge, CodeError, CodePolicy, CodePurpose, OneTimeCode};
use crate::ports::{
    ChallengeStore, ChangeSet, Clock, Destination, HandoverStore, MessageKind, MessageParams,
    OutgoingMessage, RandomSource, ReferenceStore, SettingsStore, StoreError, TenantStore,
    UnitOfWork, Versioned, Write, random_bytes, random_u64,
};
use crate::ports::{EmployeeStore, LibraryStore};
use crate::reference::{Reference, ReferenceStatus, Section, SectionContent, StatusActor};
use crate::services::audit_by;
use crate::services::references::{
    HandoverSummary, ReferenceError, ReferenceService, SectionInput, SignerRule, apply_authorized,
    check_signers, letter_of, log_changes, parse_sections, record_status_change,
    record_user_status_change,
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

impl crate::classify::Classify for LinkError {
    fn classify(&self) -> crate::classify::Classified {
        use crate::classify::{Classified, ErrorKind};
        let message = self.to_string();
        match self {
            Self::NotFound => Classified::new(ErrorKind::NotFound, "invalid_link", message),
            Self::Revoked => Classified::new(ErrorKind::Gone, "link_revoked", message),
            Self::Finished => Classified::new(ErrorKind::Gone, "link_finished", message),
            Self::Expired => Classified::new(ErrorKind::Gone, "link_expired", message),
            Self::Blocked => Classified::new(ErrorKind::Gone, "link_blocked", message),
            // The link's budget of codes is spent for good: HR sends a new
            // link. The wait says when asking again is no abuse at least.
            Self::TooManyCodes => {
                Classified::new(ErrorKind::TooManyRequests, "too_many_codes", message)
                    .retry_after(3600)
            }
            Self::NoCodeChannel => Classified::new(ErrorKind::Conflict, "no_code_channel", message),
            Self::Code(_) => {
                Classified::new(ErrorKind::Invalid, "invalid_code", message).field("code")
            }
            Self::Unavailable(cause) => Classified::unavailable(cause),
        }
    }
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

/// Why a link holder's request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HolderError {
    /// The link no longer works (revoked, finished, expired, unknown).
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The request itself was refused (a section not writable, bad content,
    /// the reference not editable).
    #[error(transparent)]
    Refused(#[from] ReferenceError),
    /// The handover does not allow downloading the document.
    #[error("this handover does not include downloading the reference")]
    DownloadNotAllowed,
}

impl crate::classify::Classify for HolderError {
    fn classify(&self) -> crate::classify::Classified {
        use crate::classify::{Classified, ErrorKind};
        match self {
            Self::Link(l) => l.classify(),
            Self::Refused(r) => r.classify(),
            Self::DownloadNotAllowed => Classified::new(
                ErrorKind::Forbidden,
                "download_not_allowed",
                self.to_string(),
            ),
        }
    }
}

impl From<StoreError> for HolderError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound | StoreError::Gone => HolderError::Link(LinkError::NotFound),
            StoreError::Conflict { .. } => HolderError::Refused(e.into()),
            other => HolderError::Link(LinkError::Unavailable(other.to_string())),
        }
    }
}

/// What a link holder does once the link was exchanged for a session bound to
/// the handover: read, write the sections the matrix opens, download (with the
/// flag), finish. Every call checks the handover's state again, so a revoked,
/// finished or expired handover stops working at once.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct HandoverWorkService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// Settings (change tracking).
    pub settings: &'a dyn SettingsStore,
    /// Handovers.
    pub handovers: &'a dyn HandoverStore,
    /// References.
    pub references: &'a dyn ReferenceStore,
    /// Employees (signers named in the `signatures` section).
    pub employees: &'a dyn EmployeeStore,
    /// The tenant's formatting.
    pub library: &'a dyn LibraryStore,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
}

/// A handover in use, with its reference and the matrix in force now.
struct InUse {
    handover: Versioned<Handover>,
    reference: Versioned<Reference>,
    matrix: PermissionMatrix,
}

impl HandoverWorkService<'_> {
    async fn in_use(
        &self,
        tenant: TenantId,
        id: HandoverId,
        now: Timestamp,
    ) -> Result<InUse, HolderError> {
        let handover = self
            .handovers
            .handover(tenant, id)
            .await?
            .filter(|h| h.value.tenant == tenant)
            .ok_or(LinkError::NotFound)?;
        match handover.value.state(now) {
            LinkState::Active => {}
            LinkState::Revoked => return Err(LinkError::Revoked.into()),
            LinkState::Finished => return Err(LinkError::Finished.into()),
            LinkState::Expired => return Err(LinkError::Expired.into()),
            LinkState::Blocked => return Err(LinkError::Blocked.into()),
        }
        let t = self
            .tenants
            .tenant(tenant)
            .await?
            .filter(|t| t.ensure_readable().is_ok())
            .ok_or(LinkError::NotFound)?;
        let reference = self
            .references
            .reference(tenant, handover.value.reference)
            .await?
            .filter(|r| r.value.tenant == tenant)
            .ok_or(LinkError::NotFound)?;
        let matrix = if t.ensure_writable().is_ok() && reference.value.status.is_editable() {
            handover.value.matrix
        } else {
            handover.value.matrix.read_only()
        };
        Ok(InUse {
            handover,
            reference,
            matrix,
        })
    }

    fn access(u: &InUse) -> HandoverAccess {
        HandoverAccess {
            handover: u.handover.value.id,
            reference: u.reference.value.id,
            view: u.matrix.view(&u.reference.value.content),
            expires_at: u.handover.value.expires_at,
        }
    }

    /// What the holder sees now: the readable sections only.
    ///
    /// # Errors
    /// [`HolderError::Link`] when the handover no longer works.
    pub async fn view(
        &self,
        tenant: TenantId,
        id: HandoverId,
    ) -> Result<HandoverAccess, HolderError> {
        let u = self.in_use(tenant, id, self.clock.now()).await?;
        Ok(Self::access(&u))
    }

    /// Saves sections. The matrix decides first: if any section is not
    /// writable, nothing is saved. Then every section's content is checked.
    ///
    /// # Errors
    /// [`HolderError::Refused`] with [`ReferenceError::Matrix`] or
    /// [`ReferenceError::Invalid`]; [`HolderError::Link`].
    pub async fn save(
        &self,
        tenant: TenantId,
        id: HandoverId,
        sections: Vec<SectionInput>,
        source_ip: Option<IpAddr>,
    ) -> Result<HandoverAccess, HolderError> {
        let now = self.clock.now();
        let mut u = self.in_use(tenant, id, now).await?;
        // The matrix first, on the sections named, before looking at content.
        let touched: SectionUpdate = sections
            .iter()
            .map(|(s, _)| (*s, SectionContent::default()))
            .collect();
        u.matrix
            .authorize_update(touched)
            .map_err(ReferenceError::from)?;
        let parsed = parse_sections(sections)?;
        check_signers(
            self.employees,
            tenant,
            SignerRule::Kept,
            &u.reference.value.signatories,
            &parsed,
        )
        .await?;
        // The matrix decides again on exactly the content that will be saved,
        // and only its proof applies it.
        let authorized = u
            .matrix
            .authorize_update(parsed.iter().map(|(s, (_, c))| (*s, c.clone())).collect())
            .map_err(ReferenceError::from)?;
        let version = u.reference.version;
        let (mut writable, mut changed) =
            apply_authorized(u.reference.value.clone(), authorized, &parsed);
        if changed.is_empty() {
            return Ok(Self::access(&u));
        }
        if let Some(text) = self
            .regenerated(tenant, writable.reference(), &changed)
            .await?
        {
            let reference = writable.reference_mut();
            let before = reference.content.get(Section::Result).cloned();
            reference.generated = Some(crate::generator::fingerprint(text.as_str()));
            reference.content.set(Section::Result, text.clone());
            changed.push((Section::Result, before, text));
        }
        let tracking = self
            .settings
            .settings(tenant)
            .await?
            .value
            .privacy
            .change_tracking;
        let h = &u.handover.value;
        let reference = writable.reference().clone();
        let (log, fields) = log_changes(
            &reference,
            &changed,
            tracking,
            &h.recipient.name,
            &StatusActor::Handover(h.id),
            now,
        );
        writable.reference_mut().changed_at = now;
        let mut cs = ChangeSet::new(tenant);
        cs.push(Write::UpdateReference(writable, version));
        for w in log {
            cs.push(w);
        }
        cs.push(Write::AppendAudit(
            AuditEvent::new(
                Some(tenant),
                now,
                AuditActor::Handover(h.id),
                AuditAction::ReferenceChanged,
                AuditTarget::Reference(reference.id),
            )
            .from_ip(source_ip)
            .with_changes(fields),
        ));
        self.uow.commit(cs).await?;
        u.reference.value = reference;
        Ok(Self::access(&u))
    }

    /// The text written anew after a holder's save, so that what they see and
    /// download follows their own ratings: only when they changed something
    /// the text is written from (not the text itself), the text is still the
    /// generator's (not edited by hand since), and the sections are complete
    /// enough to write it. `None` leaves the text as it is.
    async fn regenerated(
        &self,
        tenant: TenantId,
        reference: &Reference,
        changed: &[(Section, Option<SectionContent>, SectionContent)],
    ) -> Result<Option<SectionContent>, HolderError> {
        let writes_text = changed.iter().any(|(s, ..)| *s == Section::Result);
        let feeds_text = changed
            .iter()
            .any(|(s, ..)| !matches!(s, Section::Result | Section::Further));
        let Ok(forms) = crate::reference::form::Forms::from_content(&reference.content) else {
            return Ok(None);
        };
        let by_generator = !forms.result.trim().is_empty()
            && reference.generated == Some(crate::generator::fingerprint(&forms.result));
        if writes_text || !feeds_text || !by_generator {
            return Ok(None);
        }
        let library = self.library.phrase_library(tenant).await?.value;
        let Ok(generated) = crate::generator::generate(reference.kind, &forms, &library) else {
            return Ok(None);
        };
        if generated.text.trim() == forms.result.trim() {
            return Ok(None);
        }
        Ok(SectionContent::new(generated.text).ok())
    }

    /// Marks the work as finished: the link and its sessions stop working, and
    /// when no other handover of the reference is active it returns to HR
    /// (status `draft`).
    ///
    /// # Errors
    /// [`HolderError::Link`].
    pub async fn finish(
        &self,
        tenant: TenantId,
        id: HandoverId,
        source_ip: Option<IpAddr>,
    ) -> Result<(), HolderError> {
        let now = self.clock.now();
        let u = self.in_use(tenant, id, now).await?;
        let mut h = u.handover.value.clone();
        h.finish(now).map_err(ReferenceError::from)?;
        let mut cs = ChangeSet::new(tenant);
        cs.push(Write::UpdateHandover(h.clone(), u.handover.version))
            .push(Write::DeleteSessionsOfHandover(h.id));
        let others = self
            .handovers
            .handovers_of(tenant, h.reference)
            .await?
            .into_iter()
            .any(|o| o.id != h.id && o.state(now) == LinkState::Active);
        let reference = u.reference.value.clone();
        if !others && reference.status == ReferenceStatus::WithSupervisor {
            let id = reference.id;
            let mut writable =
                crate::authz::returned_by_handover(reference, &h).map_err(ReferenceError::from)?;
            let change = writable
                .change_status(ReferenceStatus::Draft, StatusActor::Handover(h.id), now)
                .map_err(ReferenceError::from)?;
            let event = AuditEvent::new(
                Some(tenant),
                now,
                AuditActor::Handover(h.id),
                AuditAction::ReferenceStatusChanged,
                AuditTarget::Reference(id),
            )
            .from_ip(source_ip);
            record_status_change(&mut cs, writable, u.reference.version, change, event);
        }
        cs.push(Write::AppendAudit(
            AuditEvent::new(
                Some(tenant),
                now,
                AuditActor::Handover(h.id),
                AuditAction::HandoverFinished,
                AuditTarget::Handover(h.id),
            )
            .from_ip(source_ip),
        ));
        self.uow.commit(cs).await?;
        Ok(())
    }

    /// The letter and formatting for a download, only with the download flag;
    /// the download is audited.
    ///
    /// # Errors
    /// [`HolderError::DownloadNotAllowed`]; [`HolderError::Refused`] with
    /// [`ReferenceError::NoText`]; [`HolderError::Link`].
    pub async fn document(
        &self,
        tenant: TenantId,
        id: HandoverId,
        source_ip: Option<IpAddr>,
    ) -> Result<(Letter, LetterFormatting), HolderError> {
        let now = self.clock.now();
        let u = self.in_use(tenant, id, now).await?;
        if !u.matrix.may_download() {
            return Err(HolderError::DownloadNotAllowed);
        }
        let letter = letter_of(&u.reference.value, now.date())?;
        let formatting = self.library.letter_formatting(tenant).await?.value;
        let mut cs = ChangeSet::new(tenant);
        cs.push(Write::AppendAudit(
            AuditEvent::new(
                Some(tenant),
                now,
                AuditActor::Handover(id),
                AuditAction::ReferenceDownloaded,
                AuditTarget::Reference(u.reference.value.id),
            )
            .from_ip(source_ip),
        ));
        self.uow.commit(cs).await?;
        Ok((letter, formatting))
    }
}

// --- HR's side: handing a reference over, and taking it back -------------------

/// A handover as HR asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandoverInput {
    /// The person.
    pub recipient: Recipient,
    /// Access per section, and the download flag.
    pub matrix: PermissionMatrix,
    /// Days until the link expires (the tenant's default when absent).
    pub expires_in_days: Option<u16>,
    /// The one-time-code choice.
    pub link_check: LinkCheckChoice,
}

/// What a new handover may be, by the organisation's privacy settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandoverTerms {
    /// Every handover must ask for a one-time code.
    pub code_mandatory: bool,
    /// The channels a code may go by, e-mail first.
    pub code_channels: Vec<CodeChannel>,
    /// Days until a link expires unless HR says otherwise.
    pub expiry_days: u16,
    /// The e-mail domains handovers may go to (empty: any).
    pub domains: Vec<String>,
}

/// HR's side of a handover: hand a reference over by e-mailed link, list its
/// handovers, revoke one. The same rules guard it as the reference's own use
/// cases (area Employees, scope, private flag, a writable organisation).
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct HandoverService<'a> {
    /// The reference use cases (and ports) it builds on.
    pub references: ReferenceService<'a>,
}

impl HandoverService<'_> {
    /// Hands a reference to a person by e-mailed link. The reference must be
    /// editable; a draft moves to `with_supervisor`.
    ///
    /// # Errors
    /// [`ReferenceError::Handover`] for a domain, channel, expiry or matrix the
    /// rules refuse; [`ReferenceError::NotEditable`].
    pub async fn hand_over(
        &self,
        actor: &Actor,
        id: ReferenceId,
        input: HandoverInput,
        source_ip: Option<IpAddr>,
    ) -> Result<Handover, ReferenceError> {
        let tenant = self.references.writable(actor).await?;
        let (visible, version) = self.references.load(actor, id).await?;
        let mut writable =
            visible.writable(actor.require(Area::Employees, AccessLevel::ReadWrite)?)?;
        let reference = writable.reference_mut();
        if !reference.status.is_editable() {
            return Err(ReferenceError::NotEditable(reference.status));
        }
        let settings = self
            .references
            .settings
            .settings(actor.tenant())
            .await?
            .value;
        let (privacy, zone) = (settings.privacy, settings.working.time_zone);
        let now = self.references.clock.now();
        let request = HandoverRequest {
            reference: id,
            recipient: input.recipient,
            matrix: input.matrix,
            expires_in_days: input
                .expires_in_days
                .unwrap_or_else(|| privacy.handover_expiry.days()),
            link_check: input.link_check,
        };
        let (handover, secret) = Handover::issue(
            actor.tenant(),
            request,
            &privacy.link_check,
            &privacy.allowed_handover_domains,
            actor.user(),
            now,
            HandoverTokens {
                id: random_bytes(self.references.random),
                secret: random_bytes(self.references.random),
            },
        )?;
        let link = self
            .references
            .links
            .handover_link(&tenant, handover.id, &secret);
        let requested_by = self.references.editor_name(actor).await?;
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::InsertHandover(handover.clone()));
        if reference.status != ReferenceStatus::WithSupervisor {
            record_user_status_change(
                &mut cs,
                actor,
                writable,
                version,
                ReferenceStatus::WithSupervisor,
                (now, source_ip),
            )?;
        }
        let mut event = audit_by(actor, now, AuditAction::HandoverCreated).from_ip(source_ip);
        event.target = AuditTarget::Handover(handover.id);
        cs.push(Write::Enqueue(OutgoingMessage {
            id: MessageId::from_random(random_bytes(self.references.random)),
            tenant: actor.tenant(),
            kind: MessageKind::HandoverLink,
            to: Destination::Email(handover.recipient.email.clone()),
            params: MessageParams::new()
                .with("recipient_name", handover.recipient.name.as_str())
                .with("requested_by", requested_by.as_str())
                .with("link", link)
                .with("valid_until", instant_de(handover.expires_at, &zone)),
            created_at: now,
            expires_at: Some(handover.expires_at),
        }))
        .push(Write::AppendAudit(
            event.with_changes(handover_fields(&handover)),
        ));
        self.references.uow.commit(cs).await?;
        Ok(handover)
    }

    /// What the organisation's privacy settings allow a new handover: the
    /// one-time code channels (and whether a code is mandatory), the default
    /// expiry, and the e-mail domains (empty: any).
    ///
    /// # Errors
    /// [`ReferenceError::Access`].
    pub async fn terms(&self, actor: &Actor) -> Result<HandoverTerms, ReferenceError> {
        self.references.readable(actor).await?;
        let privacy = self
            .references
            .settings
            .settings(actor.tenant())
            .await?
            .value
            .privacy;
        Ok(HandoverTerms {
            code_mandatory: privacy.link_check.mandatory,
            code_channels: privacy.link_check.allowed_channels().collect(),
            expiry_days: privacy.handover_expiry.days(),
            domains: Option::<Vec<String>>::from(privacy.allowed_handover_domains)
                .unwrap_or_default(),
        })
    }

    /// Reminds the recipient of an open handover: a reminder mail with a fresh
    /// link (the old one stops working: its secret is kept only as a hash, so
    /// it cannot be sent again), at most once a day per handover, audited, in
    /// one transaction.
    ///
    /// # Errors
    /// [`ReferenceError::Handover`] with
    /// [`HandoverError::RemindedToday`](crate::handover::HandoverError::RemindedToday)
    /// or the link's state; [`AccessError::NotFound`] when the handover does
    /// not exist for the actor.
    pub async fn remind(
        &self,
        actor: &Actor,
        handover: HandoverId,
        source_ip: Option<IpAddr>,
    ) -> Result<Handover, ReferenceError> {
        let tenant = self.references.writable(actor).await?;
        let stored = self
            .references
            .handovers
            .handover(actor.tenant(), handover)
            .await?
            .ok_or(AccessError::NotFound)?;
        // The reference must be one the actor sees.
        self.references.load(actor, stored.value.reference).await?;
        let now = self.references.clock.now();
        let mut h = stored.value;
        let secret = h.remind(now, random_bytes(self.references.random))?;
        let zone = self
            .references
            .settings
            .settings(actor.tenant())
            .await?
            .value
            .working
            .time_zone;
        let link = self.references.links.handover_link(&tenant, h.id, &secret);
        let requested_by = self.references.editor_name(actor).await?;
        let mut event = audit_by(actor, now, AuditAction::HandoverReminded).from_ip(source_ip);
        event.target = AuditTarget::Handover(h.id);
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::UpdateHandover(h.clone(), stored.version))
            .push(Write::Enqueue(OutgoingMessage {
                id: MessageId::from_random(random_bytes(self.references.random)),
                tenant: actor.tenant(),
                kind: MessageKind::HandoverReminder,
                to: Destination::Email(h.recipient.email.clone()),
                params: MessageParams::new()
                    .with("recipient_name", h.recipient.name.as_str())
                    .with("requested_by", requested_by.as_str())
                    .with("link", link)
                    .with("valid_until", instant_de(h.expires_at, &zone)),
                created_at: now,
                expires_at: Some(h.expires_at),
            }))
            .push(Write::AppendAudit(event));
        self.references.uow.commit(cs).await?;
        Ok(h)
    }

    /// The handovers of a reference, newest first.
    ///
    /// # Errors
    /// [`AccessError::NotFound`].
    pub async fn handovers(
        &self,
        actor: &Actor,
        id: ReferenceId,
    ) -> Result<Vec<HandoverSummary>, ReferenceError> {
        Ok(self.references.history(actor, id).await?.handovers)
    }

    /// Revokes a handover: its link and sessions stop working at once. When no
    /// other handover of the reference stays active, the reference returns to
    /// `draft`.
    ///
    /// # Errors
    /// [`ReferenceError::Handover`] when it was already revoked or finished;
    /// [`AccessError::NotFound`].
    pub async fn revoke(
        &self,
        actor: &Actor,
        handover: HandoverId,
        source_ip: Option<IpAddr>,
    ) -> Result<Handover, ReferenceError> {
        self.references.writable(actor).await?;
        let stored = self
            .references
            .handovers
            .handover(actor.tenant(), handover)
            .await?
            .ok_or(AccessError::NotFound)?;
        let (visible, version) = self.references.load(actor, stored.value.reference).await?;
        let now = self.references.clock.now();
        let mut h = stored.value;
        h.revoke(now)?;
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::UpdateHandover(h.clone(), stored.version))
            .push(Write::DeleteSessionsOfHandover(h.id));
        let others = self
            .references
            .handovers
            .handovers_of(actor.tenant(), h.reference)
            .await?
            .into_iter()
            .any(|o| o.id != h.id && o.state(now) == LinkState::Active);
        let mut writable =
            visible.writable(actor.require(Area::Employees, AccessLevel::ReadWrite)?)?;
        let reference = writable.reference_mut();
        if !others && reference.status == ReferenceStatus::WithSupervisor {
            record_user_status_change(
                &mut cs,
                actor,
                writable,
                version,
                ReferenceStatus::Draft,
                (now, source_ip),
            )?;
        }
        let mut event = audit_by(actor, now, AuditAction::HandoverRevoked).from_ip(source_ip);
        event.target = AuditTarget::Handover(h.id);
        cs.push(Write::AppendAudit(event));
        self.references.uow.commit(cs).await?;
        Ok(h)
    }
}

/// The audit's record of a handover's terms: sections by access, download
/// flag, code channel, expiry (no names or addresses).
fn handover_fields(h: &Handover) -> Vec<FieldChange> {
    let mut fields: Vec<FieldChange> = h
        .matrix
        .iter()
        .filter(|(_, a)| a.can_read())
        .map(|(s, a)| {
            FieldChange::new(
                s.key(),
                None,
                Some(if a.can_write() { "write" } else { "read" }),
            )
        })
        .collect();
    fields.push(FieldChange::new(
        "download",
        None,
        Some(if h.matrix.may_download() { "yes" } else { "no" }),
    ));
    fields.push(FieldChange::new(
        "code",
        None,
        Some(match h.code_channel {
            None => "none",
            Some(crate::settings::CodeChannel::Email) => "email",
            Some(_) => "sms",
        }),
    ));
    fields
}
