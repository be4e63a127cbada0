//! Identity: who someone is and what they may do — accounts, roles with their
//! areas, reference access scopes, every access decision ([`authz`]), lockout,
//! password policies, second factors, sessions, single-use registration and
//! reset links, and the secret tokens behind them.

pub mod access;
pub mod action;
pub mod authz;
pub mod lockout;
pub mod password;
pub mod scope;
pub mod second_factor;
pub mod session;
pub mod token;
pub mod user;
