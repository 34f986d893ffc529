//! Field access on ECS documents that may be nested (`{"event":{"action":…}}`), use
//! dotted keys (`{"event.action":…}`), or mix both, as Elasticsearch accepts.
//!
//! A path such as `aws.cloudtrail.user_identity.arn` is resolved by trying every
//! split of the path into a key present in the current object and a remainder;
//! arrays of objects are walked as Elasticsearch flattens them. Values are returned as
//! the document has them, in document order; comparisons read them as keyword fields
//! do ([`keyword_eq`] here, `rule::terms::keyword` for new terms): `1` is `"1"`.

use serde_json::{Map, Value};

/// Deepest path walk; deeper documents simply do not match (no recursion blow-up).
const MAX_DEPTH: usize = 32;

/// Collect every value at `path` (leaves of arrays flattened one level, as Elasticsearch indexes them).
pub fn collect<'a>(doc: &'a Map<String, Value>, path: &str, out: &mut Vec<&'a Value>) {
    walk_object(doc, path, out, 0);
}

/// The first value found at `path`, if any (arrays are returned whole).
pub fn first<'a>(doc: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    find_object(doc, path, 0)
}

/// The string at `path`, if the first value there is a string.
pub fn first_str<'a>(doc: &'a Map<String, Value>, path: &str) -> Option<&'a str> {
    first(doc, path).and_then(Value::as_str)
}

fn find_object<'a>(obj: &'a Map<String, Value>, path: &str, depth: usize) -> Option<&'a Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    if let Some(v) = obj.get(path) {
        return Some(v);
    }
    for (i, _) in path.match_indices('.') {
        if let Some(Value::Object(child)) = obj.get(&path[..i]) {
            if let Some(v) = find_object(child, &path[i + 1..], depth + 1) {
                return Some(v);
            }
        }
    }
    None
}

fn walk_object<'a>(
    obj: &'a Map<String, Value>,
    path: &str,
    out: &mut Vec<&'a Value>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(v) = obj.get(path) {
        push_leaves(v, out);
    }
    for (i, _) in path.match_indices('.') {
        if let Some(child) = obj.get(&path[..i]) {
            walk_value(child, &path[i + 1..], out, depth + 1);
        }
    }
}

fn walk_value<'a>(value: &'a Value, path: &str, out: &mut Vec<&'a Value>, depth: usize) {
    match value {
        Value::Object(child) => walk_object(child, path, out, depth),
        Value::Array(items) => {
            for item in items {
                if let Value::Object(child) = item {
                    walk_object(child, path, out, depth);
                }
            }
        }
        _ => {}
    }
}

fn push_leaves<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
    match v {
        Value::Array(items) => out.extend(items.iter()),
        other => out.push(other),
    }
}

/// Whether any value at `path` equals `expected` as Elasticsearch's keyword match
/// would see it (numbers and booleans compare by their text).
pub fn matches_keyword(doc: &Map<String, Value>, path: &str, expected: &str) -> bool {
    let mut values = Vec::new();
    collect(doc, path, &mut values);
    values.iter().any(|v| keyword_eq(v, expected))
}

pub fn keyword_eq(v: &Value, expected: &str) -> bool {
    match v {
        Value::String(s) => s == expected,
        Value::Number(n) => n.to_string() == expected,
        Value::Bool(b) => (if *b { "true" } else { "false" }) == expected,
        _ => false,
    }
}

/// Remove `path` wherever it is spelt (nested or dotted); returns whether anything was removed.
pub fn remove(doc: &mut Map<String, Value>, path: &str) -> bool {
    let mut removed = doc.shift_remove(path).is_some();
    for (i, _) in path.match_indices('.') {
        if let Some(Value::Object(child)) = doc.get_mut(&path[..i]) {
            removed |= remove(child, &path[i + 1..]);
        }
    }
    removed
}

/// Flatten every leaf under `prefix` into `(dotted suffix, value)` pairs; arrays are leaves.
pub fn flatten_under<'a>(
    doc: &'a Map<String, Value>,
    prefix: &str,
    out: &mut Vec<(String, &'a Value)>,
) {
    for (key, value) in doc {
        let rest = if key == prefix {
            Some(String::new())
        } else {
            key.strip_prefix(prefix)
                .and_then(|r| r.strip_prefix('.'))
                .map(str::to_owned)
        };
        if let Some(rest) = rest {
            flatten_value(value, rest, out, 0);
        } else if prefix.starts_with(key.as_str())
            && prefix.as_bytes().get(key.len()) == Some(&b'.')
        {
            if let Value::Object(child) = value {
                flatten_under(child, &prefix[key.len() + 1..], out);
            }
        }
    }
}

fn flatten_value<'a>(
    value: &'a Value,
    path: String,
    out: &mut Vec<(String, &'a Value)>,
    depth: usize,
) {
    match value {
        Value::Object(map) if depth < MAX_DEPTH => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten_value(v, p, out, depth + 1);
            }
        }
        _ if !path.is_empty() => out.push((path, value)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!("test documents are objects"),
        }
    }

    #[test]
    fn resolves_nested_dotted_and_mixed() {
        let cases = [
            json!({"aws": {"cloudtrail": {"user_identity": {"arn": "A"}}}}),
            json!({"aws.cloudtrail.user_identity.arn": "A"}),
            json!({"aws.cloudtrail": {"user_identity.arn": "A"}}),
            json!({"aws": {"cloudtrail.user_identity": {"arn": "A"}}}),
        ];
        for doc in cases {
            let doc = obj(doc);
            assert_eq!(
                first_str(&doc, "aws.cloudtrail.user_identity.arn"),
                Some("A"),
                "{doc:?}"
            );
            let mut all = Vec::new();
            collect(&doc, "aws.cloudtrail.user_identity.arn", &mut all);
            assert_eq!(all, vec![&json!("A")]);
        }
    }

    #[test]
    fn arrays_flatten_and_objects_are_not_values() {
        let doc = obj(json!({
            "host": {"ip": ["1", "2"]},
            "res": [{"arn": "x"}, {"arn": "y"}],
            "user": {"name": {"first": "a"}}
        }));
        let mut v = Vec::new();
        collect(&doc, "host.ip", &mut v);
        assert_eq!(v, vec![&json!("1"), &json!("2")]);
        v.clear();
        collect(&doc, "res.arn", &mut v);
        assert_eq!(v, vec![&json!("x"), &json!("y")]);
        v.clear();
        collect(&doc, "user.name", &mut v);
        assert_eq!(v, vec![&json!({"first": "a"})]);
        assert!(!matches_keyword(&doc, "user.name", "a"));
    }

    #[test]
    fn keyword_match_compares_text_without_coercing_keys() {
        let doc = obj(json!({"a": 1, "b": true, "c": ["x", "Scan"], "d": "scan"}));
        assert!(matches_keyword(&doc, "a", "1"));
        assert!(matches_keyword(&doc, "b", "true"));
        assert!(matches_keyword(&doc, "c", "Scan"));
        assert!(!matches_keyword(&doc, "d", "Scan"));
        assert!(!matches_keyword(&doc, "missing", "Scan"));
    }

    #[test]
    fn remove_and_flatten_handle_both_spellings() {
        let mut doc = obj(
            json!({"event": {"kind": "event", "action": "Scan"}, "event.kind": "x", "kibana.alert.foo": 1}),
        );
        assert!(remove(&mut doc, "event.kind"));
        assert_eq!(
            doc,
            obj(json!({"event": {"action": "Scan"}, "kibana.alert.foo": 1}))
        );
        let doc = obj(
            json!({"event": {"action": "Scan", "type": ["info"]}, "event.id": "1", "eventx": 2}),
        );
        let mut flat = Vec::new();
        flatten_under(&doc, "event", &mut flat);
        flat.sort_by(|a, b| a.0.cmp(&b.0));
        let keys: Vec<_> = flat.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["action", "id", "type"]);
    }
}
