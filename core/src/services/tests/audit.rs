use std::sync::{Arc, Mutex};

use super::{audit_events, clock_at, commits, no_commit, recording_uow, run, t0, tenant_id};
use crate::access::Permissions;
use crate::audit::{
    AuditAction, AuditActor, AuditEntry, AuditEvent, AuditTarget, ChainHash, FieldChange,
};
use crate::authz::Actor;
use crate::id::{OperatorId, UserId};
use crate::ports::{AuditQuery, Cursor, MockAuditLog, Page, PageRequest, StoreError};
use crate::scope::ReferenceScope;
use crate::services::audit::{AuditError, AuditService};

/// A user with every area; `administrator_role` decides the log.
fn user(administrator_role: bool, byte: u8) -> Actor {
    Actor::new(
        tenant_id(),
        UserId::from_bytes([byte; 16]),
        Permissions::all(),
        administrator_role,
        ReferenceScope::Administrator,
    )
}

fn admin() -> Actor {
    user(true, 0xad)
}

fn clerk() -> Actor {
    // Every area, but not the Administrator role.
    user(false, 0xc1)
}

fn entry(seq: u64, detail: &str) -> AuditEntry {
    AuditEntry {
        seq,
        event: AuditEvent::new(
            Some(tenant_id()),
            t0(),
            AuditActor::User(UserId::from_bytes([0xad; 16])),
            AuditAction::LoginFailed,
            AuditTarget::None,
        )
        .from_ip(Some("192.0.2.7".parse().expect("an address")))
        .with_detail(detail)
        .with_changes(vec![FieldChange::new(
            "status",
            Some("active"),
            Some("=locked"),
        )]),
        prev: ChainHash([0; 32]),
        hash: ChainHash([1; 32]),
    }
}

/// A log of `total` entries, served in pages of 500 newest first; counts calls.
fn log_of(total: u64) -> (MockAuditLog, Arc<Mutex<usize>>) {
    let calls = Arc::new(Mutex::new(0usize));
    let counter = Arc::clone(&calls);
    let mut log = MockAuditLog::new();
    log.expect_entries().returning(move |tenant, _, page| {
        assert_eq!(tenant, tenant_id(), "the actor's organisation only");
        *counter.lock().expect("not poisoned") += 1;
        let start: u64 = page
            .after
            .as_ref()
            .map_or(total, |c| c.0.parse().expect("our cursor"));
        let end = start.saturating_sub(u64::from(page.limit()));
        let items = (end + 1..=start)
            .rev()
            .map(|s| entry(s, "wrong_password"))
            .collect();
        Ok(Page {
            items,
            next: (end > 0).then(|| Cursor(end.to_string())),
        })
    });
    (log, calls)
}

#[test]
fn only_administrators_read_the_log_and_others_read_nothing() {
    let mut log = MockAuditLog::new();
    log.expect_entries().never();
    let clock = clock_at(t0());
    let uow = no_commit();
    let service = AuditService {
        log: &log,
        uow: &uow,
        clock: &clock,
    };
    let q = AuditQuery::default();
    assert_eq!(
        run(service.list(&clerk(), &q, PageRequest::first(10))).map(|p| p.items.len()),
        Err(AuditError::NotAdministrator)
    );
    assert_eq!(
        run(service.export_csv(&clerk(), &q, None)),
        Err(AuditError::NotAdministrator)
    );
}

#[test]
fn a_listed_page_comes_from_the_actors_organisation_and_a_bad_cursor_is_named() {
    let (log, _) = log_of(3);
    let clock = clock_at(t0());
    let uow = no_commit();
    let service = AuditService {
        log: &log,
        uow: &uow,
        clock: &clock,
    };
    let page =
        run(service.list(&admin(), &AuditQuery::default(), PageRequest::first(2))).expect("a page");
    assert_eq!(page.items.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 2]);

    let mut bad = MockAuditLog::new();
    bad.expect_entries()
        .returning(|_, _, _| Err(StoreError::InvalidCursor));
    let service = AuditService {
        log: &bad,
        uow: &uow,
        clock: &clock,
    };
    assert_eq!(
        run(service.list(
            &admin(),
            &AuditQuery::default(),
            PageRequest::new(Some(Cursor("x".into())), 2)
        ))
        .map(|p| p.items.len()),
        Err(AuditError::InvalidCursor)
    );
}

#[test]
fn the_export_holds_every_entry_neutralises_formulas_and_is_audited_once() {
    let (log, calls) = log_of(1_201);
    let clock = clock_at(t0());
    let (uow, committed) = recording_uow(vec![]);
    let service = AuditService {
        log: &log,
        uow: &uow,
        clock: &clock,
    };
    let ip = Some("198.51.100.4".parse().expect("an address"));
    let support = admin().as_support(OperatorId::from_bytes([0x0f; 16]));
    let csv = run(service.export_csv(&support, &AuditQuery::default(), ip)).expect("the csv");
    let text = String::from_utf8(csv).expect("UTF-8");
    assert!(
        text.starts_with('\u{feff}'),
        "a byte order mark for spreadsheets"
    );
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(
        lines[0],
        "seq,time_utc,actor,on_behalf_of,source_ip,action,target,changed_fields,before,after,detail"
    );
    assert_eq!(
        lines.len(),
        1 + 1_201 + 1,
        "header, every entry, the final line break"
    );
    assert!(lines[1].starts_with("1201,"), "{}", lines[1]);
    assert!(
        lines[1].contains(",'=locked,"),
        "a formula is neutralised: {}",
        lines[1]
    );
    assert_eq!(
        *calls.lock().expect("not poisoned"),
        3,
        "read in pages of 500"
    );

    let commits = commits(&committed);
    assert_eq!(commits.len(), 1);
    let events = audit_events(&commits[0]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, AuditAction::DataExported);
    assert_eq!(
        events[0].detail.as_ref().map(|d| d.as_str().to_owned()),
        Some("audit log, 1201 entries".to_owned())
    );
    assert_eq!(events[0].source_ip, ip);
    assert!(
        matches!(events[0].actor, AuditActor::Support { .. }),
        "support is recorded as support: {:?}",
        events[0].actor
    );
    assert_eq!(events[0].on_behalf_of, Some(admin().user()));
}
