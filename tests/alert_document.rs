//! The alert body as Kibana builds it (`transform_hit_to_alert.ts`, `build_alert.ts`,
//! `traverse_and_mutate_doc.ts`), through the public detector API on ECS input.

use serde_json::{json, Map, Value};

use dynamodb_scan_detector::{Config, Context, Detector};

const NOW: i64 = 1_710_224_600_000; // 2024-03-12T06:23:20Z

/// One ECS Scan by `user` with `extra` merged in at top level; returns the alert.
fn alert_with(config: &str, extra: Value) -> Map<String, Value> {
    let mut doc = json!({
        "@timestamp": "2024-03-12T06:22:01Z",
        "event": {"dataset": "aws.cloudtrail", "provider": "dynamodb.amazonaws.com",
                  "action": "Scan", "outcome": "success", "ingested": "2024-03-12T06:22:30Z",
                  "kind": "event", "id": "e-1"},
        "aws": {"cloudtrail": {"user_identity": {"arn": "arn:aws:iam::123456789012:user/alice"}}},
        "user": {"name": "alice"},
    });
    for (k, v) in extra.as_object().expect("object") {
        doc[k] = v.clone();
    }
    let config = Config::from_json(config).expect("config");
    let mut d = Detector::new(config);
    let mut alerts = d.process(doc.to_string().as_bytes(), Context::at(NOW));
    // The reorder window holds a first sighting until the end of input.
    alerts.extend(d.flush(dynamodb_scan_detector::DetectionTime::At(NOW)));
    assert_eq!(alerts.len(), 1, "{doc}");
    alerts[0].document()
}

fn alert(extra: Value) -> Map<String, Value> {
    alert_with("{}", extra)
}

/// `original_time` is `moment(@timestamp).toISOString()`.
#[test]
fn original_time_is_iso_utc_with_milliseconds() {
    let cases = [
        (
            json!("2024-03-12T06:22:01Z"),
            Some("2024-03-12T06:22:01.000Z"),
        ),
        (
            json!("2024-03-12T06:22:01.5Z"),
            Some("2024-03-12T06:22:01.500Z"),
        ),
        (
            json!("2024-03-12T06:22:01.123456Z"),
            Some("2024-03-12T06:22:01.123Z"),
        ),
        (
            json!("2024-03-12T06:22:01.123456789Z"),
            Some("2024-03-12T06:22:01.123Z"),
        ),
        (
            json!("2024-03-12T08:22:01+02:00"),
            Some("2024-03-12T06:22:01.000Z"),
        ),
        (
            json!("2024-03-12T01:22:01.7-05:00"),
            Some("2024-03-12T06:22:01.700Z"),
        ),
        (
            json!(1_710_224_521_000_i64),
            Some("2024-03-12T06:22:01.000Z"),
        ),
        (json!("1710224521000"), Some("2024-03-12T06:22:01.000Z")),
        (
            json!(["2024-03-12T06:22:01Z"]),
            Some("2024-03-12T06:22:01.000Z"),
        ),
        (json!("not a date"), None),
        (json!({"a": 1}), None),
    ];
    for (ts, want) in cases {
        let a = alert(json!({"@timestamp": ts}));
        assert_eq!(
            a.get("kibana.alert.original_time").and_then(Value::as_str),
            want,
            "{ts}"
        );
    }
}

/// `signal` and `threshold_result` are dropped like `kibana`; ECS-invalid values too,
/// also from `original_event`; the reason still reads the unstripped source.
#[test]
fn source_fields_copied_as_kibana_copies_them() {
    let a = alert(json!({
        "signal": {"rule": {"id": "x"}},
        "threshold_result": {"count": 3},
        "source": {"ip": "not-an-ip", "address": "somewhere", "port": "x"},
        "host": {"name": {"nested": "object"}},
        "custom": {"kept": [1, "two"]},
        "tags": [],
    }));
    for gone in ["signal", "threshold_result", "tags", "host"] {
        assert!(!a.contains_key(gone), "{gone}");
    }
    assert_eq!(a["source"], json!({"address": "somewhere"}));
    assert_eq!(a["custom"], json!({"kept": [1, "two"]}));
    assert_eq!(
        a["kibana.alert.reason"],
        "event with source not-an-ip:x, by alice created low alert AWS DynamoDB Scan by Unusual User."
    );

    let a = alert(
        json!({"event": {"dataset": "aws.cloudtrail", "provider": "dynamodb.amazonaws.com",
        "action": "Scan", "outcome": "success", "ingested": "2024-03-12T06:22:30Z", "id": "e-1",
        "risk_score": "high", "kind": "event"}}),
    );
    assert!(!a.contains_key("kibana.alert.original_event.risk_score"));
    assert_eq!(a["kibana.alert.original_event.kind"], "event");
}

/// `event.kind: "signal"` is Kibana's dotted top-level key; the source's is removed.
#[test]
fn event_kind_signal_is_a_dotted_key() {
    let a = alert(json!({}));
    assert_eq!(a["event.kind"], "signal");
    assert!(a["event"].get("kind").is_none());
    assert_eq!(a["event"]["action"], "Scan");
}

/// `timestamp_override_fallback_disabled` is in the parameters only when set.
#[test]
fn fallback_disabled_only_when_defined() {
    let key = "timestamp_override_fallback_disabled";
    let a = alert(json!({}));
    assert!(a["kibana.alert.rule.parameters"].get(key).is_none());
    assert!(!a.contains_key(&format!("kibana.alert.rule.{key}")));
    let a = alert_with(r#"{"timestamp_fallback":false}"#, json!({}));
    assert_eq!(a["kibana.alert.rule.parameters"][key], true);
}

/// The README's comparison with Kibana states what Kibana's code does (edge term alerted
/// by the overlapping run, a warning at `max_signals`, the ES|QL path).
#[test]
fn readme_kibana_comparison_matches_kibana() {
    let readme = include_str!("../src/README.md");
    let start = readme
        .find("## How this differs from Kibana")
        .expect("section");
    let body = &readme[start + 2..];
    let para = &body[..body.find("\n## ").unwrap_or(body.len())];
    let flat = para.split_whitespace().collect::<Vec<_>>().join(" ");
    for claim in [
        "Kibana never alerts",
        "silently dropping",
        "can never produce duplicates",
    ] {
        assert!(!flat.contains(claim), "{claim}");
    }
    for fact in [
        dynamodb_scan_detector::alert::document::MAX_SIGNALS_WARNING,
        "the previous, overlapping run has already alerted it",
        "execute_new_terms_esql_approach.ts",
        "10,000",
    ] {
        assert!(flat.contains(fact), "{fact}");
    }
}
