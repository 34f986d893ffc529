//! `--rules`: Elastic's AWS New Terms rules run from their own files by the command
//! line, on the generated two weeks of tests/tools/family.rs, against the built-in rule
//! and across `--state`.

mod common;

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn elastic_rules() -> PathBuf {
    root().join("tests/data/third-party/elastic-detection-rules")
}

fn family() -> String {
    root()
        .join("tests/fixtures/aws-family.ndjson")
        .display()
        .to_string()
}

fn p(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ddbscan-rules-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Run to success: standard output and standard error.
fn ok(args: &[&str]) -> (Vec<u8>, String) {
    let out = common::run_cli(args, b"");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    (out.stdout, stderr)
}

fn alerts(out: &[u8]) -> Vec<serde_json::Value> {
    out.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("NDJSON line"))
        .collect()
}

fn stats(stderr: &str) -> serde_json::Value {
    let last = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .expect("stats line");
    serde_json::from_str(last).expect("stats JSON")
}

/// The sum of the counters `keys` of a stats object.
fn sum(stats: &serde_json::Value, keys: &[&str]) -> u64 {
    keys.iter()
        .map(|k| stats[k].as_u64().expect("counter"))
        .sum()
}

/// (rule name, new terms joined with `|`) of each alert, in output order.
fn story(out: &[u8]) -> Vec<(String, String)> {
    alerts(out)
        .iter()
        .map(|a| {
            let terms: Vec<&str> = a["kibana.alert.new_terms"]
                .as_array()
                .expect("new terms")
                .iter()
                .map(|t| t.as_str().expect("a keyword"))
                .collect();
            (
                a["kibana.alert.rule.name"]
                    .as_str()
                    .expect("name")
                    .to_owned(),
                terms.join("|"),
            )
        })
        .collect()
}

#[test]
fn six_of_elastics_rules_tell_the_story_of_two_weeks() {
    let (out, stderr) = ok(&[
        "--rules",
        p(&elastic_rules()),
        "--detection-time",
        "event",
        "--stats",
        &family(),
    ]);
    assert!(
        stderr
            .contains("--rules: 6 New Terms rules load, 0 refused; 0 rules of other types skipped"),
        "{stderr}"
    );
    let mut got = story(&out);
    got.sort();
    let key = "AWS IAM Long-Term Access Key First Seen from Source IP";
    let sts = "AWS STS GetCallerIdentity API Called for the First Time";
    let secret = "First Time Seen AWS Secret Value Accessed in Secrets Manager";
    let scan = "AWS DynamoDB Scan by Unusual User";
    let ssm = "AWS SSM `SendCommand` Execution by Rare User";
    let export = "AWS DynamoDB Table Exported to S3";
    let mut expected: Vec<(String, String)> = [
        (key, "AKIAIOSFODNN7ALICE01|198.51.100.10"),
        (key, "AKIAIOSFODNN7BOB0001|198.51.100.20"),
        (key, "AKIAIOSFODNN7CAROL01|203.0.113.30"),
        (key, "AKIAIOSFODNN7ALICE01|198.51.100.77"),
        (key, "AKIAIOSFODNN7MALLORY|192.0.2.66"),
        (sts, "arn:aws:iam::111122223333:user/alice"),
        (sts, "arn:aws:iam::111122223333:user/bob"),
        (sts, "arn:aws:iam::111122223333:user/mallory"),
        (secret, "111122223333|alice"),
        (secret, "111122223333|bob"),
        (secret, "444455556666|carol"),
        // Again, nine days later: past the rule's 5-day window.
        (secret, "111122223333|bob"),
        (secret, "111122223333|mallory"),
        (scan, "111122223333|alice"),
        (scan, "444455556666|carol"),
        (scan, "111122223333|mallory"),
        (ssm, "111122223333|bob"),
        (ssm, "111122223333|mallory"),
        (export, "111122223333|bob"),
        (export, "111122223333|mallory"),
    ]
    .iter()
    .map(|(r, t)| ((*r).to_owned(), (*t).to_owned()))
    .collect();
    expected.sort();
    assert_eq!(got, expected);

    let s = stats(&stderr);
    let lines = std::fs::read_to_string(family())
        .expect("fixture")
        .lines()
        .count();
    assert_eq!(s["events_in"], lines);
    assert_eq!(s["rules_loaded"], 6);
    assert_eq!(s["rules_refused"], 0);
    assert_eq!(s["alerts"], expected.len());
    let per_rule: u64 = s["rules"]
        .as_object()
        .expect("rules")
        .values()
        .map(|r| r["alerts"].as_u64().expect("alerts"))
        .sum();
    assert_eq!(per_rule, expected.len() as u64);
    let counted = sum(
        &s,
        &[
            "unparseable",
            "not_cloudtrail",
            "prefiltered",
            "not_matched",
            "matched",
        ],
    );
    assert_eq!(counted, lines as u64, "every record counted once: {s}");

    // Passthrough: every record leaves, each rule's alerts after it.
    let (through, _) = ok(&[
        "--rules",
        p(&elastic_rules()),
        "--detection-time",
        "event",
        "-o",
        "passthrough",
        &family(),
    ]);
    let docs = alerts(&through);
    assert_eq!(docs.len(), lines + expected.len());
}

/// The DynamoDB rule read from Elastic's file alerts as the built-in `current` profile
/// does, field for field, except the rule metadata a rule file does not carry (its
/// version, kept in Elastic's version lock; the package's related integrations) or that
/// Elastic's build derives (`required_fields`), and the query's own line breaks, which
/// the file keeps and the built-in profile writes on one line.
#[test]
fn elastics_dynamodb_rule_file_alerts_as_the_built_in_profile() {
    let dir = tempdir("dynamodb");
    let file = "exfiltration_dynamodb_scan_by_unusual_user.toml";
    std::fs::copy(elastic_rules().join(file), dir.join(file)).expect("copy");
    let data = root().join("tests/data/third-party").display().to_string();
    let sample = root().join("pipeline-examples/data").display().to_string();
    let (from_file, _) = ok(&[
        "--rules",
        p(&dir),
        "--detection-time",
        "event",
        &data,
        &sample,
    ]);
    let (built_in, _) = ok(&[
        "--profile",
        "current",
        "--detection-time",
        "event",
        &data,
        &sample,
    ]);
    let (mut a, mut b) = (alerts(&from_file), alerts(&built_in));
    assert!(b.len() >= 5, "{} alerts", b.len());
    assert_eq!(a.len(), b.len());
    for doc in a.iter_mut().chain(b.iter_mut()) {
        let map = doc.as_object_mut().expect("object");
        map.shift_remove("kibana.alert.rule.version");
        let parameters = map["kibana.alert.rule.parameters"]
            .as_object_mut()
            .expect("parameters");
        for key in [
            "version",
            "related_integrations",
            "required_fields",
            "query",
        ] {
            parameters.shift_remove(key);
        }
    }
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
        // Key order too.
        assert_eq!(x.to_string(), y.to_string());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn state_splits_a_rules_run_and_a_changed_rule_set_is_reported() {
    let dir = tempdir("state");
    let state = dir.join("state.bin");
    let lines: Vec<String> = std::fs::read_to_string(family())
        .expect("fixture")
        .lines()
        .map(str::to_owned)
        .collect();
    let (first, second) = (dir.join("first.ndjson"), dir.join("second.ndjson"));
    std::fs::write(&first, lines[..500].join("\n") + "\n").expect("write");
    std::fs::write(&second, lines[500..].join("\n") + "\n").expect("write");
    let rules = p(&elastic_rules()).to_owned();
    let args = |input: &Path| -> Vec<String> {
        [
            "--rules",
            &rules,
            "--detection-time",
            "event",
            "--state",
            p(&state),
            p(input),
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
    };
    let run = |input: &Path| {
        let a = args(input);
        ok(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let (mut split, _) = run(&first);
    let (rest, _) = run(&second);
    split.extend(rest);
    let (whole, _) = ok(&["--rules", &rules, "--detection-time", "event", &family()]);
    // The same alerts; the first run's end judges the events its reorder window held,
    // so their alerts may come earlier in the output than in one run.
    let sorted = |out: &[u8]| {
        let mut lines: Vec<String> = String::from_utf8_lossy(out)
            .lines()
            .map(str::to_owned)
            .collect();
        lines.sort();
        lines
    };
    let (split, whole) = (sorted(&split), sorted(&whole));
    assert_eq!(split.len(), whole.len());
    assert!(split == whole, "a split run's alerts differ from one run's");

    // Restored with one rule: the others' saved state is dropped, and said so.
    let one = dir.join("one");
    std::fs::create_dir_all(&one).expect("dir");
    let file = "exfiltration_dynamodb_scan_by_unusual_user.toml";
    std::fs::copy(elastic_rules().join(file), one.join(file)).expect("copy");
    let (_, stderr) = ok(&["--rules", p(&one), "--state", p(&state), p(&second)]);
    assert_eq!(
        stderr.matches("saved state dropped for rule").count(),
        5,
        "{stderr}"
    );
    // A state file of the built-in rule is not a rule set's.
    let single = dir.join("single.bin");
    ok(&["--state", p(&single), p(&first)]);
    let out = common::run_cli(
        &["--rules", p(&one), "--state", p(&single), p(&second)],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a detector snapshot"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refused_rules_are_listed_and_strict_rules_makes_them_fatal() {
    let fixtures = root().join("tests/fixtures/rules");
    let (out, stderr) = ok(&["--rules", p(&fixtures), "--stats", &family()]);
    assert_eq!(stderr.matches("--rules: refused  ").count(), 8, "{stderr}");
    assert!(stderr
        .contains("--rules: 1 New Terms rules load, 8 refused; 1 rules of other types skipped"));
    let s = stats(&stderr);
    assert_eq!(
        (s["rules_loaded"].as_u64(), s["rules_refused"].as_u64()),
        (Some(1), Some(8))
    );
    let _ = out;

    for (args, message) in [
        (
            vec!["--rules", p(&fixtures), "--strict-rules"],
            "--strict-rules: a rule file was refused",
        ),
        (vec!["--strict-rules"], "--strict-rules needs --rules"),
        (
            vec!["--rules", p(&elastic_rules()), "--profile", "current"],
            "give it or --rules, not both",
        ),
        (
            vec!["--rules", p(&root().join("tests/fixtures/rules/refused"))],
            "--rules: no New Terms rule loaded",
        ),
    ] {
        let mut all = args.clone();
        let input = family();
        all.push(&input);
        let out = common::run_cli(&all, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    // The config document's `rules`, relative to its own directory, run as `--rules`.
    let dir = tempdir("config-rules");
    let rules_dir = dir.join("aws");
    std::fs::create_dir_all(&rules_dir).expect("dir");
    for file in common::files(&elastic_rules()) {
        std::fs::copy(&file, rules_dir.join(file.file_name().expect("name"))).expect("copy");
    }
    std::fs::write(
        dir.join("config.json"),
        r#"{"rules": ["aws"], "max_terms": 600}"#,
    )
    .expect("write");
    let (from_config, stderr) = ok(&[
        "--config",
        p(&dir.join("config.json")),
        "--detection-time",
        "event",
        "--stats",
        &family(),
    ]);
    let (plain, _) = ok(&[
        "--rules",
        p(&elastic_rules()),
        "--detection-time",
        "event",
        &family(),
    ]);
    assert_eq!(
        String::from_utf8_lossy(&from_config),
        String::from_utf8_lossy(&plain)
    );
    // Given both ways, the same rules would run twice: refused.
    let twice = common::run_cli(
        &[
            "--rules",
            p(&elastic_rules()),
            "--config",
            p(&dir.join("config.json")),
            &family(),
        ],
        b"",
    );
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("is loaded twice"));
    assert_eq!(stats(&stderr)["rules_loaded"], 6);
    std::fs::write(dir.join("empty.json"), r#"{"rules": []}"#).expect("write");
    let out = common::run_cli(&["--config", p(&dir.join("empty.json")), &family()], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rules: the list is empty"));
    let _ = std::fs::remove_dir_all(&dir);

    let dir = tempdir("config");
    let config = dir.join("config.json");
    std::fs::write(&config, r#"{"new_terms_fields": ["user.name"]}"#).expect("write");
    let out = common::run_cli(
        &[
            "--rules",
            p(&elastic_rules()),
            "--config",
            p(&config),
            &family(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("new_terms_fields: is set by each rule file")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every input shape (S3 files, arrays, EventBridge, CloudWatch Logs, ECS nested and
/// dotted) and a file of bad records through all 49 of Elastic's AWS rules: every record
/// leaves in passthrough, the counts add up, and the DynamoDB rule file raises exactly
/// the alerts (ids included) of the built-in current profile.
#[test]
fn every_input_shape_and_bad_records_through_all_49_rules() {
    let shapes = root().join("tests/fixtures/shapes");
    let more = root().join("tests/data/third-party/elastic-detection-rules-aws-new-terms");
    let (out, stderr) = ok(&[
        "--rules",
        p(&elastic_rules()),
        "--rules",
        p(&more),
        "--detection-time",
        "event",
        "--output",
        "passthrough",
        "--stats",
        p(&shapes),
    ]);
    let s = stats(&stderr);
    assert_eq!(s["rules_loaded"], 49);
    let counted = sum(
        &s,
        &[
            "unparseable",
            "not_cloudtrail",
            "prefiltered",
            "not_matched",
            "matched",
        ],
    );
    assert_eq!(counted, s["events_in"].as_u64().expect("events_in"), "{s}");
    for (id, rule) in s["rules"].as_object().expect("rules") {
        let rule_counted = sum(
            rule,
            &["excepted", "no_timestamp", "missing_terms", "recorded"],
        );
        assert_eq!(
            rule_counted,
            rule["matched"].as_u64().expect("matched"),
            "rule {id}"
        );
    }
    let lines: Vec<String> = String::from_utf8_lossy(&out)
        .lines()
        .map(str::to_owned)
        .collect();
    let alerts = lines
        .iter()
        .filter(|l| l.contains("\"kibana.alert.rule.rule_id\""))
        .count() as u64;
    assert_eq!(
        alerts,
        s["alerts"].as_u64().expect("alerts") + s["summaries"].as_u64().expect("summaries")
    );
    // Every record leaves: one passthrough line per record, and the documents.
    let written = out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count() as u64;
    assert_eq!(
        written,
        s["events_in"].as_u64().expect("events_in") + alerts,
        "in = out: {s}"
    );

    let uuids = |out: &[u8], rule: &str| -> std::collections::BTreeSet<String> {
        alerts_of(out)
            .into_iter()
            .filter(|a| a["kibana.alert.rule.rule_id"] == rule)
            .map(|a| a["kibana.alert.uuid"].as_str().expect("uuid").to_owned())
            .collect()
    };
    let dynamodb = "96b2a03e-003b-11f0-8541-f661ea17fbcd";
    let (built_in, _) = ok(&[
        "--profile",
        "current",
        "--detection-time",
        "event",
        p(&shapes),
    ]);
    let expected = uuids(&built_in, dynamodb);
    assert!(!expected.is_empty());
    assert_eq!(uuids(&out, dynamodb), expected);
}

fn alerts_of(out: &[u8]) -> Vec<serde_json::Value> {
    out.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| serde_json::from_slice::<serde_json::Value>(l).ok())
        .filter(|d| d.get("kibana.alert.uuid").is_some())
        .collect()
}

/// A rule file's `alert_suppression` on the bundled sample: one alert per account for
/// three hours, each brought up to date as it counts more; a run cut in two with
/// `--state` ends with the same alerts as the whole run.
#[test]
fn suppression_in_the_command_line_survives_a_restart() {
    let rule = root().join("tests/fixtures/suppression/scan-by-account.toml");
    let sample = root().join("pipeline-examples/data");
    let common_args = ["--detection-time", "event", "--output", "alerts", "--stats"];
    let documents = |out: &[u8]| -> Vec<serde_json::Value> {
        String::from_utf8_lossy(out)
            .lines()
            .map(|l| serde_json::from_str(l).expect("a document"))
            .collect()
    };
    let docs_counts = |docs: &[serde_json::Value]| -> Vec<i64> {
        docs.iter()
            .map(|d| {
                d["kibana.alert.suppression.docs_count"]
                    .as_i64()
                    .expect("suppressed")
            })
            .collect()
    };
    // The alert as it ends: the last document of each kibana.alert.uuid.
    let last_of_each = |docs: &[serde_json::Value]| -> std::collections::BTreeMap<String, String> {
        docs.iter()
            .map(|d| {
                (
                    d["kibana.alert.uuid"].as_str().expect("uuid").to_owned(),
                    d.to_string(),
                )
            })
            .collect()
    };

    let mut args = vec!["--rules", p(&rule)];
    args.extend(common_args);
    args.push(p(&sample));
    let (whole, stderr) = ok(&args);
    let whole = documents(&whole);
    let counts = docs_counts(&whole);
    // Seven new callers in three accounts' windows: four alerts, three brought up to date.
    assert_eq!(counts, vec![0, 1, 2, 0, 0, 1, 0], "{whole:?}");
    let s = stats(&stderr);
    assert_eq!(
        (
            s["new_terms"].as_u64(),
            s["alerts"].as_u64(),
            s["suppressed"].as_u64(),
            s["suppression_updates"].as_u64()
        ),
        (Some(7), Some(4), Some(3), Some(3))
    );

    // The same, cut after 02:00 on the first day with the state carried over: the first
    // group is open across the cut (its 00:05 candidate reported at the cut, its 02:20
    // one counted after it into the same alert).
    let dir = tempdir("suppression-state");
    let state = dir.join("state.bin");
    let files = common::files(&sample);
    let (first, rest): (Vec<_>, Vec<_>) = files.iter().partition(|f| {
        let name = f.to_string_lossy();
        name.contains("_20261102T0000Z_") || name.contains("_20261102T0100Z_")
    });
    assert!(!first.is_empty() && !rest.is_empty());
    let mut split = Vec::new();
    for part in [&first, &rest] {
        let mut args = vec!["--rules", p(&rule), "--state", p(&state)];
        args.extend(common_args);
        args.extend(part.iter().map(|f| p(f)));
        split.extend(documents(&ok(&args).0));
    }
    assert_eq!(last_of_each(&split), last_of_each(&whole));
    let split_counts = docs_counts(&split);
    assert_eq!(split_counts, vec![0, 1, 2, 0, 0, 1, 0], "{split:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
