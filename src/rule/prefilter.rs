//! The byte-level pre-check: a document that provably cannot hold a successful DynamoDB
//! `Scan` is rejected before any JSON is parsed.
//!
//! Any matching record, raw or ECS, carries the strings `Scan` and `dynamodb` (its
//! `eventName`/`event.action` and `eventSource`/`event.provider`). JSON may spell a
//! letter as an escape (`"\u0053can"`), and a CloudWatch `awslogs` payload hides its
//! records in base64 and gzip. So a document is rejected only when it lacks `Scan` or
//! `dynamodb` literally **and** contains no `\u` escape **and** no `awslogs` key. Other
//! escapes (`\"`, `\\`, `\n`, `\/`, …) cannot produce a letter. A container (S3 `Records`,
//! an array, EventBridge, CloudWatch, search hits) is never rejected whole, so that its
//! records are still counted one by one and passed through one by one; nor is input
//! that is not valid UTF-8, so that it is always reported as unreadable.

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
    scan: Finder<'static>,
    dynamodb: Finder<'static>,
    escape: Finder<'static>,
    containers: [Finder<'static>; 6],
    /// Every needle at once: when none occurs, the document is rejected after one pass.
    #[cfg(not(target_family = "wasm"))]
    any: aho_corasick::AhoCorasick,
}

impl Default for Prefilter {
    fn default() -> Self {
        Prefilter {
            scan: Finder::new("Scan"),
            dynamodb: Finder::new("dynamodb"),
            escape: Finder::new("\\u"),
            containers: CONTAINER_KEYS.map(Finder::new),
            #[cfg(not(target_family = "wasm"))]
            any: aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(["Scan", "\\u"].iter().chain(CONTAINER_KEYS.iter()))
                .unwrap_or_else(|_| unreachable!("eight short literal needles always build")),
        }
    }
}

impl Prefilter {
    /// `false` only when `doc` is a single record that cannot match the rule query.
    pub fn may_match(&self, doc: &[u8]) -> bool {
        #[cfg(not(target_family = "wasm"))]
        if !self.any.is_match(doc) {
            let object = doc.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
            return !object || std::str::from_utf8(doc).is_err();
        }
        self.careful(doc)
    }

    /// The same decision, one needle at a time.
    fn careful(&self, doc: &[u8]) -> bool {
        if self.scan.find(doc).is_some() && self.dynamodb.find(doc).is_some() {
            return true;
        }
        if self.escape.find(doc).is_some() {
            return true;
        }
        let first = doc.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return true;
        }
        self.containers.iter().any(|c| c.find(doc).is_some()) || std::str::from_utf8(doc).is_err()
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
            assert_eq!(p.careful(doc.as_bytes()), *want, "{doc}");
        }
    }
}
