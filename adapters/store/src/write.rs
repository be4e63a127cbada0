//! The write side: a [`ChangeSet`] applied in one transaction. The dispatch
//! names every [`Write`] and hands it to the module of its table family; the
//! preconditions are checked here, once, after the writes.

use async_trait::async_trait;
use sea_orm::{
    ConnectionTrait as _, DatabaseBackend, EntityTrait, QuerySelect, TransactionOptions,
    TransactionTrait,
};
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::{ChangeSet, Precondition, StoreError, UnitOfWork, Write};

use crate::Store;
use crate::audit::Chain;
use crate::entity::{action_token, challenge, session, tenant};
use crate::error::db;
use crate::row::{Txn, expire, tid};
use crate::{employees, handovers, library, references, roles, sessions, settings, tenants, users};

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
        let mut chain = Chain::default();
        for w in writes {
            if let Write::AppendAudit(e) = w {
                chain.append(self, &txn, tenant, e).await?;
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
        for p in preconditions {
            if !holds(&txn, tenant, p).await? {
                return Err(StoreError::PreconditionFailed(p));
            }
        }
        txn.commit().await.map_err(db)
    }

    /// One write, by the module of its table family.
    async fn write(&self, txn: &Txn, t: TenantId, w: Write) -> Result<(), StoreError> {
        match w {
            Write::InsertTenant(x) => tenants::insert_tenant(self, txn, &x).await,
            Write::UpdateTenant(x) => tenants::update_tenant(txn, &x).await,
            Write::PurgeTenantData => tenants::purge_tenant(self, txn, t).await,
            Write::InsertUser(u) => users::insert_user(self, txn, &u).await,
            Write::UpdateUser(u, v) => users::update_user(self, txn, &u, v).await,
            Write::DeleteUser(id) => users::delete_user(txn, t, id).await,
            Write::SetPasswordHash(id, hash) => users::set_password_hash(txn, t, id, &hash).await,
            Write::InsertAction(a) => users::insert_action(txn, &a).await,
            Write::ConsumeAction(hash) => users::consume_action(txn, t, &hash).await,
            Write::DeleteActionsOfUser(id, purpose) => {
                users::delete_actions_of_user(txn, t, id, purpose).await
            }
            Write::SaveSecondFactors(f, v) => users::save_second_factors(self, txn, t, &f, v).await,
            Write::DeleteSecondFactors(id) => users::delete_second_factors(txn, t, id).await,
            Write::InsertRole(r) => roles::insert_role(txn, &r).await,
            Write::UpdateRole(r, v) => roles::update_role(txn, &r, v).await,
            Write::DeleteRole(id) => roles::delete_role(txn, t, id).await,
            Write::InsertEmployee(e) => employees::insert_employee(self, txn, &e).await,
            Write::UpdateEmployee(e, v) => employees::update_employee(self, txn, &e, v).await,
            Write::DeleteEmployee(id) => employees::delete_employee(txn, t, id).await,
            Write::InsertReference(r) => references::insert_reference(self, txn, &r).await,
            Write::UpdateReference(r, v) => references::update_reference(self, txn, &r, v).await,
            Write::DeleteReference(id) => references::delete_reference(txn, t, id).await,
            Write::AppendStatusChange(s) => references::append_status(txn, &s).await,
            Write::AppendChangeLog(c) => references::append_change_log(self, txn, &c).await,
            Write::InsertHandover(h) => handovers::insert_handover(self, txn, &h).await,
            Write::UpdateHandover(h, v) => handovers::update_handover(self, txn, &h, v).await,
            Write::InsertChallenge(c) => handovers::insert_challenge(txn, &c).await,
            Write::UpdateChallenge(c, v) => handovers::update_challenge(txn, &c, v).await,
            Write::DeleteChallenge(id) => handovers::delete_challenge(txn, t, id).await,
            Write::InsertSession(s) => sessions::insert_session(txn, &s).await,
            Write::TouchSession(hash, at) => sessions::touch_session(txn, t, &hash, at).await,
            Write::ConsumeSession(hash) => sessions::consume_session(txn, t, &hash).await,
            Write::DeleteSession(hash) => {
                sessions::delete_sessions(txn, t, session::Column::TokenHash, hash.as_bytes()).await
            }
            Write::DeleteSessionsOfUser(id) => {
                sessions::delete_sessions(txn, t, session::Column::UserId, id.as_bytes()).await
            }
            Write::DeleteOtherSessionsOfUser(id, keep) => {
                sessions::delete_other_sessions(txn, t, id, &keep).await
            }
            Write::DeleteSessionsOfHandover(id) => {
                sessions::delete_sessions(txn, t, session::Column::HandoverId, id.as_bytes()).await
            }
            Write::SaveSettings(s, v) => settings::save_settings(txn, t, &s, v).await,
            Write::SavePhraseLibrary(l, v) => {
                library::save_document(txn, t, library::PHRASES, &*l, v).await
            }
            Write::SaveLetterFormatting(f, v) => {
                library::save_document(txn, t, library::FORMATTING, &*f, v).await
            }
            Write::AppendAudit(_) => Ok(()), // handled in `apply`
            Write::PurgeAuditBefore(at) => crate::audit::purge_before(self, txn, t, at).await,
            Write::PurgeExpired { now, idle_since } => {
                expire::<action_token::Entity>(txn, t, action_token::Column::ExpiresAt, now)
                    .await?;
                expire::<challenge::Entity>(txn, t, challenge::Column::ExpiresAt, now).await?;
                expire::<session::Entity>(txn, t, session::Column::LastSeenAt, idle_since).await
            }
            Write::Enqueue(m) => self.enqueue(txn, &m).await,
            Write::FailMessage(id, lease_until) => self.fail_message(txn, t, id, lease_until).await,
        }
    }
}

/// Whether a precondition holds inside the transaction, after the writes.
async fn holds(txn: &Txn, t: TenantId, p: Precondition) -> Result<bool, StoreError> {
    Ok(match p {
        Precondition::AdministratorRemains => {
            !users::active_administrators(txn, t).await?.is_empty()
        }
        Precondition::EmployeeUnreferenced(e) => {
            references::named_employees(txn, t, &std::collections::BTreeSet::new(), Some(e))
                .await?
                .is_empty()
        }
        Precondition::OnlyTenant => tenants::only_tenant(txn, t).await?,
    })
}
