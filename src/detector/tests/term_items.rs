//! Items 1 and 4–18: what counts as a new term.

use serde_json::json;

use super::*;

const TWO: &str = r#"{"new_terms_fields":["host.name","host.ip"]}"#;

fn host(t: Millis, name: serde_json::Value, ip: serde_json::Value) -> Vec<u8> {
    scan(t, json!({"host": {"name": name, "ip": ip}}))
}

#[test]
fn item_1_only_unseen_keys_alert() {
    let mut d = detector("{}");
    let got = run(
        &mut d,
        &[by("arn:a", T0 - 3 * DAY), by("arn:a", T0), by("arn:b", T0)],
    );
    assert_eq!(
        got,
        terms(&[&[json!("arn:a")], &[json!("arn:b")]]),
        "a alerts once (first sight), b once"
    );
}

#[test]
fn item_4_array_values_are_separate_terms() {
    let mut d = detector(r#"{"new_terms_fields":["host.ip"]}"#);
    let ips = |v: serde_json::Value| scan(T0, json!({"host": {"ip": v}}));
    assert_eq!(run(&mut d, &[ips(json!(["1", "2", "3"]))]).len(), 3);
    assert_eq!(
        run(&mut d, &[ips(json!(["1", "4", "2"]))]),
        terms(&[&[json!("4")]])
    );
}

#[test]
fn item_5_scalar_and_array_give_one_alert_per_combination() {
    let mut d = detector(TWO);
    let got = run(&mut d, &[host(T0, json!("h"), json!(["1", "2", "3"]))]);
    assert_eq!(
        got,
        terms(&[
            &[json!("h"), json!("1")],
            &[json!("h"), json!("2")],
            &[json!("h"), json!("3")]
        ])
    );
}

#[test]
fn item_6_new_combination_of_old_values() {
    let history = [
        host(T0, json!("h0"), json!("ip1")),
        host(T0, json!("h1"), json!("ip2")),
    ];
    let current = host(T0 + DAY, json!("h0"), json!("ip2"));
    for (config, want) in [
        (TWO, 1),
        (r#"{"new_terms_fields":["host.name"]}"#, 0),
        (r#"{"new_terms_fields":["host.ip"]}"#, 0),
    ] {
        let mut d = detector(config);
        run(&mut d, &history);
        assert_eq!(
            run(&mut d, std::slice::from_ref(&current)).len(),
            want,
            "{config}"
        );
    }
}

#[test]
fn item_7_cartesian_product_minus_history() {
    let mut d = detector(TWO);
    run(
        &mut d,
        &[
            host(T0, json!("ip1"), json!(["t1", "t2"])),
            host(T0, json!("ip1"), json!("t1")),
        ],
    );
    let got = run(
        &mut d,
        &[host(
            T0 + DAY,
            json!(["ip1", "ip2"]),
            json!(["n1", "t2", "n3"]),
        )],
    );
    assert_eq!(got.len(), 5);
    assert!(!got.contains(&vec![json!("ip1"), json!("t2")]));
}

#[test]
fn item_8_combinations_are_never_formed_across_events() {
    let mut d = detector(TWO);
    run(
        &mut d,
        &[
            scan(T0, json!({"host": {"name": "h"}})),
            scan(T0, json!({"host": {"ip": "1"}})),
        ],
    );
    assert!(
        d.stats().tracked_terms == 0,
        "neither event has both fields"
    );
    assert_eq!(run(&mut d, &[host(T0, json!("h"), json!("1"))]).len(), 1);
}

/// Kibana's test maps these fields as numbers and booleans; the new-terms fields of
/// CloudTrail rules are keyword fields, which index a number or a boolean as its text:
/// `1` and `"1"` are one term there, and `kibana.alert.new_terms` holds strings.
#[test]
fn item_9_numbers_and_booleans_are_keywords() {
    let cases = [
        (json!(1), json!("1"), json!("1"), true),
        (json!(false), json!("false"), json!("false"), true),
        (
            json!(111122223333u64),
            json!("111122223333"),
            json!("111122223333"),
            true,
        ),
        (json!(0), json!(false), json!("0"), false),
    ];
    for (first, second, keyword, same) in cases {
        let mut d = detector(r#"{"new_terms_fields":["user.name","user.id"]}"#);
        let ev = |v: &serde_json::Value| scan(T0, json!({"user": {"name": "user-0", "id": v}}));
        assert_eq!(
            run(&mut d, &[ev(&first)]),
            vec![vec![json!("user-0"), keyword]]
        );
        assert_eq!(
            run(&mut d, &[ev(&second)]).is_empty(),
            same,
            "{first} and {second}: one term = {same}"
        );
    }
}

#[test]
fn item_10_empty_history_every_distinct_key_alerts() {
    let mut d = detector("{}");
    let docs: Vec<_> = ["a", "b", "c", "d", "e", "a"]
        .iter()
        .map(|a| by(a, T0))
        .collect();
    assert_eq!(run(&mut d, &docs).len(), 5);
}

#[test]
fn item_11_and_12_missing_or_null_fields_leave_no_trace() {
    let cases = [
        ("{}", scan(T0, json!({}))),
        (
            "{}",
            scan(
                T0,
                json!({"aws": {"cloudtrail": {"user_identity": {"arn": null}}}}),
            ),
        ),
        (
            "{}",
            scan(
                T0,
                json!({"aws": {"cloudtrail": {"user_identity": {"arn": []}}}}),
            ),
        ),
        (TWO, scan(T0, json!({"host": {"name": "h", "ip": null}}))),
        (TWO, scan(T0, json!({"host": {"ip": "1"}}))),
    ];
    for (config, doc) in cases {
        let mut d = detector(config);
        assert!(run(&mut d, std::slice::from_ref(&doc)).is_empty());
        let s = d.stats();
        assert_eq!((s.missing_terms, s.tracked_terms), (1, 0));
    }
    let mut d = detector("{}");
    run(&mut d, &[scan(T0, json!({}))]);
    assert_eq!(
        run(&mut d, &[by("arn:a", T0 + 1)]).len(),
        1,
        "judged normally once present"
    );
    // An empty string is a keyword Elasticsearch indexes, and Kibana alerts on it.
    let mut d = detector("{}");
    let empty = || {
        scan(
            T0,
            json!({"aws": {"cloudtrail": {"user_identity": {"arn": ""}}}}),
        )
    };
    assert_eq!(run(&mut d, &[empty()]), vec![vec![json!("")]]);
    assert!(run(&mut d, &[empty()]).is_empty(), "seen before");
}

#[test]
fn item_13_non_matching_events_touch_nothing() {
    let variants = [
        json!({"event": {"outcome": "failure"}}),
        json!({"event": {"action": "Query"}}),
        json!({"event": {"provider": "s3.amazonaws.com"}}),
        json!({"event": {"dataset": "aws.s3access"}}),
    ];
    for v in variants {
        let mut d = detector("{}");
        let mut extra = json!({"aws": {"cloudtrail": {"user_identity": {"arn": "arn:a"}}}});
        merge(&mut extra, v.clone());
        assert!(run(&mut d, &[scan(T0, extra)]).is_empty(), "{v}");
        let s = d.stats();
        assert_eq!(
            (s.not_matched + s.prefiltered, s.matched, s.tracked_terms),
            (1, 0, 0)
        );
        assert_eq!(
            run(&mut d, &[by("arn:a", T0 + 1)]).len(),
            1,
            "a later successful Scan alerts"
        );
    }
}

#[test]
fn item_14_exceptions_drop_alert_and_history() {
    let config = r#"{"exceptions":[{"name":"ci","entries":[{"field":"user.name","type":"match","value":"ci-bot"}]}]}"#;
    let mut d = detector(config);
    let bot = scan(
        T0,
        json!({"user": {"name": "ci-bot"}, "aws": {"cloudtrail": {"user_identity": {"arn": "arn:bot"}}}}),
    );
    assert!(run(&mut d, &[bot]).is_empty());
    assert_eq!((d.stats().excepted, d.stats().tracked_terms), (1, 0));
    let same_arn_other_user = scan(
        T0 + 1,
        json!({"user": {"name": "human"}, "aws": {"cloudtrail": {"user_identity": {"arn": "arn:bot"}}}}),
    );
    assert_eq!(
        run(&mut d, &[same_arn_other_user]).len(),
        1,
        "the excepted event left no history"
    );
}

#[test]
fn item_15_large_arrays() {
    let vals = |n: usize, p: &str| json!((0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>());
    let one = r#"{"new_terms_fields":["host.ip"],"max_signals":1000}"#;
    let mut d = detector(one);
    assert_eq!(
        run(&mut d, &[scan(T0, json!({"host": {"ip": vals(20, "ip")}}))]).len(),
        20
    );
    let mut d = detector(r#"{"new_terms_fields":["host.name","host.ip"],"max_signals":1000}"#);
    assert_eq!(
        run(&mut d, &[host(T0, vals(20, "h"), vals(5, "i"))]).len(),
        100
    );
    let mut d = detector(r#"{"new_terms_fields":["host.name","host.ip"],"max_signals":1000}"#);
    assert_eq!(
        run(&mut d, &[host(T0, vals(10, "h"), vals(20, "i"))]).len(),
        200
    );
    let mut d = detector(TWO);
    let all = d.process(
        &host(T0, vals(10, "h"), vals(20, "i")),
        Context::event_time(),
    );
    let mut all = all;
    all.extend(d.flush(DetectionTime::EventTime));
    assert_eq!(
        all.iter().filter(|a| a.kind == AlertKind::NewTerm).count(),
        100
    );
    let summary: Vec<_> = all
        .iter()
        .filter(|a| a.kind == AlertKind::CapSummary)
        .collect();
    assert_eq!(summary.len(), 1);
    assert_eq!(
        summary[0].document()["kibana.alert.max_signals_summary"]["alerts_suppressed"],
        100
    );
}

#[test]
fn item_16_only_the_new_combinations_of_a_big_event() {
    let mut d = detector(r#"{"new_terms_fields":["host.name","host.ip"],"max_signals":1000}"#);
    let ips = |r: std::ops::Range<usize>| json!(r.map(|i| format!("ip{i}")).collect::<Vec<_>>());
    run(&mut d, &[host(T0, json!("h"), ips(0..100))]);
    assert_eq!(
        run(&mut d, &[host(T0 + DAY, json!("h"), ips(0..110))]).len(),
        10
    );
}

#[test]
fn item_17_and_18_high_cardinality_history() {
    let config = r#"{"new_terms_fields":["a","b","c"],"max_signals":1000}"#;
    let mut d = detector(config);
    let list = |p: &str, n: usize| json!((0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>());
    let ev = |t, a, b, c| scan(t, json!({"a": a, "b": b, "c": c}));
    // 100 × 100 × 5 = 50,000 combinations of history.
    for i in 0..10 {
        let part = json!((i * 10..i * 10 + 10)
            .map(|j| format!("a{j}"))
            .collect::<Vec<_>>());
        run(&mut d, &[ev(T0, part, list("b", 100), list("c", 5))]);
    }
    assert_eq!(d.stats().tracked_terms, 50_000);
    assert_eq!(
        run(
            &mut d,
            &[ev(T0 + DAY, json!("a1"), json!("b1"), json!("new"))]
        )
        .len(),
        1,
        "NT-18"
    );
    let got = run(
        &mut d,
        &[ev(
            T0 + DAY,
            json!(["a1", "a2"]),
            json!(["b1", "b2"]),
            json!(["c1", "other"]),
        )],
    );
    assert_eq!(
        got.len(),
        4,
        "NT-19: only the combinations with the new c value"
    );
    assert!(
        run(
            &mut d,
            &[ev(T0 + DAY, list("a", 20), list("b", 6), json!("c0"))]
        )
        .is_empty(),
        "NT-20/21: 120 old ones"
    );
}
