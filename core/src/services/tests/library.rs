use super::*;
use crate::access::{AccessLevel, Area, Permissions};
use crate::audit::AuditAction;
use crate::authz::{AccessError, Actor};
use crate::document::LetterFormatting;
use crate::id::UserId;
use crate::phrases::{JobProfile, PhraseLibrary};
use crate::ports::{MockLibraryStore, MockTenantStore, Version, Versioned};
use crate::reference::form::Line;
use crate::scope::ReferenceScope;
use crate::services::library::{LibraryPart, LibraryService};
use crate::services::references::ReferenceError;
use crate::tenant::TenantError;

fn actor(permissions: Permissions) -> Actor {
    Actor::new(
        tenant_id(),
        UserId::from_bytes([0x66; 16]),
        permissions,
        false,
        ReferenceScope::Administrator,
    )
}

fn profile(key: &str) -> JobProfile {
    JobProfile {
        key: key.to_owned(),
        title: Line::new("Lagerlogistik").unwrap(),
        position: [
            Line::new("Fachkraft für Lagerlogistik").unwrap(),
            Line::new("Fachkraft für Lagerlogistik").unwrap(),
            Line::new("Fachkraft für Lagerlogistik").unwrap(),
        ],
        tasks: vec![Line::new("Warenannahme").unwrap()],
    }
}

/// The library store at `phrases` version; formatting at `formatting` version.
fn library(phrases: u64, formatting: u64) -> MockLibraryStore {
    let mut store = MockLibraryStore::new();
    store.expect_phrase_library().returning(move |_| {
        Ok(Versioned {
            value: PhraseLibrary::german_default(),
            version: Version(phrases),
        })
    });
    store.expect_letter_formatting().returning(move |_| {
        Ok(Versioned {
            value: LetterFormatting::default(),
            version: Version(formatting),
        })
    });
    store
}

fn service<'a>(
    tenants: &'a MockTenantStore,
    library: &'a MockLibraryStore,
    uow: &'a MockUnitOfWork,
    clock: &'a MockClock,
) -> LibraryService<'a> {
    LibraryService {
        tenants,
        library,
        uow,
        clock,
    }
}

fn save(
    a: &Actor,
    part: LibraryPart,
    stored: u64,
    named: u64,
) -> (
    Result<Versioned<PhraseLibrary>, ReferenceError>,
    Vec<ChangeSet>,
) {
    let (tenants, lib, clock) = (active_tenant(), library(stored, 0), clock_at(t0()));
    let (uow, log) = recording_uow(vec![]);
    let r = run(service(&tenants, &lib, &uow, &clock).save_phrases(a, part, Version(named), None));
    (r, commits(&log))
}

#[test]
fn reading_the_library_needs_one_of_its_areas_or_employees() {
    let (tenants, lib, clock, uow) = (active_tenant(), library(0, 0), clock_at(t0()), no_commit());
    let s = service(&tenants, &lib, &uow, &clock);
    for area in [
        Area::LetterTexts,
        Area::JobProfiles,
        Area::Qualifications,
        Area::Employees,
    ] {
        let reader = actor(Permissions::none().with(area, AccessLevel::Read));
        assert!(run(s.phrases(&reader)).is_ok(), "{area}");
    }
    let outsider = actor(
        Permissions::none()
            .with(Area::Users, AccessLevel::ReadWrite)
            .with(Area::ReferenceFormatting, AccessLevel::ReadWrite),
    );
    assert_eq!(
        run(s.phrases(&outsider)),
        Err(ReferenceError::Access(AccessError::Forbidden {
            area: Area::LetterTexts,
            needed: AccessLevel::Read
        }))
    );
}

#[test]
fn saving_job_profiles_needs_read_write_on_job_profiles_not_on_letter_texts() {
    let letters_only = actor(
        Permissions::none()
            .with(Area::LetterTexts, AccessLevel::ReadWrite)
            .with(Area::JobProfiles, AccessLevel::Read),
    );
    let (r, c) = save(
        &letters_only,
        LibraryPart::JobProfiles(vec![profile("lager")]),
        2,
        2,
    );
    assert_eq!(
        r,
        Err(ReferenceError::Access(AccessError::Forbidden {
            area: Area::JobProfiles,
            needed: AccessLevel::ReadWrite
        }))
    );
    assert!(c.is_empty());

    let profiles = actor(Permissions::none().with(Area::JobProfiles, AccessLevel::ReadWrite));
    let (r, c) = save(
        &profiles,
        LibraryPart::JobProfiles(vec![profile("lager")]),
        2,
        2,
    );
    assert!(r.is_ok(), "{r:?}");
    let Write::SavePhraseLibrary(saved, Some(Version(2))) = &c[0].writes()[0] else {
        panic!("library not saved at the version read")
    };
    assert_eq!(saved.job_profiles, vec![profile("lager")]);
    let events = audit_events(&c[0]);
    assert_eq!(events[0].action, AuditAction::LibraryChanged);
    let fields: Vec<&str> = events[0].changes.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["job_profiles"]);
}

#[test]
fn a_save_against_a_stale_version_is_a_conflict_and_writes_nothing() {
    let profiles = actor(Permissions::none().with(Area::JobProfiles, AccessLevel::ReadWrite));
    let (r, c) = save(
        &profiles,
        LibraryPart::JobProfiles(vec![profile("lager")]),
        4,
        3,
    );
    assert!(matches!(r, Err(ReferenceError::Conflict(_))), "{r:?}");
    assert!(c.is_empty());
}

#[test]
fn an_invalid_part_is_refused_naming_the_part_and_writes_nothing() {
    let profiles = actor(Permissions::none().with(Area::JobProfiles, AccessLevel::ReadWrite));
    let (r, c) = save(
        &profiles,
        LibraryPart::JobProfiles(vec![profile("lager"), profile("lager")]),
        2,
        2,
    );
    assert!(
        matches!(&r, Err(ReferenceError::Invalid { field: Some(f), .. }) if f == "job_profiles"),
        "{r:?}"
    );
    assert!(c.is_empty());
}

#[test]
fn the_first_save_replaces_the_default_without_naming_a_version() {
    let profiles = actor(Permissions::none().with(Area::JobProfiles, AccessLevel::ReadWrite));
    let (r, c) = save(
        &profiles,
        LibraryPart::JobProfiles(vec![profile("lager")]),
        0,
        0,
    );
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(c.len(), 1);
    assert!(
        matches!(&c[0].writes()[0], Write::SavePhraseLibrary(lib, None) if lib.job_profiles == vec![profile("lager")]),
        "{:?}",
        c[0].writes()[0]
    );
}

#[test]
fn a_read_only_tenant_keeps_its_library() {
    let profiles = actor(Permissions::none().with(Area::JobProfiles, AccessLevel::ReadWrite));
    let (tenants, lib, clock) = (read_only_tenant(), library(2, 0), clock_at(t0()));
    let (uow, log) = recording_uow(vec![]);
    let r = run(service(&tenants, &lib, &uow, &clock).save_phrases(
        &profiles,
        LibraryPart::JobProfiles(vec![profile("lager")]),
        Version(2),
        None,
    ));
    assert_eq!(r, Err(ReferenceError::Tenant(TenantError::ReadOnly)));
    assert!(commits(&log).is_empty());
}

#[test]
fn formatting_is_validated_before_it_is_saved() {
    let designer =
        actor(Permissions::none().with(Area::ReferenceFormatting, AccessLevel::ReadWrite));
    let (tenants, lib, clock) = (active_tenant(), library(0, 0), clock_at(t0()));
    let (uow, log) = recording_uow(vec![]);
    let s = service(&tenants, &lib, &uow, &clock);
    let mut narrow = LetterFormatting::default();
    narrow.margins.left = 5;
    let r = run(s.save_formatting(&designer, narrow, Version(0), None));
    assert!(
        matches!(&r, Err(ReferenceError::Invalid { field: Some(f), .. }) if f == "formatting"),
        "{r:?}"
    );
    assert!(commits(&log).is_empty());

    let mut wider = LetterFormatting::default();
    wider.margins.left = 30;
    let r = run(s.save_formatting(&designer, wider.clone(), Version(0), None));
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        commits(&log)[0].writes()[0],
        Write::SaveLetterFormatting(Box::new(wider), None)
    );
}
