//! Service tests: over the in-memory store, or against mocked ports where a
//! test asserts calls.

mod accounts;
mod audit;
mod delivery;
mod employees;
mod handover;
mod handover_work;
mod library;
mod login;
mod login_flow;
mod references;
mod retention;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use futures_executor::block_on;

use async_trait::async_trait;

use crate::authz::VisibilityFilter;
use crate::employee::Employee;
use crate::id::{EmployeeId, ReferenceId, TenantId};
use crate::memory::MemoryStore;
use crate::ports::{
    AuditLog as _, AuditQuery, ChangeSet, EmployeeStore, MockClock, MockRandomSource,
    MockUnitOfWork, Page, PageRequest, ReferenceQuery, ReferenceStore, ReferenceSummary,
    StoreError, UnitOfWork, Versioned, Write,
};
use crate::reference::{ChangeLogEntry, Reference, StatusChange};
use crate::retention::{EmployeeFacts, ReferenceFacts};
use crate::scope::ReferenceScope;
use crate::values::Timestamp;

pub(super) fn tenant_id() -> TenantId {
    TenantId::from_bytes([0x11; 16])
}

pub(super) fn t0() -> Timestamp {
    Timestamp::from_unix_timestamp(1_750_000_000).expect("valid timestamp")
}

/// A tenant store that knows every tenant as active.
pub(super) fn active_tenant() -> crate::ports::MockTenantStore {
    tenant_in(crate::tenant::TenantStatus::Active)
}

/// A tenant store that knows every tenant as read-only (contract ended).
pub(super) fn read_only_tenant() -> crate::ports::MockTenantStore {
    tenant_in(read_only())
}

/// The status of a tenant whose contract ended.
pub(super) fn read_only() -> crate::tenant::TenantStatus {
    crate::tenant::TenantStatus::ReadOnly {
        delete_after: t0() + time::Duration::days(30),
    }
}

/// A tenant store that knows every tenant, with `status`.
pub(super) fn tenant_in(status: crate::tenant::TenantStatus) -> crate::ports::MockTenantStore {
    let mut tenants = crate::ports::MockTenantStore::new();
    tenants.expect_tenant().returning(move |id| {
        Ok(Some(crate::tenant::Tenant {
            id,
            ..tenant(status)
        }))
    });
    tenants
}

/// The tenant of the tests ("firma"), with `status`.
pub(super) fn tenant(status: crate::tenant::TenantStatus) -> crate::tenant::Tenant {
    crate::tenant::Tenant {
        id: tenant_id(),
        slug: crate::values::Slug::parse("firma").expect("valid slug"),
        name: crate::values::Name::new("Firma GmbH").expect("valid name"),
        status,
        created_at: t0(),
    }
}

/// Frau `first` `last` in Köln, employee `n`.
pub(super) fn person(n: u8, first: &str, last: &str) -> crate::employee::Employee {
    use crate::values::Name;
    crate::employee::Employee {
        id: crate::id::EmployeeId::from_bytes([n; 16]),
        tenant: tenant_id(),
        personal: crate::employee::PersonalData {
            salutation: crate::employee::Salutation::Frau,
            first_name: Name::new(first).expect("valid name"),
            last_name: Name::new(last).expect("valid name"),
            title: None,
            birth_date: None,
            birth_place: None,
        },
        contact: crate::employee::Contact::default(),
        employment: crate::employee::Employment::default(),
        org: located_in("Köln"),
    }
}

/// A draft in Köln of `employee` by `created_by`, without content.
pub(super) fn draft(
    id: crate::id::ReferenceId,
    employee: crate::id::EmployeeId,
    created_by: crate::id::UserId,
) -> crate::reference::Reference {
    crate::reference::Reference {
        id,
        tenant: tenant_id(),
        employee,
        org: located_in("Köln"),
        kind: crate::reference::ReferenceKind::Final,
        language: crate::reference::Language::German,
        status: crate::reference::ReferenceStatus::Draft,
        status_since: t0(),
        changed_at: t0(),
        private: false,
        created_by,
        created_at: t0(),
        signatories: vec![],
        generated: None,
        content: crate::reference::ReferenceContent::default(),
    }
}

/// A memory store holding the active tenant of the tests and then `writes`,
/// committed as one change set.
pub(super) fn seeded(writes: impl IntoIterator<Item = Write>) -> MemoryStore {
    seeded_in(crate::tenant::TenantStatus::Active, writes)
}

/// [`seeded`], the tenant with `status`.
pub(super) fn seeded_in(
    status: crate::tenant::TenantStatus,
    writes: impl IntoIterator<Item = Write>,
) -> MemoryStore {
    let store = MemoryStore::new();
    let mut changes = ChangeSet::new(tenant_id());
    changes.push(Write::InsertTenant(tenant(status)));
    for w in writes {
        changes.push(w);
    }
    run(store.commit(changes)).expect("the seed commits");
    store
}

/// A unit of work that commits to a memory store and records each change set
/// that committed.
pub(super) struct Recording<'a> {
    store: &'a MemoryStore,
    log: Mutex<Vec<ChangeSet>>,
    race: Mutex<Option<ChangeSet>>,
}

impl<'a> Recording<'a> {
    pub(super) fn new(store: &'a MemoryStore) -> Self {
        Self {
            store,
            log: Mutex::new(Vec::new()),
            race: Mutex::new(None),
        }
    }

    /// A recording unit of work that commits `other` just before the first
    /// change set, as a concurrent writer would (not recorded).
    pub(super) fn racing(store: &'a MemoryStore, other: ChangeSet) -> Self {
        Self {
            race: Mutex::new(Some(other)),
            ..Self::new(store)
        }
    }

    /// The change sets committed so far.
    pub(super) fn commits(&self) -> Vec<ChangeSet> {
        self.log.lock().expect("not poisoned").clone()
    }
}

#[async_trait]
impl UnitOfWork for Recording<'_> {
    async fn commit(&self, changes: ChangeSet) -> Result<(), StoreError> {
        let race = self.race.lock().expect("not poisoned").take();
        if let Some(other) = race {
            self.store
                .commit(other)
                .await
                .expect("the racing write commits");
        }
        self.store.commit(changes.clone()).await?;
        self.log.lock().expect("not poisoned").push(changes);
        Ok(())
    }
}

/// The memory store's employees and references, recording the single
/// employees and references read and the references `named_employees` was told
/// to ignore, and listing references a page of at most `page` at a time.
pub(super) struct Watched<'a> {
    store: &'a MemoryStore,
    pub(super) employees: Mutex<Vec<EmployeeId>>,
    pub(super) references: Mutex<Vec<ReferenceId>>,
    pub(super) ignored: Mutex<Vec<BTreeSet<ReferenceId>>>,
    page: u16,
}

impl<'a> Watched<'a> {
    pub(super) fn new(store: &'a MemoryStore) -> Self {
        Self {
            store,
            employees: Mutex::new(Vec::new()),
            references: Mutex::new(Vec::new()),
            ignored: Mutex::new(Vec::new()),
            page: PageRequest::MAX_LIMIT,
        }
    }

    /// Lists references at most `page` at a time, whatever was asked for.
    pub(super) fn paging_by(self, page: u16) -> Self {
        Self { page, ..self }
    }
}

#[async_trait]
impl EmployeeStore for Watched<'_> {
    async fn employee(
        &self,
        tenant: TenantId,
        id: EmployeeId,
    ) -> Result<Option<Versioned<Employee>>, StoreError> {
        self.employees.lock().unwrap().push(id);
        self.store.employee(tenant, id).await
    }

    async fn employees(
        &self,
        tenant: TenantId,
        scope: &ReferenceScope,
        page: PageRequest,
    ) -> Result<Page<Employee>, StoreError> {
        self.store.employees(tenant, scope, page).await
    }

    async fn org_values(
        &self,
        tenant: TenantId,
        scope: &ReferenceScope,
    ) -> Result<crate::ports::OrgValues, StoreError> {
        self.store.org_values(tenant, scope).await
    }

    async fn retention_facts(&self, tenant: TenantId) -> Result<Vec<EmployeeFacts>, StoreError> {
        EmployeeStore::retention_facts(self.store, tenant).await
    }
}

#[async_trait]
impl ReferenceStore for Watched<'_> {
    async fn reference(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Option<Versioned<Reference>>, StoreError> {
        self.references.lock().unwrap().push(id);
        self.store.reference(tenant, id).await
    }

    async fn references(
        &self,
        filter: &VisibilityFilter,
        query: &ReferenceQuery,
        page: PageRequest,
    ) -> Result<Page<ReferenceSummary>, StoreError> {
        let smaller = PageRequest::new(page.after, self.page);
        self.store.references(filter, query, smaller).await
    }

    async fn count(
        &self,
        filter: &VisibilityFilter,
        query: &ReferenceQuery,
    ) -> Result<u64, StoreError> {
        self.store.count(filter, query).await
    }

    async fn retention_facts(&self, tenant: TenantId) -> Result<Vec<ReferenceFacts>, StoreError> {
        ReferenceStore::retention_facts(self.store, tenant).await
    }

    async fn named_employees(
        &self,
        tenant: TenantId,
        ignoring: &BTreeSet<ReferenceId>,
    ) -> Result<BTreeSet<EmployeeId>, StoreError> {
        self.ignored.lock().unwrap().push(ignoring.clone());
        self.store.named_employees(tenant, ignoring).await
    }

    async fn status_history(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Vec<StatusChange>, StoreError> {
        self.store.status_history(tenant, id).await
    }

    async fn change_log(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Vec<ChangeLogEntry>, StoreError> {
        self.store.change_log(tenant, id).await
    }
}

/// The events of the tenant's audit log, oldest first.
pub(super) fn logged(store: &MemoryStore) -> Vec<crate::audit::AuditEvent> {
    let page = run(store.entries(
        tenant_id(),
        &AuditQuery::default(),
        PageRequest::new(None, PageRequest::MAX_LIMIT),
    ))
    .expect("the audit log reads");
    let mut entries = page.items;
    entries.sort_by_key(|e| e.seq);
    entries.into_iter().map(|e| e.event).collect()
}

/// The actions of the tenant's audit log, oldest first.
pub(super) fn logged_actions(store: &MemoryStore) -> Vec<crate::audit::AuditAction> {
    logged(store).into_iter().map(|e| e.action).collect()
}

/// Settings with change tracking on or off, the rest default.
pub(super) fn tracking(on: bool) -> crate::settings::TenantSettings {
    let mut s = crate::settings::TenantSettings::default();
    s.privacy.change_tracking = on;
    s
}

/// Organisational attributes with only a location.
pub(super) fn located_in(location: &str) -> crate::employee::OrgAttributes {
    crate::employee::OrgAttributes {
        location: Some(crate::values::Name::new(location).expect("valid location")),
        ..crate::employee::OrgAttributes::default()
    }
}

/// A reference scope restricted to one location.
pub(super) fn scope_of(location: &str) -> crate::scope::ReferenceScope {
    crate::scope::ReferenceScope::Restricted(
        crate::scope::Restriction::unrestricted()
            .allow(crate::scope::Criterion::Location, [location])
            .expect("valid restriction"),
    )
}

/// The audit events of a change set.
pub(super) fn audit_events(cs: &ChangeSet) -> Vec<crate::audit::AuditEvent> {
    cs.writes()
        .iter()
        .filter_map(|w| match w {
            Write::AppendAudit(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

/// A unit of work that fails the test if anything is committed.
pub(super) fn no_commit() -> MockUnitOfWork {
    let mut uow = MockUnitOfWork::new();
    uow.expect_commit().never();
    uow
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
