//! Users and what hangs off them: password hashes, second factors and pending
//! registration and reset links.

use std::collections::BTreeSet;

use async_trait::async_trait;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use zeugnis_core::action::{ActionPurpose, PendingAction};
use zeugnis_core::id::{TenantId, UserId};
use zeugnis_core::ports::{
    ActionStore, CredentialStore, Page, PageRequest, PasswordHash, SecondFactorStore, StoreError,
    UserStore, Version, Versioned,
};
use zeugnis_core::second_factor::SecondFactors;
use zeugnis_core::token::TokenHash;
use zeugnis_core::user::{SsoIdentity, User, UserStatus};
use zeugnis_core::values::Email;
use zeugnis_crypto::DataKey;

use crate::Store;
use crate::codec::{corrupt, from_instant, id16, instant, name_of};
use crate::entity::{action_token, credential, role, second_factor, user};
use crate::error::db;
use crate::row::{
    Rows, Txn, conflict, delete, delete_one, id_cursor, in_id_order, insert, key, of, one,
    stale_on_unique, tid, update,
};

/// Keyed hash of an e-mail address for equality lookups.
fn email_lookup(key: &DataKey, email: &Email) -> Vec<u8> {
    key.lookup_hash("email", email.as_str().as_bytes()).to_vec()
}

/// Keyed hash of an SSO identity (issuer and subject, length-prefixed).
fn sso_lookup(key: &DataKey, id: &SsoIdentity) -> Vec<u8> {
    let mut v = Vec::with_capacity(16 + id.issuer.len() + id.subject.len());
    v.extend_from_slice(&(id.issuer.len() as u64).to_be_bytes());
    v.extend_from_slice(id.issuer.as_bytes());
    v.extend_from_slice(id.subject.as_bytes());
    key.lookup_hash("sso", &v).to_vec()
}

impl Store {
    /// The user whose lookup hash (`column`, computed with the tenant's key)
    /// matches; nobody when the tenant has no key.
    async fn user_by_hash(
        &self,
        tenant: TenantId,
        column: user::Column,
        hash: impl FnOnce(&DataKey) -> Vec<u8> + Send,
    ) -> Result<Option<Versioned<User>>, StoreError> {
        let key = match self.keys.data_key(&self.db, tenant).await {
            Ok(k) => k,
            // No key: no such tenant (or shredded) — nobody to find.
            Err(StoreError::Gone) => return Ok(None),
            Err(e) => return Err(e),
        };
        let rows = of::<user::Entity>(tenant).add(column.eq(hash(&key)));
        self.open_one::<user::Entity, _>(tenant, rows).await
    }
}

#[async_trait]
impl UserStore for Store {
    async fn user(
        &self,
        tenant: TenantId,
        id: UserId,
    ) -> Result<Option<Versioned<User>>, StoreError> {
        let rows = key::<user::Entity>(tenant, user::Column::Id, id.as_bytes().to_vec());
        self.open_one::<user::Entity, _>(tenant, rows).await
    }

    async fn user_by_email(
        &self,
        tenant: TenantId,
        email: &Email,
    ) -> Result<Option<Versioned<User>>, StoreError> {
        self.user_by_hash(tenant, user::Column::EmailHash, |k| email_lookup(k, email))
            .await
    }

    async fn user_by_sso(
        &self,
        tenant: TenantId,
        identity: &SsoIdentity,
    ) -> Result<Option<Versioned<User>>, StoreError> {
        self.user_by_hash(tenant, user::Column::SsoHash, |k| sso_lookup(k, identity))
            .await
    }

    async fn users(&self, tenant: TenantId, page: PageRequest) -> Result<Page<User>, StoreError> {
        let q = user::Entity::find().filter(of::<user::Entity>(tenant));
        let q = in_id_order(q, user::Column::Id, &page)?;
        let rows = Rows::read(&self.db, q, page.limit()).await?;
        let items = self.open_rows(tenant, rows.shown().collect()).await?;
        Ok(rows.page(items, |m| id_cursor(&m.id)))
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
        .filter(of::<role::Entity>(tenant))
        .filter(role::Column::IsAdministrator.eq(true))
        .into_tuple()
        .all(conn)
        .await
        .map_err(db)?;
    if admin_roles.is_empty() {
        return Ok(BTreeSet::new());
    }
    let in_service = [name_of(&UserStatus::Active)?];
    let ids: Vec<Vec<u8>> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(of::<user::Entity>(tenant))
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
        let rows =
            key::<credential::Entity>(tenant, credential::Column::UserId, user.as_bytes().to_vec());
        Ok(one::<credential::Entity, _>(&self.db, rows)
            .await?
            .map(|m| PasswordHash::new(m.phc)))
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
        let rows = key::<second_factor::Entity>(tenant, second_factor::Column::UserId, id.clone());
        self.open_one::<second_factor::Entity, _>(tenant, rows)
            .await
    }
}

#[async_trait]
impl ActionStore for Store {
    async fn action(
        &self,
        tenant: TenantId,
        token: &TokenHash,
    ) -> Result<Option<PendingAction>, StoreError> {
        let rows = key::<action_token::Entity>(
            tenant,
            action_token::Column::TokenHash,
            token.as_bytes().to_vec(),
        );
        let Some(m) = one::<action_token::Entity, _>(&self.db, rows).await? else {
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

/// The columns of a user row besides its key and version: lookup hashes,
/// role, status and the sealed record.
async fn user_columns(
    store: &Store,
    txn: &Txn,
    u: &User,
) -> Result<Vec<(user::Column, SimpleExpr)>, StoreError> {
    let key = store.keys.data_key(txn, u.tenant).await?;
    let data = store
        .seal_row::<user::Model>(txn, u.tenant, u.id.as_bytes(), u)
        .await?;
    Ok(vec![
        (
            user::Column::EmailHash,
            Expr::value(email_lookup(&key, &u.email)),
        ),
        (
            user::Column::SsoHash,
            Expr::value(u.auth.sso.as_ref().map(|s| sso_lookup(&key, s))),
        ),
        (
            user::Column::RoleId,
            Expr::value(u.role.as_bytes().to_vec()),
        ),
        (user::Column::Status, Expr::value(name_of(&u.status)?)),
        (user::Column::Data, Expr::value(data)),
    ])
}

/// `Write::InsertUser`.
pub(crate) async fn insert_user(store: &Store, txn: &Txn, u: &User) -> Result<(), StoreError> {
    let key = store.keys.data_key(txn, u.tenant).await?;
    let id = u.id.as_bytes().to_vec();
    let data = store.seal_row::<user::Model>(txn, u.tenant, &id, u).await?;
    let row = user::ActiveModel {
        tenant_id: Set(tid(u.tenant)),
        id: Set(id),
        version: Set(1),
        email_hash: Set(email_lookup(&key, &u.email)),
        sso_hash: Set(u.auth.sso.as_ref().map(|s| sso_lookup(&key, s))),
        role_id: Set(u.role.as_bytes().to_vec()),
        status: Set(name_of(&u.status)?),
        created_at: Set(instant(u.created_at)?),
        data: Set(data),
    };
    let what = "a user with this id, e-mail address or SSO identity exists";
    insert(txn, row, conflict(what)).await
}

/// `Write::UpdateUser`.
pub(crate) async fn update_user(
    store: &Store,
    txn: &Txn,
    u: &User,
    v: Version,
) -> Result<(), StoreError> {
    let set = user_columns(store, txn, u).await?;
    let row = key::<user::Entity>(u.tenant, user::Column::Id, u.id.as_bytes().to_vec());
    let taken = conflict("another user has this e-mail address or SSO identity");
    update::<user::Entity>(txn, row, v, set, "user", taken).await
}

/// `Write::DeleteUser` (credentials and second factors go with it).
pub(crate) async fn delete_user(txn: &Txn, t: TenantId, id: UserId) -> Result<(), StoreError> {
    delete_one::<user::Entity>(
        txn,
        key::<user::Entity>(t, user::Column::Id, id.as_bytes().to_vec()),
    )
    .await
}

/// `Write::SetPasswordHash`: replaces the user's hash.
pub(crate) async fn set_password_hash(
    txn: &Txn,
    t: TenantId,
    id: UserId,
    hash: &PasswordHash,
) -> Result<(), StoreError> {
    let user_id = id.as_bytes().to_vec();
    delete::<credential::Entity>(
        txn,
        key::<credential::Entity>(t, credential::Column::UserId, user_id.clone()),
    )
    .await?;
    let row = credential::ActiveModel {
        tenant_id: Set(tid(t)),
        user_id: Set(user_id),
        phc: Set(hash.as_str().to_owned()),
    };
    insert(txn, row, db).await
}

/// `Write::InsertAction`.
pub(crate) async fn insert_action(txn: &Txn, a: &PendingAction) -> Result<(), StoreError> {
    let row = action_token::ActiveModel {
        tenant_id: Set(tid(a.tenant)),
        token_hash: Set(a.token_hash.as_bytes().to_vec()),
        user_id: Set(a.user.as_bytes().to_vec()),
        purpose: Set(a.purpose.key().to_owned()),
        created_at: Set(instant(a.created_at)?),
        expires_at: Set(instant(a.expires_at)?),
    };
    insert(txn, row, conflict("a link with this token exists")).await
}

/// `Write::ConsumeAction`: [`StoreError::NotFound`] when already used.
pub(crate) async fn consume_action(
    txn: &Txn,
    t: TenantId,
    hash: &TokenHash,
) -> Result<(), StoreError> {
    let rows =
        key::<action_token::Entity>(t, action_token::Column::TokenHash, hash.as_bytes().to_vec());
    delete_one::<action_token::Entity>(txn, rows).await
}

/// `Write::DeleteActionsOfUser`.
pub(crate) async fn delete_actions_of_user(
    txn: &Txn,
    t: TenantId,
    user_id: UserId,
    purpose: ActionPurpose,
) -> Result<(), StoreError> {
    let rows =
        key::<action_token::Entity>(t, action_token::Column::UserId, user_id.as_bytes().to_vec())
            .add(action_token::Column::Purpose.eq(purpose.key()));
    delete::<action_token::Entity>(txn, rows).await?;
    Ok(())
}

/// `Write::SaveSecondFactors`: the first save inserts (a parallel first save
/// makes it stale), later ones compare and set.
pub(crate) async fn save_second_factors(
    store: &Store,
    txn: &Txn,
    t: TenantId,
    f: &SecondFactors,
    v: Option<Version>,
) -> Result<(), StoreError> {
    const WHAT: &str = "second factor";
    let id = f.user.as_bytes().to_vec();
    let data = store
        .seal_row::<second_factor::Model>(txn, t, &id, f)
        .await?;
    let row = key::<second_factor::Entity>(t, second_factor::Column::UserId, id.clone());
    match v {
        None => {
            let first = second_factor::ActiveModel {
                tenant_id: Set(tid(t)),
                user_id: Set(id),
                version: Set(1),
                data: Set(data),
            };
            insert(txn, first, stale_on_unique(WHAT)).await
        }
        Some(v) => {
            let set = vec![(second_factor::Column::Data, Expr::value(data))];
            update::<second_factor::Entity>(txn, row, v, set, WHAT, db).await
        }
    }
}

/// `Write::DeleteSecondFactors` (none is fine).
pub(crate) async fn delete_second_factors(
    txn: &Txn,
    t: TenantId,
    user_id: UserId,
) -> Result<(), StoreError> {
    let rows = key::<second_factor::Entity>(
        t,
        second_factor::Column::UserId,
        user_id.as_bytes().to_vec(),
    );
    delete::<second_factor::Entity>(txn, rows).await?;
    Ok(())
}
