//! Writing: the phrase libraries, the generator that writes a reference's text,
//! the check that reads it for hidden codes, and the letter it is printed as.

pub mod check;
pub mod document;
pub mod generator;
pub mod phrases;
