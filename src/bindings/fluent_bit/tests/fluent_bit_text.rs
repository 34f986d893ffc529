//! Records as Fluent Bit hands them over (its own JSON text, searched by the host's
//! `strstr`), and the heartbeat that comes back as the module's counters.

use std::ffi::CStr;

use serde_json::Value;

use super::*;

/// The host's search, as WAMR's `strstr` answers over a NUL-free text.
fn searcher(text: &[u8]) -> impl Fn(&CStr) -> bool + '_ {
    move |needle: &CStr| memchr::memmem::find(text, needle.to_bytes()).is_some()
}

/// One call of each kind on a fresh filter; (reply, output, prefiltered count).
fn both(record: &[u8], mode: Mode) -> [(Reply, Value, u64); 2] {
    let contains = searcher(record);
    [
        Record::Bytes(record),
        Record::FluentBitJson {
            text: record,
            contains: &contains,
        },
    ]
    .map(|r| {
        let mut f = filter();
        let (reply, v) = run(&mut f, mode, r, None);
        (
            reply,
            v,
            f.engine.stats_json()["prefiltered"].as_u64().unwrap_or(0),
        )
    })
}

#[test]
fn fluent_bit_text_gets_the_same_replies_and_only_unmatchable_records_skip_reading() {
    let scan_a = scan("arn:aws:iam::1:user/a");
    let escaped = scan("arn:aws:iam::1:user/e").replace("\"Scan\"", "\"\\u0053can\"");
    let two = format!(
        r#"{{"Records":[{scan_a},{}]}}"#,
        scan("arn:aws:iam::1:user/b")
    );
    let no_dynamodb = scan_a.replace("dynamodb.amazonaws.com", "s3.amazonaws.com");
    let escaped_slash = r#"{"eventName":"GetObject","userAgent":"a\/b"}"#;
    let cloudwatch = r#"{"awslogs":{"data":"not base64"}}"#;
    // (name, record, annotate reply, alerts, read by the host's search alone)
    let cases: &[(&str, &str, Reply, usize, bool)] = &[
        (
            "other call",
            r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com"}"#,
            Reply::Unchanged,
            0,
            true,
        ),
        ("empty object", "{}", Reply::Unchanged, 0, true),
        (
            "heartbeat-like key with dynamodb, no Scan",
            r#"{"dynamodb_scan":"x"}"#,
            Reply::Unchanged,
            0,
            true,
        ),
        (
            "Scan of another service",
            &no_dynamodb,
            Reply::Unchanged,
            0,
            true,
        ),
        ("a Scan", &scan_a, Reply::Output, 1, false),
        ("S3 object, two Scans", &two, Reply::Output, 2, false),
        ("escaped Scan", &escaped, Reply::Output, 1, false),
        (
            "some other escape",
            escaped_slash,
            Reply::Unchanged,
            0,
            false,
        ),
        (
            "an escaped backslash before u",
            r#"{"eventName":"GetObject","k":"\\u"}"#,
            Reply::Unchanged,
            0,
            false,
        ),
        ("CloudWatch payload", cloudwatch, Reply::Unchanged, 0, false),
    ];
    for &(name, record, reply, alerts, searched) in cases {
        let [bytes, text] = both(record.as_bytes(), Mode::Annotate);
        assert_eq!(text.0, reply, "{name}: reply");
        assert_eq!(
            (&text.0, &text.1),
            (&bytes.0, &bytes.1),
            "{name}: the same as untrusted bytes"
        );
        assert_eq!(alerts_of(&text.1).len(), alerts, "{name}: alerts");
        let [bytes, text] = both(record.as_bytes(), Mode::AlertsOnly);
        assert_eq!(
            (&text.0, &text.1),
            (&bytes.0, &bytes.1),
            "{name}: alerts-only"
        );
        // Which records go back unread shows on text Fluent Bit would never write: the
        // same record made invalid inside its braces.
        let broken = format!("{},}}", &record[..record.len() - 1]);
        let [bytes, text] = both(broken.as_bytes(), Mode::Annotate);
        assert_eq!(bytes.0, Reply::Output, "{name}: broken, read");
        let unread = text.0 == Reply::Unchanged;
        assert_eq!(unread, searched, "{name}: judged by the search alone");
        assert_eq!(
            text.2, bytes.2,
            "{name}: counted as prefiltered as when read"
        );
    }
}

#[test]
fn text_without_its_braces_is_read_as_untrusted_bytes() {
    // Not what Fluent Bit writes: validated (and replaced by an error object) anyway.
    for record in ["", "{\"a\":1} x", "[1]", "{\"a\":"] {
        let [bytes, text] = both(record.as_bytes(), Mode::Annotate);
        assert_eq!(text.0, Reply::Output, "{record:?}");
        assert_eq!((&text.0, &text.1), (&bytes.0, &bytes.1), "{record:?}");
    }
}

#[test]
fn the_heartbeat_comes_back_as_the_counters_with_any_alert_decided_at_it() {
    let mut f = filter_in(None).0; // the default reorder window (5m)
    let record = scan("arn:aws:iam::1:user/held");
    let (reply, _) = run_at(
        &mut f,
        Mode::AlertsOnly,
        Record::Bytes(record.as_bytes()),
        None,
        NOW,
    );
    assert_eq!(reply, Reply::Drop, "held by the reorder window");
    let beats = [
        (Mode::AlertsOnly, 1, 0),
        (Mode::Annotate, 6, 1),
        (Mode::AlertsOnly, 7, 0),
    ];
    for (i, (mode, minutes, alerts)) in beats.into_iter().enumerate() {
        let (reply, v) = run_at(
            &mut f,
            mode,
            Record::Bytes(HEARTBEAT),
            None,
            NOW + minutes * 60_000,
        );
        assert_eq!(reply, Reply::Output, "{mode:?} at {minutes} min");
        assert_eq!(v["dynamodb_scan_detector"], "stats");
        assert_eq!(alerts_of(&v).len(), alerts, "at {minutes} min");
        assert_eq!(
            v["stats"]["fluent_bit"]["calls"],
            i + 2,
            "the counters of this call"
        );
    }
    let stats: Value = {
        let s = f.stats().to_vec();
        serde_json::from_slice(&s[..s.len() - 1]).expect("json")
    };
    assert_eq!(stats["fluent_bit"]["heartbeats"], 3);
    assert_eq!(stats["detector"]["alerts"], 1);

    let mut off = filter();
    off.options.heartbeat_stats = false;
    assert_eq!(
        run(&mut off, Mode::Annotate, Record::Bytes(HEARTBEAT), None).0,
        Reply::Unchanged
    );
    assert_eq!(
        run(&mut off, Mode::AlertsOnly, Record::Bytes(HEARTBEAT), None).0,
        Reply::Drop
    );
}
