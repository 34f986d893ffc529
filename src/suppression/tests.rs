//! Suppression through a whole detector: Kibana's `new_terms_alert_suppression.ts`
//! scenarios (SUP-n in ../shared/research/semantics.md §3.2) as a stream of raw
//! CloudTrail records, with the rule's `interval` (5m) as its executions.

use serde_json::Value;

use crate::config::rule_file::parse_rule_file;
use crate::config::{Config, DetectorOptions};
use crate::{Alert, AlertKind, Context, DetectionTime, Detector};

/// A rule on every Scan, new terms on the caller's ARN, with `suppression` as its
/// `[rule.alert_suppression]` body (empty: none).
fn rule(suppression: &str) -> Config {
    let table = if suppression.is_empty() {
        String::new()
    } else {
        format!("[rule.alert_suppression]\n{suppression}\n")
    };
    let text = format!(
        r#"[rule]
rule_id = "00000000-0000-4000-8000-00000000005c"
name = "Scan by a new caller"
severity = "low"
risk_score = 21
type = "new_terms"
language = "kuery"
query = "event.action: Scan"
{table}
[rule.new_terms]
field = "new_terms_fields"
value = ["aws.cloudtrail.user_identity.arn"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-10d"
"#
    );
    let rule = parse_rule_file("suppressed.toml", &text).expect("the rule loads");
    Config::for_rule_file(
        rule,
        &DetectorOptions {
            reorder_window: Some("0s".into()),
            ..Default::default()
        },
    )
    .expect("config")
}

/// A Scan by `user` from `ip` in `account` at `minute` past 10:00 on 2 Nov 2026
/// (`ip` empty: the record has no source address).
fn scan(user: &str, ip: &str, account: &str, minute: u32) -> String {
    let ip = if ip.is_empty() {
        String::new()
    } else {
        format!(r#""sourceIPAddress":"{ip}","#)
    };
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::{account}:user/{user}","accountId":"{account}","userName":"{user}"}},"eventTime":"2026-11-02T{:02}:{:02}:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"Scan",{ip}"awsRegion":"eu-west-1","eventID":"{user}-{minute}","recipientAccountId":"{account}"}}"#,
        10 + minute / 60,
        minute % 60
    )
}

/// [`scan`] with a user agent (`ua` empty: none).
fn scan_ua(user: &str, ip: &str, ua: &str, minute: u32) -> String {
    let line = scan(user, ip, "111", minute);
    if ua.is_empty() {
        line
    } else {
        line.replacen(
            "\"awsRegion\"",
            &format!("\"userAgent\":\"{ua}\",\"awsRegion\""),
            1,
        )
    }
}

/// Two candidates of each pattern of present and missing `source.ip` and
/// `user_agent.original`, in one execution (SUP-14, SUP-17).
fn missing_patterns() -> Vec<String> {
    [
        ("a", "10.0.0.3", "cli"),
        ("b", "10.0.0.3", "cli"),
        ("c", "", "cli"),
        ("d", "", "cli"),
        ("e", "10.0.0.3", ""),
        ("f", "10.0.0.3", ""),
        ("g", "", ""),
        ("h", "", ""),
    ]
    .iter()
    .enumerate()
    .map(|(i, (user, ip, ua))| scan_ua(user, ip, ua, i as u32 / 2))
    .collect()
}

fn run(d: &mut Detector, lines: &[String]) -> Vec<Alert> {
    let mut out = Vec::new();
    for line in lines {
        out.extend(d.process(line.as_bytes(), Context::event_time()));
    }
    out.extend(d.flush(DetectionTime::EventTime));
    out
}

fn get<'a>(a: &'a Alert, key: &str) -> &'a Value {
    a.get(key).unwrap_or(&Value::Null)
}

/// Each document as (kind, user, docs_count, start minute, end minute).
fn summary(alerts: &[Alert]) -> Vec<(AlertKind, String, Value, Value, Value)> {
    let minute = |v: &Value| {
        v.as_str()
            .and_then(|s| s.get(11..16))
            .map_or(Value::Null, Value::from)
    };
    alerts
        .iter()
        .map(|a| {
            let user = get(a, "kibana.alert.new_terms")[0]
                .as_str()
                .and_then(|arn| arn.rsplit('/').next())
                .unwrap_or("")
                .to_owned();
            (
                a.kind,
                user,
                get(a, "kibana.alert.suppression.docs_count").clone(),
                minute(get(a, "kibana.alert.suppression.start")),
                minute(get(a, "kibana.alert.suppression.end")),
            )
        })
        .collect()
}

use AlertKind::{NewTerm as New, SuppressionUpdate as Update};

fn n(v: u64) -> Value {
    Value::from(v)
}
fn hm(s: &str) -> Value {
    Value::from(s)
}

#[test]
fn scenarios() {
    let by_ip_1h = "group_by = [\"source.ip\"]\nduration = {value = 1, unit = \"h\"}";
    type Expected<'a> = Vec<(AlertKind, &'a str, Value, Value, Value)>;
    let cases: Vec<(&str, &str, Vec<String>, Expected)> = vec![
        (
            // SUP-1/SUP-5: one alert, brought up to date as later windows count more.
            "duration over several executions",
            by_ip_1h,
            vec![
                scan("a", "10.0.0.3", "111", 0),
                scan("b", "10.0.0.3", "111", 1),
                scan("c", "10.0.0.3", "111", 7),
                scan("d", "10.0.0.4", "111", 8),
                scan("e", "10.0.0.3", "111", 12),
            ],
            vec![
                (New, "a", n(0), hm("10:00"), hm("10:00")),
                // The 10:05 window opens with c: b (10:01) is reported.
                (Update, "a", n(1), hm("10:00"), hm("10:01")),
                (New, "d", n(0), hm("10:08"), hm("10:08")),
                (Update, "a", n(2), hm("10:00"), hm("10:07")),
                // The end of input reports e.
                (Update, "a", n(3), hm("10:00"), hm("10:12")),
            ],
        ),
        (
            // The duration runs out: a new alert. The 10:00 candidate's run ends at
            // 10:05, so the alert takes in the runs ending by 10:15 (the 10:15 run sees
            // an alert created at 10:05, no more than 10 minutes before it).
            "a group reopens after its duration",
            "group_by = [\"source.ip\"]\nduration = {value = 10, unit = \"m\"}",
            vec![
                scan("a", "10.0.0.3", "111", 0),
                scan("b", "10.0.0.3", "111", 10),
                scan("c", "10.0.0.3", "111", 14),
                scan("d", "10.0.0.3", "111", 15),
            ],
            vec![
                (New, "a", n(0), hm("10:00"), hm("10:00")),
                // b and c share the 10:10 window, reported as d's window opens.
                (Update, "a", n(2), hm("10:00"), hm("10:14")),
                (New, "d", n(0), hm("10:15"), hm("10:15")),
            ],
        ),
        (
            // SUP-4: a duration shorter than the interval (3m against 5m) still takes
            // in the whole first run, and no later one.
            "a duration shorter than the interval",
            "group_by = [\"source.ip\"]\nduration = {value = 3, unit = \"m\"}",
            vec![
                scan("a", "10.0.0.3", "111", 0),
                scan("b", "10.0.0.3", "111", 4),
                scan("c", "10.0.0.3", "111", 6),
            ],
            vec![
                (New, "a", n(0), hm("10:00"), hm("10:00")),
                (Update, "a", n(1), hm("10:00"), hm("10:04")),
                (New, "c", n(0), hm("10:06"), hm("10:06")),
            ],
        ),
        (
            // SUP-12: per execution, the rule's 5-minute windows.
            "per execution",
            "group_by = [\"source.ip\"]",
            vec![
                scan("a", "10.0.0.3", "111", 0),
                scan("b", "10.0.0.3", "111", 2),
                scan("c", "10.0.0.3", "111", 4),
                scan("d", "10.0.0.3", "111", 5),
            ],
            vec![
                (New, "a", n(0), hm("10:00"), hm("10:00")),
                (Update, "a", n(2), hm("10:00"), hm("10:04")),
                (New, "d", n(0), hm("10:05"), hm("10:05")),
            ],
        ),
        (
            // SUP-9: a missing field is a group of its own (`null`).
            "missing field, suppress",
            "group_by = [\"source.ip\"]\nduration = {value = 1, unit = \"h\"}\nmissing_fields_strategy = \"suppress\"",
            vec![
                scan("a", "", "111", 0),
                scan("b", "", "111", 1),
                scan("c", "10.0.0.3", "111", 2),
                scan("d", "10.0.0.3", "111", 3),
            ],
            vec![
                (New, "a", n(0), hm("10:00"), hm("10:00")),
                (New, "c", n(0), hm("10:02"), hm("10:02")),
                (Update, "a", n(1), hm("10:00"), hm("10:01")),
                (Update, "c", n(1), hm("10:02"), hm("10:03")),
            ],
        ),
        (
            // SUP-14: two fields, every pattern of missing values a group of its own.
            "two fields, missing patterns, suppress",
            "group_by = [\"source.ip\", \"user_agent.original\"]",
            missing_patterns(),
            vec![
                (New, "a", n(0), hm("10:00"), hm("10:00")),
                (New, "c", n(0), hm("10:01"), hm("10:01")),
                (New, "e", n(0), hm("10:02"), hm("10:02")),
                (New, "g", n(0), hm("10:03"), hm("10:03")),
                (Update, "a", n(1), hm("10:00"), hm("10:00")),
                (Update, "c", n(1), hm("10:01"), hm("10:01")),
                (Update, "e", n(1), hm("10:02"), hm("10:02")),
                (Update, "g", n(1), hm("10:03"), hm("10:03")),
            ],
        ),
        (
            // SUP-17: with doNotSuppress only the complete pair is grouped: 7 alerts.
            "two fields, missing patterns, doNotSuppress",
            "group_by = [\"source.ip\", \"user_agent.original\"]\nmissing_fields_strategy = \"doNotSuppress\"",
            missing_patterns(),
            vec![
                (New, "a", n(0), hm("10:00"), hm("10:00")),
                (New, "c", Value::Null, Value::Null, Value::Null),
                (New, "d", Value::Null, Value::Null, Value::Null),
                (New, "e", Value::Null, Value::Null, Value::Null),
                (New, "f", Value::Null, Value::Null, Value::Null),
                (New, "g", Value::Null, Value::Null, Value::Null),
                (New, "h", Value::Null, Value::Null, Value::Null),
                (Update, "a", n(1), hm("10:00"), hm("10:00")),
            ],
        ),
        (
            // SUP-10: with doNotSuppress, each such candidate is a plain alert.
            "missing field, doNotSuppress",
            "group_by = [\"source.ip\"]\nduration = {value = 1, unit = \"h\"}\nmissing_fields_strategy = \"doNotSuppress\"",
            vec![
                scan("a", "", "111", 0),
                scan("b", "", "111", 1),
                scan("c", "10.0.0.3", "111", 2),
                scan("d", "10.0.0.3", "111", 3),
            ],
            vec![
                (New, "a", Value::Null, Value::Null, Value::Null),
                (New, "b", Value::Null, Value::Null, Value::Null),
                (New, "c", n(0), hm("10:02"), hm("10:02")),
                (Update, "c", n(1), hm("10:02"), hm("10:03")),
            ],
        ),
        (
            // SUP-6: two group-by fields group pairs.
            "two fields",
            "group_by = [\"source.ip\", \"cloud.account.id\"]\nduration = {value = 1, unit = \"h\"}",
            vec![
                scan("a", "10.0.0.3", "111", 0),
                scan("b", "10.0.0.3", "222", 1),
                scan("c", "10.0.0.3", "111", 2),
            ],
            vec![
                (New, "a", n(0), hm("10:00"), hm("10:00")),
                (New, "b", n(0), hm("10:01"), hm("10:01")),
                (Update, "a", n(1), hm("10:00"), hm("10:02")),
            ],
        ),
        (
            // Known callers are no candidates: nothing to count.
            "only new terms are counted",
            by_ip_1h,
            vec![
                scan("a", "10.0.0.3", "111", 0),
                scan("a", "10.0.0.3", "111", 1),
                scan("a", "10.0.0.3", "111", 9),
            ],
            vec![(New, "a", n(0), hm("10:00"), hm("10:00"))],
        ),
    ];
    for (name, suppression, lines, want) in cases {
        let mut d = Detector::new(rule(suppression));
        let alerts = run(&mut d, &lines);
        let got = summary(&alerts);
        let want: Vec<_> = want
            .into_iter()
            .map(|(k, u, c, s, e)| (k, u.to_owned(), c, s, e))
            .collect();
        assert_eq!(got, want, "{name}");
        let stats = d.stats();
        stats.check().unwrap_or_else(|e| panic!("{name}: {e}"));
        let updates = alerts.iter().filter(|a| a.kind == Update).count() as u64;
        assert_eq!(stats.suppression_updates, updates, "{name}");
        // Every update is its alert again: same uuid, instance id and @timestamp.
        for u in alerts.iter().filter(|a| a.kind == Update) {
            let first = alerts
                .iter()
                .find(|a| a.kind == New && a.uuid() == u.uuid())
                .unwrap_or_else(|| panic!("{name}: an update of no alert"));
            for key in [
                "kibana.alert.instance.id",
                "@timestamp",
                "kibana.alert.new_terms",
            ] {
                assert_eq!(get(first, key), get(u, key), "{name}: {key}");
            }
        }
    }
}

#[test]
fn the_alert_carries_kibanas_suppression_fields_last() {
    let mut d = Detector::new(rule(
        "group_by = [\"source.ip\", \"cloud.account.id\"]\nduration = {value = 5, unit = \"m\"}",
    ));
    let alerts = run(&mut d, &[scan("a", "10.0.0.3", "111", 0)]);
    assert_eq!(alerts.len(), 1);
    let own: Vec<&str> = alerts[0].fields.keys().map(String::as_str).collect();
    assert_eq!(
        own[own.len() - 5..],
        [
            "kibana.alert.instance.id",
            "kibana.alert.suppression.terms",
            "kibana.alert.suppression.start",
            "kibana.alert.suppression.end",
            "kibana.alert.suppression.docs_count",
        ]
    );
    assert_eq!(
        get(&alerts[0], "kibana.alert.suppression.terms"),
        &serde_json::json!([
            {"field": "source.ip", "value": ["10.0.0.3"]},
            {"field": "cloud.account.id", "value": ["111"]},
        ])
    );
    // object-hash of [terms, rule uuid (the rule_id), space], as Kibana's.
    let terms: [(&str, Option<&[Value]>); 2] = [
        ("source.ip", Some(&[Value::from("10.0.0.3")])),
        ("cloud.account.id", Some(&[Value::from("111")])),
    ];
    assert_eq!(
        get(&alerts[0], "kibana.alert.instance.id").as_str(),
        Some(
            crate::alert::uuid::instance_id(
                &terms,
                "00000000-0000-4000-8000-00000000005c",
                "default"
            )
            .as_str()
        )
    );
    // The same alert id as without suppression.
    let mut plain = Detector::new(rule(""));
    let without = run(&mut plain, &[scan("a", "10.0.0.3", "111", 0)]);
    assert_eq!(without[0].uuid(), alerts[0].uuid());
    assert!(without[0].get("kibana.alert.instance.id").is_none());
    // The rule's parameters say how it suppresses.
    assert_eq!(
        get(&alerts[0], "kibana.alert.rule.parameters")["alert_suppression"],
        serde_json::json!({
            "group_by": ["source.ip", "cloud.account.id"],
            "duration": {"value": 5, "unit": "m"},
            "missing_fields_strategy": "suppress",
        })
    );
}

#[test]
fn a_restore_mid_group_goes_on_counting_into_the_same_alert() {
    let suppression = "group_by = [\"cloud.account.id\"]\nduration = {value = 1, unit = \"h\"}";
    let lines: Vec<String> = ["a", "b", "c", "d"]
        .iter()
        .enumerate()
        .map(|(i, u)| scan(u, "10.0.0.3", "111", 2 * i as u32))
        .collect();
    let mut whole = Detector::new(rule(suppression));
    let expected: Vec<String> = run(&mut whole, &lines).iter().map(Alert::to_json).collect();

    let mut first = Detector::new(rule(suppression));
    let mut got: Vec<String> = Vec::new();
    for line in &lines[..2] {
        got.extend(
            first
                .process(line.as_bytes(), Context::event_time())
                .iter()
                .map(Alert::to_json),
        );
    }
    let mut second = Detector::restore(rule(suppression), &first.snapshot()).expect("restores");
    got.extend(run(&mut second, &lines[2..]).iter().map(Alert::to_json));
    assert_eq!(got, expected);
    assert_eq!(second.stats(), whole.stats());

    // Restored under another grouping, the open group is dropped: d opens a new one.
    let other = "group_by = [\"source.ip\"]\nduration = {value = 1, unit = \"h\"}";
    let mut regrouped = Detector::restore(rule(other), &first.snapshot()).expect("restores");
    let alerts = run(&mut regrouped, &lines[2..]);
    assert_eq!(
        summary(&alerts),
        vec![
            (New, "c".to_owned(), n(0), hm("10:04"), hm("10:04")),
            (Update, "c".to_owned(), n(1), hm("10:04"), hm("10:06")),
        ]
    );
    regrouped.stats().check().expect("counts add up");
}

#[test]
fn the_max_signals_cap_holds_back_openers_only() {
    // max_signals 1: the second group's first candidate is capped (and summarised);
    // candidates of the open group are counted into it, not against the cap.
    let text = rule("group_by = [\"source.ip\"]\nduration = {value = 1, unit = \"h\"}");
    let rule_def = (*text.file_rule.clone().expect("a rule file")).clone();
    let config = Config::for_rule_file(
        crate::config::rule_file::RuleDefinition {
            max_signals: 1,
            ..rule_def
        },
        &DetectorOptions {
            reorder_window: Some("0s".into()),
            ..Default::default()
        },
    )
    .expect("config");
    let mut d = Detector::new(config);
    let alerts = run(
        &mut d,
        &[
            scan("a", "10.0.0.3", "111", 0),
            scan("b", "10.0.0.4", "111", 1),
            scan("c", "10.0.0.3", "111", 2),
        ],
    );
    let kinds: Vec<AlertKind> = alerts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, vec![New, Update, AlertKind::CapSummary]);
    let s = d.stats();
    assert_eq!((s.alerts, s.summarised, s.suppressed), (1, 1, 1));
    s.check().expect("counts add up");
}

#[test]
fn a_rule_set_restore_says_which_open_groups_it_dropped() {
    let with = |suppression: &str| {
        let config = rule(suppression);
        (*config.file_rule.clone().expect("a rule file")).clone()
    };
    let options = DetectorOptions {
        reorder_window: Some("0s".into()),
        ..Default::default()
    };
    let by_ip = "group_by = [\"source.ip\"]\nduration = {value = 1, unit = \"h\"}";
    let mut set = crate::rule_set::RuleSet::new(vec![with(by_ip)], &options).expect("set");
    for line in [
        scan("a", "10.0.0.3", "111", 0),
        scan("b", "10.0.0.4", "111", 1),
    ] {
        set.process(line.as_bytes(), Context::event_time());
    }
    let bytes = set.snapshot();
    for (suppression, dropped) in [
        (by_ip, None),
        (
            "group_by = [\"user.name\"]",
            Some("2 open alert_suppression groups"),
        ),
        ("", Some("2 open alert_suppression groups")),
    ] {
        let (_, report) =
            crate::rule_set::RuleSet::restore(vec![with(suppression)], &options, &bytes)
                .expect("restores");
        assert_eq!(
            report.kept.len(),
            1,
            "{suppression}: the first-seen state is kept"
        );
        match dropped {
            None => assert!(report.dropped.is_empty(), "{:?}", report.dropped),
            Some(text) => assert!(
                report.dropped.len() == 1 && report.dropped[0].contains(text),
                "{suppression}: {:?}",
                report.dropped
            ),
        }
    }
}

#[test]
fn a_forged_snapshot_keeps_the_cap_and_one_group_per_id() {
    use super::{group_terms, Suppressor, MAX_OPEN_BYTES, MAX_OPEN_GROUPS};
    use crate::config::suppression::{
        AlertSuppression, DurationUnit, MissingFields, SuppressionWindow,
    };

    let config = AlertSuppression {
        group_by: vec!["user.name".into()],
        window: SuppressionWindow::Duration {
            value: 1,
            unit: DurationUnit::Hours,
        },
        missing_fields: MissingFields::Suppress,
    };
    let fields = config.group_by.clone();
    let fresh = || Suppressor::new(config.clone(), 300_000, "rule", "default");
    let open = |s: &mut Suppressor, name: &str, t: i64| {
        let doc = serde_json::json!({ "user": { "name": name } });
        let terms = group_terms(doc.as_object().expect("an object"), &fields);
        match s.candidate(&terms, t, t) {
            super::Candidate::Opens(opening) => s.opened(opening, &serde_json::Map::new(), t),
            other => panic!("{name}: {other:?}"),
        }
    };
    let mut writer = fresh();
    open(&mut writer, "a", 0);
    open(&mut writer, "b", 1);
    let honest = writer.state();

    // As written: every group back, in order, and the next one opens after them.
    let mut s = fresh();
    assert_eq!(s.restore(honest.clone()), 0);
    open(&mut s, "c", 2);
    assert_eq!(
        s.state()
            .groups
            .iter()
            .map(|(_, g)| g.seq)
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );

    // Forged: one group copied under many ids, all with the same opening number.
    let template = honest.groups[0].1.clone();
    let forged = |ids: &[String]| {
        let mut state = honest.clone();
        state.groups = ids
            .iter()
            .map(|id| (id.clone(), template.clone()))
            .collect();
        state
    };
    let twice: Vec<String> = ["x", "y", "x"].map(String::from).to_vec();
    let mut s = fresh();
    assert_eq!(s.restore(forged(&twice)), 1, "an id given twice");
    assert_eq!((s.open_groups(), s.by_age.len()), (2, 2));
    let many: Vec<String> = (0..MAX_OPEN_GROUPS + 10)
        .map(|i| format!("id-{i}"))
        .collect();
    let mut s = fresh();
    assert_eq!(s.restore(forged(&many)), 10, "ten past the cap");
    assert_eq!(s.open_groups(), MAX_OPEN_GROUPS);
    assert_eq!(
        s.by_age.len(),
        MAX_OPEN_GROUPS,
        "every kept group has its own number"
    );
    assert!(
        s.groups.contains_key("id-10009") && !s.groups.contains_key("id-9"),
        "the newest kept"
    );
    // One more group closes exactly one old group.
    open(&mut s, "d", 2);
    assert_eq!(
        (s.open_groups(), s.by_age.len()),
        (MAX_OPEN_GROUPS, MAX_OPEN_GROUPS)
    );

    // Large documents: the open groups hold at most MAX_OPEN_BYTES of them, live and
    // restored, the oldest closed first, as many as it takes.
    let document = |fifths: usize| {
        let mut alert = serde_json::Map::new();
        let text = "x".repeat(fifths * MAX_OPEN_BYTES / 5);
        alert.insert("event.original".into(), text.into());
        alert
    };
    let mut s = fresh();
    for (i, (name, fifths)) in [("a", 1), ("b", 1), ("c", 1), ("d", 1), ("e", 2)]
        .iter()
        .enumerate()
    {
        let doc = serde_json::json!({ "user": { "name": name } });
        let terms = group_terms(doc.as_object().expect("an object"), &fields);
        let super::Candidate::Opens(opening) = s.candidate(&terms, i as i64, 0) else {
            panic!("{name} opens")
        };
        s.opened(opening, &document(*fifths), 0);
    }
    let mut starts: Vec<i64> = s.groups.values().map(|g| g.start).collect();
    starts.sort_unstable();
    assert_eq!(
        starts,
        [2, 3, 4],
        "two fifths more: a and b closed, c, d and e open"
    );
    assert!(s.open_bytes <= MAX_OPEN_BYTES);
    let mut restored = fresh();
    let mut state = s.state();
    state.groups.insert(0, state.groups[0].clone());
    state.groups[0].0 = "older".into();
    state.groups[0].1.seq = 0;
    assert_eq!(restored.restore(state), 1, "the oldest left out");
    assert_eq!(restored.open_groups(), 3);
    assert_eq!(restored.open_bytes, s.open_bytes);

    // Opening numbers from a snapshot are not trusted: the kept groups are numbered
    // 0.., and the next group opens after them.
    let mut state = honest.clone();
    state.next_seq = u64::MAX;
    state.groups[1].1.seq = u64::MAX;
    let mut s = fresh();
    assert_eq!(s.restore(state), 0);
    open(&mut s, "c", 2);
    open(&mut s, "d", 3);
    assert_eq!(
        s.state()
            .groups
            .iter()
            .map(|(_, g)| g.seq)
            .collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    assert_eq!(s.by_age.len(), 4);

    // Under another grouping, nothing is kept.
    let mut other = Suppressor::new(
        AlertSuppression {
            group_by: vec!["source.ip".into()],
            ..config.clone()
        },
        300_000,
        "rule",
        "default",
    );
    assert_eq!(other.restore(honest), 2);
    assert_eq!(other.open_groups(), 0);
}

#[test]
fn a_restore_under_another_interval_still_brings_groups_up_to_date() {
    use super::{group_terms, Candidate, Suppressor};
    use crate::config::suppression::{AlertSuppression, MissingFields, SuppressionWindow};

    let config = AlertSuppression {
        group_by: vec!["user.name".into()],
        window: SuppressionWindow::PerExecution,
        missing_fields: MissingFields::Suppress,
    };
    let doc = serde_json::json!({ "user": { "name": "a" } });
    let terms = group_terms(doc.as_object().expect("an object"), &config.group_by);
    let t0: i64 = 1_793_613_600_000; // 2026-11-02T10:00:00Z
    let mut first = Suppressor::new(config.clone(), 300_000, "rule", "default");
    let Candidate::Opens(opening) = first.candidate(&terms, t0, t0) else {
        panic!("the first candidate opens its group")
    };
    first.opened(opening, &serde_json::Map::new(), t0);
    assert_eq!(
        first.candidate(&terms, t0 + 60_000, t0),
        Candidate::Suppressed
    );

    // The rule's interval is now an hour: its windows are counted anew.
    let mut later = Suppressor::new(config, 3_600_000, "rule", "default");
    assert_eq!(later.restore(first.state()), 0);
    assert_eq!(later.window, Some(t0.div_euclid(3_600_000)), "10:00's hour");
    later.advance(t0 + 2 * 3_600_000);
    let updates = later.take_updates();
    assert_eq!(updates.len(), 1, "the group's count is reported");
    assert_eq!(
        updates[0]["kibana.alert.suppression.docs_count"],
        serde_json::json!(1)
    );
    assert_eq!(later.open_groups(), 0, "and the expired group closed");
}
