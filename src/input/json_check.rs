//! A JSON grammar check in one pass, without building anything: is this text exactly one
//! JSON object (RFC 8259), surrounded only by whitespace?
//!
//! Hosts that pass records on unchanged must be sure what they return parses (Fluent
//! Bit aborts on text that does not). serde_json can answer that too, but walking the
//! text through its deserializer costs several times more in wasm, where this check is
//! a plain byte loop. Nesting is tracked in a bit stack, so any depth is fine. Like
//! the grammar (and serde_json's skipping), escapes are checked for form only: a lone
//! surrogate `\ud800` is valid JSON text. UTF-8 is checked separately.

/// Whether `text` is exactly one JSON object.
pub fn is_one_object(text: &[u8]) -> bool {
    let mut p = Parser {
        b: text,
        i: 0,
        stack: Vec::new(),
        depth: 0,
    };
    p.ws();
    if p.peek() != Some(b'{') {
        return false;
    }
    p.value() && {
        p.ws();
        p.i == text.len()
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    /// One bit per open container: 1 = object, 0 = array.
    stack: Vec<u64>,
    depth: usize,
}

impl Parser<'_> {
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
        if self.peek() != Some(b'"') || !self.string() {
            return false;
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
            // Jump to the next quote or backslash (word-at-a-time), checking the plain run
            // in between for control characters.
            let rest = &self.b[self.i..];
            let run = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
            if rest[..run].iter().any(|&c| c < 0x20) {
                return false;
            }
            self.i += run;
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return true;
                }
                Some(b'\\') => {
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
                Some(_) => self.i += 1,
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

#[cfg(test)]
mod tests {
    use super::is_one_object;

    #[test]
    fn accepts_exactly_json_objects() {
        let yes = [
            "{}",
            " { } ",
            r#"{"a":1}"#,
            r#"{"a":[1,2,{"b":null}],"c":"\u00e9\n\"","d":-0.5e+10,"e":true,"f":false}"#,
            "{\"a\":\"\u{e9}\"}",
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
                    ] {
                        let serde = serde_json::from_slice::<serde::de::IgnoredAny>(&variant)
                            .is_ok()
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
