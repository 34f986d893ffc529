//! The search for every needle in one pass, for wasm32 with SIMD, where memchr has no
//! multi-needle search and one memchr pass per needle (eight of them) cost more than
//! all the rest of the work on a typical record.
//!
//! Each needle has a three-byte window that is rare in CloudTrail (`Sca`, `"Re`, `"lo`,
//! `wsl`, `"de`, `"_s`, `"hi`; `\u` is two bytes): a block of 16 positions is tested for
//! every window at once with vector compares, and only the positions where a window
//! matches are checked byte by byte for the whole needle. The block test ([`block`])
//! also has a scalar form, which the native tests hold to the needle-at-a-time reading
//! and to which the vector form must agree.

use memchr::memmem::Finder;

/// (window, offset of the window in the needle, needle, what it means).
const WINDOWS: [(&[u8], usize, &[u8], Kind); 8] = [
    (b"Sca", 0, b"Scan", Kind::Scan),
    (b"\\u", 0, b"\\u", Kind::Escape),
    // Then `"` (a key) or `\\` (a key inside a CloudWatch message, escaped once more).
    (b"wsl", 2, b"\"awslogs", Kind::Awslogs),
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
    /// `Scan` and `dynamodb`, or `\u`, or `"awslogs"` (or `"awslogs\`) occurs.
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
            let after = doc.get(start + needle.len());
            if kind == Kind::Awslogs && !matches!(after, Some(b'"' | b'\\')) {
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
            "\"awslogs\\\"",
            "\"awslogsx",
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
                        || doc.contains("\"awslogs\"")
                        || doc.contains("\"awslogs\\");
                    let container = super::super::CONTAINER_KEYS.iter().any(|k| doc.contains(k));
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
