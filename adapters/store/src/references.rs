//! Reference letters: the row with its organisational columns, signatories and
//! sealed sections; the status history, the change log, and which employees
//! references name.

use std::collections::BTreeSet;

use async_trait::async_trait;
use sea_orm::sea_query::{Condition, Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Set,
};
use zeugnis_core::authz::{VisibilityFilter, WritableReference};
use zeugnis_core::employee::Employee;
use zeugnis_core::id::{EmployeeId, ReferenceId, TenantId, UserId};
use zeugnis_core::ports::{
    Page, PageRequest, ReferenceOrder, ReferencePosition, ReferenceQuery, ReferenceStore,
    ReferenceSummary, StoreError, Version, Versioned,
};
use zeugnis_core::reference::{
    ChangeLogEntry, Reference, ReferenceContent, Section, SectionContent, StatusChange,
};
use zeugnis_core::retention::ReferenceFacts;
use zeugnis_core::scope::{Criterion, ReferenceScope};

use crate::Store;
use crate::codec::{corrupt, from_instant, from_json, from_name, id16, instant, name_of, to_json};
use crate::employees::{org_columns, org_of, org_values};
use crate::entity::{change_log, reference, section, signatory, status_change};
use crate::error::db;

use crate::row::{
    Owned, Txn, conflict, ctx, delete, delete_one, insert, key, of, one, tid, update, versioned,
};

/// The row key of a section: the reference id and the section key.
fn section_row(reference: &[u8], section: &str) -> Vec<u8> {
    let mut v = reference.to_vec();
    v.push(b'/');
    v.extend_from_slice(section.as_bytes());
    v
}

/// The row key of a per-reference sequence (change log).
fn seq_row(reference: &[u8], seq: i64) -> Vec<u8> {
    let mut v = reference.to_vec();
    v.extend_from_slice(&seq.to_be_bytes());
    v
}

fn row(t: TenantId, id: ReferenceId) -> Condition {
    key::<reference::Entity>(t, reference::Column::Id, id.as_bytes().to_vec())
}

/// The rows of a per-reference table (`E`'s `reference_id` column) of one reference.
fn parts<E: Owned>(t: TenantId, column: E::Column, id: &[u8]) -> Condition {
    key::<E>(t, column, id.to_vec())
}

impl Store {
    /// A reference with its signatories and opened sections.
    pub(crate) async fn load_reference<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Option<Versioned<Reference>>, StoreError> {
        let Some(m) = one::<reference::Entity, _>(conn, row(tenant, id)).await? else {
            return Ok(None);
        };
        let signatories = signatory::Entity::find()
            .filter(parts::<signatory::Entity>(
                tenant,
                signatory::Column::ReferenceId,
                &m.id,
            ))
            .order_by_asc(signatory::Column::Position)
            .all(conn)
            .await
            .map_err(db)?
            .into_iter()
            .map(|s| id16(&s.employee_id).map(EmployeeId::from_bytes))
            .collect::<Result<Vec<_>, _>>()?;
        let sections = section::Entity::find()
            .filter(parts::<section::Entity>(
                tenant,
                section::Column::ReferenceId,
                &m.id,
            ))
            .all(conn)
            .await
            .map_err(db)?;
        let mut content = ReferenceContent::default();
        for s in sections {
            let key: Section = serde_json::from_value(serde_json::Value::String(s.section.clone()))
                .map_err(|_| corrupt("section key"))?;
            let at = ctx(
                tenant,
                "reference_sections",
                "content",
                &section_row(&m.id, &s.section),
            );
            let text = self.keys.open(conn, &at, &s.content).await?;
            let text = String::from_utf8(text).map_err(|_| corrupt("section"))?;
            content.set(
                key,
                SectionContent::new(text).map_err(|_| corrupt("section"))?,
            );
        }
        let s = summary(&m)?;
        let value = Reference {
            id,
            tenant,
            employee: s.employee,
            org: s.org,
            kind: s.kind,
            language: from_name(&m.language)?,
            status: s.status,
            status_since: s.status_since,
            private: s.private,
            created_by: s.created_by,
            created_at: s.created_at,
            changed_at: s.changed_at,
            signatories,
            content,
            generated: m.generated_hash.as_deref().and_then(|h| h.try_into().ok()),
        };
        Ok(Some(versioned(value, m.version)?))
    }
}

/// The column a scope criterion filters.
fn criterion_column(c: Criterion) -> reference::Column {
    match c {
        Criterion::Company => reference::Column::Company,
        Criterion::Location => reference::Column::Location,
        Criterion::Department => reference::Column::Department,
        Criterion::OrganisationalUnit => reference::Column::Unit,
        Criterion::EmployeeType => reference::Column::EmployeeType,
    }
}

/// The visibility rule as a query condition: the tenant, every restricted
/// criterion, and the private flag.
fn visible(
    filter: &VisibilityFilter,
    query: &ReferenceQuery,
) -> Result<Select<reference::Entity>, StoreError> {
    let mut q = reference::Entity::find().filter(of::<reference::Entity>(filter.tenant()));
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
    for (column, value) in [
        (reference::Column::Company, &query.company),
        (reference::Column::Location, &query.location),
        (reference::Column::Department, &query.department),
    ] {
        if let Some(v) = value {
            q = q.filter(column.eq(v.as_str()));
        }
    }
    Ok(q)
}

/// The column an order sorts on (then by id).
const fn order_column(order: ReferenceOrder) -> reference::Column {
    match order {
        ReferenceOrder::Newest | ReferenceOrder::Oldest => reference::Column::CreatedAt,
        ReferenceOrder::LongestWaiting => reference::Column::StatusSince,
    }
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
        changed_at: from_instant(m.changed_at)?,
        org: org_of([
            &m.company,
            &m.location,
            &m.department,
            &m.unit,
            &m.employee_type,
        ])?,
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
        let column = order_column(query.order);
        if let Some(c) = &page.after {
            let after = ReferencePosition::parse(c, filter, query)?;
            let at = instant(after.at).map_err(|_| StoreError::InvalidCursor)?;
            let id = after.id.as_bytes().to_vec();
            // A row comparison lets the index scan start at the cursor.
            let here = Expr::tuple([
                Expr::col((reference::Entity, column)),
                Expr::col((reference::Entity, reference::Column::Id)),
            ]);
            let cursor = Expr::tuple([Expr::value(at), Expr::value(id)]);
            q = q.filter(if query.order.ascending() {
                here.gt(cursor)
            } else {
                here.lt(cursor)
            });
        }
        let direction = if query.order.ascending() {
            Order::Asc
        } else {
            Order::Desc
        };
        let rows = q
            .order_by(column, direction.clone())
            .order_by(reference::Column::Id, direction)
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
                .map(|line| ReferencePosition::of(line, query.order).cursor(filter, query))
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
            .filter(of::<reference::Entity>(tenant))
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
        let rows =
            history::<status_change::Entity>(&self.db, tenant, STATUS, id.as_bytes()).await?;
        rows.iter()
            .map(|m| from_json("status change", m.data.as_bytes()))
            .collect()
    }

    async fn change_log(
        &self,
        tenant: TenantId,
        id: ReferenceId,
    ) -> Result<Vec<ChangeLogEntry>, StoreError> {
        let rows = history::<change_log::Entity>(&self.db, tenant, CHANGES, id.as_bytes()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in &rows {
            let at = change_at(tenant, &m.reference_id, m.seq);
            out.push(self.open_json(&self.db, &at, &m.data).await?);
        }
        Ok(out)
    }
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
    let subjects = (reference::Column::EmployeeId, reference::Column::Id);
    let signers = (
        signatory::Column::EmployeeId,
        signatory::Column::ReferenceId,
    );
    let a = named_in::<reference::Entity, _>(conn, tenant, subjects, &ignore, only).await?;
    let b = named_in::<signatory::Entity, _>(conn, tenant, signers, &ignore, only).await?;
    a.iter()
        .chain(b.iter())
        .map(|x| id16(x).map(EmployeeId::from_bytes))
        .collect()
}

/// The employees a table names in its `employee` column, except in the
/// references `ignore` (its `reference` column); only `only` when given.
async fn named_in<E: Owned, C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    (employee, reference): (E::Column, E::Column),
    ignore: &[Vec<u8>],
    only: Option<EmployeeId>,
) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut q = E::find()
        .select_only()
        .column(employee)
        .filter(of::<E>(tenant));
    if !ignore.is_empty() {
        q = q.filter(reference.is_not_in(ignore.to_vec()));
    }
    if let Some(e) = only {
        q = q.filter(employee.eq(e.as_bytes().to_vec()));
    }
    q.distinct().into_tuple().all(conn).await.map_err(db)
}

/// The employee's new organisational attributes on every reference naming it
/// as subject (part of `Write::UpdateEmployee`).
pub(crate) async fn follow_employee(txn: &Txn, e: &Employee) -> Result<(), StoreError> {
    let mut update = reference::Entity::update_many();
    for (column, value) in org_columns(criterion_column, &e.org) {
        update = update.col_expr(column, value);
    }
    update
        .filter(key::<reference::Entity>(
            e.tenant,
            reference::Column::EmployeeId,
            e.id.as_bytes().to_vec(),
        ))
        .exec(txn)
        .await
        .map_err(db)?;
    Ok(())
}

/// The signatories and sealed sections of a reference.
async fn insert_parts(store: &Store, txn: &Txn, r: &Reference) -> Result<(), StoreError> {
    let id = r.id.as_bytes().to_vec();
    for (position, e) in r.signatories.iter().enumerate() {
        let signer = signatory::ActiveModel {
            tenant_id: Set(tid(r.tenant)),
            reference_id: Set(id.clone()),
            position: Set(i32::try_from(position).map_err(|_| StoreError::Conflict {
                what: "too many signatories".into(),
            })?),
            employee_id: Set(e.as_bytes().to_vec()),
        };
        insert(txn, signer, db).await?;
    }
    for (key, content) in r.content.iter() {
        let name = name_of(&key)?;
        let at = ctx(
            r.tenant,
            "reference_sections",
            "content",
            &section_row(&id, &name),
        );
        let sealed = store
            .keys
            .seal(txn, &at, content.as_str().as_bytes())
            .await?;
        let part = section::ActiveModel {
            tenant_id: Set(tid(r.tenant)),
            reference_id: Set(id.clone()),
            section: Set(name),
            content: Set(sealed),
        };
        insert(txn, part, db).await?;
    }
    Ok(())
}

/// `Write::InsertReference`.
pub(crate) async fn insert_reference(
    store: &Store,
    txn: &Txn,
    r: &Reference,
) -> Result<(), StoreError> {
    let [company, location, department, unit, employee_type] = org_values(&r.org);
    let first = reference::ActiveModel {
        tenant_id: Set(tid(r.tenant)),
        id: Set(r.id.as_bytes().to_vec()),
        version: Set(1),
        employee_id: Set(r.employee.as_bytes().to_vec()),
        company: Set(company),
        location: Set(location),
        department: Set(department),
        unit: Set(unit),
        employee_type: Set(employee_type),
        kind: Set(name_of(&r.kind)?),
        language: Set(name_of(&r.language)?),
        status: Set(name_of(&r.status)?),
        status_since: Set(instant(r.status_since)?),
        private: Set(r.private),
        created_by: Set(r.created_by.as_bytes().to_vec()),
        created_at: Set(instant(r.created_at)?),
        changed_at: Set(instant(r.changed_at)?),
        generated_hash: Set(r.generated.map(|h| h.to_vec())),
    };
    insert(txn, first, conflict("a reference with this id exists")).await?;
    insert_parts(store, txn, r).await
}

/// `Write::UpdateReference`: the row the check was made for, whatever the
/// content says; its signatories and sections replaced.
pub(crate) async fn update_reference(
    store: &Store,
    txn: &Txn,
    checked: &WritableReference,
    v: Version,
) -> Result<(), StoreError> {
    let r = checked.reference();
    let (t, id) = (checked.tenant(), checked.id().as_bytes().to_vec());
    // The organisational columns are not written here: they follow the
    // employee (`follow_employee`), and a reference read before the employee
    // moved must not write the old place back.
    let set = vec![
        (reference::Column::Kind, Expr::value(name_of(&r.kind)?)),
        (
            reference::Column::Language,
            Expr::value(name_of(&r.language)?),
        ),
        (reference::Column::Status, Expr::value(name_of(&r.status)?)),
        (
            reference::Column::StatusSince,
            Expr::value(instant(r.status_since)?),
        ),
        (reference::Column::Private, Expr::value(r.private)),
        (
            reference::Column::ChangedAt,
            Expr::value(instant(r.changed_at)?),
        ),
        (
            reference::Column::GeneratedHash,
            Expr::value(r.generated.map(|h| h.to_vec())),
        ),
    ];
    update::<reference::Entity>(txn, row(t, checked.id()), v, set, "reference", db).await?;
    delete::<signatory::Entity>(
        txn,
        parts::<signatory::Entity>(t, signatory::Column::ReferenceId, &id),
    )
    .await?;
    delete::<section::Entity>(
        txn,
        parts::<section::Entity>(t, section::Column::ReferenceId, &id),
    )
    .await?;
    insert_parts(store, txn, r).await
}

/// `Write::DeleteReference` (what hangs off it goes with it).
pub(crate) async fn delete_reference(
    txn: &Txn,
    t: TenantId,
    id: ReferenceId,
) -> Result<(), StoreError> {
    delete_one::<reference::Entity>(txn, row(t, id)).await
}

/// The `reference_id` and `seq` columns of a per-reference history table.
type Sequence<E> = (<E as EntityTrait>::Column, <E as EntityTrait>::Column);

const STATUS: Sequence<status_change::Entity> = (
    status_change::Column::ReferenceId,
    status_change::Column::Seq,
);
const CHANGES: Sequence<change_log::Entity> =
    (change_log::Column::ReferenceId, change_log::Column::Seq);

/// The field context of a sealed change-log entry.
fn change_at(t: TenantId, reference: &[u8], seq: i64) -> zeugnis_core::ports::FieldContext {
    ctx(t, "change_log", "data", &seq_row(reference, seq))
}

/// A reference's entries of a history table, oldest first.
async fn history<E: Owned>(
    conn: &impl ConnectionTrait,
    t: TenantId,
    (reference_col, seq_col): Sequence<E>,
    reference: &[u8],
) -> Result<Vec<E::Model>, StoreError> {
    E::find()
        .filter(parts::<E>(t, reference_col, reference))
        .order_by_asc(seq_col)
        .all(conn)
        .await
        .map_err(db)
}

/// The next number of a reference's history table.
async fn next_seq<E: Owned>(
    txn: &Txn,
    t: TenantId,
    (reference_col, seq_col): Sequence<E>,
    reference: &[u8],
) -> Result<i64, StoreError> {
    let max: Option<Option<i64>> = E::find()
        .select_only()
        .column_as(Expr::col(seq_col).max(), "max")
        .filter(parts::<E>(t, reference_col, reference))
        .into_tuple()
        .one(txn)
        .await
        .map_err(db)?;
    Ok(max.flatten().unwrap_or(0).saturating_add(1))
}

/// `Write::AppendStatusChange`.
pub(crate) async fn append_status(txn: &Txn, s: &StatusChange) -> Result<(), StoreError> {
    let rid = s.reference.as_bytes().to_vec();
    let seq = next_seq::<status_change::Entity>(txn, s.tenant, STATUS, &rid).await?;
    let entry = status_change::ActiveModel {
        tenant_id: Set(tid(s.tenant)),
        reference_id: Set(rid),
        seq: Set(seq),
        at: Set(instant(s.at)?),
        data: Set(to_json(s)?),
    };
    insert(txn, entry, db).await
}

/// `Write::AppendChangeLog`: the entry sealed.
pub(crate) async fn append_change_log(
    store: &Store,
    txn: &Txn,
    c: &ChangeLogEntry,
) -> Result<(), StoreError> {
    let rid = c.reference.as_bytes().to_vec();
    let seq = next_seq::<change_log::Entity>(txn, c.tenant, CHANGES, &rid).await?;
    let at = change_at(c.tenant, &rid, seq);
    let entry = change_log::ActiveModel {
        tenant_id: Set(tid(c.tenant)),
        reference_id: Set(rid),
        seq: Set(seq),
        at: Set(instant(c.at)?),
        data: Set(store.seal_json(txn, &at, c).await?),
    };
    insert(txn, entry, db).await
}
