//! Arbitrary bytes as a snapshot: restore fails cleanly or yields a working detector whose
//! own snapshot restores to the same state.
#![no_main]

use dynamodb_scan_detector::{Config, Context, Detector};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let config = Config::from_json(r#"{"max_terms": 64}"#).unwrap_or_default();
    if let Ok(mut d) = Detector::restore(config.clone(), bytes) {
        let again = Detector::restore(config, &d.snapshot()).expect("a restored detector's snapshot restores");
        assert_eq!(again.stats(), d.stats());
        assert!(d.stats().tracked_terms <= 64);
        let scan = br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","eventTime":"2024-01-01T00:00:00Z","userIdentity":{"arn":"a"}}"#;
        d.process(scan, Context::event_time());
        d.stats().check().expect("counts add up after restore");
    }
});
