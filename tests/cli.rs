//! The command-line filter, run as a built binary: golden outputs for every input shape
//! and output mode, stdin, directories, `--state`, `--learn`, bad input and exit codes.
//! Regenerate the golden files with `UPDATE_GOLDEN=1 cargo test --test cli`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample() -> PathBuf {
    root().join("pipeline-examples/data")
}

/// One day's folder of the bundled sample (`02` to `05`).
fn day(d: &str) -> String {
    sample()
        .join("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11")
        .join(d)
        .display()
        .to_string()
}

fn shapes() -> PathBuf {
    root().join("tests/fixtures/shapes")
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    common::run_cli(args, stdin.unwrap_or(b""))
}

fn ok(args: &[&str]) -> Vec<u8> {
    let out = run(args, None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn golden(name: &str, actual: &[u8]) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden");
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    assert!(
        expected == actual,
        "{name} differs from the golden file; diff it with the output of the same command"
    );
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn lines(out: &[u8]) -> Vec<serde_json::Value> {
    out.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("NDJSON line"))
        .collect()
}

fn stats(stderr: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(stderr);
    let last = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .expect("stats line");
    serde_json::from_str(last).expect("stats JSON")
}

#[test]
fn every_shape_in_every_mode_matches_its_golden_file() {
    for mode in ["alerts", "passthrough", "annotate"] {
        let out = ok(&["--detection-time", "event", "--output", mode, p(&shapes())]);
        golden(&format!("shapes-{mode}.ndjson"), &out);
    }
    let alerts = lines(&ok(&["--detection-time", "event", p(&shapes())]));
    let who: Vec<String> = alerts
        .iter()
        .map(|a| {
            a["kibana.alert.new_terms"][0]
                .as_str()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        who,
        ["alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com", "erin@example.com", "frank@example.com",
         "grace@example.com", "heidi@example.com", "ivan@example.com", "judy@example.com", "kim@example.com"],
        "one alert per principal, from every shape, in input order; failures and repeats never alert"
    );
}

#[test]
fn the_bundled_sample_matches_its_golden_file_for_both_profiles() {
    golden(
        "sample-alerts.ndjson",
        &ok(&["--detection-time", "event", p(&sample())]),
    );
    golden(
        "sample-alerts-current.ndjson",
        &ok(&[
            "--detection-time",
            "event",
            "--profile",
            "current",
            p(&sample()),
        ]),
    );
    assert_eq!(
        lines(&ok(&["--detection-time", "event", p(&sample())])).len(),
        7
    );
}

#[test]
fn stdin_gives_what_the_file_gives_gzip_included() {
    for name in [
        "01-raw.ndjson",
        "02-s3-records.json.gz",
        "03-array.json",
        "09-bad-records.ndjson",
    ] {
        let file = shapes().join(name);
        let bytes = std::fs::read(&file).expect("fixture");
        let from_stdin = run(
            &["--detection-time", "event", "--output", "passthrough", "-"],
            Some(&bytes),
        );
        assert_eq!(from_stdin.status.code(), Some(0));
        assert_eq!(
            from_stdin.stdout,
            ok(&[
                "--detection-time",
                "event",
                "--output",
                "passthrough",
                p(&file)
            ]),
            "{name}"
        );
    }
}

#[test]
fn passthrough_keeps_every_event_and_the_counts_prove_it() {
    let out = run(
        &[
            "--detection-time",
            "event",
            "--output",
            "passthrough",
            "--stats",
            p(&shapes()),
        ],
        None,
    );
    let s = stats(&out.stderr);
    let events = s["events_in"].as_u64().unwrap_or(0);
    let docs = s["alerts"].as_u64().unwrap_or(0) + s["summaries"].as_u64().unwrap_or(0);
    let written = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count() as u64;
    assert_eq!(written, events + docs, "in = out: {s}");
    // The line with invalid UTF-8 is passed on byte for byte.
    assert!(
        out.stdout.windows(3).any(|w| w == b"\"\xff\""),
        "invalid UTF-8 passed through unchanged"
    );
}

#[test]
fn bad_records_are_counted_and_reported_with_file_and_line() {
    let file = shapes().join("09-bad-records.ndjson");
    // Every record classified: each malformed one is reported with its line.
    let out = run(
        &[
            "--detection-time",
            "event",
            "--stats",
            "--validate-all",
            p(&file),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "bad records are never fatal");
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        ":1: invalid JSON",
        ":2: invalid JSON",
        ":3: input is not valid UTF-8",
        ":5: `Records` is not an array",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
    let s = stats(&out.stderr);
    assert_eq!(
        (
            s["unparseable"].as_u64(),
            s["not_cloudtrail"].as_u64(),
            s["alerts"].as_u64()
        ),
        (Some(4), Some(2), Some(1)),
        "{s}"
    );
    // By default the DynamoDB Streams record (no "Scan" in it) is only counted as prefiltered;
    // unreadable input is still reported, and the alerts are the same.
    let default = run(&["--detection-time", "event", "--stats", p(&file)], None);
    let d = stats(&default.stderr);
    assert_eq!(
        (
            d["unparseable"].as_u64(),
            d["not_cloudtrail"].as_u64(),
            d["prefiltered"].as_u64()
        ),
        (Some(4), Some(1), Some(1)),
        "{d}"
    );
    assert_eq!(default.stdout, out.stdout);
}

#[test]
fn oversize_lines_are_skipped_with_a_clear_message() {
    let mut input = b"{\"eventName\":\"GetItem\"}\n".to_vec();
    input.extend(format!("{{\"eventName\":\"{}\"}}\n", "x".repeat(5000)).bytes());
    input.extend_from_slice(
        std::fs::read(shapes().join("01-raw.ndjson"))
            .expect("fixture")
            .as_slice(),
    );
    let out = run(
        &[
            "--max-line-bytes",
            "4096",
            "--stats",
            "--detection-time",
            "event",
            "-",
        ],
        Some(&input),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("<stdin>:2: longer than 4096 bytes, skipped")
    );
    assert_eq!(
        lines(&out.stdout).len(),
        2,
        "reading went on after the long line"
    );
    assert_eq!(stats(&out.stderr)["unparseable"], 1);
}

/// A UTF-8 byte-order mark at the start of an input (Windows tools write one) is
/// skipped: the output and counts are those of the same input without it, in NDJSON
/// and in a whole JSON document. It used to make the first record unparseable, so its
/// Scan never alerted.
#[test]
fn a_byte_order_mark_at_the_start_is_skipped() {
    for fixture in ["01-raw.ndjson", "03-array.json"] {
        let plain = std::fs::read(shapes().join(fixture)).expect("fixture");
        let marked = [b"\xEF\xBB\xBF".as_slice(), &plain].concat();
        let args = ["--detection-time", "event", "--stats", "-"];
        let want = run(&args, Some(&plain));
        let got = run(&args, Some(&marked));
        assert!(
            !want.stdout.is_empty(),
            "{fixture}: the first records alert"
        );
        assert!(got.stdout == want.stdout, "{fixture}: the same alerts");
        assert_eq!(stats(&got.stderr), stats(&want.stderr), "{fixture}");
        assert_eq!(stats(&got.stderr)["unparseable"], 0, "{fixture}");
    }
}

#[test]
fn state_file_splits_a_run_without_changing_its_alerts() {
    let dir = tempdir("state");
    let state = dir.join("detector.state");
    let days = |list: &[&str]| -> Vec<String> {
        list.iter()
            .map(|d| {
                sample()
                    .join("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11")
                    .join(d)
                    .display()
                    .to_string()
            })
            .collect()
    };
    let whole = ok(&["--detection-time", "event", p(&sample())]);
    let mut split = Vec::new();
    for part in [days(&["02", "03"]), days(&["04", "05"])] {
        let mut args = vec!["--detection-time", "event", "--state", p(&state)];
        args.extend(part.iter().map(String::as_str));
        split.extend(ok(&args));
    }
    assert_eq!(
        String::from_utf8_lossy(&split),
        String::from_utf8_lossy(&whole)
    );
    // A damaged state file is refused clearly, not silently reset.
    let mut bytes = std::fs::read(&state).expect("state written");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&state, &bytes).expect("write");
    let out = run(&["--state", p(&state), p(&sample())], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("checksum"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn learn_primes_history_without_alerting() {
    let (d2, d3, d4, d5) = (day("02"), day("03"), day("04"), day("05"));
    let out = lines(&ok(&[
        "--detection-time",
        "event",
        "--learn",
        &d2,
        "--learn",
        &d3,
        "-l",
        &d4,
        &d5,
    ]));
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0]["kibana.alert.new_terms"][0],
        "arn:aws:sts::111122223333:assumed-role/AdminRole/mallory@example.com"
    );
}

/// A state file of the previous format (1, before the reorder window and keyword terms;
/// written by the command line of d551d16 after the sample's first two days) restores:
/// the last two days then give exactly the alerts an uninterrupted run gives for them.
#[test]
fn a_state_file_of_the_previous_format_restores() {
    let fixture = root().join("tests/fixtures/snapshots/v1-sample-days-02-03.bin");
    let bytes = std::fs::read(&fixture).expect("fixture");
    assert_eq!(&bytes[..10], b"DDBSCAND\x01\x00", "format 1");
    let state = tempdir("v1").join("state.bin");
    std::fs::write(&state, &bytes).expect("write");
    let later = lines(&ok(&[
        "--detection-time",
        "event",
        "--state",
        p(&state),
        &day("04"),
        &day("05"),
    ]));
    let whole = lines(&ok(&["--detection-time", "event", p(&sample())]));
    let ids = |alerts: &[serde_json::Value]| -> Vec<String> {
        alerts
            .iter()
            .map(|a| a["kibana.alert.uuid"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let from_day_4: Vec<serde_json::Value> = whole
        .into_iter()
        .filter(|a| {
            a["kibana.alert.original_time"]
                .as_str()
                .is_some_and(|t| t >= "2026-11-04")
        })
        .collect();
    assert!(!from_day_4.is_empty());
    assert_eq!(ids(&later), ids(&from_day_4));
    let rewritten = std::fs::read(&state).expect("saved again");
    assert_eq!(
        &rewritten[..10],
        b"DDBSCAND\x02\x00",
        "saved in the current format"
    );
}

#[test]
fn exit_codes_and_one_line_messages() {
    let bad_config = tempdir("config").join("c.json");
    std::fs::write(&bad_config, r#"{"history_window":"5m"}"#).expect("write");
    let cases: &[(&[&str], i32, &str)] = &[
        (&["/no/such/file"], 1, "/no/such/file: No such file"),
        (
            &["--output", "everything"],
            2,
            "--output: unknown mode `everything`",
        ),
        (
            &["--config", "/no/such/config.json"],
            2,
            "--config /no/such/config.json",
        ),
        (
            &["--config", p(&bad_config)],
            2,
            "'historyWindowStart' must be earlier than 'from'",
        ),
        (&["--bogus"], 2, "--bogus"),
    ];
    for (args, code, msg) in cases {
        let out = run(args, None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    assert!(String::from_utf8_lossy(&ok(&["--help"])).contains("Usage: dynamodb-scan-detector"));
}

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ddbscan-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Gzip is inflated ahead of the detector (in a second thread natively): files of many
/// chunks, several gzip members, and a file cut short all read as a plain reader would.
#[test]
fn gzip_read_ahead_keeps_every_byte_and_reports_a_cut() {
    use std::io::Write;
    let line_file = std::fs::read(shapes().join("01-raw.ndjson")).expect("fixture");
    let mut plain = Vec::new();
    while plain.len() < 5 << 20 {
        plain.extend_from_slice(&line_file);
    }
    let gzip = |bytes: &[u8]| {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(bytes).expect("gzip");
        z.finish().expect("gzip")
    };
    let dir = tempdir("gzip");
    let plain_path = dir.join("events.ndjson");
    std::fs::write(&plain_path, &plain).expect("write");
    let one = gzip(&plain);
    let (a, b) = plain.split_at(plain.len() / 3);
    let members = [gzip(a), gzip(b)].concat();
    // Judged on arrival, so that what was read before a cut is exactly a prefix.
    fn args(path: &Path) -> [&str; 7] {
        [
            "--detection-time",
            "event",
            "--output",
            "passthrough",
            "--reorder-window",
            "0s",
            p(path),
        ]
    }
    let expected = ok(&args(&plain_path));
    assert!(
        expected.len() >= plain.len(),
        "passthrough: every event, and the alerts"
    );
    for (name, bytes) in [("one.json.gz", &one), ("members.json.gz", &members)] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write");
        let out = ok(&args(&path));
        assert!(out == expected, "{name}: same bytes as the plain file");
    }
    let cut = dir.join("cut.json.gz");
    std::fs::write(&cut, &one[..one.len() / 2]).expect("write");
    let out = run(&args(&cut), None);
    let err = String::from_utf8_lossy(&out.stderr);
    // An input problem is skipped, counted and reported; the run goes on (exit 0).
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("cut.json.gz: unreadable after"), "{err}");
    assert!(err.contains("incomplete deflate stream"), "{err}");
    assert!(
        !out.stdout.is_empty() && expected.starts_with(&out.stdout),
        "a prefix, in order"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `--check-rules`: Elastic's rule files copied here all load (status 0, one line each);
/// our refusal fixtures each say why (status 2); rules of other types are skipped; logs
/// cannot be given with it.
#[test]
fn check_rules_reports_what_loads_and_why_the_rest_is_refused() {
    let elastic = root().join("tests/data/third-party/elastic-detection-rules");
    let out = String::from_utf8(ok(&[
        "--check-rules",
        elastic.to_str().expect("UTF-8 path"),
    ]))
    .expect("UTF-8");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("loads    ")).count(),
        6,
        "{out}"
    );
    assert!(
        out.ends_with("6 New Terms rules load, 0 refused; 0 rules of other types skipped\n"),
        "{out}"
    );

    let fixtures = root().join("tests/fixtures/rules");
    let checked = run(
        &["--check-rules", fixtures.to_str().expect("UTF-8 path")],
        None,
    );
    assert_eq!(checked.status.code(), Some(2));
    let out = String::from_utf8(checked.stdout).expect("UTF-8");
    assert!(out.contains("loads    "), "{out}");
    assert!(
        out.contains(
            ": rule \"Suppressed\": alert_suppression: duration unit \"d\" is not s, m or h\n"
        ),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("refused  ")).count(),
        8,
        "{out}"
    );
    assert!(
        out.ends_with("1 New Terms rules load, 8 refused; 1 rules of other types skipped\n"),
        "{out}"
    );

    // A rule's suppression is described on its line.
    let suppressed = root().join("tests/fixtures/suppression/scan-by-account.toml");
    let out = String::from_utf8(ok(&[
        "--check-rules",
        suppressed.to_str().expect("UTF-8 path"),
    ]))
    .expect("UTF-8");
    assert!(
        out.contains("(new terms: aws.cloudtrail.user_identity.arn; suppression: one alert per cloud.account.id for 3h)\n"),
        "{out}"
    );

    let mixed = run(
        &[
            "--check-rules",
            fixtures.to_str().expect("UTF-8 path"),
            "logs.ndjson",
        ],
        None,
    );
    assert_eq!(mixed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&mixed.stderr).contains("give no inputs with it"));
}
