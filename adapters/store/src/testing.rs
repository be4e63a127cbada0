//! Fresh databases for tests (feature `testing`): a SQLite file in a
//! temporary folder, or a Postgres database created for the test and dropped
//! afterwards (also when the test fails).
//!
//! Postgres tests run when `ZEUGNIS_TEST_POSTGRES_URL` names a server whose
//! user may create databases. Without it they skip with a visible note on a
//! developer's machine; under `CI=true` a missing database is an error.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use sea_orm::{ConnectionTrait, Database};
use tempfile::TempDir;

use crate::Location;

/// The variable naming the Postgres server for tests.
pub const POSTGRES_URL_ENV: &str = "ZEUGNIS_TEST_POSTGRES_URL";

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    location: Location,
    dir: Option<TempDir>,
    pg: Option<PgDatabase>,
}

#[derive(Debug)]
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Dropping needs async I/O; do it on a runtime of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(db) = Database::connect(&admin_url).await {
                    let _ = db
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                    let _ = db.close().await;
                }
            });
        })
        .join();
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A test database could not be made.
#[derive(Debug, thiserror::Error)]
#[error("cannot prepare a test database: {0}")]
pub struct TestDatabaseError(String);

impl TestDatabase {
    /// A SQLite file in a fresh temporary folder.
    ///
    /// # Errors
    /// The folder cannot be created.
    pub fn sqlite() -> Result<Self, TestDatabaseError> {
        let dir = tempfile::tempdir().map_err(|e| TestDatabaseError(e.to_string()))?;
        Ok(Self {
            location: Location::Sqlite(dir.path().join("zeugnis.db")),
            dir: Some(dir),
            pg: None,
        })
    }

    /// A fresh Postgres database, or `Ok(None)` (with a note on stderr, naming
    /// `what` skipped) when no server is configured outside CI.
    ///
    /// # Errors
    /// Under `CI=true` without a server, or when the database cannot be made.
    pub async fn postgres(what: &str) -> Result<Option<Self>, TestDatabaseError> {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_ENV) else {
            if std::env::var_os("CI").is_some() {
                return Err(TestDatabaseError(format!(
                    "{POSTGRES_URL_ENV} must be set under CI: Postgres tests may not skip"
                )));
            }
            #[expect(clippy::print_stderr, reason = "a skipped test says so")]
            {
                eprintln!("SKIPPED: {what} on Postgres (set {POSTGRES_URL_ENV} to run it)");
            }
            return Ok(None);
        };
        let name = format!(
            "zeugnis_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
        );
        let fail = |e: sea_orm::DbErr| TestDatabaseError(e.to_string());
        let admin = Database::connect(&admin_url).await.map_err(fail)?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .map_err(fail)?;
        let _ = admin.close().await;
        Ok(Some(Self {
            location: Location::Postgres(with_database(&admin_url, &name)),
            dir: None,
            pg: Some(PgDatabase { admin_url, name }),
        }))
    }

    /// Where it is.
    #[must_use]
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Whether it is Postgres.
    #[must_use]
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// The SQLite folder, if SQLite.
    #[must_use]
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(TempDir::path)
    }
}

/// `url` (`postgres://user@host:port/db?params`) with its database replaced by
/// `name`.
#[must_use]
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or_default();
    let prefix = base
        .strip_suffix(after_scheme)
        .map_or_else(String::new, ToOwned::to_owned);
    let mut out = format!("{prefix}{authority}/{name}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_name_is_replaced_and_parameters_kept() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "t1"),
            "postgres://u:p@h:5432/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "t2"), "postgres://h/t2");
    }
}
