//! A batch of input as hosts receive it: either one JSON document (a CloudTrail S3
//! file `{"Records":[…]}`, a JSON array, one pretty-printed record, …) or NDJSON, one
//! document per line. [`documents`] cuts a batch into the documents to hand to
//! [`crate::Detector::process`], in order, without copying.
//!
//! The rule: when the first non-blank line is a complete JSON value, the batch is
//! NDJSON and every non-blank line is a document (a bad line is still handed out, so
//! the detector counts it as unparseable and goes on with the next one). Otherwise,
//! when the whole batch is one valid JSON document, it is that document. Otherwise it
//! is NDJSON after all (a damaged first line). Only the first line is validated in
//! the common NDJSON case, so the batch is not parsed twice.

use serde::de::IgnoredAny;

/// Call `out` with each document of `batch`, in input order.
pub fn documents<'a>(batch: &'a [u8], out: &mut dyn FnMut(&'a [u8])) {
    let mut lines = non_blank_lines(batch);
    let Some(first) = lines.next() else {
        return;
    };
    let first_is_whole = serde_json::from_slice::<IgnoredAny>(first).is_ok();
    if !first_is_whole && serde_json::from_slice::<IgnoredAny>(batch).is_ok() {
        out(batch);
        return;
    }
    out(first);
    lines.for_each(out);
}

/// The lines of `batch` with their line ending (`\n` or `\r\n`) removed, skipping
/// lines that hold only whitespace.
pub fn non_blank_lines(batch: &[u8]) -> impl Iterator<Item = &[u8]> {
    batch
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
}

#[cfg(test)]
mod tests {
    use super::documents;

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
    fn one_pretty_document_stays_whole() {
        let s3 = "{\n  \"Records\": [\n    {\"eventName\": \"Scan\"}\n  ]\n}\n";
        assert_eq!(docs(s3), [s3]);
        let array = "[\n{\"a\":1},\n{\"b\":2}\n]";
        assert_eq!(docs(array), [array]);
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
