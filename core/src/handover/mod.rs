//! Handover of a reference to a supervisor (Übergabe) by an e-mailed link.
//!
//! A link carries two independent random 128-bit tokens: the public
//! [`HandoverId`] and the [`HandoverSecret`]. [`Handover::issue`] is the only place the
//! secret exists in plain form — it is returned once for the link and the handover
//! keeps only its hash. A link works until it expires, is revoked or is finished;
//! whether opening it needs a one-time code follows from the tenant's
//! [`LinkCheckSettings`] and HR's choice for this handover ([`code_requirement`]).
//!
//! ```
//! use zeugnis_core::handover::*;
//! use zeugnis_core::settings::{CodeChannel, LinkCheckSettings};
//!
//! let mandatory_email_only = LinkCheckSettings::new(true, [CodeChannel::Email])?;
//! // HR switched the check off, but the tenant makes it mandatory:
//! assert_eq!(code_requirement(&mandatory_email_only, LinkCheckChoice::Off, false), Ok(Some(CodeChannel::Email)));
//! // SMS is not an allowed channel:
//! assert_eq!(
//!     code_requirement(&mandatory_email_only, LinkCheckChoice::On(CodeChannel::Sms), true),
//!     Err(HandoverError::ChannelNotAllowed(CodeChannel::Sms)),
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod matrix;
pub mod otp;

use time::Duration;

use crate::id::{ReferenceId, TenantId, UserId};
use crate::matrix::PermissionMatrix;
use crate::settings::{AllowedDomains, CodeChannel, LinkCheckSettings};
use crate::token::{HandoverId, HandoverSecret, SecretToken, TokenHash};
use crate::values::{Email, Name, Phone, Timestamp};

/// The person a reference is handed to (no account needed).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Recipient {
    /// Their name.
    pub name: Name,
    /// Their e-mail address (the link goes there).
    pub email: Email,
    /// Their phone number, for SMS codes.
    pub phone: Option<Phone>,
}

/// HR's choice of the two-step check for one handover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkCheckChoice {
    /// No code (unless the tenant makes it mandatory).
    Off,
    /// A code by this channel.
    On(CodeChannel),
}

/// A handover that cannot be created or changed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandoverError {
    /// The channel is not allowed by the privacy settings.
    #[error("one-time codes by {0:?} are not allowed by the privacy settings")]
    ChannelNotAllowed(CodeChannel),
    /// SMS codes need the recipient's phone number.
    #[error("a phone number is needed to send the code by SMS")]
    PhoneRequired,
    /// The recipient's e-mail domain is not allowed.
    #[error(
        "handovers may not be sent to addresses at {domain}; the privacy settings allow only certain domains"
    )]
    DomainNotAllowed {
        /// The refused domain.
        domain: String,
    },
    /// Download is allowed but the document would show sections the recipient
    /// may not read.
    #[error("to allow the download, give read access to {}", sections.iter().map(|s| s.label_de()).collect::<Vec<_>>().join(", "))]
    DownloadNeedsRead {
        /// The document sections without read access.
        sections: Vec<crate::reference::Section>,
    },
    /// Too many codes were requested for this link.
    #[error("too many codes were requested for this link; ask HR for a new one")]
    TooManyCodes,
    /// The expiry is outside 1 to 365 days.
    #[error("a handover link must expire between 1 and 365 days from now")]
    InvalidExpiry,
    /// The handover was already revoked.
    #[error("the handover was already revoked")]
    AlreadyRevoked,
    /// The handover was already finished.
    #[error("the handover was already finished")]
    AlreadyFinished,
    /// The link expired.
    #[error("the handover link has expired")]
    Expired,
    /// The link was blocked after too many wrong codes.
    #[error("the handover link was blocked after too many wrong codes")]
    Blocked,
    /// A reminder went out less than a day ago.
    #[error("a reminder was sent less than a day ago; the next one is possible from {next}")]
    RemindedToday {
        /// When the next reminder is possible.
        next: Timestamp,
    },
}

impl crate::classify::Classify for HandoverError {
    fn classify(&self) -> crate::classify::Classified {
        use crate::classify::{Classified, ErrorKind};
        let field = match self {
            Self::DomainNotAllowed { .. } => Some("recipient_email"),
            Self::PhoneRequired => Some("recipient_phone"),
            Self::ChannelNotAllowed(_) => Some("code_channel"),
            Self::InvalidExpiry => Some("expires_in_days"),
            Self::DownloadNeedsRead { .. } => Some("download"),
            Self::TooManyCodes
            | Self::AlreadyRevoked
            | Self::AlreadyFinished
            | Self::Expired
            | Self::Blocked
            | Self::RemindedToday { .. } => None,
        };
        match field {
            Some(f) => {
                Classified::new(ErrorKind::Invalid, "handover_refused", self.to_string()).field(f)
            }
            None => Classified::new(ErrorKind::Conflict, "handover_refused", self.to_string()),
        }
    }
}

/// Whether opening a link needs a code, and by which channel.
///
/// With the check mandatory, a handover without a chosen channel gets the first
/// allowed channel that can reach the recipient (e-mail before SMS).
///
/// # Errors
/// [`HandoverError::ChannelNotAllowed`] when the chosen channel is not allowed;
/// [`HandoverError::PhoneRequired`] when SMS is chosen (or the only allowed channel
/// under a mandatory check) and the recipient has no phone number.
pub fn code_requirement(
    settings: &LinkCheckSettings,
    choice: LinkCheckChoice,
    recipient_has_phone: bool,
) -> Result<Option<CodeChannel>, HandoverError> {
    let usable = |c: CodeChannel| c == CodeChannel::Email || recipient_has_phone;
    match choice {
        LinkCheckChoice::On(channel) => {
            if !settings.allows(channel) {
                Err(HandoverError::ChannelNotAllowed(channel))
            } else if !usable(channel) {
                Err(HandoverError::PhoneRequired)
            } else {
                Ok(Some(channel))
            }
        }
        LinkCheckChoice::Off if settings.mandatory => settings
            .allowed_channels()
            .find(|c| usable(*c))
            .map(Some)
            .ok_or(HandoverError::PhoneRequired),
        LinkCheckChoice::Off => Ok(None),
    }
}

/// The state of a link at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LinkState {
    /// Usable.
    Active,
    /// HR revoked it.
    Revoked,
    /// The recipient finished.
    Finished,
    /// Past its expiry.
    Expired,
    /// Too many wrong one-time codes: the link no longer opens.
    Blocked,
}

/// What HR asks for when handing over.
#[derive(Debug, Clone)]
pub struct HandoverRequest {
    /// The reference.
    pub reference: ReferenceId,
    /// Who gets the link.
    pub recipient: Recipient,
    /// What they may read and write, and whether they may download.
    pub matrix: PermissionMatrix,
    /// Days until the link expires (1 to 365).
    pub expires_in_days: u16,
    /// The two-step check for this handover.
    pub link_check: LinkCheckChoice,
}

/// A handover.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Handover {
    /// Public half of the link.
    pub id: HandoverId,
    /// The tenant.
    pub tenant: TenantId,
    /// The reference handed over.
    pub reference: ReferenceId,
    /// The recipient.
    pub recipient: Recipient,
    /// Their permissions.
    pub matrix: PermissionMatrix,
    /// Hash of the secret half of the link.
    pub secret_hash: TokenHash,
    /// Code channel, when opening needs a one-time code.
    pub code_channel: Option<CodeChannel>,
    /// Who handed over.
    pub created_by: UserId,
    /// When.
    pub created_at: Timestamp,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// When the recipient finished.
    pub finished_at: Option<Timestamp>,
    /// One-time codes sent for this link so far.
    pub codes_sent: u16,
    /// Wrong one-time codes entered for this link so far, over all codes.
    pub failed_codes: u16,
    /// When HR last sent a reminder (with a fresh link).
    #[serde(default)]
    pub reminded_at: Option<Timestamp>,
}

/// Random input for [`Handover::issue`]: two independent 16-byte values.
#[derive(Clone)]
pub struct HandoverTokens {
    /// Bytes of the public id.
    pub id: [u8; 16],
    /// Bytes of the secret.
    pub secret: [u8; 16],
}

impl std::fmt::Debug for HandoverTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HandoverTokens(redacted)")
    }
}

impl Handover {
    /// Codes that may be sent for one link. With [`CodePolicy`](crate::otp::CodePolicy)'s
    /// tries per code this bounds the guesses an attacker holding a forwarded
    /// link gets, and the messages the recipient can be flooded with.
    pub const MAX_CODES_SENT: u16 = 10;

    /// Wrong codes after which the link is blocked for good.
    pub const MAX_FAILED_CODES: u16 = 15;

    /// Creates a handover, checking the recipient's domain and the code choice.
    /// Returns the handover (holding only the secret's hash) and the secret for the
    /// link — the only time it exists in plain form.
    ///
    /// # Errors
    /// [`HandoverError::DomainNotAllowed`], [`HandoverError::InvalidExpiry`], or an
    /// error of [`code_requirement`].
    pub fn issue(
        tenant: TenantId,
        request: HandoverRequest,
        link_check: &LinkCheckSettings,
        domains: &AllowedDomains,
        created_by: UserId,
        now: Timestamp,
        tokens: HandoverTokens,
    ) -> Result<(Self, HandoverSecret), HandoverError> {
        let domain = request.recipient.email.domain();
        if !domains.permits(domain) {
            return Err(HandoverError::DomainNotAllowed {
                domain: domain.to_owned(),
            });
        }
        if !(1..=365).contains(&request.expires_in_days) {
            return Err(HandoverError::InvalidExpiry);
        }
        if request.matrix.may_download() {
            let sections = request.matrix.unreadable_document_sections();
            if !sections.is_empty() {
                return Err(HandoverError::DownloadNeedsRead { sections });
            }
        }
        let code_channel = code_requirement(
            link_check,
            request.link_check,
            request.recipient.phone.is_some(),
        )?;
        let secret = HandoverSecret::from_bytes(tokens.secret);
        let handover = Self {
            id: HandoverId::from_bytes(tokens.id),
            tenant,
            reference: request.reference,
            recipient: request.recipient,
            matrix: request.matrix,
            secret_hash: secret.hash(),
            code_channel,
            created_by,
            created_at: now,
            expires_at: now.saturating_add(Duration::days(i64::from(request.expires_in_days))),
            revoked_at: None,
            finished_at: None,
            codes_sent: 0,
            failed_codes: 0,
            reminded_at: None,
        };
        Ok((handover, secret))
    }

    /// How often HR may remind the recipient of one handover.
    pub const REMINDER_INTERVAL: Duration = Duration::days(1);

    /// Prepares a reminder: the link gets a new secret (the old link stops
    /// working; the secret exists in plain form only now, for the mail — it is
    /// stored as a hash like the first), at most once per
    /// [`REMINDER_INTERVAL`](Self::REMINDER_INTERVAL). Sessions already opened
    /// with the old link go on.
    ///
    /// # Errors
    /// [`HandoverError::RemindedToday`]; the link's state when it is not
    /// active ([`HandoverError::AlreadyRevoked`], …).
    pub fn remind(
        &mut self,
        now: Timestamp,
        secret: [u8; 16],
    ) -> Result<HandoverSecret, HandoverError> {
        match self.state(now) {
            LinkState::Active => {}
            LinkState::Revoked => return Err(HandoverError::AlreadyRevoked),
            LinkState::Finished => return Err(HandoverError::AlreadyFinished),
            LinkState::Blocked => return Err(HandoverError::Blocked),
            _ => return Err(HandoverError::Expired),
        }
        if let Some(last) = self.reminded_at {
            let next = last.saturating_add(Self::REMINDER_INTERVAL);
            if now < next {
                return Err(HandoverError::RemindedToday { next });
            }
        }
        let secret = HandoverSecret::from_bytes(secret);
        self.secret_hash = secret.hash();
        self.reminded_at = Some(now);
        Ok(secret)
    }

    /// Whether `secret` is this link's secret (constant-time comparison).
    #[must_use]
    pub fn secret_matches(&self, secret: &HandoverSecret) -> bool {
        self.secret_hash.matches(secret)
    }

    /// The link's state at `now`. Revoked wins over finished, finished over
    /// blocked, blocked over expired.
    #[must_use]
    pub fn state(&self, now: Timestamp) -> LinkState {
        if self.revoked_at.is_some() {
            LinkState::Revoked
        } else if self.finished_at.is_some() {
            LinkState::Finished
        } else if self.failed_codes >= Self::MAX_FAILED_CODES {
            LinkState::Blocked
        } else if now >= self.expires_at {
            LinkState::Expired
        } else {
            LinkState::Active
        }
    }

    fn ensure_active(&self, now: Timestamp) -> Result<(), HandoverError> {
        match self.state(now) {
            LinkState::Active => Ok(()),
            LinkState::Revoked => Err(HandoverError::AlreadyRevoked),
            LinkState::Finished => Err(HandoverError::AlreadyFinished),
            LinkState::Expired => Err(HandoverError::Expired),
            LinkState::Blocked => Err(HandoverError::Blocked),
        }
    }

    /// Counts a code about to be sent.
    ///
    /// # Errors
    /// [`HandoverError::TooManyCodes`] once [`Handover::MAX_CODES_SENT`] were sent.
    pub fn record_code_sent(&mut self) -> Result<(), HandoverError> {
        if self.codes_sent >= Self::MAX_CODES_SENT {
            return Err(HandoverError::TooManyCodes);
        }
        self.codes_sent = self.codes_sent.saturating_add(1);
        Ok(())
    }

    /// Counts a wrong code; at [`Handover::MAX_FAILED_CODES`] the link is blocked.
    pub fn record_code_failure(&mut self) {
        self.failed_codes = self.failed_codes.saturating_add(1);
    }

    /// HR revokes the link.
    ///
    /// # Errors
    /// [`HandoverError::AlreadyRevoked`] or [`HandoverError::AlreadyFinished`].
    /// Revoking an expired link is allowed (it makes the end explicit).
    pub fn revoke(&mut self, now: Timestamp) -> Result<(), HandoverError> {
        match self.ensure_active(now) {
            Ok(()) | Err(HandoverError::Expired) => {
                self.revoked_at = Some(now);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// The recipient marks the work as finished.
    ///
    /// # Errors
    /// Any state other than active.
    pub fn finish(&mut self, now: Timestamp) -> Result<(), HandoverError> {
        self.ensure_active(now)?;
        self.finished_at = Some(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::CodeChannel::{Email as ByEmail, Sms};

    fn now() -> Timestamp {
        Timestamp::from_unix_timestamp(1_700_000_000).unwrap()
    }

    fn request(email: &str, phone: bool, choice: LinkCheckChoice) -> HandoverRequest {
        HandoverRequest {
            reference: ReferenceId::from_bytes([1; 16]),
            recipient: Recipient {
                name: Name::new("Petra Vorgesetzte").unwrap(),
                email: Email::parse(email).unwrap(),
                phone: phone.then(|| Phone::parse("+491701234567").unwrap()),
            },
            matrix: PermissionMatrix::none(),
            expires_in_days: 30,
            link_check: choice,
        }
    }

    fn issue(
        req: HandoverRequest,
        settings: &LinkCheckSettings,
        domains: &AllowedDomains,
    ) -> Result<(Handover, HandoverSecret), HandoverError> {
        Handover::issue(
            TenantId::from_bytes([2; 16]),
            req,
            settings,
            domains,
            UserId::from_bytes([3; 16]),
            now(),
            HandoverTokens {
                id: [4; 16],
                secret: [5; 16],
            },
        )
    }

    #[test]
    fn the_handover_keeps_only_the_hash_of_its_secret() {
        let (h, secret) = issue(
            request("chef@firma.de", false, LinkCheckChoice::Off),
            &LinkCheckSettings::default(),
            &AllowedDomains::any(),
        )
        .unwrap();
        assert!(h.secret_matches(&secret));
        assert!(!h.secret_matches(&HandoverSecret::from_bytes([6; 16])));
        assert_ne!(h.id.as_bytes(), &[5; 16]);
        assert_eq!(h.expires_at, now() + Duration::days(30));
    }

    #[test]
    fn a_recipient_outside_the_allowed_domains_is_refused() {
        let domains = AllowedDomains::only(["firma.de"]).unwrap();
        let err = issue(
            request("chef@gmail.com", false, LinkCheckChoice::Off),
            &LinkCheckSettings::default(),
            &domains,
        )
        .unwrap_err();
        assert_eq!(
            err,
            HandoverError::DomainNotAllowed {
                domain: "gmail.com".into()
            }
        );
    }

    #[test]
    fn download_needs_read_access_to_what_the_document_prints() {
        let mut req = request("chef@firma.de", false, LinkCheckChoice::Off);
        req.matrix = PermissionMatrix::none()
            .with(
                crate::reference::Section::Result,
                crate::matrix::SectionAccess::Read,
            )
            .with_download(true);
        let err = issue(req, &LinkCheckSettings::default(), &AllowedDomains::any()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "to allow the download, give read access to Persönliche Daten, Zeugnisdaten, Unterschriften"
        );
    }

    #[test]
    fn sends_are_limited_and_wrong_codes_block_the_link() {
        let (mut h, _) = issue(
            request("chef@firma.de", false, LinkCheckChoice::On(ByEmail)),
            &LinkCheckSettings::default(),
            &AllowedDomains::any(),
        )
        .unwrap();
        for _ in 0..Handover::MAX_CODES_SENT {
            h.record_code_sent().unwrap();
        }
        assert_eq!(h.record_code_sent(), Err(HandoverError::TooManyCodes));
        for _ in 0..Handover::MAX_FAILED_CODES - 1 {
            h.record_code_failure();
        }
        assert_eq!(h.state(now()), LinkState::Active);
        h.record_code_failure();
        assert_eq!(h.state(now()), LinkState::Blocked);
        assert_eq!(h.finish(now()), Err(HandoverError::Blocked));
    }

    #[test]
    fn sms_needs_a_phone_number() {
        let s = LinkCheckSettings::default();
        assert_eq!(
            code_requirement(&s, LinkCheckChoice::On(Sms), false),
            Err(HandoverError::PhoneRequired)
        );
        assert_eq!(
            code_requirement(&s, LinkCheckChoice::On(Sms), true),
            Ok(Some(Sms))
        );
    }

    #[test]
    fn a_mandatory_sms_only_check_without_phone_is_refused() {
        let s = LinkCheckSettings::new(true, [Sms]).unwrap();
        assert_eq!(
            code_requirement(&s, LinkCheckChoice::Off, false),
            Err(HandoverError::PhoneRequired)
        );
        assert_eq!(
            code_requirement(&s, LinkCheckChoice::Off, true),
            Ok(Some(Sms))
        );
    }

    #[test]
    fn without_a_mandatory_check_hr_decides() {
        let s = LinkCheckSettings::default();
        assert_eq!(code_requirement(&s, LinkCheckChoice::Off, true), Ok(None));
        assert_eq!(
            code_requirement(&s, LinkCheckChoice::On(ByEmail), false),
            Ok(Some(ByEmail))
        );
    }

    #[test]
    fn link_states_and_their_order() {
        let (mut h, _) = issue(
            request("chef@firma.de", false, LinkCheckChoice::Off),
            &LinkCheckSettings::default(),
            &AllowedDomains::any(),
        )
        .unwrap();
        assert_eq!(h.state(now()), LinkState::Active);
        assert_eq!(h.state(h.expires_at), LinkState::Expired);
        h.finish(now()).unwrap();
        assert_eq!(h.state(now()), LinkState::Finished);
        assert_eq!(h.finish(now()), Err(HandoverError::AlreadyFinished));
        assert_eq!(h.revoke(now()), Err(HandoverError::AlreadyFinished));
    }

    #[test]
    fn an_expired_link_can_still_be_revoked_but_not_finished() {
        let (mut h, _) = issue(
            request("chef@firma.de", false, LinkCheckChoice::Off),
            &LinkCheckSettings::default(),
            &AllowedDomains::any(),
        )
        .unwrap();
        let later = h.expires_at + Duration::days(1);
        assert_eq!(h.finish(later), Err(HandoverError::Expired));
        assert_eq!(h.revoke(later), Ok(()));
        assert_eq!(h.state(later), LinkState::Revoked);
    }
}
