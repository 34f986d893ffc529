//! Shared helpers for the integration tests: where the real data lives and how a file
//! becomes the documents a host would hand to the detector.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};

/// The third-party CloudTrail/ECS records, copied byte-for-byte from `../shared/data`
/// (see `tests/data/third-party/README.md` for sources and licences).
pub fn third_party() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/third-party")
}

/// Every file under `dir`, sorted by path.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = entry.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A file's bytes, gunzipped when it is gzip.
pub fn read(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .expect("valid gzip");
        out
    } else {
        raw
    }
}

/// One JSON document per file, or one per line when the file is NDJSON.
pub fn documents(bytes: &[u8]) -> Vec<Vec<u8>> {
    if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        return vec![bytes.to_vec()];
    }
    bytes
        .split(|&b| b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .map(<[u8]>::to_vec)
        .collect()
}

/// Elastic's 49 AWS New Terms rule files copied here (both folders), parsed.
#[cfg(rule_files)]
pub fn elastic_aws_rules() -> Vec<dynamodb_scan_detector::config::rule_file::RuleDefinition> {
    use dynamodb_scan_detector::config::rule_file::parse_rule_file;
    let mut rules = Vec::new();
    for dir in [
        "elastic-detection-rules",
        "elastic-detection-rules-aws-new-terms",
    ] {
        for file in files(&third_party().join(dir)) {
            let text = std::fs::read_to_string(&file).expect("rule file");
            let name = file.display().to_string();
            rules.push(parse_rule_file(&name, &text).unwrap_or_else(|e| panic!("{e}")));
        }
    }
    assert_eq!(rules.len(), 49, "Elastic's AWS New Terms rules");
    rules
}

/// The third-party data, document by document (every `.json`, `.ndjson` and `.gz` file).
pub fn third_party_documents() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for file in files(&third_party()) {
        let name = file.display().to_string();
        if name.ends_with(".json") || name.ends_with(".ndjson") || name.ends_with(".gz") {
            out.extend(documents(&read(&file)));
        }
    }
    out
}

/// The generated two weeks of the AWS family (`tests/fixtures/aws-family.ndjson`).
pub fn family_documents() -> Vec<Vec<u8>> {
    documents(&read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws-family.ndjson"),
    ))
}

/// Run the built command-line filter with `args`, feeding `stdin` from another thread.
/// A pipe the program closed early is fine; any other write error fails the test.
pub fn run_cli(args: &[&str], stdin: &[u8]) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_dynamodb-scan-detector"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let input = stdin.to_vec();
    let mut pipe = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let out = child.wait_with_output().expect("the binary finishes");
    match writer.join().expect("writer thread") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => out,
    }
}
