//! The cross-crate integration tests, one module per subject, in one test
//! binary: the workspace's heaviest crates are linked once instead of once per
//! file. Run one subject with `cargo test -p zeugnis-tests --test it api_identity::`.

mod api_audit_events;
mod api_handover;
mod api_identity;
mod api_reference_visibility;
mod api_second_factor;
mod api_strict_input;
mod browser_handover;
mod browser_pages;
mod delivery;
mod full_disk;
mod harness;
mod health;
mod outage;
mod security_headers;
mod sms;
mod smtp;
mod web_editor;
mod web_employees;
mod web_link;
mod web_pages;
