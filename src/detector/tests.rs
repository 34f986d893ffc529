//! Table-driven tests of the streaming New Terms semantics, one per applicable item of
//! the test plan in `src/README.md` (items 54–56 live in `config::tests`,
//! 32–33 also in `state::tests`, 30–31 also in `alert::cap::tests`, 35 in `alert::uuid`).

mod alert_items;
mod journal_items;
mod limit_items;
mod reorder_items;
mod term_items;
mod time_items;

use serde_json::{json, Value};

use super::*;

pub(super) const DAY: Millis = 86_400_000;
pub(super) const T0: Millis = 1_735_689_600_000; // 2025-01-01T00:00:00Z

/// A successful DynamoDB Scan as an ECS document with the given extra fields.
pub(super) fn scan(t: Millis, extra: Value) -> Vec<u8> {
    let mut doc = json!({
        "@timestamp": crate::time::format_timestamp(t),
        "event": {"dataset": "aws.cloudtrail", "provider": "dynamodb.amazonaws.com", "action": "Scan",
                  "outcome": "success", "kind": "event", "id": format!("evt-{t}")},
        "data_stream": {"dataset": "aws.cloudtrail", "type": "logs", "namespace": "default"},
    });
    merge(&mut doc, extra);
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// A scan by principal `arn` at `t` (the seed profile's field).
pub(super) fn by(arn: &str, t: Millis) -> Vec<u8> {
    scan(
        t,
        json!({"aws": {"cloudtrail": {"user_identity": {"arn": arn}}}}),
    )
}

fn merge(into: &mut Value, extra: Value) {
    match (into, extra) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (slot, other) => *slot = other,
    }
}

/// A detector with `config`. The items judge each event as it arrives (a reorder
/// window of `0s`) unless `config` sets a window: the window's own items are in
/// `reorder_items`.
pub(super) fn detector(config: &str) -> Detector {
    let mut options: Value = serde_json::from_str(config).expect("test config is JSON");
    if options.get("reorder_window").is_none() {
        options["reorder_window"] = json!("0s");
    }
    Detector::new(Config::from_json(&options.to_string()).expect("test config is valid"))
}

/// Run documents through a detector; the `kibana.alert.new_terms` of every new-term alert.
pub(super) fn run(d: &mut Detector, docs: &[Vec<u8>]) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    for doc in docs {
        for a in d.process(doc, Context::event_time()) {
            if a.kind == AlertKind::NewTerm {
                out.push(a.new_terms().to_vec());
            }
        }
    }
    d.stats().check().expect("stats add up");
    out
}

pub(super) fn terms(items: &[&[Value]]) -> Vec<Vec<Value>> {
    items.iter().map(|t| t.to_vec()).collect()
}

#[test]
fn recorded_records_say_which_account_and_address_they_came_from() {
    let raw = |extra: &str| {
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"2025-01-01T00:00:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"Scan","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"{extra}}}"#
        )
        .into_bytes()
    };
    let arn = json!({"aws": {"cloudtrail": {"user_identity": {"arn": "arn:aws:iam::1:user/a"}}}});
    let ecs = |extra: Value| {
        let mut doc = arn.clone();
        merge(&mut doc, extra);
        scan(T0, doc)
    };
    /// A name, a document, the account and the address it came from.
    type Case = (&'static str, Vec<u8>, Option<Value>, Option<Value>);
    let cases: &[Case] = &[
        (
            "raw: the recipient's account, an IP address",
            raw(r#"},"recipientAccountId":"444455556666","sourceIPAddress":"192.0.2.7""#),
            Some(json!("444455556666")),
            Some(json!("192.0.2.7")),
        ),
        (
            "raw: the caller's own account before the recipient's",
            raw(r#","accountId":"777788889999"},"recipientAccountId":"444455556666""#),
            Some(json!("777788889999")),
            None,
        ),
        (
            "raw: a service's name as its address (source.address, no source.ip)",
            raw(r#"},"sourceIPAddress":"dynamodb.amazonaws.com""#),
            None,
            Some(json!("dynamodb.amazonaws.com")),
        ),
        ("raw: neither", raw("}"), None, None),
        (
            "ECS: cloud.account.id and source.address",
            ecs(
                json!({"cloud": {"account": {"id": "777788889999"}}, "source": {"address": "198.51.100.1", "ip": "198.51.100.2"}}),
            ),
            Some(json!("777788889999")),
            Some(json!("198.51.100.1")),
        ),
        (
            "ECS: the fallbacks, dotted, after nulls",
            ecs(
                json!({"cloud.account.id": null, "aws.cloudtrail.recipient_account_id": "123", "source.ip": "203.0.113.9"}),
            ),
            Some(json!("123")),
            Some(json!("203.0.113.9")),
        ),
        (
            "ECS: not text, as the document has it",
            ecs(json!({"cloud": {"account": {"id": 42}}, "source": {"address": ["a", "b"]}})),
            Some(json!(42)),
            Some(json!(["a", "b"])),
        ),
    ];
    // The fast path judges a raw record on its raw view; a new-terms field the view
    // does not give sends it down the full path (its ECS document).
    let configs = [
        "{}",
        r#"{"new_terms_fields":["aws.cloudtrail.user_identity.arn","event.dataset"]}"#,
    ];
    for (name, doc, account, address) in cases {
        for config in configs {
            for asked in [true, false] {
                let mut d = detector(config);
                d.set_observe_origins(asked);
                let mut seen = None;
                let mut alerts = Vec::new();
                d.process_each(doc, Context::event_time(), &mut |r| {
                    assert_eq!(r.verdict, Verdict::Recorded, "{name}");
                    seen = r.observed;
                    alerts = r.alerts;
                });
                let seen = seen.expect("recorded");
                let want = if asked {
                    (account.clone(), address.clone())
                } else {
                    (None, None)
                };
                let got = (seen.account.clone(), seen.address.clone());
                assert_eq!(got, want, "{name}, {config}, asked: {asked}");
                // Exactly what the alert has (the page shows one, follows the other).
                let alert = alerts.first().expect("a new term").document();
                let at = |path: &str, fallback: &str| {
                    [path, fallback].into_iter().find_map(|p| {
                        crate::ecs::field::first(&alert, p)
                            .filter(|v| !v.is_null())
                            .cloned()
                    })
                };
                if asked {
                    let of_alert = (
                        at("cloud.account.id", "aws.cloudtrail.recipient_account_id"),
                        at("source.address", "source.ip"),
                    );
                    assert_eq!(got, of_alert, "{name}, {config}: as the alert has it");
                }
            }
        }
    }
}

#[test]
fn recorded_records_report_their_time_and_terms_whether_new_or_not() {
    let mut d = detector(r#"{"new_terms_fields":["host.ip"]}"#);
    let doc = scan(T0, json!({"host": {"ip": ["1", "2"]}}));
    let mut seen = Vec::new();
    for _ in 0..2 {
        d.process_each(&doc, Context::event_time(), &mut |r| {
            assert_eq!(r.verdict, Verdict::Recorded);
            seen.push(r.observed);
        });
    }
    let values = |o: &Option<Observed>| -> (Millis, Vec<Vec<Value>>) {
        let o = o.as_ref().expect("a recorded record says what it recorded");
        (o.time, o.terms.iter().map(|t| t.values.clone()).collect())
    };
    let want = (T0, vec![vec![json!("1")], vec![json!("2")]]);
    assert_eq!(values(&seen[0]), want, "new terms");
    assert_eq!(values(&seen[1]), want, "the same terms, seen again");
    d.process_each(
        b"{\"eventName\":\"GetItem\"}",
        Context::event_time(),
        &mut |r| {
            assert!(r.observed.is_none(), "{:?}", r.verdict);
        },
    );
}
