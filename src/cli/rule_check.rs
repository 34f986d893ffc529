//! `--check-rules PATH…`: read Elastic's rule files (files, or directories walked for
//! `*.toml`) and say, for each New Terms rule, whether it loads (its query and fields
//! are supported here; with its warnings) or why it is refused; rules of other types
//! are counted and skipped. Running loaded rules is not built yet (issue 18). The
//! rule-file reader is the core's (src/config/rule_file.rs); this only finds and reads
//! the files.

use std::io::Write;
use std::path::{Path, PathBuf};

use dynamodb_scan_detector::config::rule_file::parse_rule_file;

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

/// Check the rule files under `paths`, writing one line per rule (and per warning) and
/// a summary to `out`.
pub fn check(paths: &[PathBuf], out: &mut impl Write) -> std::io::Result<RuleCheck> {
    let mut result = RuleCheck::default();
    for path in paths {
        let mut files = Vec::new();
        if let Err(e) = rule_files(path, &mut files) {
            writeln!(out, "unreadable {}: {e}", path.display())?;
            result.unreadable += 1;
            continue;
        }
        for file in files {
            let label = file.display().to_string();
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(e) => {
                    writeln!(out, "unreadable {label}: {e}")?;
                    result.unreadable += 1;
                    continue;
                }
            };
            match parse_rule_file(&label, &text) {
                Ok(rule) => {
                    result.loaded += 1;
                    writeln!(
                        out,
                        "loads    {label}: {} (new terms: {})",
                        rule.name,
                        rule.new_terms_fields.join(", ")
                    )?;
                    for warning in &rule.warnings {
                        writeln!(out, "  warning: {warning}")?;
                    }
                }
                Err(refusal) if refusal.reason.starts_with("type \"") => result.other_types += 1,
                Err(refusal) => {
                    result.refused += 1;
                    writeln!(out, "refused  {refusal}")?;
                }
            }
        }
    }
    writeln!(
        out,
        "{} New Terms rules load, {} refused; {} rules of other types skipped{}",
        result.loaded,
        result.refused,
        result.other_types,
        if result.unreadable > 0 {
            format!("; {} paths unreadable", result.unreadable)
        } else {
            String::new()
        }
    )?;
    Ok(result)
}
