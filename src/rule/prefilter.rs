//! The byte-level pre-check: a document that provably cannot hold a successful DynamoDB
//! `Scan` is rejected before any JSON is parsed.
//!
//! Any matching record, raw or ECS, carries the strings `Scan` and `dynamodb` (its
//! `eventName`/`event.action` and `eventSource`/`event.provider`). JSON may spell a
//! letter as an escape (`"\u0053can"`), and a CloudWatch `awslogs` payload hides its
//! records in base64 and gzip. So a document is rejected only when it lacks `Scan` or
//! `dynamodb` literally **and** contains no `\u` **and** no `awslogs` key. Other escapes
//! (`\"`, `\\`, `\n`, `\/`, …) cannot produce a letter; but a `u` after any run of
//! backslashes counts, and so does an `awslogs` key written `\"awslogs\"`, because a
//! CloudWatch `message` is JSON text escaped once more (and read again). A container (S3 `Records`,
//! an array, EventBridge, CloudWatch, search hits) is never rejected whole, so that its
//! records are still counted one by one and passed through one by one; nor is input
//! that is not valid UTF-8, so that it is always reported as unreadable.

use crate::swar;
use memchr::memmem::Finder;

/// Container keys: documents holding them are split, never rejected whole.
const CONTAINER_KEYS: [&str; 6] = [
    "\"Records\"",
    "\"logEvents\"",
    "\"awslogs\"",
    "\"detail\"",
    "\"_source\"",
    "\"hits\"",
];

/// Pre-compiled searchers.
#[derive(Debug, Clone)]
pub struct Prefilter {
    dynamodb: Finder<'static>,
    containers: [Finder<'static>; 6],
    /// Reject containers whole too (see [`Prefilter::whole_documents`]).
    whole_documents: bool,
    /// Every needle at once: when none occurs, the document is rejected after one pass.
    #[cfg(not(target_family = "wasm"))]
    any: aho_corasick::AhoCorasick,
}

impl Default for Prefilter {
    fn default() -> Self {
        Prefilter {
            dynamodb: Finder::new("dynamodb"),
            containers: CONTAINER_KEYS.map(Finder::new),
            whole_documents: false,
            #[cfg(not(target_family = "wasm"))]
            any: aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(["Scan", "\\u"].iter().chain(CONTAINER_KEYS.iter()))
                .unwrap_or_else(|_| unreachable!("eight short literal needles always build")),
        }
    }
}

impl Prefilter {
    /// A pre-check that also rejects a container (an S3 `Records` file, …) whole when none
    /// of its records can match, counting it as one prefiltered document, and leaves the
    /// UTF-8 check to the host. For hosts that hand over one document per call and
    /// validate what they pass on untouched (Fluent Bit), where counting a container's
    /// records one by one changes nothing they emit.
    pub fn whole_documents() -> Self {
        Prefilter {
            whole_documents: true,
            ..Prefilter::default()
        }
    }

    /// `false` only when `doc` cannot hold a matching record (and, unless built with
    /// [`Prefilter::whole_documents`], is a single record rather than a container).
    pub fn may_match(&self, doc: &[u8]) -> bool {
        let needles = self.may_hold_a_needle(doc);
        if needles && self.may_hold_a_scan(doc) {
            return true;
        }
        let object = doc.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if !object {
            return true;
        }
        if self.whole_documents {
            // Such a host validates what it passes on anyway; it need not be read twice.
            return false;
        }
        // ASCII (nearly always) is checked half again as fast as UTF-8.
        (!doc.is_ascii() && std::str::from_utf8(doc).is_err())
            || (needles && self.containers.iter().any(|c| c.find(doc).is_some()))
    }

    /// `false` when `doc` holds none of the needles (`Scan`, `\u`, a container key): one
    /// SIMD pass, after which neither a Scan nor a container needs looking for.
    #[cfg(not(target_family = "wasm"))]
    fn may_hold_a_needle(&self, doc: &[u8]) -> bool {
        self.any.is_match(doc)
    }

    /// Without SIMD (wasm32) a pass for every needle would cost more than it saves.
    #[cfg(target_family = "wasm")]
    fn may_hold_a_needle(&self, _doc: &[u8]) -> bool {
        true
    }

    /// Whether `doc` may hold a successful Scan: `Scan` and `dynamodb` both present, or a
    /// `\u` escape, or an `awslogs` payload. One pass, eight bytes at a time, for three
    /// rarer bytes (`S`, `\`, `w`), each found checked in place: it suits wasm32, where
    /// there is no SIMD, better than a pass per needle.
    fn may_hold_a_scan(&self, doc: &[u8]) -> bool {
        let mut needles = Needles::new(self, doc);
        let mut hit = |i: usize| needles.at(i);
        let mut at = 0;
        while let Some(w) = swar::load(doc, at) {
            let mut flagged = swar::zero_bytes(w ^ swar::splat(b'S'))
                | swar::zero_bytes(w ^ swar::splat(b'\\'))
                | swar::zero_bytes(w ^ swar::splat(b'w'));
            while flagged != 0 {
                if hit(at + swar::first_lane(flagged)) {
                    return true;
                }
                flagged &= flagged - 1;
            }
            at += 8;
        }
        (at..doc.len()).any(hit)
    }

    /// For hosts that pass a record on untouched only when it is valid (Fluent Bit's
    /// annotate): `None` unless `doc` is exactly one JSON object in UTF-8, otherwise
    /// what [`Prefilter::may_match`] answers, with two differences that keep it sound:
    /// `awslogs` counts only as a key of the document (spelled otherwise, it holds a
    /// `\u`, which counts), and any `logEvents` key counts (a CloudWatch message is JSON
    /// text read again, where `\\u` becomes an escape and `\"awslogs\"` a key). With
    /// [`Prefilter::whole_documents`] one pass answers both: in a valid object every `S`
    /// and backslash lies inside a string, where the grammar check stops for `S` and for
    /// the first backslash of each escape, and it compares every key with the two.
    pub fn check_object(&self, doc: &[u8]) -> Option<bool> {
        let watch = crate::input::json_check::Watch {
            byte: b'S',
            keys: &[b"awslogs", b"logEvents"],
        };
        let mut needles = Needles::new(self, doc);
        let may_hold_a_scan =
            crate::input::json_check::check_object(doc, watch, |i| needles.at(i))?;
        Some(
            may_hold_a_scan
                || (!self.whole_documents && self.containers.iter().any(|c| c.find(doc).is_some())),
        )
    }
}

/// The needles of one document, looked at one place at a time.
struct Needles<'a> {
    dynamodb: &'a Finder<'static>,
    doc: &'a [u8],
    /// Whether the document holds `dynamodb`, searched once, on the first `Scan`: a
    /// document of many `Scan`s costs one search, not one each.
    holds_dynamodb: Option<bool>,
}

impl<'a> Needles<'a> {
    fn new(p: &'a Prefilter, doc: &'a [u8]) -> Self {
        Needles {
            dynamodb: &p.dynamodb,
            doc,
            holds_dynamodb: None,
        }
    }

    /// Whether the byte at `i` (`S`, `\\`, `w` or `"`) starts or is inside a needle:
    /// `Scan` in a document that holds `dynamodb`; a run of backslashes then `u` (an
    /// escape, or one inside a CloudWatch message); `"awslogs` then `"` or `\\` (a key,
    /// also inside a message; for `w` the byte inside it, for `"` its opening quote); or
    /// the opening quote of a `"logEvents"` key (the messages are read again as JSON).
    fn at(&mut self, i: usize) -> bool {
        let doc = self.doc;
        let awslogs = |from: usize| {
            doc[from..].starts_with(b"\"awslogs") && matches!(doc.get(from + 8), Some(b'"' | b'\\'))
        };
        match doc[i] {
            b'S' if doc[i..].starts_with(b"Scan") => *self
                .holds_dynamodb
                .get_or_insert_with(|| self.dynamodb.find(doc).is_some()),
            b'\\' => {
                let run = doc[i..].iter().take_while(|&&b| b == b'\\').count();
                doc.get(i + run) == Some(&b'u')
            }
            b'w' => i >= 2 && awslogs(i - 2),
            b'"' => awslogs(i) || doc[i..].starts_with(b"\"logEvents\""),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_only_what_cannot_match() {
        let p = Prefilter::default();
        let cases: &[(&str, bool)] = &[
            (
                r#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan"}"#,
                true,
            ),
            (
                r#"{"eventSource":"dynamodb.amazonaws.com","eventName":"GetItem"}"#,
                false,
            ),
            (
                r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#,
                false,
            ),
            (
                r#"{"eventSource":"s3.amazonaws.com","eventName":"Scan"}"#,
                false,
            ),
            (
                r#"{"eventSource":"dynamodb.amazonaws.com","eventName":"\u0053can"}"#,
                true,
            ),
            (
                r#"{"eventSource":"\u0064ynamodb.amazonaws.com","eventName":"Scan"}"#,
                true,
            ),
            (
                r#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Sc\"an"}"#,
                false,
            ),
            (r#"{"awslogs":{"data":"H4sIAAAA"}}"#, true),
            (r#"{"Records":[{"eventName":"GetItem"}]}"#, true),
            (r#"[{"eventName":"GetItem"}]"#, true),
            (r#"{"detail-type":"x","detail":{}}"#, true),
            ("not json", true),
            (
                r#"{"event.action":"Scan","event.provider":"dynamodb.amazonaws.com"}"#,
                true,
            ),
            (
                r#"{"event":{"action":"Query","provider":"dynamodb.amazonaws.com"}}"#,
                false,
            ),
            ("", true),
            ("{\"eventName\":\"GetItem\",\"x\":\"\u{ff}\"}", false),
        ];
        assert!(
            p.may_match(b"{\"eventName\":\"GetItem\",\"x\":\"\xff\"}"),
            "invalid UTF-8 is never pre-rejected"
        );
        for (doc, want) in cases {
            assert_eq!(p.may_match(doc.as_bytes()), *want, "{doc}");
        }
    }

    #[test]
    fn whole_documents_also_rejects_containers_that_cannot_match() {
        let whole = Prefilter::whole_documents();
        let cases: &[(&str, bool)] = &[
            (r#"{"Records":[{"eventName":"GetItem"}]}"#, false),
            (
                r#"{"detail-type":"x","detail":{"eventName":"GetItem"}}"#,
                false,
            ),
            (
                r#"{"Records":[{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan"}]}"#,
                true,
            ),
            (r#"{"awslogs":{"data":"H4sIAAAA"}}"#, true),
            (r#"{"Records":[{"eventName":"\u0053can"}]}"#, true),
            (r#"[{"eventName":"GetItem"}]"#, true),
            (
                r#"{"eventName":"GetItem","userAgent":"awslogs-agent"}"#,
                false,
            ),
        ];
        for (doc, want) in cases {
            assert_eq!(whole.may_match(doc.as_bytes()), *want, "{doc}");
        }
    }

    /// The one-pass search (wasm's) decides exactly as the needle-at-a-time reading.
    #[test]
    fn one_pass_agrees_with_the_needles() {
        let p = Prefilter::default();
        let docs = [
            r#"{"eventName":"Scan","eventSource":"dynamodb.amazonaws.com"}"#,
            r#"{"eventName":"Scan","eventSource":"s3.amazonaws.com"}"#,
            r#"{"eventName":"\u0053can"}"#,
            r#"{"a":"\\"}"#,
            r#"{"awslogs":{}}"#,
            r#"{"x":"awslogs"}"#,
            r#"{"Sca":"n dynamodb"}"#,
            "S",
            "",
        ];
        let slid: Vec<String> = (0..17)
            .flat_map(|pad| {
                let p = "x".repeat(pad);
                [
                    format!(r#"{{"{p}":"Scan","e":"dynamodb"}}"#),
                    format!(r#"{{"{p}":"\u0053"}}"#),
                    format!(r#"{{"{p}":1,"awslogs":{{}}}}"#),
                    format!(r#"{{"{p}":"Sca","n":"dynamodb"}}"#),
                ]
            })
            .collect();
        for doc in docs.iter().copied().chain(slid.iter().map(String::as_str)) {
            let b = doc.as_bytes();
            let needles = (doc.contains("Scan") && doc.contains("dynamodb"))
                || doc.contains("\\u")
                || doc.contains("\"awslogs\"");
            assert_eq!(p.may_hold_a_scan(b), needles, "{doc}");
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(doc) {
                let by_key = (doc.contains("Scan") && doc.contains("dynamodb"))
                    || doc.contains("\\u")
                    || has_key(&value, "awslogs");
                let whole = Prefilter::whole_documents();
                let want = value.is_object().then_some(by_key);
                assert_eq!(whole.check_object(b), want, "{doc}");
            }
        }
    }

    fn has_key(v: &serde_json::Value, key: &str) -> bool {
        match v {
            serde_json::Value::Object(m) => m.iter().any(|(k, v)| k == key || has_key(v, key)),
            serde_json::Value::Array(a) => a.iter().any(|v| has_key(v, key)),
            _ => false,
        }
    }

    /// The grammar check's reading agrees with the pass over the bytes on every real
    /// record, whole and cut, and on records with needles spliced in.
    #[test]
    fn checked_objects_agree_with_the_pass() {
        for p in [Prefilter::whole_documents(), Prefilter::default()] {
            checked_objects_agree(&p);
        }
    }

    /// `json` as the message of a decoded CloudWatch payload (escaped once more).
    fn in_message(json: &[u8]) -> Vec<u8> {
        let message = serde_json::to_string(&String::from_utf8_lossy(json)).unwrap_or_default();
        format!(r#"{{"logEvents":[{{"id":"1","message":{message}}}]}}"#).into_bytes()
    }

    fn checked_objects_agree(p: &Prefilter) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/third-party");
        let mut files = vec![root];
        let mut checked = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(
                    std::fs::read_dir(&path)
                        .into_iter()
                        .flatten()
                        .flatten()
                        .map(|e| e.path()),
                );
                continue;
            }
            let Ok(text) = std::fs::read(&path) else {
                continue;
            };
            for line in text.split(|&b| b == b'\n').filter(|l| l.starts_with(b"{")) {
                let variants = [
                    line.to_vec(),
                    line[..line.len() / 2].to_vec(),
                    [&line[..line.len() - 1], br#","k":"\u0053can""#, b"}"].concat(),
                    [&line[..line.len() - 1], br#","awslogs":{"data":""}"#, b"}"].concat(),
                    [&line[..line.len() - 1], br#","x":"Scan dynamodb""#, b"}"].concat(),
                    [br#"{"Records":["#, line, b"]}"].concat(),
                    in_message(line),
                    in_message(&[br#"{"awslogs":"#, line, b"}"].concat()),
                ];
                for doc in variants {
                    let value = std::str::from_utf8(&doc)
                        .ok()
                        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok());
                    // The one-pass check also sends every CloudWatch payload the whole way.
                    let want = value.map(|v| p.may_match(&doc) || has_key(&v, "logEvents"));
                    assert_eq!(
                        p.check_object(&doc),
                        want,
                        "{}",
                        String::from_utf8_lossy(&doc)
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 500, "{checked}");
    }
}
