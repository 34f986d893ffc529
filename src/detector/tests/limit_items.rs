//! Items 30–33: the alert cap and the state cap, seen through the detector.

use super::*;

fn docs_for(n: usize, t: Millis) -> Vec<Vec<u8>> {
    (0..n).map(|i| by(&format!("arn:{i}"), t)).collect()
}

fn process_all(d: &mut Detector, docs: &[Vec<u8>]) -> Vec<Alert> {
    let mut out: Vec<Alert> = docs
        .iter()
        .flat_map(|doc| d.process(doc, Context::event_time()))
        .collect();
    out.extend(d.flush(DetectionTime::EventTime));
    out
}

#[test]
fn item_30_cap_in_one_interval_with_a_summary_not_silence() {
    let cases = [
        (150, 100, 100, Some(50)),
        (100, 100, 100, None),
        (3, 3, 3, None),
        (4, 3, 3, Some(1)),
    ];
    for (new_terms, max_signals, want_alerts, want_suppressed) in cases {
        let mut d = detector(&format!(r#"{{"max_signals":{max_signals}}}"#));
        let out = process_all(&mut d, &docs_for(new_terms, T0));
        let alerts = out.iter().filter(|a| a.kind == AlertKind::NewTerm).count();
        let summaries: Vec<_> = out
            .iter()
            .filter(|a| a.kind == AlertKind::CapSummary)
            .collect();
        assert_eq!(alerts, want_alerts);
        assert_eq!(
            summaries.len(),
            usize::from(want_suppressed.is_some()),
            "exactly reaching the cap has no summary"
        );
        if let Some(n) = want_suppressed {
            let doc = &summaries[0].document();
            assert_eq!(
                doc["kibana.alert.max_signals_summary"]["alerts_suppressed"],
                n
            );
            assert!(doc["kibana.alert.reason"]
                .as_str()
                .unwrap_or("")
                .starts_with(crate::alert::document::MAX_SIGNALS_WARNING));
            assert_eq!(d.stats().summarised, n);
        }
    }
}

#[test]
fn item_30_the_next_interval_starts_fresh_and_closes_the_summary_first() {
    let mut d = detector(r#"{"max_signals":2}"#);
    let mut docs = docs_for(3, T0);
    docs.push(by("arn:later", T0 + 5 * 60_000));
    let out: Vec<AlertKind> = docs
        .iter()
        .flat_map(|doc| d.process(doc, Context::event_time()))
        .map(|a| a.kind)
        .collect();
    assert_eq!(
        out,
        [
            AlertKind::NewTerm,
            AlertKind::NewTerm,
            AlertKind::CapSummary,
            AlertKind::NewTerm
        ]
    );
}

#[test]
fn item_31_max_signals_200() {
    let mut d = detector(r#"{"max_signals":200}"#);
    assert_eq!(process_all(&mut d, &docs_for(200, T0)).len(), 200);
}

#[test]
fn item_32_state_cap_evicts_the_least_recently_seen() {
    let mut d = detector(r#"{"max_terms":3}"#);
    let got = run(
        &mut d,
        &[
            by("A", T0),
            by("B", T0 + 1),
            by("C", T0 + 2),
            by("D", T0 + 3),
            by("A", T0 + 4),
        ],
    );
    assert_eq!(
        got.len(),
        5,
        "A was evicted by D, so it alerts again (a documented extra alert)"
    );
    let s = d.stats();
    assert_eq!((s.tracked_terms, s.evicted), (3, 2));
}

#[test]
fn item_33_idle_terms_expire() {
    let mut d = detector("{}");
    run(&mut d, &docs_for(100, T0));
    assert_eq!(d.stats().tracked_terms, 100);
    run(&mut d, &[by("late-comer", T0 + 14 * DAY + 1)]);
    let s = d.stats();
    assert_eq!((s.tracked_terms, s.expired), (1, 100));
}
