//! The source fields an alert copies, as Kibana's `traverseAndMutateDoc` leaves them.
//!
//! * A top-level key whose first dotted segment is `kibana`, `signal` or
//!   `threshold_result` is dropped.
//! * Every other value is checked against its ECS field ([`super::ecs_types::compliant`]),
//!   array elements one by one: a value invalid for its ECS type (`source.ip:
//!   "not-an-ip"`, `source.port: "x"`, `user.name: {…}`, `user: "bob"`, …) is dropped.
//!   Fields ECS does not define are kept as they are.
//! * An object or array left empty (or empty to begin with) is dropped.
//! * Each kept top-level `event*` / `data_stream*` key is also copied, flattened, under
//!   `kibana.alert.original_event.*` / `kibana.alert.original_data_stream.*`.
//!
//! Kibana builds the reason sentence before this step, from the unstripped source.

use serde_json::{Map, Value};

use super::ecs_types::compliant;

const BANNED: [&str; 3] = ["kibana", "signal", "threshold_result"];
const MAX_DEPTH: usize = 64;

/// `doc` with Kibana's rules applied; the `original_*` copies are appended.
pub fn strip(doc: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let mut copies = Vec::new();
    for (key, value) in doc {
        let first = key.split('.').next().unwrap_or(key);
        if BANNED.contains(&first) {
            continue;
        }
        let Some(kept) = clean(value, key, 0) else {
            continue;
        };
        let target = match first {
            "event" => Some("kibana.alert.original_event"),
            "data_stream" => Some("kibana.alert.original_data_stream"),
            _ => None,
        };
        if let Some(target) = target {
            let dest = format!("{target}{}", &key[first.len()..]);
            flatten_into(&dest, &kept, &mut copies);
        }
        out.insert(key.clone(), kept);
    }
    for (key, value) in copies {
        out.insert(key, value);
    }
    out
}

/// One value at `path`; `None` when Kibana would delete it.
fn clean(value: &Value, path: &str, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    match value {
        Value::Array(items) => {
            let kept = clean_array(items, path, depth);
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        _ if !compliant(value, path) => None,
        Value::Object(obj) => {
            let kept = clean_object(obj, path, depth);
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        other => Some(other.clone()),
    }
}

fn clean_object(obj: &Map<String, Value>, path: &str, depth: usize) -> Map<String, Value> {
    let mut kept = Map::new();
    for (key, value) in obj {
        if let Some(v) = clean(value, &format!("{path}.{key}"), depth + 1) {
            kept.insert(key.clone(), v);
        }
    }
    kept
}

/// Array elements share the array's path; nested arrays are cleaned first.
fn clean_array(items: &[Value], path: &str, depth: usize) -> Vec<Value> {
    items
        .iter()
        .filter_map(|item| match item {
            Value::Array(inner) => {
                let kept = clean_array(inner, path, depth + 1);
                (!kept.is_empty()).then_some(Value::Array(kept))
            }
            _ if !compliant(item, path) => None,
            Value::Object(obj) => {
                let kept = clean_object(obj, path, depth + 1);
                (!kept.is_empty()).then_some(Value::Object(kept))
            }
            other => Some(other.clone()),
        })
        .collect()
}

/// `flattenWithPrefix`: objects are walked, anything else (arrays too) is a leaf.
fn flatten_into(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(obj) => {
            for (key, v) in obj {
                flatten_into(&format!("{prefix}.{key}"), v, out);
            }
        }
        other => out.push((prefix.to_owned(), other.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(doc: Value) -> Value {
        Value::Object(strip(doc.as_object().expect("object")))
    }

    #[test]
    fn kibana_rules() {
        let cases = [
            (
                json!({"signal": {"rule": 1}, "threshold_result": {"count": 2}, "kibana.alert.x": 1, "kibana": {"a": 1}, "signals": 1}),
                json!({"signals": 1}),
            ),
            (
                json!({"source": {"ip": "not-an-ip", "port": 443}, "user": {"name": "a"}}),
                json!({"source": {"port": 443}, "user": {"name": "a"}}),
            ),
            (
                json!({"source.ip": ["1.2.3.4", "nope", ["5.6.7.8", "x"]]}),
                json!({"source.ip": ["1.2.3.4", ["5.6.7.8"]]}),
            ),
            (json!({"source": {"ip": "nope"}}), json!({})),
            (json!({"tags": [], "x": {}, "y": [[]]}), json!({})),
            (
                json!({"user": "bob", "host": {"name": {"first": "h"}}}),
                json!({}),
            ),
            (
                json!({"event": {"action": "Scan", "ingested": "soon"}, "event.kind": "event"}),
                json!({"event": {"action": "Scan"}, "event.kind": "event",
                       "kibana.alert.original_event.action": "Scan",
                       "kibana.alert.original_event.kind": "event"}),
            ),
            (
                json!({"data_stream": {"dataset": "aws.cloudtrail"}}),
                json!({"data_stream": {"dataset": "aws.cloudtrail"},
                       "kibana.alert.original_data_stream.dataset": "aws.cloudtrail"}),
            ),
        ];
        for (doc, want) in cases {
            assert_eq!(s(doc.clone()), want, "{doc}");
        }
    }
}
