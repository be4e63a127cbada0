use std::collections::BTreeSet;

use time::macros::date;
use time::{Date, Duration};

use super::*;
use crate::audit::AuditAction;
use crate::employee::Employee;
use crate::id::UserId;
use crate::id::{EmployeeId, ReferenceId};
use crate::ports::{EmployeeStore as _, Precondition, ReferenceStore};
use crate::reference::{Reference, ReferenceKind};
use crate::retention::{KeepReason, RetentionPeriod};
use crate::services::retention::{BATCH, RetentionService};
use crate::settings::{PrivacySettings, TenantSettings};
use crate::values::Timestamp;

/// The memory store with the tenant's privacy settings, employees and
/// references.
struct World {
    store: MemoryStore,
}

fn rid(n: u16) -> ReferenceId {
    let mut b = [0u8; 16];
    b[..2].copy_from_slice(&n.to_be_bytes());
    ReferenceId::from_bytes(b)
}

fn eid(n: u8) -> EmployeeId {
    EmployeeId::from_bytes([n; 16])
}

/// Employee `n`, who left on `exit_date` (if at all).
fn leaver(n: u8, exit_date: Option<Date>) -> Employee {
    let mut e = person(n, "Erika", "Muster");
    e.employment.exit_date = exit_date;
    e
}

/// Reference `n` of employee `of`, of `kind`, in its status `since`.
fn reference(n: u16, of: u8, kind: ReferenceKind, since: Timestamp) -> Reference {
    Reference {
        kind,
        status_since: since,
        ..draft(rid(n), eid(of), UserId::from_bytes([0x66; 16]))
    }
}

impl World {
    fn new(privacy: PrivacySettings, refs: Vec<Reference>, employees: Vec<Employee>) -> Self {
        let settings = TenantSettings {
            privacy,
            ..Default::default()
        };
        let mut writes = vec![Write::SaveSettings(settings, None)];
        writes.extend(employees.into_iter().map(Write::InsertEmployee));
        writes.extend(refs.into_iter().map(Write::InsertReference));
        Self {
            store: seeded(writes),
        }
    }

    fn sweep(
        &self,
    ) -> (
        Result<crate::services::retention::SweepReport, StoreError>,
        Vec<ChangeSet>,
    ) {
        self.sweep_with(&Recording::new(&self.store))
    }

    /// Sweeps, committing through `uow`; returns the report and what `uow`
    /// committed. The sweep asks which employees are named ignoring exactly the
    /// references it deleted.
    fn sweep_with(
        &self,
        uow: &Recording<'_>,
    ) -> (
        Result<crate::services::retention::SweepReport, StoreError>,
        Vec<ChangeSet>,
    ) {
        let watched = Watched::new(&self.store);
        let clock = clock_at(t0());
        let service = RetentionService {
            tenants: &self.store,
            settings: &self.store,
            references: &watched,
            employees: &self.store,
            uow,
            clock: &clock,
        };
        let report = run(service.sweep(tenant_id()));
        if let Ok(report) = &report {
            let deleted: BTreeSet<_> = report.references_deleted.iter().copied().collect();
            for ignoring in watched.ignored.lock().unwrap().iter() {
                assert_eq!(ignoring, &deleted, "ignores what it deleted");
            }
        }
        (report, uow.commits())
    }

    fn references(&self) -> Vec<ReferenceId> {
        let facts = run(ReferenceStore::retention_facts(&self.store, tenant_id())).unwrap();
        facts.into_iter().map(|f| f.id).collect()
    }

    fn employee_stored(&self, id: EmployeeId) -> bool {
        run(self.store.employee(tenant_id(), id)).unwrap().is_some()
    }
}

#[test]
fn with_no_periods_set_only_the_audit_log_is_trimmed() {
    let refs = vec![reference(
        1,
        1,
        ReferenceKind::Final,
        t0() - Duration::days(5000),
    )];
    let world = World::new(PrivacySettings::default(), refs, vec![leaver(1, None)]);
    let (r, c) = world.sweep();
    let r = r.unwrap();
    assert!(r.references_deleted.is_empty() && r.employees_deleted.is_empty());
    assert_eq!(c.len(), 1);
    assert_eq!(
        c[0].writes(),
        &[
            Write::PurgeAuditBefore(t0() - Duration::days(60)),
            Write::PurgeExpired {
                now: t0(),
                idle_since: t0() - Duration::hours(24),
            }
        ]
    );
    assert_eq!(world.references(), vec![rid(1)]);
}

#[test]
fn due_references_go_first_then_unnamed_employees_each_batch_with_its_audit_entry() {
    let privacy = PrivacySettings {
        interim_reference_retention: RetentionPeriod::months(12),
        employee_retention_months: Some(6),
        ..Default::default()
    };
    // Employee 2 is named by the references that stay, employee 1 only by the
    // one that goes.
    let refs = vec![
        reference(1, 1, ReferenceKind::Interim, t0() - Duration::days(400)),
        reference(2, 2, ReferenceKind::Interim, t0() - Duration::days(10)),
        reference(3, 2, ReferenceKind::Final, t0() - Duration::days(4000)),
    ];
    let employees = vec![
        leaver(1, Some(date!(2020 - 01 - 31))),
        leaver(2, Some(date!(2020 - 01 - 31))),
        leaver(3, None),
    ];
    let world = World::new(privacy, refs, employees);
    let (r, c) = world.sweep();
    let r = r.unwrap();
    assert_eq!(r.references_deleted, vec![rid(1)]);
    assert_eq!(r.employees_deleted, vec![eid(1)]);
    assert_eq!(
        r.employees_kept,
        vec![(eid(2), KeepReason::NamedByReference)]
    );
    assert_eq!(c.len(), 3);
    assert_eq!(c[0].writes()[0], Write::DeleteReference(rid(1)));
    assert_eq!(audit_actions(&c[0]), vec![AuditAction::RetentionSweep]);
    assert_eq!(c[1].writes()[0], Write::DeleteEmployee(eid(1)));
    assert_eq!(
        c[1].preconditions(),
        &[Precondition::EmployeeUnreferenced(eid(1))]
    );
    assert_eq!(audit_actions(&c[1]), vec![AuditAction::RetentionSweep]);
    assert!(matches!(c[2].writes()[0], Write::PurgeAuditBefore(_)));
    let mut left = world.references();
    left.sort();
    assert_eq!(left, vec![rid(2), rid(3)]);
    assert_eq!(
        [eid(1), eid(2), eid(3)].map(|e| world.employee_stored(e)),
        [false, true, true]
    );
    assert_eq!(
        logged_actions(&world.store),
        vec![AuditAction::RetentionSweep, AuditAction::RetentionSweep]
    );
}

#[test]
fn large_sweeps_are_split_into_batches() {
    let privacy = PrivacySettings {
        final_reference_retention: RetentionPeriod::days(1),
        ..Default::default()
    };
    let n = u16::try_from(BATCH * 2 + 50).unwrap();
    let refs = (0..n)
        .map(|i| reference(i, 1, ReferenceKind::Final, t0() - Duration::days(2)))
        .collect();
    let world = World::new(privacy, refs, vec![leaver(1, None)]);
    let (r, c) = world.sweep();
    assert_eq!(r.unwrap().references_deleted.len(), BATCH * 2 + 50);
    let sizes: Vec<_> = c
        .iter()
        .map(|cs| {
            cs.writes()
                .iter()
                .filter(|w| matches!(w, Write::DeleteReference(_)))
                .count()
        })
        .collect();
    assert_eq!(sizes, vec![BATCH, BATCH, 50, 0]);
    assert_eq!(world.references(), vec![]);
}

#[test]
fn an_unknown_tenant_is_not_swept() {
    let w = World {
        store: MemoryStore::new(),
    };
    let (r, c) = w.sweep();
    assert_eq!(r, Err(StoreError::NotFound));
    assert!(c.is_empty());
}

#[test]
fn an_employee_named_by_a_reference_made_during_the_sweep_is_kept_and_the_rest_deleted() {
    let privacy = PrivacySettings {
        employee_retention_months: Some(1),
        ..Default::default()
    };
    let employees = vec![
        leaver(1, Some(date!(2020 - 01 - 31))),
        leaver(2, Some(date!(2020 - 01 - 31))),
    ];
    let w = World::new(privacy, vec![], employees);
    // Between reading the facts and deleting, someone writes a reference of
    // employee 2.
    let mut meanwhile = ChangeSet::new(tenant_id());
    meanwhile.push(Write::InsertReference(reference(
        9,
        2,
        ReferenceKind::Final,
        t0(),
    )));
    let (report, c) = w.sweep_with(&Recording::racing(&w.store, meanwhile));
    let report = report.unwrap();
    assert_eq!(report.employees_deleted, vec![eid(1)]);
    assert_eq!(
        report.employees_kept,
        vec![(eid(2), KeepReason::NamedByReference)]
    );
    assert_eq!(c[0].writes()[0], Write::DeleteEmployee(eid(1)));
    assert!(matches!(
        c.last().map(|cs| &cs.writes()[0]),
        Some(Write::PurgeAuditBefore(_))
    ));
    assert_eq!(
        [eid(1), eid(2)].map(|e| w.employee_stored(e)),
        [false, true]
    );
}
