//! Replay order on an organization trail (three accounts × four regions, generated in
//! CloudTrail's S3 layout by tests/tools/org_trail.rs): the core orders the files by
//! delivery stamp across accounts and regions (digests left out), and the command line
//! given the directory alerts exactly as on the same events as one time-ordered stream.

mod common;
#[path = "tools/events.rs"]
#[allow(dead_code)]
mod events;
#[path = "tools/org_trail.rs"]
#[allow(dead_code)]
mod org_trail;
#[path = "tools/rng.rs"]
#[allow(dead_code)]
mod rng;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dynamodb_scan_detector::input::replay_order::{file_kind, replay_order, FileKind};
use serde_json::Value;

/// The generated trail (3 days), written once per test binary.
fn trail() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ddbscan-org-trail-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        org_trail::write(&dir, org_trail::DAYS).expect("generate the trail");
        dir
    })
}

/// Every file under the trail, as `/`-separated paths relative to it, in name order.
fn relative_files() -> Vec<String> {
    common::files(trail())
        .iter()
        .map(|p| {
            p.strip_prefix(trail())
                .expect("under the trail")
                .to_str()
                .expect("generated names are UTF-8")
                .replace('\\', "/")
        })
        .collect()
}

/// The records of one file, with their `eventTime`.
fn records(relative: &str) -> Vec<(String, Value)> {
    let bytes = common::read(&trail().join(relative));
    let doc: Value = serde_json::from_slice(&bytes).expect("a Records file");
    doc["Records"]
        .as_array()
        .expect("Records")
        .iter()
        .map(|r| {
            (
                r["eventTime"].as_str().expect("eventTime").to_owned(),
                r.clone(),
            )
        })
        .collect()
}

fn epoch_ms(time: &str) -> i64 {
    dynamodb_scan_detector::time::parse_timestamp(time).expect("an eventTime")
}

/// (event id, new terms) of each alert the command line prints.
fn alerts(stdout: &[u8]) -> Vec<(String, String)> {
    stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let a: Value = serde_json::from_slice(l).expect("alert JSON");
            (
                a["event"]["id"].as_str().expect("event.id").to_owned(),
                a["kibana.alert.new_terms"].to_string(),
            )
        })
        .collect()
}

fn cli(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let out = common::run_cli(args, stdin);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The events of `files` (in that order) as NDJSON, stably sorted by `eventTime`.
fn time_ordered_ndjson(files: &[&String]) -> Vec<u8> {
    let mut all: Vec<(i64, Value)> = files
        .iter()
        .flat_map(|f| records(f))
        .map(|(t, r)| (epoch_ms(&t), r))
        .collect();
    all.sort_by_key(|(t, _)| *t);
    let mut out = Vec::new();
    for (_, r) in all {
        out.extend(serde_json::to_vec(&r).expect("JSON"));
        out.push(b'\n');
    }
    out
}

#[test]
fn an_org_trail_is_ordered_by_delivery_stamp_across_accounts_and_regions() {
    let files = relative_files();
    let order = replay_order(&files);
    let ordered: Vec<&String> = order.iter().map(|&i| &files[i]).collect();

    let digests = files
        .iter()
        .filter(|f| f.contains("/CloudTrail-Digest/"))
        .count();
    assert_eq!(
        digests,
        3 * 4 * org_trail::DAYS as usize,
        "one digest per account, region and day"
    );
    assert_eq!(
        ordered.len(),
        files.len() - digests,
        "digest files are left out"
    );
    assert!(ordered.iter().all(|f| f.contains("_CloudTrail_")));

    // By stamp, then by path; never name order, which goes account by account.
    let stamp = |f: &str| match file_kind(f.as_bytes()) {
        FileKind::Delivery(s) => s,
        other => panic!("{f}: {other:?}"),
    };
    let mut by_key = ordered.clone();
    by_key.sort_by_key(|f| (stamp(f), f.to_string()));
    assert_eq!(ordered, by_key);
    let name_order: Vec<&String> = files.iter().filter(|f| !f.contains("Digest")).collect();
    assert_ne!(ordered, name_order);
    let accounts_seen_in_first_hour: std::collections::BTreeSet<&str> = ordered
        .iter()
        .take_while(|f| stamp(f) <= 202_611_020_100)
        .map(|f| &f[21..33])
        .collect();
    assert_eq!(accounts_seen_in_first_hour.len(), 3, "accounts interleave");

    // Each file holds the five minutes before its stamp, so events come out of this
    // order less than five minutes behind the latest seen.
    let mut latest = i64::MIN;
    let mut most_behind = 0;
    for f in &ordered {
        let s = stamp(f).to_string();
        let end = epoch_ms(&format!(
            "{}-{}-{}T{}:{}:00Z",
            &s[..4],
            &s[4..6],
            &s[6..8],
            &s[8..10],
            &s[10..12]
        ));
        for (t, _) in records(f) {
            let t = epoch_ms(&t);
            assert!((end - org_trail::DELIVERY..end).contains(&t), "{f}: {t}");
            latest = latest.max(t);
            most_behind = most_behind.max(latest - t);
        }
    }
    assert!(most_behind > 0, "the trail does disorder some events");
    assert!(most_behind < org_trail::DELIVERY, "{most_behind} ms");
}

/// With the default configuration, the directory and the same files' records on
/// standard input in delivery order (as a pipeline receives them) give exactly the
/// alerts of the events replayed in time order and judged on arrival. Files in stamp
/// order disorder events by up to five minutes; the reorder window absorbs it, and
/// without it (`0s`) the first of a burst of scans across regions is not always the
/// one that alerts.
#[test]
fn the_directory_alerts_as_its_events_in_time_order() {
    let files = relative_files();
    let ordered: Vec<&String> = replay_order(&files).iter().map(|&i| &files[i]).collect();
    let dir = trail().to_str().expect("UTF-8 temp dir");
    let time_ordered = alerts(&cli(
        &["--detection-time", "event", "--reorder-window", "0s", "-"],
        &time_ordered_ndjson(&ordered),
    ));
    assert!(time_ordered.len() >= 10, "{time_ordered:?}");

    let from_dir = alerts(&cli(&["--detection-time", "event", dir], b""));
    assert_eq!(from_dir, time_ordered, "the directory");

    let mut delivered = Vec::new();
    for f in &ordered {
        for (_, r) in records(f) {
            delivered.extend(serde_json::to_vec(&r).expect("JSON"));
            delivered.push(b'\n');
        }
    }
    let args = ["--detection-time", "event", "-"];
    assert_eq!(
        alerts(&cli(&args, &delivered)),
        time_ordered,
        "delivery order on stdin"
    );
    let on_arrival = ["--detection-time", "event", "--reorder-window", "0s", "-"];
    assert_ne!(
        alerts(&cli(&on_arrival, &delivered)),
        time_ordered,
        "judged on arrival, delivery order alerts otherwise"
    );
}

#[test]
fn name_order_would_alert_differently() {
    let files = relative_files();
    let name_order: Vec<&String> = files.iter().filter(|f| !f.contains("Digest")).collect();
    let mut concatenated = Vec::new();
    for f in &name_order {
        for (_, r) in records(f) {
            concatenated.extend(serde_json::to_vec(&r).expect("JSON"));
            concatenated.push(b'\n');
        }
    }
    let in_name_order = alerts(&cli(&["--detection-time", "event", "-"], &concatenated));
    let in_time_order = alerts(&cli(
        &["--detection-time", "event", "-"],
        &time_ordered_ndjson(&name_order),
    ));
    assert_ne!(
        in_name_order, in_time_order,
        "the trail tells the orders apart"
    );
}
