//! The rule as executable data: its query and its new-terms extraction.

pub mod kql;
pub mod prefilter;
pub mod query;
pub mod terms;
