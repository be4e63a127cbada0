//! The sea-orm entities: one module per table. Every table but `tenants` and
//! `installation` leads its primary key with `tenant_id`; columns named `data`
//! or `content` of type `Vec<u8>` hold AES-256-GCM ciphertext, those of type
//! `String` hold plain JSON without personal data.

pub mod action_token;
pub mod audit_entry;
pub mod audit_head;
pub mod challenge;
pub mod change_log;
pub mod credential;
pub mod document;
pub mod employee;
pub mod handover;
pub mod installation;
pub mod outbox;
pub mod reference;
pub mod role;
pub mod second_factor;
pub mod section;
pub mod session;
pub mod setting;
pub mod signatory;
pub mod status_change;
pub mod tenant;
pub mod tenant_document;
pub mod tenant_key;
pub mod user;
