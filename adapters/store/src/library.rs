//! The tenant's phrase library and reference formatting: one plain JSON row
//! each in `tenant_documents`, by kind.

use async_trait::async_trait;
use sea_orm::Set;
use sea_orm::sea_query::Expr;
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeugnis_core::document::LetterFormatting;
use zeugnis_core::id::TenantId;
use zeugnis_core::phrases::PhraseLibrary;
use zeugnis_core::ports::{LibraryStore, StoreError, Version, Versioned};

use crate::Store;
use crate::codec::to_json;
use crate::entity::tenant_document;
use crate::row::{Txn, key, one, save, tid, versioned_json};

/// `tenant_documents.kind` of the phrase library.
pub(crate) const PHRASES: &str = "phrase_library";
/// `tenant_documents.kind` of the reference formatting.
pub(crate) const FORMATTING: &str = "letter_formatting";

fn row(t: TenantId, kind: &str) -> sea_orm::Condition {
    key::<tenant_document::Entity>(t, tenant_document::Column::Kind, kind)
}

impl Store {
    /// The tenant's document of `kind`; `default` at version 0 before the
    /// first save.
    async fn document<T: DeserializeOwned>(
        &self,
        tenant: TenantId,
        kind: &str,
        default: impl FnOnce() -> T + Send,
    ) -> Result<Versioned<T>, StoreError> {
        match one::<tenant_document::Entity, _>(&self.db, row(tenant, kind)).await? {
            Some(m) => versioned_json(kind, &m.data, m.version),
            None => Ok(Versioned {
                value: default(),
                version: Version(0),
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
        self.document(tenant, PHRASES, PhraseLibrary::german_default)
            .await
    }

    async fn letter_formatting(
        &self,
        tenant: TenantId,
    ) -> Result<Versioned<LetterFormatting>, StoreError> {
        self.document(tenant, FORMATTING, LetterFormatting::default)
            .await
    }
}

/// `Write::SavePhraseLibrary` and `Write::SaveLetterFormatting`: the first save
/// inserts, later ones compare and set; a lost race is stale either way.
pub(crate) async fn save_document<T: Serialize>(
    txn: &Txn,
    t: TenantId,
    kind: &str,
    value: &T,
    v: Option<Version>,
) -> Result<(), StoreError> {
    let data = to_json(value)?;
    let first = tenant_document::ActiveModel {
        tenant_id: Set(tid(t)),
        kind: Set(kind.to_owned()),
        version: Set(1),
        data: Set(data.clone()),
    };
    let set = vec![(tenant_document::Column::Data, Expr::value(data))];
    save(txn, first, row(t, kind), v, set, kind).await
}
