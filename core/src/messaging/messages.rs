//! Every message the core shows to people, in one place, in German and English.
//!
//! Error types implement `Display` in English for logs and developers; user
//! interfaces call the `message(Locale)` methods, which end up here.

use crate::password::{ContextKind, PasswordViolation};

/// The language of a message.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Locale {
    /// Deutsch (the default).
    #[default]
    De,
    /// English.
    En,
}

/// The message for a failed password rule.
#[must_use]
pub fn password_violation(v: &PasswordViolation, locale: Locale) -> String {
    use PasswordViolation as V;
    match (locale, v) {
        (Locale::De, V::TooShort { min }) => format!("Verwenden Sie mindestens {min} Zeichen."),
        (Locale::En, V::TooShort { min }) => format!("Use at least {min} characters."),
        (Locale::De, V::TooLong { max }) => format!("Verwenden Sie höchstens {max} Zeichen."),
        (Locale::En, V::TooLong { max }) => format!("Use at most {max} characters."),
        (Locale::De, V::MissingLowercase) => "Verwenden Sie mindestens einen Kleinbuchstaben.".into(),
        (Locale::En, V::MissingLowercase) => "Include at least one lower-case letter.".into(),
        (Locale::De, V::MissingUppercase) => "Verwenden Sie mindestens einen Großbuchstaben.".into(),
        (Locale::En, V::MissingUppercase) => "Include at least one upper-case letter.".into(),
        (Locale::De, V::MissingDigit) => "Verwenden Sie mindestens eine Ziffer.".into(),
        (Locale::En, V::MissingDigit) => "Include at least one digit.".into(),
        (Locale::De, V::MissingSpecial) => {
            "Verwenden Sie mindestens ein Sonderzeichen (kein Buchstabe und keine Ziffer).".into()
        }
        (Locale::En, V::MissingSpecial) => {
            "Include at least one special character (not a letter or digit).".into()
        }
        (Locale::De, V::ContainsPersonalData(kind)) => format!(
            "Das Passwort darf {} nicht enthalten.",
            match kind {
                ContextKind::Name => "Ihren Namen",
                ContextKind::Email => "Ihre E-Mail-Adresse oder Teile davon",
                ContextKind::TenantName => "den Namen Ihrer Organisation",
            }
        ),
        (Locale::En, V::ContainsPersonalData(kind)) => format!(
            "The password must not contain {}.",
            match kind {
                ContextKind::Name => "your name",
                ContextKind::Email => "your e-mail address or parts of it",
                ContextKind::TenantName => "your organisation's name",
            }
        ),
        (Locale::De, V::Breached) => {
            "Dieses Passwort ist zu bekannt: Es steht auf einer Liste häufig verwendeter oder veröffentlichter Passwörter. Wählen Sie ein anderes.".into()
        }
        (Locale::En, V::Breached) => {
            "This password is too common: it is on a list of frequently used or leaked passwords. Choose another one.".into()
        }
    }
}

/// An instant as German readers expect it in a mail, in the organisation's
/// time zone: `16.12.2026, 18:17 Uhr`.
#[must_use]
pub fn instant_de(at: crate::values::Timestamp, zone: &crate::settings::TimeZoneName) -> String {
    let local = zone.local(at);
    format!(
        "{:02}.{:02}.{:04}, {:02}:{:02} Uhr",
        local.day(),
        u8::from(local.month()),
        local.year(),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_shows_the_time_in_the_organisations_zone_without_seconds() {
        let at = time::macros::utc_datetime!(2026-12-16 17:17:59);
        let berlin = crate::settings::TimeZoneName::default();
        assert_eq!(instant_de(at, &berlin), "16.12.2026, 18:17 Uhr");
        let summer = time::macros::utc_datetime!(2026-07-01 22:30);
        assert_eq!(instant_de(summer, &berlin), "02.07.2026, 00:30 Uhr");
    }
}
