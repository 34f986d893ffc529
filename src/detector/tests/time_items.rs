//! Items 19–21, 25–26, 34 and 36–38: windows, time basis, re-delivery, persistence.

use serde_json::json;

use super::*;

const H: Millis = 14 * DAY;

#[test]
fn item_19_repeats_within_the_lookback_alert_once() {
    let mut d = detector("{}");
    assert_eq!(
        run(&mut d, &[by("arn:a", T0), by("arn:a", T0 + 60_000)]).len(),
        1
    );
}

#[test]
fn item_20_forgetting_after_the_history_window() {
    let cases: &[(&[Millis], usize)] = &[
        (&[T0, T0 + H - 1], 1),
        (&[T0, T0 + H], 1),
        (&[T0, T0 + H + 1], 2),
        (&[T0, T0 + H - 1, T0 + H + 1], 1),
    ];
    for (times, want) in cases {
        let mut d = detector("{}");
        let docs: Vec<_> = times.iter().map(|&t| by("arn:a", t)).collect();
        assert_eq!(run(&mut d, &docs).len(), *want, "{times:?}");
    }
}

#[test]
fn item_21_regular_scanners_never_realert() {
    let mut d = detector("{}");
    let docs: Vec<_> = (0..30).map(|i| by("arn:a", T0 + i * 13 * DAY)).collect();
    assert_eq!(run(&mut d, &docs).len(), 1);
}

#[test]
fn item_25_timestamp_override_and_fallback() {
    let ingested = |arn: &str, ts: Millis, ing: Option<Millis>| {
        let mut extra = json!({"aws": {"cloudtrail": {"user_identity": {"arn": arn}}}});
        if let Some(i) = ing {
            extra["event"] = json!({"ingested": crate::time::format_timestamp(i)});
        }
        scan(ts, extra)
    };
    // With the fallback, an event without event.ingested is timed by @timestamp.
    let mut d = detector("{}");
    run(&mut d, &[ingested("arn:a", T0, Some(T0 + 20 * DAY))]);
    assert_eq!(
        run(&mut d, &[ingested("arn:a", T0 + 21 * DAY, None)]).len(),
        0,
        "@timestamp fallback: 1 day later"
    );
    // Without it, such an event is excluded and counted.
    let mut d = detector(r#"{"timestamp_fallback":false}"#);
    assert!(run(&mut d, &[ingested("arn:b", T0, None)]).is_empty());
    assert_eq!(d.stats().no_timestamp, 1);
    assert_eq!(run(&mut d, &[ingested("arn:b", T0, Some(T0))]).len(), 1);
}

#[test]
fn item_26_late_delivery_is_judged_by_ingest_time() {
    let mut d = detector("{}");
    run(&mut d, &[by("arn:a", T0)]);
    // @timestamp 3 h after the first sighting, but ingested 20 days later: new again.
    let doc = scan(
        T0 + 3 * 3_600_000,
        json!({"event": {"ingested": crate::time::format_timestamp(T0 + 20 * DAY)}, "aws": {"cloudtrail": {"user_identity": {"arn": "arn:a"}}}}),
    );
    let alerts = d.process(&doc, Context::event_time());
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        alerts[0].document()["kibana.alert.original_time"],
        crate::time::format_timestamp(T0 + 3 * 3_600_000)
    );
    assert_eq!(
        alerts[0].document()["@timestamp"],
        crate::time::format_timestamp(T0 + 20 * DAY)
    );
}

#[test]
fn late_events_never_alert_and_are_counted() {
    let mut d = detector("{}");
    run(&mut d, &[by("arn:a", T0 + 30 * DAY)]);
    assert!(
        run(&mut d, &[by("arn:a", T0)]).is_empty(),
        "older than the latest occurrence"
    );
    assert_eq!(d.stats().late, 1);
}

#[test]
fn item_34_redelivery_gives_one_alert_with_one_id() {
    let mut d = detector("{}");
    let doc = by("arn:a", T0);
    let first = d.process(&doc, Context::event_time());
    assert_eq!(first.len(), 1);
    assert!(d.process(&doc, Context::event_time()).is_empty());
    let mut other = detector("{}");
    assert_eq!(
        other
            .process(&doc, Context::at(T0 + 999))
            .first()
            .map(|a| a.uuid().to_owned()),
        Some(first[0].uuid().to_owned()),
        "same id in another process, whatever the detection time"
    );
}

#[test]
fn item_36_snapshot_restore_mid_stream_equals_an_uninterrupted_run() {
    // A reorder window of 90 minutes holds the last few events at any cut, and every
    // other pair of events arrives swapped: the snapshot must carry what is held.
    let config = r#"{"max_signals":2,"interval":"1h","max_terms":50,"reorder_window":"90m"}"#;
    let mut stream: Vec<Vec<u8>> = (0..400)
        .map(|i| by(&format!("arn:{}", (i * 7) % 90), T0 + i * 20 * 60_000))
        .collect();
    for pair in stream.chunks_mut(4) {
        pair.swap(0, 1);
    }
    let all = |d: &mut Detector, docs: &[Vec<u8>]| {
        let mut out = Vec::new();
        for doc in docs {
            out.extend(
                d.process(doc, Context::event_time())
                    .into_iter()
                    .map(|a| a.to_json()),
            );
        }
        out
    };
    let mut whole = detector(config);
    let mut expected = all(&mut whole, &stream);
    expected.extend(
        whole
            .flush(DetectionTime::EventTime)
            .iter()
            .map(Alert::to_json),
    );
    for cut in [1, 37, 200, 399] {
        let mut first = detector(config);
        let mut got = all(&mut first, &stream[..cut]);
        assert!(first.pending() > 0, "cut at {cut}: something is held");
        let bytes = first.snapshot();
        let mut second =
            Detector::restore(Config::from_json(config).expect("valid"), &bytes).expect("restores");
        got.extend(all(&mut second, &stream[cut..]));
        got.extend(
            second
                .flush(DetectionTime::EventTime)
                .iter()
                .map(Alert::to_json),
        );
        assert_eq!(got, expected, "cut at {cut}");
        assert_eq!(second.stats(), whole.stats());
    }
}

#[test]
fn restore_refuses_other_fields_and_corruption() {
    let d = detector("{}");
    let bytes = d.snapshot();
    let err = Detector::restore(Config::for_profile(crate::ProfileName::Current), &bytes)
        .expect_err("fields differ");
    assert!(err.to_string().contains("new_terms_fields"), "{err}");
    let mut bad = bytes.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert_eq!(
        Detector::restore(Config::default(), &bad).err(),
        Some(SnapshotError::Checksum)
    );
}

#[test]
fn item_37_restart_flood_is_bounded_and_learning_mutes_it() {
    let flood: Vec<_> = (0..500).map(|i| by(&format!("arn:{i}"), T0 + i)).collect();
    let mut d = detector("{}");
    let mut docs = Vec::new();
    for f in &flood {
        docs.extend(d.process(f, Context::event_time()));
    }
    docs.extend(d.flush(DetectionTime::EventTime));
    assert_eq!(
        docs.iter().filter(|a| a.kind == AlertKind::NewTerm).count(),
        100
    );
    assert_eq!(
        docs.iter()
            .filter(|a| a.kind == AlertKind::CapSummary)
            .count(),
        1
    );
    assert_eq!(d.stats().summarised, 400);

    let mut d = detector(r#"{"learning_period":"1d"}"#);
    assert!(run(&mut d, &flood).is_empty());
    assert_eq!(d.stats().muted, 500);
    assert_eq!(
        run(
            &mut d,
            &[by("arn:0", T0 + DAY + 1), by("arn:new", T0 + DAY + 2)]
        )
        .len(),
        1,
        "after learning, only the unseen one"
    );
}

#[test]
fn item_38_priming_from_history_then_only_new_principals_alert() {
    let mut d = detector("{}");
    for i in 0..50 {
        d.learn(
            &by(&format!("arn:{i}"), T0 + i * DAY / 10),
            Context::event_time(),
        );
    }
    assert_eq!(d.stats().learned, 50);
    let got = run(
        &mut d,
        &[by("arn:3", T0 + 6 * DAY), by("arn:x", T0 + 6 * DAY)],
    );
    assert_eq!(got, terms(&[&[json!("arn:x")]]));
}
