//! Elastic's own rule files through the rule-file reader: the ones copied into
//! tests/data/third-party/elastic-detection-rules must all load, and any directory of
//! rule files named by `ELASTIC_RULES_DIR` (a checkout of Elastic's detection-rules, for
//! one) is read whole, with every file's verdict printed: loaded, refused (with the
//! reason), or not a New Terms rule. Run with `--nocapture` to see the report.
//! (Native and WASI builds: the JavaScript build has no rule files yet.)
#![cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]

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
                "{label}: {} ({})",
                rule.name,
                rule.new_terms_fields.join(", ")
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
