//! A tenant's privacy and security settings, with the defaults a data-protection
//! officer expects.
//!
//! ```
//! use zeugnis_core::settings::*;
//! let s = TenantSettings::default();
//! assert_eq!(s.privacy.audit_retention.days(), 60);
//! assert!(!s.privacy.change_tracking);
//! assert_eq!(s.security.second_factor, SecondFactorRequirement::Optional);
//! assert_eq!(s.privacy.handover_expiry.days(), 30);
//! ```

use std::collections::BTreeSet;

use time::Duration;

use crate::password::PasswordPolicy;
use crate::retention::RetentionPeriod;
use crate::values::ValueError;

/// A channel that delivers one-time codes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CodeChannel {
    /// E-mail.
    Email,
    /// SMS to the stored phone number.
    Sms,
}

/// The two-step check on handover links.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "LinkCheckRepr")]
pub struct LinkCheckSettings {
    /// The check is mandatory for every handover.
    pub mandatory: bool,
    /// Channels that may deliver the code (at least one).
    allowed_channels: BTreeSet<CodeChannel>,
}

/// A settings value that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// No channel allowed for link codes.
    #[error("allow at least one channel (e-mail or SMS) for link codes")]
    NoChannel,
    /// A domain restriction without any domain.
    #[error("name at least one allowed e-mail domain, or allow any domain")]
    NoDomain,
    /// An allowed handover domain is not a domain.
    #[error("\"{0}\" is not an e-mail domain (expected e.g. example.com)")]
    InvalidDomain(String),
    /// A period outside its bounds.
    #[error("{what} must be between {bounds}")]
    PeriodOutOfRange {
        /// Which setting.
        what: &'static str,
        /// The allowed range in words, e.g. "1 and 365 days".
        bounds: &'static str,
    },
    /// The idle timeout is longer than the absolute timeout.
    #[error("the idle timeout must not be longer than the absolute session timeout")]
    IdleLongerThanAbsolute,
    /// A time zone the time zone database does not know.
    #[error("\"{0}\" is not a time zone (expected a name such as Europe/Berlin)")]
    UnknownTimeZone(String),
    /// A value was refused.
    #[error(transparent)]
    Value(#[from] ValueError),
}

#[derive(serde::Deserialize)]
struct LinkCheckRepr {
    mandatory: bool,
    allowed_channels: BTreeSet<CodeChannel>,
}

impl TryFrom<LinkCheckRepr> for LinkCheckSettings {
    type Error = SettingsError;
    fn try_from(r: LinkCheckRepr) -> Result<Self, Self::Error> {
        Self::new(r.mandatory, r.allowed_channels)
    }
}

impl LinkCheckSettings {
    /// Builds the link check settings.
    ///
    /// # Errors
    /// [`SettingsError::NoChannel`] when no channel is allowed.
    pub fn new(
        mandatory: bool,
        allowed_channels: impl IntoIterator<Item = CodeChannel>,
    ) -> Result<Self, SettingsError> {
        let allowed_channels: BTreeSet<_> = allowed_channels.into_iter().collect();
        if allowed_channels.is_empty() {
            return Err(SettingsError::NoChannel);
        }
        Ok(Self {
            mandatory,
            allowed_channels,
        })
    }

    /// Whether `channel` may deliver link codes.
    #[must_use]
    pub fn allows(&self, channel: CodeChannel) -> bool {
        self.allowed_channels.contains(&channel)
    }

    /// The allowed channels, e-mail first.
    pub fn allowed_channels(&self) -> impl Iterator<Item = CodeChannel> + '_ {
        self.allowed_channels.iter().copied()
    }
}

impl Default for LinkCheckSettings {
    /// Optional, both channels allowed.
    fn default() -> Self {
        Self {
            mandatory: false,
            allowed_channels: [CodeChannel::Email, CodeChannel::Sms].into_iter().collect(),
        }
    }
}

/// The e-mail domains handovers may be sent to: any, or only a non-empty list
/// (an empty list is refused rather than read as "any").
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "Option<Vec<String>>", into = "Option<Vec<String>>")]
pub enum AllowedDomains {
    /// Any domain.
    #[default]
    Any,
    /// Only these domains and their subdomains (never empty).
    Only(BTreeSet<String>),
}

impl AllowedDomains {
    /// Any domain.
    #[must_use]
    pub fn any() -> Self {
        Self::Any
    }

    /// Only these domains (and their subdomains).
    ///
    /// # Errors
    /// [`SettingsError::InvalidDomain`] for an entry that is not a domain;
    /// [`SettingsError::NoDomain`] for an empty list.
    pub fn only<I, S>(domains: I) -> Result<Self, SettingsError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set = BTreeSet::new();
        for d in domains {
            let raw = d.as_ref().trim().trim_start_matches('@').to_lowercase();
            let ok = raw.contains('.')
                && raw.split('.').all(|l| {
                    !l.is_empty()
                        && !l.starts_with('-')
                        && !l.ends_with('-')
                        && l.chars().all(|c| c.is_alphanumeric() || c == '-')
                });
            if !ok {
                return Err(SettingsError::InvalidDomain(d.as_ref().to_owned()));
            }
            set.insert(raw);
        }
        if set.is_empty() {
            return Err(SettingsError::NoDomain);
        }
        Ok(Self::Only(set))
    }

    /// Whether an address with this (lower-case) domain may receive handovers:
    /// always under [`AllowedDomains::Any`]; otherwise when it equals an allowed
    /// domain or is a subdomain of one.
    #[must_use]
    pub fn permits(&self, domain: &str) -> bool {
        match self {
            AllowedDomains::Any => true,
            AllowedDomains::Only(set) => set.iter().any(|allowed| {
                domain == allowed
                    || domain
                        .strip_suffix(allowed.as_str())
                        .is_some_and(|p| p.ends_with('.'))
            }),
        }
    }
}

impl TryFrom<Option<Vec<String>>> for AllowedDomains {
    type Error = SettingsError;
    fn try_from(value: Option<Vec<String>>) -> Result<Self, Self::Error> {
        value.map_or(Ok(Self::Any), Self::only)
    }
}

impl From<AllowedDomains> for Option<Vec<String>> {
    fn from(value: AllowedDomains) -> Self {
        match value {
            AllowedDomains::Any => None,
            AllowedDomains::Only(set) => Some(set.into_iter().collect()),
        }
    }
}

/// A number of days within bounds (link expiry: 1 to 365; audit retention: 1 to
/// 3650). Deserialising checks the wider bound; the settings check the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Days(u16);

impl TryFrom<u16> for Days {
    type Error = SettingsError;
    fn try_from(days: u16) -> Result<Self, Self::Error> {
        Self::audit_retention(days)
    }
}

impl From<Days> for u16 {
    fn from(d: Days) -> Self {
        d.0
    }
}

impl Days {
    fn bounded(
        what: &'static str,
        days: u16,
        (min, max, bounds): (u16, u16, &'static str),
    ) -> Result<Self, SettingsError> {
        if (min..=max).contains(&days) {
            Ok(Self(days))
        } else {
            Err(SettingsError::PeriodOutOfRange { what, bounds })
        }
    }

    /// Link expiry: 1 to 365 days.
    ///
    /// # Errors
    /// [`SettingsError::PeriodOutOfRange`].
    pub fn handover_expiry(days: u16) -> Result<Self, SettingsError> {
        Self::bounded("the handover link expiry", days, (1, 365, "1 and 365 days"))
    }

    /// Audit retention: 1 to 3650 days.
    ///
    /// # Errors
    /// [`SettingsError::PeriodOutOfRange`].
    pub fn audit_retention(days: u16) -> Result<Self, SettingsError> {
        Self::bounded(
            "the audit log retention",
            days,
            (1, 3650, "1 and 3650 days"),
        )
    }

    /// The number of days.
    #[must_use]
    pub const fn days(self) -> u16 {
        self.0
    }

    /// As a duration.
    #[must_use]
    pub fn duration(self) -> Duration {
        Duration::days(i64::from(self.0))
    }
}

/// Privacy settings (area Privacy / Datenschutz).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PrivacySettings {
    /// Log every change to a reference with before/after values.
    pub change_tracking: bool,
    /// The two-step check on handover links.
    pub link_check: LinkCheckSettings,
    /// Domains handovers may be sent to.
    pub allowed_handover_domains: AllowedDomains,
    /// Default expiry of handover links (30 days).
    pub handover_expiry: Days,
    /// Automatic deletion of interim references (none when unset).
    pub interim_reference_retention: Option<RetentionPeriod>,
    /// Automatic deletion of final references (none when unset).
    pub final_reference_retention: Option<RetentionPeriod>,
    /// Automatic deletion of employee records, in months after exit (none when unset).
    pub employee_retention_months: Option<u16>,
    /// How long audit log entries are kept (60 days).
    pub audit_retention: Days,
}

impl PrivacySettings {
    /// Checks the rules that span fields or that deserialising cannot see.
    ///
    /// # Errors
    /// [`SettingsError::PeriodOutOfRange`] for a link expiry above 365 days.
    pub fn validate(&self) -> Result<(), SettingsError> {
        Days::handover_expiry(self.handover_expiry.days()).map(|_| ())
    }
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self {
            change_tracking: false,
            link_check: LinkCheckSettings::default(),
            allowed_handover_domains: AllowedDomains::any(),
            handover_expiry: Days(30),
            interim_reference_retention: None,
            final_reference_retention: None,
            employee_retention_months: None,
            audit_retention: Days(60),
        }
    }
}

/// Whether users need a second factor.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorRequirement {
    /// Users may enrol one.
    #[default]
    Optional,
    /// Every user must; enrolment is forced at the next login.
    Required,
}

/// Single sign-on mode.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SsoMode {
    /// Passwords only.
    #[default]
    Off,
    /// SSO beside passwords.
    Additional,
    /// SSO only: password logins are refused.
    Only,
}

/// Session timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "TimeoutsRepr")]
pub struct SessionTimeouts {
    idle: Duration,
    absolute: Duration,
}

#[derive(serde::Deserialize)]
struct TimeoutsRepr {
    idle: Duration,
    absolute: Duration,
}

impl TryFrom<TimeoutsRepr> for SessionTimeouts {
    type Error = SettingsError;
    fn try_from(r: TimeoutsRepr) -> Result<Self, Self::Error> {
        Self::new(r.idle, r.absolute)
    }
}

impl SessionTimeouts {
    /// The longest idle timeout a tenant may set: a session unused for this
    /// long is over under any settings.
    pub const MAX_IDLE: Duration = Duration::hours(24);

    /// Builds the timeouts.
    ///
    /// # Errors
    /// [`SettingsError::PeriodOutOfRange`] unless idle is 5 minutes to 24 hours and
    /// absolute 15 minutes to 7 days; [`SettingsError::IdleLongerThanAbsolute`].
    pub fn new(idle: Duration, absolute: Duration) -> Result<Self, SettingsError> {
        if idle < Duration::minutes(5) || idle > Self::MAX_IDLE {
            return Err(SettingsError::PeriodOutOfRange {
                what: "the idle timeout",
                bounds: "5 minutes and 24 hours",
            });
        }
        if absolute < Duration::minutes(15) || absolute > Duration::days(7) {
            return Err(SettingsError::PeriodOutOfRange {
                what: "the absolute session timeout",
                bounds: "15 minutes and 7 days",
            });
        }
        if idle > absolute {
            return Err(SettingsError::IdleLongerThanAbsolute);
        }
        Ok(Self { idle, absolute })
    }

    /// Idle timeout.
    #[must_use]
    pub const fn idle(&self) -> Duration {
        self.idle
    }

    /// Absolute timeout.
    #[must_use]
    pub const fn absolute(&self) -> Duration {
        self.absolute
    }
}

impl Default for SessionTimeouts {
    /// 30 minutes idle, 12 hours absolute.
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// Security settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SecuritySettings {
    /// Second factor optional or required.
    pub second_factor: SecondFactorRequirement,
    /// SSO mode.
    pub sso: SsoMode,
    /// Password policy.
    pub password_policy: PasswordPolicy,
    /// Session timeouts.
    pub sessions: SessionTimeouts,
}

/// A time zone by its IANA name (`Europe/Berlin`), checked against the time
/// zone database compiled into the crate (no file is read).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName {
    name: String,
    zone: jiff::tz::TimeZone,
}

impl TimeZoneName {
    /// The time zone of German organisations.
    pub const BERLIN: &'static str = "Europe/Berlin";

    /// The zone named `name`.
    ///
    /// # Errors
    /// [`SettingsError::UnknownTimeZone`].
    pub fn new(name: &str) -> Result<Self, SettingsError> {
        let name = name.trim();
        jiff::tz::TimeZone::get(name)
            .map(|zone| Self {
                name: name.to_owned(),
                zone,
            })
            .map_err(|_| SettingsError::UnknownTimeZone(name.to_owned()))
    }

    /// The name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The wall-clock date and time of `at` in this zone.
    #[must_use]
    pub fn local(&self, at: crate::values::Timestamp) -> time::PrimitiveDateTime {
        let civil = jiff::Timestamp::from_second(at.unix_timestamp())
            .map(|t| self.zone.to_datetime(t))
            .ok();
        let converted = civil.and_then(|c| {
            let month = time::Month::try_from(u8::try_from(c.month()).ok()?).ok()?;
            let day = u8::try_from(c.day()).ok()?;
            let date = time::Date::from_calendar_date(i32::from(c.year()), month, day).ok()?;
            let clock = time::Time::from_hms(
                u8::try_from(c.hour()).ok()?,
                u8::try_from(c.minute()).ok()?,
                u8::try_from(c.second()).ok()?,
            )
            .ok()?;
            Some(time::PrimitiveDateTime::new(date, clock))
        });
        // Every timestamp the store holds is within jiff's range; outside
        // it, the UTC time is the honest answer.
        converted.unwrap_or_else(|| time::PrimitiveDateTime::new(at.date(), at.time()))
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        Self {
            name: Self::BERLIN.to_owned(),
            zone: jiff::tz::TimeZone::get(Self::BERLIN).unwrap_or(jiff::tz::TimeZone::UTC),
        }
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = SettingsError;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::new(&name)
    }
}

impl From<TimeZoneName> for String {
    fn from(z: TimeZoneName) -> Self {
        z.name
    }
}

/// How the organisation works day to day: the time zone its pages and mails
/// show times in, and when a reference waiting on someone counts as overdue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct WorkingSettings {
    /// The time zone (default `Europe/Berlin`).
    pub time_zone: TimeZoneName,
    /// Days after which a reference waiting on someone is marked overdue
    /// (1 to 365, default 14).
    pub overdue_after: Days,
}

impl WorkingSettings {
    /// The default number of days before a waiting reference is overdue.
    pub const OVERDUE_AFTER_DAYS: u16 = 14;
}

impl Default for WorkingSettings {
    fn default() -> Self {
        Self {
            time_zone: TimeZoneName::default(),
            overdue_after: Days(Self::OVERDUE_AFTER_DAYS),
        }
    }
}

/// All settings of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TenantSettings {
    /// Privacy settings.
    pub privacy: PrivacySettings,
    /// Security settings.
    pub security: SecuritySettings,
    /// Sender name and mail templates.
    #[serde(default)]
    pub mail: crate::mail::MailSettings,
    /// Time zone and the overdue mark.
    #[serde(default)]
    pub working: WorkingSettings,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_the_organisations_zone_with_summer_time() {
        let berlin = TimeZoneName::default();
        assert_eq!(berlin.name(), "Europe/Berlin");
        let winter = time::macros::utc_datetime!(2026-12-16 17:17:59);
        assert_eq!(
            berlin.local(winter),
            time::macros::datetime!(2026-12-16 18:17:59)
        );
        let summer = time::macros::utc_datetime!(2026-07-01 22:30);
        assert_eq!(
            berlin.local(summer),
            time::macros::datetime!(2026-07-02 00:30),
            "the date follows the zone, not UTC"
        );
        let tokyo = TimeZoneName::new("Asia/Tokyo").unwrap();
        assert_eq!(
            tokyo.local(winter),
            time::macros::datetime!(2026-12-17 02:17:59)
        );
    }

    #[test]
    fn an_unknown_time_zone_is_refused_by_name_also_when_read() {
        assert_eq!(
            TimeZoneName::new("Europe/Bonn").unwrap_err(),
            SettingsError::UnknownTimeZone("Europe/Bonn".into())
        );
        let stored: Result<WorkingSettings, _> =
            serde_json::from_str(r#"{"time_zone": "Mars/Olympus", "overdue_after": 14}"#);
        assert!(stored.is_err());
        let old: TenantSettings = serde_json::from_str(
            &serde_json::to_string(&TenantSettings::default())
                .unwrap()
                .replace(
                    r#","working":{"time_zone":"Europe/Berlin","overdue_after":14}"#,
                    "",
                ),
        )
        .unwrap();
        assert_eq!(
            old.working,
            WorkingSettings::default(),
            "settings stored before read as the default"
        );
    }

    #[test]
    fn allowed_domains_include_subdomains_but_not_lookalikes() {
        let d = AllowedDomains::only(["firma.de"]).unwrap();
        assert!(d.permits("firma.de"));
        assert!(d.permits("mail.firma.de"));
        assert!(!d.permits("evilfirma.de"));
        assert!(!d.permits("firma.de.evil.com"));
        assert!(AllowedDomains::any().permits("anything.example"));
    }

    #[test]
    fn an_empty_domain_list_is_refused_not_read_as_any() {
        let none: [&str; 0] = [];
        assert_eq!(AllowedDomains::only(none), Err(SettingsError::NoDomain));
    }

    #[test]
    fn invalid_domains_are_refused_by_name() {
        assert_eq!(
            AllowedDomains::only(["firma"]).unwrap_err(),
            SettingsError::InvalidDomain("firma".into())
        );
    }

    #[test]
    fn link_check_needs_a_channel() {
        assert_eq!(
            LinkCheckSettings::new(true, []).unwrap_err(),
            SettingsError::NoChannel
        );
    }

    #[test]
    fn expiry_and_retention_bounds() {
        assert_eq!(
            Days::handover_expiry(0).unwrap_err().to_string(),
            "the handover link expiry must be between 1 and 365 days"
        );
        assert!(Days::handover_expiry(366).is_err());
        assert_eq!(Days::audit_retention(90).map(Days::days), Ok(90));
    }

    #[test]
    fn idle_timeout_cannot_exceed_absolute() {
        assert_eq!(
            SessionTimeouts::new(Duration::hours(2), Duration::hours(1)),
            Err(SettingsError::IdleLongerThanAbsolute)
        );
    }
}
