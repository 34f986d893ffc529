//! Arbitrary bytes as one input document: normalisation never panics, the counts add up,
//! and the fast path (pre-check + raw view) gives exactly the full path's alerts.
#![no_main]

use dynamodb_scan_detector::{Config, Context, DetectionTime, Detector};
use libfuzzer_sys::fuzz_target;

fn run(doc: &[u8], fast: bool, config: &Config) -> (Vec<String>, u64, u64) {
    let mut d = Detector::new(config.clone());
    d.set_prefilter(fast);
    d.set_fast_path(fast);
    let mut alerts: Vec<String> = d.process(doc, Context::event_time()).iter().map(|a| a.to_json()).collect();
    alerts.extend(d.flush(DetectionTime::EventTime).iter().map(|a| a.to_json()));
    let s = d.stats();
    if let Err(e) = s.check() {
        panic!("counts do not add up: {e}");
    }
    (alerts, s.matched, s.recorded)
}

fuzz_target!(|doc: &[u8]| {
    for config in [Config::default(), Config::for_profile(dynamodb_scan_detector::ProfileName::Current)] {
        let fast = run(doc, true, &config);
        let full = run(doc, false, &config);
        assert_eq!(fast, full, "fast and full paths disagree");
    }
});
