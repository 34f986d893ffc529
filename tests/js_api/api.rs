//! The methods of `Detector`, each against the core's own output.

use wasm_bindgen_test::wasm_bindgen_test;

use super::*;

#[wasm_bindgen_test]
fn config_is_an_object_json_text_or_nothing() {
    let from_object = JsDetector::new(obj(r#"{"profile":"current"}"#), none()).expect("object");
    let from_text = JsDetector::new(s(r#"{"profile":"current"}"#), none()).expect("text");
    let fields = |d: &JsDetector| stringify(&get(&d.config().expect("config"), "new_terms_fields"));
    assert_eq!(fields(&from_object), r#"["cloud.account.id","user.name"]"#);
    assert_eq!(fields(&from_text), fields(&from_object));
    let default = JsDetector::new(none(), none()).expect("no config");
    assert_eq!(
        stringify(&default.config().expect("config")),
        stringify(&JsDetector::default_config().expect("defaults"))
    );
    assert_eq!(JsDetector::version(), dynamodb_scan_detector::VERSION);
}

#[wasm_bindgen_test]
fn replay_order_is_the_cores_order_of_the_paths() {
    let paths = [
        "AWSLogs/o-1/222/CloudTrail/us-east-1/2026/11/03/222_CloudTrail_us-east-1_20261103T0010Z_A.json.gz",
        "AWSLogs/o-1/111/CloudTrail-Digest/us-east-1/2026/11/03/111_CloudTrail-Digest_us-east-1_t_us-east-1_20261103T000512Z.json.gz",
        "AWSLogs/o-1/111/CloudTrail/us-west-2/2026/11/03/111_CloudTrail_us-west-2_20261103T0005Z_B.json.gz",
        "extra10.json",
        "extra9.json",
    ];
    let array: js_sys::Array = paths.iter().map(|p| s(p)).collect();
    let order = JsDetector::replay_order(array.into()).expect("strings");
    assert_eq!(order, [4, 3, 2, 0]);
    let want: Vec<u32> = dynamodb_scan_detector::input::replay_order::replay_order(&paths)
        .into_iter()
        .map(|i| i as u32)
        .collect();
    assert_eq!(order, want);
    let empty = JsDetector::replay_order(js_sys::Array::new().into()).expect("empty");
    assert!(empty.is_empty());
    let (name, message) = thrown(JsDetector::replay_order(s("a.json")));
    assert_eq!(name, "TypeError");
    assert!(
        message.contains("expected an array of strings"),
        "{message}"
    );
    let mixed: js_sys::Array = [s("a.json"), JsValue::from_f64(1.0)].iter().collect();
    let (name, message) = thrown(JsDetector::replay_order(mixed.into()));
    assert_eq!(name, "TypeError");
    assert!(message.contains("item 1 is number"), "{message}");
}

#[wasm_bindgen_test]
fn an_invalid_config_throws_an_error_naming_the_problem() {
    let (name, message) = thrown(JsDetector::new(obj(r#"{"new_terms_fields":[]}"#), none()));
    assert_eq!(name, "ConfigError");
    assert!(
        message.contains("new_terms_fields") && message.contains("1 to 3"),
        "{message}"
    );
    let (name, message) = thrown(JsDetector::new(obj(r#"{"max_signal":5}"#), none()));
    assert_eq!(name, "ConfigError");
    assert!(message.contains("unknown field `max_signal`"), "{message}");
    let (name, message) = thrown(JsDetector::new(s("{not json"), none()));
    assert_eq!(name, "ConfigError");
    assert!(message.contains("not valid JSON"), "{message}");
    let (name, message) = thrown(JsDetector::new(JsValue::from_f64(3.0), none()));
    assert_eq!(name, "TypeError");
    assert!(
        message.contains("config must be an object or a JSON string"),
        "{message}"
    );
}

#[wasm_bindgen_test]
fn process_alerts_once_per_new_principal_whatever_the_input_type() {
    let mut d = detector("{}");
    let first = d
        .process(s(&scan(ALICE, "2024-03-12T06:22:01Z")), none())
        .expect("text");
    let alerts = items(&first);
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        stringify(&get(&alerts[0], "kibana.alert.new_terms")),
        format!(r#"["{ALICE}"]"#)
    );
    assert_eq!(
        string(&get(&alerts[0], "@timestamp")),
        "2024-03-12T06:22:01.000Z"
    );
    let again = obj(&scan(ALICE, "2024-03-12T07:00:00Z"));
    assert!(items(&d.process(again, none()).expect("object")).is_empty());
    let bytes = js_sys::Uint8Array::from(scan(BOB, "2024-03-12T07:01:00Z").as_bytes());
    assert_eq!(
        items(&d.process(bytes.into(), none()).expect("bytes")).len(),
        1
    );
    let (name, message) = thrown(d.process(JsValue::from_f64(1.0), none()));
    assert_eq!(name, "TypeError");
    assert!(message.starts_with("process: expected"), "{message}");
}

#[wasm_bindgen_test]
fn process_batch_gives_exactly_the_core_alerts_on_real_data() {
    for batch in [IBM_NDJSON, IBM_RECORDS] {
        let expected = core_alerts("{}", batch);
        assert!(!expected.is_empty(), "the real files hold Scans");
        let mut d = detector("{}");
        let got = items(&d.process_batch(s(batch), none()).expect("batch"));
        let got: Vec<String> = got.iter().map(stringify).collect();
        assert_eq!(got, as_js_text(&expected));
        let mut d = detector("{}");
        let ndjson = d
            .process_batch(s(batch), obj(r#"{"output":"ndjson"}"#))
            .expect("ndjson");
        assert_eq!(string(&ndjson).lines().count(), expected.len());
        assert_eq!(
            string(&ndjson),
            expected
                .iter()
                .map(|a| format!("{a}\n"))
                .collect::<String>()
        );
    }
}

#[wasm_bindgen_test]
fn batches_are_ndjson_or_one_document_unless_told_ndjson() {
    let ndjson = format!(
        "{}\n\n{}\r\n{}\n",
        scan(ALICE, "2024-03-12T06:00:00Z"),
        scan(ALICE, "2024-03-12T06:01:00Z"),
        scan(BOB, "2024-03-12T06:02:00Z")
    );
    let mut d = detector("{}");
    assert_eq!(
        items(&d.process_batch(s(&ndjson), none()).expect("ndjson")).len(),
        2
    );
    let pretty = format!(
        "[\n  {},\n  {}\n]\n",
        scan(ALICE, "2024-03-12T06:00:00Z"),
        scan(BOB, "2024-03-12T06:00:00Z")
    );
    let mut d = detector("{}");
    assert_eq!(
        items(&d.process_batch(s(&pretty), none()).expect("array")).len(),
        2
    );
    let mut d = detector("{}");
    // Strictly line by line: `[`, `{alice},` and `]` are unparseable, `{bob}` is a record.
    let strict = d
        .process_batch(s(&pretty), obj(r#"{"input":"ndjson"}"#))
        .expect("strict");
    assert_eq!(items(&strict).len(), 1);
    let stats = d.stats().expect("stats");
    assert_eq!(get(&stats, "unparseable").as_f64(), Some(3.0));
}

#[wasm_bindgen_test]
fn process_records_reports_each_record_and_passes_it_through() {
    let batch = format!(
        "{}\n{{broken\n[1]\n{}\n",
        scan(ALICE, "2024-03-12T06:00:00Z"),
        scan(ALICE, "2024-03-12T06:05:00Z")
    );
    let mut d = validating("{}");
    let reports = items(&d.process_records(s(&batch), none()).expect("records"));
    let verdicts: Vec<String> = reports.iter().map(|r| string(&get(r, "verdict"))).collect();
    assert_eq!(
        verdicts,
        ["recorded", "unparseable", "not_cloudtrail", "recorded"]
    );
    // By default the byte-level pre-check skips what cannot hold a Scan, unparsed.
    let mut quick = detector("{}");
    let skipped = items(&quick.process_records(s(&batch), none()).expect("records"));
    assert_eq!(string(&get(&skipped[1], "verdict")), "prefiltered");
    assert_eq!(string(&get(&skipped[1], "record")), "{broken");
    assert_eq!(
        string(&get(&reports[0], "record")),
        scan(ALICE, "2024-03-12T06:00:00Z")
    );
    assert_eq!(items(&get(&reports[0], "alerts")).len(), 1);
    assert!(string(&get(&reports[1], "reason")).starts_with("invalid JSON"));
    assert!(items(&get(&reports[3], "alerts")).is_empty());

    let pretty_file = format!(
        "{{\n  \"Records\": [\n    {{\"eventSource\": \"dynamodb.amazonaws.com\",\n     \"eventName\": \"Scan\", \"eventTime\": \"2024-03-12T06:00:00Z\", \"note\": \"a  b\",\n     \"userIdentity\": {{\"arn\": \"{BOB}\"}}}}\n  ]\n}}\n"
    );
    let mut d = detector("{}");
    let text = string(
        &d.process_records(s(&pretty_file), obj(r#"{"output":"ndjson"}"#))
            .expect("passthrough"),
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "the record on one line, then its alert: {text}"
    );
    assert_eq!(
        lines[0],
        format!(
            r#"{{"eventSource": "dynamodb.amazonaws.com",      "eventName": "Scan", "eventTime": "2024-03-12T06:00:00Z", "note": "a  b",      "userIdentity": {{"arn": "{BOB}"}}}}"#
        ),
        "line breaks become spaces, as the command line writes them"
    );
    assert!(lines[1].contains("\"kibana.alert.uuid\""));
}

#[wasm_bindgen_test]
fn process_observed_gives_the_batch_alerts_and_every_recorded_scan() {
    let batch = format!(
        "{}\n{{broken\n{}\n{}\n",
        scan(ALICE, "2024-03-12T06:00:00Z"),
        scan(ALICE, "2024-03-12T06:05:00Z"),
        scan(BOB, "2024-03-12T07:00:00Z").replace(
            r#""awsRegion""#,
            r#""recipientAccountId":"444455556666","awsRegion""#
        )
    );
    // The built-in rule's rule_id (Elastic's, for both profiles).
    const RULE: &str = "96b2a03e-003b-11f0-8541-f661ea17fbcd";
    let mut d = detector("{}");
    let out = d
        .process_observed(s(&batch), obj(r#"{"output":"ndjson"}"#))
        .expect("observed");
    let mut plain = detector("{}");
    let want = plain
        .process_batch(s(&batch), obj(r#"{"output":"ndjson"}"#))
        .expect("batch");
    assert_eq!(
        string(&get(&out, "alerts")),
        string(&want),
        "processBatch's alerts"
    );
    assert_eq!(
        stringify(&get(&out, "observed")),
        format!(
            r#"[{{"time":1710223200000,"terms":[["{ALICE}"]],"account":null,"address":"192.0.2.2","rule_id":"{RULE}"}},{{"time":1710223500000,"terms":[["{ALICE}"]],"account":null,"address":"192.0.2.2","rule_id":"{RULE}"}},{{"time":1710226800000,"terms":[["{BOB}"]],"account":"444455556666","address":"192.0.2.2","rule_id":"{RULE}"}}]"#
        ),
        "every recorded scan, new or not, in input order, with the rule that recorded it"
    );
    let objects = d.process_observed(s(&batch), none()).expect("objects");
    assert!(items(&get(&objects, "alerts")).is_empty(), "seen before");
    assert_eq!(items(&get(&objects, "observed")).len(), 3);
}

#[wasm_bindgen_test]
fn learn_records_history_without_alerting() {
    let mut d = detector("{}");
    d.learn(s(&scan(ALICE, "2024-03-12T06:00:00Z")), none())
        .expect("learn");
    assert!(items(
        &d.process(s(&scan(ALICE, "2024-03-13T06:00:00Z")), none())
            .expect("p")
    )
    .is_empty());
    let stats = d.stats().expect("stats");
    assert_eq!(get(&stats, "learned").as_f64(), Some(1.0));
    assert_eq!(get(&stats, "alerts").as_f64(), Some(0.0));
}

/// Byte arrays and strings over 1 MiB are copied into wasm a chunk at a time; what
/// the detector sees must not change: the records, verdicts, alerts and counts are
/// those of the core reading the whole batch at once, whatever falls on a chunk
/// boundary.
#[wasm_bindgen_test]
fn large_batches_read_in_chunks_give_what_the_whole_batch_gives() {
    let filler = |i: usize| {
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"2024-03-12T06:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{{"key":"k{i}"}}}}"#
        )
    };
    let long = format!(
        r#"{{"eventSource":"s3.amazonaws.com","eventName":"GetObject","pad":"{}"}}"#,
        "x".repeat(1_300_000)
    );
    let mut ndjson = String::new();
    for i in 0..15_000 {
        let line = match i % 1000 {
            0 => scan(&format!("{ALICE}-{i}"), "2024-03-12T06:22:01Z"),
            1 => String::new(),
            2 => "{broken".to_owned(),
            3 => format!("{}\r", filler(i)),
            4 => filler(i).replace("GetObject", "GetObjé"),
            500 if i == 7_500 => long.clone(),
            _ => filler(i),
        };
        ndjson.push_str(&line);
        ndjson.push('\n');
    }
    ndjson.push_str(&scan(BOB, "2024-03-12T07:00:00Z")); // no final newline
    let long_first = format!("{long}\n{ndjson}");
    let pretty = format!(
        "[\n{}\n]",
        ndjson
            .lines()
            .filter(|l| l.starts_with('{') && l.ends_with('}'))
            .collect::<Vec<_>>()
            .join(",\n")
    );
    assert!(
        ndjson.len() > 3 << 20 && pretty.len() > 3 << 20,
        "several chunks"
    );
    let run = |batch: JsValue, options: &str| {
        let mut d = detector("{}");
        let text = d
            .process_records(
                batch,
                obj(&format!(
                    r#"{{"output":"ndjson","detectionTime":"event"{options}}}"#
                )),
            )
            .expect("records");
        (string(&text), stringify(&d.stats().expect("stats")))
    };
    for (batch, options) in [
        (&ndjson, ""),
        (&ndjson, r#","input":"ndjson""#),
        (&long_first, ""),
        (&pretty, ""),
        (&pretty, r#","input":"ndjson""#),
    ] {
        let whole = core_passthrough(batch.as_bytes(), !options.is_empty());
        assert!(whole.0.contains("kibana.alert.new_terms"));
        let bytes = js_sys::Uint8Array::from(batch.as_bytes());
        assert!(whole == run(s(batch), options), "string {options}");
        assert!(
            whole == run(bytes.clone().into(), options),
            "Uint8Array {options}"
        );
        assert!(
            whole == run(bytes.buffer().into(), options),
            "ArrayBuffer {options}"
        );
    }
    // A lone surrogate in a long string arrives as U+FFFD, as in a short one.
    let lone = js_sys::JsString::from(ndjson.as_str())
        .concat(&js_sys::JsString::from_char_code1(0xD800).into())
        .concat(&JsValue::from_str("\n"));
    let with_fffd = format!("{ndjson}\u{FFFD}\n");
    assert!(core_passthrough(with_fffd.as_bytes(), false) == run(lone.into(), ""));
    let mut d = detector("{}");
    let bytes = js_sys::Uint8Array::from(ndjson.as_bytes());
    let alerts = items(&d.process_batch(bytes.into(), event_time()).expect("batch"));
    assert_eq!(alerts.len(), 16);
}

/// The passthrough text and the counts of the core reading `batch` whole (as
/// `processRecords` with `output: 'ndjson'` and event time gives them).
fn core_passthrough(batch: &[u8], ndjson: bool) -> (String, String) {
    use dynamodb_scan_detector::bindings::js::engine::Engine;
    use dynamodb_scan_detector::bindings::js::verdict::passthrough;
    use dynamodb_scan_detector::input::documents::Format;
    let options = serde_json::from_str(&on_arrival("{}")).expect("valid");
    let Ok(mut core) = Engine::new(options, None) else {
        panic!("a valid config")
    };
    let mut text = String::new();
    let mut each = |doc: &[u8]| {
        core.process_each(doc, Context::event_time(), &mut |report| {
            passthrough(&report, &mut text)
        })
    };
    let format = if ndjson { Format::Ndjson } else { Format::Auto };
    each_document(batch, format, &mut each);
    let stats = core.stats().to_string();
    (text, stats)
}
