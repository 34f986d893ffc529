//! What became of one record: the detector's verdict, which the counters
//! ([`crate::stats`]) count and every host reports.

use crate::error::InputError;

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Unparseable(InputError),
    NotCloudTrail(&'static str),
    /// Rejected by the byte-level pre-check: it cannot hold a successful Scan.
    Prefiltered,
    NotMatched,
    Excepted,
    NoTimestamp,
    MissingTerms,
    Recorded,
}
