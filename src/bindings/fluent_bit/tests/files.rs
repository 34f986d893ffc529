//! The module's files: config, settings and snapshot, read from a temporary home.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use super::*;
use crate::time::format_timestamp;

fn temp_home() -> PathBuf {
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
        let record = scan("arn:aws:iam::1:user/cfg");
        let (_, v) = run(
            &mut f,
            Mode::AlertsOnly,
            Record::Bytes(record.as_bytes()),
            None,
        );
        let want = if event_time { T_MILLIS } else { NOW };
        assert_eq!(v["@timestamp"], json!(format_timestamp(want)));
        let _ = std::fs::remove_dir_all(&home);
    }
}

#[test]
fn the_snapshot_survives_a_restart_and_a_corrupt_one_is_set_aside() {
    let home = temp_home();
    std::fs::write(home.join(OPTIONS_FILE), r#"{"snapshot_every":"0s"}"#).expect("write");
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
        (other, Mode::Annotate, 0, 1),
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
