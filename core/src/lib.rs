#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! zeugnis core
pub mod access;
pub mod audit;
pub mod authz;
pub mod employee;
pub mod handover;
pub mod id;
pub mod lockout;
pub mod matrix;
pub mod messages;
pub mod otp;
pub mod password;
pub mod ports;
pub mod reference;
pub mod retention;
pub mod scope;
pub mod services;
pub mod session;
pub mod settings;
pub mod tenant;
pub mod token;
pub mod user;
pub mod values;
