//! The rule query, compiled once: the built-in rule's
//! `<dataset field>: "aws.cloudtrail" and event.provider: "dynamodb.amazonaws.com"
//!  and event.action: "Scan" and event.outcome: "success"`, or a rule file's KQL.
//!
//! The built-in query judges raw CloudTrail records on their raw fields without building
//! a JSON tree; the mapping to ECS guarantees the same answer (a test holds the two paths
//! together). A KQL query judges the record's ECS document; its raw fields can only rule
//! a record out early (the values the query requires of `event.provider` and
//! `event.action`, which the mapping copies from `eventSource` and `eventName`).

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::ecs::field;
use crate::input::{raw_str, CloudTrailFields};

pub const DATASET: &str = "aws.cloudtrail";
pub const PROVIDER: &str = "dynamodb.amazonaws.com";
pub const ACTION: &str = "Scan";
pub const OUTCOME: &str = "success";

/// The compiled rule query.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// The built-in rule's query, on its dataset field.
    Scan { dataset_field: &'static str },
    /// A rule file's query.
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    Kql(Box<KqlQuery>),
}

/// A rule file's query with what it requires of every record it matches.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
#[derive(Debug, Clone, PartialEq)]
pub struct KqlQuery {
    pub kql: crate::rule::kql::Kql,
    pub required: crate::rule::kql::RequiredText,
}

/// What a raw record's own fields say about whether the query selects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawJudgement {
    Matches,
    Rejects,
    /// Only its ECS document can tell.
    NeedsDocument,
}

impl Query {
    pub fn new(dataset_field: &'static str) -> Self {
        Query::Scan { dataset_field }
    }

    /// A raw record, on its raw fields. For the built-in query: the dataset is ours
    /// (`aws.cloudtrail`), provider and action are `eventSource` and `eventName`, and
    /// success means no non-empty error field.
    pub fn judge_cloudtrail(&self, f: &CloudTrailFields<'_>) -> RawJudgement {
        match self {
            Query::Scan { .. } => {
                let matches = f.event_source.and_then(raw_str).as_deref() == Some(PROVIDER)
                    && f.event_name.and_then(raw_str).as_deref() == Some(ACTION)
                    && !raw_is_present(f.error_code)
                    && !raw_is_present(f.error_message);
                if matches {
                    RawJudgement::Matches
                } else {
                    RawJudgement::Rejects
                }
            }
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Query::Kql(q) => {
                let admits = |ecs_field: &str, raw: Option<&RawValue>| {
                    let Some(values) = q.required.values(ecs_field) else {
                        return true;
                    };
                    match raw.map(|r| (r, raw_str(r))) {
                        // The mapping leaves the field out: the query cannot match.
                        None => false,
                        Some((_, Some(text))) if !text.is_empty() => {
                            values.iter().any(|v| v.as_str() == text.as_ref())
                        }
                        // Not a plain string: the document decides.
                        Some(_) => true,
                    }
                };
                if admits("event.provider", f.event_source) && admits("event.action", f.event_name)
                {
                    RawJudgement::NeedsDocument
                } else {
                    RawJudgement::Rejects
                }
            }
        }
    }

    /// Whether the built-in query selects a raw record (for a KQL query: whether its
    /// raw fields alone say so, which they never do).
    pub fn matches_cloudtrail(&self, f: &CloudTrailFields<'_>) -> bool {
        self.judge_cloudtrail(f) == RawJudgement::Matches
    }

    /// An ECS document, nested, dotted or mixed, with keyword semantics.
    pub fn matches_ecs(&self, doc: &Map<String, Value>) -> bool {
        match self {
            Query::Scan { dataset_field } => {
                field::matches_keyword(doc, dataset_field, DATASET)
                    && field::matches_keyword(doc, "event.provider", PROVIDER)
                    && field::matches_keyword(doc, "event.action", ACTION)
                    && field::matches_keyword(doc, "event.outcome", OUTCOME)
            }
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Query::Kql(q) => q.kql.matches(doc),
        }
    }

    /// `false` when a document's bytes show that no record in it can match (only a KQL
    /// query answers here; the built-in query has its own pre-check,
    /// [`crate::rule::prefilter::Prefilter`]).
    #[cfg_attr(
        all(target_arch = "wasm32", target_os = "unknown"),
        allow(unused_variables)
    )]
    pub fn may_match_text(&self, doc: &[u8]) -> bool {
        match self {
            Query::Scan { .. } => true,
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Query::Kql(q) => q.required.may_match(doc),
        }
    }

    /// Whether raw records may take the fast path (their ECS document built only for
    /// an alert): only the built-in query judges them on their raw fields alone.
    pub fn judges_raw_fields(&self) -> bool {
        matches!(self, Query::Scan { .. })
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
