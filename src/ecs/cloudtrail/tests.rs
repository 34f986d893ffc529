use super::*;
use serde_json::json;

fn map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

#[test]
fn outcome_follows_non_empty_error_fields() {
    let cases = [
        (json!({"eventName": "Scan"}), "success"),
        (json!({"eventName": "Scan", "errorCode": ""}), "success"),
        (
            json!({"eventName": "Scan", "errorCode": null, "errorMessage": {}}),
            "success",
        ),
        (
            json!({"eventName": "Scan", "errorCode": "AccessDenied"}),
            "failure",
        ),
        (
            json!({"eventName": "Scan", "errorMessage": "denied"}),
            "failure",
        ),
        (
            json!({"eventName": "ConsoleLogin", "errorMessage": "x", "responseElements": {"ConsoleLogin": "Success"}}),
            "success",
        ),
    ];
    for (raw, want) in cases {
        let ecs = to_ecs(map(raw.clone()));
        assert_eq!(ecs["event"]["outcome"], want, "{raw}");
    }
}

#[test]
fn assumed_role_user_name_is_the_role_and_source_ip_needs_an_ip() {
    let ecs = to_ecs(map(json!({
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/R/s", "accountId": "1",
            "sessionContext": {"sessionIssuer": {"userName": "R", "type": "Role"}}},
        "sourceIPAddress": "dynamodb.amazonaws.com",
        "eventTime": "2024-01-01T00:00:00Z"
    })));
    assert_eq!(ecs["user"]["name"], "R");
    assert_eq!(ecs["source"]["address"], "dynamodb.amazonaws.com");
    assert!(ecs["source"].get("ip").is_none());
    assert_eq!(ecs["@timestamp"], "2024-01-01T00:00:00.000Z");
    assert_eq!(ecs["cloud"]["account"]["id"], "1");
    let v6 = to_ecs(map(json!({"sourceIPAddress": "2001:db8::1"})));
    assert_eq!(v6["source"]["ip"], "2001:db8::1");
}

#[test]
fn tls_versions_split() {
    assert_eq!(split_tls_version("TLSv1.3"), ("tls".into(), "1.3".into()));
    assert_eq!(split_tls_version("TLSv1.2"), ("tls".into(), "1.2".into()));
}
