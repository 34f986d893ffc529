//! Table-driven tests of the filter logic, natively. The wasm ABI itself (pointers,
//! NUL terminators, malloc/free, WASI files) is tested from Node in `tests/fluent-bit/`.

mod files;
mod fluent_bit_text;
mod journal;
#[cfg(feature = "rule-files")]
mod rules;

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{json, Map, Value};

use super::*;
use crate::time::{format_timestamp, Millis};

pub(super) const NOW: Millis = 1_800_000_000_000;
pub(super) const T: &str = "2024-03-12T06:22:01Z";
pub(super) const T_MILLIS: Millis = 1_710_224_521_000;

pub(super) fn scan_record(arn: &str, time: Option<&str>) -> String {
    let time = time.map_or(String::new(), |t| format!(r#""eventTime":"{t}","#));
    format!(
        r#"{{"eventVersion":"1.08",{time}"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.2","userIdentity":{{"type":"IAMUser","arn":"{arn}"}},"requestParameters":{{"tableName":"t"}}}}"#
    )
}

pub(super) fn scan(arn: &str) -> String {
    scan_record(arn, Some(T))
}

pub(super) type Lines = Rc<RefCell<Vec<String>>>;

pub(super) fn filter_in(home: Option<&std::path::Path>) -> (Filter, Lines) {
    let lines: Lines = Rc::default();
    let sink = lines.clone();
    let f = Filter::start(
        home,
        NOW,
        Box::new(move |l| sink.borrow_mut().push(l.to_owned())),
    );
    (f, lines)
}

/// A filter with the default settings and config, except that it judges each record
/// as it arrives (a reorder window of `0s`): the reorder window's own tests set one.
pub(super) fn filter() -> Filter {
    let mut f = filter_in(None).0;
    let config = crate::Config::from_json(r#"{"reorder_window":"0s"}"#).expect("valid");
    f.engine = super::engine::Engine::Single(crate::Detector::new(config));
    f.engine.tune(f.options.max_nesting);
    f
}

/// The output of a call as (reply, parsed object or Null).
pub(super) fn run(
    f: &mut Filter,
    mode: Mode,
    record: Record<'_>,
    time: Option<Millis>,
) -> (Reply, Value) {
    run_at(f, mode, record, time, NOW)
}

/// [`run`] with the host's clock at `now`.
pub(super) fn run_at(
    f: &mut Filter,
    mode: Mode,
    record: Record<'_>,
    time: Option<Millis>,
    now: Millis,
) -> (Reply, Value) {
    let reply = f.call(mode, record, time, &mut || now);
    let value = match reply {
        Reply::Output => {
            let out = f.output();
            assert_eq!(out.last(), Some(&0), "NUL-terminated");
            assert!(!out[..out.len() - 1].contains(&0), "one NUL, at the end");
            let v: Value = serde_json::from_slice(&out[..out.len() - 1]).expect("output is JSON");
            assert!(v.is_object(), "output is an object: {v}");
            v
        }
        _ => Value::Null,
    };
    (reply, value)
}

pub(super) fn alerts_of(v: &Value) -> &[Value] {
    v[ALERTS_KEY].as_array().map_or(&[], Vec::as_slice)
}

#[test]
fn each_kind_of_record_gets_the_right_reply_in_each_mode() {
    let two_scans = format!(
        r#"{{"Records":[{},{}]}}"#,
        scan("arn:aws:iam::1:user/s3-a"),
        scan("arn:aws:iam::1:user/s3-b")
    );
    let deep = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    // (name, record, annotate reply, alerts in annotate output, alerts-only reply)
    let cases: Vec<(&str, Record<'_>, Reply, usize, Reply)> = vec![
        ("not cloudtrail", Record::Bytes(br#"{"log":"hello"}"#), Reply::Unchanged, 0, Reply::Drop),
        ("other api call", Record::Bytes(br#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-03-12T06:22:01Z"}"#), Reply::Unchanged, 0, Reply::Drop),
        ("empty object", Record::Bytes(b"{}"), Reply::Unchanged, 0, Reply::Drop),
        ("s3 file, two new principals", Record::Bytes(two_scans.as_bytes()), Reply::Output, 2, Reply::Output),
        ("invalid json", Record::Bytes(br#"{"a":"#), Reply::Output, 0, Reply::Drop),
        ("empty record", Record::Bytes(b""), Reply::Output, 0, Reply::Drop),
        ("concatenated objects", Record::Bytes(br#"{"a":1}{"b":2}"#), Reply::Output, 0, Reply::Drop),
        ("array", Record::Bytes(br#"[1,2]"#), Reply::Output, 0, Reply::Drop),
        ("scalar", Record::Bytes(b"42"), Reply::Output, 0, Reply::Drop),
        ("invalid utf-8", Record::Bytes(b"{\"a\":\"\xff\"}"), Reply::Output, 0, Reply::Drop),
        ("embedded nul", Record::Bytes(b"{\"a\":1}\0{\"b\":2}"), Reply::Output, 0, Reply::Drop),
        ("deep nesting, valid", Record::Bytes(deep.as_bytes()), Reply::Unchanged, 0, Reply::Drop),
        ("deep nesting, unclosed", Record::Bytes(&[b'['; 100_000]), Reply::Output, 0, Reply::Drop),
        ("null pointer", Record::Missing(1234), Reply::Output, 0, Reply::Drop),
    ];
    for (name, record, annotate, n_alerts, alerts_only) in cases {
        let (reply, v) = run(&mut filter(), Mode::Annotate, record, None);
        assert_eq!(reply, annotate, "{name}: annotate");
        assert_eq!(alerts_of(&v).len(), n_alerts, "{name}: annotate alerts");
        let (reply, v) = run(&mut filter(), Mode::AlertsOnly, record, None);
        assert_eq!(reply, alerts_only, "{name}: alerts only");
        if reply == Reply::Output {
            assert_eq!(alerts_of(&v).len(), n_alerts, "{name}: bundle");
        }
    }
}

#[test]
fn a_new_principal_is_spliced_in_once_and_the_rest_is_byte_for_byte() {
    let mut f = filter();
    let record = scan("arn:aws:iam::1:user/alice");
    let (reply, v) = run(
        &mut f,
        Mode::Annotate,
        Record::Bytes(record.as_bytes()),
        None,
    );
    assert_eq!(reply, Reply::Output);
    let out = std::str::from_utf8(f.output()).expect("utf-8");
    assert!(
        out.starts_with(&record[..record.len() - 1]),
        "original text kept"
    );
    assert!(out[record.len() - 1..].starts_with(r#","dynamodb_scan_alerts":[{"#));
    let alerts = alerts_of(&v);
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        alerts[0]["kibana.alert.new_terms"],
        json!(["arn:aws:iam::1:user/alice"])
    );
    assert_eq!(
        alerts[0]["@timestamp"],
        json!(format_timestamp(NOW)),
        "clock by default"
    );
    let (reply, _) = run(
        &mut f,
        Mode::Annotate,
        Record::Bytes(record.as_bytes()),
        None,
    );
    assert_eq!(reply, Reply::Unchanged, "seen before");
    assert_eq!(f.counters.annotated, 1);
}

#[test]
fn alerts_only_returns_the_alert_document_itself() {
    let mut f = filter();
    let record = scan("arn:aws:iam::1:user/bob");
    let (reply, v) = run(
        &mut f,
        Mode::AlertsOnly,
        Record::Bytes(record.as_bytes()),
        None,
    );
    assert_eq!(reply, Reply::Output);
    assert_eq!(
        v["kibana.alert.new_terms"],
        json!(["arn:aws:iam::1:user/bob"])
    );
    assert!(v.get(ALERTS_KEY).is_none());
    assert_eq!(
        run(
            &mut f,
            Mode::AlertsOnly,
            Record::Bytes(record.as_bytes()),
            None
        )
        .0,
        Reply::Drop
    );
}

#[test]
fn an_existing_alerts_key_is_replaced_not_duplicated() {
    let mut f = filter();
    let record =
        scan("arn:aws:iam::1:user/carol").replacen('{', r#"{"dynamodb_scan_alerts":"stale","#, 1);
    let (_, v) = run(
        &mut f,
        Mode::Annotate,
        Record::Bytes(record.as_bytes()),
        None,
    );
    let text = std::str::from_utf8(f.output()).expect("utf-8");
    assert_eq!(text.matches(r#""dynamodb_scan_alerts""#).count(), 1);
    assert_eq!(alerts_of(&v).len(), 1);
    assert_eq!(v["eventName"], "Scan", "other keys kept");
}

#[test]
fn splicing_handles_empty_objects_and_whitespace() {
    let alert = crate::Alert {
        kind: crate::AlertKind::NewTerm,
        fields: Map::from_iter([("k".to_owned(), json!(1))]),
        rule: Default::default(),
        deferred: false,
    };
    // (object, expected)
    let cases = [
        ("{}", r#"{"dynamodb_scan_alerts":[{"k":1}]}"#),
        (" { \n } ", "{ \n \"dynamodb_scan_alerts\":[{\"k\":1}]}"),
        (r#"{"a":1}"#, r#"{"a":1,"dynamodb_scan_alerts":[{"k":1}]}"#),
        (
            "\t{\"a\":1 }\n",
            r#"{"a":1 ,"dynamodb_scan_alerts":[{"k":1}]}"#,
        ),
        (
            r#"{"a":1,"dynamodb_scan_alerts":[],"b":2}"#,
            r#"{"a":1,"b":2,"dynamodb_scan_alerts":[{"k":1}]}"#,
        ),
    ];
    for (object, want) in cases {
        let mut out = Vec::new();
        output::splice(&mut out, object, std::slice::from_ref(&alert));
        assert_eq!(String::from_utf8_lossy(&out), want, "{object:?}");
    }
}

#[test]
fn error_objects_keep_the_record() {
    let mut f = filter();
    let (_, v) = run(&mut f, Mode::Annotate, Record::Bytes(b"{\"a\":"), None);
    assert_eq!(v[ERROR_KEY]["record"], "{\"a\":");
    let (_, v) = run(
        &mut f,
        Mode::Annotate,
        Record::Bytes(b"[1,{\"b\":2}]"),
        None,
    );
    assert_eq!(v[ERROR_KEY]["record"], json!([1, {"b": 2}]));
    let (_, v) = run(&mut f, Mode::Annotate, Record::Missing(77), None);
    assert_eq!(v[ERROR_KEY]["record_len"], 77);
    let (_, v) = run(
        &mut f,
        Mode::Annotate,
        Record::Bytes(b"{\"a\":\"x\xffy\"}"),
        None,
    );
    assert_eq!(v, json!({"a": "x\u{fffd}y"}), "repaired, not wrapped");
    let c = &f.counters;
    assert_eq!(
        (c.not_json, c.not_object, c.missing, c.repaired_utf8),
        (1, 1, 1, 1)
    );
}

#[test]
fn fluent_bit_time_is_used_only_when_the_event_has_none() {
    let fb = Some(T_MILLIS + 3_600_000);
    // (event time, fluent bit time, alerts, alert's original_time: the event's only)
    let cases = [
        (Some(T), fb, 1, Some(T_MILLIS)),
        (Some(T), None, 1, Some(T_MILLIS)),
        (None, fb, 1, None),
        (None, None, 0, None),
    ];
    for (event_time, fb_time, n, original) in cases {
        let mut f = filter();
        let record = scan_record("arn:aws:iam::1:user/t", event_time);
        let (_, v) = run(
            &mut f,
            Mode::AlertsOnly,
            Record::Bytes(record.as_bytes()),
            fb_time,
        );
        assert_eq!(usize::from(!v.is_null()), n, "{event_time:?} {fb_time:?}");
        if let Some(t) = original {
            assert_eq!(v["kibana.alert.original_time"], json!(format_timestamp(t)));
        }
    }
    assert_eq!(record_time(0, 0), None);
    assert_eq!(
        record_time(1_710_224_521, 999_999_999),
        Some(T_MILLIS + 999)
    );
    assert_eq!(record_time(u32::MAX, u32::MAX), Some(4_294_967_295_999));
}

#[test]
fn problems_are_reported_on_the_1st_10th_100th_occurrence() {
    let (mut f, lines) = filter_in(None);
    for _ in 0..150 {
        f.call(Mode::AlertsOnly, Record::Missing(5), None, &mut || NOW);
    }
    let reported: Vec<_> = lines
        .borrow()
        .iter()
        .filter(|l| l.contains("null record pointer"))
        .cloned()
        .collect();
    assert_eq!(reported.len(), 3, "{reported:?}");
    assert!(reported[2].ends_with("[100 so far]"));
    assert!(lines
        .borrow()
        .iter()
        .all(|l| l.starts_with("[dynamodb-scan-detector ")));
}

#[test]
fn stats_are_one_json_object() {
    let mut f = filter();
    f.call(
        Mode::Annotate,
        Record::Bytes(scan("arn:x").as_bytes()),
        None,
        &mut || NOW,
    );
    let stats = f.stats().to_vec();
    let v: Value = serde_json::from_slice(&stats[..stats.len() - 1]).expect("json");
    assert_eq!(v["detector"]["alerts"], 1);
    assert_eq!(v["fluent_bit"]["calls"], 1);
}
