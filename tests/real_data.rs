//! Every real third-party file goes through the detector without a panic and with
//! counts that add up; the real DynamoDB Scan records alert on first sight only.
//! Classification tests turn the byte-level pre-check off, so that every record is
//! parsed and classified (the pre-check never changes alerts: see `fast_path.rs`).

mod common;

use std::collections::BTreeMap;

use dynamodb_scan_detector::ecs::cloudtrail::to_ecs;
use dynamodb_scan_detector::input::{split, Piece};
use dynamodb_scan_detector::rule::query::Query;
use dynamodb_scan_detector::{Config, Context, DetectionTime, Detector, ProfileName};

fn classifying(config: Config) -> Detector {
    let mut d = Detector::new(config);
    d.set_prefilter(false);
    d
}

fn run_file(d: &mut Detector, path: &std::path::Path) -> usize {
    let mut alerts = 0;
    for doc in common::documents(&common::read(path)) {
        alerts += d.process(&doc, Context::event_time()).len();
    }
    alerts
}

#[test]
fn every_file_is_read_and_counted() {
    let mut per_folder: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for profile in [ProfileName::Seed, ProfileName::Current] {
        for path in common::files(&common::third_party()) {
            // Rule texts (Elastic's TOML rule, the seed rule's page) are not log data.
            if path.extension().is_some_and(|e| e == "toml" || e == "txt") {
                continue;
            }
            let mut d = classifying(Config::for_profile(profile));
            run_file(&mut d, &path);
            let s = d.stats();
            s.check()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            if path.extension().is_some_and(|e| e == "md") {
                continue;
            }
            let folder = path
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let entry = per_folder
                .entry(format!("{profile:?}/{folder}"))
                .or_default();
            entry.0 += s.events_in;
            entry.1 += s.unparseable;
            entry.2 += s.matched;
        }
    }
    let seed = |folder: &str| per_folder[&format!("Seed/{folder}")];
    // Every folder yields events; the JSON in the data set is all readable.
    for (folder, (events, unparseable, _)) in &per_folder {
        assert!(*events > 0, "{folder}");
        assert_eq!(*unparseable, 0, "{folder}");
    }
    // Only IBM's files hold successful Scans: the two real ones (one of them three times: .ndjson, .json, .json.gz).
    let matched: u64 = per_folder
        .iter()
        .filter(|(k, _)| k.starts_with("Seed/"))
        .map(|(_, v)| v.2)
        .sum();
    assert_eq!(matched, 3);
    assert_eq!(seed("ibm-universal-connectors-dynamodb").2, 3);
    assert_eq!(seed("datadog-stratus-red-team").0, 310);
    assert_eq!(seed("otrf-security-datasets").0, 103);
}

#[test]
fn the_real_scans_alert_on_first_sight_and_not_on_a_repeat() {
    let ibm = common::third_party().join("ibm-universal-connectors-dynamodb");
    for (file, arn) in [
        (
            "DynamodbGuardiumPluginFilterTest.ndjson",
            "arn:aws:sts::123456789012:assumed-role/example-iam-role/user@example.com",
        ),
        (
            "s3_sqs_input_test.Records.json",
            "arn:aws:sts::123456789012:assumed-role/example-role/user@example.com",
        ),
        (
            "s3_sqs_input_test.Records.json.gz",
            "arn:aws:sts::123456789012:assumed-role/example-role/user@example.com",
        ),
    ] {
        for profile in [ProfileName::Seed, ProfileName::Current] {
            let mut d = Detector::new(Config::for_profile(profile));
            let docs = common::documents(&common::read(&ibm.join(file)));
            let mut alerts: Vec<_> = docs
                .iter()
                .flat_map(|doc| d.process(doc, Context::event_time()))
                .collect();
            alerts.extend(d.flush(DetectionTime::EventTime));
            assert_eq!(alerts.len(), 1, "{file} {profile:?}");
            if profile == ProfileName::Seed {
                assert_eq!(alerts[0].new_terms(), [serde_json::json!(arn)]);
            }
            assert_eq!(alerts[0].document()["event"]["action"], "Scan");
            assert!(
                docs.iter()
                    .all(|doc| d.process(doc, Context::event_time()).is_empty()),
                "{file}: repeat is not new"
            );
        }
    }
}

#[test]
fn look_alikes_are_not_cloudtrail() {
    let path = common::third_party().join("awsdocs-amazon-dynamodb-developer-guide/NEGATIVE-not-cloudtrail.Streams.Lambda.Tutorial.ndjson");
    let mut d = classifying(Config::default());
    run_file(&mut d, &path);
    let s = d.stats();
    assert_eq!((s.events_in, s.not_cloudtrail, s.matched), (3, 3, 0));
}

#[test]
fn cloudwatch_payloads_decoded_and_wrapped_give_the_same_records() {
    let dir = common::third_party().join("dynatrace-aws-log-forwarder");
    let count = |name: &str| {
        let mut d = classifying(Config::default());
        run_file(&mut d, &dir.join(name));
        (d.stats().events_in, d.stats().not_matched)
    };
    let decoded = count("test_transformation_full.cloudwatch-logs-decoded.ndjson");
    assert_eq!(
        decoded,
        count("test_transformation_full.cloudwatch-logs-awslogs-envelope.DERIVED.ndjson")
    );
    assert!(decoded.0 >= 6 && decoded.0 == decoded.1, "{decoded:?}");
}

/// The query on raw fields and the query on the mapped ECS document always agree.
#[test]
fn raw_and_ecs_query_paths_agree_on_every_record() {
    let mut checked = 0;
    for profile in [ProfileName::Seed, ProfileName::Current] {
        let query = Query::new(Config::for_profile(profile).profile().dataset_field);
        for path in common::files(&common::third_party()) {
            for doc in common::documents(&common::read(&path)) {
                let text = String::from_utf8(doc).expect("utf-8");
                split(&text, &mut |piece| {
                    if let Piece::Record(r) = piece {
                        if let Some(fields) = r.cloudtrail {
                            let map = serde_json::from_str(r.text).expect("record parses");
                            assert_eq!(
                                query.matches_cloudtrail(&fields),
                                query.matches_ecs(&to_ecs(map)),
                                "{}: {}",
                                path.display(),
                                r.text
                            );
                            checked += 1;
                        }
                    }
                });
            }
        }
    }
    assert!(checked > 1500, "{checked}");
}

/// Elastic's expected ECS documents (nested) and Filebeat's (dotted) are read as ECS.
#[test]
fn ecs_documents_nested_and_dotted_are_recognised() {
    let tp = common::third_party();
    let mut d = classifying(Config::default());
    let filebeat: serde_json::Value = serde_json::from_slice(&common::read(
        &tp.join("elastic-beats-filebeat-aws-cloudtrail/console-login-json.log-expected.json"),
    ))
    .expect("json");
    for doc in filebeat.as_array().expect("array") {
        d.process(
            &serde_json::to_vec(doc).expect("json"),
            Context::event_time(),
        );
    }
    let s = d.stats();
    assert_eq!(
        (s.events_in, s.not_matched, s.not_cloudtrail),
        (3, 3, 0),
        "dotted ECS docs are ECS, just not Scans"
    );
}
