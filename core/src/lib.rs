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
//! The folders are the bounded contexts: where a rule lives says what it is
//! about. Each module is also reachable by its own name at the crate root
//! (`zeugnis_core::user` is [`identity::user`]).
//!
//! | context | modules | decides |
//! |---|---|---|
//! | [`identity`] | [`user`], [`access`], [`scope`], [`authz`], [`lockout`], [`password`], [`second_factor`], [`session`], [`action`], [`token`] | accounts, roles with 14 areas, reference access scopes, every access decision (areas, scope + private flag, no escalation, last Administrator), lockout, password policy, TOTP steps and recovery codes, sessions, single-use registration and reset links, secret tokens and their hashes |
//! | [`references`] | [`employee`], [`reference`](mod@reference) | master data, references, sections, grades, the workflow |
//! | [`writing`] | [`phrases`], [`generator`], [`check`], [`document`] | phrase libraries with German defaults, the text generator, the reference check, a reference as a printable letter with the tenant's formatting |
//! | [`handover`](mod@handover) | [`matrix`], [`otp`] | the handover permission matrix, links, one-time codes and the two-step check |
//! | [`compliance`] | [`audit`], [`settings`], [`retention`], [`support`] | audit events, the hash chain, CSV safety; privacy settings; deletion policies; support access for a period |
//! | [`messaging`] | [`mail`], [`messages`] | a tenant's mail settings, the placeholders of each message, template limits, the retry policy; every user-facing text, German and English |
//! | shared | [`values`], [`id`], [`tenant`], [`classify`] | checked value types, identifiers, tenants, what kind of failure each error is |
//! | [`ports`] | | the traits adapters implement; [`ports::ChangeSet`] is the unit of work |
//! | [`services`] | | use cases over the ports: login (the password step and the whole flow), accounts, sessions, second factors, roles, organisations and first-start setup, employees, references, the phrase library, handing over (HR's side next to the holder's), the audit log, the retention sweep, one round of delivery |
//!
//! ## Features
//!
//! * `serde` — kept for compatibility; `Serialize`/`Deserialize` are always
//!   implemented (section forms and phrase libraries are JSON documents).
//! * `mock` — `mockall` mocks of every port (`MockUserStore`, `MockClock`, …).
//! * `memory` — `memory::MemoryStore`, every store port, the unit of work and
//!   the outbox in process memory, for tests.

pub mod classify;
pub mod compliance;
pub mod handover;
pub mod id;
pub mod identity;
#[cfg(any(test, feature = "memory"))]
pub mod memory;
pub mod messaging;
pub mod ports;
pub mod references;
pub mod services;
pub mod tenant;
pub mod values;
pub mod writing;

// The rules by their own names: `zeugnis_core::user` is
// `zeugnis_core::identity::user`, and so on.
pub use compliance::{audit, retention, settings, support};
pub use handover::{matrix, otp};
pub use identity::{
    access, action, authz, lockout, password, scope, second_factor, session, token, user,
};
pub use messaging::{mail, messages};
pub use references::{employee, reference};
pub use writing::{check, document, generator, phrases};

/// The examples of `README.md`, run as doctests.
#[cfg(all(doctest, feature = "memory"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
