//! Compliance: the tamper-evident audit log, privacy settings, deletion policies
//! and support access — what a data-protection officer asks about.

pub mod audit;
pub mod retention;
pub mod settings;
pub mod support;
