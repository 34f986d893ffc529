//! The module's files: config, settings and snapshot, read from a temporary home.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use super::*;
use crate::time::format_timestamp;

pub(super) fn temp_home() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "dsd-fluent-bit-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn config_and_settings_files_are_read_and_bad_ones_reported_once() {
    // (config file, settings file, expected log fragment, detection time is event)
    let cases = [
        (
            None,
            None,
            "config: defaults (no config file); snapshots off",
            false,
        ),
        (
            Some(r#"{"history_window":"1h"}"#),
            None,
            "dynamodb-scan-detector.json; snapshots off",
            false,
        ),
        (
            Some(r#"{"history_window":"1 hour"}"#),
            None,
            "using the default config (seed rule)",
            false,
        ),
        (Some(r#"{"nope":1}"#), None, "unknown field `nope`", false),
        (
            None,
            Some(r#"{"detection_time":"event"}"#),
            "snapshots off",
            true,
        ),
        (
            None,
            Some(r#"{"detection_time":"later"}"#),
            "using default settings",
            false,
        ),
    ];
    for (config, settings, fragment, event_time) in cases {
        let home = temp_home();
        if let Some(c) = config {
            std::fs::write(home.join(CONFIG_FILE), c).expect("write");
        }
        if let Some(s) = settings {
            std::fs::write(home.join(OPTIONS_FILE), s).expect("write");
        }
        let (mut f, lines) = filter_in(Some(&home));
        let log = lines.borrow().join("\n");
        assert!(log.contains(fragment), "{config:?} {settings:?}: {log}");
        assert!(lines.borrow().len() <= 2, "{log}");
        // The reorder window (5m by default) holds the scan until a scan 5 minutes later
        // in event time, or 5 minutes later by the clock: this one is both.
        let record = scan("arn:aws:iam::1:user/cfg");
        let (held, _) = run(
            &mut f,
            Mode::AlertsOnly,
            Record::Bytes(record.as_bytes()),
            None,
        );
        assert_eq!(held, Reply::Drop, "held by the reorder window");
        let later = scan_record("arn:aws:iam::1:user/later", Some("2024-03-12T06:27:01Z"));
        let (_, v) = run_at(
            &mut f,
            Mode::AlertsOnly,
            Record::Bytes(later.as_bytes()),
            None,
            NOW + 300_000,
        );
        let want = if event_time { T_MILLIS } else { NOW + 300_000 };
        assert_eq!(v["@timestamp"], json!(format_timestamp(want)), "{v}");
        let _ = std::fs::remove_dir_all(&home);
    }
}

#[test]
fn the_snapshot_survives_a_restart_and_a_corrupt_one_is_set_aside() {
    let home = temp_home();
    std::fs::write(home.join(OPTIONS_FILE), r#"{"snapshot_every":"0s"}"#).expect("write");
    std::fs::write(home.join(CONFIG_FILE), r#"{"reorder_window":"0s"}"#).expect("write");
    let record = scan("arn:aws:iam::1:user/persisted");
    let bytes = Record::Bytes(record.as_bytes());
    let (mut first, _) = filter_in(Some(&home));
    assert_eq!(
        run(&mut first, Mode::AlertsOnly, bytes, None).0,
        Reply::Output
    );
    assert!(home.join(SNAPSHOT_FILE).exists());

    let (mut second, lines) = filter_in(Some(&home));
    assert!(
        lines.borrow()[0].contains("restored 1 tracked terms"),
        "{:?}",
        lines.borrow()
    );
    assert_eq!(
        run(&mut second, Mode::AlertsOnly, bytes, None).0,
        Reply::Drop,
        "no alert flood after restart"
    );

    std::fs::write(home.join(SNAPSHOT_FILE), b"not a snapshot").expect("write");
    let (mut third, lines) = filter_in(Some(&home));
    assert!(
        lines.borrow()[0].contains("cannot restore"),
        "{:?}",
        lines.borrow()
    );
    assert!(home.join(format!("{SNAPSHOT_FILE}.rejected")).exists());
    assert_eq!(
        run(&mut third, Mode::AlertsOnly, bytes, None).0,
        Reply::Output
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn snapshots_are_written_only_when_due_and_changed() {
    let home = temp_home();
    std::fs::write(home.join(OPTIONS_FILE), r#"{"snapshot_every":"60s"}"#).expect("write");
    let (mut f, _) = filter_in(Some(&home));
    let record = scan("arn:aws:iam::1:user/due");
    // (now offset, record, snapshots written after the call)
    let steps: [(Millis, &[u8], u64); 7] = [
        (1_000, record.as_bytes(), 0),
        (59_000, b"{\"log\":1}", 0),
        (61_000, b"{\"log\":1}", 1),
        (200_000, b"{\"log\":1}", 1),
        (200_000, record.as_bytes(), 2),
        (230_000, record.as_bytes(), 2),
        (300_000, b"{\"log\":1}", 3),
    ];
    for (offset, bytes, written) in steps {
        f.call(Mode::Annotate, Record::Bytes(bytes), None, &mut || {
            NOW + offset
        });
        assert_eq!(
            f.persistence.as_ref().map(|p| p.written),
            Some(written),
            "at +{offset}"
        );
    }
    let _ = std::fs::remove_dir_all(&home);
}

/// The clock is read only when a record or a due snapshot needs it, at most once per
/// call; records the one-pass check passes on are counted as prefiltered all the same.
#[test]
fn clock_read_only_when_needed() {
    let home = temp_home();
    std::fs::write(home.join(OPTIONS_FILE), r#"{"snapshot_every":"60s"}"#).expect("write");
    let other = r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-03-12T06:22:01Z"}"#;
    let (a, b) = (scan("arn:a"), scan("arn:b"));
    // (record, mode, clock reads without snapshots, with snapshots: once the state
    // changed, every call asks whether a snapshot is due)
    let cases = [
        (other, Mode::Annotate, 0, 0),
        (other, Mode::AlertsOnly, 0, 0),
        (a.as_str(), Mode::Annotate, 1, 1),
        (b.as_str(), Mode::AlertsOnly, 1, 1),
        // While the reorder window holds events, each record reads the clock once to
        // decide those it has held for the whole window.
        (other, Mode::Annotate, 1, 1),
        // Invalid text goes the whole way (it is reported), as a candidate does; the
        // pre-check rejects it too.
        ("{not json", Mode::Annotate, 1, 1),
    ];
    for snapshots in [false, true] {
        let (mut f, _) = filter_in(snapshots.then_some(home.as_path()));
        for (record, mode, plain, with_snapshots) in cases {
            let mut reads = 0;
            f.call(mode, Record::Bytes(record.as_bytes()), None, &mut || {
                reads += 1;
                NOW
            });
            let want = if snapshots { with_snapshots } else { plain };
            assert_eq!(reads, want, "{mode:?} {record} snapshots: {snapshots}");
        }
        let stats = f.stats().to_vec();
        let stats: serde_json::Value =
            serde_json::from_slice(&stats[..stats.len() - 1]).expect("stats");
        assert_eq!(stats["detector"]["prefiltered"], 4, "{stats}");
    }
    let _ = std::fs::remove_dir_all(home);
}

/// With the default reorder window, a new principal's scan is held: its alert comes
/// with the first record the filter gets once the clock has passed the window (spliced
/// into that record, which is not the event that raised it), and a restart in between
/// loses nothing, since the snapshot carries the held event.
#[test]
fn held_alerts_come_with_a_later_record_and_survive_a_restart() {
    let home = temp_home();
    std::fs::write(home.join(OPTIONS_FILE), r#"{"snapshot_every":"0s"}"#).expect("write");
    let record = scan("arn:aws:iam::1:user/held");
    let other = r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2024-03-12T06:22:05Z"}"#;
    let (mut first, _) = filter_in(Some(&home));
    let (reply, _) = run(
        &mut first,
        Mode::Annotate,
        Record::Bytes(record.as_bytes()),
        None,
    );
    assert_eq!(reply, Reply::Unchanged, "held: nothing to add yet");
    let (reply, _) = run_at(
        &mut first,
        Mode::Annotate,
        Record::Bytes(other.as_bytes()),
        None,
        NOW + 299_999,
    );
    assert_eq!(reply, Reply::Unchanged, "not yet held for the whole window");
    drop(first);

    let (mut second, lines) = filter_in(Some(&home));
    assert!(
        lines.borrow()[0].contains("restored"),
        "{:?}",
        lines.borrow()
    );
    let (reply, v) = run_at(
        &mut second,
        Mode::Annotate,
        Record::Bytes(other.as_bytes()),
        None,
        NOW + 300_000,
    );
    assert_eq!(reply, Reply::Output);
    assert_eq!(
        v["eventName"], "GetObject",
        "the record at which it was decided"
    );
    let alerts = alerts_of(&v);
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        alerts[0]["kibana.alert.new_terms"],
        json!(["arn:aws:iam::1:user/held"])
    );
    assert_eq!(
        alerts[0]["@timestamp"],
        json!(format_timestamp(NOW + 300_000))
    );
    // Decided once: neither the next record nor a restart brings it again.
    let (reply, _) = run_at(
        &mut second,
        Mode::Annotate,
        Record::Bytes(other.as_bytes()),
        None,
        NOW + 900_000,
    );
    assert_eq!(reply, Reply::Unchanged);
    drop(second);
    let (mut third, _) = filter_in(Some(&home));
    let (reply, _) = run_at(
        &mut third,
        Mode::AlertsOnly,
        Record::Bytes(record.as_bytes()),
        None,
        NOW + 900_000,
    );
    assert_eq!(reply, Reply::Drop, "seen before the restart");
    let _ = std::fs::remove_dir_all(&home);
}

/// The module built without `rule-files` runs the built-in rule beside a rules
/// directory, and says which module reads it.
#[cfg(not(feature = "rule-files"))]
#[test]
fn the_built_in_rule_module_says_it_ignores_a_rules_directory() {
    let home = temp_home();
    std::fs::create_dir_all(home.join(RULES_DIR)).expect("rules dir");
    let (mut f, lines) = filter_in(Some(&home));
    let log = lines.borrow().join("\n");
    assert!(
        log.contains("this module runs the built-in rule only; rule files are read by dynamodb_scan_detector_rules.wasm"),
        "{log}"
    );
    let stats: serde_json::Value =
        serde_json::from_slice(f.stats().split_last().map_or(&[][..], |(_, t)| t)).expect("stats");
    assert!(stats.get("rules_refused").is_none());
    assert!(stats["detector"].get("rules_loaded").is_none());
    let _ = std::fs::remove_dir_all(&home);
}
