//! Driver errors in business terms: no `DbErr` crosses the port.

use sea_orm::{DbErr, SqlErr};
use zeugnis_core::ports::StoreError;

/// Any database error: constraint violations become [`StoreError::Conflict`] or
/// [`StoreError::NotFound`], everything else [`StoreError::Unavailable`].
pub(crate) fn db(e: DbErr) -> StoreError {
    match classify(&e) {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict {
            what: "a record with this key or unique value exists".into(),
        },
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => StoreError::NotFound,
        _ => {
            tracing::warn!(error = %e, "database error");
            StoreError::Unavailable(e.to_string())
        }
    }
}

/// Like [`db`], with a better word for a unique violation.
pub(crate) fn conflict_as(e: DbErr, what: &str) -> StoreError {
    match classify(&e) {
        Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict { what: what.into() },
        _ => db(e),
    }
}

/// sea-orm's classification, plus SQLite's `RESTRICT` foreign keys: those are
/// enforced by a trigger and report `SQLITE_CONSTRAINT_TRIGGER` (1811) with the
/// foreign-key message instead of `SQLITE_CONSTRAINT_FOREIGNKEY` (787).
pub(crate) fn classify(e: &DbErr) -> Option<SqlErr> {
    e.sql_err().or_else(|| {
        let text = e.to_string();
        let restrict =
            text.contains("(code: 1811)") && text.contains("FOREIGN KEY constraint failed");
        restrict.then_some(SqlErr::ForeignKeyConstraintViolation(text))
    })
}
