//! Deserialising goes through the same checks as the constructors: stored or
//! submitted settings cannot bring back a state the rules forbid.

use serde_json::{from_value, json, to_value};
use zeugnis_core::audit::AuditText;
use zeugnis_core::password::PasswordPolicy;
use zeugnis_core::reference::SectionContent;
use zeugnis_core::retention::RetentionPeriod;
use zeugnis_core::scope::Restriction;
use zeugnis_core::settings::{
    AllowedDomains, Days, LinkCheckSettings, SessionTimeouts, TenantSettings,
};

#[test]
fn default_settings_survive_a_round_trip() {
    let s = TenantSettings::default();
    let back: TenantSettings = from_value(to_value(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn a_zero_retention_period_is_refused() {
    assert!(from_value::<RetentionPeriod>(json!({"days": 0})).is_err());
    assert!(from_value::<RetentionPeriod>(json!({"months": 0})).is_err());
    assert_eq!(
        from_value::<RetentionPeriod>(json!({"months": 6})).unwrap(),
        RetentionPeriod::months(6).unwrap()
    );
}

#[test]
fn a_zero_audit_retention_is_refused() {
    assert!(from_value::<Days>(json!(0)).is_err());
    assert_eq!(from_value::<Days>(json!(90)).unwrap().days(), 90);
}

#[test]
fn link_checks_without_a_channel_are_refused() {
    let err = from_value::<LinkCheckSettings>(json!({"mandatory": true, "allowed_channels": []}))
        .unwrap_err();
    assert!(err.to_string().contains("at least one channel"), "{err}");
}

#[test]
fn an_empty_domain_list_is_refused_and_null_means_any() {
    assert!(from_value::<AllowedDomains>(json!([])).is_err());
    assert_eq!(
        from_value::<AllowedDomains>(json!(null)).unwrap(),
        AllowedDomains::Any
    );
    assert!(
        from_value::<AllowedDomains>(json!(["firma.de"]))
            .unwrap()
            .permits("firma.de")
    );
}

#[test]
fn a_password_policy_weaker_than_eight_characters_is_refused() {
    let weak = json!({"rules": {"preset": "nist", "min_length": 4}, "max_failed_attempts": 5});
    assert!(from_value::<PasswordPolicy>(weak).is_err());
    let loose =
        json!({"rules": {"preset": "composition", "min_length": 8}, "max_failed_attempts": 9});
    assert!(from_value::<PasswordPolicy>(loose).is_err());
}

#[test]
fn session_timeouts_out_of_bounds_are_refused() {
    let zero = to_value(time::Duration::ZERO).unwrap();
    let hour = to_value(time::Duration::hours(1)).unwrap();
    assert!(from_value::<SessionTimeouts>(json!({"idle": zero, "absolute": hour})).is_err());
}

#[test]
fn a_restriction_with_an_empty_value_list_is_refused() {
    assert!(from_value::<Restriction>(json!({"location": []})).is_err());
    assert!(from_value::<Restriction>(json!({"location": ["Köln"]})).is_ok());
}

#[test]
fn a_restricted_scope_reads_back_what_was_written() {
    use zeugnis_core::scope::{Criterion, ReferenceScope};
    let scope = ReferenceScope::Restricted(
        Restriction::unrestricted()
            .allow(Criterion::Location, ["Köln", "Bonn"])
            .unwrap()
            .allow(Criterion::Company, ["Nord AG"])
            .unwrap(),
    );
    let written = to_value(&scope).unwrap();
    assert_eq!(from_value::<ReferenceScope>(written).unwrap(), scope);
    let unrestricted = ReferenceScope::Restricted(Restriction::unrestricted());
    let written = to_value(&unrestricted).unwrap();
    assert_eq!(from_value::<ReferenceScope>(written).unwrap(), unrestricted);
}

#[test]
fn overlong_section_content_is_refused() {
    let long = "x".repeat(SectionContent::MAX_LEN + 1);
    assert!(from_value::<SectionContent>(json!(long)).is_err());
}

#[test]
fn audit_text_is_neutralised_when_read_back() {
    let t: AuditText = from_value(json!("a\nb")).unwrap();
    assert_eq!(t.as_str(), "a\\nb");
}
