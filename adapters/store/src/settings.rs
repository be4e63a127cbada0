//! The tenant's settings: one plain JSON row, created by the first save.

use async_trait::async_trait;
use sea_orm::Set;
use sea_orm::sea_query::Expr;
use zeugnis_core::id::TenantId;
use zeugnis_core::ports::{SettingsStore, StoreError, Version, Versioned};
use zeugnis_core::settings::TenantSettings;

use crate::Store;
use crate::codec::to_json;
use crate::entity::setting;
use crate::row::{Txn, of, one, save, tid, versioned_json};

#[async_trait]
impl SettingsStore for Store {
    async fn settings(&self, tenant: TenantId) -> Result<Versioned<TenantSettings>, StoreError> {
        match one::<setting::Entity, _>(&self.db, of::<setting::Entity>(tenant)).await? {
            Some(m) => versioned_json("settings", &m.data, m.version),
            None => Ok(Versioned {
                value: TenantSettings::default(),
                version: Version(0),
            }),
        }
    }
}

/// `Write::SaveSettings`: the first save inserts, later ones compare and set;
/// a lost race is stale either way.
pub(crate) async fn save_settings(
    txn: &Txn,
    t: TenantId,
    s: &TenantSettings,
    v: Option<Version>,
) -> Result<(), StoreError> {
    let data = to_json(s)?;
    let first = setting::ActiveModel {
        tenant_id: Set(tid(t)),
        version: Set(1),
        data: Set(data.clone()),
    };
    let set = vec![(setting::Column::Data, Expr::value(data))];
    save(txn, first, of::<setting::Entity>(t), v, set, "settings").await
}
