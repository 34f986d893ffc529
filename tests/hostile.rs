//! Hostile input, each case with a time bound: a counted, explained skip or a clear
//! error; never a panic, a hang or an unbounded allocation.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use dynamodb_scan_detector::{
    AlertKind, Config, Context, DetectionTime, Detector, InputError, Stats, Verdict,
};

/// Run `f` on another thread; fail if it takes longer than `secs`.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let start = Instant::now();
    let handle = std::thread::spawn(f);
    while !handle.is_finished() {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "took longer than {secs} s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    handle.join().expect("no panic")
}

/// The verdicts and stats for one document.
fn judge(doc: Vec<u8>) -> (Vec<Verdict>, usize, Stats) {
    within(60, move || {
        let mut d = Detector::new(Config::default());
        d.set_prefilter(false);
        let mut verdicts = Vec::new();
        let mut alerts = 0;
        d.process_each(&doc, Context::event_time(), &mut |r| {
            alerts += r.alerts.len();
            verdicts.push(r.verdict);
        });
        // First sightings wait in the reorder window until the end of input (whose
        // cap summary is not counted here).
        alerts += d
            .flush(DetectionTime::EventTime)
            .iter()
            .filter(|a| a.kind == AlertKind::NewTerm)
            .count();
        let stats = d.stats();
        stats.check().expect("counts add up");
        (verdicts, alerts, stats)
    })
}

fn scan_with(extra: &str) -> String {
    format!(
        r#"{{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{{"arn":"arn:aws:iam::1:user/a"}}{extra}}}"#
    )
}

#[test]
fn a_100_mb_single_line() {
    let big = "x".repeat(100 << 20);
    let (v, alerts, _) = judge(scan_with(&format!(r#","userAgent":"{big}""#)).into_bytes());
    assert_eq!(
        (v, alerts),
        (vec![Verdict::Recorded], 1),
        "a big Scan is still judged"
    );
    let (v, _, _) = judge(format!(r#"{{"eventName":"GetItem","x":"{big}"}}"#).into_bytes());
    assert_eq!(v, vec![Verdict::NotMatched]);
}

#[test]
fn a_100_mb_line_in_ndjson_is_skipped_by_the_cli_with_bounded_memory() {
    let mut input = scan_with("").into_bytes();
    input.push(b'\n');
    input.extend(format!(r#"{{"x":"{}"}}"#, "y".repeat(100 << 20)).bytes());
    input.push(b'\n');
    input.extend(
        scan_with(r#","eventID":"after""#)
            .replace("user/a", "user/b")
            .bytes(),
    );
    let out = within(120, move || {
        cli(&["--stats", "--detection-time", "event", "-"], &input)
    });
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("<stdin>:2: longer than 67108864 bytes, skipped"),
        "{err}"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        2,
        "both Scans alert, around the skipped line"
    );
}

#[test]
fn nesting_100_000_levels() {
    let n = 100_000;
    let arrays = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
    for doc in [
        arrays.clone(),
        objects.clone(),
        scan_with(&format!(r#","x":{arrays}"#)),
        scan_with(&format!(r#","x":{objects}"#)),
        format!(
            r#"{{"event.action":"Scan","event.provider":"dynamodb.amazonaws.com","event.outcome":"success","event.dataset":"aws.cloudtrail","x":{objects}}}"#
        ),
        format!(
            r#"{{"Records":[{}]}}"#,
            scan_with(&format!(r#","x":{arrays}"#))
        ),
    ] {
        let (v, alerts, s) = judge(doc.into_bytes());
        assert_eq!(alerts, 0);
        assert_eq!((s.events_in, s.unparseable), (1, 1), "{v:?}");
        assert!(
            matches!(
                &v[0],
                Verdict::Unparseable(InputError::TooDeep(_) | InputError::Json(_))
            ),
            "{v:?}"
        );
    }
}

#[test]
fn invalid_utf8_is_counted() {
    let mut doc = scan_with("").into_bytes();
    doc.insert(20, 0xff);
    let (v, _, s) = judge(doc);
    assert_eq!(v, vec![Verdict::Unparseable(InputError::Utf8(20))]);
    assert_eq!(
        s.last_error.as_deref(),
        Some("input is not valid UTF-8 (first bad byte at offset 20)")
    );
}

#[test]
fn lone_surrogates_never_hide_a_caller() {
    for extra in [
        r#","userAgent":"\ud800""#,
        r#","userAgent":"\udfff\ud800x""#,
        r#","requestParameters":{"k\ud800":1}"#,
    ] {
        let (v, alerts, _) = judge(scan_with(extra).into_bytes());
        assert_eq!((v, alerts), (vec![Verdict::Recorded], 1), "{extra}");
    }
    let (_, alerts, _) = judge(scan_with("").replace("user/a", r"user/\ud800").into_bytes());
    assert_eq!(
        alerts, 1,
        "a lone surrogate in the principal itself becomes U+FFFD"
    );
}

#[test]
fn duplicate_keys() {
    let (v, _, _) = judge(
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventName":"GetItem"}"#
            .to_vec(),
    );
    assert!(
        matches!(&v[0], Verdict::Unparseable(InputError::Json(m)) if m.contains("duplicate field `eventName`")),
        "{v:?}"
    );
    let (v, alerts, _) = judge(
        scan_with("")
            .replace(r#""arn":"arn:aws:iam::1:user/a""#, r#""arn":"x","arn":"y""#)
            .into_bytes(),
    );
    assert_eq!(
        (v, alerts),
        (vec![Verdict::Recorded], 1),
        "inside a field, the last value wins, as Elasticsearch's parser"
    );
}

#[test]
fn huge_numbers_and_exponents() {
    let digits = "9".repeat(10_000);
    for extra in [
        r#","x":1e400"#.to_owned(),
        r#","x":-1E-400"#.to_owned(),
        format!(r#","x":{digits}"#),
        format!(r#","x":0.{digits}e99999"#),
    ] {
        let (v, alerts, _) = judge(scan_with(&extra).into_bytes());
        assert_eq!((v, alerts), (vec![Verdict::Recorded], 1));
    }
    let (v, _, _) = judge(
        scan_with("")
            .replace(
                r#""eventTime":"2024-03-12T06:22:01Z""#,
                r#""eventTime":1e400"#,
            )
            .into_bytes(),
    );
    assert_eq!(
        v,
        vec![Verdict::NoTimestamp],
        "a number that is no time is no time"
    );
}

#[test]
fn timestamps_at_the_ends_of_time() {
    for (time, ok) in [
        ("9999-12-31T23:59:59Z", true),
        ("1969-12-31T23:59:59Z", true),
        ("0000-01-01T00:00:00Z", true),
        ("10000-01-01T00:00:00Z", false),
        ("-0001-01-01T00:00:00Z", false),
        // A zone offset must not carry a boundary date out of years 0000–9999.
        ("0000-01-01T00:00:00+01:00", false),
        ("9999-12-31T23:30:00-01:00", false),
        ("0000-01-01T01:00:00+01:00", true),
        ("9999-12-31T22:30:00-01:00", true),
    ] {
        let (v, alerts, _) = judge(
            scan_with("")
                .replace("2024-03-12T06:22:01Z", time)
                .into_bytes(),
        );
        if ok {
            assert_eq!((v, alerts), (vec![Verdict::Recorded], 1), "{time}");
        } else {
            assert_eq!(v, vec![Verdict::NoTimestamp], "{time}");
        }
    }
}

#[test]
fn non_object_json_and_broken_containers() {
    for (doc, want) in [
        ("42", "not a JSON object"),
        (r#""a string""#, "not a JSON object"),
        ("null", "not a JSON object"),
        ("true", "not a JSON object"),
        ("[1, [2], \"x\"]", "not a JSON object"),
    ] {
        let (v, _, s) = judge(doc.as_bytes().to_vec());
        assert!(
            v.iter().all(|v| *v == Verdict::NotCloudTrail(want)),
            "{doc}: {v:?}"
        );
        assert_eq!(s.not_cloudtrail, v.len() as u64);
    }
    for doc in [
        r#"{"Records":{"a":1}}"#,
        r#"{"Records":"x"}"#,
        r#"{"Records":7}"#,
    ] {
        let (v, _, _) = judge(doc.as_bytes().to_vec());
        assert_eq!(
            v,
            vec![Verdict::Unparseable(InputError::RecordsNotArray)],
            "{doc}"
        );
    }
    let (v, _, _) = judge(br#"{"Records":null}"#.to_vec());
    assert_eq!(
        v,
        vec![Verdict::NotCloudTrail(
            "neither a CloudTrail record nor an ECS document"
        )],
        "null Records: no records at all"
    );
}

#[test]
fn an_awslogs_gzip_bomb_is_refused() {
    use base64::Engine;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..100 {
        gz.write_all(&zeros).expect("in memory");
    }
    let data = base64::engine::general_purpose::STANDARD.encode(gz.finish().expect("in memory"));
    let (v, _, _) = judge(format!(r#"{{"awslogs":{{"data":"{data}"}}}}"#).into_bytes());
    assert_eq!(
        v,
        vec![Verdict::Unparseable(InputError::InflatedTooLarge(64 << 20))]
    );
}

fn awslogs(payload: &str) -> String {
    use base64::Engine;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(payload.as_bytes()).expect("in memory");
    let data = base64::engine::general_purpose::STANDARD.encode(gz.finish().expect("in memory"));
    format!(r#"{{"awslogs":{{"data":"{data}"}}}}"#)
}

#[test]
fn awslogs_is_inflated_once_and_nested_awslogs_are_refused() {
    let scan = scan_with("");
    let one = awslogs(&scan);
    let (v, alerts, _) = judge(one.clone().into_bytes());
    assert_eq!(
        (v, alerts),
        (vec![Verdict::Recorded], 1),
        "one level is read"
    );
    // An awslogs payload that is itself awslogs, directly or as a log event message:
    // each level could inflate to the 64 MiB limit, so only one level is allowed.
    let direct = awslogs(&one);
    let message = serde_json::json!({
        "messageType": "DATA_MESSAGE",
        "logEvents": [{"id": "1", "timestamp": 0, "message": one}, {"id": "2", "timestamp": 0, "message": scan}],
    });
    let in_message = awslogs(&message.to_string());
    let (v, _, s) = judge(direct.into_bytes());
    assert_eq!(v, vec![Verdict::Unparseable(InputError::NestedAwslogs)]);
    assert_eq!(s.unparseable, 1);
    let (v, alerts, _) = judge(in_message.into_bytes());
    assert_eq!(
        (v, alerts),
        (
            vec![
                Verdict::Unparseable(InputError::NestedAwslogs),
                Verdict::Recorded
            ],
            1
        ),
        "the nested one is refused, its sibling still read"
    );
}

#[test]
fn gzip_bombs_and_truncated_gzip_in_the_cli() {
    let dir = std::env::temp_dir().join(format!("ddbscan-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // A 512 MiB line between two Scans, gzipped to half a megabyte: it inflates as it is
    // read and is skipped past the line limit, never held whole.
    let bomb = dir.join("bomb.json.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&bomb).expect("create"),
        flate2::Compression::best(),
    );
    writeln!(gz, "{}", scan_with("")).expect("write");
    let filler = vec![b'x'; 1 << 20];
    for _ in 0..512 {
        gz.write_all(&filler).expect("write");
    }
    writeln!(gz, "\n{}", scan_with("").replace("user/a", "user/b")).expect("write");
    gz.finish().expect("finish");
    assert!(std::fs::metadata(&bomb).expect("written").len() < 1 << 20);
    let out = within(180, {
        let bomb = bomb.clone();
        move || cli(&["--stats", p(&bomb)], b"")
    });
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("bomb.json.gz:2: longer than 67108864 bytes, skipped"),
        "{err}"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        2,
        "both Scans around the bomb alert"
    );
    // A truncated gzip: what was read is judged, the rest is reported and counted.
    let whole = dir.join("whole.json.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&whole).expect("create"),
        flate2::Compression::fast(),
    );
    for i in 0..2000 {
        writeln!(
            gz,
            "{}",
            scan_with(&format!(r#","eventID":"{i}""#)).replace("user/a", &format!("user/u{i}"))
        )
        .expect("write");
    }
    gz.finish().expect("finish");
    let bytes = std::fs::read(&whole).expect("read");
    let cut = dir.join("cut.json.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let out = within(60, move || {
        cli(&["--stats", "--detection-time", "event", p(&cut)], b"")
    });
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("unreadable after"), "{err}");
    let alerts = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(alerts > 10, "records before the cut are judged: {alerts}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Long arrays in one record cost linear time: 80,000 distinct callers in one field
/// (capped at 10,000 tuples, stated), and 65,536 resources whose Java hash codes are
/// all equal (the ingest pipeline de-duplicates resources through a Java `HashSet`).
#[test]
fn long_arrays_and_colliding_hashes_cost_linear_time() {
    let arns: Vec<String> = (0..80_000)
        .map(|i| format!("arn:aws:iam::1:user/u{i}"))
        .collect();
    let doc = scan_with("").replace(
        r#""arn":"arn:aws:iam::1:user/a""#,
        &format!(r#""arn":{}"#, serde_json::to_string(&arns).expect("json")),
    );
    let (v, alerts, s) = judge(doc.into_bytes());
    assert_eq!(v, vec![Verdict::Recorded]);
    assert_eq!((alerts, s.new_terms, s.terms_truncated), (100, 10_000, 1));

    // "Aa" and "BB" have the same Java hash, so every string of 16 such blocks does.
    let resources: Vec<serde_json::Value> = (0..1u32 << 16)
        .map(|bits| {
            let name: String = (0..16)
                .map(|b| if bits >> b & 1 == 1 { "Aa" } else { "BB" })
                .collect();
            serde_json::json!({"ARN": format!("arn:aws:dynamodb:us-east-1:1:table/{name}"), "accountId": "1"})
        })
        .collect();
    let mut twice = resources.clone();
    twice.extend(resources);
    let doc = scan_with(&format!(
        r#","resources":{}"#,
        serde_json::to_string(&twice).expect("json")
    ));
    let started = Instant::now();
    let rendered = within(60, move || {
        let mut d = Detector::new(Config::default());
        let mut alerts = d.process(doc.as_bytes(), Context::event_time());
        alerts.extend(d.flush(DetectionTime::EventTime));
        alerts.iter().map(|a| a.to_json()).collect::<Vec<_>>()
    });
    assert_eq!(rendered.len(), 1);
    let alert: serde_json::Value = serde_json::from_str(&rendered[0]).expect("json");
    let kept = alert["aws"]["cloudtrail"]["resources"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(
        kept,
        1 << 16,
        "duplicates removed, distinct colliding ones kept"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "{:?}",
        started.elapsed()
    );
}

/// A large record with many new terms is copied into its first alert only; the others
/// point at it, so the alerts of one record cannot grow to a hundred copies of it.
#[test]
fn a_large_record_with_many_new_terms_is_copied_once() {
    let arns: Vec<String> = (0..100)
        .map(|i| format!("arn:aws:iam::1:user/u{i}"))
        .collect();
    let pad = "p".repeat(2 << 20);
    let doc = scan_with(&format!(r#","requestParameters":{{"pad":"{pad}"}}"#)).replace(
        r#""arn":"arn:aws:iam::1:user/a""#,
        &format!(r#""arn":{}"#, serde_json::to_string(&arns).expect("json")),
    );
    let rendered = within(60, move || {
        let mut d = Detector::new(Config::default());
        let mut alerts = d.process(doc.as_bytes(), Context::event_time());
        alerts.extend(d.flush(DetectionTime::EventTime));
        alerts.iter().map(|a| a.to_json()).collect::<Vec<_>>()
    });
    assert_eq!(rendered.len(), 100);
    let total: usize = rendered.iter().map(String::len).sum();
    assert!(total < 3 * (2 << 20), "{total} bytes of alerts");
    let first: serde_json::Value = serde_json::from_str(&rendered[0]).expect("json");
    assert!(rendered[0].contains(&pad));
    let uuid = first["kibana.alert.uuid"].as_str().expect("uuid");
    for (i, other) in rendered.iter().enumerate().skip(1) {
        let other: serde_json::Value = serde_json::from_str(other).expect("json");
        assert_eq!(
            other["dynamodb_scan_detector"]["source_fields_in"], uuid,
            "alert {i}"
        );
        assert_eq!(
            other["kibana.alert.new_terms"][0],
            format!("arn:aws:iam::1:user/u{i}")
        );
    }
    // A small record keeps its fields in every alert.
    let small = scan_with("").replace(
        r#""arn":"arn:aws:iam::1:user/a""#,
        r#""arn":["arn:aws:iam::1:user/x","arn:aws:iam::1:user/y"]"#,
    );
    let mut d = Detector::new(Config::default());
    let mut alerts = d.process(small.as_bytes(), Context::event_time());
    alerts.extend(d.flush(DetectionTime::EventTime));
    assert_eq!(alerts.len(), 2);
    for a in &alerts {
        let json = a.to_json();
        assert!(json.contains(r#""action":"Scan""#), "{json}");
        assert!(!json.contains("source_fields_in"), "{json}");
    }
}

/// An `awslogs` payload that inflates to bytes that are not UTF-8 is one bad piece
/// with its own text: passthrough writes it once, not the whole line per bad piece.
#[test]
fn a_payload_that_is_not_utf8_is_passed_through_once() {
    use base64::Engine;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"{\"x\":\"\xff\"}").expect("in memory");
    let data = base64::engine::general_purpose::STANDARD.encode(gz.finish().expect("in memory"));
    let bad = format!(r#"{{"awslogs":{{"data":"{data}"}}}}"#);
    let line = format!("[{bad},{bad},{}]\n", scan_with(""));
    let out = within(60, move || {
        cli(
            &["--stats", "--validate-all", "--output", "passthrough", "-"],
            line.as_bytes(),
        )
    });
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        4,
        "two bad pieces, the Scan, its alert:\n{stdout}"
    );
    assert_eq!(lines[..2], [bad.as_str(), bad.as_str()]);
    assert!(err.contains("\"unparseable\":2"), "{err}");
}

fn p(path: &std::path::Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn cli(args: &[&str], stdin: &[u8]) -> std::process::Output {
    common::run_cli(args, stdin)
}

/// A field of a million `Scan`s (without `dynamodb`): every pre-check reads it in linear
/// time (each `Scan` once searched the whole document for `dynamodb` again).
#[test]
fn many_scans_cost_linear_time_in_every_pre_check() {
    use dynamodb_scan_detector::rule::prefilter::Prefilter;
    let doc = format!(
        r#"{{"eventName":"GetItem","a":"{}"}}"#,
        "Scan".repeat(1 << 20)
    );
    within(20, move || {
        for p in [Prefilter::default(), Prefilter::whole_documents()] {
            assert!(!p.may_match(doc.as_bytes()));
            assert_eq!(p.check_object(doc.as_bytes()), Some(false));
        }
    });
}
