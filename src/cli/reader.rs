//! Turning a byte stream into documents for the detector, by content, in bounded memory.
//!
//! The first line decides. If it is a complete JSON value, the input is NDJSON and is
//! read line by line (each line at most `max_line` bytes; a longer line is skipped,
//! reported and counted). Otherwise the input is one or more whole JSON documents
//! (a pretty-printed file, an array): it is read whole, up to `max_document` bytes,
//! and split into its top-level values; if that fails, its lines are used instead, so
//! a broken first line of an NDJSON file costs one line, not the file.
//!
//! Lines are handed out as slices of the reader's own buffer whenever they lie within
//! it (almost always), so the hot path neither allocates nor copies.

use std::io::{self, BufRead};
use std::ops::Range;

use dynamodb_scan_detector::input::batch::{self, is_blank, trim_cr};

/// One thing read from the input, borrowed until the next call.
#[derive(Debug, PartialEq)]
pub enum Item<'a> {
    /// A document and the line it starts on (1-based).
    Doc { bytes: &'a [u8], line: u64 },
    /// A line or document over the limit, skipped.
    TooLong { line: u64, limit: usize },
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Doc(Range<usize>, u64),
    TooLong(u64, usize),
}

enum Mode {
    Start,
    Lines,
    Whole {
        buf: Vec<u8>,
        pieces: Vec<Piece>,
        next: usize,
    },
    Done,
}

/// Where the next item is.
enum Ready {
    End,
    TooLong(u64, usize),
    /// In `self.buf`, starting on this line.
    Owned(u64),
    /// The first `len` bytes of the input's buffer, on this line.
    InInput(usize, u64),
    /// Piece `i` of a whole document.
    Piece(usize),
}

/// A line found by [`DocReader::read_line`].
enum Line {
    /// In the input's buffer, `len` bytes long (consumed on the next call).
    Borrowed(usize),
    /// Copied into `self.buf`.
    Copied,
    TooLong,
}

/// Reads documents from a stream.
pub struct DocReader<R> {
    input: R,
    max_line: usize,
    max_document: usize,
    mode: Mode,
    line: u64,
    buf: Vec<u8>,
    pending_consume: usize,
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
            pending_consume: 0,
        }
    }

    /// The next item, `Ok(None)` at the end, or an I/O error (the input is then done).
    pub fn next_item(&mut self) -> io::Result<Option<Item<'_>>> {
        Ok(match self.advance()? {
            Ready::End => None,
            Ready::TooLong(line, limit) => Some(Item::TooLong { line, limit }),
            Ready::Owned(line) => Some(Item::Doc {
                bytes: &self.buf,
                line,
            }),
            Ready::InInput(len, line) => Some(Item::Doc {
                bytes: trim_cr(&self.input.fill_buf()?[..len]),
                line,
            }),
            Ready::Piece(i) => match (&self.mode, i) {
                (Mode::Whole { buf, pieces, .. }, i) => match &pieces[i] {
                    Piece::Doc(range, line) => Some(Item::Doc {
                        bytes: &buf[range.clone()],
                        line: *line,
                    }),
                    Piece::TooLong(line, limit) => Some(Item::TooLong {
                        line: *line,
                        limit: *limit,
                    }),
                },
                _ => None,
            },
        })
    }

    /// Move to the next item and say where it is (no borrow is held across the loop).
    fn advance(&mut self) -> io::Result<Ready> {
        loop {
            match &mut self.mode {
                Mode::Done => return Ok(Ready::End),
                Mode::Whole { pieces, next, .. } => {
                    if *next >= pieces.len() {
                        self.mode = Mode::Done;
                        continue;
                    }
                    *next += 1;
                    return Ok(Ready::Piece(*next - 1));
                }
                Mode::Start => {
                    let start_line = self.line + 1;
                    let limit = self.max_document;
                    match self.read_line(limit)? {
                        None => self.mode = Mode::Done,
                        Some(Line::TooLong) => {
                            self.mode = Mode::Lines;
                            return Ok(Ready::TooLong(start_line, limit));
                        }
                        Some(found) => {
                            self.own(found);
                            if is_blank(&self.buf) {
                                continue;
                            }
                            if serde_json::from_slice::<serde::de::IgnoredAny>(&self.buf).is_ok() {
                                self.mode = Mode::Lines;
                                // The first line was read against the document limit to
                                // decide the mode; as an NDJSON line it obeys the line limit.
                                if self.buf.len() > self.max_line {
                                    self.buf = Vec::new();
                                    return Ok(Ready::TooLong(start_line, self.max_line));
                                }
                                return Ok(Ready::Owned(start_line));
                            }
                            self.mode = self.read_rest_whole(start_line)?;
                        }
                    }
                }
                Mode::Lines => {
                    let line = self.line + 1;
                    match self.read_line(self.max_line)? {
                        None => self.mode = Mode::Done,
                        Some(Line::TooLong) => return Ok(Ready::TooLong(line, self.max_line)),
                        Some(Line::Copied) if is_blank(&self.buf) => {}
                        Some(Line::Copied) => return Ok(Ready::Owned(line)),
                        Some(Line::Borrowed(len)) => {
                            if !is_blank(&self.input.fill_buf()?[..len]) {
                                return Ok(Ready::InInput(len, line));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Find the next line. `None` at the end. A line within the input's buffer is left
    /// there (and consumed on the next call); otherwise it is copied into `self.buf`.
    fn read_line(&mut self, limit: usize) -> io::Result<Option<Line>> {
        self.input
            .consume(std::mem::take(&mut self.pending_consume));
        let chunk = fill(&mut self.input)?;
        if chunk.is_empty() {
            return Ok(None);
        }
        if let Some(i) = memchr::memchr(b'\n', chunk).filter(|&i| i <= limit) {
            self.line += 1;
            self.pending_consume = i + 1;
            return Ok(Some(Line::Borrowed(i)));
        }
        self.buf.clear();
        let mut too_long = false;
        loop {
            let chunk = fill(&mut self.input)?;
            if chunk.is_empty() {
                break;
            }
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
        self.line += 1;
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some(if too_long {
            Line::TooLong
        } else {
            Line::Copied
        }))
    }

    /// Make the line just found owned, in `self.buf`.
    fn own(&mut self, found: Line) {
        if let Line::Borrowed(len) = found {
            self.buf.clear();
            if let Ok(chunk) = self.input.fill_buf() {
                self.buf.extend_from_slice(trim_cr(&chunk[..len]));
            }
        }
    }

    /// The first line was not a JSON value on its own: read everything and split it.
    fn read_rest_whole(&mut self, start_line: u64) -> io::Result<Mode> {
        self.input
            .consume(std::mem::take(&mut self.pending_consume));
        let mut whole = std::mem::take(&mut self.buf);
        whole.push(b'\n');
        let limit = (self.max_document + 1).saturating_sub(whole.len()) as u64;
        io::Read::read_to_end(
            &mut <&mut R as io::Read>::take(&mut self.input, limit),
            &mut whole,
        )?;
        if whole.len() > self.max_document {
            // Drain the rest so the input is fully consumed, then report.
            io::copy(&mut self.input, &mut io::sink())?;
            let pieces = vec![Piece::TooLong(start_line, self.max_document)];
            return Ok(Mode::Whole {
                buf: Vec::new(),
                pieces,
                next: 0,
            });
        }
        let pieces =
            split_values(&whole, start_line).unwrap_or_else(|| split_lines(&whole, start_line));
        Ok(Mode::Whole {
            buf: whole,
            pieces,
            next: 0,
        })
    }
}

fn fill<R: BufRead>(input: &mut R) -> io::Result<&[u8]> {
    loop {
        match input.fill_buf() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // Re-borrow: the retry loop above would otherwise hold the borrow.
            Ok(_) => return input.fill_buf(),
            Err(e) => return Err(e),
        }
    }
}

/// Top-level JSON values of a buffer, with the line each starts on; `None` if it is not
/// a sequence of JSON values.
fn split_values(buf: &[u8], first_line: u64) -> Option<Vec<Piece>> {
    let mut line = first_line;
    let mut offset = 0;
    let ranges = batch::top_level_value_ranges(buf)?;
    Some(
        ranges
            .into_iter()
            .map(|r| {
                line += count_newlines(&buf[offset..r.start]);
                offset = r.start;
                Piece::Doc(r, line)
            })
            .collect(),
    )
}

fn split_lines(buf: &[u8], first_line: u64) -> Vec<Piece> {
    batch::non_blank_line_ranges(buf)
        .map(|(i, r)| Piece::Doc(r, first_line + i as u64))
        .collect()
}

fn count_newlines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Owned {
        Doc(String, u64),
        TooLong(u64, usize),
    }

    fn read_all(input: &str, max_line: usize, capacity: usize) -> Vec<Owned> {
        let mut r = DocReader::new(
            io::BufReader::with_capacity(capacity, input.as_bytes()),
            max_line,
            1 << 20,
        );
        let mut out = Vec::new();
        while let Some(item) = r.next_item().expect("in-memory read") {
            out.push(match item {
                Item::Doc { bytes, line } => {
                    Owned::Doc(String::from_utf8_lossy(bytes).into_owned(), line)
                }
                Item::TooLong { line, limit } => Owned::TooLong(line, limit),
            });
        }
        out
    }

    fn doc(s: &str, line: u64) -> Owned {
        Owned::Doc(s.to_owned(), line)
    }

    #[test]
    fn recognises_ndjson_and_whole_documents() {
        let cases: Vec<(&str, Vec<Owned>)> = vec![
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
                "broken {\r\n{\"a\":1}\n",
                vec![doc("broken {", 1), doc("{\"a\":1}", 2)],
            ),
            ("", vec![]),
            ("\n \n", vec![]),
        ];
        // Tiny buffers force lines across buffer boundaries (the copying path).
        for capacity in [8 * 1024, 7, 3, 1] {
            for (input, want) in &cases {
                assert_eq!(
                    &read_all(input, 1 << 20, capacity),
                    want,
                    "{input:?} with a {capacity}-byte buffer"
                );
            }
        }
    }

    #[test]
    fn long_lines_are_skipped_and_reading_goes_on() {
        let long = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        let input = format!("{{\"first\":1}}\n{long}\n{{\"after\":1}}\n");
        for capacity in [8 * 1024, 16] {
            let got = read_all(&input, 50, capacity);
            assert_eq!(
                got,
                vec![
                    doc("{\"first\":1}", 1),
                    Owned::TooLong(2, 50),
                    doc("{\"after\":1}", 3)
                ]
            );
            // The first line decides the mode but is held to the line limit too.
            let got = read_all(&format!("{long}\n{{\"after\":1}}\n"), 50, capacity);
            assert_eq!(got, vec![Owned::TooLong(1, 50), doc("{\"after\":1}", 2)]);
        }
    }
}
