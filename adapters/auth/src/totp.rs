//! RFC 6238 one-time codes with totp-rs, the `otpauth://` URI and its QR code.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use totp_rs::{Algorithm, Builder, Secret, Totp};
use zeugnis_core::ports::{TotpEngine, TotpProvisioning, TotpSecret, TotpSetupError};

/// Digits per code.
const DIGITS: usize = 6;

/// Seconds per step.
const PERIOD_SECONDS: u64 = 30;

/// Everything but RFC 3986's unreserved characters is percent-encoded (so a
/// space becomes `%20`, never `+`, which authenticator apps expect).
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// [`TotpEngine`] on totp-rs: HMAC-SHA-1, 6 digits, 30-second steps, the
/// parameters every authenticator app supports.
///
/// The engine works in steps (`unix time / 30`); which steps are acceptable is
/// the caller's decision. The provisioning URI names all parameters
/// explicitly (`algorithm=SHA1&digits=6&period=30`) and the QR code is a
/// standalone SVG document.
#[derive(Debug, Clone, Copy, Default)]
pub struct TotpRs {
    _private: (),
}

impl TotpRs {
    /// The engine.
    #[must_use]
    pub const fn new() -> Self {
        Self { _private: () }
    }
}

/// A totp-rs generator that takes the step itself as its "time": with a
/// one-second step duration totp-rs's counter (`time / step duration`) is the
/// step, exactly, for every `u64` (multiplying by 30 first could overflow).
/// The parameters are RFC-compliant constants (a test builds them with the
/// checking `build`), so the unchecked build cannot produce a generator that
/// panics.
fn generator(secret: &TotpSecret) -> Totp {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(1)
        .with_secret(Secret::new_stack(*secret.expose()))
        .build_noncompliant()
}

fn code(generator: &Totp, step: u64) -> String {
    generator.generate(step).to_string()
}

impl TotpEngine for TotpRs {
    fn matching_step(&self, secret: &TotpSecret, code_input: &str, steps: &[u64]) -> Option<u64> {
        let typed: String = code_input.chars().filter(|c| !c.is_whitespace()).collect();
        if typed.len() != DIGITS || !typed.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let generator = generator(secret);
        // Every candidate is computed and compared; the first match is picked
        // without branching on secret data.
        let mut found = Choice::from(0);
        let mut first = 0_u64;
        for &step in steps {
            let equal = code(&generator, step).as_bytes().ct_eq(typed.as_bytes());
            first = u64::conditional_select(&first, &step, equal & !found);
            found |= equal;
        }
        bool::from(found).then_some(first)
    }

    fn code_at(&self, secret: &TotpSecret, step: u64) -> String {
        code(&generator(secret), step)
    }

    fn provisioning(
        &self,
        secret: &TotpSecret,
        issuer: &str,
        account: &str,
    ) -> Result<TotpProvisioning, TotpSetupError> {
        for (what, value) in [("issuer", issuer), ("account name", account)] {
            if value.trim().is_empty() {
                return Err(TotpSetupError(format!("the {what} is empty")));
            }
            if value.contains(':') {
                return Err(TotpSetupError(format!(
                    "the {what} must not contain ':' (it separates issuer and account in the authenticator app)"
                )));
            }
        }
        let issuer = utf8_percent_encode(issuer, URI_COMPONENT);
        let account = utf8_percent_encode(account, URI_COMPONENT);
        let secret = Secret::new_stack(*secret.expose()).to_base32();
        let uri = format!(
            "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={PERIOD_SECONDS}"
        );
        let qr = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M).map_err(|e| {
            TotpSetupError(format!("the enrolment data does not fit in a QR code: {e}"))
        })?;
        let qr_svg = qr
            .render::<svg::Color<'_>>()
            .min_dimensions(256, 256)
            .quiet_zone(true)
            .build();
        Ok(TotpProvisioning { uri, qr_svg })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 seed.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(*b"12345678901234567890")
    }

    #[test]
    fn rfc_6238_sha1_test_vectors() {
        let engine = TotpRs::new();
        let secret = rfc_secret();
        for (time, expected) in [
            (59_u64, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(
                engine.code_at(&secret, time / PERIOD_SECONDS),
                expected,
                "T = {time}"
            );
        }
    }

    #[test]
    fn the_builder_parameters_are_rfc_compliant() {
        let checked = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_step_duration(1)
            .with_secret(Secret::new_stack(*rfc_secret().expose()))
            .build()
            .unwrap();
        assert_eq!(checked.generate(1), generator(&rfc_secret()).generate(1));
        // Steps far beyond any clock still get a code.
        assert_eq!(TotpRs::new().code_at(&rfc_secret(), u64::MAX).len(), 6);
    }

    #[test]
    fn the_matching_step_among_the_candidates_is_found() {
        let engine = TotpRs::new();
        let secret = rfc_secret();
        let now = 1_111_111_111 / PERIOD_SECONDS;
        let steps = [now - 1, now, now + 1];
        assert_eq!(engine.matching_step(&secret, "050471", &steps), Some(now));
        assert_eq!(
            engine.matching_step(&secret, "081804", &steps),
            Some(now - 1)
        );
        let next = engine.code_at(&secret, now + 1);
        assert_eq!(engine.matching_step(&secret, &next, &steps), Some(now + 1));
        // Spaces are ignored.
        assert_eq!(
            engine.matching_step(&secret, " 050 471 ", &steps),
            Some(now)
        );
        // The first matching candidate wins.
        assert_eq!(
            engine.matching_step(&secret, "050471", &[now + 5, now, now]),
            Some(now)
        );
        assert_eq!(engine.matching_step(&secret, "050471", &[]), None);
    }

    #[test]
    fn wrong_or_malformed_codes_match_nothing() {
        let engine = TotpRs::new();
        let secret = rfc_secret();
        let now = 1_111_111_111 / PERIOD_SECONDS;
        let steps = [now - 1, now, now + 1];
        for code in [
            "000000",
            "050472",
            "12345",
            "1234567",
            "05047",
            "0504710",
            "05047a",
            "abcdef",
            "+50471",
            "-50471",
            "０５０４７１",
            "",
            "      ",
        ] {
            let wrong = engine.matching_step(&secret, code, &steps);
            // "000000" could collide by chance; it does not for this secret.
            assert_eq!(wrong, None, "{code:?}");
        }
    }

    #[test]
    fn provisioning_carries_every_parameter_and_a_qr_code() {
        let engine = TotpRs::new();
        let p = engine
            .provisioning(&rfc_secret(), "zeugnis – ACME GmbH", "anna.müller@acme.de")
            .unwrap();
        assert!(p.uri.starts_with("otpauth://totp/"), "{}", p.uri);
        for part in [
            "otpauth://totp/zeugnis%20%E2%80%93%20ACME%20GmbH:anna.m%C3%BCller%40acme.de?",
            "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&",
            "issuer=zeugnis%20%E2%80%93%20ACME%20GmbH",
            "algorithm=SHA1",
            "digits=6",
            "period=30",
        ] {
            assert!(p.uri.contains(part), "{part} missing in {}", p.uri);
        }
        assert!(!p.uri.contains(' '), "{}", p.uri);
        assert!(p.qr_svg.starts_with("<?xml") || p.qr_svg.starts_with("<svg"));
        assert!(p.qr_svg.contains("<svg"), "{}", p.qr_svg);
        assert!(p.qr_svg.trim_end().ends_with("</svg>"));
        assert_eq!(format!("{p:?}"), "TotpProvisioning(redacted)");
    }

    #[test]
    fn names_the_uri_cannot_carry_are_refused() {
        let engine = TotpRs::new();
        let secret = rfc_secret();
        for (issuer, account) in [
            ("ACME", "anna:müller@acme.de"),
            ("ACME: Personal", "anna@acme.de"),
            ("ACME", ""),
            ("", "anna@acme.de"),
            ("ACME", "   "),
        ] {
            assert!(
                engine.provisioning(&secret, issuer, account).is_err(),
                "{issuer:?} / {account:?}"
            );
        }
    }
}
