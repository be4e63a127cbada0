//! The ports: what the core needs from the outside world, as traits.
//!
//! Adapters implement them (storage on sea-orm, delivery over SMTP and an SMS
//! gateway, Argon2id, AES-256-GCM, Entra ID); services in [`crate::services`] use
//! them. Every trait documents, under `# Errors`, which error an adapter MUST
//! return in which case. With the `mock` feature each trait has a `mockall` mock
//! (`MockClock`, `MockUserStore`, …).
//!
//! Reads go through the store traits; **every change goes through a
//! [`ChangeSet`] committed by [`UnitOfWork::commit`]**: all of its writes (say a
//! reference, its change-log entry, its audit entry and the message it causes)
//! commit together or not at all.

mod changes;
mod delivery;
mod documents;
mod identity;
mod security;
mod store;
mod system;

pub use changes::*;
pub use delivery::*;
pub use documents::*;
pub use identity::*;
pub use security::*;
pub use store::*;
pub use system::*;
