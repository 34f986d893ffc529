use super::*;

#[test]
fn defaults_are_the_seed_rule() {
    let c = Config::default();
    assert_eq!(c.rule.version, 3);
    assert_eq!(c.new_terms_fields, ["aws.cloudtrail.user_identity.arn"]);
    assert_eq!(c.history_window.to_string(), "14d");
    assert_eq!(c.from.as_date_math(), "now-9m");
    assert_eq!(c.interval.to_string(), "5m");
    assert_eq!(c.max_signals.get(), 100);
    assert_eq!(c.timestamp_override, "event.ingested");
    assert!(c.timestamp_fallback);
    assert_eq!(c.max_terms.get(), 1_000_000);
    assert_eq!(c.learning_period.millis(), 0);
    assert_eq!(c.space_id, "default");
    assert_eq!(c.rule_uuid, "96b2a03e-003b-11f0-8541-f661ea17fbcd");
    assert_eq!(c.rule.dataset_field, "event.dataset");
}

#[test]
fn current_profile_is_elastics_version_6() {
    let c = Config::from_json(r#"{"profile": "current"}"#).expect("valid");
    assert_eq!(c.rule.version, 6);
    assert_eq!(c.new_terms_fields, ["cloud.account.id", "user.name"]);
    assert_eq!(c.history_window.to_string(), "10d");
    assert_eq!(c.from.as_date_math(), "now-6m");
    assert_eq!(c.rule.dataset_field, "data_stream.dataset");
    assert!(c.rule.threat[1].techniques.iter().any(|t| t.0 == "T1213"));
    assert_eq!(Config::from_json(r#"{"profile": "v6"}"#).expect("alias"), c);
}

#[test]
fn effective_config_round_trips() {
    for text in [
        "{}",
        r#"{"profile":"current","max_terms":5,"learning_period":"1d","exceptions":[{"entries":[{"field":"user.name","type":"match","value":"x"}]}]}"#,
    ] {
        let c = Config::from_json(text).expect("valid");
        let again = Config::from_json(&c.to_json_pretty()).expect("round trip");
        assert_eq!(c, again);
    }
}

/// `src/README.md` test plan items 54–56: configuration validation with Kibana's messages.
#[test]
fn item_54_to_56_invalid_configs_name_the_problem() {
    let cases: &[(&str, &str)] = &[
        (r#"{"history_window":"9m"}"#, "History window size is smaller than rule interval + additional lookback, 'historyWindowStart' must be earlier than 'from'"),
        (r#"{"history_window":"5m"}"#, "'historyWindowStart' must be earlier than 'from'"),
        (r#"{"history_window":"1h","from":"now-2h"}"#, "must be earlier than 'from'"),
        (r#"{"new_terms_fields":[]}"#, "new_terms_fields: must name 1 to 3 fields, got 0"),
        (r#"{"new_terms_fields":["a","b","c","d"]}"#, "got 4"),
        (r#"{"new_terms_fields":["a","a"]}"#, "listed twice"),
        (r#"{"new_terms_fields":[" "]}"#, "must not be empty"),
        (r#"{"history_window":"14x"}"#, "history_window: `14x` has unknown unit"),
        (r#"{"interval":"soon"}"#, "interval: `soon` has no amount"),
        (r#"{"interval":"0s"}"#, "interval: must be longer than zero"),
        (r#"{"learning_period":"now-1d"}"#, "learning_period: `now-1d` is date math"),
        (r#"{"max_signals":0}"#, "max_signals: must be at least 1"),
        (r#"{"max_terms":0}"#, "max_terms: must be at least 1"),
        (r#"{"max_term":5}"#, "unknown field `max_term`"),
        (r#"{"profile":"v9"}"#, "unknown variant `v9`"),
        (r#"{"space_id":""}"#, "space_id: must not be empty"),
        (r#"{"timestamp_override":""}"#, "timestamp_override"),
        ("[1]", "config is not valid JSON for this detector"),
        ("{", "config is not valid JSON"),
    ];
    for (text, want) in cases {
        let err = Config::from_json(text).expect_err(text).to_string();
        assert!(err.contains(want), "{text}: got `{err}`, want `{want}`");
    }
}

#[test]
fn valid_overrides_apply() {
    let c = Config::from_json(
        r#"{"new_terms_fields":["cloud.account.id","user.name","source.ip"],"history_window":"now-30d",
            "timestamp_override":"@timestamp","timestamp_fallback":false,"max_signals":3,"interval":"1h",
            "max_terms":10,"learning_period":"7d","space_id":"prod","rule_uuid":"abc"}"#,
    )
    .expect("valid");
    assert_eq!(c.new_terms_fields.len(), 3);
    assert_eq!(c.history_window.millis(), 30 * 86_400_000);
    assert_eq!(c.timestamp_override, "@timestamp");
    assert!(!c.timestamp_fallback);
    assert_eq!((c.max_signals.get(), c.max_terms.get()), (3, 10));
    assert_eq!(c.interval.millis(), 3_600_000);
    assert_eq!(c.learning_period.millis(), 7 * 86_400_000);
    assert_eq!((c.space_id.as_str(), c.rule_uuid.as_str()), ("prod", "abc"));
}

#[test]
fn rule_files_are_refused_where_one_rule_runs() {
    let e = Config::from_json(r#"{"rules": ["rules/aws"]}"#).expect_err("rules");
    assert!(
        e.to_string()
            .starts_with("rules: rule files run as a rule set"),
        "{e}"
    );
}
