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
mod tests;
