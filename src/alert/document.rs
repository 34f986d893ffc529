//! Rendering: the alert body for a new term, and the summary of a capped window.
//!
//! Layout follows Kibana's alert `_source`: the source event's fields are copied as
//! they are (nested ECS for raw input, whatever spelling an ECS input used), minus any
//! `kibana.*` field, with `event.kind` replaced by `signal`; Kibana's own fields are
//! top-level dotted keys (`kibana.alert.new_terms`, `kibana.alert.rule.name`, …).
//! The rule's static fields are built once per detector and cloned into each alert.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::cap::CapSummary;
use super::ecs_values::js_numeric_string;
use super::reason::reason;
use super::rule_fields::RuleFields;
use super::strip::strip;
use super::uuid::{alert_uuid, summary_uuid};
use crate::config::Config;
use crate::ecs::{field, SourceEvent, SourceMeta};
use crate::json_fields::object;
use crate::rule::terms::Term;
use crate::time::{format_timestamp, timestamp_from_value, Millis};

/// Kibana's warning when a run stops at `max_signals`.
pub const MAX_SIGNALS_WARNING: &str =
    "This rule reached the maximum alert limit for the rule execution. Some alerts were not created.";

/// An event larger than this has its fields copied into its first alert only; its other
/// alerts (one per further new term in the same event) carry the first one's
/// `kibana.alert.uuid` under `dynamodb_scan_detector.source_fields_in` instead. Without
/// this bound, a hostile record with a large body and a hundred new terms would be
/// copied a hundred times.
pub const SOURCE_COPY_LIMIT: usize = 1 << 20;

/// What an alert takes from its event's document as it came (before stripping).
#[derive(Debug, Clone)]
pub struct EventFacts {
    meta: SourceMeta,
    event_id: Option<String>,
    original_time: Option<Millis>,
    reason: String,
}

/// Renders documents for one configuration.
#[derive(Debug, Clone)]
pub struct Renderer {
    rule_fields: Arc<RuleFields>,
    severity: std::borrow::Cow<'static, str>,
    rule_name: std::borrow::Cow<'static, str>,
    space: String,
    rule_uuid: String,
}

impl Renderer {
    pub fn new(config: &Config) -> Self {
        Renderer {
            rule_fields: Arc::new(RuleFields::new(config)),
            severity: config.severity(),
            rule_name: config.rule_name(),
            space: config.space_id.clone(),
            rule_uuid: config.rule_uuid.clone(),
        }
    }

    /// The rule's static fields, which every alert of this renderer ends with.
    pub fn rule_fields(&self) -> Arc<RuleFields> {
        Arc::clone(&self.rule_fields)
    }

    /// What an alert reads from its event's document as it came, before the document is
    /// stripped (the event's last alert takes the document itself, earlier ones a copy).
    pub fn facts(&self, source: &SourceEvent) -> EventFacts {
        EventFacts {
            meta: source.meta.clone(),
            event_id: source.ancestor_id(),
            original_time: original_time(&source.doc),
            reason: reason(&source.doc, &self.severity, &self.rule_name),
        }
    }

    /// The alert's own fields (all but the rule's static ones) for `term`, first seen in
    /// the event whose document (taken, or a copy) and [`Renderer::facts`] are given, at
    /// the host's `detection_time`. `fields_in`: when given, the source's fields are not
    /// copied in (see [`SOURCE_COPY_LIMIT`]); the alert names this alert of the same event
    /// instead.
    pub fn new_term(
        &self,
        source_doc: Map<String, Value>,
        facts: &EventFacts,
        term: &Term,
        detection_time: Millis,
        fields_in: Option<&str>,
    ) -> Map<String, Value> {
        let stripped = strip(source_doc);
        let mut doc = match fields_in {
            None => stripped,
            Some(first) => {
                let mut doc: Map<String, Value> = stripped
                    .into_iter()
                    .filter(|(k, _)| k.starts_with("kibana.alert.original_"))
                    .collect();
                doc.insert(
                    "dynamodb_scan_detector".into(),
                    object(vec![("source_fields_in", first.into())]),
                );
                doc
            }
        };
        // Kibana removes the source's `event.kind` (an emptied `event` object stays) and
        // writes its own as the dotted top-level key `event.kind`.
        field::remove(&mut doc, "event.kind");
        doc.insert("event.kind".into(), Value::from("signal"));
        let now = Value::from(format_timestamp(detection_time));
        doc.insert("@timestamp".into(), now.clone());
        let uuid = alert_uuid(
            &facts.meta,
            facts.event_id.as_deref(),
            &self.space,
            &self.rule_uuid,
            &term.values,
        );

        let mut ancestor = Map::new();
        if let Some(id) = &facts.event_id {
            ancestor.insert("id".into(), Value::from(id.as_str()));
        }
        if let Some(index) = &facts.meta.index {
            ancestor.insert("index".into(), Value::from(index.as_str()));
        }
        ancestor.insert("type".into(), Value::from("event"));
        ancestor.insert("depth".into(), Value::from(0));

        doc.insert(
            "kibana.alert.new_terms".into(),
            Value::Array(term.values.clone()),
        );
        if let Some(t) = facts.original_time {
            doc.insert(
                "kibana.alert.original_time".into(),
                Value::from(format_timestamp(t)),
            );
        }
        doc.insert(
            "kibana.alert.ancestors".into(),
            Value::Array(vec![Value::Object(ancestor)]),
        );
        doc.insert("kibana.alert.depth".into(), Value::from(1));
        doc.insert(
            "kibana.alert.reason".into(),
            Value::from(facts.reason.as_str()),
        );
        self.common(&mut doc, uuid, now);
        doc
    }

    /// The summary's own fields (all but the rule's static ones) for a window in which the cap suppressed alerts.
    pub fn cap_summary(&self, s: &CapSummary, detection_time: Millis) -> Map<String, Value> {
        let now = Value::from(format_timestamp(detection_time));
        let (start, end) = (
            format_timestamp(s.window_start),
            format_timestamp(s.window_end),
        );
        let reason = format!(
            "{MAX_SIGNALS_WARNING} {} alerts of {} were suppressed in the window {start} to {end}.",
            s.suppressed, self.rule_name,
        );
        let summary = object(vec![
            ("window_start", start.into()),
            ("window_end", end.into()),
            ("max_signals", s.max_signals.into()),
            ("alerts_emitted", s.emitted.into()),
            ("alerts_suppressed", s.suppressed.into()),
            ("suppressed_new_terms", s.suppressed_terms.clone().into()),
            ("suppressed_new_terms_truncated", s.terms_truncated.into()),
        ]);
        let event = object(vec![
            ("kind", "signal".into()),
            ("action", "max_signals_reached".into()),
        ]);
        let mut doc = Map::new();
        doc.insert("@timestamp".into(), now.clone());
        doc.insert("event".into(), event);
        doc.insert("kibana.alert.reason".into(), reason.into());
        doc.insert("kibana.alert.max_signals_summary".into(), summary);
        let uuid = summary_uuid(&self.space, &self.rule_uuid, s.window_start);
        self.common(&mut doc, uuid, now);
        doc
    }

    fn common(&self, doc: &mut Map<String, Value>, uuid: String, now: Value) {
        for (key, value) in [
            ("kibana.alert.uuid", Value::from(uuid)),
            ("kibana.alert.start", now.clone()),
            ("kibana.alert.last_detected", now.clone()),
            ("kibana.alert.intended_timestamp", now),
            ("kibana.alert.status", "active".into()),
            ("kibana.alert.workflow_status", "open".into()),
            ("kibana.alert.workflow_tags", empty()),
            ("kibana.alert.workflow_assignee_ids", empty()),
        ] {
            doc.insert(key.to_owned(), value);
        }
        doc.insert("kibana.space_ids".into(), strings(&[&self.space]));
    }
}

/// `kibana.alert.original_time`: Kibana's `getValidDateFromDoc` on the top-level
/// `@timestamp` (the first element of an array, as the `fields` block gives it), a
/// string or epoch-millisecond number; a string that is not a date but a number is
/// read as epoch milliseconds. Written as `toISOString()`: UTC, three fraction digits.
fn original_time(doc: &Map<String, Value>) -> Option<Millis> {
    let value = match doc.get("@timestamp")? {
        Value::Array(items) => items.first()?,
        other => other,
    };
    timestamp_from_value(value).or_else(|| {
        // moment's last resort, `moment(+text)`: JavaScript's `Number(text)` ("" is 0).
        let text = value.as_str()?.trim();
        if !js_numeric_string(text) {
            return None;
        }
        // Read through serde_json's number (and the library's one double conversion), so
        // core's float parser stays out of the .wasm; the rare JavaScript-only spellings
        // (`+1`, `.5`, `1.`, `0x1f`, `Infinity`) give no time.
        let number: f64 = if text.is_empty() {
            0.0
        } else {
            crate::float_text::number_as_f64(&text.parse::<serde_json::Number>().ok()?)
        };
        timestamp_from_value(&Value::from(number))
    })
}

/// A JSON array of strings.
fn strings(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|&s| Value::from(s)).collect())
}

fn empty() -> Value {
    Value::Array(Vec::new())
}
