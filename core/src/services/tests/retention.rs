use std::collections::BTreeSet;

use time::Duration;
use time::macros::date;

use super::*;
use crate::audit::AuditAction;
use crate::id::{EmployeeId, ReferenceId};
use crate::ports::{
    MockEmployeeStore, MockReferenceStore, MockSettingsStore, MockTenantStore, Precondition,
    Version, Versioned,
};
use crate::reference::ReferenceKind;
use crate::retention::{EmployeeFacts, KeepReason, ReferenceFacts, RetentionPeriod};
use crate::services::retention::{BATCH, RetentionService};
use crate::settings::{PrivacySettings, TenantSettings};

struct World {
    tenants: MockTenantStore,
    settings: MockSettingsStore,
    references: MockReferenceStore,
    employees: MockEmployeeStore,
}

fn rid(n: u16) -> ReferenceId {
    let mut b = [0u8; 16];
    b[..2].copy_from_slice(&n.to_be_bytes());
    ReferenceId::from_bytes(b)
}

fn eid(n: u8) -> EmployeeId {
    EmployeeId::from_bytes([n; 16])
}

impl World {
    fn new(
        privacy: PrivacySettings,
        refs: Vec<ReferenceFacts>,
        employees: Vec<EmployeeFacts>,
        named: Vec<EmployeeId>,
    ) -> Self {
        let tenants = active_tenant();
        let mut settings = MockSettingsStore::new();
        settings.expect_settings().returning(move |_| {
            Ok(Versioned {
                value: TenantSettings {
                    privacy: privacy.clone(),
                    ..Default::default()
                },
                version: Version(1),
            })
        });
        let mut references = MockReferenceStore::new();
        let due_ids: BTreeSet<_> = refs.iter().map(|r| r.id).collect();
        references
            .expect_retention_facts()
            .returning(move |_| Ok(refs.clone()));
        references
            .expect_named_employees()
            .returning(move |_, ignoring| {
                // The sweep must ignore exactly the references it deletes.
                assert!(ignoring.is_subset(&due_ids));
                Ok(named.iter().copied().collect())
            });
        let mut emp = MockEmployeeStore::new();
        emp.expect_retention_facts()
            .returning(move |_| Ok(employees.clone()));
        Self {
            tenants,
            settings,
            references,
            employees: emp,
        }
    }

    fn sweep(
        &self,
    ) -> (
        Result<crate::services::retention::SweepReport, StoreError>,
        Vec<ChangeSet>,
    ) {
        self.sweep_answering(vec![])
    }

    /// Sweeps with a unit of work that answers its commits with `answers` in turn.
    fn sweep_answering(
        &self,
        answers: Vec<Result<(), StoreError>>,
    ) -> (
        Result<crate::services::retention::SweepReport, StoreError>,
        Vec<ChangeSet>,
    ) {
        let (uow, log) = recording_uow(answers);
        let clock = clock_at(t0());
        let service = RetentionService {
            tenants: &self.tenants,
            settings: &self.settings,
            references: &self.references,
            employees: &self.employees,
            uow: &uow,
            clock: &clock,
        };
        (run(service.sweep(tenant_id())), commits(&log))
    }
}

#[test]
fn with_no_periods_set_only_the_audit_log_is_trimmed() {
    let refs = vec![ReferenceFacts {
        id: rid(1),
        kind: ReferenceKind::Final,
        since: t0() - Duration::days(5000),
    }];
    let (r, c) = World::new(PrivacySettings::default(), refs, vec![], vec![]).sweep();
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
}

#[test]
fn due_references_go_first_then_unnamed_employees_each_batch_with_its_audit_entry() {
    let privacy = PrivacySettings {
        interim_reference_retention: RetentionPeriod::months(12),
        employee_retention_months: Some(6),
        ..Default::default()
    };
    let refs = vec![
        ReferenceFacts {
            id: rid(1),
            kind: ReferenceKind::Interim,
            since: t0() - Duration::days(400),
        },
        ReferenceFacts {
            id: rid(2),
            kind: ReferenceKind::Interim,
            since: t0() - Duration::days(10),
        },
        ReferenceFacts {
            id: rid(3),
            kind: ReferenceKind::Final,
            since: t0() - Duration::days(4000),
        },
    ];
    let employees = vec![
        EmployeeFacts {
            id: eid(1),
            exit_date: Some(date!(2020 - 01 - 31)),
        },
        EmployeeFacts {
            id: eid(2),
            exit_date: Some(date!(2020 - 01 - 31)),
        },
        EmployeeFacts {
            id: eid(3),
            exit_date: None,
        },
    ];
    let (r, c) = World::new(privacy, refs, employees, vec![eid(2)]).sweep();
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
}

#[test]
fn large_sweeps_are_split_into_batches() {
    let privacy = PrivacySettings {
        final_reference_retention: RetentionPeriod::days(1),
        ..Default::default()
    };
    let n = u16::try_from(BATCH * 2 + 50).unwrap();
    let refs = (0..n)
        .map(|i| ReferenceFacts {
            id: rid(i),
            kind: ReferenceKind::Final,
            since: t0() - Duration::days(2),
        })
        .collect();
    let (r, c) = World::new(privacy, refs, vec![], vec![]).sweep();
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
}

#[test]
fn an_unknown_tenant_is_not_swept() {
    let mut w = World::new(PrivacySettings::default(), vec![], vec![], vec![]);
    w.tenants.checkpoint();
    w.tenants.expect_tenant().returning(|_| Ok(None));
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
        EmployeeFacts {
            id: eid(1),
            exit_date: Some(date!(2020 - 01 - 31)),
        },
        EmployeeFacts {
            id: eid(2),
            exit_date: Some(date!(2020 - 01 - 31)),
        },
    ];
    let w = World::new(privacy, vec![], employees, vec![]);
    let (report, c) = w.sweep_answering(vec![Err(StoreError::PreconditionFailed(
        Precondition::EmployeeUnreferenced(eid(2)),
    ))]);
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
}
