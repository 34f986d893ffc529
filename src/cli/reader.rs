//! Reading one source into documents: its bytes, a buffer at a time as the source lends
//! them, go to the core's document cutter ([`Documents`]), which decides the shape,
//! cuts lines (carrying a line cut by a buffer's end), skips a byte-order mark and
//! applies the size limits. Nothing here decides anything about the input.

use std::io::{self, BufRead};

use dynamodb_scan_detector::input::documents::{Documents, Format, Item, Limits};

/// Feed `input` to a [`Documents`] with these limits until it ends; `out` gets each
/// item. An I/O error ends the input: the items before it were given, the line it cut
/// is dropped, and the error is returned.
pub fn read_documents(
    input: &mut dyn BufRead,
    limits: Limits,
    out: &mut dyn FnMut(Item<'_>),
) -> io::Result<()> {
    let mut documents = Documents::new(Format::Auto, limits);
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            documents.finish(out);
            return Ok(());
        }
        documents.feed(chunk, out);
        let used = chunk.len();
        input.consume(used);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that lends its input a few bytes at a time, then fails if asked to.
    struct Trickle<'a> {
        input: &'a [u8],
        step: usize,
        fail: bool,
    }

    impl io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.input.len());
            if n == 0 && self.fail {
                return Err(io::Error::other("disk on fire"));
            }
            buf[..n].copy_from_slice(&self.input[..n]);
            self.input = &self.input[n..];
            Ok(n)
        }
    }

    fn docs(input: &[u8], step: usize, fail: bool) -> (Vec<String>, Option<String>) {
        let mut reader = io::BufReader::with_capacity(4, Trickle { input, step, fail });
        let mut got = Vec::new();
        let result = read_documents(&mut reader, Limits::default(), &mut |item| {
            if let Item::Document { bytes, line } = item {
                got.push(format!("{line}:{}", String::from_utf8_lossy(bytes)));
            }
        });
        (got, result.err().map(|e| e.to_string()))
    }

    #[test]
    fn lines_across_buffers_and_an_error_after_them() {
        let input = b"{\"a\":1}\r\n\n{\"b\":22}\n{\"c\":3";
        let (got, error) = docs(input, 3, false);
        assert_eq!(got, ["1:{\"a\":1}", "3:{\"b\":22}", "4:{\"c\":3"]);
        assert_eq!(error, None);
        // The line the error cuts is dropped.
        let (got, error) = docs(input, 3, true);
        assert_eq!(got, ["1:{\"a\":1}", "3:{\"b\":22}"]);
        assert_eq!(error.as_deref(), Some("disk on fire"));
    }
}
