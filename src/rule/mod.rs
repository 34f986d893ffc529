//! The rule as executable data: its query and its new-terms extraction.

pub mod query;
pub mod terms;
