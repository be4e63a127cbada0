#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! # zeugnis-core
//!
//! The pure domain of zeugnis, a server for German employment references
//! (Arbeitszeugnisse): references and their seventeen sections, the workflow, the
//! permission matrix of a handover link, reference access scopes, roles without
//! privilege escalation, lockout, password policies, one-time codes, deletion
//! policies, and the tamper-evident audit log — as plain, documented Rust without
//! any I/O. No database, no HTTP, no async runtime, no clock and no random number
//! generator: storage, time, randomness and delivery come in through the traits in
//! [`ports`], so every rule is testable with an injected clock.
//!
//! It decides; the caller stores, sends and schedules.
//!
//! ```
//! use zeugnis_core::lockout::{Attempt, LockoutState, MaxFailedAttempts};
//! use zeugnis_core::matrix::{PermissionMatrix, SectionAccess, SectionUpdate};
//! use zeugnis_core::reference::{ReferenceContent, Section, SectionContent};
//!
//! // What may a supervisor do with the link HR sent them?
//! let matrix = PermissionMatrix::none()
//!     .with(Section::Tasks, SectionAccess::Read)
//!     .with(Section::Performance, SectionAccess::Write);
//!
//! let mut content = ReferenceContent::default();
//! content.set(Section::Personal, SectionContent::new("geboren am 3. März 1988 in Köln")?);
//! content.set(Section::Tasks, SectionContent::new("Buchhaltung, Mahnwesen")?);
//!
//! // Sections without read access are absent from what they see, not empty.
//! let view = matrix.view(&content);
//! assert!(view.get(Section::Personal).is_none());
//! assert!(view.get(Section::Tasks).is_some());
//!
//! // An update touching a read-only section is refused as a whole.
//! let update = SectionUpdate::new()
//!     .set(Section::Performance, SectionContent::new("Note 2")?)
//!     .set(Section::Tasks, SectionContent::new("anders")?);
//! assert!(matrix.authorize_update(update).is_err());
//!
//! // Five wrong passwords lock an account until someone unlocks it.
//! let mut state = LockoutState::default();
//! for _ in 0..5 {
//!     state = state.record(Attempt::WrongCredentials, MaxFailedAttempts::default()).state;
//! }
//! assert!(state.is_locked());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Map
//!
//! | module | decides |
//! |---|---|
//! | [`values`], [`id`], [`token`] | checked value types, identifiers, secret tokens and their hashes |
//! | [`tenant`], [`user`], [`access`], [`scope`] | tenants, accounts, roles with 14 areas, reference access scopes |
//! | [`authz`] | every access decision: areas, scope + private flag, no escalation, last Administrator |
//! | [`employee`], [`reference`](mod@reference) | master data, references, sections, grades, the workflow |
//! | [`phrases`], [`generator`], [`check`] | phrase libraries with German defaults, the text generator, the reference check |
//! | [`document`] | a reference as a printable letter, the tenant's formatting |
//! | [`matrix`], [`handover`] | the handover permission matrix, links, the two-step check |
//! | [`action`] | single-use registration and password-reset links |
//! | [`lockout`], [`password`], [`otp`], [`second_factor`], [`session`] | authentication rules: lockout, password policy, one-time codes, TOTP steps and recovery codes, sessions |
//! | [`support`] | support access grants for a period |
//! | [`settings`], [`retention`] | privacy settings and deletion policies |
//! | [`audit`] | audit events, the hash chain, CSV safety |
//! | [`mail`] | a tenant's mail settings, the placeholders of each message, template limits, the retry policy |
//! | [`messages`] | every user-facing text, German and English |
//! | [`ports`] | the traits adapters implement; [`ports::ChangeSet`] is the unit of work |
//! | [`services`] | use cases over the ports: login (the password step and the whole flow), accounts, sessions, second factors, roles, organisations and first-start setup, employees, references, the phrase library, handing over and the holder's work, the audit log, the retention sweep, one round of delivery |
//!
//! ## Features
//!
//! * `serde` — kept for compatibility; `Serialize`/`Deserialize` are always
//!   implemented (section forms and phrase libraries are JSON documents).
//! * `mock` — `mockall` mocks of every port (`MockUserStore`, `MockClock`, …).
//! * `memory` — `memory::MemoryStore`, every store port, the unit of work and
//!   the outbox in process memory, for tests.

pub mod access;
pub mod action;
pub mod audit;
pub mod authz;
pub mod check;
pub mod document;
pub mod employee;
pub mod generator;
pub mod handover;
pub mod id;
pub mod lockout;
pub mod mail;
pub mod matrix;
#[cfg(feature = "memory")]
pub mod memory;
pub mod messages;
pub mod otp;
pub mod password;
pub mod phrases;
pub mod ports;
pub mod reference;
pub mod retention;
pub mod scope;
pub mod second_factor;
pub mod services;
pub mod session;
pub mod settings;
pub mod support;
pub mod tenant;
pub mod token;
pub mod user;
pub mod values;
