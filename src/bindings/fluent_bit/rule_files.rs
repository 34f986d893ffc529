//! The rules directory ([`super::RULES_DIR`]) of the module built with `rule-files`:
//! every `*.toml` in it and its subdirectories, read in the order the command line's
//! `--rules DIR` reads them (folder by folder, by name), since that is the order of
//! alerts decided at one record. Each file is Elastic's detection-rules TOML, checked by
//! the core's reader; a refused one is reported with why and the rest run, rules of
//! other types are counted and skipped.

use std::path::{Path, PathBuf};

use super::files::Log;
use crate::config::rule_file::{parse_rule_file, RuleDefinition};

/// What the directory held.
#[derive(Debug, Default)]
pub struct Found {
    pub rules: Vec<RuleDefinition>,
    /// New Terms rule files this engine cannot run, and files that cannot be read.
    pub refused: u64,
    pub other_types: u64,
}

/// Read every rule file under `dir`, reporting each refusal and warning through `log`,
/// then one line of counts.
pub fn read(dir: &Path, log: Log<'_>) -> Found {
    let mut files = Vec::new();
    let mut found = Found::default();
    if let Err(e) = walk(dir, &mut files) {
        log(&format!("{}: cannot be read: {e}", dir.display()));
        found.refused += 1;
    }
    for file in files {
        let label = file.display().to_string();
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                log(&format!("rule file {label}: cannot be read: {e}"));
                found.refused += 1;
                continue;
            }
        };
        match parse_rule_file(&label, &text) {
            Ok(rule) => {
                for warning in &rule.warnings {
                    log(&format!("rule file {label}: warning: {warning}"));
                }
                found.rules.push(rule);
            }
            Err(refusal) if refusal.reason.starts_with("type \"") => found.other_types += 1,
            Err(refusal) => {
                log(&format!("rule file refused: {refusal}"));
                found.refused += 1;
            }
        }
    }
    log(&format!(
        "{}: {} New Terms rules load, {} refused; {} rules of other types skipped",
        dir.display(),
        found.rules.len(),
        found.refused,
        found.other_types
    ));
    found
}

/// Every `*.toml` under `dir`, folder by folder, each folder's entries by name.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            walk(&entry, out)?;
        } else if entry.extension().is_some_and(|e| e == "toml") {
            out.push(entry);
        }
    }
    Ok(())
}
