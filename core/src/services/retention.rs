//! The retention sweep: deletes what the tenant's deletion policies make due.
//!
//! References past their period go first (with their change logs, status
//! histories and handovers — the storage adapter deletes those with them); then
//! employee records past their period that no remaining reference names; then
//! audit entries past retention. Deletions go out in batches of
//! [`BATCH`]; each batch is one transaction together with the audit entry that
//! records it, and each employee deletion carries the precondition that no
//! reference names the employee, so a reference created meanwhile keeps the record.
//! A sweep that stops half way is simply resumed by the next run.

use std::collections::BTreeSet;

use crate::audit::{AuditAction, AuditActor, AuditEvent, AuditTarget};
use crate::id::{EmployeeId, ReferenceId, TenantId};
use crate::ports::{
    ChangeSet, Clock, EmployeeStore, Precondition, ReferenceStore, SettingsStore, StoreError,
    TenantStore, UnitOfWork, Write,
};
use crate::retention::{KeepReason, audit_cutoff, employees_due, references_due};
use crate::settings::SessionTimeouts;
use crate::values::Timestamp;

/// Records deleted per transaction.
pub const BATCH: usize = 200;

/// What a sweep did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SweepReport {
    /// References deleted.
    pub references_deleted: Vec<ReferenceId>,
    /// Employee records deleted.
    pub employees_deleted: Vec<EmployeeId>,
    /// Employee records past their period kept, with the reason.
    pub employees_kept: Vec<(EmployeeId, KeepReason)>,
    /// Audit entries before this instant were deleted.
    pub audit_cutoff: Option<Timestamp>,
}

/// The retention use case.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct RetentionService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// Settings.
    pub settings: &'a dyn SettingsStore,
    /// References.
    pub references: &'a dyn ReferenceStore,
    /// Employees.
    pub employees: &'a dyn EmployeeStore,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
}

impl RetentionService<'_> {
    /// Sweeps one tenant.
    ///
    /// # Errors
    /// [`StoreError`] of the first batch that failed; earlier batches stay done.
    /// An unknown or deleted tenant is [`StoreError::NotFound`].
    pub async fn sweep(&self, tenant: TenantId) -> Result<SweepReport, StoreError> {
        let t = self
            .tenants
            .tenant(tenant)
            .await?
            .ok_or(StoreError::NotFound)?;
        t.ensure_readable().map_err(|_| StoreError::NotFound)?;
        let now = self.clock.now();
        let settings = self.settings.settings(tenant).await?.value.privacy;
        let mut report = SweepReport::default();

        let ref_facts = self.references.retention_facts(tenant).await?;
        let due_refs = references_due(&ref_facts, &settings, now);
        for batch in due_refs.chunks(BATCH) {
            let mut changes = ChangeSet::new(tenant);
            for id in batch {
                changes.push(Write::DeleteReference(*id));
            }
            changes.push(Write::AppendAudit(sweep_event(
                tenant,
                now,
                "references",
                batch.len(),
            )));
            self.uow.commit(changes).await?;
            report.references_deleted.extend_from_slice(batch);
        }

        if settings.employee_retention_months.is_some() {
            let ignoring: BTreeSet<ReferenceId> = due_refs.iter().copied().collect();
            let named = self.references.named_employees(tenant, &ignoring).await?;
            let facts = self.employees.retention_facts(tenant).await?;
            let decision = employees_due(
                &facts,
                &named,
                settings.employee_retention_months,
                now.date(),
            );
            report.employees_kept = decision.kept;
            for batch in decision.due.chunks(BATCH) {
                let mut pending: Vec<EmployeeId> = batch.to_vec();
                // A reference created since the facts were read refuses the batch;
                // keep that employee and retry the rest.
                while !pending.is_empty() {
                    let mut changes = ChangeSet::new(tenant);
                    for id in &pending {
                        changes.push(Write::DeleteEmployee(*id));
                    }
                    changes.push(Write::AppendAudit(sweep_event(
                        tenant,
                        now,
                        "employees",
                        pending.len(),
                    )));
                    match self.uow.commit(changes).await {
                        Ok(()) => {
                            report.employees_deleted.append(&mut pending);
                        }
                        Err(StoreError::PreconditionFailed(
                            Precondition::EmployeeUnreferenced(id),
                        )) if pending.contains(&id) => {
                            pending.retain(|p| *p != id);
                            report
                                .employees_kept
                                .push((id, KeepReason::NamedByReference));
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }

        let cutoff = audit_cutoff(settings.audit_retention, now);
        let mut changes = ChangeSet::new(tenant);
        changes
            .push(Write::PurgeAuditBefore(cutoff))
            .push(Write::PurgeExpired {
                now,
                idle_since: now.saturating_sub(SessionTimeouts::MAX_IDLE),
            });
        self.uow.commit(changes).await?;
        report.audit_cutoff = Some(cutoff);
        Ok(report)
    }
}

fn sweep_event(tenant: TenantId, now: Timestamp, what: &str, count: usize) -> AuditEvent {
    AuditEvent::new(
        Some(tenant),
        now,
        AuditActor::System,
        AuditAction::RetentionSweep,
        AuditTarget::Tenant(tenant),
    )
    .with_detail(&format!("deleted {count} {what}"))
}
