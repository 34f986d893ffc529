//! Arbitrary text as a KQL query and as a rule file: parsing, compiling, judging a
//! document and deriving the pre-check never panic, and a query that judges a document
//! whose pre-check rejects it is a bug (the pre-check must be sound). The query is also
//! judged on raw CloudTrail records' own fields (the rule set's shortcut), which must
//! agree with judging their ECS documents.
#![no_main]

use dynamodb_scan_detector::config::rule_file::parse_rule_file;
use dynamodb_scan_detector::input::{split_bytes, Piece};
use dynamodb_scan_detector::rule::kql::{Kql, RequiredText};
use dynamodb_scan_detector::rule::query::{KqlQuery, Query, RawJudgement};
use libfuzzer_sys::fuzz_target;

const DOCUMENT: &str = r#"{"event":{"provider":"dynamodb.amazonaws.com","action":"Scan","outcome":"success"},
"source":{"ip":"10.0.0.1","port":443},"@timestamp":"2026-11-02T00:00:00Z","user":{"name":"a"},
"aws":{"cloudtrail":{"read_only":true,"user_identity":{"type":"IAMUser"}}},"related":{"user":["a","b"]}}"#;

/// Raw records with the fields the raw view reads, in several shapes.
const RECORDS: &str = r#"{"eventTime":"2026-11-02T10:00:00Z","eventSource":"dynamodb.amazonaws.com","eventName":"Scan","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accessKeyId":"AKIA1","userName":"a","accountId":"1"},"sourceIPAddress":"10.0.0.1","userAgent":"aws-cli/2","requestParameters":{"tableName":"t","limit":5,"a":{"b":[1,"x"]}},"eventID":"e1","recipientAccountId":"1"}
{"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"},"userIdentity":{"type":"AssumedRole","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/r","userName":"r"}}},"sourceIPAddress":"s3.amazonaws.com","errorMessage":"","sessionCredentialFromConsole":"true"}
{"eventSource":"s3.amazonaws.com","eventName":7,"errorCode":"AccessDenied","userIdentity":[1],"sourceIPAddress":"::ffff:10.0.0.1","requestParameters":"text","userAgent":""}"#;

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
        let query = Query::Kql(Box::new(KqlQuery::new(kql.clone())));
        split_bytes(RECORDS.as_bytes(), &mut |piece| {
            let Piece::Record(record) = piece else { return };
            let Some(fields) = &record.cloudtrail else { return };
            let Ok(serde_json::Value::Object(map)) = serde_json::from_str(record.text) else {
                return;
            };
            let full = kql.matches(&dynamodb_scan_detector::ecs::cloudtrail::to_ecs(map));
            match query.judge_cloudtrail(fields) {
                RawJudgement::Matches => assert!(full, "{text} on {}", record.text),
                RawJudgement::Rejects => assert!(!full, "{text} on {}", record.text),
                RawJudgement::NeedsDocument => {}
            }
        });
    }
    if let Ok(rule) = parse_rule_file("fuzz.toml", text) {
        let _ = rule.query.matches(&doc);
    }
});
