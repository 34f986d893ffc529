//! Our raw CloudTrail → ECS mapping held against every raw/expected pair from Elastic's
//! own ingest-pipeline tests (`elastic-integrations-cloudtrail`).
//!
//! For each pair, every leaf Elastic produced must be produced identically by us unless
//! it belongs to a documented unmapped family (GeoIP, parsed user agent, per-action
//! category, shipper fields, entity fields of newer pipelines, `related.*`); and every
//! leaf we produce must equal Elastic's wherever Elastic has that field, or be one of
//! the fields Elastic Agent or newer pipelines add.

mod common;

use serde_json::{Map, Value};

use dynamodb_scan_detector::ecs::cloudtrail::to_ecs;

/// Elastic fields we deliberately do not produce (see `src/ecs/cloudtrail.rs`).
const UNMAPPED: &[&str] = &[
    "source.geo",
    "source.as",
    "user_agent.name",
    "user_agent.version",
    "user_agent.os",
    "user_agent.device",
    "event.category",
    "event.created",
    "event.original",
    "tags",
    "related",
    "actor",
    "target",
    "user.entity",
    "user.target",
    "service",
    "user.changes",
];

/// Fields we produce that the pipeline fixtures lack: added by Elastic Agent / Elasticsearch,
/// by newer pipeline versions than some fixtures, or dropped by the fixtures' `retain`
/// mode (`minimal`/`keyword`; we map as the default `all` does, keeping both forms).
const EXTRA_OK: &[&str] = &[
    "event.dataset",
    "event.module",
    "data_stream",
    "cloud.provider",
    "cloud.service.name",
    "user.email",
    "aws.cloudtrail.flattened",
];

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, v, out);
            }
        }
        other => out.push((prefix.to_owned(), other.clone())),
    }
}

fn under(path: &str, families: &[&str]) -> bool {
    families
        .iter()
        .any(|f| path == *f || path.starts_with(&format!("{f}.")))
}

/// Resources come out of a Java HashSet: compare them as given (order included).
fn leaves(doc: &Map<String, Value>) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    flatten("", &Value::Object(doc.clone()), &mut out);
    out
}

#[test]
fn every_elastic_pipeline_pair_matches_our_mapping() {
    let dir = common::third_party().join("elastic-integrations-cloudtrail");
    let pairs = [
        (
            "test-assume-role-aws-service-json.log",
            "test-assume-role-aws-service-json.log-expected.json",
        ),
        (
            "test-console-login-json.log",
            "test-console-login-json.log-expected.json",
        ),
        (
            "test-copy-object-json-minimal.log",
            "test-copy-object-json-minimal.log-expected.json",
        ),
        ("test-us-gov-arn.log", "test-us-gov-arn.log-expected.json"),
        (
            "test-upload-ssh-public-key-json-keyword.event-original-derived.log",
            "test-upload-ssh-public-key-json-keyword.log-expected.json",
        ),
    ];
    let mut compared = 0;
    for (raw_name, expected_name) in pairs {
        let raw = common::read(&dir.join(raw_name));
        let expected: Value =
            serde_json::from_slice(&common::read(&dir.join(expected_name))).expect("expected json");
        let expected = expected["expected"]
            .as_array()
            .expect("expected array")
            .clone();
        let lines: Vec<&[u8]> = raw
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        for (i, line) in lines.iter().enumerate() {
            let record: Map<String, Value> = serde_json::from_slice(line).expect("raw record");
            let ours = leaves(&to_ecs(record));
            let theirs = leaves(expected[i].as_object().expect("expected doc"));
            let where_ = format!("{raw_name} line {}", i + 1);
            for (path, value) in &theirs {
                if under(path, UNMAPPED) {
                    continue;
                }
                let mine = ours.iter().find(|(p, _)| p == path).map(|(_, v)| v);
                assert_eq!(mine, Some(value), "{where_}: Elastic has {path} = {value}");
                compared += 1;
            }
            for (path, value) in &ours {
                match theirs.iter().find(|(p, _)| p == path) {
                    Some((_, v)) => assert_eq!(v, value, "{where_}: {path}"),
                    None => assert!(
                        under(path, EXTRA_OK),
                        "{where_}: we produce {path} = {value}, Elastic does not"
                    ),
                }
            }
        }
    }
    assert!(compared > 150, "compared {compared} fields");
}
