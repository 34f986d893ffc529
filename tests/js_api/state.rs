//! State across calls: the alert cap and flush, snapshot and restore, stats.

use wasm_bindgen_test::wasm_bindgen_test;

use super::*;

const CAP_ONE: &str = r#"{"max_signals":1}"#;

#[wasm_bindgen_test]
fn flush_emits_the_summary_of_the_last_capped_window() {
    let batch = [ALICE, BOB, "arn:aws:iam::123456789012:user/carol"]
        .iter()
        .map(|arn| scan(arn, "2024-03-12T06:01:00Z") + "\n")
        .collect::<String>();
    let mut d = detector(CAP_ONE);
    assert_eq!(
        items(&d.process_batch(s(&batch), none()).expect("batch")).len(),
        1
    );
    let summary = items(&d.flush(none()).expect("flush"));
    assert_eq!(summary.len(), 1);
    let counts = get(&summary[0], "kibana.alert.max_signals_summary");
    assert_eq!(get(&counts, "alerts_suppressed").as_f64(), Some(2.0));
    assert_eq!(get(&counts, "alerts_emitted").as_f64(), Some(1.0));
    assert!(items(&d.flush(none()).expect("flush twice")).is_empty());
    let stats = d.stats().expect("stats");
    assert_eq!(get(&stats, "summaries").as_f64(), Some(1.0));
    assert_eq!(get(&stats, "summarised").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
fn a_restored_snapshot_continues_the_stream() {
    let mut d = detector("{}");
    d.process(s(&scan(ALICE, "2024-03-12T06:00:00Z")), none())
        .expect("p");
    let bytes = d.snapshot();
    let array: JsValue = js_sys::Uint8Array::from(bytes.as_slice()).into();
    let mut restored =
        JsDetector::restore(array.clone(), s(&on_arrival("{}")), event_time()).expect("restore");
    assert!(items(
        &restored
            .process(s(&scan(ALICE, "2024-03-13T06:00:00Z")), none())
            .expect("p")
    )
    .is_empty());
    assert_eq!(
        items(
            &restored
                .process(s(&scan(BOB, "2024-03-13T06:00:00Z")), none())
                .expect("p")
        )
        .len(),
        1
    );
    assert_eq!(
        get(&restored.stats().expect("stats"), "events_in").as_f64(),
        Some(3.0)
    );
    // An ArrayBuffer works too; no config means the defaults.
    let buffer = js_sys::Uint8Array::from(bytes.as_slice()).buffer();
    JsDetector::restore(buffer.into(), none(), none()).expect("from an ArrayBuffer");
}

#[wasm_bindgen_test]
fn bad_snapshots_throw_snapshot_errors() {
    let mut d = detector("{}");
    d.process(s(&scan(ALICE, "2024-03-12T06:00:00Z")), none())
        .expect("p");
    let mut bytes = d.snapshot();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    let corrupt: JsValue = js_sys::Uint8Array::from(bytes.as_slice()).into();
    let (name, message) = thrown(JsDetector::restore(corrupt, none(), none()));
    assert_eq!(name, "SnapshotError");
    assert!(message.starts_with("cannot restore snapshot:"), "{message}");

    let good: JsValue = js_sys::Uint8Array::from(d.snapshot().as_slice()).into();
    let (name, message) = thrown(JsDetector::restore(
        good,
        obj(r#"{"profile":"current"}"#),
        none(),
    ));
    assert_eq!(name, "SnapshotError");
    assert!(message.contains("new_terms_fields"), "{message}");

    let (name, message) = thrown(JsDetector::restore(s("bytes"), none(), none()));
    assert_eq!(name, "TypeError");
    assert!(message.contains("Uint8Array"), "{message}");
}

#[wasm_bindgen_test]
fn stats_add_up_and_state_is_measured() {
    let mut d = validating("{}");
    let batch = format!(
        "{}\nnot json\n{{\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\"}}\n",
        scan(ALICE, "2024-03-12T06:00:00Z")
    );
    d.process_batch(s(&batch), none()).expect("batch");
    let stats = d.stats().expect("stats");
    let n = |k: &str| get(&stats, k).as_f64().unwrap_or(-1.0);
    assert_eq!(n("events_in"), 3.0);
    assert_eq!(
        n("events_in"),
        n("unparseable") + n("not_cloudtrail") + n("not_matched") + n("matched")
    );
    assert_eq!(n("tracked_terms"), 1.0);
    assert!(get(&stats, "last_error").as_string().is_some());
    assert!(d.state_bytes() > 0.0);
}

/// With the default reorder window, a first sighting waits for an event five minutes
/// later (or `flush`): an earlier scan by the same principal delivered after a later
/// one is still the alert, and the passthrough text places it after the record at
/// which it was decided.
#[wasm_bindgen_test]
fn the_reorder_window_judges_in_time_order() {
    let later = scan(ALICE, "2024-03-12T06:00:10Z");
    let earlier = scan(ALICE, "2024-03-12T06:00:00Z");
    let bob = scan(BOB, "2024-03-12T06:05:05Z");
    let mut d = JsDetector::new(s("{}"), event_time()).expect("default config");
    let batch = format!("{later}\n{earlier}\n");
    assert!(items(&d.process_batch(s(&batch), none()).expect("batch")).is_empty());
    assert_eq!(
        get(&d.stats().expect("stats"), "pending").as_f64(),
        Some(2.0)
    );
    let text = string(
        &d.process_records(s(&bob), obj(r#"{"output":"ndjson"}"#))
            .expect("records"),
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains(BOB), "the record first");
    assert!(
        lines[1].contains("\"kibana.alert.new_terms\":[\"arn:aws:iam::123456789012:user/alice\"]")
    );
    assert!(
        lines[1].contains("id-arn:aws:iam::123456789012:user/alice-2024-03-12T06:00:00Z"),
        "the earlier scan alerts"
    );
    let rest = items(&d.flush(none()).expect("flush"));
    assert_eq!(
        rest.len(),
        1,
        "bob's own first sighting at the end of input"
    );
    assert_eq!(get(&d.stats().expect("stats"), "late").as_f64(), Some(0.0));
}
