//! Arbitrary sequences of events against a detector with small windows and caps: no
//! panic, the state never exceeds its cap, the counts add up, and a snapshot/restore in
//! the middle changes nothing.
#![no_main]

use arbitrary::Arbitrary;
use dynamodb_scan_detector::time::format_timestamp;
use dynamodb_scan_detector::{Config, Context, DetectionTime, Detector};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Event {
    principal: u8,
    second: u8,
    ingested_delay: Option<u8>,
    failed: bool,
    learn: bool,
    array: bool,
}

#[derive(Arbitrary, Debug)]
struct Input {
    max_terms: u8,
    max_signals: u8,
    fields: bool,
    events: Vec<Event>,
    restore_at: u8,
}

fn doc(e: &Event) -> Vec<u8> {
    let t = 1_800_000_000_000i64 + i64::from(e.second) * 1_000;
    let arn = if e.array {
        serde_json::json!([format!("arn:{}", e.principal), format!("arn:{}", e.principal / 2)])
    } else {
        serde_json::json!(format!("arn:{}", e.principal))
    };
    let mut r = serde_json::json!({
        "eventSource": "dynamodb.amazonaws.com", "eventName": "Scan", "eventTime": format_timestamp(t),
        "userIdentity": {"arn": arn, "accountId": format!("{}", e.principal % 3), "userName": format!("u{}", e.principal % 5)},
        "eventID": format!("{}-{}", e.principal, e.second),
    });
    if e.failed {
        r["errorCode"] = serde_json::json!("AccessDenied");
    }
    if let Some(delay) = e.ingested_delay {
        // As an ECS document with event.ingested, so both time fields are exercised.
        let mut ecs = serde_json::json!({
            "@timestamp": format_timestamp(t),
            "event": {"dataset": "aws.cloudtrail", "provider": "dynamodb.amazonaws.com", "action": "Scan",
                      "outcome": if e.failed { "failure" } else { "success" }, "ingested": format_timestamp(t + i64::from(delay) * 1_000),
                      "id": r["eventID"].clone()},
            "aws": {"cloudtrail": {"user_identity": {"arn": r["userIdentity"]["arn"].clone()}}},
            "cloud": {"account": {"id": r["userIdentity"]["accountId"].clone()}},
            "user": {"name": r["userIdentity"]["userName"].clone()},
        });
        ecs["data_stream"] = serde_json::json!({"dataset": "aws.cloudtrail"});
        return serde_json::to_vec(&ecs).unwrap_or_default();
    }
    serde_json::to_vec(&r).unwrap_or_default()
}

fn run(config: &Config, input: &Input, restore_at: Option<usize>) -> (Vec<String>, dynamodb_scan_detector::Stats) {
    let mut d = Detector::new(config.clone());
    let mut out = Vec::new();
    for (i, e) in input.events.iter().enumerate() {
        if restore_at == Some(i) {
            d = Detector::restore(config.clone(), &d.snapshot()).expect("own snapshot restores");
        }
        let bytes = doc(e);
        if e.learn {
            d.learn(&bytes, Context::event_time());
        } else {
            out.extend(d.process(&bytes, Context::event_time()).iter().map(|a| a.to_json()));
        }
        assert!(d.stats().tracked_terms <= u64::from(input.max_terms.max(1)));
    }
    out.extend(d.flush(DetectionTime::EventTime).iter().map(|a| a.to_json()));
    let stats = d.stats();
    stats.check().expect("counts add up");
    (out, stats)
}

fuzz_target!(|input: Input| {
    let fields = if input.fields { r#"["cloud.account.id","user.name"]"# } else { r#"["aws.cloudtrail.user_identity.arn"]"# };
    let config = Config::from_json(&format!(
        r#"{{"new_terms_fields":{fields},"history_window":"20s","from":"now-1s","interval":"5s","max_terms":{},"max_signals":{}}}"#,
        input.max_terms.max(1),
        input.max_signals.max(1)
    ))
    .expect("valid config");
    let whole = run(&config, &input, None);
    let split = run(&config, &input, Some(usize::from(input.restore_at) % (input.events.len() + 1)));
    assert_eq!(whole, split, "a snapshot/restore changed the outcome");
});
