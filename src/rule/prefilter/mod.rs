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
//! CloudWatch `message` is JSON text escaped once more (and read again). A container (S3
//! `Records`, an array, EventBridge, CloudWatch, search hits) is never rejected whole, so
//! that its records are still counted one by one and passed through one by one; nor is
//! input that is not valid UTF-8, so that it is always reported as unreadable.
//!
//! How the needles are found depends on the build: natively one Teddy pass for all of
//! them (aho-corasick), then `needles` to decide; in wasm with SIMD (the npm package)
//! `one_pass`; in wasm without (the Fluent Bit module) `needles`' word-at-a-time
//! pass, or for annotate the JSON check itself ([`Prefilter::check_object`]). Fluent
//! Bit's own JSON text is searched by the host instead ([`Prefilter::rejects_searched`]).

mod needles;
// Compiled in every build so that its scalar form is tested natively; used in wasm with
// SIMD only.
#[cfg_attr(
    not(all(target_family = "wasm", target_feature = "simd128")),
    allow(dead_code)
)]
mod one_pass;
#[cfg(test)]
mod tests;

use std::ffi::CStr;

use memchr::memmem::Finder;

use needles::Needles;

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
        // ASCII (nearly always) is checked half again as fast as UTF-8.
        let ascii = ascii || doc.is_ascii();
        (!ascii && std::str::from_utf8(doc).is_err())
            || containers.unwrap_or_else(|| self.holds_a_container_key(doc))
    }

    /// Whether a container key occurs in `doc`: a pass per key.
    fn holds_a_container_key(&self, doc: &[u8]) -> bool {
        self.containers.iter().any(|c| c.find(doc).is_some())
    }

    /// Whether `doc` may hold a successful Scan, and where to look for container keys.
    /// Natively: one SIMD pass for every needle at once (Teddy); when it finds none,
    /// neither a Scan nor a container key needs looking for.
    #[cfg(not(target_family = "wasm"))]
    fn search(&self, doc: &[u8]) -> Search {
        let any = self.any.is_match(doc);
        Search {
            scan: any && self.may_hold_a_scan(doc),
            containers: (!any).then_some(false),
            ascii: false,
        }
    }

    /// wasm32 with SIMD (the npm package): one pass over 16-byte blocks for every
    /// needle at once (see `one_pass`).
    #[cfg(all(target_family = "wasm", target_feature = "simd128"))]
    fn search(&self, doc: &[u8]) -> Search {
        let found = one_pass::search(doc, &self.dynamodb);
        Search {
            scan: found.scan,
            containers: Some(found.container),
            ascii: found.ascii,
        }
    }

    /// wasm32 without SIMD (the Fluent Bit module): a pass over three rare bytes, and a
    /// pass per container key only for documents that cannot hold a Scan.
    #[cfg(all(target_family = "wasm", not(target_feature = "simd128")))]
    fn search(&self, doc: &[u8]) -> Search {
        Search {
            scan: self.may_hold_a_scan(doc),
            containers: None,
            ascii: false,
        }
    }

    /// Whether `doc` may hold a successful Scan: `Scan` and `dynamodb` both present, or a
    /// `\u` escape, or an `awslogs` payload ([`Needles::anywhere`]).
    #[cfg_attr(
        all(target_family = "wasm", target_feature = "simd128"),
        allow(dead_code)
    )]
    fn may_hold_a_scan(&self, doc: &[u8]) -> bool {
        Needles::new(self, doc).anywhere()
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
        Some(may_hold_a_scan || (!self.whole_documents && self.holds_a_container_key(doc)))
    }
}

impl Prefilter {
    /// The pre-check for a host that searches the document's text itself, at native
    /// speed where this module is interpreted (Fluent Bit: WAMR's built-in `memchr` and
    /// `strstr`). `contains(needle)` says whether `needle` occurs in the document; the
    /// one-byte needle comes first, since a host may find one byte more cheaply.
    /// `Some(true)`: the document cannot hold a successful Scan. Only for
    /// [`Prefilter::whole_documents`] (`None` otherwise): it judges the whole text,
    /// containers included, and leaves the UTF-8 check to the host.
    ///
    /// Sound with plain substrings: a matching record holds `Scan` and `dynamodb`
    /// literally unless a letter is escaped (then a backslash occurs) or it sits in a
    /// CloudWatch payload (then `awslogs` occurs, as a key or inside an escaped message).
    pub fn rejects_searched(&self, contains: &dyn Fn(&CStr) -> bool) -> Option<bool> {
        if !self.whole_documents {
            return None;
        }
        let may_hold =
            contains(c"\\") || (contains(c"Scan") && contains(c"dynamodb")) || contains(c"awslogs");
        Some(!may_hold)
    }
}

/// What the search learned about a document.
struct Search {
    /// It may hold a successful Scan.
    scan: bool,
    /// Whether a container key occurs, when the search found out.
    containers: Option<bool>,
    /// Every byte is ASCII (so it is valid UTF-8); `false` when not known.
    ascii: bool,
}
