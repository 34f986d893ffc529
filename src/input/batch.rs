//! A batch of input as hosts receive it: either one JSON document (a CloudTrail S3
//! file `{"Records":[…]}`, a JSON array, one pretty-printed record, …) or NDJSON, one
//! document per line. [`documents`] cuts a batch into the documents to hand to
//! [`crate::Detector::process`], in order, without copying.
//!
//! The rule is the command-line reader's: when the first non-blank line is a complete
//! JSON value, the batch is NDJSON and every non-blank line is a document (a bad line
//! is still handed out, so the detector counts it as unparseable and goes on with the
//! next one). Otherwise the batch is one or more whole JSON documents (a pretty-printed
//! file, an array), handed out value by value; if it is not a sequence of JSON values,
//! it is NDJSON after all (a damaged first line costs one line, not the batch). Only
//! the first line is validated in the common NDJSON case, so it is not parsed twice.

use std::ops::Range;

use serde::de::IgnoredAny;
use serde_json::value::RawValue;

/// Call `out` with each document of `batch`, in input order.
pub fn documents<'a>(batch: &'a [u8], out: &mut dyn FnMut(&'a [u8])) {
    let mut lines = non_blank_lines(batch);
    let Some(first) = lines.next() else {
        return;
    };
    if is_json_value(first) {
        out(first);
        lines.for_each(out);
        return;
    }
    match top_level_values(batch) {
        Some(values) => values.into_iter().for_each(out),
        None => non_blank_lines(batch).for_each(out),
    }
}

/// How [`documents`] cuts a batch that begins with `prefix`: `Some(true)` as NDJSON,
/// `Some(false)` not (as whole JSON values, or lines after all), `None` when `prefix`
/// cannot tell (its first non-blank line does not end within it). For hosts that read
/// a large batch a piece at a time.
pub fn is_ndjson(prefix: &[u8]) -> Option<bool> {
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', prefix) {
        let line = &prefix[start..end];
        if !is_blank(line) {
            return Some(is_json_value(trim_cr(line)));
        }
        start = end + 1;
    }
    None
}

/// The top-level JSON values of `batch`, or `None` if it is not a sequence of them.
fn top_level_values(batch: &[u8]) -> Option<Vec<&[u8]>> {
    top_level_value_ranges(batch).map(|ranges| ranges.into_iter().map(|r| &batch[r]).collect())
}

/// The byte ranges of the top-level JSON values of `batch`, or `None` if it is not a
/// sequence of them.
pub fn top_level_value_ranges(batch: &[u8]) -> Option<Vec<Range<usize>>> {
    // Text that is not UTF-8 cannot be a sequence of JSON values (serde_json would stop
    // at the first bad byte as well).
    let text = std::str::from_utf8(batch).ok()?;
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    let mut ranges = Vec::new();
    while let Some(value) = stream.next() {
        let len = value.ok()?.get().len();
        let end = stream.byte_offset();
        ranges.push(end - len..end);
    }
    Some(ranges)
}

/// Whether `bytes` are one complete JSON value, as the command-line reader decides it
/// (serde_json skipping the value): a byte that is not UTF-8 inside a string does not
/// count against it, outside one it does. Reading `&str` only (with U+FFFD for such
/// bytes, which is valid exactly where they were tolerated) lets every parse in the
/// library use one serde_json reader, so the WebAssembly builds carry one copy of it.
fn is_json_value(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    serde_json::from_str::<IgnoredAny>(&text).is_ok()
}

/// The lines of `batch` with their line ending (`\n` or `\r\n`) removed, skipping
/// lines that hold only whitespace.
pub fn non_blank_lines(batch: &[u8]) -> impl Iterator<Item = &[u8]> {
    non_blank_line_ranges(batch).map(|(_, r)| &batch[r])
}

/// [`non_blank_lines`] as (line index from 0, byte range) pairs.
pub fn non_blank_line_ranges(batch: &[u8]) -> impl Iterator<Item = (usize, Range<usize>)> + '_ {
    // memchr finds the line ends a vector at a time (SIMD natively and in the npm
    // package's wasm), several times faster than testing byte by byte.
    let ends = memchr::memchr_iter(b'\n', batch).chain(std::iter::once(batch.len()));
    let mut start = 0;
    ends.enumerate().filter_map(move |(i, end)| {
        let line = &batch[start..end];
        let range = start..start + trim_cr(line).len();
        start = end + 1;
        (!is_blank(line)).then_some((i, range))
    })
}

/// A line without its `\r` ending.
pub fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether a line holds only whitespace.
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::{documents, is_json_value, is_ndjson};

    /// A first line with a byte that is not UTF-8 inside a string is still NDJSON, as
    /// the command-line reader (serde_json over bytes) decides: the library must not read
    /// such a batch whole.
    #[test]
    fn json_values_are_judged_as_serde_json_judges_bytes() {
        assert_eq!(is_ndjson(b"{\"a\":\"\xff\"}\n{\"b\":1}\n"), Some(true));
        assert_eq!(is_ndjson(b"{\"a\":1\xff}\n{\"b\":1}\n"), Some(false));
        let bases: [&[u8]; 4] = [
            b"{\"a\":\"xy\"}",
            b"[\"xy\",1]",
            b"\"xy\"",
            b"{\"xy\":[true]}",
        ];
        let bad: [&[u8]; 6] = [
            b"\xff",
            b"\xc3",
            b"\xe2\x82",
            b"\xed\xa0\x80",
            b"\xc3\xa9",
            b"\x00",
        ];
        for base in bases {
            for at in 0..=base.len() {
                for b in bad {
                    let variant = [&base[..at], b, &base[at..]].concat();
                    let cli = serde_json::from_slice::<serde::de::IgnoredAny>(&variant).is_ok();
                    assert_eq!(
                        is_json_value(&variant),
                        cli,
                        "{:?}",
                        String::from_utf8_lossy(&variant)
                    );
                }
            }
        }
    }

    fn docs(batch: &str) -> Vec<&str> {
        let mut out = Vec::new();
        documents(batch.as_bytes(), &mut |d| {
            out.push(std::str::from_utf8(d).unwrap_or("<not utf-8>"))
        });
        out
    }

    #[test]
    fn ndjson_is_cut_into_lines() {
        assert_eq!(
            docs("{\"a\":1}\n\n{\"b\":2}\r\n  \n{\"c\":3}"),
            ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]
        );
    }

    #[test]
    fn a_bad_line_is_handed_out_and_the_rest_follows() {
        assert_eq!(
            docs("{\"a\":1}\n{broken\n{\"c\":3}\n"),
            ["{\"a\":1}", "{broken", "{\"c\":3}"]
        );
        assert_eq!(docs("{broken\n{\"c\":3}"), ["{broken", "{\"c\":3}"]);
    }

    #[test]
    fn pretty_documents_stay_whole() {
        let s3 = "{\n  \"Records\": [\n    {\"eventName\": \"Scan\"}\n  ]\n}";
        assert_eq!(docs(&format!("\n{s3}\n")), [s3]);
        let array = "[\n{\"a\":1},\n{\"b\":2}\n]";
        assert_eq!(docs(array), [array]);
        assert_eq!(
            docs(&format!("{s3}\n{array}\n")),
            [s3, array],
            "concatenated"
        );
    }

    #[test]
    fn a_broken_pretty_document_falls_back_to_lines() {
        assert_eq!(docs("{\n\"a\": 1\n"), ["{", "\"a\": 1"]);
    }

    #[test]
    fn the_shape_is_known_from_the_first_line() {
        use super::is_ndjson;
        assert_eq!(is_ndjson(b"\n \r\n{\"a\":1}\r\n{\"b"), Some(true));
        assert_eq!(is_ndjson(b"{\n\"a\": 1\n}\n"), Some(false));
        assert_eq!(is_ndjson(b"{broken\n{\"a\":1}\n"), Some(false));
        assert_eq!(
            is_ndjson(b"\n\n{\"a\":1}"),
            None,
            "the first line is not whole"
        );
        assert_eq!(is_ndjson(b""), None);
    }

    #[test]
    fn one_line_documents_and_empty_batches() {
        assert_eq!(docs("{\"Records\":[]}"), ["{\"Records\":[]}"]);
        assert_eq!(docs("[1,2]\n"), ["[1,2]"]);
        assert!(docs("").is_empty());
        assert!(docs(" \n\r\n\t").is_empty());
    }

    #[test]
    fn scalars_and_non_utf8_lines_are_still_documents() {
        assert_eq!(docs("1\n\"x\"\nnull"), ["1", "\"x\"", "null"]);
        let mut out = Vec::new();
        documents(b"{\"a\":1}\n\xff\xfe\n", &mut |d| out.push(d.to_vec()));
        assert_eq!(out, [b"{\"a\":1}".to_vec(), b"\xff\xfe".to_vec()]);
    }
}
