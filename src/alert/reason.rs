//! `kibana.alert.reason`, in the wording of Kibana's shared reason template:
//! `[<event.category> ]event[ with][ process P,][ parent process PP,][ file F,]`
//! `[ source <ip>[:<port>,]][ destination <ip>[:<port>,]][ by <user.name>][ on <host.name>]`
//! ` created <severity> alert <rule name>.` Array values are joined with `, `.

use serde_json::{Map, Value};

use crate::ecs::field;

fn text(doc: &Map<String, Value>, path: &str) -> Option<String> {
    let mut values = Vec::new();
    field::collect(doc, path, &mut values);
    let parts: Vec<String> = values
        .iter()
        .filter_map(|v| match v {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The reason sentence for an alert on `doc`.
pub fn reason(doc: &Map<String, Value>, severity: &str, rule_name: &str) -> String {
    let mut s = String::new();
    if let Some(category) = text(doc, "event.category") {
        s.push_str(&category);
        s.push(' ');
    }
    s.push_str("event");
    let process = text(doc, "process.name");
    let parent = text(doc, "process.parent.name");
    let file = text(doc, "file.name");
    let source = text(doc, "source.ip");
    let destination = text(doc, "destination.ip");
    if process.is_some() || file.is_some() || source.is_some() || destination.is_some() {
        s.push_str(" with");
    }
    if let Some(p) = process {
        s.push_str(&format!(" process {p}"));
        if let Some(pp) = parent {
            s.push_str(&format!(" parent process {pp}"));
        }
        s.push(',');
    }
    if let Some(f) = file {
        s.push_str(&format!(" file {f},"));
    }
    for (label, ip, port) in [
        ("source", source, "source.port"),
        ("destination", destination, "destination.port"),
    ] {
        if let Some(ip) = ip {
            s.push_str(&format!(" {label} {ip}"));
            if let Some(port) = text(doc, port) {
                s.push_str(&format!(":{port},"));
            }
        }
    }
    if let Some(user) = text(doc, "user.name") {
        s.push_str(&format!(" by {user}"));
    }
    if let Some(host) = text(doc, "host.name") {
        s.push_str(&format!(" on {host}"));
    }
    s.push_str(&format!(" created {severity} alert {rule_name}."));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn r(doc: Value) -> String {
        reason(
            doc.as_object().expect("object"),
            "low",
            "AWS DynamoDB Scan by Unusual User",
        )
    }

    /// semantics.md §6.5 items 2 and 3.
    #[test]
    fn items_2_and_3_reason_wording() {
        let cases = [
            (
                json!({"source": {"ip": "203.0.113.7"}, "user": {"name": "alice"}}),
                "event with source 203.0.113.7 by alice created low alert AWS DynamoDB Scan by Unusual User.",
            ),
            (json!({"source": {"address": "dynamodb.amazonaws.com"}, "user": {"name": "alice"}}), "event by alice created low alert AWS DynamoDB Scan by Unusual User."),
            (json!({}), "event created low alert AWS DynamoDB Scan by Unusual User."),
            (
                json!({"event": {"category": ["authentication"]}, "source.ip": "8.42.77.171", "user": {"name": "root"}, "host": {"name": "zeek"}}),
                "authentication event with source 8.42.77.171 by root on zeek created low alert AWS DynamoDB Scan by Unusual User.",
            ),
            (
                json!({"source": {"ip": "1.2.3.4", "port": 443}, "user": {"name": ["a", "b"]}}),
                "event with source 1.2.3.4:443, by a, b created low alert AWS DynamoDB Scan by Unusual User.",
            ),
        ];
        for (doc, want) in cases {
            assert_eq!(r(doc), want);
        }
    }
}
