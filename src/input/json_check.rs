//! A JSON grammar and UTF-8 check in one pass, without building anything: are these bytes
//! exactly one JSON object (RFC 8259) in valid UTF-8, surrounded only by whitespace?
//!
//! Hosts that pass records on unchanged must be sure what they return parses (Fluent
//! Bit aborts on text that does not). `str::from_utf8` then serde_json can answer that
//! too, but two walks cost several times more in wasm than this one byte loop, which
//! skips plain string bytes eight at a time and checks UTF-8 only where a string holds
//! a non-ASCII byte (outside strings the grammar allows ASCII only). Nesting is tracked
//! in a bit stack, so any depth is fine. Like the grammar (and serde_json's skipping),
//! escapes are checked for form only: a lone surrogate `\ud800` is valid JSON text.
//!
//! The same pass can watch for bytes inside strings ([`check_object`]), so that a host
//! learns in one read both that a record is valid and whether the pre-check must look
//! closer ([`crate::rule::prefilter`]).

use crate::swar;

/// Whether `text` is exactly one JSON object, in valid UTF-8.
pub fn is_one_object(text: &[u8]) -> bool {
    let nothing = Watch {
        byte: b'"',
        keys: &[],
    };
    check_object(text, nothing, |_| false).is_some()
}

/// What [`check_object`] reports to its caller while it reads.
#[derive(Debug, Clone, Copy)]
pub struct Watch<'k> {
    /// A byte inside strings: printable ASCII other than `\\` (`"` for none).
    pub byte: u8,
    /// Keys, each as its raw text between the quotes.
    pub keys: &'k [&'k [u8]],
}

/// `None` unless `text` is exactly one JSON object in valid UTF-8; otherwise whether
/// `seen` answered `true` for some position. `seen` is asked, in order and until it
/// answers `true`, about the position of every `watch.byte` inside a string, of the
/// first backslash of every escape, and of the opening quote of every key written
/// exactly as one of `watch.keys`. (Outside strings the grammar allows no letters but
/// those of `true`, `false`, `null` and exponents.)
pub fn check_object(
    text: &[u8],
    watch: Watch<'_>,
    seen: impl FnMut(usize) -> bool,
) -> Option<bool> {
    let mut p = Parser {
        b: text,
        i: 0,
        stack: Vec::new(),
        depth: 0,
        watch: swar::splat(watch.byte),
        keys: watch.keys,
        seen,
        found: false,
    };
    p.ws();
    if p.peek() != Some(b'{') {
        return None;
    }
    let object = p.value() && {
        p.ws();
        p.i == text.len()
    };
    object.then_some(p.found)
}

struct Parser<'a, 'k, F> {
    b: &'a [u8],
    i: usize,
    /// One bit per open container: 1 = object, 0 = array.
    stack: Vec<u64>,
    depth: usize,
    /// The byte that stops a plain run for `seen`, in every lane: a quote once nothing
    /// is watched.
    watch: u64,
    keys: &'k [&'k [u8]],
    seen: F,
    found: bool,
}

impl<F: FnMut(usize) -> bool> Parser<'_, '_, F> {
    /// Ask `seen` about position `at`, until it once says yes.
    fn look(&mut self, at: usize) {
        if !self.found && (self.seen)(at) {
            self.found = true;
            self.watch = swar::splat(b'"');
            self.keys = &[];
        }
    }

    /// The bytes of `w` that end a plain run in a string: `"`, `\\`, a control
    /// character, a non-ASCII byte or a watched byte (the high bit of each such lane).
    fn special_bytes(&self, w: u64) -> u64 {
        // A lane is plain when its high bit is clear, it is not below 0x20 and differs
        // from each of the four bytes.
        swar::unflagged(
            !w & swar::nonzero_lanes(w & swar::splat(0xe0))
                & swar::nonzero_lanes(w ^ swar::splat(b'"'))
                & swar::nonzero_lanes(w ^ swar::splat(b'\\'))
                & swar::nonzero_lanes(w ^ self.watch),
        )
    }

    /// A byte that continues a plain run in a string.
    fn is_plain(&self, c: u8) -> bool {
        (0x20..0x80).contains(&c) && c != b'"' && c != b'\\' && swar::splat(c) != self.watch
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn push(&mut self, object: bool) {
        let (word, bit) = (self.depth / 64, self.depth % 64);
        if word == self.stack.len() {
            self.stack.push(0);
        }
        if object {
            self.stack[word] |= 1 << bit;
        } else {
            self.stack[word] &= !(1 << bit);
        }
        self.depth += 1;
    }

    fn in_object(&self) -> bool {
        let d = self.depth - 1;
        self.stack[d / 64] & (1 << (d % 64)) != 0
    }

    /// One value and everything nested in it, iteratively.
    fn value(&mut self) -> bool {
        let base = self.depth;
        loop {
            // At the start of a value.
            self.ws();
            match self.peek() {
                Some(b'{') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                    } else {
                        self.push(true);
                        if !self.key() {
                            return false;
                        }
                        continue;
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                    } else {
                        self.push(false);
                        continue;
                    }
                }
                Some(b'"') => {
                    if !self.string() {
                        return false;
                    }
                }
                Some(b't') => {
                    if !self.literal(b"true") {
                        return false;
                    }
                }
                Some(b'f') => {
                    if !self.literal(b"false") {
                        return false;
                    }
                }
                Some(b'n') => {
                    if !self.literal(b"null") {
                        return false;
                    }
                }
                Some(b'-' | b'0'..=b'9') => {
                    if !self.number() {
                        return false;
                    }
                }
                _ => return false,
            }
            // After a complete value: close containers, or move to the next element.
            loop {
                if self.depth == base {
                    return true;
                }
                self.ws();
                let object = self.in_object();
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        if object && !self.key() {
                            return false;
                        }
                        break;
                    }
                    Some(b'}') if object => {
                        self.i += 1;
                        self.depth -= 1;
                    }
                    Some(b']') if !object => {
                        self.i += 1;
                        self.depth -= 1;
                    }
                    _ => return false,
                }
            }
        }
    }

    /// `"key":` inside an object.
    fn key(&mut self) -> bool {
        self.ws();
        let start = self.i;
        if self.peek() != Some(b'"') || !self.string() {
            return false;
        }
        if !self.keys.is_empty() {
            let key = &self.b[start + 1..self.i - 1];
            if self.keys.contains(&key) {
                self.look(start);
            }
        }
        self.ws();
        if self.peek() != Some(b':') {
            return false;
        }
        self.i += 1;
        true
    }

    fn string(&mut self) -> bool {
        self.i += 1;
        loop {
            // Skip plain ASCII eight bytes at a time, to the first byte that is not.
            loop {
                match swar::load(self.b, self.i) {
                    Some(w) => match self.special_bytes(w) {
                        0 => self.i += 8,
                        special => {
                            self.i += swar::first_lane(special);
                            break;
                        }
                    },
                    None => {
                        while self.peek().is_some_and(|c| self.is_plain(c)) {
                            self.i += 1;
                        }
                        break;
                    }
                }
            }
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return true;
                }
                Some(b'\\') => {
                    self.look(self.i);
                    self.i += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
                        Some(b'u') => {
                            let hex = self.b.get(self.i + 1..self.i + 5);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return false;
                            }
                            self.i += 5;
                        }
                        _ => return false,
                    }
                }
                Some(0x00..=0x1f) | None => return false,
                Some(0x20..=0x7f) => {
                    // The watched byte.
                    self.look(self.i);
                    self.i += 1;
                }
                Some(_) => match utf8_sequence_len(&self.b[self.i..]) {
                    Some(n) => self.i += n,
                    None => return false,
                },
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> bool {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return false,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return false;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return false;
            }
        }
        true
    }
}

/// The length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, surrogates or
/// code points past U+10FFFF) that starts `b` with a non-ASCII byte, or `None`.
fn utf8_sequence_len(b: &[u8]) -> Option<usize> {
    let cont = |i: usize, lo: u8, hi: u8| b.get(i).is_some_and(|c| (lo..=hi).contains(c));
    let (n, lo, hi) = match *b.first()? {
        0xc2..=0xdf => (2, 0x80, 0xbf),
        0xe0 => (3, 0xa0, 0xbf),
        0xe1..=0xec | 0xee..=0xef => (3, 0x80, 0xbf),
        0xed => (3, 0x80, 0x9f),
        0xf0 => (4, 0x90, 0xbf),
        0xf1..=0xf3 => (4, 0x80, 0xbf),
        0xf4 => (4, 0x80, 0x8f),
        _ => return None,
    };
    (cont(1, lo, hi) && (2..n).all(|i| cont(i, 0x80, 0xbf))).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::{check_object, is_one_object, utf8_sequence_len, Parser, Watch};

    #[test]
    fn utf8_sequences_as_the_standard_library_reads_them() {
        let edges = [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xff];
        for b0 in 0x80..=0xffu8 {
            for b1 in 0..=0xffu8 {
                for b2 in edges {
                    for b3 in edges {
                        let s = [b0, b1, b2, b3];
                        let std = (2..=4).find(|&k| std::str::from_utf8(&s[..k]).is_ok());
                        assert_eq!(utf8_sequence_len(&s), std, "{s:x?}");
                    }
                }
            }
        }
        assert_eq!(utf8_sequence_len(&[0xe2, 0x82]), None, "cut short");
    }

    #[test]
    fn special_bytes_found_at_every_position() {
        for watch in [b'"', b'S'] {
            let p = Parser {
                b: b"",
                i: 0,
                stack: Vec::new(),
                depth: 0,
                watch: crate::swar::splat(watch),
                keys: &[],
                seen: |_| false,
                found: false,
            };
            for pos in 0..8 {
                for byte in 0..=0xffu8 {
                    let mut w = [b'a'; 8];
                    w[pos] = byte;
                    let plain =
                        (0x20..0x80).contains(&byte) && !b"\"\\".contains(&byte) && byte != watch;
                    assert_eq!(p.is_plain(byte), plain);
                    let special = if plain { 0 } else { 0x80 << (8 * pos) };
                    assert_eq!(p.special_bytes(u64::from_le_bytes(w)), special, "{w:x?}");
                }
            }
        }
    }

    #[test]
    fn watched_bytes_reported_in_order_until_seen() {
        let text = r#"{"Sw":["xxxxxxxxxxS","a\u0053\n",{"ww":"S","www":"ww"}],"S":1e5,"t":true}"#;
        let watch = Watch {
            byte: b'S',
            keys: &[b"ww", b"v"],
        };
        let positions = |stop_at: usize| {
            let mut asked = Vec::new();
            let found = check_object(text.as_bytes(), watch, |i| {
                asked.push(i);
                asked.len() == stop_at
            });
            (found, asked)
        };
        let key = text.find(r#""ww":"#).expect("key");
        let expect: Vec<usize> = text
            .char_indices()
            .filter(|&(i, c)| {
                c == 'S' || i == key || (c == '\\' && text.as_bytes()[i - 1] != b'\\')
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(expect.len(), 7);
        assert_eq!(positions(0), (Some(false), expect.clone()));
        assert_eq!(positions(3), (Some(true), expect[..3].to_vec()));
        assert_eq!(check_object(b"{\"S\":}", watch, |_| true), None);
    }

    #[test]
    fn accepts_exactly_json_objects() {
        let yes = [
            "{}",
            " { } ",
            r#"{"a":1}"#,
            r#"{"a":[1,2,{"b":null}],"c":"\u00e9\n\"","d":-0.5e+10,"e":true,"f":false}"#,
            "{\"a\":\"\u{e9}\"}",
            "{\"caf\u{e9} \u{20ac}\u{10348}\":\"0123456789\u{e9}abcdefgh\u{10ffff}\"}",
            r#"{"a":"\ud800"}"#,
            "{\"a\":[]}\n",
            r#"{"a":{"b":{"c":[[[]]]}}}"#,
            r#"{"":0}"#,
            r#"{"a":1E400}"#,
            "\t{\"a\" : [ 1 , 2 ] }\r\n",
        ];
        let no = [
            "",
            " ",
            "[]",
            "1",
            r#""s""#,
            "{",
            "}",
            r#"{"a"}"#,
            r#"{"a":}"#,
            r#"{"a":1,}"#,
            r#"{,"a":1}"#,
            "{a:1}",
            r#"{"a":1}{"b":2}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":1e}"#,
            r#"{"a":-}"#,
            r#"{"a":tru}"#,
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12g4"}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a":[1,2}"#,
            r#"{"a":{"b":1]}"#,
            r#"{"a":"x}"#,
            r#"{"a":1 "b":2}"#,
            r#"{"a":NaN}"#,
            r#"{"a":+1}"#,
            "{\"a\":1}x",
        ];
        let not_utf8: [&[u8]; 7] = [
            b"{\"a\":\"\xff\"}",
            b"{\"\xc3\":1}",
            b"{\"a\":\"\xc0\x80\"}",
            b"{\"a\":\"\xed\xa0\x80\"}",
            b"{\"a\":\"\xf4\x90\x80\x80\"}",
            b"{\"a\":\"abcdefgh\xe2\x82\"}",
            b"{\"a\":1}\xc2\xa0",
        ];
        for t in not_utf8 {
            assert!(!is_one_object(t), "should reject {t:x?}");
        }
        for t in yes {
            assert!(is_one_object(t.as_bytes()), "should accept {t:?}");
            assert!(
                serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok(),
                "serde agrees: {t:?}"
            );
        }
        for t in no {
            assert!(!is_one_object(t.as_bytes()), "should reject {t:?}");
        }
    }

    #[test]
    fn any_depth_without_recursion() {
        let n = 200_000;
        let deep =
            format!("{}{}{}", r#"{"a":"#.repeat(n), "[".repeat(n), "]".repeat(n)) + &"}".repeat(n);
        assert!(is_one_object(deep.as_bytes()));
        assert!(!is_one_object(&deep.as_bytes()[..deep.len() - 1]));
    }

    /// Agrees with serde_json (on objects) for every real record and many of its mutations.
    #[test]
    fn agrees_with_serde_on_real_records_and_mutations() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/third-party/ibm-universal-connectors-dynamodb");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let Ok(text) = std::fs::read(entry.path()) else {
                continue;
            };
            for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                for cut in (0..line.len()).step_by(7) {
                    for variant in [
                        line[..cut].to_vec(),
                        [&line[..cut], b"}", &line[cut..]].concat(),
                        [&line[..cut], b",", &line[cut..]].concat(),
                        [&line[..cut], b"\xc3\xa9", &line[cut..]].concat(),
                        [&line[..cut], b"\xe2\x82", &line[cut..]].concat(),
                        [&line[..cut], b"\x7f\x1f", &line[cut..]].concat(),
                    ] {
                        let serde = std::str::from_utf8(&variant).is_ok()
                            && serde_json::from_slice::<serde::de::IgnoredAny>(&variant).is_ok()
                            && variant.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
                        assert_eq!(
                            is_one_object(&variant),
                            serde,
                            "{}",
                            String::from_utf8_lossy(&variant)
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }
}
