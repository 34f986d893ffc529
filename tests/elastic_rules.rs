//! Elastic's own rule files through the rule-file reader: the ones copied into
//! tests/data/third-party/elastic-detection-rules must all load, and any directory of
//! rule files named by `ELASTIC_RULES_DIR` (a checkout of Elastic's detection-rules, for
//! one) is read whole, with every file's verdict printed: loaded, refused (with the
//! reason), or not a New Terms rule. Run with `--nocapture` to see the report.
//! (Native and WASI builds: the JavaScript build has no rule files yet.)
#![cfg(rule_files)]

use std::path::{Path, PathBuf};

use dynamodb_scan_detector::config::rule_file::parse_rule_file;

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// (loaded, refused, other types) of every rule file under `dir`, printed.
fn report(dir: &Path) -> (Vec<String>, Vec<String>, usize) {
    let mut files = Vec::new();
    toml_files(dir, &mut files);
    files.sort();
    let (mut loaded, mut refused, mut other) = (Vec::new(), Vec::new(), 0);
    for path in files {
        let text = std::fs::read_to_string(&path).expect("a rule file is UTF-8 text");
        let label = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        match parse_rule_file(&label, &text) {
            Ok(rule) => loaded.push(format!(
                "{label}: {} ({}){}",
                rule.name,
                rule.new_terms_fields.join(", "),
                rule.warnings
                    .iter()
                    .map(|w| format!("\n             warning: {w}"))
                    .collect::<String>()
            )),
            Err(refusal) if refusal.reason.starts_with("type \"") => other += 1,
            Err(refusal) => refused.push(refusal.to_string()),
        }
    }
    println!(
        "{}: {} New Terms rules loaded, {} refused, {other} of other types",
        dir.display(),
        loaded.len(),
        refused.len()
    );
    for line in &loaded {
        println!("  loaded   {line}");
    }
    for line in &refused {
        println!("  refused  {line}");
    }
    (loaded, refused, other)
}

#[test]
fn elastics_rule_files_in_the_repository_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/third-party/elastic-detection-rules");
    let (loaded, refused, _) = report(&dir);
    assert!(refused.is_empty(), "refused: {refused:#?}");
    assert!(!loaded.is_empty());
}

#[test]
fn a_directory_of_rule_files_from_the_environment() {
    let Some(dir) = std::env::var_os("ELASTIC_RULES_DIR") else {
        println!("ELASTIC_RULES_DIR is not set: point it at a checkout of Elastic's detection-rules to read them all");
        return;
    };
    let (loaded, refused, _) = report(Path::new(&dir));
    assert!(
        !loaded.is_empty() || !refused.is_empty(),
        "no New Terms rule file under {}",
        Path::new(&dir).display()
    );
}

/// Every field path (dotted, arrays of objects walked) an ECS document holds.
fn paths(value: &serde_json::Value, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                paths(child, &path, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| paths(item, prefix, out)),
        _ => {
            out.insert(prefix.to_owned());
        }
    }
}

/// The fields the raw-CloudTrail mapping gives on the third-party records (those with
/// `eventSource`), as dotted paths.
fn mapped_fields() -> std::collections::BTreeSet<String> {
    let mut fields = std::collections::BTreeSet::new();
    for (_, ecs) in third_party_records() {
        paths(&serde_json::Value::Object(ecs), "", &mut fields);
    }
    fields
}

/// The fields the rules under ELASTIC_RULES_DIR read (queries and new-terms fields),
/// with how many rules read each, and whether the raw-CloudTrail mapping gave it on any
/// third-party record: the list issue 18 asks for.
#[test]
fn the_fields_elastics_rules_read_against_the_mapping() {
    let Some(dir) = std::env::var_os("ELASTIC_RULES_DIR") else {
        println!("ELASTIC_RULES_DIR is not set");
        return;
    };
    let mut files = Vec::new();
    toml_files(Path::new(&dir), &mut files);
    let mut uses: std::collections::BTreeMap<String, (usize, usize)> =
        std::collections::BTreeMap::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let Ok(rule) = parse_rule_file(&path.display().to_string(), &text) else {
            continue;
        };
        for field in rule.query.fields() {
            uses.entry(field.to_owned()).or_default().0 += 1;
        }
        for field in &rule.new_terms_fields {
            uses.entry(field.clone()).or_default().1 += 1;
        }
    }
    let mapped = mapped_fields();
    let dataset = ["data_stream.dataset", "event.dataset"];
    println!("field | rules querying it | rules keying on it | mapped from raw CloudTrail");
    for (field, (query, terms)) in &uses {
        let state = if mapped.contains(field) || dataset.contains(&field.as_str()) {
            "yes"
        } else if mapped.iter().any(|m| m.starts_with(&format!("{field}."))) {
            "yes (an object)"
        } else if field.starts_with("aws.cloudtrail.flattened.") {
            "when the record has it (no third-party record does)"
        } else {
            "NO"
        };
        println!("{field} | {query} | {terms} | {state}");
    }
}

/// Each raw CloudTrail record of the third-party data: its text and its ECS document.
fn third_party_records() -> Vec<(String, serde_json::Map<String, serde_json::Value>)> {
    let mut files = Vec::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "ndjson") {
                out.push(path);
            }
        }
    }
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/third-party"),
        &mut files,
    );
    let mut records = Vec::new();
    for file in files {
        for line in std::fs::read_to_string(&file).unwrap_or_default().lines() {
            let Ok(serde_json::Value::Object(record)) = serde_json::from_str(line) else {
                continue;
            };
            if record.contains_key("eventSource") {
                let mut ecs = dynamodb_scan_detector::ecs::cloudtrail::to_ecs(record);
                ecs.insert("data_stream.dataset".into(), "aws.cloudtrail".into());
                ecs.insert("event.dataset".into(), "aws.cloudtrail".into());
                records.push((line.to_owned(), ecs));
            }
        }
    }
    records
}

/// The pre-check derived from each rule's query is sound on real records: whenever the
/// query matches a record's ECS document, the pre-check passes the record's raw text
/// and the ECS document's text.
fn assert_required_text_is_sound(dir: &Path) -> usize {
    use dynamodb_scan_detector::rule::kql::RequiredText;
    let mut files = Vec::new();
    toml_files(dir, &mut files);
    let records = third_party_records();
    let mut derived = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let Ok(rule) = parse_rule_file(&path.display().to_string(), &text) else {
            continue;
        };
        let needles = RequiredText::of(&rule.query);
        derived += usize::from(!needles.is_empty());
        println!(
            "{}: {:?} {:?}",
            rule.name, needles.groups, needles.fragments
        );
        let mut matched = 0;
        for (raw, ecs) in &records {
            if rule.query.matches(ecs) {
                matched += 1;
                let ecs_text = serde_json::Value::Object(ecs.clone()).to_string();
                assert!(needles.may_match(raw.as_bytes()), "{}: {raw}", rule.name);
                assert!(
                    needles.may_match(ecs_text.as_bytes()),
                    "{}: {ecs_text}",
                    rule.name
                );
            }
        }
        println!(
            "  matches {matched} of {} third-party records",
            records.len()
        );
    }
    derived
}

#[test]
fn pre_checks_derived_from_the_queries_are_sound() {
    let third_party = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/third-party");
    // Every rule: most by provider or action, the long-term access key rule by its key
    // prefix, the S3 client rule by its user agents, the AgentCore rule by its issuer.
    assert_eq!(
        assert_required_text_is_sound(&third_party.join("elastic-detection-rules")),
        6,
        "the copied rules with a derived pre-check"
    );
    assert_eq!(
        assert_required_text_is_sound(&third_party.join("elastic-detection-rules-aws-new-terms")),
        43,
        "the copied AWS New Terms rules with a derived pre-check"
    );
    if let Some(dir) = std::env::var_os("ELASTIC_RULES_DIR") {
        let derived = assert_required_text_is_sound(Path::new(&dir));
        println!(
            "{derived} rules under {} have a derived pre-check",
            Path::new(&dir).display()
        );
    }
}
