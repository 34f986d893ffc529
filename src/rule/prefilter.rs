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
    dynamodb: Finder<'static>,
    /// One searcher per container key (the one-pass search of wasm with SIMD finds them
    /// itself).
    #[cfg_attr(
        all(target_family = "wasm", target_feature = "simd128"),
        allow(dead_code)
    )]
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
        let Search {
            scan,
            containers,
            ascii,
        } = self.search(doc);
        if scan {
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
        (!ascii && std::str::from_utf8(doc).is_err()) || containers.holds(doc)
    }

    /// Whether `doc` may hold a successful Scan, and where to look for container keys.
    /// Natively: one SIMD pass for every needle at once (Teddy); when it finds none,
    /// neither a Scan nor a container key needs looking for.
    #[cfg(not(target_family = "wasm"))]
    fn search(&self, doc: &[u8]) -> Search<'_> {
        if !self.any.is_match(doc) {
            return Search::new(false, Containers::None);
        }
        Search::new(
            self.may_hold_a_scan(doc),
            Containers::Search(&self.containers),
        )
    }

    /// wasm32 with SIMD (the npm package): one pass over 16-byte blocks for every
    /// needle at once (see [`one_pass`]).
    #[cfg(all(target_family = "wasm", target_feature = "simd128"))]
    fn search(&self, doc: &[u8]) -> Search<'_> {
        let found = one_pass::search(doc, &self.dynamodb);
        Search {
            scan: found.scan,
            containers: Containers::Known(found.container),
            ascii: found.ascii,
        }
    }

    /// wasm32 without SIMD (the Fluent Bit module): a pass over three rare bytes, and a
    /// pass per container key only for documents that cannot hold a Scan.
    #[cfg(all(target_family = "wasm", not(target_feature = "simd128")))]
    fn search(&self, doc: &[u8]) -> Search<'_> {
        Search::new(
            self.may_hold_a_scan(doc),
            Containers::Search(&self.containers),
        )
    }

    /// Whether `doc` may hold a successful Scan: `Scan` and `dynamodb` both present, or a
    /// `\u` escape, or an `awslogs` payload. One pass over three rare bytes (`S`, `\`,
    /// `w`), which suits wasm32, where memchr has no SIMD: word-at-a-time search instead
    /// of one pass per needle.
    #[cfg_attr(
        all(target_family = "wasm", target_feature = "simd128"),
        allow(dead_code)
    )]
    fn may_hold_a_scan(&self, doc: &[u8]) -> bool {
        for i in memchr::memchr3_iter(b'S', b'\\', b'w', doc) {
            let hit = match doc[i] {
                b'S' => doc[i..].starts_with(b"Scan") && self.dynamodb.find(doc).is_some(),
                b'\\' => doc.get(i + 1) == Some(&b'u'),
                _ => i >= 2 && doc[i - 2..].starts_with(b"\"awslogs\""),
            };
            if hit {
                return true;
            }
        }
        false
    }
}

/// What the search learned about a document.
struct Search<'a> {
    /// It may hold a successful Scan.
    scan: bool,
    containers: Containers<'a>,
    /// Every byte is ASCII (so it is valid UTF-8); `false` when not known.
    ascii: bool,
}

impl<'a> Search<'a> {
    #[cfg_attr(
        all(target_family = "wasm", target_feature = "simd128"),
        allow(dead_code)
    )]
    fn new(scan: bool, containers: Containers<'a>) -> Self {
        Search {
            scan,
            containers,
            ascii: false,
        }
    }
}

/// What the search learned about container keys.
enum Containers<'a> {
    /// None can occur (the needle search found none).
    #[cfg_attr(target_family = "wasm", allow(dead_code))]
    None,
    /// Whether one occurs, found by the one-pass search.
    #[cfg_attr(
        not(all(target_family = "wasm", target_feature = "simd128")),
        allow(dead_code)
    )]
    Known(bool),
    /// Not known yet: search for each.
    #[cfg_attr(
        all(target_family = "wasm", target_feature = "simd128"),
        allow(dead_code)
    )]
    Search(&'a [Finder<'static>; 6]),
}

impl Containers<'_> {
    fn holds(&self, doc: &[u8]) -> bool {
        match self {
            Containers::None => false,
            Containers::Known(found) => *found,
            Containers::Search(finders) => finders.iter().any(|c| c.find(doc).is_some()),
        }
    }
}

/// The search for every needle in one pass, for wasm32 with SIMD, where memchr has no
/// multi-needle search and one memchr pass per needle (eight of them) cost more than
/// all the rest of the work on a typical record.
///
/// Each needle has a three-byte window that is rare in CloudTrail (`Sca`, `"Re`, `"lo`,
/// `wsl`, `"de`, `"_s`, `"hi`; `\u` is two bytes): a block of 16 positions is tested for
/// every window at once with vector compares, and only the positions where a window
/// matches are checked byte by byte for the whole needle. The block test ([`block`])
/// also has a scalar form, which the native tests hold to the needle-at-a-time reading
/// and to which the vector form must agree.
#[cfg_attr(
    not(all(target_family = "wasm", target_feature = "simd128")),
    allow(dead_code)
)]
mod one_pass {
    use memchr::memmem::Finder;

    /// (window, offset of the window in the needle, needle, what it means).
    const WINDOWS: [(&[u8], usize, &[u8], Kind); 8] = [
        (b"Sca", 0, b"Scan", Kind::Scan),
        (b"\\u", 0, b"\\u", Kind::Escape),
        (b"wsl", 2, b"\"awslogs\"", Kind::Awslogs),
        (b"\"Re", 0, b"\"Records\"", Kind::Container),
        (b"\"lo", 0, b"\"logEvents\"", Kind::Container),
        (b"\"de", 0, b"\"detail\"", Kind::Container),
        (b"\"_s", 0, b"\"_source\"", Kind::Container),
        (b"\"hi", 0, b"\"hits\"", Kind::Container),
    ];

    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Scan,
        Escape,
        Awslogs,
        Container,
    }

    /// The result of [`search`].
    #[derive(Debug, Default, PartialEq)]
    pub struct Found {
        /// `Scan` and `dynamodb`, or `\u`, or `"awslogs"` occurs.
        pub scan: bool,
        /// A container key occurs (`"awslogs"` is one too). Only complete when `scan`
        /// is false: the search stops at the first sign of a Scan.
        pub container: bool,
        /// Every byte is ASCII, so `doc` is valid UTF-8. Only complete when `scan` is
        /// false.
        pub ascii: bool,
    }

    /// Bytes a block reads: 16 window starts, and the two bytes after the last.
    const SPAN: usize = 18;

    /// One pass over `doc` (see the module).
    pub fn search(doc: &[u8], dynamodb: &Finder<'_>) -> Found {
        let mut pass = Pass {
            doc,
            dynamodb,
            has_dynamodb: None,
            found: Found::default(),
            high_bits: 0,
        };
        let mut at = 0;
        while at + SPAN <= doc.len() && !pass.found.scan {
            pass.block(at, &doc[at..at + SPAN]);
            at += 16;
        }
        // The last positions (at most 17), as two blocks padded with zeros: a position
        // past the end of `doc` matches no window, and a zero is ASCII.
        if at < doc.len() && !pass.found.scan {
            let mut last = [0; 16 + SPAN];
            let rest = &doc[at..];
            last[..rest.len()].copy_from_slice(rest);
            pass.block(at, &last[..SPAN]);
            if rest.len() > 16 && !pass.found.scan {
                pass.block(at + 16, &last[16..]);
            }
        }
        pass.found.ascii = pass.high_bits == 0;
        pass.found
    }

    /// The state of one [`search`].
    struct Pass<'d, 'f> {
        doc: &'d [u8],
        dynamodb: &'f Finder<'f>,
        has_dynamodb: Option<bool>,
        found: Found,
        /// The high bits of the bytes so far.
        high_bits: u16,
    }

    impl Pass<'_, '_> {
        /// Test the 16 positions from `at`, whose bytes (and two more) `span` holds.
        #[inline(always)]
        fn block(&mut self, at: usize, span: &[u8]) {
            let (mut hits, high) = block(span);
            self.high_bits |= high;
            while hits != 0 && !self.found.scan {
                self.check(at + hits.trailing_zeros() as usize);
                hits &= hits - 1;
            }
        }

        /// Check a position where a window matched for the whole needle.
        #[inline(never)]
        fn check(&mut self, at: usize) {
            let doc = self.doc;
            for (window, offset, needle, kind) in WINDOWS {
                if !doc[at..].starts_with(window) {
                    continue;
                }
                let Some(start) = at.checked_sub(offset) else {
                    continue;
                };
                if !doc[start..].starts_with(needle) {
                    continue;
                }
                let found = &mut self.found;
                match kind {
                    Kind::Scan => {
                        let dynamodb = self.dynamodb;
                        found.scan |= *self
                            .has_dynamodb
                            .get_or_insert_with(|| dynamodb.find(doc).is_some());
                    }
                    Kind::Escape => found.scan = true,
                    Kind::Awslogs => {
                        found.scan = true;
                        found.container = true;
                    }
                    Kind::Container => found.container = true,
                }
            }
        }
    }

    /// Bit `i` set when a window may start at `span[i]` (`span` holds 18 bytes); and
    /// bit `i` of the second set when `span[i]` is not ASCII. Written out window by
    /// window (the windows of [`WINDOWS`]): a loop over the table is not unrolled and
    /// runs several times slower.
    #[cfg(all(target_family = "wasm", target_feature = "simd128"))]
    #[inline(always)]
    fn block(span: &[u8]) -> (u16, u16) {
        use core::arch::wasm32::*;
        let (v0, v1, v2) = (load(&span[0..16]), load(&span[1..17]), load(&span[2..18]));
        let is = |v: v128, byte: u8| u8x16_eq(v, u8x16_splat(byte));
        let pair = |a: u8, b: u8| v128_and(is(v1, a), is(v2, b));
        // `"Re`, `"lo`, `"de`, `"_s`, `"hi`: a quote, then one of five pairs.
        let keys = v128_or(
            v128_or(pair(b'R', b'e'), pair(b'l', b'o')),
            v128_or(
                pair(b'd', b'e'),
                v128_or(pair(b'_', b's'), pair(b'h', b'i')),
            ),
        );
        let quoted = v128_and(is(v0, b'"'), keys);
        let scan = v128_and(is(v0, b'S'), pair(b'c', b'a'));
        let escape = v128_and(is(v0, b'\\'), is(v1, b'u'));
        let awslogs = v128_and(is(v0, b'w'), pair(b's', b'l'));
        let hits = v128_or(v128_or(quoted, scan), v128_or(escape, awslogs));
        (u8x16_bitmask(hits), u8x16_bitmask(v0))
    }

    /// 16 bytes as a vector, without `unsafe` (the crate keeps it to the Fluent Bit
    /// boundary): two 8-byte loads into the two lanes.
    #[cfg(all(target_family = "wasm", target_feature = "simd128"))]
    #[inline(always)]
    fn load(bytes: &[u8]) -> core::arch::wasm32::v128 {
        let half = |at: usize| match bytes.get(at..at + 8).and_then(|b| b.try_into().ok()) {
            Some(b) => u64::from_le_bytes(b),
            None => 0,
        };
        core::arch::wasm32::u64x2(half(0), half(8))
    }

    /// [`block`] a byte at a time.
    #[cfg(not(all(target_family = "wasm", target_feature = "simd128")))]
    fn block(span: &[u8]) -> (u16, u16) {
        let (mut hits, mut high) = (0, 0);
        for i in 0..16 {
            if WINDOWS.iter().any(|(w, ..)| span[i..].starts_with(w)) {
                hits |= 1 << i;
            }
            high |= u16::from(span[i] >> 7) << i;
        }
        (hits, high)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// The one pass decides as one search per needle does. Also run in wasm (the
        /// vector form of the block test: `RUSTFLAGS="-C target-feature=+simd128"
        /// cargo test --target wasm32-unknown-unknown --lib prefilter`).
        #[cfg_attr(not(all(target_arch = "wasm32", target_os = "unknown")), test)]
        #[cfg_attr(
            all(target_arch = "wasm32", target_os = "unknown"),
            wasm_bindgen_test::wasm_bindgen_test
        )]
        fn agrees_with_a_search_per_needle() {
            let dynamodb = Finder::new("dynamodb");
            let fill = "x".repeat(40);
            let parts = [
                "Scan",
                "Sca",
                "dynamodb",
                "\\u",
                "\\",
                "\"awslogs\"",
                "awslogs",
                "\"Records\"",
                "\"Record",
                "\"logEvents\"",
                "\"detail\"",
                "\"detail-type\"",
                "\"_source\"",
                "\"hits\"",
                "\"hit",
            ];
            let not_ascii = search("{\"a\":\"é\"}".as_bytes(), &dynamodb);
            assert!(!not_ascii.ascii && !not_ascii.scan);
            let late = format!("{{\"a\":\"{}é\"}}", "x".repeat(40));
            assert!(!search(late.as_bytes(), &dynamodb).ascii);
            for a in parts {
                for b in parts {
                    for pad in [0, 1, 7, 15, 16, 17, 30] {
                        let doc = format!("{{{}{a}{}{b}}}", &fill[..pad], &fill[..pad / 2]);
                        let scan = (doc.contains("Scan") && doc.contains("dynamodb"))
                            || doc.contains("\\u")
                            || doc.contains("\"awslogs\"");
                        let container =
                            super::super::CONTAINER_KEYS.iter().any(|k| doc.contains(k));
                        let found = search(doc.as_bytes(), &dynamodb);
                        assert_eq!(found.scan, scan, "{doc}");
                        if !scan {
                            assert_eq!(found.container, container, "{doc}");
                            assert!(found.ascii, "{doc}");
                        }
                    }
                }
            }
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
        for doc in docs {
            let b = doc.as_bytes();
            let needles = (doc.contains("Scan") && doc.contains("dynamodb"))
                || doc.contains("\\u")
                || doc.contains("\"awslogs\"");
            assert_eq!(p.may_hold_a_scan(b), needles, "{doc}");
        }
    }
}
