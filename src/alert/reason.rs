//! `kibana.alert.reason`, as Kibana's shared `buildReasonMessageUtil`
//! (`rule_types/utils/reason_formatters.ts`) writes it:
//!
//! `[<event.category> ]event[ with][ process P,][ parent process PP,][ file F,]`
//! `[ source IP][:SPORT,][ destination IP][:DPORT,][ by USER][ on HOST] created <severity> alert <name>.`
//!
//! Kibana's rules, all reproduced here:
//! * Values come from the source document before its non-ECS fields are stripped, read
//!   as lodash `get` reads them: a top-level key spelt exactly `source.ip` if there is one,
//!   otherwise nested objects only (no walking into arrays).
//! * A value is shown only if it is a non-empty string or a non-empty array, and is not
//!   `"-"` or `["-"]`. A bare number or boolean has no `length` and is **not** shown (so
//!   a numeric `source.port: 443` prints nothing; `"443"` or `[443]` do).
//! * Arrays are joined with `", "` as JavaScript's `join` does (`null` → empty,
//!   numbers in JavaScript's text, nested arrays with `,`, objects `[object Object]`).
//! * `with` appears when any of process, parent, file, source ip/port, destination
//!   ip/port is shown; ports are printed even when their address is not.
//! * A value whose text is exactly `null` selects the ICU `null` branch: nothing is printed
//!   (it still counts for `with`).

use serde_json::{Map, Value};

use crate::float_text::{js_number, number_as_f64};

/// lodash `get(doc, path)`.
fn lodash_get<'a>(doc: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if let Some(v) = doc.get(path) {
        return Some(v);
    }
    let mut parts = path.split('.');
    let mut current = doc.get(parts.next()?)?;
    for part in parts {
        current = current.as_object()?.get(part)?;
    }
    Some(current)
}

/// JavaScript's `String(x)` for an array element, as `Array.prototype.join` uses it.
fn js_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => js_number(number_as_f64(n)),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => items.iter().map(js_text).collect::<Vec<_>>().join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

/// `getFieldTemplateValue`: the text shown, or `None` for the ICU `null` branch.
fn template_value(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() && s != "-" => Some(s.clone()),
        Value::Array(items) if !items.is_empty() => {
            if items.len() == 1 && items[0] == Value::String("-".into()) {
                return None;
            }
            Some(items.iter().map(js_text).collect::<Vec<_>>().join(", "))
        }
        _ => None,
    }
}

/// The reason sentence for an alert on `doc` (the unstripped source).
pub fn reason(doc: &Map<String, Value>, severity: &str, rule_name: &str) -> String {
    let get = |path: &str| template_value(lodash_get(doc, path));
    let process = get("process.name");
    let parent = get("process.parent.name");
    let file = get("file.name");
    let source = get("source.ip");
    let source_port = get("source.port");
    let destination = get("destination.ip");
    let destination_port = get("destination.port");
    let with = [
        &process,
        &parent,
        &file,
        &source,
        &source_port,
        &destination,
        &destination_port,
    ]
    .iter()
    .any(|v| v.is_some());
    // ICU `select`: the string `null` picks the empty branch.
    let shown = |v: &Option<String>| v.as_deref().filter(|t| *t != "null").map(str::to_owned);

    let mut s = String::new();
    if let Some(category) = shown(&get("event.category")) {
        s.push_str(&category);
        s.push(' ');
    }
    s.push_str("event");
    if with {
        s.push_str(" with");
    }
    for (label, value) in [
        ("process", &process),
        ("parent process", &parent),
        ("file", &file),
    ] {
        if let Some(v) = shown(value) {
            s.push_str(&format!(" {label} {v},"));
        }
    }
    for (label, ip, port) in [
        ("source", &source, &source_port),
        ("destination", &destination, &destination_port),
    ] {
        if let Some(ip) = shown(ip) {
            s.push_str(&format!(" {label} {ip}"));
        }
        if let Some(port) = shown(port) {
            s.push_str(&format!(":{port},"));
        }
    }
    if let Some(user) = shown(&get("user.name")) {
        s.push_str(&format!(" by {user}"));
    }
    if let Some(host) = shown(&get("host.name")) {
        s.push_str(&format!(" on {host}"));
    }
    s.push_str(&format!(" created {severity} alert {rule_name}."));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(doc: Value, severity: &str, name: &str) -> String {
        reason(doc.as_object().expect("object"), severity, name)
    }

    /// Kibana's `reason_formatters.test.ts` document (as flat keys, which lodash `get`
    /// reads as Kibana's `fields` block was read) with one field changed per case.
    fn kibana_doc(change: &[(&str, Value)]) -> Value {
        let mut doc = json!({
            "destination.ip": ["9.99.99.9"], "destination.port": ["6789"],
            "event.category": ["test"], "file.name": ["sample"], "host.name": ["host"],
            "process.name": ["doingThings.exe"], "process.parent.name": ["didThings.exe"],
            "source.ip": ["1.11.11.1"], "source.port": ["1234"], "user.name": ["test-user"],
            "@timestamp": "2021-08-11T02:28:59.101Z",
        });
        for (k, v) in change {
            doc[*k] = v.clone();
        }
        doc
    }

    #[test]
    fn kibana_test_strings() {
        let dash = || json!(["-"]);
        let cases = [
            (kibana_doc(&[]), "test event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1:1234, destination 9.99.99.9:6789, by test-user on host created medium alert my-rule."),
            (kibana_doc(&[("event.category", json!(["item one", "item two"]))]), "item one, item two event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1:1234, destination 9.99.99.9:6789, by test-user on host created medium alert my-rule."),
            (kibana_doc(&[("host.name", dash())]), "test event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1:1234, destination 9.99.99.9:6789, by test-user created medium alert my-rule."),
            (kibana_doc(&[("user.name", dash())]), "test event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1:1234, destination 9.99.99.9:6789, on host created medium alert my-rule."),
            (kibana_doc(&[("destination.port", dash())]), "test event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1:1234, destination 9.99.99.9 by test-user on host created medium alert my-rule."),
            (kibana_doc(&[("destination.ip", dash()), ("destination.port", dash())]), "test event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1:1234, by test-user on host created medium alert my-rule."),
            (kibana_doc(&[("source.port", dash())]), "test event with process doingThings.exe, parent process didThings.exe, file sample, source 1.11.11.1 destination 9.99.99.9:6789, by test-user on host created medium alert my-rule."),
            (kibana_doc(&[("source.ip", dash()), ("source.port", dash())]), "test event with process doingThings.exe, parent process didThings.exe, file sample, destination 9.99.99.9:6789, by test-user on host created medium alert my-rule."),
            (kibana_doc(&[("process.name", dash()), ("process.parent.name", dash())]), "test event with file sample, source 1.11.11.1:1234, destination 9.99.99.9:6789, by test-user on host created medium alert my-rule."),
            (json!({"event.category": ["test"], "user.name": ["test-user"]}), "test event by test-user created medium alert my-rule."),
            (json!({"user.name": "Some User Name"}), "event by Some User Name created medium alert my-rule."),
            (json!({"host.name": "Some Host Name"}), "event on Some Host Name created medium alert my-rule."),
        ];
        for (doc, want) in cases {
            assert_eq!(r(doc, "medium", "my-rule"), want);
        }
    }

    /// Source documents as `_source` holds them (nested objects, JSON types).
    #[test]
    fn source_documents() {
        let n = "AWS DynamoDB Scan by Unusual User";
        let cases = [
            (json!({"source": {"ip": "203.0.113.7"}, "user": {"name": "alice"}}), "event with source 203.0.113.7 by alice created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"source": {"address": "dynamodb.amazonaws.com"}, "user": {"name": "alice"}}), "event by alice created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({}), "event created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"source": {"ip": "1.2.3.4", "port": 443}}), "event with source 1.2.3.4 created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"source": {"ip": "1.2.3.4", "port": "443"}}), "event with source 1.2.3.4:443, created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"destination": {"port": [8080]}}), "event with:8080, created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"process": {"parent": {"name": "bash"}}}), "event with parent process bash, created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"user": {"name": ["a", null, 1.50, true, ["x", "y"], {}]}}), "event by a, , 1.5, true, x,y, [object Object] created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"user": {"name": ["-", "b"]}, "host": {"name": "-"}}), "event by -, b created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"user": {"name": "null"}, "file": {"name": "null"}}), "event with created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"event": {"category": ["authentication"]}, "source.ip": "8.42.77.171", "user": {"name": "root"}, "host": {"name": "zeek"}}), "authentication event with source 8.42.77.171 by root on zeek created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"source.ip": null, "source": {"ip": "1.2.3.4"}}), "event created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"source": [{"ip": "1.2.3.4"}], "user": {"name": true}}), "event created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({"source": {"ip": "not-an-ip"}}), "event with source not-an-ip created low alert AWS DynamoDB Scan by Unusual User."),
        ];
        for (doc, want) in cases {
            assert_eq!(r(doc, "low", n), want);
        }
    }
}
