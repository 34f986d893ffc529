//! A streaming, in-memory form of Elastic Security's New Terms rule
//! *AWS DynamoDB Scan by Unusual User*: alert when a successful DynamoDB `Scan` is
//! made by a principal that has not scanned within the history window (14 days).
//!
//! The core is a synchronous, clock-free state machine ([`Detector`]). It never reads
//! a clock, a file, the network or randomness: hosts pass bytes and time in.
//!
//! ```
//! use dynamodb_scan_detector::{Config, Context, DetectionTime, Detector};
//!
//! let mut detector = Detector::new(Config::default());
//! let scan = br#"{"eventVersion":"1.08","eventTime":"2024-03-12T06:22:01Z",
//!   "eventSource":"dynamodb.amazonaws.com","eventName":"Scan","sourceIPAddress":"192.0.2.2",
//!   "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice"}}"#;
//! // A first sighting waits in the reorder window (5 minutes of event time) in case an
//! // earlier scan by the same principal is still to arrive; the end of input decides it.
//! assert!(detector.process(scan, Context::event_time()).is_empty());
//! let alerts = detector.flush(DetectionTime::EventTime);
//! assert_eq!(alerts.len(), 1);
//! assert_eq!(alerts[0].new_terms()[0], "arn:aws:iam::123456789012:user/alice");
//! assert!(detector.process(scan, Context::event_time()).is_empty(), "seen before");
//! assert_eq!(detector.pending(), 0, "a known principal is judged at once");
//! ```
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

pub mod alert;
pub mod bindings;
pub mod config;
pub mod detector;
pub mod ecs;
pub mod error;
mod float_text;
mod hashing;
pub mod input;
mod json_fields;
pub mod rule;
#[cfg(rule_files)]
pub mod rule_set;
pub mod state;
pub mod stats;
#[cfg(alert_suppression)]
pub mod suppression;
mod swar;
pub mod time;
mod verdict;

pub use alert::{Alert, AlertKind};
pub use config::{Config, DetectorOptions, ProfileName};
pub use detector::{Context, DetectionTime, Detector, Observed, RecordReport, Verdict};
pub use error::{ConfigError, InputError, JournalError, SnapshotError};
pub use stats::Stats;
pub use time::Millis;

/// This crate's version, as hosts report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
