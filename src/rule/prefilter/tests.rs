//! The pre-check decides as each reading of it should: only what cannot match is rejected.

use super::*;

#[test]
fn rejects_only_what_cannot_match() {
    let p = Prefilter::default();
    let cases: &[(&str, bool)] = &[
        (
            r#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan"}"#,
            true,
        ),
        (
            r#"{"eventSource":"dynamodb.amazonaws.com","eventName":"GetItem"}"#,
            false,
        ),
        (
            r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#,
            false,
        ),
        (
            r#"{"eventSource":"s3.amazonaws.com","eventName":"Scan"}"#,
            false,
        ),
        (
            r#"{"eventSource":"dynamodb.amazonaws.com","eventName":"\u0053can"}"#,
            true,
        ),
        (
            r#"{"eventSource":"\u0064ynamodb.amazonaws.com","eventName":"Scan"}"#,
            true,
        ),
        (
            r#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Sc\"an"}"#,
            false,
        ),
        (r#"{"awslogs":{"data":"H4sIAAAA"}}"#, true),
        (r#"{"Records":[{"eventName":"GetItem"}]}"#, true),
        (r#"[{"eventName":"GetItem"}]"#, true),
        (r#"{"detail-type":"x","detail":{}}"#, true),
        ("not json", true),
        (
            r#"{"event.action":"Scan","event.provider":"dynamodb.amazonaws.com"}"#,
            true,
        ),
        (
            r#"{"event":{"action":"Query","provider":"dynamodb.amazonaws.com"}}"#,
            false,
        ),
        ("", true),
        ("{\"eventName\":\"GetItem\",\"x\":\"\u{ff}\"}", false),
    ];
    assert!(
        p.may_match(b"{\"eventName\":\"GetItem\",\"x\":\"\xff\"}"),
        "invalid UTF-8 is never pre-rejected"
    );
    for (doc, want) in cases {
        assert_eq!(p.may_match(doc.as_bytes()), *want, "{doc}");
    }
}

#[test]
fn whole_documents_also_rejects_containers_that_cannot_match() {
    let whole = Prefilter::whole_documents();
    let cases: &[(&str, bool)] = &[
        (r#"{"Records":[{"eventName":"GetItem"}]}"#, false),
        (
            r#"{"detail-type":"x","detail":{"eventName":"GetItem"}}"#,
            false,
        ),
        (
            r#"{"Records":[{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan"}]}"#,
            true,
        ),
        (r#"{"awslogs":{"data":"H4sIAAAA"}}"#, true),
        (r#"{"Records":[{"eventName":"\u0053can"}]}"#, true),
        (r#"[{"eventName":"GetItem"}]"#, true),
        (
            r#"{"eventName":"GetItem","userAgent":"awslogs-agent"}"#,
            false,
        ),
    ];
    for (doc, want) in cases {
        assert_eq!(whole.may_match(doc.as_bytes()), *want, "{doc}");
    }
}

/// The one-pass search (wasm's) decides exactly as the needle-at-a-time reading.
#[test]
fn one_pass_agrees_with_the_needles() {
    let p = Prefilter::default();
    let docs = [
        r#"{"eventName":"Scan","eventSource":"dynamodb.amazonaws.com"}"#,
        r#"{"eventName":"Scan","eventSource":"s3.amazonaws.com"}"#,
        r#"{"eventName":"\u0053can"}"#,
        r#"{"a":"\\"}"#,
        r#"{"awslogs":{}}"#,
        r#"{"x":"awslogs"}"#,
        r#"{"Sca":"n dynamodb"}"#,
        "S",
        "",
    ];
    let slid: Vec<String> = (0..17)
        .flat_map(|pad| {
            let p = "x".repeat(pad);
            [
                format!(r#"{{"{p}":"Scan","e":"dynamodb"}}"#),
                format!(r#"{{"{p}":"\u0053"}}"#),
                format!(r#"{{"{p}":1,"awslogs":{{}}}}"#),
                format!(r#"{{"{p}":"Sca","n":"dynamodb"}}"#),
            ]
        })
        .collect();
    for doc in docs.iter().copied().chain(slid.iter().map(String::as_str)) {
        let b = doc.as_bytes();
        let needles = (doc.contains("Scan") && doc.contains("dynamodb"))
            || doc.contains("\\u")
            || doc.contains("\"awslogs\"");
        assert_eq!(p.may_hold_a_scan(b), needles, "{doc}");
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(doc) {
            let by_key = (doc.contains("Scan") && doc.contains("dynamodb"))
                || doc.contains("\\u")
                || has_key(&value, "awslogs");
            let whole = Prefilter::whole_documents();
            let want = value.is_object().then_some(by_key);
            assert_eq!(whole.check_object(b), want, "{doc}");
        }
    }
}

fn has_key(v: &serde_json::Value, key: &str) -> bool {
    match v {
        serde_json::Value::Object(m) => m.iter().any(|(k, v)| k == key || has_key(v, key)),
        serde_json::Value::Array(a) => a.iter().any(|v| has_key(v, key)),
        _ => false,
    }
}

/// The grammar check's reading agrees with the pass over the bytes on every real
/// record, whole and cut, and on records with needles spliced in.
#[test]
fn checked_objects_agree_with_the_pass() {
    for p in [Prefilter::whole_documents(), Prefilter::default()] {
        checked_objects_agree(&p);
    }
}

/// `json` as the message of a decoded CloudWatch payload (escaped once more).
fn in_message(json: &[u8]) -> Vec<u8> {
    let message = serde_json::to_string(&String::from_utf8_lossy(json)).unwrap_or_default();
    format!(r#"{{"logEvents":[{{"id":"1","message":{message}}}]}}"#).into_bytes()
}

fn checked_objects_agree(p: &Prefilter) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/third-party");
    let mut files = vec![root];
    let mut checked = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(
                std::fs::read_dir(&path)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path()),
            );
            continue;
        }
        let Ok(text) = std::fs::read(&path) else {
            continue;
        };
        for line in text.split(|&b| b == b'\n').filter(|l| l.starts_with(b"{")) {
            let variants = [
                line.to_vec(),
                line[..line.len() / 2].to_vec(),
                [&line[..line.len() - 1], br#","k":"\u0053can""#, b"}"].concat(),
                [&line[..line.len() - 1], br#","awslogs":{"data":""}"#, b"}"].concat(),
                [&line[..line.len() - 1], br#","x":"Scan dynamodb""#, b"}"].concat(),
                [br#"{"Records":["#, line, b"]}"].concat(),
                in_message(line),
                in_message(&[br#"{"awslogs":"#, line, b"}"].concat()),
            ];
            for doc in variants {
                let value = std::str::from_utf8(&doc)
                    .ok()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok());
                // The one-pass check also sends every CloudWatch payload the whole way.
                let want = value.map(|v| p.may_match(&doc) || has_key(&v, "logEvents"));
                assert_eq!(
                    p.check_object(&doc),
                    want,
                    "{}",
                    String::from_utf8_lossy(&doc)
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 500, "{checked}");
}
