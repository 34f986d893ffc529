//! The detector as a Fluent Bit `filter_wasm` module (`wasm32-wasip1`, Fluent Bit
//! 4.1.2 or later, `Event_Format json`), built with
//! `cargo build --release --lib --target wasm32-wasip1 --features fluent-bit`.
//!
//! # Which function to use
//!
//! * **`dynamodb_scan_annotate`** passes every record on. A record that raised alerts
//!   gets one more top-level key, `dynamodb_scan_alerts`: an array of the alert
//!   documents (Kibana-shaped, usually one). Records are otherwise returned byte for
//!   byte. Use it when the records go on to their usual destination anyway and alerts
//!   are to be routed off the same stream (`rewrite_tag` on
//!   `$dynamodb_scan_alerts[0]['kibana.alert.uuid']`, or `grep`).
//! * **`dynamodb_scan_alerts_only`** drops every record except those that raised alerts,
//!   which it replaces with the alert document itself. Use it on a copy of the
//!   candidates (a `rewrite_tag` copy of `eventName: Scan` records) whose only purpose
//!   is detection. When one record raised several documents (an S3
//!   `{"Records":[…]}` object with several new principals, or a cap summary closing
//!   a window together with a new alert), the one record out is
//!   `{"dynamodb_scan_alerts":[…]}`, since Fluent Bit takes at most one record back.
//!
//! # Files (in the first `Accessible_Paths` directory, all optional)
//!
//! * [`CONFIG_FILE`]: the detector's config document, shared with every other host.
//! * [`OPTIONS_FILE`]: this module's settings ([`options::Options`]).
//! * [`SNAPSHOT_FILE`]: the state, restored at start and written periodically when
//!   `snapshot_every` is set.
//! * [`JOURNAL_FILE`]: with `snapshot_every`, what changed since the snapshot that a
//!   stop must not lose, appended before each filter call that changed it returns
//!   ([`journal`]), replayed at start.
//!
//! Messages go to stderr (which is Fluent Bit's), never to stdout.
//!
//! # Guarantees
//!
//! Each call returns one valid JSON object or an empty string, never traps on any input
//! (null pointer, invalid UTF-8 or JSON, any size or depth), and reuses one output buffer.

pub mod engine;
pub mod files;
pub mod filter;
pub mod journal;
pub mod options;
pub mod output;
#[cfg(feature = "rule-files")]
pub mod rule_files;

#[cfg(all(target_os = "wasi", feature = "fluent-bit"))]
mod exports;
/// The exported functions, callable from Rust too (`tests/bench/filter_driver.rs`
/// calls them as Fluent Bit does, to count their cost in WAMR's interpreter).
#[cfg(all(target_os = "wasi", feature = "fluent-bit"))]
pub use exports::{dynamodb_scan_alerts_only, dynamodb_scan_annotate, dynamodb_scan_stats};

#[cfg(test)]
mod tests;

pub use filter::{record_time, Counters, Filter, Mode, Record, Reply};
pub use options::{DetectionClock, Options};

/// The detector's config document.
pub const CONFIG_FILE: &str = "dynamodb-scan-detector.json";
/// This module's own settings.
pub const OPTIONS_FILE: &str = "dynamodb-scan-detector.fluent-bit.json";
/// The state snapshot.
pub const SNAPSHOT_FILE: &str = "dynamodb-scan-detector.snapshot";
/// What changed since the snapshot ([`journal`]); with rule files, one per rule
/// ([`files::journal_path`]).
pub const JOURNAL_FILE: &str = "dynamodb-scan-detector.journal";
/// Elastic's rule files (`*.toml`, its subdirectories too), read by the module built
/// with the feature `rule-files` (`dynamodb_scan_detector_rules.wasm`).
pub const RULES_DIR: &str = "rules";
/// The one key the annotate function adds (and alerts-only bundles use).
pub const ALERTS_KEY: &str = "dynamodb_scan_alerts";
/// The heartbeat record of the shipped configs (a `dummy` input once a minute), as
/// Fluent Bit hands it over. With `heartbeat_stats` (the default) it comes back as
/// `{"dynamodb_scan_detector":"stats","stats":{…}}`: the counters of
/// `dynamodb_scan_stats`, plus [`ALERTS_KEY`] when alerts were decided at it.
pub const HEARTBEAT: &[u8] = br#"{"dynamodb_scan_detector":"heartbeat"}"#;
/// The one key of the object that stands in for an unreadable record (annotate).
pub const ERROR_KEY: &str = "dynamodb_scan_detector_error";
