//! Lone UTF-16 surrogates in JSON escapes (`"\ud800"`), made harmless.
//!
//! JSON's grammar allows any `\uXXXX`, and CloudTrail can carry what a caller sent (a
//! user agent, say). serde_json refuses a lone surrogate when it decodes a string, so a
//! record holding one would be unreadable, and its caller invisible to the rule. We
//! replace each lone surrogate escape with `\ufffd` (the replacement character) before
//! decoding, on every path, so such a record is judged like any other.

use std::borrow::Cow;

/// `text` with every lone surrogate escape replaced by `\ufffd` (borrowed when there is none).
pub fn without_lone_surrogates(text: &str) -> Cow<'_, str> {
    let b = text.as_bytes();
    if memchr::memmem::find(b, b"\\u").is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'\\', &b[i..]) {
        let p = i + offset;
        if b.get(p + 1) != Some(&b'u') {
            i = p + 2;
            continue;
        }
        let Some(unit) = hex4(b, p + 2) else {
            i = p + 2;
            continue;
        };
        let high = (0xD800..0xDC00).contains(&unit);
        let low = (0xDC00..0xE000).contains(&unit);
        if high
            && b.get(p + 6) == Some(&b'\\')
            && b.get(p + 7) == Some(&b'u')
            && hex4(b, p + 8).is_some_and(|l| (0xDC00..0xE000).contains(&l))
        {
            i = p + 12;
            continue;
        }
        if high || low {
            out.push_str(&text[copied..p]);
            out.push_str("\\ufffd");
            copied = p + 6;
        }
        i = p + 6;
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let digits = b.get(at..at + 4)?;
    let s = std::str::from_utf8(digits).ok()?;
    u32::from_str_radix(s, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_lone_surrogates() {
        let cases = [
            (r#""plain""#, r#""plain""#),
            (r#""\u0041""#, r#""\u0041""#),
            (r#""\ud83d\ude00""#, r#""\ud83d\ude00""#),
            (r#""a\ud800b""#, r#""a\ufffdb""#),
            (r#""a\udc00""#, r#""a\ufffd""#),
            (r#""\ud800\ud800\ude00""#, r#""\ufffd\ud800\ude00""#),
            (r#""\\ud800""#, r#""\\ud800""#),
            (r#""\u12""#, r#""\u12""#),
            (r#"{"k\uDBFF":"\uDFFF"}"#, r#"{"k\ufffd":"\ufffd"}"#),
        ];
        for (input, want) in cases {
            let got = without_lone_surrogates(input);
            assert_eq!(got, want, "{input}");
            if !input.contains("\\u12") {
                serde_json::from_str::<serde_json::Value>(&got).expect("decodes");
            }
        }
    }
}
