//! The rule set against one detector per rule (the same alerts, byte for byte), on
//! generated CloudTrail for six of Elastic's AWS rules, each with its first-seen events
//! and the events its query leaves out.

use super::*;
use crate::config::rule_file::parse_rule_file;

const RULES: [(&str, &str); 6] = [
    ("iam_key_ip", include_str!("../../tests/data/third-party/elastic-detection-rules/credential_access_iam_long_term_access_key_first_seen_from_source_ip.toml")),
    ("secrets", include_str!("../../tests/data/third-party/elastic-detection-rules/credential_access_new_terms_secretsmanager_getsecretvalue.toml")),
    ("sts", include_str!("../../tests/data/third-party/elastic-detection-rules/discovery_new_terms_sts_getcalleridentity.toml")),
    ("ssm", include_str!("../../tests/data/third-party/elastic-detection-rules/execution_ssm_sendcommand_by_rare_user.toml")),
    ("scan", include_str!("../../tests/data/third-party/elastic-detection-rules/exfiltration_dynamodb_scan_by_unusual_user.toml")),
    ("export", include_str!("../../tests/data/third-party/elastic-detection-rules/exfiltration_dynamodb_table_exported_to_s3.toml")),
];

fn rules() -> Vec<RuleDefinition> {
    RULES
        .iter()
        .map(|(name, text)| parse_rule_file(name, text).expect("Elastic's rule loads"))
        .collect()
}

/// One raw CloudTrail record.
fn record(minute: u32, source: &str, action: &str, user: &str, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDA{user}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"AKIA{user}KEY","userName":"{user}"}},"eventTime":"2026-11-02T{:02}:{:02}:00Z","eventSource":"{source}","eventName":"{action}","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.{}","userAgent":"aws-cli/2","requestParameters":null,"responseElements":null,"eventID":"{action}-{user}-{minute}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333"{extra}}}"#,
        minute / 60,
        minute % 60,
        minute % 7 + 1
    )
}

/// A stream in which each rule has first-seen events, repeats and events its query
/// leaves out (failures, AssumedRole callers, SSM's own address), among noise.
fn stream() -> Vec<String> {
    let mut lines = Vec::new();
    for minute in 0..240u32 {
        let user = ["alice", "bob", "carol"][(minute % 3) as usize];
        let (source, action) = match minute % 8 {
            0 => ("dynamodb.amazonaws.com", "Scan"),
            1 => ("secretsmanager.amazonaws.com", "GetSecretValue"),
            2 => ("sts.amazonaws.com", "GetCallerIdentity"),
            3 => ("ssm.amazonaws.com", "SendCommand"),
            4 => ("dynamodb.amazonaws.com", "ExportTableToPointInTime"),
            5 => ("s3.amazonaws.com", "GetObject"),
            6 => ("ec2.amazonaws.com", "DescribeInstances"),
            _ => ("dynamodb.amazonaws.com", "Query"),
        };
        let user = if minute > 200 { "mallory" } else { user };
        let extra = match minute % 40 {
            9 => r#","errorCode":"AccessDenied","errorMessage":"no""#,
            _ => "",
        };
        lines.push(record(minute, source, action, user, extra));
    }
    // Left out by their rules' queries.
    lines.push(
        record(241, "sts.amazonaws.com", "GetCallerIdentity", "dave", "")
            .replace(r#""type":"IAMUser""#, r#""type":"AssumedRole""#),
    );
    lines.push(
        record(242, "ssm.amazonaws.com", "SendCommand", "erin", "")
            .replace(&format!("203.0.113.{}", 242 % 7 + 1), "ssm.amazonaws.com"),
    );
    lines.push("not json".into());
    lines.push(r#"{"neither":"cloudtrail"}"#.into());
    lines
}

fn ctx() -> Context {
    Context::event_time()
}

fn set_alerts(set: &mut RuleSet, lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for line in lines {
        out.extend(
            set.process(line.as_bytes(), ctx())
                .iter()
                .map(Alert::to_json),
        );
    }
    out.extend(set.flush(ctx().detection_time).iter().map(Alert::to_json));
    out
}

/// Each rule's alerts from a detector of its own, in the set's order (by rule).
fn alone(lines: &[String]) -> Vec<Vec<String>> {
    rules()
        .into_iter()
        .map(|rule| {
            let config = Config::for_rule_file(
                rule,
                &DetectorOptions {
                    max_terms: Some(DEFAULT_MAX_TERMS / RULES.len()),
                    ..Default::default()
                },
            )
            .expect("config");
            let mut d = Detector::new(config);
            let mut out = Vec::new();
            for line in lines {
                out.extend(d.process(line.as_bytes(), ctx()).iter().map(Alert::to_json));
            }
            out.extend(d.flush(ctx().detection_time).iter().map(Alert::to_json));
            out
        })
        .collect()
}

fn by_rule(alerts: &[String]) -> Vec<Vec<String>> {
    let ids: Vec<String> = rules().into_iter().map(|r| r.rule_id).collect();
    let mut out = vec![Vec::new(); ids.len()];
    for a in alerts {
        let doc: serde_json::Value = serde_json::from_str(a).expect("alert JSON");
        let id = doc["kibana.alert.rule.rule_id"].as_str().expect("rule_id");
        let i = ids.iter().position(|x| x == id).expect("a loaded rule");
        out[i].push(a.clone());
    }
    out
}

#[test]
fn each_rule_alerts_as_it_would_alone_byte_for_byte() {
    let lines = stream();
    let mut set = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    let alerts = set_alerts(&mut set, &lines);
    let expected = alone(&lines);
    assert_eq!(by_rule(&alerts), expected);
    // Every rule alerted, on its own first-seen principals only.
    let counts: Vec<usize> = expected.iter().map(Vec::len).collect();
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
    // Scan, GetSecretValue, SendCommand and the export are keyed on account and user:
    // alice, bob, carol, mallory. STS on the caller's ARN: the same four; the AssumedRole
    // caller and SSM's own address are left out.
    assert_eq!(counts[1..], [4, 4, 4, 4, 4], "{counts:?}");
    assert!(
        !expected[2].join("").contains("dave"),
        "AssumedRole is excluded"
    );
    assert!(
        !expected[3].join("").contains("erin"),
        "SSM's own address is excluded"
    );
    // The key rule (access key, source address) sees them, and every successful call.
    assert!(expected[0].join("").contains("GetCallerIdentity-dave"));
    let stats = set.stats();
    stats.check().expect("counts add up");
    assert_eq!(stats.input.events_in, lines.len() as u64);
    assert_eq!(stats.input.unparseable, 1);
    assert_eq!(stats.input.not_cloudtrail, 1);
    assert_eq!(stats.rules.len(), RULES.len());
    let alerts_counted: u64 = stats.rules.iter().map(|(_, s)| s.alerts).sum();
    assert_eq!(alerts_counted, alerts.len() as u64);
}

#[test]
fn any_chunking_of_the_stream_and_a_restore_midway_give_the_same_alerts() {
    let lines = stream();
    let mut whole = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    let expected = set_alerts(&mut whole, &lines);
    for cut in [1, 57, 130, lines.len() - 1] {
        let mut first = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
        let mut got = Vec::new();
        for line in &lines[..cut] {
            got.extend(
                first
                    .process(line.as_bytes(), ctx())
                    .iter()
                    .map(Alert::to_json),
            );
        }
        let bytes = first.snapshot();
        let (mut second, report) =
            RuleSet::restore(rules(), &DetectorOptions::default(), &bytes).expect("restores");
        assert_eq!(report.kept.len(), RULES.len());
        assert!(report.dropped.is_empty() && report.started.is_empty());
        got.extend(set_alerts(&mut second, &lines[cut..]));
        assert_eq!(got, expected, "cut at {cut}");
        assert_eq!(second.stats(), whole.stats(), "cut at {cut}");
    }
}

#[test]
fn a_changed_rule_set_keeps_unchanged_rules_and_says_what_it_dropped() {
    let lines = stream();
    let mut set = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    set_alerts(&mut set, &lines);
    let bytes = set.snapshot();
    // Drop the export rule, give the STS rule another version.
    let mut changed = rules();
    changed.retain(|r| !r.name.contains("Exported"));
    let sts = changed
        .iter_mut()
        .find(|r| r.name.contains("GetCallerIdentity"))
        .expect("sts rule");
    sts.version = Some(7);
    let sts_id = sts.rule_id.clone();
    let (mut restored, report) =
        RuleSet::restore(changed, &DetectorOptions::default(), &bytes).expect("restores");
    assert_eq!(report.kept.len(), RULES.len() - 2);
    assert_eq!(report.started, vec![sts_id.clone()]);
    assert_eq!(report.dropped.len(), 2, "{:?}", report.dropped);
    assert!(report.dropped.iter().any(|d| d.contains("not loaded")));
    assert!(report
        .dropped
        .iter()
        .any(|d| d.starts_with(&sts_id) && d.contains("another version")));
    // The kept rules remember everyone; the restarted STS rule alerts again.
    let again = set_alerts(&mut restored, &lines);
    assert!(!again.is_empty());
    assert!(
        again.iter().all(|a| a.contains(&sts_id)),
        "only the restarted rule alerts"
    );
}

#[test]
fn corrupt_snapshots_are_errors() {
    let mut set = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    set_alerts(&mut set, &stream());
    let bytes = set.snapshot();
    let restore = |b: &[u8]| RuleSet::restore(rules(), &DetectorOptions::default(), b).map(|_| ());
    assert!(matches!(
        restore(b"nope"),
        Err(crate::error::SnapshotError::BadMagic)
    ));
    assert!(restore(&bytes[..bytes.len() / 2]).is_err());
    let mut flipped = bytes.clone();
    flipped[40] ^= 1;
    assert!(matches!(
        restore(&flipped),
        Err(crate::error::SnapshotError::Checksum)
    ));
    // A single detector's snapshot is not a set's.
    let single = Detector::new(Config::default()).snapshot();
    assert!(matches!(
        restore(&single),
        Err(crate::error::SnapshotError::BadMagic)
    ));
    assert!(restore(&bytes).is_ok());
}

#[test]
fn documents_no_rule_can_match_are_prefiltered_unread() {
    let mut set = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    // The key rule has no derivable pre-check: with it, nothing is prefiltered.
    let s3 = record(1, "s3.amazonaws.com", "GetObject", "alice", "");
    set.process(s3.as_bytes(), ctx());
    assert_eq!(set.stats().input.prefiltered, 0);
    let mut without_key = rules();
    without_key.retain(|r| !r.name.contains("Long-Term"));
    let mut set = RuleSet::new(without_key, &DetectorOptions::default()).expect("set");
    set.process(s3.as_bytes(), ctx());
    set.process(b"\xff not utf-8", ctx());
    let stats = set.stats();
    assert_eq!((stats.input.prefiltered, stats.input.unparseable), (1, 1));
    set.set_prefilter(false);
    set.process(s3.as_bytes(), ctx());
    assert_eq!(set.stats().input.not_matched, 1);
}

#[test]
fn max_terms_is_shared_out_and_options_a_rule_sets_are_refused() {
    let set = RuleSet::new(
        rules(),
        &DetectorOptions {
            max_terms: Some(600),
            ..Default::default()
        },
    )
    .expect("set");
    assert!(set.rules().all(|c| c.max_terms() == 100));
    for options in [
        r#"{"new_terms_fields":["user.name"]}"#,
        r#"{"history_window":"now-3d"}"#,
        r#"{"profile":"current"}"#,
        r#"{"rule_uuid":"x"}"#,
    ] {
        let options: DetectorOptions = serde_json::from_str(options).expect("options");
        let e = RuleSet::new(rules(), &options).expect_err(&format!("{options:?}"));
        assert!(e.to_string().contains("set by each rule file"), "{e}");
    }
    let mut twice = rules();
    twice.push(twice[0].clone());
    let e = RuleSet::new(twice, &DetectorOptions::default()).expect_err("duplicate");
    assert!(e.to_string().contains("loaded twice"), "{e}");
    assert!(RuleSet::new(Vec::new(), &DetectorOptions::default()).is_err());
}
