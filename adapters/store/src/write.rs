//! The write side: a [`ChangeSet`] applied in one transaction.

use std::collections::BTreeSet;

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait as _, DatabaseBackend, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait as _, QueryFilter, QuerySelect, Set, SqlErr, TransactionOptions,
    TransactionTrait,
};
use zeugnis_core::access::{Role, RoleKind};
use zeugnis_core::audit::{AuditEntry, AuditEvent, ChainHash};
use zeugnis_core::employee::{Employee, OrgAttributes};
use zeugnis_core::handover::Handover;
use zeugnis_core::id::{EmployeeId, TenantId};
use zeugnis_core::otp::{CodeChallenge, CodePurpose};
use zeugnis_core::ports::{
    ChangeSet, KeyStore, Precondition, StoreError, UnitOfWork, Version, Write,
};
use zeugnis_core::reference::{ChangeLogEntry, Reference, StatusChange};
use zeugnis_core::second_factor::SecondFactors;
use zeugnis_core::session::{Principal, Session};
use zeugnis_core::settings::TenantSettings;
use zeugnis_core::tenant::Tenant;
use zeugnis_core::user::User;

use crate::Store;
use crate::codec::{day, instant, name_of, to_json, to_json_bytes, version};
use crate::entity::{
    action_token, audit_entry, audit_head, challenge, change_log, credential, document, employee,
    handover, outbox, reference, role, second_factor, section, session, setting, signatory,
    status_change, tenant, tenant_document, tenant_key, user,
};
use crate::error::db;
use crate::read::{ctx, email_lookup, named_employees, section_row, seq_row, sso_lookup, tid};

type Txn = DatabaseTransaction;

fn stale(what: &str) -> StoreError {
    StoreError::Conflict {
        what: format!("the {what} was changed by someone else; reload it"),
    }
}

/// After an update touched no row: was the record gone or changed?
async fn missing_or_stale<E: EntityTrait>(
    txn: &Txn,
    find: sea_orm::Select<E>,
    what: &str,
) -> Result<(), StoreError> {
    match find.one(txn).await.map_err(db)? {
        Some(_) => Err(stale(what)),
        None => Err(StoreError::NotFound),
    }
}

fn org_values(o: &OrgAttributes) -> [Option<String>; 5] {
    [
        &o.company,
        &o.location,
        &o.department,
        &o.unit,
        &o.employee_type,
    ]
    .map(|v| v.as_ref().map(|n| n.as_str().to_owned()))
}

/// Unique violations become a conflict named `what`; foreign-key violations
/// mean a record referred to does not exist.
fn insert_err(what: &'static str) -> impl Fn(DbErr) -> StoreError {
    move |e| crate::error::conflict_as(e, what)
}

/// The advisory lock that serialises first-start setups on Postgres.
const SETUP_LOCK: i64 = 0x7a65_7567_6e69_7301;

#[async_trait]
impl UnitOfWork for Store {
    async fn commit(&self, changes: ChangeSet) -> Result<(), StoreError> {
        let (tenant, writes, preconditions) = changes.into_parts()?;
        let result = self.apply(tenant, writes, preconditions).await;
        if result.is_err() {
            // Keys unwrapped or created inside the failed transaction must not
            // outlive it.
            self.keys.forget(tenant);
        }
        result
    }
}

impl Store {
    /// A write transaction; on SQLite `BEGIN IMMEDIATE`, so that two writers
    /// never deadlock upgrading a read lock (the busy timeout queues them).
    pub(crate) async fn begin_write(&self) -> Result<Txn, StoreError> {
        match self.db.get_database_backend() {
            DatabaseBackend::Sqlite => self
                .db
                .begin_with_options(TransactionOptions {
                    sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                    ..TransactionOptions::default()
                })
                .await
                .map_err(db),
            _ => self.db.begin().await.map_err(db),
        }
    }

    async fn begin(&self, tenant: TenantId) -> Result<Txn, StoreError> {
        match self.db.get_database_backend() {
            DatabaseBackend::Sqlite => self.begin_write().await,
            _ => {
                let txn = self.begin_write().await?;
                // One writer per tenant at a time: the audit chain's head and the
                // last-Administrator check need it.
                tenant::Entity::find_by_id(tid(tenant))
                    .lock_exclusive()
                    .one(&txn)
                    .await
                    .map_err(db)?;
                Ok(txn)
            }
        }
    }

    async fn apply(
        &self,
        tenant: TenantId,
        writes: Vec<Write>,
        preconditions: Vec<Precondition>,
    ) -> Result<(), StoreError> {
        let txn = self.begin(tenant).await?;
        if preconditions.contains(&Precondition::OnlyTenant)
            && self.db.get_database_backend() == DatabaseBackend::Postgres
        {
            // Two instances setting up at once: the second waits here until the
            // first has committed, and then sees its organisation.
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({SETUP_LOCK})"))
                .await
                .map_err(db)?;
        }
        let mut required: Vec<Precondition> = preconditions;
        let mut chain = Chain::default();
        for w in writes {
            if let Write::DeleteEmployee(e) = &w {
                let p = Precondition::EmployeeUnreferenced(*e);
                if !required.contains(&p) {
                    required.push(p);
                }
            }
            if let Write::AppendAudit(e) = w {
                self.append_audit(&txn, tenant, &mut chain, e).await?;
                continue;
            }
            // Audit rows are inserted in batches, but always before any other
            // write (a purge must see them).
            chain.flush_rows(&txn).await?;
            let purge = matches!(w, Write::PurgeTenantData);
            self.write(&txn, tenant, w).await?;
            if purge {
                // The chain is gone with the tenant's data; start afresh.
                chain = Chain::default();
            }
        }
        chain.flush_rows(&txn).await?;
        chain.save_head(&txn, tenant).await?;
        for p in required {
            let holds = match p {
                Precondition::AdministratorRemains => {
                    !crate::read::active_administrators(&txn, tenant)
                        .await?
                        .is_empty()
                }
                Precondition::EmployeeUnreferenced(e) => {
                    named_employees(&txn, tenant, &BTreeSet::new(), Some(e))
                        .await?
                        .is_empty()
                }
                Precondition::OnlyTenant => {
                    tenant::Entity::find()
                        .filter(tenant::Column::Id.ne(tid(tenant)))
                        .count(&txn)
                        .await
                        .map_err(db)?
                        == 0
                }
            };
            if !holds {
                return Err(StoreError::PreconditionFailed(p));
            }
        }
        txn.commit().await.map_err(db)
    }

    #[allow(clippy::too_many_lines)]
    async fn write(&self, txn: &Txn, t: TenantId, w: Write) -> Result<(), StoreError> {
        match w {
            Write::InsertTenant(x) => self.insert_tenant(txn, &x).await,
            Write::UpdateTenant(x) => update_tenant(txn, &x).await,
            Write::PurgeTenantData => self.purge_tenant(txn, t).await,
            Write::InsertUser(u) => self.insert_user(txn, &u).await,
            Write::UpdateUser(u, v) => self.update_user(txn, &u, v).await,
            Write::DeleteUser(id) => {
                let r = user::Entity::delete_many()
                    .filter(user::Column::TenantId.eq(tid(t)))
                    .filter(user::Column::Id.eq(id.as_bytes().to_vec()))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                found(r.rows_affected)
            }
            Write::SetPasswordHash(id, hash) => {
                credential::Entity::delete_many()
                    .filter(credential::Column::TenantId.eq(tid(t)))
                    .filter(credential::Column::UserId.eq(id.as_bytes().to_vec()))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                credential::Entity::insert(credential::ActiveModel {
                    tenant_id: Set(tid(t)),
                    user_id: Set(id.as_bytes().to_vec()),
                    phc: Set(hash.as_str().to_owned()),
                })
                .exec_without_returning(txn)
                .await
                .map_err(db)?;
                Ok(())
            }
            Write::InsertAction(a) => {
                action_token::Entity::insert(action_token::ActiveModel {
                    tenant_id: Set(tid(a.tenant)),
                    token_hash: Set(a.token_hash.as_bytes().to_vec()),
                    user_id: Set(a.user.as_bytes().to_vec()),
                    purpose: Set(a.purpose.key().to_owned()),
                    created_at: Set(instant(a.created_at)?),
                    expires_at: Set(instant(a.expires_at)?),
                })
                .exec_without_returning(txn)
                .await
                .map_err(insert_err("a link with this token exists"))?;
                Ok(())
            }
            Write::ConsumeAction(hash) => {
                let r = action_token::Entity::delete_many()
                    .filter(action_token::Column::TenantId.eq(tid(t)))
                    .filter(action_token::Column::TokenHash.eq(hash.as_bytes().to_vec()))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                found(r.rows_affected)
            }
            Write::DeleteActionsOfUser(user_id, purpose) => {
                action_token::Entity::delete_many()
                    .filter(action_token::Column::TenantId.eq(tid(t)))
                    .filter(action_token::Column::UserId.eq(user_id.as_bytes().to_vec()))
                    .filter(action_token::Column::Purpose.eq(purpose.key()))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                Ok(())
            }
            Write::SaveSecondFactors(f, v) => self.save_second_factors(txn, t, &f, v).await,
            Write::DeleteSecondFactors(user_id) => {
                second_factor::Entity::delete_many()
                    .filter(second_factor::Column::TenantId.eq(tid(t)))
                    .filter(second_factor::Column::UserId.eq(user_id.as_bytes().to_vec()))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                Ok(())
            }
            Write::InsertRole(r) => insert_role(txn, &r).await,
            Write::UpdateRole(r, v) => update_role(txn, &r, v).await,
            Write::DeleteRole(id) => {
                let r = role::Entity::delete_many()
                    .filter(role::Column::TenantId.eq(tid(t)))
                    .filter(role::Column::Id.eq(id.as_bytes().to_vec()))
                    .exec(txn)
                    .await
                    .map_err(|e| match crate::error::classify(&e) {
                        Some(SqlErr::ForeignKeyConstraintViolation(_)) => StoreError::Conflict {
                            what: "the role is still assigned to users".into(),
                        },
                        _ => db(e),
                    })?;
                found(r.rows_affected)
            }
            Write::InsertEmployee(e) => self.insert_employee(txn, &e).await,
            Write::UpdateEmployee(e, v) => self.update_employee(txn, &e, v).await,
            Write::DeleteEmployee(id) => delete_employee(txn, t, id).await,
            Write::InsertReference(r) => self.insert_reference(txn, &r).await,
            Write::UpdateReference(r, v) => self.update_reference(txn, &r, v).await,
            Write::DeleteReference(id) => {
                let r = reference::Entity::delete_many()
                    .filter(reference::Column::TenantId.eq(tid(t)))
                    .filter(reference::Column::Id.eq(id.as_bytes().to_vec()))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                found(r.rows_affected)
            }
            Write::AppendStatusChange(s) => append_status(txn, &s).await,
            Write::AppendChangeLog(c) => self.append_change_log(txn, &c).await,
            Write::InsertHandover(h) => self.insert_handover(txn, &h).await,
            Write::UpdateHandover(h, v) => self.update_handover(txn, &h, v).await,
            Write::InsertChallenge(c) => insert_challenge(txn, &c).await,
            Write::UpdateChallenge(c, v) => update_challenge(txn, &c, v).await,
            Write::DeleteChallenge(id) => {
                let r = challenge::Entity::delete_many()
                    .filter(challenge::Column::TenantId.eq(tid(t)))
                    .filter(challenge::Column::Id.eq(id.as_bytes().to_vec()))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                found(r.rows_affected)
            }
            Write::InsertSession(s) => insert_session(txn, &s).await,
            Write::TouchSession(hash, at) => {
                session::Entity::update_many()
                    .col_expr(session::Column::LastSeenAt, Expr::value(instant(at)?))
                    .filter(session::Column::TenantId.eq(tid(t)))
                    .filter(session::Column::TokenHash.eq(hash.as_bytes().to_vec()))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                Ok(())
            }
            Write::ConsumeSession(hash) => {
                let r = session::Entity::delete_many()
                    .filter(session::Column::TenantId.eq(tid(t)))
                    .filter(session::Column::TokenHash.eq(hash.as_bytes().to_vec()))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                found(r.rows_affected)
            }
            Write::DeleteSession(hash) => {
                delete_sessions(txn, t, session::Column::TokenHash, hash.as_bytes().to_vec()).await
            }
            Write::DeleteSessionsOfUser(id) => {
                delete_sessions(txn, t, session::Column::UserId, id.as_bytes().to_vec()).await
            }
            Write::DeleteOtherSessionsOfUser(id, keep) => {
                session::Entity::delete_many()
                    .filter(session::Column::TenantId.eq(tid(t)))
                    .filter(session::Column::UserId.eq(id.as_bytes().to_vec()))
                    .filter(session::Column::TokenHash.ne(keep.as_bytes().to_vec()))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                Ok(())
            }
            Write::DeleteSessionsOfHandover(id) => {
                delete_sessions(txn, t, session::Column::HandoverId, id.as_bytes().to_vec()).await
            }
            Write::SaveSettings(s, v) => save_settings(txn, t, &s, v).await,
            Write::SavePhraseLibrary(l, v) => {
                save_document(txn, t, PHRASES, &to_json(&*l)?, v).await
            }
            Write::SaveLetterFormatting(f, v) => {
                save_document(txn, t, FORMATTING, &to_json(&*f)?, v).await
            }
            Write::AppendAudit(_) => Ok(()), // handled in `apply`
            Write::PurgeExpired(now) => {
                let at = instant(now)?;
                action_token::Entity::delete_many()
                    .filter(action_token::Column::TenantId.eq(tid(t)))
                    .filter(action_token::Column::ExpiresAt.lte(at))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                challenge::Entity::delete_many()
                    .filter(challenge::Column::TenantId.eq(tid(t)))
                    .filter(challenge::Column::ExpiresAt.lte(at))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                let idle_limit = instant(now.saturating_sub(time::Duration::hours(24)))?;
                session::Entity::delete_many()
                    .filter(session::Column::TenantId.eq(tid(t)))
                    .filter(session::Column::LastSeenAt.lte(idle_limit))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                Ok(())
            }
            Write::PurgeAuditBefore(at) => {
                audit_entry::Entity::delete_many()
                    .filter(audit_entry::Column::TenantId.eq(tid(t)))
                    .filter(audit_entry::Column::At.lt(instant(at)?))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                self.purge_failed_messages(txn, t, at).await
            }
            Write::Enqueue(m) => self.enqueue(txn, &m).await,
            Write::FailMessage(id, lease_until) => self.fail_message(txn, t, id, lease_until).await,
        }
    }

    async fn insert_tenant(&self, txn: &Txn, x: &Tenant) -> Result<(), StoreError> {
        tenant::Entity::insert(tenant::ActiveModel {
            id: Set(tid(x.id)),
            slug: Set(x.slug.as_str().to_owned()),
            status: Set(name_of(&x.status)?),
            version: Set(1),
            created_at: Set(instant(x.created_at)?),
            data: Set(to_json(x)?),
        })
        .exec_without_returning(txn)
        .await
        .map_err(insert_err("a tenant with this id or slug exists"))?;
        self.keys.create(txn, x.id, x.created_at).await
    }

    async fn purge_tenant(&self, txn: &Txn, t: TenantId) -> Result<(), StoreError> {
        macro_rules! purge {
            ($($m:ident),*) => {$(
                $m::Entity::delete_many()
                    .filter($m::Column::TenantId.eq(tid(t)))
                    .exec(txn)
                    .await
                    .map_err(db)?;
            )*};
        }
        purge!(
            session,
            action_token,
            second_factor,
            challenge,
            document,
            change_log,
            status_change,
            section,
            signatory,
            handover,
            reference,
            employee,
            credential,
            user,
            role,
            audit_entry,
            audit_head,
            outbox,
            setting,
            tenant_document
        );
        self.keys.destroy(txn, t, time::UtcDateTime::now()).await
    }

    async fn save_second_factors(
        &self,
        txn: &Txn,
        t: TenantId,
        f: &SecondFactors,
        v: Option<Version>,
    ) -> Result<(), StoreError> {
        let id = f.user.as_bytes().to_vec();
        let data = self
            .keys
            .seal(
                txn,
                &ctx(t, "second_factors", "data", &id),
                &to_json_bytes(f)?,
            )
            .await?;
        match v {
            None => {
                second_factor::Entity::insert(second_factor::ActiveModel {
                    tenant_id: Set(tid(t)),
                    user_id: Set(id),
                    version: Set(1),
                    data: Set(data),
                })
                .exec_without_returning(txn)
                .await
                .map_err(|e| match crate::error::classify(&e) {
                    Some(SqlErr::UniqueConstraintViolation(_)) => stale("second factor"),
                    _ => insert_err("second factor")(e),
                })?;
                Ok(())
            }
            Some(v) => {
                let r = second_factor::Entity::update_many()
                    .col_expr(second_factor::Column::Version, Expr::value(version(v)? + 1))
                    .col_expr(second_factor::Column::Data, Expr::value(data))
                    .filter(second_factor::Column::TenantId.eq(tid(t)))
                    .filter(second_factor::Column::UserId.eq(id.clone()))
                    .filter(second_factor::Column::Version.eq(version(v)?))
                    .exec(txn)
                    .await
                    .map_err(db)?;
                if r.rows_affected == 0 {
                    return missing_or_stale(
                        txn,
                        second_factor::Entity::find_by_id((tid(t), id)),
                        "second factor",
                    )
                    .await;
                }
                Ok(())
            }
        }
    }

    async fn insert_user(&self, txn: &Txn, u: &User) -> Result<(), StoreError> {
        let key = self.keys.data_key(txn, u.tenant).await?;
        let id = u.id.as_bytes().to_vec();
        let data = self
            .keys
            .seal(
                txn,
                &ctx(u.tenant, "users", "data", &id),
                &to_json_bytes(u)?,
            )
            .await?;
        user::Entity::insert(user::ActiveModel {
            tenant_id: Set(tid(u.tenant)),
            id: Set(id),
            version: Set(1),
            email_hash: Set(email_lookup(&key, &u.email)),
            sso_hash: Set(u.auth.sso.as_ref().map(|s| sso_lookup(&key, s))),
            role_id: Set(u.role.as_bytes().to_vec()),
            status: Set(name_of(&u.status)?),
            created_at: Set(instant(u.created_at)?),
            data: Set(data),
        })
        .exec_without_returning(txn)
        .await
        .map_err(insert_err(
            "a user with this id, e-mail address or SSO identity exists",
        ))?;
        Ok(())
    }

    async fn update_user(&self, txn: &Txn, u: &User, v: Version) -> Result<(), StoreError> {
        let key = self.keys.data_key(txn, u.tenant).await?;
        let id = u.id.as_bytes().to_vec();
        let data = self
            .keys
            .seal(
                txn,
                &ctx(u.tenant, "users", "data", &id),
                &to_json_bytes(u)?,
            )
            .await?;
        let r = user::Entity::update_many()
            .col_expr(user::Column::Version, Expr::value(version(v)? + 1))
            .col_expr(
                user::Column::EmailHash,
                Expr::value(email_lookup(&key, &u.email)),
            )
            .col_expr(
                user::Column::SsoHash,
                Expr::value(u.auth.sso.as_ref().map(|s| sso_lookup(&key, s))),
            )
            .col_expr(
                user::Column::RoleId,
                Expr::value(u.role.as_bytes().to_vec()),
            )
            .col_expr(user::Column::Status, Expr::value(name_of(&u.status)?))
            .col_expr(user::Column::Data, Expr::value(data))
            .filter(user::Column::TenantId.eq(tid(u.tenant)))
            .filter(user::Column::Id.eq(id.clone()))
            .filter(user::Column::Version.eq(version(v)?))
            .exec(txn)
            .await
            .map_err(insert_err(
                "another user has this e-mail address or SSO identity",
            ))?;
        if r.rows_affected == 0 {
            return missing_or_stale(txn, user::Entity::find_by_id((tid(u.tenant), id)), "user")
                .await;
        }
        Ok(())
    }

    async fn insert_employee(&self, txn: &Txn, e: &Employee) -> Result<(), StoreError> {
        let id = e.id.as_bytes().to_vec();
        let data = self
            .keys
            .seal(
                txn,
                &ctx(e.tenant, "employees", "data", &id),
                &to_json_bytes(e)?,
            )
            .await?;
        let [company, location, department, unit, employee_type] = org_values(&e.org);
        employee::Entity::insert(employee::ActiveModel {
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
        })
        .exec_without_returning(txn)
        .await
        .map_err(insert_err("an employee with this id exists"))?;
        Ok(())
    }

    async fn update_employee(&self, txn: &Txn, e: &Employee, v: Version) -> Result<(), StoreError> {
        let id = e.id.as_bytes().to_vec();
        let data = self
            .keys
            .seal(
                txn,
                &ctx(e.tenant, "employees", "data", &id),
                &to_json_bytes(e)?,
            )
            .await?;
        let [company, location, department, unit, employee_type] = org_values(&e.org);
        let r = employee::Entity::update_many()
            .col_expr(employee::Column::Version, Expr::value(version(v)? + 1))
            .col_expr(employee::Column::Company, Expr::value(company.clone()))
            .col_expr(employee::Column::Location, Expr::value(location.clone()))
            .col_expr(
                employee::Column::Department,
                Expr::value(department.clone()),
            )
            .col_expr(employee::Column::Unit, Expr::value(unit.clone()))
            .col_expr(
                employee::Column::EmployeeType,
                Expr::value(employee_type.clone()),
            )
            .col_expr(
                employee::Column::ExitDate,
                Expr::value(e.employment.exit_date.map(day)),
            )
            .col_expr(employee::Column::Data, Expr::value(data))
            .filter(employee::Column::TenantId.eq(tid(e.tenant)))
            .filter(employee::Column::Id.eq(id.clone()))
            .filter(employee::Column::Version.eq(version(v)?))
            .exec(txn)
            .await
            .map_err(db)?;
        if r.rows_affected == 0 {
            return missing_or_stale(
                txn,
                employee::Entity::find_by_id((tid(e.tenant), id)),
                "employee",
            )
            .await;
        }
        // Scopes filter references by their employee's attributes: keep them in step.
        reference::Entity::update_many()
            .col_expr(reference::Column::Company, Expr::value(company))
            .col_expr(reference::Column::Location, Expr::value(location))
            .col_expr(reference::Column::Department, Expr::value(department))
            .col_expr(reference::Column::Unit, Expr::value(unit))
            .col_expr(reference::Column::EmployeeType, Expr::value(employee_type))
            .filter(reference::Column::TenantId.eq(tid(e.tenant)))
            .filter(reference::Column::EmployeeId.eq(id))
            .exec(txn)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn write_reference_parts(&self, txn: &Txn, r: &Reference) -> Result<(), StoreError> {
        let id = r.id.as_bytes().to_vec();
        for (position, e) in r.signatories.iter().enumerate() {
            signatory::Entity::insert(signatory::ActiveModel {
                tenant_id: Set(tid(r.tenant)),
                reference_id: Set(id.clone()),
                position: Set(i32::try_from(position).map_err(|_| StoreError::Conflict {
                    what: "too many signatories".into(),
                })?),
                employee_id: Set(e.as_bytes().to_vec()),
            })
            .exec_without_returning(txn)
            .await
            .map_err(db)?;
        }
        for (key, content) in r.content.iter() {
            let name = name_of(&key)?;
            let row = section_row(&id, &name);
            let sealed = self
                .keys
                .seal(
                    txn,
                    &ctx(r.tenant, "reference_sections", "content", &row),
                    content.as_str().as_bytes(),
                )
                .await?;
            section::Entity::insert(section::ActiveModel {
                tenant_id: Set(tid(r.tenant)),
                reference_id: Set(id.clone()),
                section: Set(name),
                content: Set(sealed),
            })
            .exec_without_returning(txn)
            .await
            .map_err(db)?;
        }
        Ok(())
    }

    async fn insert_reference(&self, txn: &Txn, r: &Reference) -> Result<(), StoreError> {
        let [company, location, department, unit, employee_type] = org_values(&r.org);
        reference::Entity::insert(reference::ActiveModel {
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
            generated_hash: Set(r.generated.map(|h| h.to_vec())),
        })
        .exec_without_returning(txn)
        .await
        .map_err(insert_err("a reference with this id exists"))?;
        self.write_reference_parts(txn, r).await
    }

    async fn update_reference(
        &self,
        txn: &Txn,
        checked: &zeugnis_core::authz::WritableReference,
        v: Version,
    ) -> Result<(), StoreError> {
        // The row the check was made for, whatever the content says.
        let r = checked.reference();
        let (rid, rtenant) = (checked.id(), checked.tenant());
        let id = rid.as_bytes().to_vec();
        // The organisational columns are not written here: they follow the
        // employee (`update_employee` keeps them in step), and a reference read
        // before the employee moved must not write the old place back.
        let res = reference::Entity::update_many()
            .col_expr(reference::Column::Version, Expr::value(version(v)? + 1))
            .col_expr(reference::Column::Kind, Expr::value(name_of(&r.kind)?))
            .col_expr(
                reference::Column::Language,
                Expr::value(name_of(&r.language)?),
            )
            .col_expr(reference::Column::Status, Expr::value(name_of(&r.status)?))
            .col_expr(
                reference::Column::StatusSince,
                Expr::value(instant(r.status_since)?),
            )
            .col_expr(reference::Column::Private, Expr::value(r.private))
            .col_expr(
                reference::Column::GeneratedHash,
                Expr::value(r.generated.map(|h| h.to_vec())),
            )
            .filter(reference::Column::TenantId.eq(tid(rtenant)))
            .filter(reference::Column::Id.eq(id.clone()))
            .filter(reference::Column::Version.eq(version(v)?))
            .exec(txn)
            .await
            .map_err(db)?;
        if res.rows_affected == 0 {
            return missing_or_stale(
                txn,
                reference::Entity::find_by_id((tid(rtenant), id)),
                "reference",
            )
            .await;
        }
        signatory::Entity::delete_many()
            .filter(signatory::Column::TenantId.eq(tid(rtenant)))
            .filter(signatory::Column::ReferenceId.eq(id.clone()))
            .exec(txn)
            .await
            .map_err(db)?;
        section::Entity::delete_many()
            .filter(section::Column::TenantId.eq(tid(rtenant)))
            .filter(section::Column::ReferenceId.eq(id))
            .exec(txn)
            .await
            .map_err(db)?;
        self.write_reference_parts(txn, r).await
    }

    async fn append_change_log(&self, txn: &Txn, c: &ChangeLogEntry) -> Result<(), StoreError> {
        let rid = c.reference.as_bytes().to_vec();
        let seq = next_seq::<change_log::Entity>(
            txn,
            change_log::Column::TenantId,
            change_log::Column::ReferenceId,
            change_log::Column::Seq,
            c.tenant,
            &rid,
        )
        .await?;
        let sealed = self
            .keys
            .seal(
                txn,
                &ctx(c.tenant, "change_log", "data", &seq_row(&rid, seq)),
                &to_json_bytes(c)?,
            )
            .await?;
        change_log::Entity::insert(change_log::ActiveModel {
            tenant_id: Set(tid(c.tenant)),
            reference_id: Set(rid),
            seq: Set(seq),
            at: Set(instant(c.at)?),
            data: Set(sealed),
        })
        .exec_without_returning(txn)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn insert_handover(&self, txn: &Txn, h: &Handover) -> Result<(), StoreError> {
        let id = h.id.as_bytes().to_vec();
        let data = self
            .keys
            .seal(
                txn,
                &ctx(h.tenant, "handovers", "data", &id),
                &to_json_bytes(h)?,
            )
            .await?;
        handover::Entity::insert(handover::ActiveModel {
            tenant_id: Set(tid(h.tenant)),
            id: Set(id),
            version: Set(1),
            reference_id: Set(h.reference.as_bytes().to_vec()),
            created_at: Set(instant(h.created_at)?),
            expires_at: Set(instant(h.expires_at)?),
            data: Set(data),
        })
        .exec_without_returning(txn)
        .await
        .map_err(insert_err("a handover with this id exists"))?;
        Ok(())
    }

    async fn update_handover(&self, txn: &Txn, h: &Handover, v: Version) -> Result<(), StoreError> {
        let id = h.id.as_bytes().to_vec();
        let data = self
            .keys
            .seal(
                txn,
                &ctx(h.tenant, "handovers", "data", &id),
                &to_json_bytes(h)?,
            )
            .await?;
        let r = handover::Entity::update_many()
            .col_expr(handover::Column::Version, Expr::value(version(v)? + 1))
            .col_expr(
                handover::Column::ExpiresAt,
                Expr::value(instant(h.expires_at)?),
            )
            .col_expr(handover::Column::Data, Expr::value(data))
            .filter(handover::Column::TenantId.eq(tid(h.tenant)))
            .filter(handover::Column::Id.eq(id.clone()))
            .filter(handover::Column::Version.eq(version(v)?))
            .exec(txn)
            .await
            .map_err(db)?;
        if r.rows_affected == 0 {
            return missing_or_stale(
                txn,
                handover::Entity::find_by_id((tid(h.tenant), id)),
                "handover",
            )
            .await;
        }
        Ok(())
    }

    async fn append_audit(
        &self,
        txn: &Txn,
        t: TenantId,
        chain: &mut Chain,
        e: AuditEvent,
    ) -> Result<(), StoreError> {
        let key = self.keys.data_key(txn, t).await?;
        if chain.head.is_none() {
            let head = audit_head::Entity::find_by_id(tid(t))
                .one(txn)
                .await
                .map_err(db)?;
            chain.existed = head.is_some();
            chain.head = Some(match head {
                Some(h) => (h.seq, ChainHash(crate::codec::bytes32(&h.hash)?)),
                None => (0, ChainHash::default()),
            });
        }
        let (last, prev) = chain.head.unwrap_or_default();
        let seq = last.saturating_add(1);
        let entry = AuditEntry::at(
            &key.chain_key(),
            u64::try_from(seq).map_err(|_| crate::codec::corrupt("audit sequence"))?,
            prev,
            e,
        );
        let sealed = self
            .keys
            .seal(
                txn,
                &ctx(t, "audit_log", "data", &seq.to_be_bytes()),
                &to_json_bytes(&entry.event)?,
            )
            .await?;
        chain.pending.push(audit_entry::ActiveModel {
            tenant_id: Set(tid(t)),
            seq: Set(seq),
            at: Set(instant(entry.event.at)?),
            action: Set(entry.event.action.key().to_owned()),
            actor_user: Set(entry.event.acting_user().map(|u| u.as_bytes().to_vec())),
            subject_user: Set(entry.event.target_user().map(|u| u.as_bytes().to_vec())),
            prev: Set(entry.prev.0.to_vec()),
            hash: Set(entry.hash.0.to_vec()),
            data: Set(sealed),
        });
        chain.head = Some((seq, entry.hash));
        chain.moved = true;
        Ok(())
    }
}

/// The audit chain within one change set: the head is read once, the entries
/// are inserted in batches and the head is written once at the end.
#[derive(Default)]
struct Chain {
    /// `(seq, hash)` of the newest entry, once read.
    head: Option<(i64, ChainHash)>,
    /// Whether a head row exists in the database.
    existed: bool,
    /// Whether entries were appended.
    moved: bool,
    pending: Vec<audit_entry::ActiveModel>,
}

impl Chain {
    /// Rows per multi-row insert (7 values each, well under SQLite's limit).
    const BATCH: usize = 500;

    async fn flush_rows(&mut self, txn: &Txn) -> Result<(), StoreError> {
        while !self.pending.is_empty() {
            let rest = self.pending.split_off(self.pending.len().min(Self::BATCH));
            let batch = std::mem::replace(&mut self.pending, rest);
            audit_entry::Entity::insert_many(batch)
                .exec_without_returning(txn)
                .await
                .map_err(db)?;
        }
        Ok(())
    }

    async fn save_head(&self, txn: &Txn, t: TenantId) -> Result<(), StoreError> {
        let (true, Some((seq, hash))) = (self.moved, self.head) else {
            return Ok(());
        };
        if self.existed {
            audit_head::Entity::update_many()
                .col_expr(audit_head::Column::Seq, Expr::value(seq))
                .col_expr(audit_head::Column::Hash, Expr::value(hash.0.to_vec()))
                .filter(audit_head::Column::TenantId.eq(tid(t)))
                .exec(txn)
                .await
                .map_err(db)?;
        } else {
            audit_head::Entity::insert(audit_head::ActiveModel {
                tenant_id: Set(tid(t)),
                seq: Set(seq),
                hash: Set(hash.0.to_vec()),
            })
            .exec_without_returning(txn)
            .await
            .map_err(db)?;
        }
        Ok(())
    }
}

/// Ends the tenant's sessions whose `column` is `value` (none is fine).
async fn delete_sessions(
    txn: &Txn,
    t: TenantId,
    column: session::Column,
    value: Vec<u8>,
) -> Result<(), StoreError> {
    session::Entity::delete_many()
        .filter(session::Column::TenantId.eq(tid(t)))
        .filter(column.eq(value))
        .exec(txn)
        .await
        .map_err(db)?;
    Ok(())
}

fn found(rows: u64) -> Result<(), StoreError> {
    if rows == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

async fn update_tenant(txn: &Txn, x: &Tenant) -> Result<(), StoreError> {
    let r = tenant::Entity::update_many()
        .col_expr(
            tenant::Column::Slug,
            Expr::value(x.slug.as_str().to_owned()),
        )
        .col_expr(tenant::Column::Status, Expr::value(name_of(&x.status)?))
        .col_expr(tenant::Column::Data, Expr::value(to_json(x)?))
        .col_expr(
            tenant::Column::Version,
            Expr::col(tenant::Column::Version).add(1),
        )
        .filter(tenant::Column::Id.eq(tid(x.id)))
        .exec(txn)
        .await
        .map_err(insert_err("another tenant has this slug"))?;
    found(r.rows_affected)
}

async fn insert_role(txn: &Txn, r: &Role) -> Result<(), StoreError> {
    role::Entity::insert(role::ActiveModel {
        tenant_id: Set(tid(r.tenant)),
        id: Set(r.id.as_bytes().to_vec()),
        version: Set(1),
        is_administrator: Set(matches!(r.kind, RoleKind::Administrator)),
        data: Set(to_json(r)?),
    })
    .exec_without_returning(txn)
    .await
    .map_err(insert_err("a role with this id exists"))?;
    Ok(())
}

async fn update_role(txn: &Txn, r: &Role, v: Version) -> Result<(), StoreError> {
    let id = r.id.as_bytes().to_vec();
    let res = role::Entity::update_many()
        .col_expr(role::Column::Version, Expr::value(version(v)? + 1))
        .col_expr(
            role::Column::IsAdministrator,
            Expr::value(matches!(r.kind, RoleKind::Administrator)),
        )
        .col_expr(role::Column::Data, Expr::value(to_json(r)?))
        .filter(role::Column::TenantId.eq(tid(r.tenant)))
        .filter(role::Column::Id.eq(id.clone()))
        .filter(role::Column::Version.eq(version(v)?))
        .exec(txn)
        .await
        .map_err(db)?;
    if res.rows_affected == 0 {
        return missing_or_stale(txn, role::Entity::find_by_id((tid(r.tenant), id)), "role").await;
    }
    Ok(())
}

async fn delete_employee(txn: &Txn, t: TenantId, id: EmployeeId) -> Result<(), StoreError> {
    if !named_employees(txn, t, &BTreeSet::new(), Some(id))
        .await?
        .is_empty()
    {
        return Err(StoreError::PreconditionFailed(
            Precondition::EmployeeUnreferenced(id),
        ));
    }
    let r = employee::Entity::delete_many()
        .filter(employee::Column::TenantId.eq(tid(t)))
        .filter(employee::Column::Id.eq(id.as_bytes().to_vec()))
        .exec(txn)
        .await
        .map_err(|e| match crate::error::classify(&e) {
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
                StoreError::PreconditionFailed(Precondition::EmployeeUnreferenced(id))
            }
            _ => db(e),
        })?;
    found(r.rows_affected)
}

/// The next number of a per-reference sequence.
async fn next_seq<E: EntityTrait>(
    txn: &Txn,
    tenant_col: E::Column,
    reference_col: E::Column,
    seq_col: E::Column,
    t: TenantId,
    reference: &[u8],
) -> Result<i64, StoreError> {
    let max: Option<Option<i64>> = E::find()
        .select_only()
        .column_as(Expr::col(seq_col).max(), "max")
        .filter(tenant_col.eq(tid(t)))
        .filter(reference_col.eq(reference.to_vec()))
        .into_tuple()
        .one(txn)
        .await
        .map_err(db)?;
    Ok(max.flatten().unwrap_or(0).saturating_add(1))
}

async fn append_status(txn: &Txn, s: &StatusChange) -> Result<(), StoreError> {
    let rid = s.reference.as_bytes().to_vec();
    let seq = next_seq::<status_change::Entity>(
        txn,
        status_change::Column::TenantId,
        status_change::Column::ReferenceId,
        status_change::Column::Seq,
        s.tenant,
        &rid,
    )
    .await?;
    status_change::Entity::insert(status_change::ActiveModel {
        tenant_id: Set(tid(s.tenant)),
        reference_id: Set(rid),
        seq: Set(seq),
        at: Set(instant(s.at)?),
        data: Set(to_json(s)?),
    })
    .exec_without_returning(txn)
    .await
    .map_err(db)?;
    Ok(())
}

fn challenge_handover(c: &CodeChallenge) -> Option<Vec<u8>> {
    match c.purpose {
        CodePurpose::HandoverLink(h) => Some(h.as_bytes().to_vec()),
        _ => None,
    }
}

async fn insert_challenge(txn: &Txn, c: &CodeChallenge) -> Result<(), StoreError> {
    challenge::Entity::insert(challenge::ActiveModel {
        tenant_id: Set(tid(c.tenant)),
        id: Set(c.id.as_bytes().to_vec()),
        version: Set(1),
        handover_id: Set(challenge_handover(c)),
        expires_at: Set(instant(c.expires_at)?),
        data: Set(to_json(c)?),
    })
    .exec_without_returning(txn)
    .await
    .map_err(insert_err("a challenge with this id exists"))?;
    Ok(())
}

async fn update_challenge(txn: &Txn, c: &CodeChallenge, v: Version) -> Result<(), StoreError> {
    let id = c.id.as_bytes().to_vec();
    let r = challenge::Entity::update_many()
        .col_expr(challenge::Column::Version, Expr::value(version(v)? + 1))
        .col_expr(
            challenge::Column::ExpiresAt,
            Expr::value(instant(c.expires_at)?),
        )
        .col_expr(challenge::Column::Data, Expr::value(to_json(c)?))
        .filter(challenge::Column::TenantId.eq(tid(c.tenant)))
        .filter(challenge::Column::Id.eq(id.clone()))
        .filter(challenge::Column::Version.eq(version(v)?))
        .exec(txn)
        .await
        .map_err(db)?;
    if r.rows_affected == 0 {
        return missing_or_stale(
            txn,
            challenge::Entity::find_by_id((tid(c.tenant), id)),
            "code challenge",
        )
        .await;
    }
    Ok(())
}

async fn insert_session(txn: &Txn, s: &Session) -> Result<(), StoreError> {
    let user_id = s.principal.user().map(|u| u.as_bytes().to_vec());
    let handover_id = match s.principal {
        Principal::Handover(h) => Some(h.as_bytes().to_vec()),
        _ => None,
    };
    session::Entity::insert(session::ActiveModel {
        tenant_id: Set(tid(s.tenant)),
        token_hash: Set(s.token_hash.as_bytes().to_vec()),
        user_id: Set(user_id),
        handover_id: Set(handover_id),
        created_at: Set(instant(s.created_at)?),
        last_seen_at: Set(instant(s.last_seen_at)?),
        data: Set(to_json(s)?),
    })
    .exec_without_returning(txn)
    .await
    .map_err(insert_err("a session with this token exists"))?;
    Ok(())
}

async fn save_settings(
    txn: &Txn,
    t: TenantId,
    s: &TenantSettings,
    v: Option<Version>,
) -> Result<(), StoreError> {
    match v {
        None => {
            setting::Entity::insert(setting::ActiveModel {
                tenant_id: Set(tid(t)),
                version: Set(1),
                data: Set(to_json(s)?),
            })
            .exec_without_returning(txn)
            .await
            .map_err(|e| match crate::error::classify(&e) {
                Some(SqlErr::UniqueConstraintViolation(_)) => stale("settings"),
                _ => db(e),
            })?;
            Ok(())
        }
        Some(v) => {
            let r = setting::Entity::update_many()
                .col_expr(setting::Column::Version, Expr::value(version(v)? + 1))
                .col_expr(setting::Column::Data, Expr::value(to_json(s)?))
                .filter(setting::Column::TenantId.eq(tid(t)))
                .filter(setting::Column::Version.eq(version(v)?))
                .exec(txn)
                .await
                .map_err(db)?;
            if r.rows_affected == 0 {
                return Err(stale("settings"));
            }
            Ok(())
        }
    }
}

/// `tenant_documents.kind` of the phrase library.
pub(crate) const PHRASES: &str = "phrase_library";
/// `tenant_documents.kind` of the reference formatting.
pub(crate) const FORMATTING: &str = "letter_formatting";

async fn save_document(
    txn: &Txn,
    t: TenantId,
    kind: &str,
    data: &str,
    v: Option<Version>,
) -> Result<(), StoreError> {
    match v {
        None => {
            tenant_document::Entity::insert(tenant_document::ActiveModel {
                tenant_id: Set(tid(t)),
                kind: Set(kind.to_owned()),
                version: Set(1),
                data: Set(data.to_owned()),
            })
            .exec_without_returning(txn)
            .await
            .map_err(|e| match crate::error::classify(&e) {
                Some(SqlErr::UniqueConstraintViolation(_)) => stale(kind),
                _ => db(e),
            })?;
            Ok(())
        }
        Some(v) => {
            let r = tenant_document::Entity::update_many()
                .col_expr(
                    tenant_document::Column::Version,
                    Expr::value(version(v)? + 1),
                )
                .col_expr(tenant_document::Column::Data, Expr::value(data.to_owned()))
                .filter(tenant_document::Column::TenantId.eq(tid(t)))
                .filter(tenant_document::Column::Kind.eq(kind))
                .filter(tenant_document::Column::Version.eq(version(v)?))
                .exec(txn)
                .await
                .map_err(db)?;
            if r.rows_affected == 0 {
                return Err(stale(kind));
            }
            Ok(())
        }
    }
}

#[async_trait]
impl KeyStore for Store {
    async fn create_tenant_key(
        &self,
        tenant: TenantId,
    ) -> Result<(), zeugnis_core::ports::CryptoError> {
        let exists = tenant_key::Entity::find_by_id(tid(tenant))
            .one(&self.db)
            .await
            .map_err(|e| zeugnis_core::ports::CryptoError::Unavailable(e.to_string()))?;
        if exists.is_some() {
            return Ok(());
        }
        self.keys
            .create(&self.db, tenant, time::UtcDateTime::now())
            .await
            .map_err(|e| zeugnis_core::ports::CryptoError::Unavailable(e.to_string()))
    }

    async fn destroy_tenant_key(
        &self,
        tenant: TenantId,
    ) -> Result<(), zeugnis_core::ports::CryptoError> {
        self.keys
            .destroy(&self.db, tenant, time::UtcDateTime::now())
            .await
            .map_err(|e| zeugnis_core::ports::CryptoError::Unavailable(e.to_string()))
    }
}

#[async_trait]
impl zeugnis_core::ports::FieldCipher for Store {
    async fn seal(
        &self,
        context: &zeugnis_core::ports::FieldContext,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, zeugnis_core::ports::CryptoError> {
        let key = self
            .keys
            .data_key(&self.db, context.tenant)
            .await
            .map_err(cipher_err)?;
        key.seal_field(context, plaintext).map_err(Into::into)
    }

    async fn open(
        &self,
        context: &zeugnis_core::ports::FieldContext,
        sealed: &[u8],
    ) -> Result<Vec<u8>, zeugnis_core::ports::CryptoError> {
        let key = self
            .keys
            .data_key(&self.db, context.tenant)
            .await
            .map_err(cipher_err)?;
        key.open_field(context, sealed)
            .map_err(|_| zeugnis_core::ports::CryptoError::Tampered)
    }
}

fn cipher_err(e: StoreError) -> zeugnis_core::ports::CryptoError {
    match e {
        StoreError::Gone => zeugnis_core::ports::CryptoError::KeyDestroyed,
        other => zeugnis_core::ports::CryptoError::Unavailable(other.to_string()),
    }
}
