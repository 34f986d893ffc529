//! New-terms extraction: the values of the configured fields in one event, as the
//! keyword terms Elasticsearch indexes for them, in tuples with a compact key.
//!
//! * Each array element is its own value; several fields give the cartesian product
//!   of their values within the event (never across events).
//! * A value is compared as the keyword Elasticsearch indexes: a JSON number is the
//!   text it was written with and a boolean is `true` / `false`, so `111122223333` and
//!   `"111122223333"` are one term, as are `true` and `"true"`. Kibana's aggregation
//!   returns keyword buckets as strings, so every term value is a string.
//! * An empty string is a value (Elasticsearch indexes it and Kibana alerts on it).
//!   `null`, a missing field, an empty array, an object, and a string longer than
//!   [`IGNORE_ABOVE`] UTF-16 units (which a keyword field with Fleet's and ECS's
//!   default `ignore_above` does not index) are not; a field with no value removes the
//!   event from both alerting and history.
//! * Duplicate values of one field count once, as a terms aggregation sees them.
//!
//! The key of a tuple is a 64-bit XXH3 hash of a tagged, length-prefixed encoding of
//! its values, so `["a","bc"]` and `["ab","c"]` differ. (Every value is keyed as a
//! string: the encoding of strings is the one earlier builds used, so their snapshots
//! keep their string terms.) With n tracked terms the chance
//! that any two collide is about n²/2⁶⁵: 3·10⁻⁸ at a million terms. A collision can only
//! hide an alert for one of the two colliding principals while the other is tracked.

use std::borrow::Cow;

use serde_json::{Map, Value};
use xxhash_rust::xxh3::Xxh3;

use crate::ecs::field;
use crate::hashing::{feed_text, KeyHashSet};

/// At most this many term tuples are taken from one event (Kibana pages 10,000 at a time).
pub const MAX_TERMS_PER_EVENT: usize = 10_000;

/// Up to this many distinct values, a field is de-duplicated by scanning its keys.
const LINEAR_DEDUP: usize = 16;

/// A keyword field's `ignore_above` as Fleet and the ECS templates map keyword fields:
/// a longer string is kept in `_source` but not indexed, so no search or aggregation
/// sees it. Counted in UTF-16 units, as Java's `String.length()` counts.
pub const IGNORE_ABOVE: usize = 1024;

/// One tuple of new-terms values (each a JSON string: the keyword) and its key.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub values: Vec<Value>,
    pub key: u64,
}

/// The keyword Elasticsearch indexes for one JSON value of a keyword field, if any.
pub fn keyword(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => {
            // UTF-16 units never exceed UTF-8 bytes, so short strings need no count.
            let indexed = s.len() <= IGNORE_ABOVE || s.encode_utf16().count() <= IGNORE_ABOVE;
            indexed.then_some(Cow::Borrowed(s.as_str()))
        }
        // With `arbitrary_precision`, a number's text is the text it was written with,
        // which is what the keyword field indexes.
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// What an event yields for the new-terms fields.
#[derive(Debug, PartialEq)]
pub enum Extraction {
    /// The tuples, in field order; `truncated` when the product exceeded the per-event cap.
    Terms { terms: Vec<Term>, truncated: bool },
    /// This field has no usable value, so the event is skipped.
    Missing(usize),
}

/// Extract the term tuples of `fields` from an ECS document.
pub fn extract(doc: &Map<String, Value>, fields: &[String]) -> Extraction {
    let mut found = Vec::new();
    from_values(fields.len(), &mut |i, out| {
        found.clear();
        field::collect(doc, &fields[i], &mut found);
        out.extend(found.iter().copied());
    })
}

/// Extract term tuples from per-field values: `values(i, out)` pushes the values of
/// field `i` (array elements as separate values). A `dyn` callback: one copy of this
/// function serves both callers.
pub fn from_values<'v>(
    fields: usize,
    values: &mut dyn FnMut(usize, &mut Vec<&'v Value>),
) -> Extraction {
    // Each field's distinct keywords, with their one-value keys.
    let mut per_field: Vec<Vec<(Cow<'v, str>, u64)>> = Vec::with_capacity(fields);
    let mut raw = Vec::new();
    let mut seen: KeyHashSet<u64> = KeyHashSet::default();
    // Only the first MAX_TERMS_PER_EVENT tuples are ever taken, and the last field varies
    // fastest: no field can contribute more distinct values than that.
    let mut capped = false;
    for i in 0..fields {
        raw.clear();
        values(i, &mut raw);
        seen.clear();
        let mut usable: Vec<(Cow<'v, str>, u64)> =
            Vec::with_capacity(raw.len().min(MAX_TERMS_PER_EVENT));
        for v in raw.iter().copied() {
            let Some(word) = keyword(v) else {
                continue;
            };
            // De-duplicated through the values' keys (a key collision is as unlikely as
            // between two terms): a scan of the few values most fields have, a set past
            // that, so a long array costs linear time, not quadratic.
            let key = keyword_key(&word);
            let new = if usable.len() < LINEAR_DEDUP {
                usable.iter().all(|&(_, k)| k != key)
            } else {
                if seen.is_empty() {
                    seen.extend(usable.iter().map(|&(_, k)| k));
                }
                seen.insert(key)
            };
            if new {
                if usable.len() == MAX_TERMS_PER_EVENT {
                    capped = true;
                    break;
                }
                usable.push((word, key));
            }
        }
        if usable.is_empty() {
            return Extraction::Missing(i);
        }
        per_field.push(usable);
    }
    let total: usize = per_field
        .iter()
        .map(Vec::len)
        .try_fold(1usize, |acc, n| acc.checked_mul(n))
        .unwrap_or(usize::MAX);
    let take = total.min(MAX_TERMS_PER_EVENT);
    let mut terms = Vec::with_capacity(take);
    let mut index = vec![0usize; per_field.len()];
    for _ in 0..take {
        let values: Vec<Value> = index
            .iter()
            .zip(&per_field)
            .map(|(&i, vals)| Value::String(vals[i].0.clone().into_owned()))
            .collect();
        // A one-field tuple's key is its value's key, already computed.
        let key = match per_field.as_slice() {
            [only] => only[index[0]].1,
            _ => term_key(&values),
        };
        terms.push(Term { values, key });
        // Advance the odometer, last field fastest (the order Kibana's composite pages in).
        for pos in (0..index.len()).rev() {
            index[pos] += 1;
            if index[pos] < per_field[pos].len() {
                break;
            }
            index[pos] = 0;
        }
    }
    Extraction::Terms {
        terms,
        truncated: capped || total > take,
    }
}

/// The 64-bit key of a term tuple: of each value's keyword ([`keyword`]; a value with
/// none, which extraction never yields, is keyed as an empty text of its own tag).
pub fn term_key(values: &[Value]) -> u64 {
    let mut h = Xxh3::new();
    for v in values {
        match keyword(v) {
            Some(word) => feed_text(&mut h, b's', &word),
            None => feed_text(&mut h, b'?', ""),
        }
    }
    h.digest()
}

/// The key of a one-value tuple, from its keyword.
fn keyword_key(word: &str) -> u64 {
    let mut h = Xxh3::new();
    feed_text(&mut h, b's', word);
    h.digest()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn terms(doc: Value, fields: &[&str]) -> Extraction {
        let fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
        extract(doc.as_object().expect("object"), &fields)
    }

    fn values(e: &Extraction) -> Vec<Vec<Value>> {
        match e {
            Extraction::Terms { terms, .. } => terms.iter().map(|t| t.values.clone()).collect(),
            Extraction::Missing(_) => Vec::new(),
        }
    }

    #[test]
    fn arrays_and_products_within_one_event() {
        let cases = [
            (json!({"a": "x"}), vec!["a"], vec![vec![json!("x")]]),
            (
                json!({"a": ["x", "y", "x"]}),
                vec!["a"],
                vec![vec![json!("x")], vec![json!("y")]],
            ),
            (
                json!({"a": "h", "b": ["1", "2", "3"]}),
                vec!["a", "b"],
                vec![
                    vec![json!("h"), json!("1")],
                    vec![json!("h"), json!("2")],
                    vec![json!("h"), json!("3")],
                ],
            ),
            // Numbers and booleans are the keywords Elasticsearch indexes for them.
            (
                json!({"a": "u", "b": 1}),
                vec!["a", "b"],
                vec![vec![json!("u"), json!("1")]],
            ),
            (
                json!({"a": "u", "b": false}),
                vec!["a", "b"],
                vec![vec![json!("u"), json!("false")]],
            ),
            (
                // Parsed from text: a number keeps the text it was written with.
                serde_json::from_str(
                    r#"{"a": [111122223333, "111122223333", 1.50, "1.50", true, "true"]}"#,
                )
                .expect("json"),
                vec!["a"],
                vec![
                    vec![json!("111122223333")],
                    vec![json!("1.50")],
                    vec![json!("true")],
                ],
            ),
            // An empty string is a value; null and objects are not.
            (
                json!({"a": ["x", null, "", {"o": 1}]}),
                vec!["a"],
                vec![vec![json!("x")], vec![json!("")]],
            ),
            (json!({"a": ""}), vec!["a"], vec![vec![json!("")]]),
            // Past ignore_above (UTF-16 units, not bytes) a string is not indexed.
            (
                json!({"a": ["é".repeat(IGNORE_ABOVE), "x".repeat(IGNORE_ABOVE + 1)]}),
                vec!["a"],
                vec![vec![json!("é".repeat(IGNORE_ABOVE))]],
            ),
        ];
        for (doc, fields, want) in cases {
            assert_eq!(values(&terms(doc.clone(), &fields)), want, "{doc}");
        }
    }

    #[test]
    fn missing_null_empty_or_object_fields_remove_the_event() {
        for (doc, fields, which) in [
            (json!({}), vec!["a"], 0),
            (json!({"a": null}), vec!["a"], 0),
            (json!({"a": [null]}), vec!["a"], 0),
            (json!({"a": []}), vec!["a"], 0),
            (json!({"a": "x".repeat(IGNORE_ABOVE + 1)}), vec!["a"], 0),
            (json!({"a": {"b": "x"}}), vec!["a"], 0),
            (json!({"a": "x"}), vec!["a", "b"], 1),
        ] {
            assert_eq!(terms(doc, &fields), Extraction::Missing(which));
        }
    }

    #[test]
    fn keys_are_keywords_with_boundaries() {
        assert_eq!(term_key(&[json!(1)]), term_key(&[json!("1")]));
        assert_eq!(term_key(&[json!(true)]), term_key(&[json!("true")]));
        assert_ne!(term_key(&[json!(1.0)]), term_key(&[json!("1")]));
        assert_ne!(
            term_key(&[json!("a"), json!("bc")]),
            term_key(&[json!("ab"), json!("c")])
        );
        assert_eq!(term_key(&[json!("a")]), term_key(&[json!("a")]));
        // Stable across builds and platforms: snapshots depend on it.
        assert_eq!(
            term_key(&[json!("arn:aws:iam::1:user/a")]),
            0x34c9a6d781d4e73b
        );
    }

    /// Below and past the scanning limit, duplicates go and each tuple's key is the key
    /// of its values (a one-field tuple reuses its value's key).
    #[test]
    fn de_duplication_past_the_scan_limit() {
        for n in [3, LINEAR_DEDUP, LINEAR_DEDUP + 1, 50] {
            let vals: Vec<Value> = (0..n).flat_map(|i| [json!(i), json!(i)]).collect();
            for fields in [vec!["a"], vec!["a", "b"]] {
                match terms(json!({"a": vals.clone(), "b": "x"}), &fields) {
                    Extraction::Terms { terms, truncated } => {
                        assert_eq!((terms.len(), truncated), (n, false), "{n} {fields:?}");
                        for t in &terms {
                            assert_eq!(t.key, term_key(&t.values));
                        }
                    }
                    Extraction::Missing(_) => panic!("expected terms"),
                }
            }
        }
    }

    #[test]
    fn huge_products_are_capped_and_flagged() {
        let many: Vec<Value> = (0..200).map(|i| json!(i.to_string())).collect();
        let e = terms(json!({"a": many.clone(), "b": many}), &["a", "b"]);
        match e {
            Extraction::Terms { terms, truncated } => {
                assert_eq!(terms.len(), MAX_TERMS_PER_EVENT);
                assert!(truncated);
            }
            Extraction::Missing(_) => panic!("expected terms"),
        }
    }
}
