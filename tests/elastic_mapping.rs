//! Our raw CloudTrail → ECS mapping held against the raw/expected pairs of Elastic's own
//! ingest-pipeline tests for the `aws` integration 8.9.0 (elastic/integrations commit
//! 8149d6c9, folder `elastic-integrations-cloudtrail`; see its README for which pairs are
//! held and why the others are not).
//!
//! For each pair, every leaf Elastic produced must be produced identically by us unless
//! it is in [`NOT_PRODUCED`] (each entry says why); and every leaf we produce must equal
//! Elastic's wherever Elastic has that field, or be one of [`AGENT_FIELDS`], or (only for
//! a pair run with a reduced `retain` mode) lie under `aws.cloudtrail.flattened`. The only
//! other differences allowed are the ones [`KNOWN_DIFFERENCES`] names for one pair and one
//! field, each with its reason, and each must still be a difference. Every pair of the
//! folder is listed in [`PAIRS`]; the test fails on all differences at once.

mod common;

use serde_json::{Map, Value};

use dynamodb_scan_detector::ecs::cloudtrail::to_ecs;

/// Elastic fields we deliberately do not produce, and why.
const NOT_PRODUCED: &[(&str, &str)] = &[
    (
        "source.geo",
        "GeoIP: needs MaxMind databases we do not ship",
    ),
    (
        "source.as",
        "GeoIP ASN: needs MaxMind databases we do not ship",
    ),
    (
        "user_agent.name",
        "user_agent processor (uap-core regexes); we keep only .original",
    ),
    (
        "user_agent.version",
        "user_agent processor; we keep only .original",
    ),
    (
        "user_agent.os",
        "user_agent processor; we keep only .original",
    ),
    (
        "user_agent.device",
        "user_agent processor; we keep only .original",
    ),
    (
        "event.category",
        "a per-action table of the pipeline; Scan is not in it",
    ),
    (
        "event.created",
        "the shipper's read time (the test harness presets it)",
    ),
    (
        "event.original",
        "the raw line itself; the detector has the record",
    ),
    (
        "tags",
        "set by the integration's configuration, not by the record",
    ),
    (
        "related.entity",
        "actor/target mapping (tag actor_target_mapping): per-service tables",
    ),
    (
        "related.hosts",
        "actor/target mapping: per-action host extraction",
    ),
    ("actor", "actor/target mapping (tag actor_target_mapping)"),
    ("target", "actor/target mapping (tag actor_target_mapping)"),
    (
        "user.target",
        "actor/target mapping: per-action target tables",
    ),
    (
        "host.target",
        "actor/target mapping: per-action target tables",
    ),
    (
        "service.entity",
        "actor/target mapping (tag actor_target_mapping)",
    ),
    (
        "service.target",
        "actor/target mapping: per-action target tables",
    ),
    (
        "entity.target",
        "actor/target mapping: per-action target tables",
    ),
];

/// Known differences on fields we do produce, each for one pair and one path, with the
/// reason. Every entry must still be a difference (a fixed one must be removed here), and
/// no other difference is tolerated.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "test-attach-user-policy-json.log",
        "event.type",
        "per-action table of the pipeline (AttachUserPolicy: user, change); we write info",
    ),
    (
        "test-authorize-security-group-ingress-json.log",
        "event.type",
        "per-action table of the pipeline (AuthorizeSecurityGroupIngress: access); we write info",
    ),
    (
        "test-change-password-json.event-original-derived.log",
        "event.type",
        "per-action table of the pipeline (ChangePassword: user, change); we write info",
    ),
    (
        "test-create-key-pair-json.log",
        "event.type",
        "per-action table of the pipeline (CreateKeyPair: admin, creation); we write info",
    ),
    (
        "test-create-topic-json.log",
        "event.type",
        "per-action table of the pipeline (CreateTopic: creation); we write info",
    ),
    (
        "test-create-virtual-mfa-device-json.event-original-derived.log",
        "event.type",
        "per-action table of the pipeline (CreateVirtualMFADevice: user, change); we write info",
    ),
    (
        "test-delete-bucket-json.log",
        "event.type",
        "per-action table of the pipeline (DeleteBucket: deletion); we write info",
    ),
    (
        "test-delete-ssh-public-key-json.event-original-derived.log",
        "event.type",
        "per-action table of the pipeline (DeleteSSHPublicKey: user, change); we write info",
    ),
    (
        "test-delete-trail-json.event-original-derived.log",
        "event.type",
        "per-action table of the pipeline (DeleteTrail: deletion); we write info",
    ),
    (
        "test-open-control-channel-json.log",
        "event.type",
        "per-action table of the pipeline (OpenControlChannel: start); we write info",
    ),
    (
        "test-put-object-json.log",
        "event.type",
        "per-action table of the pipeline (PutObject: change); we write info",
    ),
    (
        "test-start-session-json.log",
        "event.type",
        "per-action table of the pipeline (StartSession: start); we write info",
    ),
    (
        "test-update-ssh-public-key-json.event-original-derived.log",
        "event.type",
        "per-action table of the pipeline (UpdateSSHPublicKey: user, change); we write info",
    ),
];

/// Fields we produce that Elastic Agent / the integration add outside the pipeline, so
/// the pipeline fixtures lack them.
const AGENT_FIELDS: &[&str] = &["event.dataset", "event.module", "data_stream"];

/// (raw file, expected file, `retain` mode of the pair's test config).
const PAIRS: &[(&str, &str, &str)] = &[
    (
        "test-add-permission-json.log",
        "test-add-permission-json.log-expected.json",
        "all",
    ),
    (
        "test-assume-role-aws-service-json.log",
        "test-assume-role-aws-service-json.log-expected.json",
        "all",
    ),
    (
        "test-assume-role-email-session-json.log",
        "test-assume-role-email-session-json.log-expected.json",
        "all",
    ),
    (
        "test-attach-user-policy-json.log",
        "test-attach-user-policy-json.log-expected.json",
        "all",
    ),
    (
        "test-authorize-security-group-egress-json.log",
        "test-authorize-security-group-egress-json.log-expected.json",
        "all",
    ),
    (
        "test-authorize-security-group-ingress-json.log",
        "test-authorize-security-group-ingress-json.log-expected.json",
        "all",
    ),
    (
        "test-change-password-json.event-original-derived.log",
        "test-change-password-json.log-expected.json",
        "all",
    ),
    (
        "test-console-login-json.log",
        "test-console-login-json.log-expected.json",
        "all",
    ),
    (
        "test-copy-object-json-minimal.log",
        "test-copy-object-json-minimal.log-expected.json",
        "minimal",
    ),
    (
        "test-create-detector-json.log",
        "test-create-detector-json.log-expected.json",
        "all",
    ),
    (
        "test-create-key-pair-json.log",
        "test-create-key-pair-json.log-expected.json",
        "all",
    ),
    (
        "test-create-topic-json.log",
        "test-create-topic-json.log-expected.json",
        "all",
    ),
    (
        "test-create-traffic-mirror-filter-rule-json.log",
        "test-create-traffic-mirror-filter-rule-json.log-expected.json",
        "all",
    ),
    (
        "test-create-traffic-mirror-target-json.log",
        "test-create-traffic-mirror-target-json.log-expected.json",
        "all",
    ),
    (
        "test-create-virtual-mfa-device-json.event-original-derived.log",
        "test-create-virtual-mfa-device-json.log-expected.json",
        "all",
    ),
    (
        "test-delete-bucket-json.log",
        "test-delete-bucket-json.log-expected.json",
        "all",
    ),
    (
        "test-delete-db-instance-json.log",
        "test-delete-db-instance-json.log-expected.json",
        "all",
    ),
    (
        "test-delete-global-cluster-json.log",
        "test-delete-global-cluster-json.log-expected.json",
        "all",
    ),
    (
        "test-delete-network-acl-json.log",
        "test-delete-network-acl-json.log-expected.json",
        "all",
    ),
    (
        "test-delete-resolver-query-log-config-json.log",
        "test-delete-resolver-query-log-config-json.log-expected.json",
        "all",
    ),
    (
        "test-delete-ssh-public-key-json.event-original-derived.log",
        "test-delete-ssh-public-key-json.log-expected.json",
        "all",
    ),
    (
        "test-delete-trail-json.event-original-derived.log",
        "test-delete-trail-json.log-expected.json",
        "all",
    ),
    (
        "test-get-secret-value-json.log",
        "test-get-secret-value-json.log-expected.json",
        "all",
    ),
    (
        "test-modify-db-instance-json.log",
        "test-modify-db-instance-json.log-expected.json",
        "all",
    ),
    (
        "test-modify-image-attribute-json.log",
        "test-modify-image-attribute-json.log-expected.json",
        "all",
    ),
    (
        "test-modify-snapshot-attribute-json.log",
        "test-modify-snapshot-attribute-json.log-expected.json",
        "all",
    ),
    (
        "test-open-control-channel-json.log",
        "test-open-control-channel-json.log-expected.json",
        "all",
    ),
    (
        "test-publish-json.log",
        "test-publish-json.log-expected.json",
        "all",
    ),
    (
        "test-put-object-json.log",
        "test-put-object-json.log-expected.json",
        "all",
    ),
    (
        "test-run-instances-json.log",
        "test-run-instances-json.log-expected.json",
        "all",
    ),
    (
        "test-schedule-key-deletion-json.log",
        "test-schedule-key-deletion-json.log-expected.json",
        "all",
    ),
    (
        "test-send-serial-console-ssh-public-key-json.log",
        "test-send-serial-console-ssh-public-key-json.log-expected.json",
        "all",
    ),
    (
        "test-send-ssh-public-key-json.log",
        "test-send-ssh-public-key-json.log-expected.json",
        "all",
    ),
    (
        "test-start-session-json.log",
        "test-start-session-json.log-expected.json",
        "all",
    ),
    (
        "test-stop-configuration-recorder.log",
        "test-stop-configuration-recorder.log-expected.json",
        "all",
    ),
    (
        "test-terminate-instances-json.log",
        "test-terminate-instances-json.log-expected.json",
        "all",
    ),
    (
        "test-tls-details-json.event-original-derived.log",
        "test-tls-details-json.log-expected.json",
        "all",
    ),
    (
        "test-update-ssh-public-key-json.event-original-derived.log",
        "test-update-ssh-public-key-json.log-expected.json",
        "all",
    ),
    (
        "test-us-gov-arn.log",
        "test-us-gov-arn.log-expected.json",
        "all",
    ),
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

fn not_produced(path: &str) -> bool {
    let families: Vec<&str> = NOT_PRODUCED.iter().map(|(f, _)| *f).collect();
    under(path, &families)
}

/// Compare one pair; returns the number of expected leaves checked and every difference
/// found, each as (path, message).
fn compare_pair(
    raw_name: &str,
    expected_name: &str,
    retain: &str,
) -> (usize, Vec<(String, String)>) {
    let dir = common::third_party().join("elastic-integrations-cloudtrail");
    let raw = common::read(&dir.join(raw_name));
    let expected: Value =
        serde_json::from_slice(&common::read(&dir.join(expected_name))).expect("expected json");
    let expected = expected["expected"].as_array().expect("expected array");
    let lines: Vec<&[u8]> = raw
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut compared = 0;
    let mut diffs = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let record: Map<String, Value> = serde_json::from_slice(line).expect("raw record");
        let ours = leaves(&to_ecs(record));
        let theirs = leaves(expected[i].as_object().expect("expected doc"));
        let where_ = format!("{raw_name} line {}", i + 1);
        for (path, value) in &theirs {
            if not_produced(path) {
                continue;
            }
            let mine = ours.iter().find(|(p, _)| p == path).map(|(_, v)| v);
            if mine != Some(value) {
                diffs.push((
                    path.clone(),
                    format!("{where_}: Elastic has {path} = {value}, we {mine:?}"),
                ));
                continue;
            }
            compared += 1;
        }
        for (path, value) in &ours {
            match theirs.iter().find(|(p, _)| p == path) {
                Some((_, v)) if v == value => {}
                Some(_) => {} // reported above
                None if under(path, AGENT_FIELDS) => {}
                None if retain != "all" && under(path, &["aws.cloudtrail.flattened"]) => {}
                None => diffs.push((
                    path.clone(),
                    format!("{where_}: we produce {path} = {value}, Elastic does not"),
                )),
            }
        }
    }
    (compared, diffs)
}

#[test]
fn every_elastic_pipeline_pair_matches_our_mapping() {
    let mut compared = 0;
    let mut failures = Vec::new();
    for (raw, expected, retain) in PAIRS {
        let (n, diffs) = compare_pair(raw, expected, retain);
        compared += n;
        let known: Vec<&str> = KNOWN_DIFFERENCES
            .iter()
            .filter(|(pair, _, _)| pair == raw)
            .map(|(_, path, _)| *path)
            .collect();
        for path in &known {
            if !diffs.iter().any(|(p, _)| p == path) {
                failures.push(format!(
                    "{raw}: {path} is listed as a known difference but now matches"
                ));
            }
        }
        failures.extend(
            diffs
                .into_iter()
                .filter(|(p, _)| !known.contains(&p.as_str()))
                .map(|(_, m)| m),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared > 250, "compared {compared} fields");
}

/// Expected files of the folder that are not compared, and why.
const NOT_COMPARED: &[(&str, &str)] = &[(
    "test-upload-ssh-public-key-json-keyword.log-expected.json",
    "an older pipeline generation than 8.9.0 (see the folder's README)",
)];

#[test]
fn every_expected_file_of_the_folder_is_compared_or_excused() {
    let dir = common::third_party().join("elastic-integrations-cloudtrail");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with("-expected.json"))
        .collect();
    names.sort();
    for name in &names {
        let compared = PAIRS.iter().any(|(_, e, _)| e == name);
        let excused = NOT_COMPARED.iter().any(|(e, _)| e == name);
        assert!(
            compared != excused,
            "{name}: compared {compared}, excused {excused}"
        );
    }
    for (_, expected, _) in PAIRS {
        assert!(names.iter().any(|n| n == expected), "{expected} is missing");
    }
}
