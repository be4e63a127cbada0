//! Messages: the tenant's mail settings ("E-Mail-Vorlagen", "Absendername"),
//! the placeholders each kind of message offers its templates, and the retry
//! policy of delivery.
//!
//! Rendering itself happens in an adapter behind [`MessageRenderer`]
//! (a real template engine with auto-escaping); the core decides which
//! placeholders exist, how long an override may be and when to give up.
//!
//! ```
//! use zeugnis_core::mail::*;
//! use zeugnis_core::ports::MessageKind;
//! use time::Duration;
//!
//! assert!(placeholders(MessageKind::OneTimeCode).contains(&"code"));
//! let retry = RetryPolicy::default();
//! assert_eq!(retry.after_failure(1), RetryDecision::RetryIn(Duration::seconds(30)));
//! assert_eq!(retry.after_failure(2), RetryDecision::RetryIn(Duration::minutes(1)));
//! assert_eq!(retry.after_failure(retry.max_attempts()), RetryDecision::GiveUp);
//! ```
//!
//! [`MessageRenderer`]: crate::ports::MessageRenderer

use std::collections::BTreeMap;

use time::Duration;

use crate::ports::MessageKind;
use crate::values::Name;

/// Placeholders every template may use, whatever its kind.
pub const COMMON_PLACEHOLDERS: &[&str] = &["organisation", "sender"];

/// The placeholders a kind of message offers besides [`COMMON_PLACEHOLDERS`].
/// Whoever queues a message of this kind supplies every one of them.
#[must_use]
pub const fn placeholders(kind: MessageKind) -> &'static [&'static str] {
    match kind {
        MessageKind::Invitation => &["name", "link", "valid_until"],
        MessageKind::PasswordReset => &["name", "link", "valid_minutes"],
        MessageKind::HandoverLink | MessageKind::HandoverReminder => {
            &["recipient_name", "requested_by", "link", "valid_until"]
        }
        MessageKind::OneTimeCode => &["code", "valid_minutes"],
        MessageKind::LockoutNotice => &[],
        MessageKind::SecurityAlert => &["event", "time"],
    }
}

/// Every kind of message, in a stable order.
pub const MESSAGE_KINDS: &[MessageKind] = &[
    MessageKind::Invitation,
    MessageKind::PasswordReset,
    MessageKind::HandoverLink,
    MessageKind::HandoverReminder,
    MessageKind::OneTimeCode,
    MessageKind::LockoutNotice,
    MessageKind::SecurityAlert,
];

/// A part of a message template.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TemplatePart {
    /// The e-mail's subject line.
    Subject,
    /// The e-mail's plain-text body.
    Text,
    /// The e-mail's HTML body (the part inside `<body>`; placeholders are
    /// HTML-escaped).
    Html,
    /// The text of an SMS.
    Sms,
}

impl TemplatePart {
    /// Every part.
    pub const ALL: &'static [TemplatePart] = &[Self::Subject, Self::Text, Self::Html, Self::Sms];

    /// Stable key, e.g. `subject`.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            Self::Subject => "subject",
            Self::Text => "text",
            Self::Html => "html",
            Self::Sms => "sms",
        }
    }
}

/// A tenant's own wording for one kind of message; a part left `None` uses the
/// default.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TemplateOverride {
    /// Subject line.
    pub subject: Option<String>,
    /// Plain-text body.
    pub text: Option<String>,
    /// HTML body.
    pub html: Option<String>,
    /// SMS text.
    pub sms: Option<String>,
}

impl TemplateOverride {
    /// Longest template source accepted per part, in characters.
    pub const MAX_LEN: usize = 20_000;

    /// The source of a part, if overridden.
    #[must_use]
    pub fn part(&self, part: TemplatePart) -> Option<&str> {
        match part {
            TemplatePart::Subject => self.subject.as_deref(),
            TemplatePart::Text => self.text.as_deref(),
            TemplatePart::Html => self.html.as_deref(),
            TemplatePart::Sms => self.sms.as_deref(),
        }
    }

    /// Checks the sizes of the overridden parts (the adapter checks syntax and
    /// placeholders by rendering).
    ///
    /// # Errors
    /// [`MailSettingsError::TemplateTooLong`] or
    /// [`MailSettingsError::EmptyTemplate`] naming the part.
    pub fn check_sizes(&self, kind: MessageKind) -> Result<(), MailSettingsError> {
        for &part in TemplatePart::ALL {
            if let Some(source) = self.part(part) {
                if source.trim().is_empty() {
                    return Err(MailSettingsError::EmptyTemplate { kind, part });
                }
                if source.chars().count() > Self::MAX_LEN {
                    return Err(MailSettingsError::TemplateTooLong {
                        kind,
                        part,
                        max: Self::MAX_LEN,
                    });
                }
            }
        }
        Ok(())
    }
}

/// A tenant's mail settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct MailSettings {
    /// The sender's display name ("Absendername"); the tenant's name when unset.
    /// The sender address itself is the installation's.
    pub sender_name: Option<Name>,
    /// The tenant's own templates by kind of message.
    pub templates: BTreeMap<MessageKind, TemplateOverride>,
}

impl MailSettings {
    /// The display name mails go out under.
    #[must_use]
    pub fn sender_display_name<'a>(&'a self, tenant_name: &'a Name) -> &'a str {
        self.sender_name.as_ref().unwrap_or(tenant_name).as_str()
    }

    /// Checks every override's sizes.
    ///
    /// # Errors
    /// As [`TemplateOverride::check_sizes`].
    pub fn check_sizes(&self) -> Result<(), MailSettingsError> {
        self.templates
            .iter()
            .try_for_each(|(kind, t)| t.check_sizes(*kind))
    }
}

/// Refused mail settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MailSettingsError {
    /// A template part is longer than allowed.
    #[error("the {} template of {kind:?} is longer than {max} characters", part.key())]
    TemplateTooLong {
        /// Kind of message.
        kind: MessageKind,
        /// Part.
        part: TemplatePart,
        /// The limit.
        max: usize,
    },
    /// A template part is empty (remove the override to use the default).
    #[error("the {} template of {kind:?} is empty; remove it to use the default", part.key())]
    EmptyTemplate {
        /// Kind of message.
        kind: MessageKind,
        /// Part.
        part: TemplatePart,
    },
    /// A template does not render.
    #[error("the {} template of {kind:?} does not render: {reason}", part.key())]
    InvalidTemplate {
        /// Kind of message.
        kind: MessageKind,
        /// Part.
        part: TemplatePart,
        /// What is wrong (line and cause, never parameter values).
        reason: String,
    },
}

/// When a failed delivery is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RetryPolicy {
    max_attempts: u32,
    first_delay: Duration,
    max_delay: Duration,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetryDecision {
    /// Try again after this long.
    RetryIn(Duration),
    /// Stop: the message failed.
    GiveUp,
}

/// A refused retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RetryPolicyError {
    /// No attempt at all.
    #[error("allow at least one delivery attempt")]
    NoAttempt,
    /// The first delay is zero or negative, or longer than the maximum.
    #[error("the first retry delay must be positive and not longer than the longest delay")]
    BadDelays,
}

impl RetryPolicy {
    /// Attempts in all (the first one included); `first_delay` after the first
    /// failure, doubling after each further one, never more than `max_delay`.
    ///
    /// # Errors
    /// [`RetryPolicyError`] for no attempts or delays out of order.
    pub fn new(
        max_attempts: u32,
        first_delay: Duration,
        max_delay: Duration,
    ) -> Result<Self, RetryPolicyError> {
        if max_attempts == 0 {
            return Err(RetryPolicyError::NoAttempt);
        }
        if !first_delay.is_positive() || first_delay > max_delay {
            return Err(RetryPolicyError::BadDelays);
        }
        Ok(Self {
            max_attempts,
            first_delay,
            max_delay,
        })
    }

    /// Attempts in all.
    #[must_use]
    pub const fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The decision after attempt number `attempt` (1 = the first) failed.
    #[must_use]
    pub fn after_failure(&self, attempt: u32) -> RetryDecision {
        if attempt >= self.max_attempts {
            return RetryDecision::GiveUp;
        }
        let doublings = attempt.saturating_sub(1).min(30);
        let factor = 1_i32 << doublings;
        let delay = self
            .first_delay
            .checked_mul(factor)
            .map_or(self.max_delay, |d| d.min(self.max_delay));
        RetryDecision::RetryIn(delay)
    }
}

impl Default for RetryPolicy {
    /// 10 attempts over about three hours: 30 s, 1, 2, 4, 8, 16, 32 minutes, then
    /// hourly.
    fn default() -> Self {
        Self {
            max_attempts: 10,
            first_delay: Duration::seconds(30),
            max_delay: Duration::hours(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_then_gives_up() {
        let p = RetryPolicy::new(6, Duration::seconds(10), Duration::seconds(45)).unwrap();
        let delays: Vec<_> = (1..=6).map(|a| p.after_failure(a)).collect();
        assert_eq!(
            delays,
            [
                RetryDecision::RetryIn(Duration::seconds(10)),
                RetryDecision::RetryIn(Duration::seconds(20)),
                RetryDecision::RetryIn(Duration::seconds(40)),
                RetryDecision::RetryIn(Duration::seconds(45)),
                RetryDecision::RetryIn(Duration::seconds(45)),
                RetryDecision::GiveUp,
            ]
        );
    }

    #[test]
    fn a_single_attempt_gives_up_at_once() {
        let p = RetryPolicy::new(1, Duration::seconds(1), Duration::seconds(1)).unwrap();
        assert_eq!(p.after_failure(1), RetryDecision::GiveUp);
    }

    #[test]
    fn bad_policies_are_refused() {
        assert_eq!(
            RetryPolicy::new(0, Duration::seconds(1), Duration::seconds(1)),
            Err(RetryPolicyError::NoAttempt)
        );
        assert_eq!(
            RetryPolicy::new(3, Duration::ZERO, Duration::seconds(1)),
            Err(RetryPolicyError::BadDelays)
        );
        assert_eq!(
            RetryPolicy::new(3, Duration::seconds(2), Duration::seconds(1)),
            Err(RetryPolicyError::BadDelays)
        );
    }

    proptest! {
        #[test]
        fn delays_never_shrink_and_stay_within_bounds(
            max in 1u32..200, first in 1i64..10_000, extra in 0i64..1_000_000, attempt in 1u32..400,
        ) {
            let p = RetryPolicy::new(max, Duration::seconds(first), Duration::seconds(first + extra)).unwrap();
            match (p.after_failure(attempt), p.after_failure(attempt + 1)) {
                (RetryDecision::RetryIn(a), RetryDecision::RetryIn(b)) => {
                    prop_assert!(a <= b);
                    prop_assert!(a >= Duration::seconds(first) && b <= Duration::seconds(first + extra));
                }
                (RetryDecision::GiveUp, next) => {
                    prop_assert!(attempt >= max);
                    prop_assert_eq!(next, RetryDecision::GiveUp);
                }
                (RetryDecision::RetryIn(_), RetryDecision::GiveUp) => prop_assert_eq!(attempt + 1, max),
            }
        }
    }

    #[test]
    fn overrides_are_size_checked_per_part() {
        let long = TemplateOverride {
            html: Some("x".repeat(TemplateOverride::MAX_LEN + 1)),
            ..TemplateOverride::default()
        };
        assert_eq!(
            long.check_sizes(MessageKind::Invitation),
            Err(MailSettingsError::TemplateTooLong {
                kind: MessageKind::Invitation,
                part: TemplatePart::Html,
                max: TemplateOverride::MAX_LEN
            })
        );
        let empty = TemplateOverride {
            subject: Some("  ".into()),
            ..TemplateOverride::default()
        };
        assert!(matches!(
            empty.check_sizes(MessageKind::PasswordReset),
            Err(MailSettingsError::EmptyTemplate {
                part: TemplatePart::Subject,
                ..
            })
        ));
    }

    #[test]
    fn sender_name_falls_back_to_the_tenant_name() {
        let tenant = Name::new("Firma GmbH").unwrap();
        let mut s = MailSettings::default();
        assert_eq!(s.sender_display_name(&tenant), "Firma GmbH");
        s.sender_name = Some(Name::new("Personalabteilung").unwrap());
        assert_eq!(s.sender_display_name(&tenant), "Personalabteilung");
    }

    #[test]
    fn every_kind_is_listed_once() {
        let mut kinds = MESSAGE_KINDS.to_vec();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), MESSAGE_KINDS.len());
        for &kind in MESSAGE_KINDS {
            for p in placeholders(kind) {
                assert!(
                    !COMMON_PLACEHOLDERS.contains(p),
                    "{p} shadows a common placeholder"
                );
            }
        }
    }
}
