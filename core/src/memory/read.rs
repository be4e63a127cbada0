//! The read side of the [`MemoryStore`]: every store port, bounded by the tenant.

use std::collections::BTreeSet;
use std::fmt::Display;
use std::ops::Bound;
use std::str::FromStr;

use async_trait::async_trait;

use crate::access::Role;
use crate::action::PendingAction;
use crate::audit::AuditEntry;
use crate::authz::{VisibilityFacts, VisibilityFilter};
use crate::document::LetterFormatting;
use crate::employee::Employee;
use crate::handover::Handover;
use crate::id::{ChallengeId, EmployeeId, ReferenceId, RoleId, TenantId, UserId};
use crate::otp::CodeChallenge;
use crate::phrases::PhraseLibrary;
use crate::ports::{
    ActionStore, AuditLog, AuditQuery, ChallengeStore, CredentialStore, Cursor, EmployeeStore,
    HandoverStore, LibraryStore, OrgValues, Page, PageRequest, PasswordHash, ReferenceOrder,
    ReferencePosition, ReferenceQuery, ReferenceStore, ReferenceSummary, RoleStore,
    SecondFactorStore, SessionStore, SettingsStore, StoreError, TenantStore, UserStore, Version,
    Versioned,
};
use crate::reference::{ChangeLogEntry, Reference, StatusChange};
use crate::retention::{EmployeeFacts, ReferenceFacts};
use crate::scope::{Criterion, ReferenceScope};
use crate::second_factor::SecondFactors;
use crate::session::Session;
use crate::settings::TenantSettings;
use crate::tenant::Tenant;
use crate::token::{HandoverId, TokenHash};
use crate::user::{SsoIdentity, User};
use crate::values::{Email, Slug};

use super::MemoryStore;
use super::state::{Key, Row, hash_key};

/// The tenant's records of a map keyed by `(tenant, id)`, in id order.
fn of_tenant<I: Copy, T>(
    map: &std::collections::BTreeMap<Key<I>, T>,
    t: TenantId,
) -> impl Iterator<Item = (I, &T)> {
    map.iter()
        .filter(move |((tenant, _), _)| *tenant == t)
        .map(|((_, id), v)| (*id, v))
}

/// Takes up to `limit + 1` rows and turns the extra one into "there is a next
/// page", continuing after the last row handed out.
fn paged<T>(rows: impl Iterator<Item = (Cursor, T)>, limit: u16) -> Page<T> {
    let limit = usize::from(limit);
    let mut rows: Vec<(Cursor, T)> = rows.take(limit.saturating_add(1)).collect();
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(|(c, _)| c.clone())
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(|(_, t)| t).collect(),
        next,
    }
}

/// A page of an id-ordered list: the cursor is the last id handed out.
fn paged_by_id<'a, I, R: 'a, T>(
    rows: impl Iterator<Item = (I, &'a R)>,
    page: &PageRequest,
    item: impl Fn(&R) -> T,
) -> Result<Page<T>, StoreError>
where
    I: Copy + Ord + Display + FromStr,
{
    let after = page
        .after
        .as_ref()
        .map(|c| I::from_str(&c.0).map_err(|_| StoreError::InvalidCursor))
        .transpose()?;
    let rows = rows
        .filter(|(id, _)| after.is_none_or(|a| *id > a))
        .map(|(id, r)| (Cursor(id.to_string()), item(r)));
    Ok(paged(rows, page.limit()))
}

fn versioned<T: Clone>(row: Option<&Row<T>>) -> Option<Versioned<T>> {
    row.map(Row::versioned)
}

/// A reference's place in the overview in `order`.
fn position(r: &Reference, order: ReferenceOrder) -> ReferencePosition {
    ReferencePosition::of(&summary(r), order)
}

/// Whether the overview shows a reference: the visibility rule, then the filters.
fn listed(filter: &VisibilityFilter, query: &ReferenceQuery, r: &Reference) -> bool {
    filter.admits(VisibilityFacts::from(r))
        && query.status.is_none_or(|s| s == r.status)
        && query.kind.is_none_or(|k| k == r.kind)
        && query.employee.is_none_or(|e| e == r.employee)
        && [
            (&query.company, &r.org.company),
            (&query.location, &r.org.location),
            (&query.department, &r.org.department),
        ]
        .into_iter()
        .all(|(wanted, has)| wanted.is_none() || wanted == has)
}

fn summary(r: &Reference) -> ReferenceSummary {
    ReferenceSummary {
        id: r.id,
        employee: r.employee,
        kind: r.kind,
        status: r.status,
        status_since: r.status_since,
        private: r.private,
        created_by: r.created_by,
        created_at: r.created_at,
        changed_at: r.changed_at,
        org: r.org.clone(),
    }
}

/// A per-tenant document, or its default at version 0 until first saved.
fn document<T: Clone>(row: Option<&Row<T>>, default: impl FnOnce() -> T) -> Versioned<T> {
    row.map_or_else(
        || Versioned {
            value: default(),
            version: Version(0),
        },
        Row::versioned,
    )
}

#[async_trait]
impl TenantStore for MemoryStore {
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        Ok(self.read()?.tenants.get(&id).cloned())
    }

    async fn tenant_by_slug(&self, slug: &Slug) -> Result<Option<Tenant>, StoreError> {
        Ok(self
            .read()?
            .tenants
            .values()
            .find(|t| t.slug == *slug)
            .cloned())
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let mut out: Vec<Tenant> = self
            .read()?
            .tenants
            .values()
            .filter(|t| t.ensure_readable().is_ok())
            .cloned()
            .collect();
        out.sort_by(|a, b| a.slug.as_str().cmp(b.slug.as_str()));
        Ok(out)
    }
}

#[async_trait]
impl UserStore for MemoryStore {
    async fn user(
        &self,
        tenant: TenantId,
        id: UserId,
    ) -> Result<Option<Versioned<User>>, StoreError> {
        Ok(versioned(self.read()?.users.get(&(tenant, id))))
    }

    async fn user_by_email(
        &self,
        tenant: TenantId,
        email: &Email,
    ) -> Result<Option<Versioned<User>>, StoreError> {
        Ok(of_tenant(&self.read()?.users, tenant)
            .find(|(_, u)| u.value.email == *email)
            .map(|(_, u)| u.versioned()))
    }

    async fn user_by_sso(
        &self,
        tenant: TenantId,
        identity: &SsoIdentity,
    ) -> Result<Option<Versioned<User>>, StoreError> {
        Ok(of_tenant(&self.read()?.users, tenant)
            .find(|(_, u)| u.value.auth.sso.as_ref() == Some(identity))
            .map(|(_, u)| u.versioned()))
    }

    async fn users(&self, tenant: TenantId, page: PageRequest) -> Result<Page<User>, StoreError> {
        let state = self.read()?;
        paged_by_id(of_tenant(&state.users, tenant), &page, |u| u.value.clone())
    }

    async fn active_administrators(
        &self,
        tenant: TenantId,
    ) -> Result<BTreeSet<UserId>, StoreError> {
        Ok(self.read()?.active_administrators(tenant))
    }
}

#[async_trait]
impl CredentialStore for MemoryStore {
    async fn password_hash(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<PasswordHash>, StoreError> {
        Ok(self.read()?.credentials.get(&(tenant, user)).cloned())
    }
}

#[async_trait]
impl ActionStore for MemoryStore {
    async fn action(
        &self,
        tenant: TenantId,
        token: &TokenHash,
    ) -> Result<Option<PendingAction>, StoreError> {
        Ok(self
            .read()?
            .actions
            .get(&(tenant, hash_key(token)))
            .cloned())
    }
}

#[async_trait]
impl SecondFactorStore for MemoryStore {
    async fn second_factors(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<Versioned<SecondFactors>>, StoreError> {
        Ok(versioned(self.read()?.second_factors.get(&(tenant, user))))
    }
}

#[async_trait]
impl RoleStore for MemoryStore {
    async fn role(
        &self,
        tenant: TenantId,
        id: RoleId,
    ) -> Result<Option<Versioned<Role>>, StoreError> {
        Ok(versioned(self.read()?.roles.get(&(tenant, id))))
    }

    async fn roles(&self, tenant: TenantId) -> Result<Vec<Role>, StoreError> {
        let state = self.read()?;
        // The Administrator role first, then by id.
        let (mut admin, other): (Vec<Role>, Vec<Role>) = of_tenant(&state.roles, tenant)
            .map(|(_, r)| r.value.clone())
            .partition(Role::is_administrator);
        admin.extend(other);
        Ok(admin)
    }
}

#[async_trait]
impl EmployeeStore for MemoryStore {
    async fn employee(
        &self,
        tenant: TenantId,
        id: EmployeeId,
    ) -> Result<Option<Versioned<Employee>>, StoreError> {
        Ok(versioned(self.read()?.employees.get(&(tenant, id))))
    }

    async fn employees(
        &self,
        tenant: TenantId,
        scope: &ReferenceScope,
        page: PageRequest,
    ) -> Result<Page<Employee>, StoreError> {
        let state = self.read()?;
        let covered =
            of_tenant(&state.employees, tenant).filter(|(_, e)| scope.covers(&e.value.org));
        paged_by_id(covered, &page, |e| e.value.clone())
    }

    async fn org_values(
        &self,
        tenant: TenantId,
        scope: &ReferenceScope,
    ) -> Result<OrgValues, StoreError> {
        let state = self.read()?;
        let mut out = OrgValues::new();
        for (_, e) in
            of_tenant(&state.employees, tenant).filter(|(_, e)| scope.covers(&e.value.org))
        {
            for criterion in Criterion::ALL {
                if let Some(v) = criterion.value_of(&e.value.org) {
                    out.entry(criterion).or_default().insert(v.clone());
                }
            }
        }
        Ok(out)
    }

    async fn retention_facts(&self, tenant: TenantId) -> Result<Vec<EmployeeFacts>, StoreError> {
        Ok(of_tenant(&self.read()?.employees, tenant)
            .filter(|(_, e)| e.value.employment.exit_date.is_some())
            .map(|(id, e)| EmployeeFacts {
                id,
                exit_date: e.value.employment.exit_date,
            })
            .collect())
    }
}

#[async_trait]
impl ReferenceStore for MemoryStore {
    async fn reference(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Option<Versioned<Reference>>, StoreError> {
        Ok(versioned(self.read()?.references.get(&(tenant, id))))
    }

    async fn references(
        &self,
        filter: &VisibilityFilter,
        query: &ReferenceQuery,
        page: PageRequest,
    ) -> Result<Page<ReferenceSummary>, StoreError> {
        let after = page
            .after
            .as_ref()
            .map(|c| ReferencePosition::parse(c, filter, query))
            .transpose()?;
        let state = self.read()?;
        let mut rows: Vec<&Reference> = of_tenant(&state.references, filter.tenant())
            .map(|(_, r)| &r.value)
            .filter(|r| listed(filter, query, r))
            .filter(|r| {
                after.is_none_or(|a| {
                    let at = position(r, query.order);
                    if query.order.ascending() {
                        at > a
                    } else {
                        at < a
                    }
                })
            })
            .collect();
        rows.sort_by_key(|r| position(r, query.order));
        if !query.order.ascending() {
            rows.reverse();
        }
        let rows = rows
            .into_iter()
            .map(|r| (position(r, query.order).cursor(filter, query), summary(r)));
        Ok(paged(rows, page.limit()))
    }

    async fn count(
        &self,
        filter: &VisibilityFilter,
        query: &ReferenceQuery,
    ) -> Result<u64, StoreError> {
        let state = self.read()?;
        let n = of_tenant(&state.references, filter.tenant())
            .filter(|(_, r)| listed(filter, query, &r.value))
            .count();
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    async fn retention_facts(&self, tenant: TenantId) -> Result<Vec<ReferenceFacts>, StoreError> {
        Ok(of_tenant(&self.read()?.references, tenant)
            .map(|(id, r)| ReferenceFacts {
                id,
                kind: r.value.kind,
                since: r.value.status_since,
            })
            .collect())
    }

    async fn named_employees(
        &self,
        tenant: TenantId,
        ignoring: &BTreeSet<ReferenceId>,
    ) -> Result<BTreeSet<EmployeeId>, StoreError> {
        Ok(self.read()?.named_employees(tenant, ignoring))
    }

    async fn status_history(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Vec<StatusChange>, StoreError> {
        Ok(self
            .read()?
            .status_history
            .get(&(tenant, id))
            .cloned()
            .unwrap_or_default())
    }

    async fn change_log(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Vec<ChangeLogEntry>, StoreError> {
        Ok(self
            .read()?
            .change_log
            .get(&(tenant, id))
            .cloned()
            .unwrap_or_default())
    }
}

#[async_trait]
impl HandoverStore for MemoryStore {
    async fn handover(
        &self,
        tenant: TenantId,
        id: HandoverId,
    ) -> Result<Option<Versioned<Handover>>, StoreError> {
        Ok(versioned(self.read()?.handovers.get(&(tenant, id))))
    }

    async fn handovers_of(
        &self,
        tenant: TenantId,
        reference: ReferenceId,
    ) -> Result<Vec<Handover>, StoreError> {
        let mut out: Vec<Handover> = of_tenant(&self.read()?.handovers, tenant)
            .filter(|(_, h)| h.value.reference == reference)
            .map(|(_, h)| h.value.clone())
            .collect();
        out.sort_by_key(|h| std::cmp::Reverse((h.created_at, h.id)));
        Ok(out)
    }
}

#[async_trait]
impl ChallengeStore for MemoryStore {
    async fn challenge(
        &self,
        tenant: TenantId,
        id: ChallengeId,
    ) -> Result<Option<Versioned<CodeChallenge>>, StoreError> {
        Ok(versioned(self.read()?.challenges.get(&(tenant, id))))
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn session(
        &self,
        tenant: TenantId,
        token: &TokenHash,
    ) -> Result<Option<Session>, StoreError> {
        Ok(self
            .read()?
            .sessions
            .get(&(tenant, hash_key(token)))
            .cloned())
    }

    async fn sessions_of(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Vec<Session>, StoreError> {
        let mut out: Vec<Session> = of_tenant(&self.read()?.sessions, tenant)
            .filter(|(_, s)| s.principal.user() == Some(user))
            .map(|(_, s)| s.clone())
            .collect();
        out.sort_by_key(|s| std::cmp::Reverse(s.created_at));
        Ok(out)
    }
}

#[async_trait]
impl AuditLog for MemoryStore {
    async fn entries(
        &self,
        tenant: TenantId,
        query: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError> {
        let before: Option<u64> = page
            .after
            .as_ref()
            .map(|c| c.0.parse().map_err(|_| StoreError::InvalidCursor))
            .transpose()?;
        let state = self.read()?;
        let Some(chain) = state.audit.get(&tenant) else {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        let rows = chain
            .entries
            .values()
            .rev()
            .filter(|e| before.is_none_or(|b| e.seq < b))
            .filter(|e| query.from.is_none_or(|f| e.event.at >= f))
            .filter(|e| query.until.is_none_or(|u| e.event.at < u))
            .filter(|e| query.action.is_none_or(|a| e.event.action == a))
            .filter(|e| {
                query.user.is_none_or(|u| {
                    e.event.acting_user() == Some(u) || e.event.target_user() == Some(u)
                })
            })
            .map(|e| (Cursor(e.seq.to_string()), e.clone()));
        Ok(paged(rows, page.limit()))
    }

    async fn chain_after(
        &self,
        tenant: TenantId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let state = self.read()?;
        Ok(state
            .audit
            .get(&tenant)
            .map(|chain| {
                chain
                    .entries
                    .range((Bound::Excluded(after), Bound::Unbounded))
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .map(|(_, e)| e.clone())
                    .collect()
            })
            .unwrap_or_default())
    }
}

#[async_trait]
impl LibraryStore for MemoryStore {
    async fn phrase_library(
        &self,
        tenant: TenantId,
    ) -> Result<Versioned<PhraseLibrary>, StoreError> {
        Ok(document(
            self.read()?.phrases.get(&tenant),
            PhraseLibrary::german_default,
        ))
    }

    async fn letter_formatting(
        &self,
        tenant: TenantId,
    ) -> Result<Versioned<LetterFormatting>, StoreError> {
        Ok(document(
            self.read()?.formatting.get(&tenant),
            LetterFormatting::default,
        ))
    }
}

#[async_trait]
impl SettingsStore for MemoryStore {
    async fn settings(&self, tenant: TenantId) -> Result<Versioned<TenantSettings>, StoreError> {
        Ok(document(
            self.read()?.settings.get(&tenant),
            TenantSettings::default,
        ))
    }
}
