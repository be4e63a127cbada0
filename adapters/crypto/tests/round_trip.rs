//! End-to-end use of the public API, and property tests of the envelope.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::{CryptoError, FieldContext};
use zeugnis_crypto::{
    DataKey, KeyError, KeySource, MasterKey, MasterKeyring, OpenError, SEALED_OVERHEAD,
    create_master_key_file, load_master_key_file,
};

fn tenant(n: u8) -> TenantId {
    TenantId::from_bytes([n; 16])
}

#[test]
fn a_restart_with_the_key_file_reads_everything_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("master.key");

    // First start: generate the key, a tenant key, a check value and a field.
    let master = create_master_key_file(&path).unwrap();
    let ring = MasterKeyring::new(master, KeySource::Generated(path.clone()));
    let check = ring.check_value().unwrap();
    let data = DataKey::generate().unwrap();
    let wrapped = ring.wrap(tenant(1), &data).unwrap();
    let ctx = FieldContext {
        tenant: tenant(1),
        table: "employees",
        column: "name",
        row: "7".into(),
    };
    let sealed = data.seal_field(&ctx, "Jürgen Müller".as_bytes()).unwrap();
    let email = data.lookup_hash("email", b"juergen@example.org");
    drop((ring, data));

    // Second start: load the key file.
    let ring = MasterKeyring::new(
        load_master_key_file(&path).unwrap(),
        KeySource::File(path.clone()),
    );
    ring.verify_check_value(&ring.primary_id(), &check).unwrap();
    let data = ring.unwrap(tenant(1), &wrapped).unwrap();
    assert_eq!(
        data.open_field(&ctx, &sealed).unwrap(),
        "Jürgen Müller".as_bytes()
    );
    assert_eq!(data.lookup_hash("email", b"juergen@example.org"), email);

    // A start with another key is told which keys differ, before any tenant is
    // touched.
    let wrong = MasterKeyring::new(
        MasterKey::generate().unwrap(),
        KeySource::Env("ZEUGNIS_MASTER_KEY".into()),
    );
    let err = wrong
        .verify_check_value(&ring.primary_id(), &check)
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&ring.primary_id().to_string()), "{msg}");
    assert!(msg.contains(&wrong.primary_id().to_string()), "{msg}");
    assert!(
        msg.contains("environment variable ZEUGNIS_MASTER_KEY"),
        "{msg}"
    );
    assert_eq!(CryptoError::from(err), CryptoError::WrongMasterKey);
    assert_eq!(
        CryptoError::from(wrong.unwrap(tenant(1), &wrapped).unwrap_err()),
        CryptoError::WrongMasterKey
    );
}

#[test]
fn debug_output_never_contains_key_bytes() {
    let master = MasterKey::generate().unwrap();
    let encoded = master.encode();
    let raw = STANDARD.decode(&encoded).unwrap();
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let ring = MasterKeyring::new(master.clone(), KeySource::Env("K".into()));
    let data = DataKey::generate().unwrap();
    let wrapped = ring.wrap(tenant(1), &data).unwrap();
    let debug = format!("{master:?} {ring:?} {data:?} {wrapped:?} {:#?}", ring);
    assert!(!debug.contains(&encoded));
    assert!(!debug.contains(&hex));
    assert!(!debug.contains(&format!("{raw:?}")));
    assert!(debug.contains(&master.id().to_string()));
}

#[test]
fn errors_never_contain_the_key_text() {
    let master = MasterKey::generate().unwrap();
    let encoded = master.encode();
    // One character too many or a character changed: still no echo.
    for text in [
        format!("{encoded}A"),
        encoded.replace('=', "!"),
        encoded.trim_end_matches('=').to_owned() + "AAAA",
    ] {
        let err = MasterKey::from_encoded(&text).unwrap_err();
        let msg = err.to_string();
        assert!(!msg.contains(&text), "{msg}");
        assert!(!msg.contains(&encoded[..20]), "{msg}");
        assert!(!format!("{err:?}").contains(&encoded[..20]));
    }
}

#[test]
fn open_error_is_tampered() {
    let data = DataKey::generate().unwrap();
    assert_eq!(data.open(b"", b""), Err(OpenError::Tampered));
    assert_eq!(KeyError::from(OpenError::Tampered), KeyError::Tampered);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn seal_open_round_trips(
        plaintext in proptest::collection::vec(any::<u8>(), 0..2048),
        ad in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let key = DataKey::generate().unwrap();
        let sealed = key.seal(&ad, &plaintext).unwrap();
        prop_assert_eq!(sealed.len(), plaintext.len() + SEALED_OVERHEAD);
        prop_assert_eq!(key.open(&ad, &sealed).unwrap(), plaintext);
    }

    #[test]
    fn other_associated_data_fails(
        plaintext in proptest::collection::vec(any::<u8>(), 0..256),
        ad in proptest::collection::vec(any::<u8>(), 0..64),
        other in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        prop_assume!(ad != other);
        let key = DataKey::generate().unwrap();
        let sealed = key.seal(&ad, &plaintext).unwrap();
        prop_assert_eq!(key.open(&other, &sealed), Err(OpenError::Tampered));
    }

    #[test]
    fn arbitrary_input_never_panics(
        input in proptest::collection::vec(any::<u8>(), 0..128),
    ) {
        let key = DataKey::generate().unwrap();
        prop_assert_eq!(key.open(b"ad", &input), Err(OpenError::Tampered));
        let ring = MasterKeyring::new(MasterKey::generate().unwrap(), KeySource::Env("K".into()));
        prop_assert!(ring.verify_check_value(&ring.primary_id(), &input).is_err());
        let text = String::from_utf8_lossy(&input);
        let _ = MasterKey::from_encoded(&text);
    }
}
