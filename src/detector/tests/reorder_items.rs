//! The reorder window: matching events judged in time order, however they arrive.

use super::*;

const MIN: Millis = 60_000;

/// Every new-term alert of `docs` (then a flush) as (event id, term, deferred).
fn alerts(d: &mut Detector, docs: &[Vec<u8>]) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    let mut keep = |a: Alert| {
        if a.kind == AlertKind::NewTerm {
            let id = a.document()["kibana.alert.original_event.id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let term = a.new_terms()[0].as_str().unwrap_or_default().to_owned();
            out.push((id, term, a.deferred));
        }
    };
    for doc in docs {
        d.process(doc, Context::event_time())
            .into_iter()
            .for_each(&mut keep);
    }
    d.flush(DetectionTime::EventTime)
        .into_iter()
        .for_each(&mut keep);
    d.stats().check().expect("stats add up");
    out
}

fn ids(alerts: &[(String, String, bool)]) -> Vec<(&str, &str)> {
    let mut v: Vec<(&str, &str)> = alerts
        .iter()
        .map(|(i, t, _)| (i.as_str(), t.as_str()))
        .collect();
    v.sort_unstable();
    v
}

/// One principal scans two regions seconds apart; the later region's file is delivered
/// first. Kibana alerts on the earliest scan; so does the window, and without it the
/// first delivered one alerts.
#[test]
fn a_later_delivered_earlier_scan_is_the_alert() {
    let first = by("arn:enum", T0);
    let second = by("arn:enum", T0 + 5_000);
    let delivered = [second.clone(), by("arn:other", T0 + 4 * MIN), first.clone()];
    let mut d = detector(r#"{"reorder_window":"5m"}"#);
    let got = alerts(&mut d, &delivered);
    let want_first = format!("evt-{T0}");
    assert_eq!(
        ids(&got),
        vec![
            (want_first.as_str(), "arn:enum"),
            (&*format!("evt-{}", T0 + 4 * MIN), "arn:other")
        ]
    );
    assert_eq!(d.stats().late, 0);
    // On arrival (0s), the first delivered scan alerts and the earlier one is late.
    let mut d = detector(r#"{"reorder_window":"0s"}"#);
    let got = alerts(&mut d, &delivered);
    assert!(got
        .iter()
        .any(|(id, _, _)| *id == format!("evt-{}", T0 + 5_000)));
    assert_eq!(d.stats().late, 1);
}

/// Random disorder within the window gives exactly the time-ordered stream's alerts;
/// disorder beyond it is judged on arrival and counted as late.
#[test]
fn disorder_within_the_window_changes_nothing() {
    let mut rng = 0x9E37_79B9_u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let times: Vec<Millis> = (0..600).map(|i| T0 + i * 20_000).collect();
    let docs: Vec<(Millis, Vec<u8>)> = times
        .iter()
        .map(|&t| (t, by(&format!("arn:{}", next() % 40), t)))
        .collect();
    let in_order: Vec<Vec<u8>> = docs.iter().map(|(_, d)| d.clone()).collect();
    let config = r#"{"reorder_window":"5m","history_window":"2h","from":"now-1m"}"#;
    let want = alerts(&mut detector(config), &in_order);
    // Each event delayed by up to 4m59s of event time: arrival order = time + delay.
    let mut shuffled: Vec<(Millis, Vec<u8>)> = docs
        .iter()
        .map(|(t, d)| (t + (next() % 299_000) as Millis, d.clone()))
        .collect();
    shuffled.sort_by_key(|(arrival, _)| *arrival);
    let shuffled: Vec<Vec<u8>> = shuffled.into_iter().map(|(_, d)| d).collect();
    let mut d = detector(config);
    assert_eq!(ids(&alerts(&mut d, &shuffled)), ids(&want));
    assert_eq!((d.stats().late, d.stats().pending), (0, 0));
    // A 1s window cannot absorb that disorder: late arrivals, and different alerts.
    let mut d = detector(r#"{"reorder_window":"1s","history_window":"2h","from":"now-1m"}"#);
    let got = alerts(&mut d, &shuffled);
    assert!(d.stats().late > 0);
    assert_ne!(ids(&got), ids(&want));
}

/// Ties keep arrival order; the event that arrives first among equal times alerts.
#[test]
fn ties_keep_arrival_order() {
    let a = scan(
        T0,
        json!({"event": {"id": "first"}, "aws": {"cloudtrail": {"user_identity": {"arn": "arn:t"}}}}),
    );
    let b = scan(
        T0,
        json!({"event": {"id": "second"}, "aws": {"cloudtrail": {"user_identity": {"arn": "arn:t"}}}}),
    );
    for order in [[a.clone(), b.clone()], [b, a]] {
        let first =
            serde_json::from_slice::<Value>(&order[0]).expect("json")["event"]["id"].clone();
        let got = alerts(&mut detector(r#"{"reorder_window":"5m"}"#), &order);
        assert_eq!(got.len(), 1);
        assert_eq!(json!(got[0].0), first);
    }
}

/// Only events that may be new wait: a scan by a principal seen within the window
/// before it is judged at once, and the alert of a held one is marked deferred when
/// it is decided at a later record.
#[test]
fn only_possible_first_sightings_wait() {
    let mut d = detector(r#"{"reorder_window":"5m"}"#);
    let new = d.process(&by("arn:k", T0), Context::event_time());
    assert!(new.is_empty());
    assert_eq!(d.pending(), 1);
    // Known, but only through the held event: it waits too.
    assert!(d
        .process(&by("arn:k", T0 + MIN), Context::event_time())
        .is_empty());
    assert_eq!(d.pending(), 2);
    // The watermark passes T0 + 5m: the first alert comes with this record, deferred.
    let got = d.process(&by("arn:x", T0 + 5 * MIN), Context::event_time());
    assert_eq!(got.len(), 1);
    assert!(got[0].deferred);
    assert_eq!(got[0].new_terms(), [json!("arn:k")]);
    assert_eq!(d.pending(), 2, "arn:k at T0+1m and arn:x wait");
    // arn:k now has a judged occurrence: a later scan of it is judged at once.
    let held = d.stats().held;
    assert!(d
        .process(&by("arn:k", T0 + 7 * MIN), Context::event_time())
        .is_empty());
    assert_eq!(d.stats().held, held, "not held");
    // With 0s nothing waits and an alert is its own record's.
    let mut d = detector(r#"{"reorder_window":"0s"}"#);
    let got = d.process(&by("arn:k", T0), Context::event_time());
    assert!(!got[0].deferred);
    assert_eq!(d.stats().held, 0);
}

/// Past `max_pending` the earliest held event is judged early, counted, never dropped.
#[test]
fn a_full_buffer_judges_early_and_loses_nothing() {
    let mut d = detector(r#"{"reorder_window":"1h","max_pending":3}"#);
    let docs: Vec<Vec<u8>> = (0..10).map(|i| by(&format!("arn:{i}"), T0 + i)).collect();
    let got = alerts(&mut d, &docs);
    assert_eq!(got.len(), 10);
    let s = d.stats();
    assert_eq!((s.released_early, s.held, s.pending), (7, 10, 0));
}

/// A host with a clock gets a held alert once the event has waited the window by that
/// clock, with the next record or through `release_due`; replays by event time never do.
#[test]
fn the_clock_bounds_the_wait() {
    let now = 1_900_000_000_000;
    let mut d = detector(r#"{"reorder_window":"5m"}"#);
    assert!(d.process(&by("arn:c", T0), Context::at(now)).is_empty());
    assert!(d.release_due(Context::at(now + 5 * MIN - 1)).is_empty());
    assert!(d.release_due(Context::event_time()).is_empty());
    let got = d.release_due(Context::at(now + 5 * MIN));
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].document()["@timestamp"],
        json!(crate::time::format_timestamp(now + 5 * MIN))
    );
    // Through the next record, whatever it is.
    assert!(d.process(&by("arn:d", T0 + 1), Context::at(now)).is_empty());
    let got = d.process(
        br#"{"eventSource":"s3.amazonaws.com"}"#,
        Context::at(now + 5 * MIN),
    );
    assert_eq!(got.len(), 1);
    assert!(got[0].deferred);
}

/// An event more than the window behind the newest is late: judged on arrival against
/// what is known (it cannot alert on a term seen since), and counted.
#[test]
fn beyond_the_window_is_late_and_counted() {
    let mut d = detector(r#"{"reorder_window":"5m"}"#);
    let docs = [
        by("arn:l", T0 + 10 * MIN),
        by("arn:m", T0 + 20 * MIN),
        by("arn:l", T0),
    ];
    let got = alerts(&mut d, &docs);
    assert_eq!(
        ids(&got),
        vec![
            (&*format!("evt-{}", T0 + 10 * MIN), "arn:l"),
            (&*format!("evt-{}", T0 + 20 * MIN), "arn:m")
        ]
    );
    assert_eq!(d.stats().late, 1);
}

#[test]
fn the_window_must_be_shorter_than_the_history() {
    let err = Config::from_json(r#"{"reorder_window":"14d"}"#).expect_err("refused");
    assert!(err.to_string().contains("reorder_window"), "{err}");
    assert_eq!(Config::default().reorder_window_millis(), 5 * MIN);
}

/// The default window is the configured `interval` (the rule's, 5m), or none when the
/// history window is not longer than it.
#[test]
fn the_default_window_follows_the_interval() {
    for (config, want) in [
        ("{}", 5 * MIN),
        (r#"{"interval":"1m"}"#, MIN),
        (
            r#"{"history_window":"20s","from":"now-1s","interval":"5s"}"#,
            5_000,
        ),
        (
            r#"{"history_window":"20s","from":"now-1s","interval":"1m"}"#,
            0,
        ),
    ] {
        let c = Config::from_json(config).expect("valid");
        assert_eq!(c.reorder_window_millis(), want, "{config}");
    }
}
