//! Alert documents, shaped as Kibana writes them to `.alerts-security.alerts-<space>`.

pub mod cap;
pub mod document;
mod ecs_types;
mod ecs_values;
mod moment_iso;
pub mod reason;
mod strip;
pub mod uuid;

use serde_json::{Map, Value};

/// What an emitted document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// A first-seen alert on one term tuple of one event.
    NewTerm,
    /// A summary of alerts the `max_signals` cap suppressed in one window.
    CapSummary,
}

/// One document for the host to emit.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub kind: AlertKind,
    pub document: Map<String, Value>,
    /// Decided after the event that raised it had been handed back: the reorder window
    /// held that event until later events showed none earlier could still arrive, so
    /// the alert comes with the record at which it was decided (or at the end of input).
    pub deferred: bool,
}

impl Alert {
    /// `kibana.alert.uuid`.
    pub fn uuid(&self) -> &str {
        self.document
            .get("kibana.alert.uuid")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `kibana.alert.new_terms`, empty for summaries.
    pub fn new_terms(&self) -> &[Value] {
        self.document
            .get("kibana.alert.new_terms")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// Compact JSON (keys sorted, so output is byte-for-byte reproducible).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.document).unwrap_or_default()
    }
}
