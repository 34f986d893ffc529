//! Rule files of our own (tests/fixtures/rules/): every supported construct loads, and
//! every refusal names the file, the rule and what is not supported.

use super::parse_rule_file;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/rules/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn a_new_terms_rule_with_every_supported_construct_loads() {
    let rule = parse_rule_file("supported.toml", &fixture("supported.toml")).expect("it loads");
    assert_eq!(rule.rule_id, "00000000-0000-4000-8000-000000000001");
    assert_eq!(rule.name, "Every supported construct");
    assert_eq!(
        rule.new_terms_fields,
        ["cloud.account.id", "user.name", "source.ip"]
    );
    assert_eq!(rule.history_window.millis(), 7 * 86_400_000);
    assert_eq!(rule.lookback.millis(), 9 * 60_000);
    assert_eq!(rule.interval.millis(), 5 * 60_000);
    assert_eq!(
        (rule.severity.as_str(), rule.risk_score, rule.max_signals),
        ("medium", 47, 100)
    );
    assert_eq!(rule.timestamp_override.as_deref(), Some("event.ingested"));
    assert_eq!(rule.investigation_fields, ["user.name", "source.ip"]);
    assert_eq!(rule.threat[0]["tactic"]["id"], "TA0009");
    let matching = serde_json::json!({
        "data_stream": { "dataset": "aws.cloudtrail" },
        "event": { "provider": "secretsmanager.amazonaws.com", "action": "GetSecretValue", "outcome": "success" },
        "user_agent": { "original": "Boto3/1.34 Python/3.12" },
        "aws": { "cloudtrail": { "user_identity": { "type": "AssumedRole" } } },
        "source": { "ip": "203.0.113.7" }
    });
    let serde_json::Value::Object(doc) = matching else {
        unreachable!()
    };
    assert!(rule.query.matches(&doc));
}

#[test]
fn a_rule_reading_fields_raw_cloudtrail_lacks_loads_with_warnings() {
    let text = fixture("supported.toml")
        .replace(
            "and source.ip: *",
            "and source.as.organization.name: (* and not Amazon*)",
        )
        .replace(
            r#"value = ["cloud.account.id", "user.name", "source.ip"]"#,
            r#"value = ["entity.target.id"]"#,
        );
    let rule = parse_rule_file("enriched.toml", &text).expect("it loads");
    assert_eq!(
        rule.warnings,
        [
            "`source.as.organization.name` needs GeoIP/ASN enrichment of the source address, which the detector does not do: on raw CloudTrail the rule cannot see it",
            "`entity.target.id` is written by newer versions of Elastic's AWS integration, not mapped here yet: on raw CloudTrail the rule cannot see it",
        ]
    );
    assert!(
        parse_rule_file("supported.toml", &fixture("supported.toml"))
            .expect("it loads")
            .warnings
            .is_empty()
    );
}

#[test]
fn refusals_name_the_file_the_rule_and_the_reason() {
    let table: &[(&str, &str)] = &[
        ("not-toml.toml", "not-toml.toml: not a rule file: "),
        ("eql.toml", "eql.toml: rule \"An EQL rule\": type \"eql\" is not supported (only new_terms rules run here)"),
        ("esql.toml", "esql.toml: rule \"ES|QL\": language \"esql\" is not supported (only KQL, \"kuery\")"),
        ("suppression.toml", "suppression.toml: rule \"Suppressed\": alert_suppression: duration unit \"d\" is not s, m or h"),
        ("bad-query.toml", "bad-query.toml: rule \"Bad query\": query: KQL, line 2, column 13: a wildcard in a field name (searching many fields) is not supported"),
        ("four-fields.toml", "four-fields.toml: rule \"Four fields\": 4 new-terms fields (Kibana takes one to three)"),
        ("no-history.toml", "no-history.toml: rule \"No history\": [rule.new_terms] needs one history_window_start"),
        ("severity.toml", "severity.toml: rule \"Severity\": severity \"urgent\" is not one of low, medium, high, critical"),
        ("now-math.toml", "now-math.toml: rule \"Now\": query: KQL, line 1, column 1: date math relative to now (`now-1d`) is not supported: the detector judges events by their own time and has no clock"),
    ];
    for (name, expected) in table {
        let refusal = parse_rule_file(name, &fixture(&format!("refused/{name}"))).expect_err(name);
        assert!(
            refusal.to_string().starts_with(expected),
            "{name}: {refusal}"
        );
    }
}

/// Elastic's own file of the DynamoDB rule (version 6, the current profile).
fn elastic_dynamodb_rule() -> super::RuleDefinition {
    let text = std::fs::read_to_string(format!(
        "{}/tests/data/third-party/elastic-detection-rules/exfiltration_dynamodb_scan_by_unusual_user.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the rule file");
    parse_rule_file("exfiltration_dynamodb_scan_by_unusual_user.toml", &text).expect("it loads")
}

#[test]
fn elastics_dynamodb_rule_file_is_the_built_in_current_profile() {
    let rule = elastic_dynamodb_rule();
    let profile = crate::config::profile::ProfileName::Current.profile();
    assert_eq!(rule.rule_id, profile.rule_id);
    assert_eq!(rule.name, profile.rule_name);
    assert_eq!(rule.new_terms_fields, profile.new_terms_fields);
    assert_eq!(rule.history_window, profile.history_window);
    assert_eq!(rule.lookback, profile.from);
    assert_eq!(
        (rule.severity.as_str(), rule.risk_score),
        (profile.severity, profile.risk_score)
    );
    assert_eq!(
        rule.timestamp_override.as_deref(),
        Some(profile.timestamp_override)
    );
    assert_eq!(rule.investigation_fields, profile.investigation_fields);
    assert_eq!(rule.index, profile.index);
}

/// Every raw CloudTrail record of the third-party data, in ECS as the detector maps it,
/// with the dataset the integration gives it.
fn third_party_ecs_documents() -> Vec<serde_json::Map<String, serde_json::Value>> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "ndjson") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/third-party"),
        &mut files,
    );
    let mut docs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for line in text.lines() {
            let Ok(serde_json::Value::Object(record)) = serde_json::from_str(line) else {
                continue;
            };
            if !record.contains_key("eventSource") {
                continue;
            }
            let mut doc = crate::ecs::cloudtrail::to_ecs(record);
            doc.insert("data_stream.dataset".into(), "aws.cloudtrail".into());
            doc.insert("event.dataset".into(), "aws.cloudtrail".into());
            docs.push(doc);
        }
    }
    docs
}

#[test]
fn elastics_query_and_the_built_in_one_agree_on_every_third_party_record() {
    let rule = elastic_dynamodb_rule();
    let built_in = crate::rule::query::Query::new("data_stream.dataset");
    let docs = third_party_ecs_documents();
    assert!(docs.len() > 500, "{} records", docs.len());
    let mut matched = 0;
    for doc in &docs {
        let expected = built_in.matches_ecs(doc);
        assert_eq!(
            rule.query.matches(doc),
            expected,
            "{}",
            serde_json::Value::Object(doc.clone())
        );
        matched += usize::from(expected);
    }
    // The NDJSON files hold one of the two real Scan records (the other is in a .gz).
    assert!(matched >= 1, "a real Scan record matches ({matched})");
}
