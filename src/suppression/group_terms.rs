//! The values of the group-by fields in a candidate's source event, as Kibana reads them
//! for `kibana.alert.suppression.terms`: each field's values (from the event's `fields`,
//! so always an array) sorted with lodash's `sortBy`, or `null` when the event has none.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::ecs::field;

/// One event's group: per field, its sorted values or `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTerms {
    terms: Vec<(String, Option<Vec<Value>>)>,
}

/// The group of the event `doc` for `fields`. Values are taken as the document has them
/// (strings, numbers, booleans; arrays flattened, `null` and objects left out), which is
/// what the `fields` API returns for the ECS types these fields have.
pub fn group_terms(doc: &Map<String, Value>, fields: &[String]) -> GroupTerms {
    let mut found = Vec::new();
    let terms = fields
        .iter()
        .map(|f| {
            found.clear();
            field::collect(doc, f, &mut found);
            let mut values: Vec<Value> = found
                .iter()
                .filter(|v| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)))
                .map(|&v| v.clone())
                .collect();
            values.sort_by(lodash_order);
            (f.clone(), (!values.is_empty()).then_some(values))
        })
        .collect();
    GroupTerms { terms }
}

/// lodash's `sortBy` order for one field's values: numbers by value, strings by UTF-16
/// code units (JavaScript's `<`), `false` before `true`. A field's values share one type
/// in practice; mixed ones are kept apart by type (numbers, booleans, strings), where
/// JavaScript's own comparisons would coerce.
fn lodash_order(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Number(_) => 0,
            Value::Bool(_) => 1,
            _ => 2,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                crate::float_text::number_as_f64(x),
                crate::float_text::number_as_f64(y),
            );
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => x.encode_utf16().cmp(y.encode_utf16()),
        _ => rank(a).cmp(&rank(b)),
    }
}

impl GroupTerms {
    /// Whether some field has no value.
    pub fn any_missing(&self) -> bool {
        self.terms.iter().any(|(_, v)| v.is_none())
    }

    /// As [`crate::alert::uuid::instance_id`] takes them.
    pub fn borrowed(&self) -> Vec<(&str, Option<&[Value]>)> {
        self.terms
            .iter()
            .map(|(f, v)| (f.as_str(), v.as_deref()))
            .collect()
    }

    /// `kibana.alert.suppression.terms`: `[{"field": …, "value": [...] | null}, …]`.
    pub fn as_json(&self) -> Value {
        self.terms
            .iter()
            .map(|(f, v)| {
                let mut m = Map::new();
                m.insert("field".into(), f.as_str().into());
                m.insert("value".into(), v.clone().map_or(Value::Null, Value::Array));
                Value::Object(m)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_as_kibana_reads_them() {
        let doc = json!({
            "user": {"name": "alice"},
            "source.ip": "10.0.0.2",
            "host": {"name": ["b", "a", "B", "é", "z"]},
            "port": [8080, 443, 22.5],
            "flag": [true, false],
            "empty": [],
            "nothing": null,
            "object": {"x": 1},
        });
        let doc = doc.as_object().expect("object");
        let fields = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for (names, want) in [
            (
                &["user.name", "source.ip"][..],
                json!([{"field": "user.name", "value": ["alice"]},
                       {"field": "source.ip", "value": ["10.0.0.2"]}]),
            ),
            (
                &["host.name"][..],
                json!([{"field": "host.name", "value": ["B", "a", "b", "z", "é"]}]),
            ),
            (
                &["port", "flag"][..],
                json!([{"field": "port", "value": [22.5, 443, 8080]},
                       {"field": "flag", "value": [false, true]}]),
            ),
            (
                &["empty", "nothing", "object", "missing"][..],
                json!([{"field": "empty", "value": null}, {"field": "nothing", "value": null},
                       {"field": "object", "value": null}, {"field": "missing", "value": null}]),
            ),
        ] {
            let terms = group_terms(doc, &fields(names));
            assert_eq!(terms.as_json(), want, "{names:?}");
            assert_eq!(
                terms.any_missing(),
                want.as_array()
                    .expect("array")
                    .iter()
                    .any(|t| t["value"].is_null())
            );
        }
    }
}
