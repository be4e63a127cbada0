//! The read side: every store port, each query bounded by the tenant.

use std::collections::BTreeSet;

use async_trait::async_trait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use zeugnis_core::access::Role;
use zeugnis_core::action::{ActionPurpose, PendingAction};
use zeugnis_core::audit::{AuditEntry, AuditEvent, ChainHash};
use zeugnis_core::authz::VisibilityFilter;
use zeugnis_core::document::LetterFormatting;
use zeugnis_core::employee::Employee;
use zeugnis_core::handover::Handover;
use zeugnis_core::id::{ChallengeId, EmployeeId, ReferenceId, RoleId, TenantId, UserId};
use zeugnis_core::otp::CodeChallenge;
use zeugnis_core::phrases::PhraseLibrary;
use zeugnis_core::ports::{
    ActionStore, AuditLog, AuditQuery, ChallengeStore, CredentialStore, Cursor, EmployeeStore,
    FieldContext, HandoverStore, LibraryStore, Page, PageRequest, PasswordHash, ReferencePosition,
    ReferenceQuery, ReferenceStore, ReferenceSummary, RoleStore, SecondFactorStore, SessionStore,
    SettingsStore, StoreError, TenantStore, UserStore, Versioned,
};
use zeugnis_core::reference::{
    ChangeLogEntry, Reference, ReferenceContent, SectionContent, StatusChange,
};
use zeugnis_core::retention::{EmployeeFacts, ReferenceFacts};
use zeugnis_core::scope::{Criterion, ReferenceScope};
use zeugnis_core::second_factor::SecondFactors;
use zeugnis_core::session::Session;
use zeugnis_core::settings::TenantSettings;
use zeugnis_core::tenant::Tenant;
use zeugnis_core::token::{HandoverId, TokenHash};
use zeugnis_core::user::{SsoIdentity, User};
use zeugnis_core::values::{Email, Slug};

use crate::Store;
use crate::codec::{
    corrupt, from_day, from_instant, from_json, from_version, id16, instant, name_of,
};
use crate::entity::{
    action_token, audit_entry, challenge, change_log, credential, employee, handover, reference,
    role, second_factor, section, session, setting, signatory, status_change, tenant,
    tenant_document, user,
};
use crate::error::db;
use crate::keys::{decode_hex, encode_hex};

pub(crate) fn tid(t: TenantId) -> Vec<u8> {
    t.as_bytes().to_vec()
}

/// The field context of a sealed column.
pub(crate) fn ctx(
    tenant: TenantId,
    table: &'static str,
    column: &'static str,
    row: &[u8],
) -> FieldContext {
    FieldContext {
        tenant,
        table,
        column,
        row: encode_hex(row),
    }
}

/// Keyed hash of an e-mail address for equality lookups.
pub(crate) fn email_lookup(key: &zeugnis_crypto::DataKey, email: &Email) -> Vec<u8> {
    key.lookup_hash("email", email.as_str().as_bytes()).to_vec()
}

/// Keyed hash of an SSO identity (issuer and subject, length-prefixed).
pub(crate) fn sso_lookup(key: &zeugnis_crypto::DataKey, id: &SsoIdentity) -> Vec<u8> {
    let mut v = Vec::with_capacity(16 + id.issuer.len() + id.subject.len());
    v.extend_from_slice(&(id.issuer.len() as u64).to_be_bytes());
    v.extend_from_slice(id.issuer.as_bytes());
    v.extend_from_slice(id.subject.as_bytes());
    key.lookup_hash("sso", &v).to_vec()
}

impl Store {
    pub(crate) async fn open_json<C: ConnectionTrait, T: serde::de::DeserializeOwned>(
        &self,
        conn: &C,
        ctx: &FieldContext,
        sealed: &[u8],
    ) -> Result<T, StoreError> {
        let plain = self.keys.open(conn, ctx, sealed).await?;
        from_json(ctx.table, &plain)
    }

    async fn decode_user<C: ConnectionTrait>(
        &self,
        conn: &C,
        m: user::Model,
    ) -> Result<Versioned<User>, StoreError> {
        let t = TenantId::from_bytes(id16(&m.tenant_id)?);
        let value: User = self
            .open_json(conn, &ctx(t, "users", "data", &m.id), &m.data)
            .await?;
        Ok(Versioned {
            value,
            version: from_version(m.version)?,
        })
    }

    async fn decode_employee<C: ConnectionTrait>(
        &self,
        conn: &C,
        m: employee::Model,
    ) -> Result<Versioned<Employee>, StoreError> {
        let t = TenantId::from_bytes(id16(&m.tenant_id)?);
        let value: Employee = self
            .open_json(conn, &ctx(t, "employees", "data", &m.id), &m.data)
            .await?;
        Ok(Versioned {
            value,
            version: from_version(m.version)?,
        })
    }

    pub(crate) async fn load_reference<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Option<Versioned<Reference>>, StoreError> {
        let Some(m) = reference::Entity::find_by_id((tid(tenant), id.as_bytes().to_vec()))
            .one(conn)
            .await
            .map_err(db)?
        else {
            return Ok(None);
        };
        let signatories = signatory::Entity::find()
            .filter(signatory::Column::TenantId.eq(tid(tenant)))
            .filter(signatory::Column::ReferenceId.eq(m.id.clone()))
            .order_by_asc(signatory::Column::Position)
            .all(conn)
            .await
            .map_err(db)?
            .into_iter()
            .map(|s| id16(&s.employee_id).map(EmployeeId::from_bytes))
            .collect::<Result<Vec<_>, _>>()?;
        let sections = section::Entity::find()
            .filter(section::Column::TenantId.eq(tid(tenant)))
            .filter(section::Column::ReferenceId.eq(m.id.clone()))
            .all(conn)
            .await
            .map_err(db)?;
        let mut content = ReferenceContent::default();
        for s in sections {
            let key: zeugnis_core::reference::Section =
                serde_json::from_value(serde_json::Value::String(s.section.clone()))
                    .map_err(|_| corrupt("section key"))?;
            let row = section_row(&m.id, &s.section);
            let text = self
                .keys
                .open(
                    conn,
                    &ctx(tenant, "reference_sections", "content", &row),
                    &s.content,
                )
                .await?;
            let text = String::from_utf8(text).map_err(|_| corrupt("section"))?;
            content.set(
                key,
                SectionContent::new(text).map_err(|_| corrupt("section"))?,
            );
        }
        let value = Reference {
            id,
            tenant,
            employee: EmployeeId::from_bytes(id16(&m.employee_id)?),
            org: org_of(
                &m.company,
                &m.location,
                &m.department,
                &m.unit,
                &m.employee_type,
            )?,
            kind: from_name(&m.kind)?,
            language: from_name(&m.language)?,
            status: from_name(&m.status)?,
            status_since: from_instant(m.status_since)?,
            private: m.private,
            created_by: UserId::from_bytes(id16(&m.created_by)?),
            created_at: from_instant(m.created_at)?,
            signatories,
            content,
            generated: m.generated_hash.as_deref().and_then(|h| h.try_into().ok()),
        };
        Ok(Some(Versioned {
            value,
            version: from_version(m.version)?,
        }))
    }
}

/// The row key of a section: the reference id and the section key.
pub(crate) fn section_row(reference: &[u8], section: &str) -> Vec<u8> {
    let mut v = reference.to_vec();
    v.push(b'/');
    v.extend_from_slice(section.as_bytes());
    v
}

pub(crate) fn from_name<T: serde::de::DeserializeOwned>(name: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| corrupt("status"))
}

fn org_value(v: &Option<String>) -> Result<Option<zeugnis_core::values::Name>, StoreError> {
    v.as_deref()
        .map(|s| zeugnis_core::values::Name::new(s).map_err(|_| corrupt("organisational value")))
        .transpose()
}

fn org_of(
    company: &Option<String>,
    location: &Option<String>,
    department: &Option<String>,
    unit: &Option<String>,
    employee_type: &Option<String>,
) -> Result<zeugnis_core::employee::OrgAttributes, StoreError> {
    Ok(zeugnis_core::employee::OrgAttributes {
        company: org_value(company)?,
        location: org_value(location)?,
        department: org_value(department)?,
        unit: org_value(unit)?,
        employee_type: org_value(employee_type)?,
    })
}

fn id_cursor(id: &[u8]) -> Cursor {
    Cursor(encode_hex(id))
}

fn after_id(page: &PageRequest) -> Result<Option<Vec<u8>>, StoreError> {
    page.after
        .as_ref()
        .map(|c| {
            decode_hex(&c.0)
                .filter(|b| b.len() == 16)
                .ok_or(StoreError::InvalidCursor)
        })
        .transpose()
}

/// Takes `limit + 1` rows and turns the extra one into "there is a next page".
fn paged<M, T>(rows: Vec<M>, limit: u16, key: impl Fn(&M) -> Cursor, items: Vec<T>) -> Page<T> {
    let next = if rows.len() > usize::from(limit) {
        rows.get(usize::from(limit).saturating_sub(1)).map(&key)
    } else {
        None
    };
    Page { items, next }
}

#[async_trait]
impl TenantStore for Store {
    async fn tenant(&self, id: TenantId) -> Result<Option<Tenant>, StoreError> {
        tenant::Entity::find_by_id(tid(id))
            .one(&self.db)
            .await
            .map_err(db)?
            .map(|m| from_json("tenant", m.data.as_bytes()))
            .transpose()
    }

    async fn tenant_by_slug(&self, slug: &Slug) -> Result<Option<Tenant>, StoreError> {
        tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(slug.as_str()))
            .one(&self.db)
            .await
            .map_err(db)?
            .map(|m| from_json("tenant", m.data.as_bytes()))
            .transpose()
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let rows = tenant::Entity::find()
            .order_by_asc(tenant::Column::Slug)
            .all(&self.db)
            .await
            .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            let t: Tenant = from_json("tenant", m.data.as_bytes())?;
            if t.ensure_readable().is_ok() {
                out.push(t);
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl UserStore for Store {
    async fn user(
        &self,
        tenant: TenantId,
        id: UserId,
    ) -> Result<Option<Versioned<User>>, StoreError> {
        let m = user::Entity::find_by_id((tid(tenant), id.as_bytes().to_vec()))
            .one(&self.db)
            .await
            .map_err(db)?;
        match m {
            Some(m) => Ok(Some(self.decode_user(&self.db, m).await?)),
            None => Ok(None),
        }
    }

    async fn user_by_email(
        &self,
        tenant: TenantId,
        email: &Email,
    ) -> Result<Option<Versioned<User>>, StoreError> {
        let key = match self.keys.data_key(&self.db, tenant).await {
            Ok(k) => k,
            // No key: no such tenant (or shredded) — nobody to find.
            Err(StoreError::Gone) => return Ok(None),
            Err(e) => return Err(e),
        };
        let m = user::Entity::find()
            .filter(user::Column::TenantId.eq(tid(tenant)))
            .filter(user::Column::EmailHash.eq(email_lookup(&key, email)))
            .one(&self.db)
            .await
            .map_err(db)?;
        match m {
            Some(m) => Ok(Some(self.decode_user(&self.db, m).await?)),
            None => Ok(None),
        }
    }

    async fn user_by_sso(
        &self,
        tenant: TenantId,
        identity: &SsoIdentity,
    ) -> Result<Option<Versioned<User>>, StoreError> {
        let key = match self.keys.data_key(&self.db, tenant).await {
            Ok(k) => k,
            Err(StoreError::Gone) => return Ok(None),
            Err(e) => return Err(e),
        };
        let m = user::Entity::find()
            .filter(user::Column::TenantId.eq(tid(tenant)))
            .filter(user::Column::SsoHash.eq(sso_lookup(&key, identity)))
            .one(&self.db)
            .await
            .map_err(db)?;
        match m {
            Some(m) => Ok(Some(self.decode_user(&self.db, m).await?)),
            None => Ok(None),
        }
    }

    async fn users(&self, tenant: TenantId, page: PageRequest) -> Result<Page<User>, StoreError> {
        let mut q = user::Entity::find().filter(user::Column::TenantId.eq(tid(tenant)));
        if let Some(after) = after_id(&page)? {
            q = q.filter(user::Column::Id.gt(after));
        }
        let rows = q
            .order_by_asc(user::Column::Id)
            .limit(u64::from(page.limit()) + 1)
            .all(&self.db)
            .await
            .map_err(db)?;
        let mut items = Vec::with_capacity(rows.len());
        for m in rows.iter().take(usize::from(page.limit())) {
            items.push(self.decode_user(&self.db, m.clone()).await?.value);
        }
        Ok(paged(rows, page.limit(), |m| id_cursor(&m.id), items))
    }

    async fn active_administrators(
        &self,
        tenant: TenantId,
    ) -> Result<BTreeSet<UserId>, StoreError> {
        active_administrators(&self.db, tenant).await
    }
}

/// Users holding the Administrator role whose accounts are active (a locked or
/// deactivated Administrator cannot step in for another).
pub(crate) async fn active_administrators<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
) -> Result<BTreeSet<UserId>, StoreError> {
    let admin_roles: Vec<Vec<u8>> = role::Entity::find()
        .select_only()
        .column(role::Column::Id)
        .filter(role::Column::TenantId.eq(tid(tenant)))
        .filter(role::Column::IsAdministrator.eq(true))
        .into_tuple()
        .all(conn)
        .await
        .map_err(db)?;
    if admin_roles.is_empty() {
        return Ok(BTreeSet::new());
    }
    let in_service = [name_of(&zeugnis_core::user::UserStatus::Active)?];
    let ids: Vec<Vec<u8>> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::TenantId.eq(tid(tenant)))
        .filter(user::Column::RoleId.is_in(admin_roles))
        .filter(user::Column::Status.is_in(in_service))
        .into_tuple()
        .all(conn)
        .await
        .map_err(db)?;
    ids.iter()
        .map(|b| id16(b).map(UserId::from_bytes))
        .collect()
}

#[async_trait]
impl CredentialStore for Store {
    async fn password_hash(
        &self,
        tenant: TenantId,
        user: UserId,
    ) -> Result<Option<PasswordHash>, StoreError> {
        Ok(
            credential::Entity::find_by_id((tid(tenant), user.as_bytes().to_vec()))
                .one(&self.db)
                .await
                .map_err(db)?
                .map(|m| PasswordHash::new(m.phc)),
        )
    }
}

fn decode_role(m: &role::Model) -> Result<Versioned<Role>, StoreError> {
    Ok(Versioned {
        value: from_json("role", m.data.as_bytes())?,
        version: from_version(m.version)?,
    })
}

#[async_trait]
impl RoleStore for Store {
    async fn role(
        &self,
        tenant: TenantId,
        id: RoleId,
    ) -> Result<Option<Versioned<Role>>, StoreError> {
        role::Entity::find_by_id((tid(tenant), id.as_bytes().to_vec()))
            .one(&self.db)
            .await
            .map_err(db)?
            .as_ref()
            .map(decode_role)
            .transpose()
    }

    async fn roles(&self, tenant: TenantId) -> Result<Vec<Role>, StoreError> {
        let rows = role::Entity::find()
            .filter(role::Column::TenantId.eq(tid(tenant)))
            .order_by_desc(role::Column::IsAdministrator)
            .order_by_asc(role::Column::Id)
            .all(&self.db)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|m| decode_role(m).map(|v| v.value))
            .collect()
    }
}

#[async_trait]
impl EmployeeStore for Store {
    async fn employee(
        &self,
        tenant: TenantId,
        id: EmployeeId,
    ) -> Result<Option<Versioned<Employee>>, StoreError> {
        let m = employee::Entity::find_by_id((tid(tenant), id.as_bytes().to_vec()))
            .one(&self.db)
            .await
            .map_err(db)?;
        match m {
            Some(m) => Ok(Some(self.decode_employee(&self.db, m).await?)),
            None => Ok(None),
        }
    }

    async fn employees(
        &self,
        tenant: TenantId,
        scope: &ReferenceScope,
        page: PageRequest,
    ) -> Result<Page<Employee>, StoreError> {
        let mut q = employee::Entity::find().filter(employee::Column::TenantId.eq(tid(tenant)));
        if let ReferenceScope::Restricted(r) = scope {
            for (criterion, values) in r.iter() {
                let values: Vec<String> = values.iter().map(|v| v.as_str().to_owned()).collect();
                q = q.filter(employee_column(criterion).is_in(values));
            }
        }
        if let Some(after) = after_id(&page)? {
            q = q.filter(employee::Column::Id.gt(after));
        }
        let rows = q
            .order_by_asc(employee::Column::Id)
            .limit(u64::from(page.limit()) + 1)
            .all(&self.db)
            .await
            .map_err(db)?;
        let mut items = Vec::with_capacity(rows.len());
        for m in rows.iter().take(usize::from(page.limit())) {
            items.push(self.decode_employee(&self.db, m.clone()).await?.value);
        }
        Ok(paged(rows, page.limit(), |m| id_cursor(&m.id), items))
    }

    async fn retention_facts(&self, tenant: TenantId) -> Result<Vec<EmployeeFacts>, StoreError> {
        let rows: Vec<(Vec<u8>, Option<i32>)> = employee::Entity::find()
            .select_only()
            .column(employee::Column::Id)
            .column(employee::Column::ExitDate)
            .filter(employee::Column::TenantId.eq(tid(tenant)))
            .filter(employee::Column::ExitDate.is_not_null())
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db)?;
        rows.into_iter()
            .filter_map(|(id, exit)| exit.map(|e| (id, e)))
            .map(|(id, exit)| {
                Ok(EmployeeFacts {
                    id: EmployeeId::from_bytes(id16(&id)?),
                    exit_date: Some(from_day(exit)?),
                })
            })
            .collect()
    }
}

/// The employee column a scope criterion filters.
fn employee_column(c: Criterion) -> employee::Column {
    match c {
        Criterion::Company => employee::Column::Company,
        Criterion::Location => employee::Column::Location,
        Criterion::Department => employee::Column::Department,
        Criterion::OrganisationalUnit => employee::Column::Unit,
        _ => employee::Column::EmployeeType,
    }
}

/// The column a scope criterion filters.
fn criterion_column(c: Criterion) -> reference::Column {
    match c {
        Criterion::Company => reference::Column::Company,
        Criterion::Location => reference::Column::Location,
        Criterion::Department => reference::Column::Department,
        Criterion::OrganisationalUnit => reference::Column::Unit,
        _ => reference::Column::EmployeeType,
    }
}

/// The visibility rule as a query condition: the tenant, every restricted
/// criterion, and the private flag.
fn visible(
    filter: &VisibilityFilter,
    query: &ReferenceQuery,
) -> Result<Select<reference::Entity>, StoreError> {
    let mut q =
        reference::Entity::find().filter(reference::Column::TenantId.eq(tid(filter.tenant())));
    match filter.scope() {
        ReferenceScope::Administrator => {}
        ReferenceScope::Restricted(r) => {
            for (criterion, values) in r.iter() {
                let values: Vec<String> = values.iter().map(|v| v.as_str().to_owned()).collect();
                q = q.filter(criterion_column(criterion).is_in(values));
            }
            q = q.filter(
                Condition::any()
                    .add(reference::Column::Private.eq(false))
                    .add(reference::Column::CreatedBy.eq(filter.viewer().as_bytes().to_vec())),
            );
        }
    }
    if let Some(s) = query.status {
        q = q.filter(reference::Column::Status.eq(name_of(&s)?));
    }
    if let Some(k) = query.kind {
        q = q.filter(reference::Column::Kind.eq(name_of(&k)?));
    }
    if let Some(e) = query.employee {
        q = q.filter(reference::Column::EmployeeId.eq(e.as_bytes().to_vec()));
    }
    Ok(q)
}

fn summary(m: &reference::Model) -> Result<ReferenceSummary, StoreError> {
    Ok(ReferenceSummary {
        id: ReferenceId::from_bytes(id16(&m.id)?),
        employee: EmployeeId::from_bytes(id16(&m.employee_id)?),
        kind: from_name(&m.kind)?,
        status: from_name(&m.status)?,
        status_since: from_instant(m.status_since)?,
        private: m.private,
        created_by: UserId::from_bytes(id16(&m.created_by)?),
        created_at: from_instant(m.created_at)?,
    })
}

#[async_trait]
impl ReferenceStore for Store {
    async fn reference(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Option<Versioned<Reference>>, StoreError> {
        self.load_reference(&self.db, tenant, id).await
    }

    async fn references(
        &self,
        filter: &VisibilityFilter,
        query: &ReferenceQuery,
        page: PageRequest,
    ) -> Result<Page<ReferenceSummary>, StoreError> {
        let mut q = visible(filter, query)?;
        if let Some(c) = &page.after {
            let after = ReferencePosition::parse(c, filter, query)?;
            let at = instant(after.created_at).map_err(|_| StoreError::InvalidCursor)?;
            let id = after.id.as_bytes().to_vec();
            // A row comparison lets the index scan start at the cursor.
            q = q.filter(
                Expr::tuple([
                    Expr::col((reference::Entity, reference::Column::CreatedAt)),
                    Expr::col((reference::Entity, reference::Column::Id)),
                ])
                .lt(Expr::tuple([Expr::value(at), Expr::value(id)])),
            );
        }
        let rows = q
            .order_by(reference::Column::CreatedAt, Order::Desc)
            .order_by(reference::Column::Id, Order::Desc)
            .limit(u64::from(page.limit()) + 1)
            .all(&self.db)
            .await
            .map_err(db)?;
        let items = rows
            .iter()
            .take(usize::from(page.limit()))
            .map(summary)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if rows.len() > usize::from(page.limit()) {
            items
                .last()
                .map(|line| ReferencePosition::of(line).cursor(filter, query))
        } else {
            None
        };
        Ok(Page { items, next })
    }

    async fn count(
        &self,
        filter: &VisibilityFilter,
        query: &ReferenceQuery,
    ) -> Result<u64, StoreError> {
        visible(filter, query)?.count(&self.db).await.map_err(db)
    }

    async fn retention_facts(&self, tenant: TenantId) -> Result<Vec<ReferenceFacts>, StoreError> {
        let rows: Vec<(Vec<u8>, String, i64)> = reference::Entity::find()
            .select_only()
            .column(reference::Column::Id)
            .column(reference::Column::Kind)
            .column(reference::Column::StatusSince)
            .filter(reference::Column::TenantId.eq(tid(tenant)))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db)?;
        rows.into_iter()
            .map(|(id, kind, since)| {
                Ok(ReferenceFacts {
                    id: ReferenceId::from_bytes(id16(&id)?),
                    kind: from_name(&kind)?,
                    since: from_instant(since)?,
                })
            })
            .collect()
    }

    async fn named_employees(
        &self,
        tenant: TenantId,
        ignoring: &BTreeSet<ReferenceId>,
    ) -> Result<BTreeSet<EmployeeId>, StoreError> {
        named_employees(&self.db, tenant, ignoring, None).await
    }

    async fn status_history(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Vec<StatusChange>, StoreError> {
        let rows = status_change::Entity::find()
            .filter(status_change::Column::TenantId.eq(tid(tenant)))
            .filter(status_change::Column::ReferenceId.eq(id.as_bytes().to_vec()))
            .order_by_asc(status_change::Column::Seq)
            .all(&self.db)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|m| from_json("status change", m.data.as_bytes()))
            .collect()
    }

    async fn change_log(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Vec<ChangeLogEntry>, StoreError> {
        let rows = change_log::Entity::find()
            .filter(change_log::Column::TenantId.eq(tid(tenant)))
            .filter(change_log::Column::ReferenceId.eq(id.as_bytes().to_vec()))
            .order_by_asc(change_log::Column::Seq)
            .all(&self.db)
            .await
            .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            let row = seq_row(&m.reference_id, m.seq);
            out.push(
                self.open_json(&self.db, &ctx(tenant, "change_log", "data", &row), &m.data)
                    .await?,
            );
        }
        Ok(out)
    }
}

/// The row key of a per-reference sequence (change log).
pub(crate) fn seq_row(reference: &[u8], seq: i64) -> Vec<u8> {
    let mut v = reference.to_vec();
    v.extend_from_slice(&seq.to_be_bytes());
    v
}

/// Every employee named by a reference of the tenant (subject or signatory),
/// except by the references in `ignoring`; only `only` when given.
pub(crate) async fn named_employees<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    ignoring: &BTreeSet<ReferenceId>,
    only: Option<EmployeeId>,
) -> Result<BTreeSet<EmployeeId>, StoreError> {
    let ignore: Vec<Vec<u8>> = ignoring.iter().map(|r| r.as_bytes().to_vec()).collect();
    let mut subjects = reference::Entity::find()
        .select_only()
        .column(reference::Column::EmployeeId)
        .filter(reference::Column::TenantId.eq(tid(tenant)));
    let mut signers = signatory::Entity::find()
        .select_only()
        .column(signatory::Column::EmployeeId)
        .filter(signatory::Column::TenantId.eq(tid(tenant)));
    if !ignore.is_empty() {
        subjects = subjects.filter(reference::Column::Id.is_not_in(ignore.clone()));
        signers = signers.filter(signatory::Column::ReferenceId.is_not_in(ignore));
    }
    if let Some(e) = only {
        subjects = subjects.filter(reference::Column::EmployeeId.eq(e.as_bytes().to_vec()));
        signers = signers.filter(signatory::Column::EmployeeId.eq(e.as_bytes().to_vec()));
    }
    let a: Vec<Vec<u8>> = subjects
        .distinct()
        .into_tuple()
        .all(conn)
        .await
        .map_err(db)?;
    let b: Vec<Vec<u8>> = signers
        .distinct()
        .into_tuple()
        .all(conn)
        .await
        .map_err(db)?;
    a.iter()
        .chain(b.iter())
        .map(|x| id16(x).map(EmployeeId::from_bytes))
        .collect()
}

#[async_trait]
impl HandoverStore for Store {
    async fn handover(
        &self,
        tenant: TenantId,
        id: HandoverId,
    ) -> Result<Option<Versioned<Handover>>, StoreError> {
        let Some(m) = handover::Entity::find_by_id((tid(tenant), id.as_bytes().to_vec()))
            .one(&self.db)
            .await
            .map_err(db)?
        else {
            return Ok(None);
        };
        let value = self
            .open_json(&self.db, &ctx(tenant, "handovers", "data", &m.id), &m.data)
            .await?;
        Ok(Some(Versioned {
            value,
            version: from_version(m.version)?,
        }))
    }

    async fn handovers_of(
        &self,
        tenant: TenantId,
        reference_id: ReferenceId,
    ) -> Result<Vec<Handover>, StoreError> {
        let rows = handover::Entity::find()
            .filter(handover::Column::TenantId.eq(tid(tenant)))
            .filter(handover::Column::ReferenceId.eq(reference_id.as_bytes().to_vec()))
            .order_by_desc(handover::Column::CreatedAt)
            .order_by_desc(handover::Column::Id)
            .all(&self.db)
            .await
            .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            out.push(
                self.open_json(&self.db, &ctx(tenant, "handovers", "data", &m.id), &m.data)
                    .await?,
            );
        }
        Ok(out)
    }
}

#[async_trait]
impl ChallengeStore for Store {
    async fn challenge(
        &self,
        tenant: TenantId,
        id: ChallengeId,
    ) -> Result<Option<Versioned<CodeChallenge>>, StoreError> {
        challenge::Entity::find_by_id((tid(tenant), id.as_bytes().to_vec()))
            .one(&self.db)
            .await
            .map_err(db)?
            .map(|m| {
                Ok(Versioned {
                    value: from_json("challenge", m.data.as_bytes())?,
                    version: from_version(m.version)?,
                })
            })
            .transpose()
    }
}

#[async_trait]
impl SecondFactorStore for Store {
    async fn second_factors(
        &self,
        tenant: TenantId,
        user_id: UserId,
    ) -> Result<Option<Versioned<SecondFactors>>, StoreError> {
        let id = user_id.as_bytes().to_vec();
        let Some(m) = second_factor::Entity::find_by_id((tid(tenant), id.clone()))
            .one(&self.db)
            .await
            .map_err(db)?
        else {
            return Ok(None);
        };
        let value = self
            .open_json(
                &self.db,
                &ctx(tenant, "second_factors", "data", &id),
                &m.data,
            )
            .await?;
        Ok(Some(Versioned {
            value,
            version: from_version(m.version)?,
        }))
    }
}

#[async_trait]
impl ActionStore for Store {
    async fn action(
        &self,
        tenant: TenantId,
        token: &TokenHash,
    ) -> Result<Option<PendingAction>, StoreError> {
        let Some(m) = action_token::Entity::find_by_id((tid(tenant), token.as_bytes().to_vec()))
            .one(&self.db)
            .await
            .map_err(db)?
        else {
            return Ok(None);
        };
        Ok(Some(PendingAction {
            token_hash: *token,
            tenant,
            user: UserId::from_bytes(id16(&m.user_id)?),
            purpose: ActionPurpose::from_key(&m.purpose)
                .ok_or_else(|| corrupt("action token purpose"))?,
            created_at: from_instant(m.created_at)?,
            expires_at: from_instant(m.expires_at)?,
        }))
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn session(
        &self,
        tenant: TenantId,
        token: &TokenHash,
    ) -> Result<Option<Session>, StoreError> {
        let Some(m) = session::Entity::find_by_id((tid(tenant), token.as_bytes().to_vec()))
            .one(&self.db)
            .await
            .map_err(db)?
        else {
            return Ok(None);
        };
        decode_session(&m).map(Some)
    }

    async fn sessions_of(
        &self,
        tenant: TenantId,
        user_id: UserId,
    ) -> Result<Vec<Session>, StoreError> {
        let rows = session::Entity::find()
            .filter(session::Column::TenantId.eq(tid(tenant)))
            .filter(session::Column::UserId.eq(user_id.as_bytes().to_vec()))
            .order_by_desc(session::Column::CreatedAt)
            .all(&self.db)
            .await
            .map_err(db)?;
        rows.iter().map(decode_session).collect()
    }
}

fn decode_session(m: &session::Model) -> Result<Session, StoreError> {
    let mut s: Session = from_json("session", m.data.as_bytes())?;
    // The last use is kept in its own column (touched on every request).
    s.last_seen_at = from_instant(m.last_seen_at)?;
    Ok(s)
}

impl Store {
    async fn decode_audit<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        m: &audit_entry::Model,
    ) -> Result<AuditEntry, StoreError> {
        let event: AuditEvent = self
            .open_json(
                conn,
                &ctx(tenant, "audit_log", "data", &m.seq.to_be_bytes()),
                &m.data,
            )
            .await?;
        Ok(AuditEntry {
            seq: u64::try_from(m.seq).map_err(|_| corrupt("audit sequence"))?,
            event,
            prev: ChainHash(crate::codec::bytes32(&m.prev)?),
            hash: ChainHash(crate::codec::bytes32(&m.hash)?),
        })
    }
}

#[async_trait]
impl AuditLog for Store {
    async fn entries(
        &self,
        tenant: TenantId,
        query: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError> {
        let mut q =
            audit_entry::Entity::find().filter(audit_entry::Column::TenantId.eq(tid(tenant)));
        if let Some(from) = query.from {
            q = q.filter(audit_entry::Column::At.gte(instant(from)?));
        }
        if let Some(until) = query.until {
            q = q.filter(audit_entry::Column::At.lt(instant(until)?));
        }
        if let Some(a) = query.action {
            q = q.filter(audit_entry::Column::Action.eq(a.key()));
        }
        if let Some(u) = query.user {
            let id = u.as_bytes().to_vec();
            q = q.filter(
                Condition::any()
                    .add(audit_entry::Column::ActorUser.eq(id.clone()))
                    .add(audit_entry::Column::SubjectUser.eq(id)),
            );
        }
        if let Some(c) = &page.after {
            let seq: i64 = c.0.parse().map_err(|_| StoreError::InvalidCursor)?;
            q = q.filter(audit_entry::Column::Seq.lt(seq));
        }
        let rows = q
            .order_by_desc(audit_entry::Column::Seq)
            .limit(u64::from(page.limit()) + 1)
            .all(&self.db)
            .await
            .map_err(db)?;
        let mut items = Vec::with_capacity(rows.len());
        for m in rows.iter().take(usize::from(page.limit())) {
            items.push(self.decode_audit(&self.db, tenant, m).await?);
        }
        Ok(paged(
            rows,
            page.limit(),
            |m| Cursor(m.seq.to_string()),
            items,
        ))
    }

    async fn chain_after(
        &self,
        tenant: TenantId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = audit_entry::Entity::find()
            .filter(audit_entry::Column::TenantId.eq(tid(tenant)))
            .filter(audit_entry::Column::Seq.gt(after))
            .order_by_asc(audit_entry::Column::Seq)
            .limit(u64::from(limit))
            .all(&self.db)
            .await
            .map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for m in &rows {
            out.push(self.decode_audit(&self.db, tenant, m).await?);
        }
        Ok(out)
    }
}

impl Store {
    async fn document<T: serde::de::DeserializeOwned>(
        &self,
        tenant: TenantId,
        kind: &str,
        default: impl FnOnce() -> T,
    ) -> Result<Versioned<T>, StoreError> {
        match tenant_document::Entity::find_by_id((tid(tenant), kind.to_owned()))
            .one(&self.db)
            .await
            .map_err(db)?
        {
            Some(m) => Ok(Versioned {
                value: from_json(kind, m.data.as_bytes())?,
                version: from_version(m.version)?,
            }),
            None => Ok(Versioned {
                value: default(),
                version: zeugnis_core::ports::Version(0),
            }),
        }
    }
}

#[async_trait]
impl LibraryStore for Store {
    async fn phrase_library(
        &self,
        tenant: TenantId,
    ) -> Result<Versioned<PhraseLibrary>, StoreError> {
        self.document(tenant, crate::write::PHRASES, PhraseLibrary::german_default)
            .await
    }

    async fn letter_formatting(
        &self,
        tenant: TenantId,
    ) -> Result<Versioned<LetterFormatting>, StoreError> {
        self.document(tenant, crate::write::FORMATTING, LetterFormatting::default)
            .await
    }
}

#[async_trait]
impl SettingsStore for Store {
    async fn settings(&self, tenant: TenantId) -> Result<Versioned<TenantSettings>, StoreError> {
        match setting::Entity::find_by_id(tid(tenant))
            .one(&self.db)
            .await
            .map_err(db)?
        {
            Some(m) => Ok(Versioned {
                value: from_json("settings", m.data.as_bytes())?,
                version: from_version(m.version)?,
            }),
            None => Ok(Versioned {
                value: TenantSettings::default(),
                version: zeugnis_core::ports::Version(0),
            }),
        }
    }
}
