//! The fast path (byte-level pre-check + raw-record view) against the full path (every
//! record parsed and mapped to ECS): identical alerts, byte for byte, and identical
//! counts of what matched, on every corpus and on adversarial escapes.

mod common;
#[path = "tools/corpus.rs"]
#[allow(dead_code)]
mod corpus;
#[path = "tools/events.rs"]
#[allow(dead_code)]
mod events;
#[path = "tools/rng.rs"]
#[allow(dead_code)]
mod rng;

use dynamodb_scan_detector::{Config, Context, DetectionTime, Detector};

/// Alert JSON and the matched-side counts of one run.
fn run(config: &str, docs: &[Vec<u8>], fast: bool) -> (Vec<String>, [u64; 7]) {
    let mut d = Detector::new(Config::from_json(config).expect("valid config"));
    d.set_prefilter(fast);
    d.set_fast_path(fast);
    let mut alerts = Vec::new();
    for doc in docs {
        alerts.extend(
            d.process(doc, Context::event_time())
                .iter()
                .map(|a| a.to_json()),
        );
    }
    alerts.extend(
        d.flush(DetectionTime::EventTime)
            .iter()
            .map(|a| a.to_json()),
    );
    let s = d.stats();
    s.check().expect("counts add up");
    (
        alerts,
        [
            s.matched,
            s.recorded,
            s.missing_terms,
            s.no_timestamp,
            s.new_terms,
            s.late,
            s.tracked_terms,
        ],
    )
}

fn same(name: &str, config: &str, docs: &[Vec<u8>]) -> usize {
    let (fast, fast_counts) = run(config, docs, true);
    let (full, full_counts) = run(config, docs, false);
    assert_eq!(
        fast_counts, full_counts,
        "{name} {config}: matched-side counts"
    );
    assert_eq!(fast.len(), full.len(), "{name} {config}: number of alerts");
    for (i, (a, b)) in fast.iter().zip(&full).enumerate() {
        assert_eq!(a, b, "{name} {config}: alert {i}");
    }
    fast.len()
}

const CONFIGS: &[&str] = &[
    "{}",
    r#"{"profile":"current"}"#,
    r#"{"new_terms_fields":["source.ip","aws.cloudtrail.user_identity.type"],"max_signals":3}"#,
    r#"{"new_terms_fields":["user.id"],"timestamp_override":"@timestamp","timestamp_fallback":false}"#,
    r#"{"new_terms_fields":["cloud.region","event.id"],"history_window":"1h","max_terms":50}"#,
];

fn corpus(kind: &str, form: &str, n: u64) -> Vec<Vec<u8>> {
    let mut buf = Vec::new();
    corpus::write_to(&mut buf, kind, form, n, 7).expect("generated");
    buf.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn generated_corpora_give_identical_results() {
    let mut alerts = 0;
    for kind in ["typical", "scan-heavy", "high-cardinality"] {
        for form in ["raw", "ecs-nested", "ecs-dotted"] {
            // Smaller in unoptimised builds, so the suite stays quick; release runs 4,000.
            let docs = corpus(kind, form, if cfg!(debug_assertions) { 1200 } else { 4000 });
            for config in CONFIGS {
                alerts += same(&format!("{kind}/{form}"), config, &docs);
            }
        }
    }
    assert!(alerts > 500, "{alerts}");
}

#[test]
fn real_data_sample_and_fixtures_give_identical_results() {
    let mut files = common::files(&common::third_party());
    files.extend(common::files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/shapes"),
    ));
    files.extend(common::files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pipeline-examples/data"),
    ));
    let docs: Vec<Vec<u8>> = files
        .iter()
        .flat_map(|f| common::documents(&common::read(f)))
        .collect();
    for config in CONFIGS {
        same("all files", config, &docs);
    }
}

/// JSON may spell any character as an escape; keys too. None of these may be lost.
#[test]
fn adversarial_escapes_give_identical_results() {
    let scan = |source: &str, name: &str, extra: &str| {
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"2024-03-12T06:22:01Z",{source},{name},"userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/{extra}","accountId":"1","userName":"{extra}"}},"sourceIPAddress":"192.0.2.1","eventID":"id-{extra}"{}}}"#,
            if extra.contains("fail") { r#","errorCode":"AccessDenied""# } else { "" }
        )
        .into_bytes()
    };
    let src = r#""eventSource":"dynamodb.amazonaws.com""#;
    let name = r#""eventName":"Scan""#;
    let mut docs = vec![
        scan(src, r#""eventName":"\u0053can""#, "u1"),
        scan(src, r#""eventName":"\u0053\u0063\u0061\u006e""#, "u2"),
        scan(r#""eventSource":"\u0064ynamodb.amazonaws.com""#, name, "u3"),
        scan(r#""event\u0053ource":"dynamodb.amazonaws.com""#, name, "u4"),
        scan(src, r#""event\u004eame":"Scan""#, "u5"),
        scan(src, r#""eventName":"Sc\u0061n""#, "u6"),
        scan(src, r#""eventName":"S\/can""#, "not-a-scan"),
        scan(src, r#""eventName":"scan""#, "lowercase"),
        scan(src, name, "fail-1"),
        scan(src, name, r"back\\slash"),
        scan(src, name, r"quote\u0022d"),
        scan(src, name, "uni\u{e9}code"),
        scan(r#""eventSource":"s3.amazonaws.com","userAgent":"dynamodb.amazonaws.com Scan""#, r#""eventName":"GetObject""#, "decoy"),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"","userName":null,"accountId":{}},"recipientAccountId":"9"}"#.to_vec(),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":["a","b","a"]},"errorCode":"","errorMessage":null}"#.to_vec(),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"bogus","@timestamp":"2024-03-12T06:22:01Z","userIdentity":{"arn":7}}"#.to_vec(),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","userIdentity":"not an object","recipientAccountId":"3"}"#.to_vec(),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","errorCode":{"a":null}, "eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"x"}}"#.to_vec(),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"first","arn":"dup-last","accountId":"1"}}"#.to_vec(),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"s","accountId":"1","sessionContext":{"sessionIssuer":{"userName":"r1"},"sessionIssuer":{"userName":"dup-role"}}}}"#.to_vec(),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"t","accountId":"1","sessionContext":{"sessionIssuer":"not an object"}}}"#.to_vec(),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"u","accountId":"1","userName":"","sessionContext":{"sessionIssuer":{"userName":{"x":null}}}}}"#.to_vec(),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"","@timestamp":1710224521000,"userIdentity":["not","an","object"],"recipientAccountId":"5"}"#.to_vec(),
        // Arrays where objects belong: a derived struct would read their values by position.
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"v","accountId":"1","sessionContext":["x",{"userName":"r"}]}}"#.to_vec(),
        br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"w","accountId":"1","sessionContext":{"sessionIssuer":["positional-user"]}}}"#.to_vec(),
    ];
    // Lone surrogates and numbers beyond f64: valid JSON that must never hide a caller.
    docs.push(scan(src, name, r"lone\ud800surrogate"));
    docs.push(br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"ua-surrogate"},"userAgent":"x\udc00y"}"#.to_vec());
    // An error whose only text is a lone surrogate is still an error (a failed Scan).
    docs.push(br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"surrogate-error"},"errorCode":{"x":"\ud800"}}"#.to_vec());
    docs.push(br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{"arn":"huge-number"},"requestParameters":{"limit":1e400,"segment":-99999999999999999999999999999}}"#.to_vec());
    // Nesting around the limit (100), and far past serde_json's own (128).
    for levels in [97, 98, 99, 126, 127, 128, 5_000] {
        let deep = format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        docs.push(format!(r#"{{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{{"arn":"deep-{levels}"}},"x":{{"y":{deep}}}}}"#).into_bytes());
        docs.push(format!(r#"{{"event.action":"Scan","event.provider":"dynamodb.amazonaws.com","event.outcome":"success","event.dataset":"aws.cloudtrail","@timestamp":"2024-03-12T06:30:00Z","aws.cloudtrail.user_identity.arn":"ecs-deep-{levels}","x":{deep}}}"#).into_bytes());
    }
    // Fields that are only nulls, however deeply nested, are absent on both paths: there
    // is no depth at which one path starts to see content and the other does not (an
    // `errorCode` of 65 nested lists around a null once failed one Scan and not the other).
    for levels in [1, 62, 63, 64, 65, 66, 90] {
        let nulls = format!("{}null{}", "[".repeat(levels), "]".repeat(levels));
        let objects = format!("{}null{}", r#"{"a":"#.repeat(levels), "}".repeat(levels));
        docs.push(format!(r#"{{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{{"type":"IAMUser","arn":"nulls-{levels}","accountId":{nulls},"userName":{nulls}}},"recipientAccountId":{nulls}}}"#).into_bytes());
        docs.push(format!(r#"{{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{{"type":"IAMUser","arn":"objects-{levels}","accountId":{objects},"userName":{objects}}}}}"#).into_bytes());
        docs.push(format!(r#"{{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-03-12T06:22:01Z","userIdentity":{{"arn":"error-nulls-{levels}"}},"errorCode":{nulls},"errorMessage":{objects}}}"#).into_bytes());
    }
    let inner =
        String::from_utf8(scan(src, r#""eventName":"\u0053can""#, "in-cloudwatch")).expect("utf-8");
    docs.push(format!(r#"{{"messageType":"DATA_MESSAGE","logEvents":[{{"id":"1","timestamp":1,"message":{}}}]}}"#, serde_json::to_string(&inner).expect("json")).into_bytes());
    docs.push(br#"{"event.action":"\u0053can","event.provider":"dynamodb.amazonaws.com","event.outcome":"success","event.dataset":"aws.cloudtrail","data_stream.dataset":"aws.cloudtrail","@timestamp":"2024-03-12T06:30:00Z","aws.cloudtrail.user_identity.arn":"ecs-escaped","cloud.account.id":"1","user.name":"e"}"#.to_vec());
    for config in CONFIGS {
        same("adversarial", config, &docs);
    }
    let (alerts, _) = run("{}", &docs, true);
    let terms: Vec<String> = alerts
        .iter()
        .map(|a| {
            serde_json::from_str::<serde_json::Value>(a).expect("json")["kibana.alert.new_terms"][0]
                .to_string()
        })
        .collect();
    for escaped in [
        "u1",
        "u2",
        "u3",
        "u4",
        "u5",
        "u6",
        "in-cloudwatch",
        "ecs-escaped",
        "dup-last",
        "\"deep-98\"",
        "\"ecs-deep-99\"",
        "lone\u{fffd}surrogate",
        "ua-surrogate",
        "huge-number",
    ] {
        assert!(
            terms.iter().any(|t| t.contains(escaped)),
            "{escaped} must alert: {terms:?}"
        );
    }
    // A Scan the query selected as successful renders as successful.
    for alert in &alerts {
        let doc: serde_json::Value = serde_json::from_str(alert).expect("json");
        if doc["kibana.alert.new_terms"][0]
            .to_string()
            .contains("error-nulls")
        {
            assert_eq!(doc["event"]["outcome"], "success", "{alert}");
        }
    }
    assert_eq!(
        terms.iter().filter(|t| t.contains("error-nulls")).count(),
        7,
        "every empty-error Scan alerts"
    );
    for never in [
        "not-a-scan",
        "lowercase",
        "fail-1",
        "decoy",
        "\"deep-99\"",
        "\"deep-5000\"",
        "\"ecs-deep-126\"",
        "surrogate-error",
    ] {
        assert!(
            !terms.iter().any(|t| t.contains(never)),
            "{never} must not alert"
        );
    }
}

/// A successful Scan, its letters written as escapes at random, wrapped in random
/// containers up to three deep (a CloudWatch message escapes the JSON inside it once
/// more, an `awslogs` payload hides it in gzip): every pre-check, including the one-pass
/// check the Fluent Bit module uses, keeps every document the full path alerts on.
#[test]
fn wrapped_and_escaped_scans_are_never_prefiltered() {
    use dynamodb_scan_detector::rule::prefilter::Prefilter;
    use std::io::Write;

    fn escaped(r: &mut rng::Rng, text: &str) -> String {
        let mut out = String::from("\"");
        for c in text.chars() {
            if r.chance(200) {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            } else {
                out.push(c);
            }
        }
        out + "\""
    }
    fn as_string(json: &str) -> String {
        serde_json::to_string(json).expect("a string")
    }
    fn gzip_base64(text: &str) -> String {
        use base64::Engine;
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(text.as_bytes()).expect("gzip");
        base64::engine::general_purpose::STANDARD.encode(z.finish().expect("gzip"))
    }
    fn wrap(r: &mut rng::Rng, doc: String, depth: u32, inflated: bool) -> String {
        if depth == 0 {
            return doc;
        }
        // One inflation per document (the detector refuses an `awslogs` inside another).
        let kind = r.below(if inflated { 5 } else { 6 });
        let inner = wrap(r, doc, depth - 1, inflated || kind == 5);
        match kind {
            0 => format!(
                r#"{{"messageType":"DATA_MESSAGE","logEvents":[{{"id":"1","message":{}}}]}}"#,
                as_string(&inner)
            ),
            1 => format!(r#"{{"Records":[{inner}]}}"#),
            2 => format!(r#"{{"detail-type":"AWS API Call via CloudTrail","detail":{inner}}}"#),
            3 => format!(r#"{{"_index":"i","_id":"1","_source":{inner}}}"#),
            4 => format!(r#"{{"hits":{{"hits":[{{"_source":{inner}}}]}}}}"#),
            _ => {
                let payload = format!(
                    r#"{{"messageType":"DATA_MESSAGE","logEvents":[{{"message":{}}}]}}"#,
                    as_string(&inner)
                );
                format!(r#"{{"awslogs":{{"data":"{}"}}}}"#, gzip_base64(&payload))
            }
        }
    }

    let mut r = rng::Rng::new(7);
    let (whole, default) = (Prefilter::whole_documents(), Prefilter::default());
    let mut alerting = 0;
    for k in 0..3_000 {
        let record = format!(
            r#"{{"eventTime":"2024-03-12T06:22:01Z","eventSource":{},"eventName":{},"userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::1:user/u{k}"}}}}"#,
            escaped(&mut r, "dynamodb.amazonaws.com"),
            escaped(&mut r, "Scan")
        );
        let depth = r.below(4) as u32;
        let doc = wrap(&mut r, record, depth, false);
        let mut full = Detector::new(Config::default());
        full.set_prefilter(false);
        let mut alerts = full.process(doc.as_bytes(), Context::event_time());
        alerts.extend(full.flush(DetectionTime::EventTime));
        if alerts.is_empty() {
            continue;
        }
        alerting += 1;
        let b = doc.as_bytes();
        assert!(default.may_match(b), "default pre-check: {doc}");
        assert!(whole.may_match(b), "whole-document pre-check: {doc}");
        assert_ne!(whole.check_object(b), Some(false), "one-pass check: {doc}");
    }
    assert!(
        alerting > 1_000,
        "{alerting} documents alert on the full path"
    );
}
