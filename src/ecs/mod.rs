//! The one normal form every input shape becomes: an ECS document plus what is known
//! of where it came from (`_index`, `_id`, `_version` when it was an Elasticsearch hit).

mod actor;
pub mod cloudtrail;
pub mod field;
pub mod java_map;
pub mod java_value;
mod lowercase;
pub mod raw_view;
mod resources;

use serde_json::{Map, Value};

pub use crate::input::SourceMeta;

/// How the source document reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceForm {
    /// A raw CloudTrail record, mapped to ECS by us.
    CloudTrail,
    /// An ECS document (Elastic Agent, Filebeat, an export), used as it is.
    Ecs,
}

/// An event in normal form.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceEvent {
    pub doc: Map<String, Value>,
    pub meta: SourceMeta,
    pub form: SourceForm,
}

impl SourceEvent {
    /// The id Kibana would put in `kibana.alert.ancestors`: `_id`, else the event id.
    pub fn ancestor_id(&self) -> Option<String> {
        self.meta
            .id
            .clone()
            .or_else(|| match field::first(&self.doc, "event.id") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            })
    }
}

/// Top-level keys that mark an ECS document (nested or dotted).
const ECS_ROOTS: &[&str] = &["@timestamp", "event", "aws", "cloud", "data_stream", "ecs"];

/// Whether a parsed object that is not a raw CloudTrail record is an ECS document.
pub fn looks_like_ecs(doc: &Map<String, Value>) -> bool {
    doc.keys().any(|k| {
        ECS_ROOTS.iter().any(|root| {
            k == root || (k.starts_with(root) && k.as_bytes().get(root.len()) == Some(&b'.'))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ecs_is_recognised_nested_and_dotted() {
        let yes = [
            json!({"event": {"action": "Scan"}}),
            json!({"event.action": "Scan"}),
            json!({"@timestamp": "x"}),
            json!({"aws.cloudtrail.user_identity.arn": "a"}),
        ];
        let no = [
            json!({"foo": 1}),
            json!({"eventful": 1}),
            json!({"Records": 1}),
        ];
        for d in yes {
            assert!(looks_like_ecs(d.as_object().expect("object")), "{d}");
        }
        for d in no {
            assert!(!looks_like_ecs(d.as_object().expect("object")), "{d}");
        }
    }
}
