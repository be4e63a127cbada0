//! Messaging: a tenant's mail settings, the placeholders and limits of each
//! message, the retry policy, and every user-facing text in German and English.

pub mod mail;
pub mod messages;
