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
//! - **Errors in business terms.** Unique and foreign-key violations become
//!   `Conflict`/`NotFound`/`PreconditionFailed`; no driver type leaves the crate.

mod audit;
mod codec;
mod connect;
pub mod entity;
mod error;
mod keys;
pub mod migration;
mod outbox;
mod read;
#[cfg(feature = "testing")]
pub mod testing;
mod write;

pub use audit::{BrokenEntry, ChainReport};
pub use connect::{Location, OpenError, Store};
