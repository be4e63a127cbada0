//! Service tests against mocked ports.

mod accounts;
mod delivery;
mod handover;
mod login;
mod retention;

use std::sync::{Arc, Mutex};

use futures_executor::block_on;

use crate::id::TenantId;
use crate::ports::{ChangeSet, MockClock, MockRandomSource, MockUnitOfWork, StoreError, Write};
use crate::values::Timestamp;

pub(super) fn tenant_id() -> TenantId {
    TenantId::from_bytes([0x11; 16])
}

pub(super) fn t0() -> Timestamp {
    Timestamp::from_unix_timestamp(1_750_000_000).expect("valid timestamp")
}

/// A tenant store that knows every tenant as active.
pub(super) fn active_tenant() -> crate::ports::MockTenantStore {
    let mut tenants = crate::ports::MockTenantStore::new();
    tenants.expect_tenant().returning(|id| {
        Ok(Some(crate::tenant::Tenant {
            id,
            slug: crate::values::Slug::parse("firma").expect("valid slug"),
            name: crate::values::Name::new("Firma GmbH").expect("valid name"),
            status: crate::tenant::TenantStatus::Active,
            created_at: t0(),
        }))
    });
    tenants
}

pub(super) fn clock_at(at: Timestamp) -> MockClock {
    let mut c = MockClock::new();
    c.expect_now().return_const(at);
    c
}

/// A random source that counts up, so every id differs.
pub(super) fn counting_random() -> MockRandomSource {
    let counter = Arc::new(Mutex::new(0u8));
    let mut r = MockRandomSource::new();
    r.expect_fill().returning(move |dest| {
        let mut n = counter.lock().expect("not poisoned");
        *n = n.wrapping_add(1);
        dest.fill(*n);
    });
    r
}

/// A unit of work that records what it commits and answers with `answers` in turn
/// (then `Ok`).
pub(super) fn recording_uow(
    answers: Vec<Result<(), StoreError>>,
) -> (MockUnitOfWork, Arc<Mutex<Vec<ChangeSet>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let mut uow = MockUnitOfWork::new();
    let sink = Arc::clone(&log);
    uow.expect_commit().returning(move |cs| {
        cs.check_tenant()?;
        let answer = answers
            .lock()
            .expect("not poisoned")
            .next()
            .unwrap_or(Ok(()));
        if answer.is_ok() {
            sink.lock().expect("not poisoned").push(cs);
        }
        answer
    });
    (uow, log)
}

pub(super) fn commits(log: &Arc<Mutex<Vec<ChangeSet>>>) -> Vec<ChangeSet> {
    log.lock().expect("not poisoned").clone()
}

pub(super) fn audit_actions(cs: &ChangeSet) -> Vec<crate::audit::AuditAction> {
    cs.writes()
        .iter()
        .filter_map(|w| match w {
            Write::AppendAudit(e) => Some(e.action),
            _ => None,
        })
        .collect()
}

pub(super) fn run<F: std::future::Future>(f: F) -> F::Output {
    block_on(f)
}
