//! Items 2–3 and 49–53: the alert body and the field semantics of both profiles.

use serde_json::json;

use super::*;

const RAW_SCAN: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@example.com",
 "arn":"arn:aws:sts::123456789012:assumed-role/analyst/alice@example.com","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE",
 "sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/analyst",
 "accountId":"123456789012","userName":"analyst"},"attributes":{"creationDate":"2024-03-12T06:21:33Z","mfaAuthenticated":"false"}}},
 "eventTime":"2024-03-12T06:22:01Z","eventSource":"dynamodb.amazonaws.com","eventName":"Scan","awsRegion":"us-east-1",
 "sourceIPAddress":"192.0.2.2","userAgent":"aws-cli/2.15.0","requestParameters":{"tableName":"Customers","limit":50},
 "responseElements":null,"requestID":"R1","eventID":"02763b6b-71c0-4a12-a525-2ec46a944eb1","readOnly":true,
 "resources":[{"accountId":"123456789012","type":"AWS::DynamoDB::Table","ARN":"arn:aws:dynamodb:us-east-1:123456789012:table/Customers"}],
 "eventType":"AwsApiCall","apiVersion":"2012-08-10","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data"}"#;

#[test]
fn item_2_alert_body() {
    let mut d = detector("{}");
    let alerts = d.process(RAW_SCAN.as_bytes(), Context::at(1_710_224_600_000));
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0].document();
    let arn = "arn:aws:sts::123456789012:assumed-role/analyst/alice@example.com";
    let expect = [
        ("kibana.alert.new_terms", json!([arn])),
        ("kibana.alert.original_time", json!("2024-03-12T06:22:01.000Z")),
        ("kibana.alert.original_event.action", json!("Scan")),
        ("kibana.alert.original_event.kind", json!("event")),
        ("kibana.alert.original_event.provider", json!("dynamodb.amazonaws.com")),
        ("kibana.alert.original_event.id", json!("02763b6b-71c0-4a12-a525-2ec46a944eb1")),
        ("kibana.alert.original_data_stream.dataset", json!("aws.cloudtrail")),
        ("kibana.alert.ancestors", json!([{"id": "02763b6b-71c0-4a12-a525-2ec46a944eb1", "type": "event", "depth": 0}])),
        ("kibana.alert.depth", json!(1)),
        ("kibana.alert.reason", json!("event with source 192.0.2.2 by analyst created low alert AWS DynamoDB Scan by Unusual User.")),
        ("kibana.alert.severity", json!("low")),
        ("kibana.alert.risk_score", json!(21)),
        ("kibana.alert.status", json!("active")),
        ("kibana.alert.workflow_status", json!("open")),
        ("kibana.alert.rule.name", json!("AWS DynamoDB Scan by Unusual User")),
        ("kibana.alert.rule.rule_id", json!("96b2a03e-003b-11f0-8541-f661ea17fbcd")),
        ("kibana.alert.rule.type", json!("new_terms")),
        ("kibana.alert.rule.rule_type_id", json!("siem.newTermsRule")),
        ("kibana.alert.rule.category", json!("New Terms Rule")),
        ("kibana.alert.rule.interval", json!("5m")),
        ("kibana.alert.rule.from", json!("now-9m")),
        ("kibana.alert.rule.max_signals", json!(100)),
        ("kibana.alert.rule.timestamp_override", json!("event.ingested")),
        ("kibana.alert.rule.version", json!(3)),
        ("kibana.space_ids", json!(["default"])),
        ("@timestamp", json!("2024-03-12T06:23:20.000Z")),
    ];
    for (key, want) in expect {
        assert_eq!(a.get(key), Some(&want), "{key}");
    }
    assert_eq!(a["event.kind"], "signal");
    assert_eq!(
        a["aws"]["cloudtrail"]["request_parameters"],
        "{limit=50, tableName=Customers}"
    );
    assert_eq!(
        a["kibana.alert.rule.parameters"]["new_terms_fields"],
        json!(["aws.cloudtrail.user_identity.arn"])
    );
    assert_eq!(
        a["kibana.alert.rule.parameters"]["history_window_start"],
        "now-14d"
    );
    let threat = &a["kibana.alert.rule.threat"];
    assert_eq!(threat[0]["tactic"]["id"], "TA0010");
    assert_eq!(threat[0]["technique"][0]["id"], "T1567");
    assert_eq!(threat[1]["tactic"]["id"], "TA0009");
    assert_eq!(threat[1]["technique"][0]["id"], "T1530");
    assert_eq!(alerts[0].uuid().len(), 40);
}

#[test]
fn item_3_reason_without_source_ip() {
    let mut d = detector("{}");
    let doc = scan(
        T0,
        json!({"source": {"address": "dynamodb.amazonaws.com"}, "user": {"name": "svc"}, "aws": {"cloudtrail": {"user_identity": {"arn": "arn:s"}}}}),
    );
    let alerts = d.process(&doc, Context::event_time());
    assert_eq!(
        alerts[0].document()["kibana.alert.reason"],
        "event by svc created low alert AWS DynamoDB Scan by Unusual User."
    );
}

fn assumed(role: &str, session: &str, account: &str, t: Millis) -> Vec<u8> {
    RAW_SCAN
        .replace("analyst/alice@example.com", &format!("{role}/{session}"))
        .replace(
            "\"userName\":\"analyst\"",
            &format!("\"userName\":\"{role}\""),
        )
        .replace(
            "\"accountId\":\"123456789012\",\"accessKeyId\"",
            &format!("\"accountId\":\"{account}\",\"accessKeyId\""),
        )
        .replace("2024-03-12T06:22:01Z", &crate::time::format_timestamp(t))
        .into_bytes()
}

#[test]
fn item_49_seed_profile_alerts_per_session_arn() {
    let mut d = detector("{}");
    let docs = [
        assumed("etl", "i-1", "1", T0),
        assumed("etl", "i-2", "1", T0 + 1),
        assumed("etl", "i-1", "1", T0 + 2),
    ];
    assert_eq!(
        run(&mut d, &docs).len(),
        2,
        "each new session name is a new ARN"
    );
}

#[test]
fn item_50_current_profile_keys_on_account_and_user_name() {
    let mut d = detector(r#"{"profile":"current"}"#);
    let docs = [
        assumed("etl", "i-1", "111", T0),
        assumed("etl", "i-2", "111", T0 + 1),
        assumed("etl", "i-1", "222", T0 + 2),
    ];
    let got = run(&mut d, &docs);
    assert_eq!(
        got,
        terms(&[&[json!("111"), json!("etl")], &[json!("222"), json!("etl")]])
    );
    let iam_user = RAW_SCAN
        .replace(
            r#""type":"AssumedRole","principalId""#,
            r#""type":"IAMUser","userName":"alice","principalId""#,
        )
        .replace("\"userName\":\"analyst\"", "\"userName\":\"x\"")
        .replace("2024-03-12T06:22:01Z", &crate::time::format_timestamp(T0));
    let mut d = detector(r#"{"profile":"current"}"#);
    let role_alice = assumed("alice", "s", "123456789012", T0 + DAY);
    assert_eq!(
        run(&mut d, &[iam_user.into_bytes(), role_alice]).len(),
        1,
        "IAM user alice then role alice: one name"
    );
}

#[test]
fn item_51_assumed_role_user_name_is_the_session_issuer() {
    let mut d = detector(r#"{"profile":"current"}"#);
    let alerts = d.process(RAW_SCAN.as_bytes(), Context::event_time());
    assert_eq!(
        alerts[0].new_terms(),
        [json!("123456789012"), json!("analyst")]
    );
    assert_eq!(alerts[0].document()["user"]["name"], "analyst");
}

#[test]
fn item_52_each_profile_reads_its_dataset_field() {
    let only_event_dataset = by("arn:a", T0);
    let mut with_v6_fields = serde_json::from_slice::<Value>(&only_event_dataset).expect("json");
    with_v6_fields["cloud"] = json!({"account": {"id": "1"}});
    with_v6_fields["user"] = json!({"name": "u"});
    let mut only_data_stream = with_v6_fields.clone();
    only_data_stream["event"]
        .as_object_mut()
        .expect("object")
        .remove("dataset");
    let mut only_event = with_v6_fields.clone();
    only_event
        .as_object_mut()
        .expect("object")
        .remove("data_stream");
    let bytes = |v: &Value| serde_json::to_vec(v).expect("json");
    for (profile, doc, want) in [
        ("seed", &only_event, 1),
        ("seed", &only_data_stream, 0),
        ("current", &only_data_stream, 1),
        ("current", &only_event, 0),
    ] {
        let mut d = detector(&format!(r#"{{"profile":"{profile}"}}"#));
        assert_eq!(run(&mut d, &[bytes(doc)]).len(), want, "{profile}");
    }
}

#[test]
fn item_53_objects_are_not_terms_and_both_spellings_resolve() {
    let mut d = detector("{}");
    let nested_object = scan(
        T0,
        json!({"aws": {"cloudtrail": {"user_identity": {"arn": {"value": "x"}}}}}),
    );
    assert!(run(&mut d, &[nested_object]).is_empty());
    let mut d = detector("{}");
    let dotted = br#"{"@timestamp":"2025-01-01T00:00:00.000Z","event.dataset":"aws.cloudtrail","event.provider":"dynamodb.amazonaws.com",
        "event.action":"Scan","event.outcome":"success","aws.cloudtrail.user_identity.arn":"arn:a"}"#;
    assert_eq!(run(&mut d, &[dotted.to_vec()]).len(), 1);
    assert!(
        run(&mut d, &[by("arn:a", T0 + 1)]).is_empty(),
        "nested and dotted spellings are one term"
    );
}
