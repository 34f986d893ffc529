//! The journal beside the snapshot: a filter dropped after any call (a kill: no snapshot
//! at the stop) and started again from the same directory goes on exactly as the filter
//! that was never stopped, held events and the alert cap included; torn lines, stale
//! and foreign journals, and write failures.

use std::path::Path;

use super::files::temp_home;
use super::*;

const MIN: Millis = 60_000;

/// The calls of one stream: (record, the host's clock). Held first sightings, disorder
/// within the 5-minute window, two S3 objects, heartbeats that release held events by
/// the clock, a cap of 2 alerts per 5 minutes with suppressed ones and a summary,
/// repeats that write no journal entry, and a record that is not JSON.
fn stream() -> Vec<(String, Millis)> {
    let at = |m: f64| format_timestamp(T_MILLIS + (m * MIN as f64) as Millis);
    let s = |arn: &str, m: f64| scan_record(&format!("arn:aws:iam::1:user/{arn}"), Some(&at(m)));
    let s3 = |a: (&str, f64), b: (&str, f64)| {
        format!(r#"{{"Records":[{},{}]}}"#, s(a.0, a.1), s(b.0, b.1))
    };
    let heartbeat = r#"{"dynamodb_scan_detector":"heartbeat"}"#.to_owned();
    let other = r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-03-12T06:22:05Z"}"#;
    let calls: Vec<(String, f64)> = vec![
        (s("a", 0.0), 0.0),
        (s("b", 1.0), 0.5),
        (other.to_owned(), 1.0),
        (s("a", 0.5), 1.5),
        (s3(("c", 2.0), ("d", 2.5)), 2.0),
        (s("a", 7.0), 2.5),
        (s("e", 6.0), 3.0),
        (heartbeat.clone(), 3.2),
        (s("b", 8.0), 3.5),
        (s("f", 9.0), 4.0),
        // Five minutes of the clock after e and f arrived: released by it.
        (heartbeat.clone(), 10.0),
        (s("g", 12.0), 10.5),
        (s("a", 13.0), 11.0),
        (s("h", 11.0), 11.5),
        (s3(("e", 20.0), ("i", 19.0)), 12.0),
        (s("j", 21.0), 12.5),
        ("{not json".to_owned(), 13.0),
        (heartbeat, 20.0),
    ];
    calls
        .into_iter()
        .map(|(record, clock)| (record, NOW + (clock * MIN as f64) as Millis))
        .collect()
}

/// Every third call through alerts-only, the rest annotate.
fn mode(i: usize) -> Mode {
    if i % 3 == 2 {
        Mode::AlertsOnly
    } else {
        Mode::Annotate
    }
}

/// One call's result: the reply and the output text.
type Out = (Reply, String);

fn call(f: &mut Filter, i: usize, (record, now): &(String, Millis)) -> Out {
    let (reply, _) = run_at(f, mode(i), Record::Bytes(record.as_bytes()), None, *now);
    let text = match reply {
        Reply::Output => String::from_utf8_lossy(f.output()).into_owned(),
        _ => String::new(),
    };
    (reply, text)
}

fn home_with(snapshot_every: &str) -> std::path::PathBuf {
    let home = temp_home();
    // The heartbeat releases held events here; its counters record (which counts the
    // calls of each process) is tested in `fluent_bit_text`.
    let settings = format!(r#"{{"snapshot_every":"{snapshot_every}","heartbeat_stats":false}}"#);
    std::fs::write(home.join(OPTIONS_FILE), settings).expect("write");
    std::fs::write(home.join(CONFIG_FILE), r#"{"max_signals":2}"#).expect("write");
    home
}

fn start_at(home: &Path, now: Millis) -> (Filter, Lines) {
    let lines: Lines = Rc::default();
    let sink = lines.clone();
    let f = Filter::start(
        Some(home),
        now,
        Box::new(move |l| sink.borrow_mut().push(l.to_owned())),
    );
    (f, lines)
}

/// The whole stream through one filter: each call's result, and whether it wrote a
/// journal entry and a snapshot.
fn uninterrupted(snapshot_every: &str) -> (Vec<Out>, Vec<(bool, bool)>) {
    let home = home_with(snapshot_every);
    let calls = stream();
    let (mut f, _) = start_at(&home, calls[0].1);
    let mut outs = Vec::new();
    let mut wrote = Vec::new();
    for (i, c) in calls.iter().enumerate() {
        let counts = |f: &Filter| {
            let p = f.persistence.as_ref().expect("persistence on");
            (p.journal_counters().appends, p.written)
        };
        let before = counts(&f);
        outs.push(call(&mut f, i, c));
        let after = counts(&f);
        wrote.push((after.0 > before.0, after.1 > before.1));
    }
    let _ = std::fs::remove_dir_all(&home);
    (outs, wrote)
}

/// The stream with the filter dropped (no snapshot at the stop) after each call in
/// `stops`, and started again from the directory each time.
fn with_stops(snapshot_every: &str, stops: &[usize]) -> Vec<Out> {
    let home = home_with(snapshot_every);
    let calls = stream();
    let (mut f, _) = start_at(&home, calls[0].1);
    let mut outs = Vec::new();
    for (i, c) in calls.iter().enumerate() {
        if stops.contains(&i) {
            drop(f);
            f = start_at(&home, c.1).0;
        }
        outs.push(call(&mut f, i, c));
    }
    let _ = std::fs::remove_dir_all(&home);
    outs
}

fn alerts_in(outs: &[Out]) -> usize {
    outs.iter()
        .map(|(_, text)| text.matches("\"kibana.alert.uuid\"").count())
        .sum()
}

/// The requirement: after a kill at any moment between calls, a restart neither
/// repeats an alert nor misses one, with snapshots after every change (the journal is
/// reset each time), every minute (snapshot plus journal), or not at all in the stream
/// (the journal alone).
#[test]
fn a_stop_after_any_call_gives_the_uninterrupted_alerts() {
    let n = stream().len();
    for every in ["0s", "60s", "1h"] {
        let (want, wrote) = uninterrupted(every);
        assert_eq!(
            alerts_in(&want),
            9,
            "{every}: 8 alerts (2 suppressed) and a summary"
        );
        let entries = wrote.iter().filter(|w| w.0).count();
        assert!(entries >= 12, "{every}: {entries} calls wrote an entry");
        assert!(
            !wrote[12].0,
            "{every}: a repeat that releases nothing writes none"
        );
        let snapshots = wrote.iter().filter(|w| w.1).count();
        match every {
            "1h" => assert_eq!(snapshots, 0),
            "60s" => assert!((3..entries).contains(&snapshots), "{snapshots}"),
            _ => assert!(snapshots >= entries, "{snapshots}"),
        }
        for stop in 1..n {
            assert_eq!(
                with_stops(every, &[stop]),
                want,
                "{every}: stopped before call {stop}"
            );
        }
        for first in 1..n {
            for second in first + 1..n {
                assert_eq!(
                    with_stops(every, &[first, second]),
                    want,
                    "{every}: stopped before calls {first} and {second}"
                );
            }
        }
    }
}

/// Without the journal (as before it existed), a stop between snapshots repeats alerts
/// or misses held ones: the test above would see it.
#[test]
fn without_the_journal_a_stop_would_show() {
    let (want, _) = uninterrupted("1h");
    let home = home_with("1h");
    let calls = stream();
    let (mut f, _) = start_at(&home, calls[0].1);
    let mut outs = Vec::new();
    for (i, c) in calls.iter().enumerate() {
        if i == 9 {
            drop(f);
            std::fs::remove_file(home.join(JOURNAL_FILE)).expect("journal exists");
            f = start_at(&home, c.1).0;
        }
        outs.push(call(&mut f, i, c));
    }
    assert_ne!(outs, want);
    let _ = std::fs::remove_dir_all(&home);
}

/// A stop after a snapshot was renamed into place but before the journal was reset
/// leaves a journal that names the previous snapshot: it is recognised, not replayed
/// (the snapshot holds all of it) and replaced.
#[test]
fn a_journal_older_than_the_snapshot_is_not_replayed() {
    let (want, wrote) = uninterrupted("60s");
    let calls = stream();
    let mut tried = 0;
    for (k, &(_, snapshot)) in wrote.iter().enumerate() {
        if !snapshot || k + 1 == calls.len() {
            continue;
        }
        tried += 1;
        let home = home_with("60s");
        let journal = home.join(JOURNAL_FILE);
        let (mut f, _) = start_at(&home, calls[0].1);
        let mut outs = Vec::new();
        for (i, c) in calls.iter().enumerate().take(k + 1) {
            let before = std::fs::read(&journal).expect("journal");
            outs.push(call(&mut f, i, c));
            if i == k {
                std::fs::write(&journal, before).expect("restore the old journal");
            }
        }
        drop(f);
        let (mut f, lines) = start_at(&home, calls[k + 1].1);
        let log = lines.borrow().join("\n");
        assert!(log.contains("extends another snapshot"), "{log}");
        for (i, c) in calls.iter().enumerate().skip(k + 1) {
            outs.push(call(&mut f, i, c));
        }
        assert_eq!(outs, want, "stopped before the reset after call {k}");
        let _ = std::fs::remove_dir_all(&home);
    }
    assert!(tried >= 3, "{tried}");
}

/// A kill in the middle of an append leaves a torn last line: it is skipped and
/// reported, never blocks the start, and the lines before it are used. A torn entry
/// is a call that did not happen (it never returned): fed again, it gives its output.
#[test]
fn a_torn_last_line_is_skipped_and_the_rest_replayed() {
    let (want, wrote) = uninterrupted("1h");
    let calls = stream();
    // (stop after this many calls, what the kill left)
    enum Torn {
        Fragment,
        LastEntryCut,
    }
    let cases: Vec<(usize, Torn)> = (1..calls.len())
        .flat_map(|k| [(k, Torn::Fragment), (k, Torn::LastEntryCut)])
        .filter(|(k, torn)| !matches!(torn, Torn::LastEntryCut) || wrote[k - 1].0)
        .collect();
    assert!(cases.len() > 20);
    for (k, torn) in cases {
        let home = home_with("1h");
        let journal = home.join(JOURNAL_FILE);
        let (mut f, _) = start_at(&home, calls[0].1);
        let mut outs: Vec<Out> = calls
            .iter()
            .enumerate()
            .take(k)
            .map(|(i, c)| call(&mut f, i, c))
            .collect();
        drop(f);
        let mut text = std::fs::read(&journal).expect("journal");
        let resume = match torn {
            Torn::Fragment => {
                text.extend_from_slice(b"0123456789abcdef {\"terms\":[[1,");
                k
            }
            Torn::LastEntryCut => {
                let last = text[..text.len() - 1]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .expect("a base line first");
                text.truncate(last + 1 + (text.len() - last) / 2);
                outs.pop();
                k - 1
            }
        };
        std::fs::write(&journal, &text).expect("write");
        let (mut f, lines) = start_at(&home, calls[resume].1);
        let log = lines.borrow().join("\n");
        assert!(
            log.contains("1 unusable line(s) skipped (line "),
            "{k}: {log}"
        );
        let stats = f.stats().to_vec();
        let stats: Value = serde_json::from_slice(&stats[..stats.len() - 1]).expect("stats");
        assert_eq!(stats["journal"]["skipped"], 1, "{stats}");
        let rewritten = std::fs::read(&journal).expect("journal");
        assert_eq!(
            rewritten.last(),
            Some(&b'\n'),
            "rewritten without the torn line"
        );
        for (i, c) in calls.iter().enumerate().skip(resume) {
            outs.push(call(&mut f, i, c));
        }
        assert_eq!(outs, want, "torn after {k} calls");
        drop(f);
        let (_, lines) = start_at(&home, NOW);
        assert!(
            !lines.borrow().join("\n").contains("unusable"),
            "{:?}",
            lines.borrow()
        );
        let _ = std::fs::remove_dir_all(&home);
    }
}

/// A journal that cannot belong to this state is set aside, never replayed; the
/// counters say what was replayed.
#[test]
fn foreign_journals_are_set_aside() {
    let arn = "arn:aws:iam::1:user/journaled";
    let record = scan(arn);
    // (change before the restart, log fragment, alerts again after it)
    type Change = fn(&Path);
    let cases: [(Change, &str, bool); 4] = [
        (|_| {}, "from /", false),
        (
            |home| {
                let c = r#"{"max_signals":2,"new_terms_fields":["source.ip"]}"#;
                std::fs::write(home.join(CONFIG_FILE), c).expect("write");
            },
            "it was written for new_terms_fields [\"aws.cloudtrail.user_identity.arn\"]",
            true,
        ),
        (
            |home| {
                let j = home.join(JOURNAL_FILE);
                let text = std::fs::read(&j).expect("journal");
                std::fs::write(&j, [b"x", &text[1..]].concat()).expect("write");
            },
            "its first line is unusable: journal line checksum mismatch",
            true,
        ),
        (
            |home| std::fs::write(home.join(SNAPSHOT_FILE), b"junk").expect("write"),
            "cannot restore: snapshot is truncated",
            true,
        ),
    ];
    for (i, (change, fragment, again)) in cases.into_iter().enumerate() {
        let home = home_with("1h");
        let (mut f, _) = start_at(&home, NOW);
        // Held, then released by the clock: a new term in the journal.
        run_at(
            &mut f,
            Mode::AlertsOnly,
            Record::Bytes(record.as_bytes()),
            None,
            NOW,
        );
        let (reply, _) = run_at(
            &mut f,
            Mode::AlertsOnly,
            Record::Bytes(b"{}"),
            None,
            NOW + 5 * MIN,
        );
        assert_eq!(reply, Reply::Output, "{i}");
        if i == 3 {
            f.persistence.as_mut().expect("on").mark_dirty();
            f.call(Mode::Annotate, Record::Bytes(b"{}"), None, &mut || {
                NOW + 120 * MIN
            });
            assert!(home.join(SNAPSHOT_FILE).exists());
        }
        drop(f);
        change(&home);
        let (mut f, lines) = start_at(&home, NOW + 6 * MIN);
        let log = lines.borrow().join("\n");
        assert!(log.contains(fragment), "{i}: {log}");
        let stats = f.stats().to_vec();
        let stats: Value = serde_json::from_slice(&stats[..stats.len() - 1]).expect("stats");
        assert_eq!(
            stats["journal"]["replayed"],
            u64::from(!again) * 2,
            "{i}: {stats}"
        );
        let set_aside = home.join(format!("{JOURNAL_FILE}.rejected")).exists();
        assert_eq!(set_aside, again, "{i}");
        let later = scan_record(arn, Some("2024-03-12T07:22:01Z"));
        run_at(
            &mut f,
            Mode::AlertsOnly,
            Record::Bytes(later.as_bytes()),
            None,
            NOW + 6 * MIN,
        );
        let (reply, _) = run_at(
            &mut f,
            Mode::AlertsOnly,
            Record::Bytes(b"{}"),
            None,
            NOW + 12 * MIN,
        );
        assert_eq!(reply == Reply::Output, again, "{i}: alerts again");
        let _ = std::fs::remove_dir_all(&home);
    }
}

/// When the journal cannot be written, the failure is counted and reported once, the
/// module goes on, and the journal comes back when it can be written again.
#[test]
fn a_journal_that_cannot_be_written_is_reported_and_recovers() {
    let home = home_with("0s");
    std::fs::write(home.join(CONFIG_FILE), r#"{"reorder_window":"0s"}"#).expect("write");
    let (mut f, lines) = start_at(&home, NOW);
    let blocker = home.join(format!("{JOURNAL_FILE}.partial"));
    std::fs::create_dir(&blocker).expect("a directory where the new journal goes");
    let new = |f: &mut Filter, who: &str| {
        let r = scan(&format!("arn:aws:iam::1:user/{who}"));
        run(f, Mode::AlertsOnly, Record::Bytes(r.as_bytes()), None).0
    };
    let counters = |f: &Filter| {
        let c = &f.persistence.as_ref().expect("on").journal_counters();
        (c.appends, c.errors)
    };
    // Appended, then the snapshot is written and the journal's reset fails.
    assert_eq!(new(&mut f, "one"), Reply::Output);
    assert_eq!(counters(&f), (1, 1));
    // No journal to append to: a new one cannot be written either.
    assert_eq!(new(&mut f, "two"), Reply::Output, "the module goes on");
    assert_eq!(
        counters(&f),
        (1, 3),
        "the append and the reset after the snapshot"
    );
    let failures = |lines: &Lines| {
        lines
            .borrow()
            .iter()
            .filter(|l| l.contains("cannot write a new journal"))
            .count()
    };
    assert_eq!(failures(&lines), 1, "{:?}", lines.borrow());
    std::fs::remove_dir(&blocker).expect("remove");
    assert_eq!(new(&mut f, "three"), Reply::Output);
    assert_eq!(counters(&f), (2, 3));
    assert!(lines
        .borrow()
        .iter()
        .any(|l| l.contains("journal written again")));
    drop(f);
    let (mut f, _) = start_at(&home, NOW);
    for who in ["one", "two", "three"] {
        assert_eq!(
            new(&mut f, who),
            Reply::Drop,
            "{who}: known after the restart"
        );
    }
    let _ = std::fs::remove_dir_all(&home);
}
