//! Turning a byte stream into documents for the detector, by content, in bounded memory.
//!
//! The first line decides. If it is a complete JSON value, the input is NDJSON and is
//! read line by line (each line at most `max_line` bytes; a longer line is skipped,
//! reported and counted). Otherwise the input is one or more whole JSON documents
//! (a pretty-printed file, an array): it is read whole, up to `max_document` bytes,
//! and split into its top-level values; if that fails, its lines are used instead, so
//! a broken first line of an NDJSON file costs one line, not the file.

use std::io::{self, BufRead};

use serde_json::value::RawValue;

/// One thing read from the input.
#[derive(Debug, PartialEq)]
pub enum Item {
    /// A document and the line it starts on (1-based).
    Doc { bytes: Vec<u8>, line: u64 },
    /// A line or document over the limit, skipped.
    TooLong { line: u64, limit: usize },
}

enum Mode {
    Start,
    Lines,
    Buffered(std::vec::IntoIter<Item>),
    Done,
}

/// Reads documents from a stream.
pub struct DocReader<R> {
    input: R,
    max_line: usize,
    max_document: usize,
    mode: Mode,
    line: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> DocReader<R> {
    pub fn new(input: R, max_line: usize, max_document: usize) -> Self {
        DocReader {
            input,
            max_line,
            max_document,
            mode: Mode::Start,
            line: 0,
            buf: Vec::new(),
        }
    }

    /// The next item, `Ok(None)` at the end, or an I/O error (the input is then done).
    pub fn next_item(&mut self) -> io::Result<Option<Item>> {
        loop {
            match &mut self.mode {
                Mode::Done => return Ok(None),
                Mode::Buffered(items) => {
                    let next = items.next();
                    if next.is_none() {
                        self.mode = Mode::Done;
                    }
                    return Ok(next);
                }
                Mode::Start => {
                    let start_line = self.line + 1;
                    match self.read_line(self.max_document)? {
                        None => {
                            self.mode = Mode::Done;
                            return Ok(None);
                        }
                        Some(false) => {
                            self.mode = Mode::Lines;
                            return Ok(Some(Item::TooLong {
                                line: start_line,
                                limit: self.max_document,
                            }));
                        }
                        Some(true) if is_blank(&self.buf) => continue,
                        Some(true) => {
                            if serde_json::from_slice::<serde::de::IgnoredAny>(&self.buf).is_ok() {
                                self.mode = Mode::Lines;
                                return Ok(Some(Item::Doc {
                                    bytes: std::mem::take(&mut self.buf),
                                    line: start_line,
                                }));
                            }
                            let items = self.read_rest_whole(start_line)?;
                            self.mode = Mode::Buffered(items.into_iter());
                        }
                    }
                }
                Mode::Lines => {
                    let line = self.line + 1;
                    match self.read_line(self.max_line)? {
                        None => {
                            self.mode = Mode::Done;
                            return Ok(None);
                        }
                        Some(false) => {
                            return Ok(Some(Item::TooLong {
                                line,
                                limit: self.max_line,
                            }))
                        }
                        Some(true) if is_blank(&self.buf) => continue,
                        Some(true) => {
                            return Ok(Some(Item::Doc {
                                bytes: std::mem::take(&mut self.buf),
                                line,
                            }))
                        }
                    }
                }
            }
        }
    }

    /// Read one line into `buf` (without its newline). `Some(false)` when it was longer
    /// than `limit` (the rest of it is consumed and dropped), `None` at the end.
    fn read_line(&mut self, limit: usize) -> io::Result<Option<bool>> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, found) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > limit {
                    too_long = true;
                    self.buf = Vec::new();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.input.consume(take + usize::from(found));
            if found {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.line += 1;
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some(!too_long))
    }

    /// The first line was not a JSON value on its own: read everything and split it.
    fn read_rest_whole(&mut self, start_line: u64) -> io::Result<Vec<Item>> {
        let mut whole = std::mem::take(&mut self.buf);
        whole.push(b'\n');
        let mut chunk = Vec::new();
        let limit = self.max_document as u64 + 1 - whole.len().min(self.max_document) as u64;
        io::Read::read_to_end(
            &mut <&mut R as io::Read>::take(&mut self.input, limit),
            &mut chunk,
        )?;
        whole.extend_from_slice(&chunk);
        if whole.len() > self.max_document {
            // Drain the rest so the input is fully consumed, then report.
            io::copy(&mut self.input, &mut io::sink())?;
            return Ok(vec![Item::TooLong {
                line: start_line,
                limit: self.max_document,
            }]);
        }
        Ok(split_values(&whole, start_line).unwrap_or_else(|| split_lines(&whole, start_line)))
    }
}

fn is_blank(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_whitespace)
}

/// Top-level JSON values of a buffer, with the line each starts on; `None` if it is not
/// a sequence of JSON values.
fn split_values(buf: &[u8], first_line: u64) -> Option<Vec<Item>> {
    let mut stream = serde_json::Deserializer::from_slice(buf).into_iter::<&RawValue>();
    let mut items = Vec::new();
    let mut line = first_line;
    let mut offset = 0;
    while let Some(next) = stream.next() {
        let value = next.ok()?;
        let text = value.get().as_bytes();
        let start = stream.byte_offset() - text.len();
        line += count_newlines(&buf[offset..start]);
        items.push(Item::Doc {
            bytes: text.to_vec(),
            line,
        });
        line += count_newlines(text);
        offset = stream.byte_offset();
    }
    Some(items)
}

fn split_lines(buf: &[u8], first_line: u64) -> Vec<Item> {
    buf.split(|&b| b == b'\n')
        .enumerate()
        .filter(|(_, l)| !is_blank(l))
        .map(|(i, l)| Item::Doc {
            bytes: l.strip_suffix(b"\r").unwrap_or(l).to_vec(),
            line: first_line + i as u64,
        })
        .collect()
}

fn count_newlines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &str, max_line: usize) -> Vec<Item> {
        let mut r = DocReader::new(input.as_bytes(), max_line, 1 << 20);
        let mut out = Vec::new();
        while let Some(item) = r.next_item().expect("in-memory read") {
            out.push(item);
        }
        out
    }

    fn doc(s: &str, line: u64) -> Item {
        Item::Doc {
            bytes: s.as_bytes().to_vec(),
            line,
        }
    }

    #[test]
    fn recognises_ndjson_and_whole_documents() {
        let cases: Vec<(&str, Vec<Item>)> = vec![
            (
                "{\"a\":1}\n\n{\"b\":2}\r\n",
                vec![doc("{\"a\":1}", 1), doc("{\"b\":2}", 3)],
            ),
            (
                "{\"Records\":[{\"a\":1}]}",
                vec![doc("{\"Records\":[{\"a\":1}]}", 1)],
            ),
            (
                "[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n",
                vec![doc("[\n  {\"a\": 1},\n  {\"b\": 2}\n]", 1)],
            ),
            (
                "{\n \"a\": 1\n}\n{\n \"b\": 2\n}",
                vec![doc("{\n \"a\": 1\n}", 1), doc("{\n \"b\": 2\n}", 4)],
            ),
            (
                "\n\n{\"a\":1}\nnot json\n{\"c\":3}",
                vec![doc("{\"a\":1}", 3), doc("not json", 4), doc("{\"c\":3}", 5)],
            ),
            (
                "broken {\n{\"a\":1}\n",
                vec![doc("broken {", 1), doc("{\"a\":1}", 2)],
            ),
            ("", vec![]),
            ("\n \n", vec![]),
        ];
        for (input, want) in cases {
            assert_eq!(read_all(input, 1 << 20), want, "{input:?}");
        }
    }

    #[test]
    fn long_lines_are_skipped_and_reading_goes_on() {
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        let input = format!("{{\"first\":1}}\n{long}\n{{\"after\":1}}\n");
        let got = read_all(&input, 50);
        assert_eq!(
            got,
            vec![
                doc("{\"first\":1}", 1),
                Item::TooLong { line: 2, limit: 50 },
                doc("{\"after\":1}", 3)
            ]
        );
    }
}
