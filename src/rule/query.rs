//! The rule query, compiled once: the built-in rule's
//! `<dataset field>: "aws.cloudtrail" and event.provider: "dynamodb.amazonaws.com"
//!  and event.action: "Scan" and event.outcome: "success"`, or a rule file's KQL.
//!
//! The built-in query judges raw CloudTrail records on their raw fields without building
//! a JSON tree; the mapping to ECS guarantees the same answer (a test holds the two paths
//! together). A KQL query judges the record's ECS document; its raw fields can only rule
//! a record out early (the values the query requires of `event.provider` and
//! `event.action`, which the mapping copies from `eventSource` and `eventName`).

use serde_json::{Map, Value};

use crate::ecs::field;
use crate::ecs::raw_view::raw_is_present;
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
    #[cfg(rule_files)]
    Kql(Box<KqlQuery>),
}

/// A rule file's query with what it requires of every record it matches.
#[cfg(rule_files)]
#[derive(Debug, Clone, PartialEq)]
pub struct KqlQuery {
    pub kql: crate::rule::kql::Kql,
    pub required: crate::rule::kql::RequiredText,
    /// Every field the query reads is one a raw record's view gives.
    pub in_view: bool,
    /// The values the query requires of `event.provider` and `event.action`, if any.
    pub providers: Option<Vec<String>>,
    pub actions: Option<Vec<String>>,
}

#[cfg(rule_files)]
impl KqlQuery {
    pub fn new(kql: crate::rule::kql::Kql) -> Self {
        let in_view = kql.fields().iter().all(|f| crate::ecs::raw_view::gives(f));
        let required = crate::rule::kql::RequiredText::of(&kql);
        KqlQuery {
            providers: required.values("event.provider").map(<[String]>::to_vec),
            actions: required.values("event.action").map(<[String]>::to_vec),
            required,
            in_view,
            kql,
        }
    }
}

/// A raw record's `eventSource` or `eventName`, as the gate reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawKey<'a> {
    Absent,
    /// A non-empty string.
    Text(std::borrow::Cow<'a, str>),
    /// Anything else (left to the ECS document).
    Other,
}

/// A raw record's `eventSource` and `eventName`, read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawKeys<'a> {
    pub provider: RawKey<'a>,
    pub action: RawKey<'a>,
}

impl<'a> RawKeys<'a> {
    pub fn of(f: &CloudTrailFields<'a>) -> Self {
        let key = |raw: Option<&'a serde_json::value::RawValue>| match raw.map(raw_str) {
            None => RawKey::Absent,
            Some(Some(text)) if !text.is_empty() => RawKey::Text(text),
            Some(_) => RawKey::Other,
        };
        RawKeys {
            provider: key(f.event_source),
            action: key(f.event_name),
        }
    }
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
        self.judge_raw(f, true)
    }

    /// [`Self::judge_cloudtrail`]; with `view` off, a KQL query leaves every record its
    /// gate admits to the ECS document (the full path, which the view is held to).
    #[cfg_attr(not(rule_files), allow(unused_variables))]
    pub fn judge_raw(&self, f: &CloudTrailFields<'_>, view: bool) -> RawJudgement {
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
            #[cfg(rule_files)]
            Query::Kql(q) => {
                if !self.admits_raw(f) {
                    RawJudgement::Rejects
                } else if q.in_view && view {
                    self.judge_view(&crate::ecs::raw_view::RawView::new(f))
                } else {
                    RawJudgement::NeedsDocument
                }
            }
        }
    }

    /// For a KQL query: whether a raw record's `eventSource` and `eventName` hold values
    /// the query requires of `event.provider` and `event.action` (the mapping copies
    /// them). Always `true` for the built-in query.
    pub fn admits_raw(&self, f: &CloudTrailFields<'_>) -> bool {
        self.admits_keys(&RawKeys::of(f))
    }

    /// [`Self::admits_raw`] on keys read once for many queries.
    #[cfg_attr(not(rule_files), allow(unused_variables))]
    pub fn admits_keys(&self, keys: &RawKeys<'_>) -> bool {
        match self {
            Query::Scan { .. } => true,
            #[cfg(rule_files)]
            Query::Kql(q) => {
                let admits = |values: &Option<Vec<String>>, key: &RawKey<'_>| {
                    let Some(values) = values else {
                        return true;
                    };
                    match key {
                        // The mapping leaves the field out: the query cannot match.
                        RawKey::Absent => false,
                        RawKey::Text(text) => values.iter().any(|v| v.as_str() == text.as_ref()),
                        // Not a plain string: the document decides.
                        RawKey::Other => true,
                    }
                };
                admits(&q.providers, &keys.provider) && admits(&q.actions, &keys.action)
            }
        }
    }

    /// A KQL query on a raw record's view (after [`Self::admits_raw`]): `Matches` or
    /// `Rejects` when the view gives every field the query reads, else `NeedsDocument`.
    #[cfg(rule_files)]
    pub fn judge_view(&self, view: &crate::ecs::raw_view::RawView<'_>) -> RawJudgement {
        match self {
            Query::Kql(q) if q.in_view => match q.kql.matches_view(view) {
                Some(true) => RawJudgement::Matches,
                Some(false) => RawJudgement::Rejects,
                None => RawJudgement::NeedsDocument,
            },
            _ => RawJudgement::NeedsDocument,
        }
    }

    /// Whether the query reads only fields a raw record's view gives.
    pub fn in_view(&self) -> bool {
        match self {
            Query::Scan { .. } => false,
            #[cfg(rule_files)]
            Query::Kql(q) => q.in_view,
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
            #[cfg(rule_files)]
            Query::Kql(q) => q.kql.matches(doc),
        }
    }

    /// `false` when a document's bytes show that no record in it can match (only a KQL
    /// query answers here; the built-in query has its own pre-check,
    /// [`crate::rule::prefilter::Prefilter`]).
    #[cfg_attr(not(rule_files), allow(unused_variables))]
    pub fn may_match_text(&self, doc: &[u8]) -> bool {
        match self {
            Query::Scan { .. } => true,
            #[cfg(rule_files)]
            Query::Kql(q) => q.required.may_match(doc),
        }
    }

    /// Whether the built-in query's own pre-check ([`crate::rule::prefilter::Prefilter`])
    /// applies.
    pub fn judges_raw_fields(&self) -> bool {
        matches!(self, Query::Scan { .. })
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
}
