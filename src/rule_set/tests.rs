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

/// Two weeks of two accounts' trails with each rule's first-seen events
/// (tests/tools/family.rs), then a line that is not JSON and one that is not CloudTrail
/// (both holding text the key rule requires, `AKIA`, so that the pre-check passes them on
/// to be read), then two such lines without it, which the pre-check rejects unread.
fn stream() -> Vec<String> {
    let mut lines: Vec<String> = include_str!("../../tests/fixtures/aws-family.ndjson")
        .lines()
        .map(str::to_owned)
        .collect();
    lines.push("not json AKIA".into());
    lines.push(r#"{"neither":"cloudtrail","key":"AKIA"}"#.into());
    lines.push("not json".into());
    lines.push(r#"{"neither":"cloudtrail"}"#.into());
    lines
}

/// A raw record of `action` by `user`.
fn record(source: &str, action: &str, user: &str) -> String {
    format!(
        r#"{{"userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"AKIA{user}","userName":"{user}"}},"eventTime":"2026-11-02T10:00:00Z","eventSource":"{source}","eventName":"{action}","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9","eventID":"{action}-{user}","recipientAccountId":"111122223333"}}"#
    )
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
    // The story of tests/tools/family.rs: the key rule sees four keys, one from two
    // addresses; bob reads the secret again past its 5-day window; the AssumedRole
    // caller is left out of the STS rule and SSM's own calls out of the SSM rule.
    let counts: Vec<usize> = expected.iter().map(Vec::len).collect();
    assert_eq!(counts, [5, 5, 3, 2, 3, 2], "{counts:?}");
    assert!(
        !expected[2].join("").contains("ci-deploy"),
        "AssumedRole is left out"
    );
    assert!(
        !expected[3].join("").contains("ci-deploy"),
        "SSM's own calls are left out"
    );
    let stats = set.stats();
    stats.check().expect("counts add up");
    assert_eq!(stats.input.events_in, lines.len() as u64);
    assert_eq!(stats.input.unparseable, 1);
    assert_eq!(stats.input.not_cloudtrail, 1);
    let mut junk = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    set_alerts(&mut junk, &lines[lines.len() - 2..]);
    assert_eq!(junk.stats().input.prefiltered, 2, "rejected unread");
    assert_eq!(stats.rules.len(), RULES.len());
    let alerts_counted: u64 = stats.rules.iter().map(|(_, s)| s.alerts).sum();
    assert_eq!(alerts_counted, alerts.len() as u64);
}

#[test]
fn any_chunking_of_the_stream_and_a_restore_midway_give_the_same_alerts() {
    let lines = stream();
    let mut whole = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    let expected = set_alerts(&mut whole, &lines);
    for cut in [1, 300, 800, lines.len() - 1] {
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
    let cut = 600;
    let mut whole = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    let mut first = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    let mut uninterrupted = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let alerts = whole.process(line.as_bytes(), ctx());
        if i < cut {
            first.process(line.as_bytes(), ctx());
        } else {
            uninterrupted.extend(alerts.iter().map(Alert::to_json));
        }
    }
    uninterrupted.extend(whole.flush(ctx().detection_time).iter().map(Alert::to_json));
    let bytes = first.snapshot();
    // Drop the export rule, give the STS rule another version.
    let mut changed = rules();
    changed.retain(|r| !r.name.contains("Exported"));
    let sts = changed
        .iter_mut()
        .find(|r| r.name.contains("GetCallerIdentity"))
        .expect("sts rule");
    sts.version = Some(7);
    let sts_rule = sts.clone();
    let (mut restored, report) =
        RuleSet::restore(changed, &DetectorOptions::default(), &bytes).expect("restores");
    assert_eq!(report.kept.len(), RULES.len() - 2);
    assert_eq!(report.started, vec![sts_rule.rule_id.clone()]);
    assert_eq!(report.dropped.len(), 2, "{:?}", report.dropped);
    assert!(report.dropped.iter().any(|d| d.contains("not loaded")));
    assert!(report
        .dropped
        .iter()
        .any(|d| d.starts_with(&sts_rule.rule_id) && d.contains("another version")));
    // The kept rules go on as the uninterrupted run; the STS rule as a new detector.
    let after = set_alerts(&mut restored, &lines[cut..]);
    let of = |alerts: &[String], id: &str| -> Vec<String> {
        alerts.iter().filter(|a| a.contains(id)).cloned().collect()
    };
    for id in &report.kept {
        assert_eq!(of(&after, id), of(&uninterrupted, id), "rule {id}");
    }
    let mut fresh = Detector::new(
        Config::for_rule_file(
            sts_rule.clone(),
            &DetectorOptions {
                max_terms: Some(DEFAULT_MAX_TERMS / (RULES.len() - 1)),
                ..Default::default()
            },
        )
        .expect("config"),
    );
    let mut expected = Vec::new();
    for line in &lines[cut..] {
        expected.extend(
            fresh
                .process(line.as_bytes(), ctx())
                .iter()
                .map(Alert::to_json),
        );
    }
    expected.extend(fresh.flush(ctx().detection_time).iter().map(Alert::to_json));
    assert!(!expected.is_empty());
    assert_eq!(of(&after, &sts_rule.rule_id), expected);
    // An edited rule file keeps its (absent) version: its changed definition decides.
    let mut edited = rules();
    edited[0].new_terms_fields = vec!["user.name".into()];
    let (_, edited_report) =
        RuleSet::restore(edited, &DetectorOptions::default(), &bytes).expect("restores");
    assert_eq!(edited_report.started, vec![rules()[0].rule_id.clone()]);
    assert_eq!(edited_report.kept.len(), RULES.len() - 1);
    assert!(
        edited_report.dropped[0].contains("changed"),
        "{:?}",
        edited_report.dropped
    );
    // Rules that are not a valid set are a config error, not the snapshot's.
    let mut twice = rules();
    twice.push(twice[0].clone());
    assert!(matches!(
        RuleSet::restore(twice, &DetectorOptions::default(), &bytes),
        Err(snapshot::RestoreError::Config(_))
    ));
}

#[test]
fn corrupt_snapshots_are_errors() {
    let mut set = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    set_alerts(&mut set, &stream());
    let bytes = set.snapshot();
    let restore = |b: &[u8]| RuleSet::restore(rules(), &DetectorOptions::default(), b).map(|_| ());
    assert!(matches!(
        restore(b"nope"),
        Err(snapshot::RestoreError::Snapshot(
            crate::error::SnapshotError::BadMagic
        ))
    ));
    assert!(restore(&bytes[..bytes.len() / 2]).is_err());
    let mut flipped = bytes.clone();
    flipped[40] ^= 1;
    assert!(matches!(
        restore(&flipped),
        Err(snapshot::RestoreError::Snapshot(
            crate::error::SnapshotError::Checksum
        ))
    ));
    // A single detector's snapshot is not a set's.
    let single = Detector::new(Config::default()).snapshot();
    assert!(matches!(
        restore(&single),
        Err(snapshot::RestoreError::Snapshot(
            crate::error::SnapshotError::BadMagic
        ))
    ));
    assert!(restore(&bytes).is_ok());
}

#[test]
fn documents_no_rule_can_match_are_prefiltered_unread() {
    let mut set = RuleSet::new(rules(), &DetectorOptions::default()).expect("set");
    // The key rule has no derivable pre-check: with it, nothing is prefiltered.
    let s3 = record("s3.amazonaws.com", "GetObject", "alice");
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

/// A minimal rule file with `query`.
fn rule_with(id: &str, query: &str) -> RuleDefinition {
    let text = format!(
        r#"[rule]
rule_id = "{id}"
name = "{id}"
description = "a test rule"
type = "new_terms"
language = "kuery"
risk_score = 21
severity = "low"
query = '''{query}'''
[rule.new_terms]
field = "new_terms_fields"
value = ["user.name"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-7d"
"#
    );
    parse_rule_file(id, &text).expect("rule")
}

/// The set, and one detector per rule with every shortcut off: the same alerts.
fn assert_full_path_agrees(rules: Vec<RuleDefinition>, lines: &[String]) -> usize {
    let mut set = RuleSet::new(rules.clone(), &DetectorOptions::default()).expect("set");
    let got = set_alerts(&mut set, lines);
    let mut expected = Vec::new();
    for rule in rules {
        let options = DetectorOptions {
            max_terms: Some(DEFAULT_MAX_TERMS / set.rules.len()),
            ..Default::default()
        };
        let mut d = Detector::new(Config::for_rule_file(rule, &options).expect("config"));
        d.set_prefilter(false);
        d.set_fast_path(false);
        let mut alerts = Vec::new();
        for line in lines {
            alerts.extend(d.process(line.as_bytes(), ctx()).iter().map(Alert::to_json));
        }
        alerts.extend(d.flush(ctx().detection_time).iter().map(Alert::to_json));
        expected.push(alerts);
    }
    let mut by_rule = vec![Vec::new(); expected.len()];
    for a in &got {
        let i = set
            .rules()
            .position(|c| {
                a.contains(&format!(
                    "\"kibana.alert.rule.rule_id\":\"{}\"",
                    c.rule_id()
                ))
            })
            .expect("a loaded rule");
        by_rule[i].push(a.clone());
    }
    assert_eq!(by_rule, expected);
    got.len()
}

#[test]
fn numbers_booleans_and_deep_parameters_are_judged_as_on_the_ecs_document() {
    let record = |source: &str, action: &str, params: &str, id: &str| {
        format!(
            r#"{{"eventTime":"2026-11-02T10:00:00Z","eventSource":"{source}","eventName":{action},"userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u","userName":"u"}},"requestParameters":{params},"sourceIPAddress":"203.0.113.9","eventID":"{id}","recipientAccountId":"111122223333"}}"#
        )
    };
    let mut rules = vec![
        rule_with(
            "number",
            r#"event.provider: "dynamodb.amazonaws.com" and event.action: 1"#,
        ),
        rule_with(
            "boolean",
            r#"event.provider: "dynamodb.amazonaws.com" and event.action: true"#,
        ),
    ];
    let mut lines = vec![
        record("dynamodb.amazonaws.com", "1", "null", "e-number"),
        record("dynamodb.amazonaws.com", "true", "null", "e-boolean"),
    ];
    // Parameters nested around the ECS lookup's depth bound (32 levels from the
    // document's root, the parameters' own object 4 levels down).
    for depth in 26..36 {
        let path = vec!["a"; depth].join(".");
        rules.push(rule_with(
            &format!("deep-{depth}"),
            &format!("event.provider: s3.amazonaws.com and aws.cloudtrail.flattened.request_parameters.{path}: x"),
        ));
        let value = (0..depth).fold(r#""x""#.to_owned(), |v, _| format!(r#"{{"a":{v}}}"#));
        lines.push(record(
            "s3.amazonaws.com",
            r#""GetObject""#,
            &value,
            &format!("e-{depth}"),
        ));
    }
    // The number and the boolean alert (a keyword matches them by their text), and the
    // parameters within the bound; those past it are not found, here as there.
    let alerts = assert_full_path_agrees(rules, &lines);
    assert!((3..12).contains(&alerts), "{alerts} alerts");
}
