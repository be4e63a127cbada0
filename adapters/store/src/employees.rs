//! Employee records: the organisational attributes in plain indexed columns
//! (scopes filter by them), the rest sealed in `data`.

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, SimpleExpr, UnionType};
use sea_orm::{
    ColumnTrait, ConnectionTrait as _, EntityTrait, QueryFilter, QuerySelect, QueryTrait as _, Set,
    SqlErr,
};
use zeugnis_core::employee::{Employee, OrgAttributes};
use zeugnis_core::id::{EmployeeId, TenantId};
use zeugnis_core::ports::{
    EmployeeStore, OrgValues, Page, PageRequest, Precondition, StoreError, Version, Versioned,
};
use zeugnis_core::retention::EmployeeFacts;
use zeugnis_core::scope::{Criterion, ReferenceScope};
use zeugnis_core::values::Name;

use crate::Store;
use crate::codec::{corrupt, day, from_day, id16};
use crate::entity::employee;
use crate::error::{classify, db};
use crate::row::{
    Rows, Txn, conflict, delete_or, found, id_cursor, in_id_order, insert, key, of, tid, update,
};

/// The organisational attributes as column values, in the order of
/// [`Criterion::ALL`] (company, location, department, unit, employee type).
pub(crate) fn org_values(o: &OrgAttributes) -> [Option<String>; 5] {
    Criterion::ALL.map(|c| c.value_of(o).map(|n| n.as_str().to_owned()))
}

/// Back from [`org_values`].
pub(crate) fn org_of(values: [&Option<String>; 5]) -> Result<OrgAttributes, StoreError> {
    let [company, location, department, unit, employee_type] = values.map(|v| {
        v.as_deref()
            .map(|s| Name::new(s).map_err(|_| corrupt("organisational value")))
            .transpose()
    });
    Ok(OrgAttributes {
        company: company?,
        location: location?,
        department: department?,
        unit: unit?,
        employee_type: employee_type?,
    })
}

/// The organisational attributes as the values of the columns `column` names
/// for each criterion.
pub(crate) fn org_columns<C>(
    column: fn(Criterion) -> C,
    o: &OrgAttributes,
) -> Vec<(C, SimpleExpr)> {
    Criterion::ALL
        .into_iter()
        .zip(org_values(o))
        .map(|(c, v)| (column(c), Expr::value(v)))
        .collect()
}

/// The employee column a scope criterion filters.
fn employee_column(c: Criterion) -> employee::Column {
    match c {
        Criterion::Company => employee::Column::Company,
        Criterion::Location => employee::Column::Location,
        Criterion::Department => employee::Column::Department,
        Criterion::OrganisationalUnit => employee::Column::Unit,
        Criterion::EmployeeType => employee::Column::EmployeeType,
    }
}

/// The tenant's employees that `scope` covers (every restricted criterion
/// compared exactly).
fn covered(tenant: TenantId, scope: &ReferenceScope) -> sea_orm::Select<employee::Entity> {
    let mut q = employee::Entity::find().filter(of::<employee::Entity>(tenant));
    if let ReferenceScope::Restricted(r) = scope {
        for (criterion, values) in r.iter() {
            let values: Vec<String> = values.iter().map(|v| v.as_str().to_owned()).collect();
            q = q.filter(employee_column(criterion).is_in(values));
        }
    }
    q
}

fn row(t: TenantId, id: EmployeeId) -> sea_orm::Condition {
    key::<employee::Entity>(t, employee::Column::Id, id.as_bytes().to_vec())
}

#[async_trait]
impl EmployeeStore for Store {
    async fn employee(
        &self,
        tenant: TenantId,
        id: EmployeeId,
    ) -> Result<Option<Versioned<Employee>>, StoreError> {
        self.open_one::<employee::Entity, _>(tenant, row(tenant, id))
            .await
    }

    async fn employees(
        &self,
        tenant: TenantId,
        scope: &ReferenceScope,
        page: PageRequest,
    ) -> Result<Page<Employee>, StoreError> {
        let q = in_id_order(covered(tenant, scope), employee::Column::Id, &page)?;
        let rows = Rows::read(&self.db, q, page.limit()).await?;
        let items = self.open_rows(tenant, rows.shown().collect()).await?;
        Ok(rows.page(items, |m| id_cursor(&m.id)))
    }

    async fn org_values(
        &self,
        tenant: TenantId,
        scope: &ReferenceScope,
    ) -> Result<OrgValues, StoreError> {
        // One statement: a distinct read per criterion, each along its
        // index, joined with UNION ALL and told apart by the criterion's
        // position in `Criterion::ALL`.
        let member = |n: i32, criterion: Criterion| {
            let column = employee_column(criterion);
            covered(tenant, scope)
                .select_only()
                .column_as(Expr::val(n), "criterion")
                .column_as(column, "value")
                .distinct()
                .filter(column.is_not_null())
                .into_query()
        };
        let mut members = (0i32..).zip(Criterion::ALL).map(|(n, c)| member(n, c));
        let Some(mut query) = members.next() else {
            return Ok(OrgValues::new());
        };
        query.unions(members.map(|m| (UnionType::All, m)));
        let rows = self.db.query_all(&query).await.map_err(db)?;
        let mut out = OrgValues::new();
        for row in rows {
            let n: i32 = row.try_get("", "criterion").map_err(db)?;
            let value: String = row.try_get("", "value").map_err(db)?;
            let criterion = usize::try_from(n)
                .ok()
                .and_then(|n| Criterion::ALL.get(n).copied())
                .ok_or_else(|| corrupt("organisational criterion"))?;
            let value = Name::new(&value).map_err(|_| corrupt("organisational value"))?;
            out.entry(criterion).or_default().insert(value);
        }
        Ok(out)
    }

    async fn retention_facts(&self, tenant: TenantId) -> Result<Vec<EmployeeFacts>, StoreError> {
        let rows: Vec<(Vec<u8>, Option<i32>)> = employee::Entity::find()
            .select_only()
            .column(employee::Column::Id)
            .column(employee::Column::ExitDate)
            .filter(of::<employee::Entity>(tenant))
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

/// `Write::InsertEmployee`.
pub(crate) async fn insert_employee(
    store: &Store,
    txn: &Txn,
    e: &Employee,
) -> Result<(), StoreError> {
    let id = e.id.as_bytes().to_vec();
    let data = store
        .seal_row::<employee::Model>(txn, e.tenant, &id, e)
        .await?;
    let [company, location, department, unit, employee_type] = org_values(&e.org);
    let first = employee::ActiveModel {
        tenant_id: Set(tid(e.tenant)),
        id: Set(id),
        version: Set(1),
        company: Set(company),
        location: Set(location),
        department: Set(department),
        unit: Set(unit),
        employee_type: Set(employee_type),
        exit_date: Set(e.employment.exit_date.map(day)),
        data: Set(data),
    };
    insert(txn, first, conflict("an employee with this id exists")).await
}

/// `Write::UpdateEmployee`: the record, and its organisational attributes
/// copied to the employee's references in the same transaction (scopes filter
/// references by them).
pub(crate) async fn update_employee(
    store: &Store,
    txn: &Txn,
    e: &Employee,
    v: Version,
) -> Result<(), StoreError> {
    let data = store
        .seal_row::<employee::Model>(txn, e.tenant, e.id.as_bytes(), e)
        .await?;
    let mut set = org_columns(employee_column, &e.org);
    set.push((
        employee::Column::ExitDate,
        Expr::value(e.employment.exit_date.map(day)),
    ));
    set.push((employee::Column::Data, Expr::value(data)));
    update::<employee::Entity>(txn, row(e.tenant, e.id), v, set, "employee", db).await?;
    crate::references::follow_employee(txn, e).await
}

/// `Write::DeleteEmployee`. The change set carries
/// `Precondition::EmployeeUnreferenced` for it (checked after the writes);
/// while a reference names the employee the foreign keys refuse the delete
/// already, with the same failed precondition.
pub(crate) async fn delete_employee(
    txn: &Txn,
    t: TenantId,
    id: EmployeeId,
) -> Result<(), StoreError> {
    let still_named = |e| match classify(&e) {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            StoreError::PreconditionFailed(Precondition::EmployeeUnreferenced(id))
        }
        _ => db(e),
    };
    found(delete_or::<employee::Entity>(txn, row(t, id), still_named).await?)
}
