//! The journal, seen through the detector: a stop after any document, restored from any
//! earlier snapshot and the journal entries written since, goes on exactly as the run
//! that was never stopped; and entries a snapshot already holds change nothing.

use super::*;
use crate::state::journal::Entry;

const MIN: Millis = 60_000;

/// Held first sightings, disorder within the 5-minute window, an alert cap of 2 per
/// 5 minutes with suppressed alerts and a summary, repeats that write no entry.
fn stream() -> Vec<Vec<u8>> {
    let at = |m: f64| T0 + (m * MIN as f64) as Millis;
    [
        ("arn:a", 0.0),
        ("arn:b", 1.0),
        ("arn:a", 0.5),
        ("arn:c", 2.0),
        ("arn:d", 2.5),
        ("arn:a", 7.0),
        ("arn:e", 6.0),
        ("arn:b", 8.0),
        ("arn:f", 9.0),
        ("arn:g", 12.0),
        ("arn:a", 13.0),
        ("arn:h", 11.0),
        ("arn:e", 20.0),
        ("arn:i", 19.0),
        ("arn:j", 21.0),
    ]
    .into_iter()
    .map(|(arn, m)| by(arn, at(m)))
    .collect()
}

fn journaled() -> Detector {
    let mut d = detector(r#"{"reorder_window":"5m","max_signals":2}"#);
    d.set_journaling(true);
    d
}

/// Each document's alerts (documents as JSON text), then the flush's.
fn go_on(d: &mut Detector, docs: &[Vec<u8>]) -> Vec<Vec<String>> {
    let text = |alerts: Vec<Alert>| alerts.iter().map(Alert::to_json).collect();
    let mut out: Vec<Vec<String>> = docs
        .iter()
        .map(|doc| text(d.process(doc, Context::event_time())))
        .collect();
    out.push(text(d.flush(DetectionTime::EventTime)));
    d.stats().check().expect("stats add up");
    out
}

/// The uninterrupted run: per document its alerts, the snapshot after it (index 0:
/// before the first) and the journal entry it wrote.
struct Run {
    alerts: Vec<Vec<String>>,
    snapshots: Vec<Vec<u8>>,
    entries: Vec<Option<Entry>>,
}

fn uninterrupted(docs: &[Vec<u8>]) -> Run {
    let mut d = journaled();
    let mut run = Run {
        alerts: Vec::new(),
        snapshots: vec![d.snapshot()],
        entries: Vec::new(),
    };
    for doc in docs {
        let alerts = d.process(doc, Context::event_time());
        run.alerts.push(alerts.iter().map(Alert::to_json).collect());
        run.entries.push(d.take_journal_entry());
        run.snapshots.push(d.snapshot());
    }
    run.alerts
        .push(go_on(&mut d, &[]).pop().unwrap_or_default());
    run
}

fn restored(snapshot: &[u8], entries: &[Option<Entry>]) -> Detector {
    let config = journaled().config().clone();
    let mut d = Detector::restore(config, snapshot).expect("restores");
    d.set_journaling(true);
    d.replay_journal(entries.iter().flatten().cloned().collect());
    d
}

#[test]
fn a_stop_anywhere_goes_on_as_the_uninterrupted_run() {
    let docs = stream();
    let run = uninterrupted(&docs);
    let all: Vec<String> = run.alerts.concat();
    assert_eq!(
        all.iter()
            .filter(|a| a.contains("\"kibana.alert.new_terms\""))
            .count(),
        8
    );
    assert!(
        all.iter().any(|a| a.contains("max_signals_reached")),
        "a summary"
    );
    // A repeat that releases nothing writes no entry; everything else here does.
    let written: Vec<bool> = run.entries.iter().map(Option::is_some).collect();
    assert_eq!(written.iter().filter(|w| !**w).count(), 1, "{written:?}");
    assert!(!written[10], "A again at 13 min");
    for stop in 0..=docs.len() {
        for snapshot in 0..=stop {
            let mut d = restored(&run.snapshots[snapshot], &run.entries[snapshot..stop]);
            assert_eq!(
                go_on(&mut d, &docs[stop..]),
                run.alerts[stop..],
                "stopped after {stop} documents, snapshot after {snapshot}"
            );
        }
    }
}

#[test]
fn entries_a_snapshot_holds_change_nothing() {
    let docs = stream();
    let run = uninterrupted(&docs);
    for stop in 0..=docs.len() {
        // The whole journal over the latest snapshot: the same state, byte for byte.
        let d = restored(&run.snapshots[stop], &run.entries[..stop]);
        assert_eq!(d.snapshot(), run.snapshots[stop], "after {stop}");
        // Over an earlier snapshot, entries before it change nothing either.
        for snapshot in 0..=stop {
            let all = restored(&run.snapshots[snapshot], &run.entries[..stop]);
            let since = restored(&run.snapshots[snapshot], &run.entries[snapshot..stop]);
            assert_eq!(all.snapshot(), since.snapshot(), "{snapshot}..{stop}");
        }
    }
}

#[test]
fn journaling_changes_no_alert_and_costs_nothing_when_off() {
    let docs = stream();
    let mut plain = detector(r#"{"reorder_window":"5m","max_signals":2}"#);
    assert_eq!(go_on(&mut plain, &docs), uninterrupted(&docs).alerts);
    assert!(plain.take_journal_entry().is_none(), "off by default");
    let mut d = journaled();
    d.process(&docs[0], Context::event_time());
    d.set_journaling(false);
    assert!(d.take_journal_entry().is_none(), "switching off drops");
}

/// Entries that no run wrote (extreme times and numbers, events held twice, judged
/// numbers never held) replay without a panic, and the detector goes on: its counts add
/// up and its snapshot restores.
#[test]
fn hostile_entries_leave_a_working_detector() {
    let docs = stream();
    let run = uninterrupted(&docs);
    let real: Vec<Entry> = run.entries.iter().flatten().cloned().collect();
    let mut with_held = real
        .iter()
        .find(|e| !e.held.is_empty())
        .cloned()
        .expect("an entry that holds");
    type Twist = fn(&mut Entry);
    let twists: [Twist; 6] = [
        |e| e.held.iter_mut().for_each(|h| h.seq = u64::MAX),
        |e| {
            e.held.iter_mut().for_each(|h| {
                h.time = Millis::MIN;
                h.held_at = Some(Millis::MAX);
            })
        },
        |e| e.judged = vec![0, u64::MAX, 3, 3],
        |e| e.terms = vec![(0, Millis::MAX), (0, Millis::MIN), (u64::MAX, 0)],
        |e| {
            e.watermark = Some(Millis::MIN);
            e.learning_start = Some(Millis::MAX);
            e.next_seq = u64::MAX;
        },
        |e| e.held.extend(e.held.clone()),
    ];
    for (i, twist) in twists.into_iter().enumerate() {
        twist(&mut with_held);
        let mut entries = real.clone();
        entries.insert(entries.len() / 2, with_held.clone());
        let mut d = restored(&run.snapshots[0], &[]);
        d.replay_journal(entries);
        let config = d.config().clone();
        go_on(&mut d, &docs);
        let again = Detector::restore(config, &d.snapshot());
        assert!(again.is_ok(), "twist {i}: {again:?}");
    }
}

/// A restore under a smaller `max_terms` evicts (and counts it) before the journal is
/// replayed: the journal's entries still apply, from any snapshot to any stop.
#[test]
fn a_smaller_state_cap_at_restore_does_not_hide_the_journal() {
    let docs = stream();
    let run = uninterrupted(&docs);
    let config = Config::from_json(r#"{"reorder_window":"5m","max_signals":2,"max_terms":1}"#)
        .expect("valid");
    for stop in 0..=docs.len() {
        let want = restored(&run.snapshots[stop], &[]);
        for snapshot in 0..=stop {
            let mut d =
                Detector::restore(config.clone(), &run.snapshots[snapshot]).expect("restores");
            d.replay_journal(
                run.entries[snapshot..stop]
                    .iter()
                    .flatten()
                    .cloned()
                    .collect(),
            );
            let at = format!("snapshot {snapshot}, stop {stop}");
            assert_eq!(d.pending(), want.pending(), "{at}");
            assert_eq!(d.stats().new_terms, want.stats().new_terms, "{at}");
        }
    }
}
