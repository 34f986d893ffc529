//! Marshalling: plain objects, exact 64-bit integers, call options and the clock.

use wasm_bindgen_test::wasm_bindgen_test;

use super::*;

fn is_plain_object(value: &JsValue) -> bool {
    value.is_object()
        && !js_sys::Array::is_array(value)
        && js_sys::Object::get_prototype_of(value) == js_sys::Object::get_prototype_of(&obj("{}"))
}

#[wasm_bindgen_test]
fn results_are_plain_objects_and_arrays_never_maps() {
    let mut d = detector("{}");
    let alerts = d
        .process(s(&scan(ALICE, "2024-03-12T06:22:01Z")), none())
        .expect("p");
    let alert = &items(&alerts)[0];
    assert!(is_plain_object(alert));
    assert!(is_plain_object(&get(alert, "aws")));
    assert!(js_sys::Array::is_array(&get(alert, "kibana.space_ids")));
    assert!(!alert.is_instance_of::<js_sys::Map>());
    assert!(is_plain_object(&d.stats().expect("stats")));
    assert!(is_plain_object(
        &JsDetector::default_config().expect("defaults")
    ));
}

#[wasm_bindgen_test]
fn integers_beyond_2_pow_53_arrive_as_exact_bigints() {
    let record = scan(ALICE, "2024-03-12T06:22:01Z").replace(
        r#""tableName":"orders""#,
        r#""tableName":"orders","limit":18446744073709551615,"low":-9007199254740993,"safe":9007199254740991,"__proto__":12345678901234567890"#,
    );
    let mut d = detector("{}");
    let alert = items(&d.process(s(&record), none()).expect("p"))[0].clone();
    let params = get(
        &get(&get(&get(&alert, "aws"), "cloudtrail"), "flattened"),
        "request_parameters",
    );
    let limit = get(&params, "limit");
    assert!(limit.is_bigint(), "{limit:?}");
    assert_eq!(limit, JsValue::from(js_sys::BigInt::from(u64::MAX)));
    assert_eq!(
        get(&params, "low"),
        JsValue::from(js_sys::BigInt::from(-9_007_199_254_740_993_i64))
    );
    assert_eq!(
        get(&params, "safe").as_f64(),
        Some(9_007_199_254_740_991.0),
        "safe stays a number"
    );
    // `__proto__` is an own data property, as JSON.parse makes it, holding the BigInt.
    let own = js_sys::Object::get_own_property_descriptor(
        params.unchecked_ref::<js_sys::Object>(),
        &s("__proto__"),
    );
    assert_eq!(
        get(&own, "value"),
        JsValue::from(js_sys::BigInt::from(12_345_678_901_234_567_890_u64))
    );
    assert!(is_plain_object(&params));
    // NDJSON output keeps the exact text.
    let mut d = detector("{}");
    let text = string(
        &d.process(s(&record), obj(r#"{"output":"ndjson"}"#))
            .expect("p"),
    );
    assert!(text.contains("18446744073709551615") && text.ends_with('\n'));
}

#[wasm_bindgen_test]
fn a_bigint_in_an_input_object_is_refused_with_advice() {
    let event = obj(&scan(ALICE, "2024-03-12T06:22:01Z"));
    js_sys::Reflect::set(&event, &s("big"), &js_sys::BigInt::from(1_u64).into()).expect("set");
    let mut d = detector("{}");
    let (name, message) = thrown(d.process(event, none()));
    assert_eq!(name, "TypeError");
    assert!(
        message.contains("BigInt") && message.contains("JSON text"),
        "{message}"
    );
}

#[wasm_bindgen_test]
fn detection_time_comes_from_the_js_clock_unless_given() {
    let record = s(&scan(ALICE, "2024-03-12T06:22:01Z"));
    let before = js_sys::Date::now();
    let mut d = JsDetector::new(s(&on_arrival("{}")), none()).expect("default");
    let alert = items(&d.process(record.clone(), none()).expect("p"))[0].clone();
    let stamped = js_sys::Date::parse(&string(&get(&alert, "@timestamp")));
    assert!(
        stamped >= before.floor() && stamped <= js_sys::Date::now(),
        "{stamped} vs {before}"
    );

    for (options, expected) in [
        (
            obj(r#"{"detectionTime":1700000000123}"#),
            "2023-11-14T22:13:20.123Z",
        ),
        (
            obj(r#"{"detectionTime":"event"}"#),
            "2024-03-12T06:22:01.000Z",
        ),
    ] {
        let mut d = JsDetector::new(s(&on_arrival("{}")), none()).expect("default");
        let alert = items(&d.process(record.clone(), options).expect("p"))[0].clone();
        assert_eq!(string(&get(&alert, "@timestamp")), expected);
    }
    let date = obj("{}");
    let when = js_sys::Date::new(&JsValue::from_f64(1_600_000_000_000.0));
    js_sys::Reflect::set(&date, &s("detectionTime"), &when).expect("set");
    let mut d = JsDetector::new(s(&on_arrival("{}")), date).expect("a Date as the default");
    let alert = items(&d.process(record, none()).expect("p"))[0].clone();
    assert_eq!(
        string(&get(&alert, "@timestamp")),
        "2020-09-13T12:26:40.000Z"
    );
}

#[wasm_bindgen_test]
fn bad_options_throw_named_errors() {
    let mut d = detector("{}");
    let record = s(&scan(ALICE, "2024-03-12T06:22:01Z"));
    for (options, needle) in [
        (
            r#"{"detection_time":"event"}"#,
            "unknown option `detection_time`",
        ),
        (r#"{"detectionTime":"soon"}"#, "`detectionTime` must be"),
        (r#"{"detectionTime":1e300}"#, "valid time"),
        (
            r#"{"output":"csv"}"#,
            "`output` must be 'objects' or 'ndjson'",
        ),
        (r#"{"input":"lines"}"#, "`input` must be 'auto' or 'ndjson'"),
        (r#"{"validateAll":true}"#, "unknown option `validateAll`"),
    ] {
        let (name, message) = thrown(d.process(record.clone(), obj(options)));
        assert_eq!(name, "OptionsError", "{options}");
        assert!(message.contains(needle), "{options}: {message}");
    }
    let (name, _) = thrown(d.process(record, s("event")));
    assert_eq!(name, "TypeError");
    let (name, message) = thrown(JsDetector::new(none(), obj(r#"{"validateAll":"yes"}"#)));
    assert_eq!(name, "OptionsError");
    assert!(
        message.contains("`validateAll` must be true or false"),
        "{message}"
    );
}

#[wasm_bindgen_test]
fn fallback_time_dates_events_that_carry_none() {
    let timeless = scan(ALICE, "x").replace(r#""eventTime":"x","#, "");
    let mut d = detector("{}");
    assert!(items(&d.process(s(&timeless), none()).expect("p")).is_empty());
    assert_eq!(
        get(&d.stats().expect("stats"), "no_timestamp").as_f64(),
        Some(1.0)
    );
    let alerts = d
        .process(s(&timeless), obj(r#"{"fallbackTime":1710224521000}"#))
        .expect("p");
    let alert = &items(&alerts)[0];
    assert_eq!(
        string(&get(alert, "@timestamp")),
        "2024-03-12T06:22:01.000Z"
    );
}
