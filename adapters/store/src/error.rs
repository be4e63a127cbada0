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
            let causes = with_causes(&e);
            tracing::warn!(error = %causes, "database error");
            StoreError::Unavailable(causes)
        }
    }
}

/// An error with every cause below it, outermost first, as one line for the
/// log: `connection failed: pool timed out: …` rather than only the top.
pub(crate) fn with_causes(e: &dyn std::error::Error) -> String {
    let mut line = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        // Many errors repeat their source in their own message.
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = c.source();
    }
    line
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("the pool gave no connection")]
    struct Pool(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("opening the database failed")]
    struct Open(#[source] Pool);

    #[derive(Debug, thiserror::Error)]
    #[error("query failed: timed out")]
    struct Repeats(#[source] Timeout);

    #[derive(Debug, thiserror::Error)]
    #[error("timed out")]
    struct Timeout;

    #[test]
    fn the_log_line_keeps_every_cause_once() {
        let e = Open(Pool(std::io::Error::other("connection refused")));
        assert_eq!(
            with_causes(&e),
            "opening the database failed: the pool gave no connection: connection refused"
        );
        assert_eq!(with_causes(&Repeats(Timeout)), "query failed: timed out");
    }

    #[test]
    fn an_unclassified_driver_error_keeps_its_causes_for_the_log() {
        let e = DbErr::Conn(sea_orm::RuntimeErr::Internal("pool timed out".into()));
        assert!(
            matches!(db(e), StoreError::Unavailable(line) if line.contains("pool timed out")),
            "an outage, with its cause"
        );
    }
}
