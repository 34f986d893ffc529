//! The library's layers: a module imports only from layers below its own, so no two
//! modules import each other and nothing reaches back up (issue 16's "a house you can
//! see"). Read from the source text: every `crate::` path outside comments and outside
//! `#[cfg(test)]` modules, resolved to the top-level module it names.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Bottom to top. Modules on one line are independent of each other.
const LAYERS: &[&[&str]] = &[
    &["swar", "hashing", "json_fields", "float_text", "error"],
    &["time"],
    &["verdict"],
    &["stats"],
    &["input"],
    &["ecs"],
    &["rule"],
    &["config"],
    &["alert"],
    &["suppression"],
    &["state"],
    &["detector"],
    &["rule_set"],
    &["bindings"],
];

/// Names the crate root re-exports, by the module they come from.
const ROOT_EXPORTS: &[(&str, &str)] = &[
    ("Alert", "alert"),
    ("AlertKind", "alert"),
    ("Config", "config"),
    ("DetectorOptions", "config"),
    ("ProfileName", "config"),
    ("Context", "detector"),
    ("DetectionTime", "detector"),
    ("Detector", "detector"),
    ("Observed", "detector"),
    ("RecordReport", "detector"),
    ("Verdict", "verdict"),
    ("ConfigError", "error"),
    ("InputError", "error"),
    ("JournalError", "error"),
    ("SnapshotError", "error"),
    ("Stats", "stats"),
    ("Millis", "time"),
    ("VERSION", "lib"),
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "tests" {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" {
            out.push(path);
        }
    }
}

/// The text that is compiled outside tests: comments and `#[cfg(test)]` modules removed.
fn code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && lines
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            // Skip the module: up to the closing brace at its own indentation, or
            // nothing more when it is `mod tests;`.
            let indent = line.len() - trimmed.len();
            let header = lines.next().unwrap_or("");
            if header.trim_end().ends_with(';') {
                continue;
            }
            for inner in lines.by_ref() {
                if inner.len() - inner.trim_start().len() == indent && inner.trim() == "}" {
                    break;
                }
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The first path segment after `crate::`: one name, or each name of a `{...}` group.
fn first_segments(after: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    match after.strip_prefix('{') {
        Some(group) => {
            let mut depth = 0;
            let mut names = Vec::new();
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        names.push(ident(&group[start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.push(ident(&group[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            names.into_iter().filter(|n| !n.is_empty()).collect()
        }
        None => vec![ident(after)],
    }
}

#[test]
fn modules_import_only_from_layers_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = BTreeSet::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.iter().next().and_then(|c| c.to_str()).unwrap_or("");
        let module = first.trim_end_matches(".rs");
        if matches!(module, "lib" | "main" | "cli") {
            continue; // the crate root and the command line (the binary) sit on top
        }
        let Some(own) = layer(module) else {
            wrong.insert(format!("{module}: not in LAYERS (add it where it belongs)"));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("read");
        for piece in code(&text).split("crate::").skip(1) {
            for name in first_segments(piece) {
                let target = ROOT_EXPORTS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or(name.as_str(), |(_, m)| m);
                if target == module || target == "lib" {
                    continue;
                }
                match layer(target) {
                    Some(t) if t < own => {}
                    Some(_) => {
                        wrong.insert(format!(
                            "{} imports crate::{name} ({target})",
                            rel.display()
                        ));
                    }
                    None => {
                        wrong.insert(format!(
                            "{}: crate::{name} is not a known module",
                            rel.display()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports that reach sideways or up:\n{}",
        wrong.into_iter().collect::<Vec<_>>().join("\n")
    );
}
