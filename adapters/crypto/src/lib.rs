//! Encryption at rest for zeugnis: pure, synchronous key handling and AES-256-GCM.
//!
//! This crate holds no database connection and does no I/O apart from reading and
//! creating the master key file. The storage adapter keeps the wrapped tenant keys
//! in a table and calls this API.
//!
//! # Key hierarchy
//!
//! ```text
//! MasterKey (32 bytes, file or environment variable, never in the database)
//!  ├─ id         = HMAC-SHA-256(master, "zeugnis-master-key-id-v1")[..8], 16 hex digits
//!  └─ wrap key   = HKDF-SHA-256(master, "zeugnis-master-wrap-v1")
//!       └─ wraps, per tenant, a DataKey (32 random bytes), AD = "zeugnis-tenant-key-v1" ‖ tenant
//!            ├─ field key  = HKDF-SHA-256(data key, "zeugnis-field-v1")       → AES-256-GCM of fields
//!            ├─ chain key  = HKDF-SHA-256(data key, "zeugnis-audit-chain-v1") → audit chain HMAC
//!            └─ lookup key = HKDF-SHA-256(data key, "zeugnis-lookup-v1")      → equality lookups
//! ```
//!
//! * [`MasterKey`] is loaded with [`load_master_key_file`] (or
//!   [`load_master_key_env`]) and created once with [`create_master_key_file`]. Its
//!   [`MasterKeyId`] is stored next to everything it wraps, so a wrong key is named
//!   as such instead of showing up as "tampered data".
//! * [`MasterKeyring`] holds the primary master key plus previous ones during a
//!   rotation; it [wraps](MasterKeyring::wrap) and [unwraps](MasterKeyring::unwrap)
//!   tenant [`DataKey`]s and produces a [check value](MasterKeyring::check_value)
//!   so a wrong master key is detected at start even with zero tenants.
//! * [`DataKey`] seals and opens values ([`DataKey::seal_field`] binds the
//!   ciphertext to its [`FieldContext`](zeugnis_core::ports::FieldContext): tenant,
//!   table, column and row), and derives the audit [`ChainKey`] and
//!   [lookup hashes](DataKey::lookup_hash). Destroying a tenant's wrapped data key
//!   makes all of its data unreadable (crypto-shredding).
//!
//! # Sealed format
//!
//! Every sealed value, wrapped key and check value is
//! `[version = 1][12-byte random nonce][ciphertext][16-byte GCM tag]`, so it is
//! [`SEALED_OVERHEAD`] (29) bytes longer than its plaintext.
//!
//! All key material is wiped from memory when dropped, and no `Debug` or `Display`
//! output contains key bytes.
//!
//! ```
//! use zeugnis_crypto::{DataKey, KeySource, MasterKey, MasterKeyring};
//! use zeugnis_core::id::TenantId;
//!
//! let master = MasterKey::generate()?;
//! let ring = MasterKeyring::new(master, KeySource::Env("ZEUGNIS_MASTER_KEY".into()));
//! let tenant = TenantId::from_bytes([1; 16]);
//! let data_key = DataKey::generate()?;
//! let wrapped = ring.wrap(tenant, &data_key)?; // store wrapped.master_key_id and wrapped.sealed
//!
//! let sealed = data_key.seal(b"users.email/42", b"anna@example.org")?;
//! let again = ring.unwrap(tenant, &wrapped)?;
//! assert_eq!(again.open(b"users.email/42", &sealed)?, b"anna@example.org");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ChainKey`]: zeugnis_core::audit::ChainKey

mod data;
mod error;
mod file;
mod master;
mod primitives;
mod ring;

pub use data::DataKey;
pub use error::{KeyError, OpenError};
pub use file::{
    create_master_key_file, file_mode_warning, load_master_key_env, load_master_key_file,
};
pub use master::{InvalidMasterKeyId, KeySource, MasterKey, MasterKeyId};
pub use primitives::{FORMAT_VERSION, SEALED_OVERHEAD};
pub use ring::{MasterKeyring, WrappedKey};
