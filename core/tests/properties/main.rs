//! Property-based tests of the domain rules, through the public API of
//! `zeugnis-core`. Each property compares the implementation with a small model
//! written here.

mod deletion;
mod escalation;
mod generator;
mod lockout;
mod matrix;
mod password;
mod scope;
mod strategies;
mod workflow;
