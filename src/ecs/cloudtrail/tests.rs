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
    type Split<'a> = Option<(Option<&'a str>, &'a str)>;
    let cases: [(&str, Split); 5] = [
        ("TLSv1.3", Some((Some("tls"), "1.3"))),
        ("TLSv1.2", Some((Some("tls"), "1.2"))),
        // aws 8.9.0 (test-tls-details-json): a bare number is a version with no protocol.
        ("1.3", Some((None, "1.3"))),
        ("tlsVersion", None),
        ("", None),
    ];
    for (input, want) in cases {
        let want = want.map(|(p, v)| (p.map(str::to_owned), v.to_owned()));
        assert_eq!(split_tls_version(input), want, "{input}");
    }
}

#[test]
fn tls_details_with_a_version_that_is_no_version_give_no_tls_fields() {
    let with = |tls: Value| {
        to_ecs(map(
            json!({"eventName": "X", "eventTime": "2025-03-28T09:23:59Z",
                          "tlsDetails": tls}),
        ))
    };
    // aws 8.9.0 test-tls-details-json, Grafana record: placeholder text, no `tls.*`.
    let doc = with(
        json!({"tlsVersion": "tlsVersion", "cipherSuite": "cipherSuite",
                          "clientProvidedHostHeader": "clientProvidedHostHeader"}),
    );
    assert!(!doc.contains_key("tls"), "{doc:?}");
    // Same file, s3express record: a bare `1.3` keeps everything but the protocol.
    let doc = with(
        json!({"tlsVersion": "1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                          "clientProvidedHostHeader": "h.example"}),
    );
    assert_eq!(
        doc["tls"],
        json!({"version": "1.3", "cipher": "TLS_AES_128_GCM_SHA256",
               "client": {"server_name": "h.example"}})
    );
    // test-open-control-channel-json: no `tlsVersion`, the server name still maps.
    let doc = with(json!({"clientProvidedHostHeader": "ssmmessages.us-east-1.amazonaws.com"}));
    assert_eq!(
        doc["tls"],
        json!({"client": {"server_name": "ssmmessages.us-east-1.amazonaws.com"}})
    );
}

/// Fields aws 8.9.0 added that a DynamoDB Scan record can carry.
#[test]
fn console_sessions_and_service_actors_as_aws_8_9_maps_them() {
    let scan = |identity: Value| {
        to_ecs(map(json!({
            "eventSource": "dynamodb.amazonaws.com", "eventName": "Scan",
            "userIdentity": identity, "sessionCredentialFromConsole": "true",
            "recipientAccountId": "111122223333", "sourceIPAddress": "10.0.0.1",
        })))
    };
    let role = scan(json!({
        "type": "AssumedRole", "principalId": "AROA1:jo", "accountId": "111122223333",
        "arn": "arn:aws:sts::111122223333:assumed-role/Ops/jo",
        "sessionContext": {"ec2RoleDelivery": "2.0", "sessionIssuer": {
            "userName": "Ops", "arn": "arn:aws:iam::111122223333:role/Ops"}},
    }));
    let ct = &role["aws"]["cloudtrail"];
    assert_eq!(ct["session_credential_from_console"], "true");
    assert_eq!(
        ct["user_identity"]["session_context"]["ec2_role_delivery"],
        "2.0"
    );
    assert_eq!(role["user"]["name"], "Ops");
    assert_eq!(
        role["user"]["entity"]["id"],
        json!(["arn:aws:iam::111122223333:role/Ops"])
    );
    assert_eq!(role["related"]["user"], json!(["jo", "AROA1:jo", "Ops"]));
    assert_eq!(role["related"]["ip"], json!(["10.0.0.1"]));
    assert!(role.get("service").is_none());

    let service = scan(json!({"type": "AWSService", "invokedBy": "backup.amazonaws.com"}));
    assert_eq!(service["service"]["name"], "backup.amazonaws.com");
    assert!(service.get("user").is_none(), "{service:?}");
    assert!(service["related"].get("user").is_none());
    assert_eq!(service["cloud"]["account"]["id"], "111122223333");
}

#[test]
fn creation_dates_extended_and_basic() {
    let cases = [
        ("2019-10-02T21:50:54Z", Some("2019-10-02T21:50:54.000Z")),
        ("20131102T010628Z", Some("2013-11-02T01:06:28.000Z")),
        ("20131102T0106Z", None),
        ("2013110xT010628Z", None),
        ("yesterday", None),
    ];
    for (input, want) in cases {
        let got = creation_date(input).map(crate::time::format_timestamp);
        assert_eq!(got.as_deref(), want, "{input}");
    }
}

/// The document's key order is its write order (the alert's bytes depend on it): where a
/// group's key takes its place when a later member fills it, and that an empty group
/// leaves no key. (Values are compared as text: map equality ignores order.)
#[test]
fn keys_in_the_order_the_groups_write_them() {
    let cases = [
        // `flattened` takes its place before the first object it holds, after the texts
        // of members that are no objects.
        (
            json!({"requestParameters": "text", "responseElements": {"a": 1},
                   "serviceEventDetails": {"b": 2}, "eventVersion": "1.08"}),
            r#"{"cloud":{"provider":"aws"},"event":{"kind":"event","type":["info"],"outcome":"success","dataset":"aws.cloudtrail","module":"aws"},"data_stream":{"type":"logs","dataset":"aws.cloudtrail","namespace":"default"},"ecs":{"version":"8.11.0"},"aws":{"cloudtrail":{"event_version":"1.08","request_parameters":"text","flattened":{"response_elements":{"a":1},"service_event_details":{"b":2}},"response_elements":"{a=1}","service_event_details":"{b=2}"}}}"#,
        ),
        // `related` keeps the place its `ip` gave it, before `user`, though `user` is
        // written into it last; with no address it follows `user`.
        (
            json!({"sourceIPAddress": "192.0.2.1",
                   "userIdentity": {"type": "IAMUser", "userName": "bob", "principalId": "AIDA1"}}),
            r#"{"cloud":{"provider":"aws"},"event":{"kind":"event","type":["info"],"outcome":"success","dataset":"aws.cloudtrail","module":"aws"},"data_stream":{"type":"logs","dataset":"aws.cloudtrail","namespace":"default"},"ecs":{"version":"8.11.0"},"source":{"address":"192.0.2.1","ip":"192.0.2.1"},"related":{"ip":["192.0.2.1"],"user":["AIDA1","bob"]},"user":{"name":"bob","id":"AIDA1"},"aws":{"cloudtrail":{"user_identity":{"type":"IAMUser"}}}}"#,
        ),
        (
            json!({"userIdentity": {"type": "IAMUser", "userName": "bob"}}),
            r#"{"cloud":{"provider":"aws"},"event":{"kind":"event","type":["info"],"outcome":"success","dataset":"aws.cloudtrail","module":"aws"},"data_stream":{"type":"logs","dataset":"aws.cloudtrail","namespace":"default"},"ecs":{"version":"8.11.0"},"user":{"name":"bob"},"related":{"user":["bob"]},"aws":{"cloudtrail":{"user_identity":{"type":"IAMUser"}}}}"#,
        ),
        // Empty groups leave no key: a TLS object with none of its fields, a console
        // sign-in with none of the extras, a session context with no attributes.
        (
            json!({"eventName": "ConsoleLogin", "additionalEventData": {"Other": "x"},
                   "tlsDetails": {"other": 1},
                   "userIdentity": {"type": "Root", "sessionContext": {"attributes": {}}}}),
            r#"{"cloud":{"provider":"aws"},"event":{"kind":"event","type":["info"],"action":"ConsoleLogin","outcome":"success","dataset":"aws.cloudtrail","module":"aws"},"data_stream":{"type":"logs","dataset":"aws.cloudtrail","namespace":"default"},"ecs":{"version":"8.11.0"},"aws":{"cloudtrail":{"user_identity":{"type":"Root"},"flattened":{"additional_eventdata":{"Other":"x"}},"additional_eventdata":"{Other=x}"}}}"#,
        ),
    ];
    for (raw, want) in cases {
        let ecs = to_ecs(map(raw.clone()));
        assert_eq!(
            serde_json::to_string(&ecs).unwrap_or_default(),
            want,
            "{raw}"
        );
    }
}
