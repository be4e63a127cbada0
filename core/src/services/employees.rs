//! Employee master data: list, read, create, change, delete (area Employees).
//!
//! Reading needs read access to Employees, changing needs read+write. The
//! actor's reference scope bounds the employees too: an employee whose
//! organisational attributes lie outside it does not exist for the actor, and
//! nobody creates or moves an employee out of their own scope. Audit entries
//! name the changed fields, never their values.

use std::net::IpAddr;

use crate::access::{AccessLevel, Area};
use crate::audit::{AuditAction, AuditTarget, FieldChange};
use crate::authz::{AccessError, Actor, Visible};
use crate::employee::{Contact, Employee, Employment, OrgAttributes, OrgValue, PersonalData};
use crate::id::EmployeeId;
use crate::ports::{
    ChangeSet, Clock, EmployeeStore, OrgValues, Page, PageRequest, Precondition, RandomSource,
    StoreError, TenantStore, UnitOfWork, Versioned, Write, random_bytes,
};
use crate::scope::Criterion;
use crate::tenant::TenantError;

use super::audit_by;
use super::references::ReferenceError;

/// An employee record as entered (everything but id and tenant).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmployeeInput {
    /// Personal data.
    pub personal: PersonalData,
    /// Contact data.
    #[serde(default)]
    pub contact: Contact,
    /// Employment data.
    #[serde(default)]
    pub employment: Employment,
    /// Organisational attributes.
    #[serde(default)]
    pub org: OrgAttributes,
}

/// Employee use cases.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct EmployeeService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// Employees.
    pub employees: &'a dyn EmployeeStore,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
    /// Randomness (ids).
    pub random: &'a dyn RandomSource,
}

/// The names of the field groups that differ (for the audit entry).
fn changed_fields(before: &Employee, after: &Employee) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    let p = (&before.personal, &after.personal);
    for (name, differs) in [
        ("salutation", p.0.salutation != p.1.salutation),
        ("first_name", p.0.first_name != p.1.first_name),
        ("last_name", p.0.last_name != p.1.last_name),
        ("title", p.0.title != p.1.title),
        ("birth_date", p.0.birth_date != p.1.birth_date),
        ("birth_place", p.0.birth_place != p.1.birth_place),
        ("contact", before.contact != after.contact),
        ("employment", before.employment != after.employment),
        ("company", before.org.company != after.org.company),
        ("location", before.org.location != after.org.location),
        ("department", before.org.department != after.org.department),
        ("unit", before.org.unit != after.org.unit),
        (
            "employee_type",
            before.org.employee_type != after.org.employee_type,
        ),
    ] {
        if differs {
            changes.push(FieldChange::new(name, None, None));
        }
    }
    changes
}

impl EmployeeService<'_> {
    async fn readable(&self, actor: &Actor) -> Result<(), ReferenceError> {
        actor.require(Area::Employees, AccessLevel::Read)?;
        self.tenants
            .tenant(actor.tenant())
            .await?
            .ok_or(ReferenceError::Tenant(TenantError::Deleted))?
            .ensure_readable()?;
        Ok(())
    }

    async fn writable(&self, actor: &Actor) -> Result<(), ReferenceError> {
        actor.require(Area::Employees, AccessLevel::ReadWrite)?;
        self.tenants
            .tenant(actor.tenant())
            .await?
            .ok_or(ReferenceError::Tenant(TenantError::Deleted))?
            .ensure_writable()?;
        Ok(())
    }

    /// The employee if it exists for the actor (through the actor's
    /// visibility filter: same tenant, in scope).
    async fn load(
        &self,
        actor: &Actor,
        id: EmployeeId,
    ) -> Result<Versioned<Visible<Employee>>, ReferenceError> {
        let found = self
            .employees
            .employee(actor.tenant(), id)
            .await?
            .ok_or(ReferenceError::Access(AccessError::NotFound))?;
        Ok(Versioned {
            value: actor.visibility().admit_employee(found.value)?,
            version: found.version,
        })
    }

    /// The employees in the actor's scope, ordered by id.
    ///
    /// # Errors
    /// [`ReferenceError::Access`] without read access to Employees.
    pub async fn list(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<Visible<Employee>>, ReferenceError> {
        self.list_at(actor, &[], page).await
    }

    /// The employees in the actor's scope at the given places (each a
    /// criterion and the value it must have), ordered by id: a filter on top
    /// of the scope, never wider than it.
    ///
    /// # Errors
    /// [`ReferenceError::Access`] without read access to Employees.
    pub async fn list_at(
        &self,
        actor: &Actor,
        places: &[(Criterion, OrgValue)],
        page: PageRequest,
    ) -> Result<Page<Visible<Employee>>, ReferenceError> {
        self.readable(actor).await?;
        let filter = actor.visibility();
        let mut scope = filter.scope().clone();
        for (criterion, value) in places {
            match scope.narrowed(*criterion, value) {
                Some(narrower) => scope = narrower,
                None => {
                    return Ok(Page {
                        items: Vec::new(),
                        next: None,
                    });
                }
            }
        }
        let page = self
            .employees
            .employees(actor.tenant(), &scope, page)
            .await?;
        // The store's query applies the scope; the filter checks every record
        // again, so a query that let one through too many shows nothing of it.
        Ok(Page {
            items: page
                .items
                .into_iter()
                .filter_map(|e| filter.admit_employee(e).ok())
                .collect(),
            next: page.next,
        })
    }

    /// The employees in the actor's scope whose name ("first last") contains
    /// `text` (case-insensitive), ordered by id, at most `limit`. Names are
    /// encrypted at rest, so the search reads the visible records; it never
    /// looks at one outside the scope.
    ///
    /// # Errors
    /// [`ReferenceError::Invalid`] for a search text under two characters;
    /// [`ReferenceError::Access`].
    pub async fn search(
        &self,
        actor: &Actor,
        text: &str,
        limit: u16,
    ) -> Result<Vec<Visible<Employee>>, ReferenceError> {
        self.search_at(actor, text, &[], limit).await
    }

    /// [`EmployeeService::search`] among the employees at the given places
    /// (as [`EmployeeService::list_at`]).
    ///
    /// # Errors
    /// As [`EmployeeService::search`].
    pub async fn search_at(
        &self,
        actor: &Actor,
        text: &str,
        places: &[(Criterion, OrgValue)],
        limit: u16,
    ) -> Result<Vec<Visible<Employee>>, ReferenceError> {
        self.readable(actor).await?;
        let needle = text.trim().to_lowercase();
        if needle.chars().count() < 2 {
            return Err(ReferenceError::invalid(
                Some("q"),
                "the search text needs at least two characters",
            ));
        }
        let limit = usize::from(limit.clamp(1, PageRequest::MAX_LIMIT));
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let page = self
                .list_at(
                    actor,
                    places,
                    PageRequest::new(after, PageRequest::MAX_LIMIT),
                )
                .await?;
            for e in page.items {
                let p = &e.personal;
                let name = format!("{} {}", p.first_name.as_str(), p.last_name.as_str());
                if name.to_lowercase().contains(&needle) {
                    out.push(e);
                    if out.len() >= limit {
                        return Ok(out);
                    }
                }
            }
            match page.next {
                Some(c) => after = Some(c),
                None => return Ok(out),
            }
        }
    }

    /// The values of the scope criteria (company, location, department, …)
    /// among the employees the actor may see: what the overview's filters
    /// offer, never a value from outside the scope.
    ///
    /// # Errors
    /// [`ReferenceError::Access`] without read access to Employees.
    pub async fn org_values(&self, actor: &Actor) -> Result<OrgValues, ReferenceError> {
        self.readable(actor).await?;
        let filter = actor.visibility();
        Ok(self
            .employees
            .org_values(actor.tenant(), filter.scope())
            .await?)
    }

    /// One employee.
    ///
    /// # Errors
    /// [`AccessError::NotFound`] when it does not exist for the actor.
    pub async fn get(
        &self,
        actor: &Actor,
        id: EmployeeId,
    ) -> Result<Versioned<Visible<Employee>>, ReferenceError> {
        self.readable(actor).await?;
        self.load(actor, id).await
    }

    fn in_scope(actor: &Actor, org: &OrgAttributes) -> Result<(), ReferenceError> {
        if actor.scope().covers(org) {
            Ok(())
        } else {
            Err(ReferenceError::OutsideScope)
        }
    }

    /// Creates an employee.
    ///
    /// # Errors
    /// [`ReferenceError::Invalid`] for inconsistent dates;
    /// [`ReferenceError::OutsideScope`] when the organisation lies outside the
    /// actor's scope.
    pub async fn create(
        &self,
        actor: &Actor,
        input: EmployeeInput,
        source_ip: Option<IpAddr>,
    ) -> Result<Employee, ReferenceError> {
        self.writable(actor).await?;
        let employee = Employee {
            id: EmployeeId::from_random(random_bytes(self.random)),
            tenant: actor.tenant(),
            personal: input.personal,
            contact: input.contact,
            employment: input.employment,
            org: input.org,
        };
        employee
            .validate()
            .map_err(|e| ReferenceError::invalid(Some(e.field()), e.to_string()))?;
        Self::in_scope(actor, &employee.org)?;
        let mut event =
            audit_by(actor, self.clock.now(), AuditAction::EmployeeCreated).from_ip(source_ip);
        event.target = AuditTarget::Employee(employee.id);
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::InsertEmployee(employee.clone()))
            .push(Write::AppendAudit(event));
        self.uow.commit(cs).await?;
        Ok(employee)
    }

    /// Replaces an employee's data. New organisational attributes reach the
    /// employee's references in the same transaction (scopes filter on them).
    ///
    /// # Errors
    /// As [`EmployeeService::create`]; [`ReferenceError::Conflict`] when the
    /// record changed since `version` was read.
    pub async fn update(
        &self,
        actor: &Actor,
        id: EmployeeId,
        input: EmployeeInput,
        version: Option<crate::ports::Version>,
        source_ip: Option<IpAddr>,
    ) -> Result<Versioned<Visible<Employee>>, ReferenceError> {
        self.writable(actor).await?;
        let current = self.load(actor, id).await?;
        if let Some(v) = version
            && v != current.version
        {
            return Err(ReferenceError::Conflict(
                "the employee was changed by someone else meanwhile; reload and try again".into(),
            ));
        }
        let employee = Employee {
            id,
            tenant: actor.tenant(),
            personal: input.personal,
            contact: input.contact,
            employment: input.employment,
            org: input.org,
        };
        employee
            .validate()
            .map_err(|e| ReferenceError::invalid(Some(e.field()), e.to_string()))?;
        Self::in_scope(actor, &employee.org)?;
        let changes = changed_fields(&current.value, &employee);
        if changes.is_empty() {
            return Ok(current);
        }
        let mut event =
            audit_by(actor, self.clock.now(), AuditAction::EmployeeChanged).from_ip(source_ip);
        event.target = AuditTarget::Employee(id);
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::UpdateEmployee(employee.clone(), current.version))
            .push(Write::AppendAudit(event.with_changes(changes)));
        self.uow.commit(cs).await?;
        self.load(actor, id).await
    }

    /// Deletes an employee record, refused while a reference names the employee.
    ///
    /// # Errors
    /// [`ReferenceError::StillNamed`]; [`AccessError::NotFound`].
    pub async fn delete(
        &self,
        actor: &Actor,
        id: EmployeeId,
        source_ip: Option<IpAddr>,
    ) -> Result<(), ReferenceError> {
        self.writable(actor).await?;
        self.load(actor, id).await?;
        let mut event =
            audit_by(actor, self.clock.now(), AuditAction::EmployeeDeleted).from_ip(source_ip);
        event.target = AuditTarget::Employee(id);
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::DeleteEmployee(id))
            .push(Write::AppendAudit(event));
        match self.uow.commit(cs).await {
            Err(StoreError::PreconditionFailed(Precondition::EmployeeUnreferenced(_))) => {
                Err(ReferenceError::StillNamed)
            }
            other => Ok(other?),
        }
    }
}
