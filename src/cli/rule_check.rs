//! `--check-rules PATH…`: read Elastic's rule files (files, or directories walked for
//! `*.toml`) and say, for each New Terms rule, whether it loads (its query and fields
//! are supported here; with its warnings) or why it is refused; rules of other types
//! are counted and skipped. `--rules` loads them the same way to run them. The
//! rule-file reader is the core's (src/config/rule_file.rs); this only finds and reads
//! the files.

use std::io::Write;
use std::path::{Path, PathBuf};

use dynamodb_scan_detector::config::rule_file::{parse_rule_file, RuleDefinition};

/// What a check found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RuleCheck {
    pub loaded: usize,
    pub refused: usize,
    pub other_types: usize,
    pub unreadable: usize,
}

/// Every `*.toml` under `path` (itself if it is a file), sorted by path.
fn rule_files(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        out.push(path.to_owned());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            rule_files(&entry, out)?;
        } else if entry.extension().is_some_and(|e| e == "toml") {
            out.push(entry);
        }
    }
    Ok(())
}

/// The rules found under `paths`, with one line per rule file (and per warning) saying
/// what became of it.
pub struct Loaded {
    pub rules: Vec<RuleDefinition>,
    pub found: RuleCheck,
    pub lines: Vec<String>,
    /// What a run needs to be told: each refused or unreadable file, and each loaded
    /// rule's warnings with the file's name (the `loads` lines left out).
    pub problems: Vec<String>,
}

/// Read every rule file under `paths`.
pub fn load(paths: &[PathBuf]) -> Loaded {
    let mut loaded = Loaded {
        rules: Vec::new(),
        found: RuleCheck::default(),
        lines: Vec::new(),
        problems: Vec::new(),
    };
    for path in paths {
        let mut files = Vec::new();
        if let Err(e) = rule_files(path, &mut files) {
            loaded
                .lines
                .push(format!("unreadable {}: {e}", path.display()));
            loaded.found.unreadable += 1;
            continue;
        }
        for file in files {
            let label = file.display().to_string();
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) => {
                    loaded.lines.push(format!("unreadable {label}: {e}"));
                    loaded.problems.push(format!("unreadable {label}: {e}"));
                    loaded.found.unreadable += 1;
                    continue;
                }
            };
            match parse_rule_file(&label, &text) {
                Ok(rule) => {
                    loaded.found.loaded += 1;
                    let suppression = rule
                        .alert_suppression
                        .as_ref()
                        .map(|s| format!("; suppression: {}", s.describe()))
                        .unwrap_or_default();
                    loaded.lines.push(format!(
                        "loads    {label}: {} (new terms: {}{suppression})",
                        rule.name,
                        rule.new_terms_fields.join(", ")
                    ));
                    for warning in &rule.warnings {
                        loaded.lines.push(format!("  warning: {warning}"));
                        loaded.problems.push(format!("warning  {label}: {warning}"));
                    }
                    loaded.rules.push(rule);
                }
                Err(refusal) if refusal.reason.starts_with("type \"") => {
                    loaded.found.other_types += 1
                }
                Err(refusal) => {
                    loaded.found.refused += 1;
                    loaded.lines.push(format!("refused  {refusal}"));
                    loaded.problems.push(format!("refused  {refusal}"));
                }
            }
        }
    }
    loaded
}

/// One line: how many rules load, are refused, are of other types, are unreadable.
pub fn summary(found: &RuleCheck) -> String {
    format!(
        "{} New Terms rules load, {} refused; {} rules of other types skipped{}",
        found.loaded,
        found.refused,
        found.other_types,
        if found.unreadable > 0 {
            format!("; {} paths unreadable", found.unreadable)
        } else {
            String::new()
        }
    )
}

/// Check the rule files under `paths`, writing one line per rule (and per warning) and
/// a summary to `out`.
pub fn check(paths: &[PathBuf], out: &mut impl Write) -> std::io::Result<RuleCheck> {
    let loaded = load(paths);
    for line in &loaded.lines {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}", summary(&loaded.found))?;
    Ok(loaded.found)
}
