//! What a query requires of every document it matches, for a byte-level pre-check
//! derived from the query (issue 18, item 4): for some fields, the document must hold
//! one of a few keyword values (`event.provider: "s3.amazonaws.com"`,
//! `event.action: (PutBucketPolicy or DeleteBucketPolicy)`). A document whose text holds
//! none of a required field's values, literally, cannot match, unless JSON spells a
//! letter as an escape (`\u`) or the document carries records inside an envelope.
//!
//! The derivation is sound by construction: a field is required only through `and` (any
//! child that requires it suffices) and `or` (every child must require it; the values
//! join); `not`, wildcards, ranges and other fields require nothing.

use super::compile::{Compiled, Test};
use super::Kql;

/// The raw CloudTrail fields that ECS's `event.provider` and `event.action` come from,
/// whose values a raw record holds as they are.
pub const RAW_FIELDS: [(&str, &str); 2] = [
    ("event.provider", "eventSource"),
    ("event.action", "eventName"),
];

/// Keys of the envelopes whose records are read apart (and may spell a value another
/// way): a document holding one is never rejected by its text.
pub const ENVELOPES: [&[u8]; 6] = [
    b"\"Records\"",
    b"\"logEvents\"",
    b"awslogs",
    b"\"detail\"",
    b"\"_source\"",
    b"\"hits\"",
];

/// The keyword values a document must hold at `field` for `query` to match it, if the
/// query requires any (sorted, each once).
fn required(query: &Compiled, field: &str) -> Option<Vec<String>> {
    match query {
        Compiled::Test {
            field: f,
            test: Test::Keyword(value),
        } if f == field => Some(vec![value.clone()]),
        Compiled::Test { .. } | Compiled::Not(_) => None,
        Compiled::And(items) => items
            .iter()
            .filter_map(|q| required(q, field))
            .min_by_key(Vec::len),
        Compiled::Or(items) => {
            let mut all = Vec::new();
            for item in items {
                all.extend(required(item, field)?);
            }
            all.sort();
            all.dedup();
            Some(all)
        }
    }
}

/// The needles of a rule's pre-check: for each field the query constrains (of
/// [`RAW_FIELDS`]), the values one of which must occur in a matching document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredText {
    pub groups: Vec<(String, Vec<String>)>,
}

impl RequiredText {
    /// The needles of `kql`; empty when the query constrains none of the fields (the
    /// rule then takes the full path for every document).
    pub fn of(kql: &Kql) -> Self {
        let groups = RAW_FIELDS
            .iter()
            .filter_map(|(field, _)| {
                required(&kql.compiled, field).map(|values| ((*field).to_owned(), values))
            })
            .collect();
        RequiredText { groups }
    }

    /// The values required at `field`, if the query requires any.
    pub fn values(&self, field: &str) -> Option<&[String]> {
        self.groups
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, values)| values.as_slice())
    }

    /// Whether a document's text may match: every group has a value in it, or the text
    /// holds an escape that could spell one, or an envelope whose records are read
    /// apart (the same conditions the built-in pre-check keeps).
    pub fn may_match(&self, text: &[u8]) -> bool {
        if self.groups.is_empty() || memchr::memmem::find(text, b"\\u").is_some() {
            return true;
        }
        if ENVELOPES
            .iter()
            .any(|key| memchr::memmem::find(text, key).is_some())
        {
            return true;
        }
        self.groups.iter().all(|(_, values)| {
            values
                .iter()
                .any(|v| memchr::memmem::find(text, v.as_bytes()).is_some())
        })
    }
}
