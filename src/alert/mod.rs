//! Alert documents, shaped as Kibana writes them to `.alerts-security.alerts-<space>`.

pub mod cap;
pub mod document;
mod ecs_types;
mod ecs_values;
#[cfg(rule_files)]
mod file_rule_fields;
mod moment_iso;
pub mod reason;
pub mod rule_fields;
mod strip;
pub mod uuid;

use std::sync::Arc;

use serde_json::{Map, Value};

pub use rule_fields::RuleFields;

/// What an emitted document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// A first-seen alert on one term tuple of one event.
    NewTerm,
    /// A summary of alerts the `max_signals` cap suppressed in one window.
    CapSummary,
    /// A suppressed alert emitted again, brought up to date: the same document (and
    /// `kibana.alert.uuid`) with new `kibana.alert.suppression.*` counts and
    /// `kibana.alert.last_detected` (rule files with `alert_suppression`).
    #[cfg(alert_suppression)]
    SuppressionUpdate,
}

/// One document for the host to emit: the alert's own fields, then the rule's static
/// fields, which every alert of a detector shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub kind: AlertKind,
    /// The alert's own fields, in document order: the source event's, then Kibana's
    /// per-alert ones. [`Alert::document`] gives the whole document.
    pub fields: Map<String, Value>,
    /// The rule's static fields, which follow [`Alert::fields`] in the document.
    pub rule: Arc<RuleFields>,
    /// Decided after the event that raised it had been handed back: the reorder window
    /// held that event until later events showed none earlier could still arrive, so
    /// the alert comes with the record at which it was decided (or at the end of input).
    pub deferred: bool,
}

impl Alert {
    /// One field of the document, by its top-level key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key).or_else(|| self.rule.map().get(key))
    }

    /// The whole document as a map (a copy: for hosts that hand out objects).
    pub fn document(&self) -> Map<String, Value> {
        let mut doc = self.fields.clone();
        for (key, value) in self.rule.map() {
            doc.insert(key.clone(), value.clone());
        }
        doc
    }

    /// `kibana.alert.uuid`.
    pub fn uuid(&self) -> &str {
        self.fields
            .get("kibana.alert.uuid")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `kibana.alert.new_terms`, empty for summaries.
    pub fn new_terms(&self) -> &[Value] {
        self.fields
            .get("kibana.alert.new_terms")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The document as compact JSON (in document order, so byte-for-byte reproducible):
    /// the own fields, then the rule's pre-rendered text. (`serde_json` hands its text over
    /// as a `String`; writing into bytes and checking them as UTF-8 again cost about 3% of
    /// an alert in WAMR's interpreter.)
    pub fn to_json(&self) -> String {
        // A map of string keys cannot fail to serialise; should it ever, an empty object
        // keeps the JSON valid.
        let mut out = serde_json::to_string(&self.fields).unwrap_or_else(|_| "{}".to_owned());
        let rule = self.rule.json_members();
        if !rule.is_empty() {
            out.pop(); // the closing brace
            out.reserve(rule.len() + 2);
            if !self.fields.is_empty() {
                out.push(',');
            }
            out.push_str(rule);
            out.push('}');
        }
        out
    }

    /// Append [`Alert::to_json`] to `out` (the Fluent Bit module's reply buffer),
    /// written there directly.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mark = out.len();
        if crate::json_fields::append_json(out, &self.fields).is_err() {
            out.truncate(mark);
            out.extend_from_slice(b"{}");
        }
        let rule = self.rule.json_members();
        if !rule.is_empty() {
            out.pop(); // the closing brace
            if !self.fields.is_empty() {
                out.push(b',');
            }
            out.extend_from_slice(rule.as_bytes());
            out.push(b'}');
        }
    }
}
