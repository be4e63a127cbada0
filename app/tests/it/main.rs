//! The `zeugnis` binary and the app crate, tested from outside: one test
//! binary with a module per subject (`cargo test -p zeugnis-app --test it
//! cli::` runs one subject).

mod admin;
mod cli;
mod common;
mod mail;
mod openapi;
