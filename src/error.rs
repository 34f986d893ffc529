//! Error types of the core, one enum per phase. Hosts adapt them at their edge.

use thiserror::Error;

/// A configuration document that cannot become a valid [`crate::Config`].
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ConfigError {
    #[error("config is not valid JSON for this detector: {0}")]
    Json(String),
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// Kibana's own wording for a history window that does not reach past the lookback.
    #[error("History window size is smaller than rule interval + additional lookback, 'historyWindowStart' must be earlier than 'from' (history_window {history}, from {from})")]
    HistoryWindowTooShort { history: String, from: String },
}

impl ConfigError {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ConfigError::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// Why one input document or record could not be read. Never fatal: the detector counts it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum InputError {
    #[error("input is not valid UTF-8 (first bad byte at offset {0})")]
    Utf8(usize),
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error("JSON nests deeper than {0} levels")]
    TooDeep(usize),
    #[error("`Records` is not an array")]
    RecordsNotArray,
    #[error("`logEvents` is not an array of objects with a string `message`")]
    BadLogEvents,
    #[error("`awslogs.data` is not valid base64")]
    Base64,
    #[error("`awslogs.data` is not valid gzip: {0}")]
    Gzip(String),
    #[error("`awslogs.data` inflates past {0} bytes")]
    InflatedTooLarge(usize),
    #[error(
        "`awslogs` payload nested inside another `awslogs` payload (only one level is inflated)"
    )]
    NestedAwslogs,
    #[error("input larger than {0} bytes, skipped")]
    TooLarge(usize),
    #[error("input could not be read: {0}")]
    Unreadable(String),
}

/// A snapshot that cannot be restored. The detector is never half-restored.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    #[error("not a detector snapshot (bad magic bytes)")]
    BadMagic,
    #[error(
        "snapshot format version {found} is not supported (this build reads version {supported})"
    )]
    UnsupportedVersion { found: u16, supported: u16 },
    #[error("snapshot is truncated: {0}")]
    Truncated(&'static str),
    #[error("snapshot checksum mismatch: the bytes are corrupt")]
    Checksum,
    #[error(
        "snapshot was taken with new_terms_fields {snapshot:?}, but this config uses {config:?}"
    )]
    FieldsMismatch {
        snapshot: Vec<String>,
        config: Vec<String>,
    },
    #[error("snapshot is malformed: {0}")]
    Malformed(String),
}

/// A journal line that cannot be used. Never fatal: a host skips the line and says so.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum JournalError {
    #[error("journal line is incomplete (no checksum and text)")]
    Truncated,
    #[error("journal line checksum mismatch: the line is torn or corrupt")]
    Checksum,
    #[error(
        "journal format version {found} is not supported (this build reads version {supported})"
    )]
    UnsupportedVersion { found: u64, supported: u64 },
    #[error("journal line is malformed: {0}")]
    Malformed(String),
}
