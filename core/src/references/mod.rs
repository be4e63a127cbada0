//! References: the employee master data and the references written about them —
//! sections, forms, grades and the workflow of statuses.

pub mod employee;
pub mod reference;
