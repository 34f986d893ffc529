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

use super::ecs_types::{compliant_below, name, Name};

const BANNED: [&str; 3] = ["kibana", "signal", "threshold_result"];
const MAX_DEPTH: usize = 64;

/// `doc` with Kibana's rules applied, pruned in place; the `original_*` copies are
/// appended. (Pruning a copy in place costs less than building a new map key by key,
/// which hashes every key again.)
pub fn strip(mut out: Map<String, Value>) -> Map<String, Value> {
    out.retain(|key, value| {
        let first = key.split('.').next().unwrap_or(key);
        !BANNED.contains(&first) && keep(value, key, 0, 0)
    });
    let mut copies = Vec::new();
    for (key, kept) in &out {
        let first = key.split('.').next().unwrap_or(key);
        let target = match first {
            "event" => "kibana.alert.original_event",
            "data_stream" => "kibana.alert.original_data_stream",
            _ => continue,
        };
        let mut dest = format!("{target}{}", &key[first.len()..]);
        flatten_into(&mut dest, kept, &mut copies);
    }
    for (key, value) in copies {
        out.insert(key, value);
    }
    out
}

/// Prune the value at `path` (whose parents up to its first `checked` bytes are known
/// to be objects) in place; `false` when Kibana would delete it whole.
fn keep(value: &mut Value, path: &str, checked: usize, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    // Below a name that is no ECS field, nested field or parent of one, nothing is
    // checked against ECS (its ancestors were checked on the way down): only empty
    // objects and arrays go. Most of a CloudTrail document (`aws.cloudtrail.*`) is there.
    let n = name(path);
    if !n.could_be_ecs() {
        return keep_non_empty(value, depth);
    }
    match value {
        Value::Array(items) => {
            keep_elements(items, path, checked, n, depth);
            !items.is_empty()
        }
        _ if !compliant_below(value, path, checked, n) => false,
        Value::Object(obj) => {
            keep_members(obj, path, depth);
            !obj.is_empty()
        }
        _ => true,
    }
}

/// The members of the object at `path` (itself found to be an object where ECS allows).
fn keep_members(obj: &mut Map<String, Value>, path: &str, depth: usize) {
    let mut child = String::with_capacity(path.len() + 32);
    child.push_str(path);
    child.push('.');
    let base = child.len();
    obj.retain(|key, value| {
        child.truncate(base);
        child.push_str(key);
        keep(value, &child, path.len(), depth + 1)
    });
}

/// Array elements share the array's path; nested arrays are pruned first.
fn keep_elements(items: &mut Vec<Value>, path: &str, checked: usize, n: Name, depth: usize) {
    items.retain_mut(|item| match item {
        Value::Array(inner) => {
            keep_elements(inner, path, checked, n, depth + 1);
            !inner.is_empty()
        }
        _ if !compliant_below(item, path, checked, n) => false,
        Value::Object(obj) => {
            keep_members(obj, path, depth + 1);
            !obj.is_empty()
        }
        _ => true,
    });
}

/// Drop the empty objects and arrays in `value`; `false` when it is one itself.
fn keep_non_empty(value: &mut Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match value {
        Value::Array(items) => {
            items.retain_mut(|v| keep_non_empty(v, depth + 1));
            !items.is_empty()
        }
        Value::Object(obj) => {
            obj.retain(|_, v| keep_non_empty(v, depth + 1));
            !obj.is_empty()
        }
        _ => true,
    }
}

/// `flattenWithPrefix`: objects are walked, anything else (arrays too) is a leaf. `path`
/// is the leaf's dotted name, extended and cut back in place on the way.
fn flatten_into(path: &mut String, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(obj) => {
            let base = path.len();
            for (key, v) in obj {
                path.truncate(base);
                path.push('.');
                path.push_str(key);
                flatten_into(path, v, out);
            }
            path.truncate(base);
        }
        other => out.push((path.clone(), other.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(doc: Value) -> Value {
        Value::Object(strip(doc.as_object().expect("object").clone()))
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
            // Below a non-ECS name nothing is typed (aws.source.ip is no ECS field), but
            // empty objects and arrays still go.
            (
                json!({"aws": {"source": {"ip": "nope"}, "e": {}, "l": [[], {}, 1]}}),
                json!({"aws": {"source": {"ip": "nope"}, "l": [1]}}),
            ),
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
