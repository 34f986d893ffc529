//! The suite shared by the Node and browser runs: the `Detector` class is driven
//! through the same `JsValue`s JavaScript passes, and its results are read back as
//! JavaScript sees them. Expected alerts come from the core run directly in the same
//! module, so the bindings are held to "marshalling only".

mod api;
mod state;
mod values;

use dynamodb_scan_detector::bindings::js::JsDetector;
use dynamodb_scan_detector::input::documents::{Format, Item, Limits};
use dynamodb_scan_detector::input::reader::Reader;
use dynamodb_scan_detector::{Config, Context, Detector};
use js_sys::{Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

pub const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
pub const BOB: &str = "arn:aws:iam::123456789012:user/bob";

/// A raw CloudTrail record of a successful DynamoDB Scan by `arn` at `time`.
pub fn scan(arn: &str, time: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{time}","eventSource":"dynamodb.amazonaws.com","eventName":"Scan","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.2","userIdentity":{{"type":"IAMUser","arn":"{arn}","userName":"x"}},"requestParameters":{{"tableName":"orders"}},"eventID":"id-{arn}-{time}"}}"#
    )
}

/// A real third-party NDJSON file with successful Scans (IBM's DynamoDB connector tests).
pub const IBM_NDJSON: &str = include_str!(
    "../data/third-party/ibm-universal-connectors-dynamodb/DynamodbGuardiumPluginFilterTest.ndjson"
);
/// A real CloudTrail S3 delivery file (`{"Records":[…]}`, pretty-printed).
pub const IBM_RECORDS: &str = include_str!(
    "../data/third-party/ibm-universal-connectors-dynamodb/s3_sqs_input_test.Records.json"
);

pub fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

pub fn obj(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or_else(|e| panic!("test JSON {json}: {e:?}"))
}

pub fn none() -> JsValue {
    JsValue::UNDEFINED
}

/// `{detectionTime: 'event'}`, the reproducible detection time.
pub fn event_time() -> JsValue {
    obj(r#"{"detectionTime":"event"}"#)
}

/// `config` with a reorder window of `0s` unless it sets one: the suite holds the
/// bindings to the core record by record; the window's own tests set a window.
pub fn on_arrival(config: &str) -> String {
    let mut options: serde_json::Value = serde_json::from_str(config).expect("test config is JSON");
    if options.get("reorder_window").is_none() {
        options["reorder_window"] = "0s".into();
    }
    options.to_string()
}

pub fn detector(config: &str) -> JsDetector {
    JsDetector::new(s(&on_arrival(config)), event_time())
        .unwrap_or_else(|e| panic!("{config}: {e:?}"))
}

/// A detector that parses and classifies every record (`validateAll`).
pub fn validating(config: &str) -> JsDetector {
    let options = obj(r#"{"detectionTime":"event","validateAll":true}"#);
    JsDetector::new(s(&on_arrival(config)), options).unwrap_or_else(|e| panic!("{config}: {e:?}"))
}

/// `value[key]`.
pub fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &s(key)).unwrap_or_else(|e| panic!("get {key}: {e:?}"))
}

/// The elements of a JavaScript array.
pub fn items(value: &JsValue) -> Vec<JsValue> {
    assert!(js_sys::Array::is_array(value), "not an array: {value:?}");
    value.unchecked_ref::<js_sys::Array>().iter().collect()
}

pub fn string(value: &JsValue) -> String {
    value
        .as_string()
        .unwrap_or_else(|| panic!("not a string: {value:?}"))
}

/// `JSON.stringify(value)`.
pub fn stringify(value: &JsValue) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| panic!("cannot stringify {value:?}"))
}

/// The error a call threw: `(name, message)`.
pub fn thrown<T>(result: Result<T, JsValue>) -> (String, String) {
    let Err(error) = result else {
        panic!("the call should throw");
    };
    let error: js_sys::Error = error.dyn_into().expect("an Error");
    (String::from(error.name()), String::from(error.message()))
}

/// The documents the core's reader cuts `batch` into, read whole.
pub fn each_document(batch: &[u8], format: Format, out: &mut dyn FnMut(&[u8])) {
    let mut reader = Reader::new(format, Limits::default());
    let mut item = |item: Item<'_>| match item {
        Item::Document { bytes, .. } => out(bytes),
        other => panic!("a test batch is read whole: {other:?}"),
    };
    reader.feed(batch, &mut item);
    reader.finish(&mut item);
}

/// What the core itself emits for `batch` (NDJSON lines), alert by alert, as JSON text.
pub fn core_alerts(config: &str, batch: &str) -> Vec<String> {
    let mut core = Detector::new(Config::from_json(&on_arrival(config)).expect("valid config"));
    let mut out = Vec::new();
    each_document(batch.as_bytes(), Format::Auto, &mut |doc| {
        for alert in core.process(doc, Context::event_time()) {
            out.push(alert.to_json());
        }
    });
    out
}

/// Each alert object re-serialised through JSON.parse, so key order matches what
/// `JSON.stringify` gives for the objects the bindings returned.
pub fn as_js_text(json_texts: &[String]) -> Vec<String> {
    json_texts.iter().map(|t| stringify(&obj(t))).collect()
}
