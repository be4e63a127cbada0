//! The storage adapter of zeugnis: every store port of `zeugnis-core` and its
//! [`UnitOfWork`](zeugnis_core::ports::UnitOfWork), implemented once on sea-orm
//! for the embedded SQLite default and for Postgres.
//!
//! - **Tenant-bounded by construction.** Every table carries `tenant_id`, it leads
//!   every primary key and index, and every query of this crate names it.
//! - **One transaction per change set.** [`Store::commit`] applies a
//!   [`ChangeSet`](zeugnis_core::ports::ChangeSet) in one transaction (SQLite:
//!   `BEGIN IMMEDIATE`; Postgres: the tenant's row locked first, which also
//!   serialises the audit chain and the last-Administrator check).
//! - **Encrypted at rest.** Personal data, reference content, change-log values,
//!   audit details, outbox bodies and documents are sealed with the tenant's data
//!   key (AES-256-GCM, see `zeugnis-crypto`), bound to tenant, table, column and
//!   row. Organisational attributes, statuses and instants stay in plain indexed
//!   columns; e-mail addresses and SSO identities are found by keyed hashes.
//! - **One module per table family.** `tenants`, `users` (with credentials,
//!   second factors and pending links), `roles`, `employees`, `references`
//!   (with signatories, sections, status history and change log), `handovers`
//!   (with code challenges), `sessions`, `library`, `settings`, `audit` and
//!   `outbox` each hold their port's reads and their writes; `write` applies a
//!   change set and dispatches each write to them; `row` holds what they share
//!   (the compare-and-set update of a versioned row, sealed columns, pages).
//! - **Errors in business terms.** Unique and foreign-key violations become
//!   `Conflict`/`NotFound`/`PreconditionFailed`; no driver type leaves the crate.

mod audit;
mod codec;
mod connect;
mod employees;
pub mod entity;
mod error;
mod handovers;
mod keys;
mod library;
pub mod migration;
mod outbox;
mod references;
mod roles;
mod row;
mod sessions;
mod settings;
mod tenants;
#[cfg(feature = "testing")]
pub mod testing;
mod users;
mod write;

pub use audit::{BrokenEntry, ChainReport};
pub use connect::{Location, OpenError, Store};
