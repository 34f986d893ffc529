//! Arbitrary text as a KQL query and as a rule file: parsing, compiling, judging a
//! document and deriving the pre-check never panic, and a query that judges a document
//! whose pre-check rejects it is a bug (the pre-check must be sound).
#![no_main]

use dynamodb_scan_detector::config::rule_file::parse_rule_file;
use dynamodb_scan_detector::rule::kql::{Kql, RequiredText};
use libfuzzer_sys::fuzz_target;

const DOCUMENT: &str = r#"{"event":{"provider":"dynamodb.amazonaws.com","action":"Scan","outcome":"success"},
"source":{"ip":"10.0.0.1","port":443},"@timestamp":"2026-11-02T00:00:00Z","user":{"name":"a"},
"aws":{"cloudtrail":{"read_only":true,"user_identity":{"type":"IAMUser"}}},"related":{"user":["a","b"]}}"#;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let Ok(serde_json::Value::Object(doc)) = serde_json::from_str::<serde_json::Value>(DOCUMENT) else {
        return;
    };
    if let Ok(kql) = Kql::new(text) {
        let matched = kql.matches(&doc);
        let needles = RequiredText::of(&kql);
        if matched {
            assert!(needles.may_match(DOCUMENT.as_bytes()), "{text}");
        }
        let _ = kql.fields();
    }
    if let Ok(rule) = parse_rule_file("fuzz.toml", text) {
        let _ = rule.query.matches(&doc);
    }
});
