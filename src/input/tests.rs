use super::*;

#[derive(Debug, PartialEq)]
enum Got {
    Rec(String, bool, Option<String>),
    Not(&'static str),
    Bad(String),
}

fn pieces(text: &str) -> Vec<Got> {
    let mut got = Vec::new();
    split(text, &mut |p| {
        got.push(match p {
            Piece::Record(r) => {
                Got::Rec(r.text.to_owned(), r.cloudtrail.is_some(), r.meta.id.clone())
            }
            Piece::NotCloudTrail { reason, .. } => Got::Not(reason),
            Piece::Invalid { error, .. } => Got::Bad(error.to_string()),
        })
    });
    got
}

fn rec(t: &str, ct: bool) -> Got {
    Got::Rec(t.to_owned(), ct, None)
}

#[test]
fn every_shape_yields_its_records_in_order() {
    let r1 = r#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan"}"#;
    let r2 = r#"{"eventName":"PutItem"}"#;
    let ecs = r#"{"event":{"action":"Scan"}}"#;
    let cases: Vec<(String, Vec<Got>)> = vec![
        (r1.to_owned(), vec![rec(r1, true)]),
        (
            format!(r#"{{"Records":[{r1},{r2}]}}"#),
            vec![rec(r1, true), rec(r2, true)],
        ),
        (
            format!("[{r1}, {ecs}]"),
            vec![rec(r1, true), rec(ecs, false)],
        ),
        (
            format!(
                r#"{{"version":"0","detail-type":"AWS API Call via CloudTrail","source":"aws.dynamodb","detail":{r1}}}"#
            ),
            vec![rec(r1, true)],
        ),
        (
            r#"{"detail-type":"EC2 Instance State-change Notification","detail":{}}"#.to_owned(),
            vec![Got::Not("EventBridge event not delivered via CloudTrail")],
        ),
        (
            format!(
                r#"{{"messageType":"DATA_MESSAGE","logEvents":[{{"id":"1","timestamp":1,"message":{}}}]}}"#,
                serde_json::to_string(r1).expect("string")
            ),
            vec![rec(r1, true)],
        ),
        (
            r#"{"messageType":"CONTROL_MESSAGE","logEvents":[]}"#.to_owned(),
            vec![Got::Not("CloudWatch Logs control message")],
        ),
        (
            format!(
                r#"{{"_index":"logs-aws.cloudtrail-default","_id":"abc","_version":3,"_source":{ecs}}}"#
            ),
            vec![Got::Rec(ecs.to_owned(), false, Some("abc".into()))],
        ),
        (
            format!(r#"{{"took":1,"hits":{{"total":1,"hits":[{{"_id":"x","_source":{r1}}}]}}}}"#),
            vec![Got::Rec(r1.to_owned(), true, Some("x".into()))],
        ),
        (
            r#"{"eventSource":"aws:dynamodb","eventName":"INSERT"}"#.to_owned(),
            vec![Got::Not(
                "AWS service record (e.g. DynamoDB Streams), not CloudTrail",
            )],
        ),
        ("42".to_owned(), vec![Got::Not("not a JSON object")]),
        (
            r#"{"Records":{"a":1}}"#.to_owned(),
            vec![Got::Bad("`Records` is not an array".into())],
        ),
        (
            r#"{"Records":[1"#.to_owned(),
            vec![Got::Bad(
                "invalid JSON: EOF while parsing a list at line 1 column 13".into(),
            )],
        ),
    ];
    for (input, want) in cases {
        assert_eq!(pieces(&input), want, "{input}");
    }
}

#[test]
fn awslogs_envelope_inflates_and_guards() {
    use base64::Engine;
    use std::io::Write;
    let payload =
        r#"{"messageType":"DATA_MESSAGE","logEvents":[{"message":"{\"eventName\":\"Scan\"}"}]}"#;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(payload.as_bytes()).expect("in-memory write");
    let data =
        base64::engine::general_purpose::STANDARD.encode(gz.finish().expect("in-memory gzip"));
    let doc = format!(r#"{{"awslogs":{{"data":"{data}"}}}}"#);
    assert_eq!(pieces(&doc), vec![rec(r#"{"eventName":"Scan"}"#, true)]);
    // serde's positional form of a struct, which these readers have always taken: an
    // array instead of the object, for the wrapper and for each log event.
    let positional = format!(r#"{{"awslogs":["{data}"]}}"#);
    assert_eq!(
        pieces(&positional),
        vec![rec(r#"{"eventName":"Scan"}"#, true)]
    );
    assert_eq!(
        pieces(r#"{"logEvents":[["{\"eventName\":\"Scan\"}"]]}"#),
        vec![rec(r#"{"eventName":"Scan"}"#, true)]
    );
    for (doc, error) in [
        (
            r#"{"awslogs":{}}"#,
            "missing field `data` at line 1 column 2",
        ),
        (
            r#"{"awslogs":{"data":null}}"#,
            "invalid type: null, expected a string at line 1 column 12",
        ),
        (r#"{"awslogs":5}"#, "expected struct AwsLogs"),
    ] {
        assert!(
            matches!(&pieces(doc)[..], [Got::Bad(m)] if m.contains(error)),
            "{doc}: {:?}",
            pieces(doc)
        );
    }
    assert_eq!(
        pieces(r#"{"awslogs":{"data":"!!!"}}"#),
        vec![Got::Bad("`awslogs.data` is not valid base64".into())]
    );
    let not_gzip = base64::engine::general_purpose::STANDARD.encode(b"plain text");
    let got = pieces(&format!(r#"{{"awslogs":{{"data":"{not_gzip}"}}}}"#));
    assert!(
        matches!(&got[..], [Got::Bad(m)] if m.starts_with("`awslogs.data` is not valid gzip")),
        "{got:?}"
    );
}

#[test]
fn invalid_utf8_is_one_invalid_piece() {
    let mut got = Vec::new();
    split_bytes(b"{\"a\":\"\xff\"}", &mut |p| {
        got.push(matches!(
            p,
            Piece::Invalid {
                error: InputError::Utf8(6),
                ..
            }
        ))
    });
    assert_eq!(got, [true]);
}

#[test]
fn raw_str_unescapes_strings_only() {
    let raw = |s: &'static str| serde_json::from_str::<&RawValue>(s).expect("raw");
    assert_eq!(raw_str(raw(r#""\u0053can""#)).as_deref(), Some("Scan"));
    assert_eq!(raw_str(raw("5")), None);
}

/// The derived borrowed [`Shape`] keeps the contract the hand-written reader had: keys
/// unescaped before they are compared, `null` as absent, a named key given twice refused
/// (even when one is `null`), other keys skipped but checked, nothing after the object.
#[test]
fn shape_reads_named_members_borrowed() {
    // (document, eventName's raw text or a piece of the error)
    let table: &[(&str, Result<Option<&str>, &str>)] = &[
        (
            r#"{"eventName": "Scan", "x": [1, {"y": 2}]}"#,
            Ok(Some(r#""Scan""#)),
        ),
        (
            r#"{"\u0065ventName": "Sc\u0061n"}"#,
            Ok(Some(r#""Sc\u0061n""#)),
        ),
        (r#"{"eventName": null}"#, Ok(None)),
        (r#"{}"#, Ok(None)),
        (r#"{"z": 1, "z": 2}"#, Ok(None)),
        (
            r#"{"eventName": "A", "eventName": "B"}"#,
            Err("duplicate field `eventName`"),
        ),
        (
            r#"{"eventName": null, "\u0065ventName": "B"}"#,
            Err("duplicate field `eventName`"),
        ),
        (r#"{"z": tru}"#, Err("expected ident")),
        (r#"{"eventName": "Scan"} x"#, Err("trailing characters")),
        (
            r#"{"eventName": "Scan""#,
            Err("EOF while parsing an object"),
        ),
    ];
    for (doc, want) in table {
        let got = serde_json::from_str::<Shape>(doc)
            .map(|s| s.event_name.map(RawValue::get))
            .map_err(|e| e.to_string());
        match (want, &got) {
            (Ok(w), Ok(g)) => assert_eq!(w, g, "{doc}"),
            (Err(w), Err(g)) => assert!(g.contains(w), "{doc}: {g}"),
            _ => panic!("{doc}: want {want:?}, got {got:?}"),
        }
    }
}
