//! The tenant data keys: stored only wrapped by the master key in
//! `tenant_keys`, unwrapped on first use and cached in memory.
//!
//! A destroyed key leaves a tombstone row (no wrapped key) so that reads of the
//! tenant's data report [`StoreError::Gone`] instead of failing obscurely. The
//! cache re-checks a key's row after [`KeyCache::RECHECK`], so a key destroyed
//! through another app instance stops working here too.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::{CryptoError, FieldContext, StoreError};
use zeugnis_core::values::Timestamp;
use zeugnis_crypto::{DataKey, KeyError, MasterKeyId, MasterKeyring, WrappedKey};

use crate::codec::instant;
use crate::entity::{installation, tenant_key};
use crate::error::db;

/// The installation rows that let a wrong master key be detected at start.
pub(crate) const CHECK_ID: &str = "master_key_id";
const CHECK_VALUE: &str = "master_key_check";

#[derive(Clone)]
enum Cached {
    Live(Arc<DataKey>, Instant),
    Destroyed,
}

/// The master keyring and the cache of unwrapped tenant keys.
pub(crate) struct KeyCache {
    ring: MasterKeyring,
    cache: RwLock<HashMap<TenantId, Cached>>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache")
            .field("master_key", &self.ring.primary_id())
            .finish_non_exhaustive()
    }
}

fn key_error(e: &KeyError) -> StoreError {
    StoreError::Unavailable(crate::error::with_causes(e))
}

impl KeyCache {
    /// How long an unwrapped key is used before its row is looked at again.
    pub(crate) const RECHECK: Duration = Duration::from_secs(30);

    pub(crate) fn new(ring: MasterKeyring) -> Self {
        Self {
            ring,
            cache: RwLock::new(HashMap::new()),
        }
    }

    pub(crate) fn ring(&self) -> &MasterKeyring {
        &self.ring
    }

    fn cached(&self, tenant: TenantId) -> Option<Cached> {
        let map = self.cache.read().ok()?;
        match map.get(&tenant)? {
            Cached::Live(k, at) if at.elapsed() < Self::RECHECK => {
                Some(Cached::Live(Arc::clone(k), *at))
            }
            Cached::Destroyed => Some(Cached::Destroyed),
            Cached::Live(..) => None,
        }
    }

    fn remember(&self, tenant: TenantId, entry: Cached) {
        if let Ok(mut map) = self.cache.write() {
            map.insert(tenant, entry);
        }
    }

    /// Forgets a tenant's key (after destroying it or re-wrapping).
    pub(crate) fn forget(&self, tenant: TenantId) {
        if let Ok(mut map) = self.cache.write() {
            map.remove(&tenant);
        }
    }

    /// The tenant's data key.
    ///
    /// # Errors
    /// [`StoreError::Gone`] when it was destroyed or never existed;
    /// [`StoreError::Unavailable`] when the master key does not unwrap it.
    pub(crate) async fn data_key<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
    ) -> Result<Arc<DataKey>, StoreError> {
        match self.cached(tenant) {
            Some(Cached::Live(k, _)) => return Ok(k),
            Some(Cached::Destroyed) => return Err(StoreError::Gone),
            None => {}
        }
        let row = tenant_key::Entity::find_by_id(tenant.as_bytes().to_vec())
            .one(conn)
            .await
            .map_err(db)?;
        let Some(row) = row else {
            return Err(StoreError::Gone);
        };
        let (Some(id), Some(sealed)) = (row.master_key_id, row.wrapped) else {
            self.remember(tenant, Cached::Destroyed);
            return Err(StoreError::Gone);
        };
        let id: MasterKeyId = id
            .parse()
            .map_err(|_| crate::codec::corrupt("master key id"))?;
        let wrapped = WrappedKey {
            master_key_id: id,
            sealed,
        };
        let key = Arc::new(
            self.ring
                .unwrap(tenant, &wrapped)
                .map_err(|e| key_error(&e))?,
        );
        self.remember(tenant, Cached::Live(Arc::clone(&key), Instant::now()));
        Ok(key)
    }

    /// Creates and stores a fresh data key for a tenant that has none.
    pub(crate) async fn create<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let key = DataKey::generate().map_err(|e| key_error(&e))?;
        let wrapped = self.ring.wrap(tenant, &key).map_err(|e| key_error(&e))?;
        tenant_key::Entity::insert(tenant_key::ActiveModel {
            tenant_id: Set(tenant.as_bytes().to_vec()),
            master_key_id: Set(Some(wrapped.master_key_id.to_string())),
            wrapped: Set(Some(wrapped.sealed)),
            created_at: Set(instant(now)?),
            destroyed_at: Set(None),
        })
        .exec_without_returning(conn)
        .await
        .map_err(|e| crate::error::conflict_as(e, "the tenant already has a data key"))?;
        Ok(())
    }

    /// Destroys a tenant's data key: the row keeps only the time it was destroyed.
    pub(crate) async fn destroy<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        tenant_key::Entity::update_many()
            .col_expr(
                tenant_key::Column::Wrapped,
                sea_orm::sea_query::Expr::value(Option::<Vec<u8>>::None),
            )
            .col_expr(
                tenant_key::Column::MasterKeyId,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .col_expr(
                tenant_key::Column::DestroyedAt,
                sea_orm::sea_query::Expr::value(instant(now)?),
            )
            .filter(tenant_key::Column::TenantId.eq(tenant.as_bytes().to_vec()))
            .exec(conn)
            .await
            .map_err(db)?;
        self.remember(tenant, Cached::Destroyed);
        Ok(())
    }

    /// Seals a field value.
    pub(crate) async fn seal<C: ConnectionTrait>(
        &self,
        conn: &C,
        ctx: &FieldContext,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let key = self.data_key(conn, ctx.tenant).await?;
        key.seal_field(ctx, plaintext).map_err(|e| key_error(&e))
    }

    /// Opens a field value; a value moved from elsewhere or altered is reported,
    /// never returned.
    pub(crate) async fn open<C: ConnectionTrait>(
        &self,
        conn: &C,
        ctx: &FieldContext,
        sealed: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let key = self.data_key(conn, ctx.tenant).await?;
        key.open_field(ctx, sealed).map_err(|_| {
            StoreError::Unavailable(format!(
                "an encrypted value in {}.{} failed its integrity check (altered or moved)",
                ctx.table, ctx.column
            ))
        })
    }

    /// Checks the configured master key against the database: the recorded check
    /// value must open, and every wrapped tenant key must name a configured key.
    /// On a database without a check value, records one.
    ///
    /// # Errors
    /// A message saying which key is wrong.
    pub(crate) async fn verify_master_key<C: ConnectionTrait>(
        &self,
        conn: &C,
    ) -> Result<(), String> {
        let rows = installation::Entity::find()
            .filter(installation::Column::Name.is_in([CHECK_ID, CHECK_VALUE]))
            .all(conn)
            .await
            .map_err(|e| format!("cannot read the key check from the database: {e}"))?;
        let get = |name: &str| {
            rows.iter()
                .find(|r| r.name == name)
                .map(|r| r.value.clone())
        };
        match (get(CHECK_ID), get(CHECK_VALUE)) {
            (Some(id), Some(value)) => {
                let id: MasterKeyId = id
                    .parse()
                    .map_err(|_| "the database's master key check is damaged".to_owned())?;
                let sealed = decode_hex(&value)
                    .ok_or_else(|| "the database's master key check is damaged".to_owned())?;
                self.ring
                    .verify_check_value(&id, &sealed)
                    .map_err(|e| e.to_string())?;
            }
            _ => self.record_check(conn).await.map_err(|e| e.to_string())?,
        }
        let ids: Vec<Option<String>> = tenant_key::Entity::find()
            .select_only()
            .column(tenant_key::Column::MasterKeyId)
            .distinct()
            .into_tuple()
            .all(conn)
            .await
            .map_err(|e| format!("cannot read the tenant keys: {e}"))?;
        for id in ids.into_iter().flatten() {
            let parsed: MasterKeyId = id
                .parse()
                .map_err(|_| "a wrapped tenant key names a damaged master key id".to_owned())?;
            if !self.ring.configured().iter().any(|(id, _)| *id == parsed) {
                return Err(format!(
                    "tenant keys in the database are wrapped by master key {parsed}, which is not configured (the configured master key is {} from {})",
                    self.ring.primary_id(),
                    self.ring.primary_source()
                ));
            }
        }
        Ok(())
    }

    /// Records the primary master key's check value.
    pub(crate) async fn record_check<C: ConnectionTrait>(
        &self,
        conn: &C,
    ) -> Result<(), StoreError> {
        let value = encode_hex(&self.ring.check_value().map_err(|e| key_error(&e))?);
        for (name, value) in [
            (CHECK_ID, self.ring.primary_id().to_string()),
            (CHECK_VALUE, value),
        ] {
            installation::Entity::delete_by_id(name.to_owned())
                .exec(conn)
                .await
                .map_err(db)?;
            installation::Entity::insert(installation::ActiveModel {
                name: Set(name.to_owned()),
                value: Set(value),
            })
            .exec_without_returning(conn)
            .await
            .map_err(db)?;
        }
        Ok(())
    }
}

use sea_orm::QuerySelect;

pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

impl crate::Store {
    /// Re-wraps every live tenant key under the primary master key (`zeugnis
    /// keys rotate`), one tenant at a time so the server keeps running, and
    /// records the new key's check value. Returns how many keys were re-wrapped.
    ///
    /// Instances still running with only the old master key cannot unwrap a
    /// re-wrapped key they have not cached yet: configure the new key as primary
    /// and the old one as previous on every instance before rotating.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] naming the key that failed; keys re-wrapped
    /// before the failure stay re-wrapped (each is consistent on its own).
    pub async fn rotate_master_key(&self) -> Result<usize, StoreError> {
        let primary = self.keys.ring().primary_id().to_string();
        let rows = tenant_key::Entity::find()
            .filter(tenant_key::Column::Wrapped.is_not_null())
            .filter(tenant_key::Column::MasterKeyId.ne(primary.clone()))
            .all(&self.db)
            .await
            .map_err(db)?;
        let mut count = 0;
        for row in rows {
            let (Some(id), Some(sealed)) = (row.master_key_id, row.wrapped) else {
                continue;
            };
            let tenant = TenantId::from_bytes(crate::codec::id16(&row.tenant_id)?);
            let old: MasterKeyId = id
                .parse()
                .map_err(|_| crate::codec::corrupt("master key id"))?;
            let rewrapped = self
                .keys
                .ring()
                .rewrap(
                    tenant,
                    &WrappedKey {
                        master_key_id: old,
                        sealed,
                    },
                )
                .map_err(|e| key_error(&e))?;
            let r = tenant_key::Entity::update_many()
                .col_expr(
                    tenant_key::Column::MasterKeyId,
                    sea_orm::sea_query::Expr::value(Some(primary.clone())),
                )
                .col_expr(
                    tenant_key::Column::Wrapped,
                    sea_orm::sea_query::Expr::value(Some(rewrapped.sealed)),
                )
                .filter(tenant_key::Column::TenantId.eq(row.tenant_id.clone()))
                .filter(tenant_key::Column::MasterKeyId.eq(id))
                .exec(&self.db)
                .await
                .map_err(db)?;
            count += usize::try_from(r.rows_affected).unwrap_or(0);
            self.keys.forget(tenant);
        }
        self.keys.record_check(&self.db).await?;
        Ok(count)
    }
}

impl crate::Store {
    /// The tenant's data key for the field cipher port.
    async fn cipher_key(&self, tenant: TenantId) -> Result<Arc<DataKey>, CryptoError> {
        self.keys
            .data_key(&self.db, tenant)
            .await
            .map_err(|e| match e {
                StoreError::Gone => CryptoError::KeyDestroyed,
                other => CryptoError::Unavailable(other.to_string()),
            })
    }
}

fn unavailable(e: impl std::fmt::Display) -> CryptoError {
    CryptoError::Unavailable(e.to_string())
}

#[async_trait::async_trait]
impl zeugnis_core::ports::KeyStore for crate::Store {
    async fn create_tenant_key(&self, tenant: TenantId) -> Result<(), CryptoError> {
        let exists = tenant_key::Entity::find_by_id(tenant.as_bytes().to_vec())
            .one(&self.db)
            .await
            .map_err(unavailable)?;
        if exists.is_some() {
            return Ok(());
        }
        self.keys
            .create(&self.db, tenant, time::UtcDateTime::now())
            .await
            .map_err(unavailable)
    }

    async fn destroy_tenant_key(&self, tenant: TenantId) -> Result<(), CryptoError> {
        self.keys
            .destroy(&self.db, tenant, time::UtcDateTime::now())
            .await
            .map_err(unavailable)
    }
}

#[async_trait::async_trait]
impl zeugnis_core::ports::FieldCipher for crate::Store {
    async fn seal(&self, context: &FieldContext, plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let key = self.cipher_key(context.tenant).await?;
        key.seal_field(context, plaintext).map_err(Into::into)
    }

    async fn open(&self, context: &FieldContext, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let key = self.cipher_key(context.tenant).await?;
        key.open_field(context, sealed)
            .map_err(|_| CryptoError::Tampered)
    }
}
