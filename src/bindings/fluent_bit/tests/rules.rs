//! The module built with `rule-files`: a rules directory in its home runs Elastic's rule
//! files as the core's rule set does (the same alerts, record by record), keeps one
//! journal per rule so that a stop after any call neither repeats nor misses an alert,
//! and says what it refused.

use std::path::{Path, PathBuf};

use super::files::temp_home;
use super::*;
use crate::config::rule_file::parse_rule_file;
use crate::rule_set::RuleSet;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Elastic's six rule files of the generated two weeks (tests/cli_rules.rs).
fn six() -> Vec<PathBuf> {
    let dir = root().join("tests/data/third-party/elastic-detection-rules");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("rules")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The two weeks, one record a line.
fn family() -> Vec<String> {
    std::fs::read_to_string(root().join("tests/fixtures/aws-family.ndjson"))
        .expect("fixture")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A home with the six rules (and `extra` files) in its rules directory.
fn home_with_rules(snapshot_every: &str, extra: &[(&str, &str)]) -> PathBuf {
    let home = temp_home();
    let rules = home.join(RULES_DIR);
    std::fs::create_dir_all(&rules).expect("rules dir");
    for file in six() {
        let name = file.file_name().expect("a name");
        std::fs::copy(&file, rules.join(name)).expect("copy");
    }
    for (name, text) in extra {
        std::fs::write(rules.join(name), text).expect("write");
    }
    let settings = format!(
        r#"{{"snapshot_every":"{snapshot_every}","heartbeat_stats":false,"detection_time":"event"}}"#
    );
    std::fs::write(home.join(OPTIONS_FILE), settings).expect("write");
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

/// The host's clock at each record: its event time and a second, as in a live stream.
/// (A replay faster than real time would race event time ahead of the clock: the
/// last-seen times of known terms, which only snapshots keep, could then lag more than
/// one snapshot interval of event time at a stop.)
fn clock(line: &str) -> Millis {
    let record: Value = serde_json::from_str(line).expect("a record");
    let time = record["eventTime"].as_str().expect("eventTime");
    crate::time::parse_timestamp(time).expect("a time") + 1000
}

/// [`run`] with every record handed over as Fluent Bit hands its own JSON text, with the
/// host's `strstr`: the replies, and how many records the rules' pre-check rejected
/// through the host's search.
fn run_as_fluent_bit_text(home: &Path) -> (Vec<(Reply, String)>, u64) {
    let lines = family();
    let (mut f, _) = start_at(home, clock(&lines[0]));
    let mut out = Vec::new();
    for line in &lines {
        let text = line.as_bytes();
        let contains =
            |needle: &std::ffi::CStr| memchr::memmem::find(text, needle.to_bytes()).is_some();
        let record = Record::FluentBitJson {
            text,
            contains: &contains,
        };
        let (reply, value) = run_at(&mut f, Mode::Annotate, record, None, clock(line));
        out.push((reply, value.to_string()));
    }
    let prefiltered = f.engine.stats_json()["prefiltered"].as_u64().unwrap_or(0);
    (out, prefiltered)
}

/// The alerts (their `kibana.alert.uuid`s) of each call of the two weeks through the
/// filter in `home` (annotate), the filter dropped (no snapshot at the stop) and
/// started again before each call in `stops`.
fn run(home: &Path, stops: &[usize]) -> Vec<Vec<String>> {
    let lines = family();
    let (mut f, _) = start_at(home, clock(&lines[0]));
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let now = clock(line);
        if stops.contains(&i) {
            drop(f);
            f = start_at(home, now).0;
        }
        let (_, value) = run_at(
            &mut f,
            Mode::Annotate,
            Record::Bytes(line.as_bytes()),
            None,
            now,
        );
        out.push(ids(&value[ALERTS_KEY]));
    }
    out
}

fn ids(alerts: &Value) -> Vec<String> {
    alerts
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| d["kibana.alert.uuid"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The core's rule set on the same records, record by record.
fn core_alerts() -> Vec<Vec<String>> {
    let rules = six()
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("rule");
            parse_rule_file(&f.display().to_string(), &text).expect("loads")
        })
        .collect();
    let mut set = RuleSet::new(rules, &crate::config::DetectorOptions::default()).expect("a set");
    family()
        .iter()
        .map(|line| {
            set.process(line.as_bytes(), crate::Context::event_time())
                .iter()
                .map(|a| {
                    a.document()["kibana.alert.uuid"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned()
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_rules_directory_runs_as_the_core_rule_set_does() {
    let home = home_with_rules("60s", &[("bad.toml", "[rule]\ntype = \"new_terms\"\n")]);
    let (mut f, lines) = start_at(&home, NOW);
    let log = lines.borrow().join("\n");
    assert!(log.contains("6 New Terms rules load, 1 refused"), "{log}");
    assert!(log.contains("rule file refused: "), "{log}");
    let journals = std::fs::read_dir(&home)
        .expect("home")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{JOURNAL_FILE}."))
        })
        .count();
    assert_eq!(journals, 6, "one journal per rule, from the start");
    let stats: Value =
        serde_json::from_slice(f.stats().split_last().map_or(&[][..], |(_, t)| t)).expect("stats");
    assert_eq!(stats["rules_refused"], 1);
    assert_eq!(stats["detector"]["rules_loaded"], 6);
    drop(f);
    let want = core_alerts();
    let total: usize = want.iter().map(Vec::len).sum();
    assert!(
        total >= 15,
        "{total} alerts in the two weeks (without the end of input)"
    );
    assert_eq!(run(&home, &[]), want);
    let _ = std::fs::remove_dir_all(&home);
    // Fluent Bit's own text, searched by the host: the same replies as the module's own
    // reading (records returned unchanged, or annotated alike), and records rejected by
    // the host's search alone. Without the access-key rule, which requires only the
    // text `AKIA` (every record of the two weeks holds it, so with it none is rejected).
    let (bytes_home, text_home) = (home_with_rules("60s", &[]), home_with_rules("60s", &[]));
    for h in [&bytes_home, &text_home] {
        let rules = h.join(RULES_DIR);
        std::fs::remove_file(
            rules.join("credential_access_iam_long_term_access_key_first_seen_from_source_ip.toml"),
        )
        .expect("the access-key rule");
    }
    let lines = family();
    let (mut f, _) = start_at(&bytes_home, clock(&lines[0]));
    let by_bytes: Vec<(Reply, String)> = lines
        .iter()
        .map(|line| {
            let (reply, value) = run_at(
                &mut f,
                Mode::Annotate,
                Record::Bytes(line.as_bytes()),
                None,
                clock(line),
            );
            (reply, value.to_string())
        })
        .collect();
    let (by_text, prefiltered) = run_as_fluent_bit_text(&text_home);
    assert_eq!(by_text, by_bytes);
    assert!(
        prefiltered * 4 > lines.len() as u64,
        "{prefiltered} of {} rejected by the host's search",
        lines.len()
    );
    for h in [bytes_home, text_home] {
        let _ = std::fs::remove_dir_all(&h);
    }
}

/// After a kill between any two calls, a restart goes on exactly as the filter that
/// was never stopped: each rule's journal holds what its snapshot does not.
#[test]
fn a_stop_between_calls_neither_repeats_nor_misses_an_alert() {
    let want = core_alerts();
    let n = want.len();
    for every in ["0s", "60s", "1h"] {
        // Stops after the calls that alerted, and at a spread of others.
        let alerted: Vec<usize> = (0..n)
            .filter(|&i| !want[i].is_empty())
            .map(|i| i + 1)
            .collect();
        let mut stops: Vec<usize> = alerted
            .into_iter()
            .chain((7..n).step_by(97))
            .filter(|&i| i < n)
            .collect();
        stops.sort_unstable();
        stops.dedup();
        let home = home_with_rules(every, &[]);
        let got = run(&home, &stops);
        let first = (0..n).find(|&i| got[i] != want[i]);
        assert_eq!(
            first,
            None,
            "{every}: stopped before {stops:?}; at that call {:?}, uninterrupted {:?}",
            first.map(|i| &got[i]),
            first.map(|i| &want[i])
        );
        let journals = std::fs::read_dir(&home)
            .expect("home")
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{JOURNAL_FILE}."))
            })
            .count();
        assert_eq!(journals, 6, "{every}: one journal per rule");
        let _ = std::fs::remove_dir_all(&home);
    }
}

/// The snapshot of a set restores with a changed directory: the unchanged rules keep
/// their state (no repeated alert), and the log says what was dropped.
#[test]
fn a_changed_rules_directory_keeps_the_unchanged_rules_state() {
    let home = home_with_rules("0s", &[]);
    let want = core_alerts();
    let lines = family();
    let half = lines.len() / 2;
    let (mut f, _) = start_at(&home, NOW);
    for (i, line) in lines[..half].iter().enumerate() {
        run_at(
            &mut f,
            Mode::Annotate,
            Record::Bytes(line.as_bytes()),
            None,
            NOW + i as Millis * 1000,
        );
    }
    drop(f);
    let removed = six()[0].file_name().expect("name").to_owned();
    std::fs::remove_file(home.join(RULES_DIR).join(&removed)).expect("remove");
    let (mut f, log) = start_at(&home, NOW + half as Millis * 1000);
    let log = log.borrow().join("\n");
    assert!(log.contains("saved state dropped for rule"), "{log}");
    let mut got = Vec::new();
    for (i, line) in lines[half..].iter().enumerate() {
        let now = NOW + (half + i) as Millis * 1000;
        let (_, value) = run_at(
            &mut f,
            Mode::Annotate,
            Record::Bytes(line.as_bytes()),
            None,
            now,
        );
        got.extend(ids(&value[ALERTS_KEY]));
    }
    // The second half's alerts of the five rules left, none again from the first half.
    let first_half: Vec<&String> = want[..half].iter().flatten().collect();
    assert!(
        got.iter().all(|id| !first_half.contains(&id)),
        "no repeated alert"
    );
    let second_half: Vec<&String> = want[half..].iter().flatten().collect();
    assert!(got.iter().all(|id| second_half.contains(&id)));
    assert!(!got.is_empty());
    let _ = std::fs::remove_dir_all(&home);
}
