//! The rule query, compiled once:
//! `<dataset field>: "aws.cloudtrail" and event.provider: "dynamodb.amazonaws.com"
//!  and event.action: "Scan" and event.outcome: "success"`.
//!
//! Raw CloudTrail records are judged on their raw fields without building a JSON tree;
//! the mapping to ECS guarantees the same answer (a test holds the two paths together).

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::ecs::field;
use crate::input::{raw_str, CloudTrailFields};

pub const DATASET: &str = "aws.cloudtrail";
pub const PROVIDER: &str = "dynamodb.amazonaws.com";
pub const ACTION: &str = "Scan";
pub const OUTCOME: &str = "success";

/// The compiled rule query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    dataset_field: &'static str,
}

impl Query {
    pub fn new(dataset_field: &'static str) -> Self {
        Query { dataset_field }
    }

    /// A raw record: the dataset is ours (`aws.cloudtrail`), provider and action are
    /// `eventSource` and `eventName`, and success means no non-empty error field.
    pub fn matches_cloudtrail(&self, f: &CloudTrailFields<'_>) -> bool {
        f.event_source.and_then(raw_str).as_deref() == Some(PROVIDER)
            && f.event_name.and_then(raw_str).as_deref() == Some(ACTION)
            && !raw_is_present(f.error_code)
            && !raw_is_present(f.error_message)
    }

    /// An ECS document, nested, dotted or mixed, with keyword semantics.
    pub fn matches_ecs(&self, doc: &Map<String, Value>) -> bool {
        field::matches_keyword(doc, self.dataset_field, DATASET)
            && field::matches_keyword(doc, "event.provider", PROVIDER)
            && field::matches_keyword(doc, "event.action", ACTION)
            && field::matches_keyword(doc, "event.outcome", OUTCOME)
    }
}

/// Whether a raw value is "present" in Elastic's sense: not null, `""`, `{}` or `[]`
/// (after Elastic's recursive clean-up, which empties `{"a":null}` too).
fn raw_is_present(raw: Option<&RawValue>) -> bool {
    let Some(raw) = raw else { return false };
    match raw.get().as_bytes().first() {
        Some(b'"') => raw.get().len() > 2,
        // Read as the ECS mapping reads it (lone surrogates and all), then cleaned up.
        Some(b'{' | b'[') => serde_json::from_str::<serde_json::Value>(
            &crate::input::lenient::without_lone_surrogates(raw.get()),
        )
        .ok()
        .and_then(crate::ecs::cloudtrail::prune)
        .is_some(),
        Some(b'n') | None => false,
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ecs_documents_match_on_every_clause() {
        let q = Query::new("event.dataset");
        let base = json!({"event": {"dataset": "aws.cloudtrail", "provider": PROVIDER, "action": "Scan", "outcome": "success"}});
        assert!(q.matches_ecs(base.as_object().expect("object")));
        let dotted = json!({"event.dataset": "aws.cloudtrail", "event.provider": PROVIDER, "event.action": "Scan", "event.outcome": "success"});
        assert!(q.matches_ecs(dotted.as_object().expect("object")));
        for (path, value) in [
            ("dataset", "aws.s3"),
            ("provider", "s3.amazonaws.com"),
            ("action", "Query"),
            ("action", "scan"),
            ("outcome", "failure"),
        ] {
            let mut doc = base.clone();
            doc["event"][path] = json!(value);
            assert!(
                !q.matches_ecs(doc.as_object().expect("object")),
                "{path}={value}"
            );
        }
        let v6 = Query::new("data_stream.dataset");
        assert!(
            !v6.matches_ecs(base.as_object().expect("object")),
            "v6 needs data_stream.dataset"
        );
    }

    #[test]
    fn presence_is_elastics_non_empty() {
        fn raw(s: &str) -> &RawValue {
            serde_json::from_str::<&RawValue>(s).expect("raw")
        }
        for (text, present) in [
            (r#""""#, false),
            (r#""x""#, true),
            ("{}", false),
            (r#"{"a":null}"#, false),
            ("[]", false),
            ("[1]", true),
            ("0", true),
            ("false", true),
        ] {
            assert_eq!(raw_is_present(Some(raw(text))), present, "{text}");
        }
        assert!(!raw_is_present(None));
    }
}
