//! Cutting a byte stream into the documents to hand to [`crate::Detector::process`], a
//! chunk at a time: the one rule of every host (the command line, the npm package's
//! batch methods and stream helper, the replay page).
//!
//! * A UTF-8 byte-order mark at the start is skipped (Windows tools write one).
//! * The first non-blank line decides the shape. When it is a complete JSON value, the
//!   input is NDJSON and every non-blank line is a document (a bad line is still handed
//!   out, so the detector counts it as unparseable and goes on with the next). A line
//!   ends at `\n`; a `\r` before it is dropped.
//! * Otherwise the input is one or more whole JSON documents (a pretty-printed S3 file,
//!   an array): it is held whole and handed out value by value at the end; if it is not
//!   a sequence of JSON values, it is NDJSON after all (a damaged first line costs one
//!   line, not the input). [`Format::Ndjson`] skips the decision: lines from the start.
//! * Limits ([`Limits`]): an NDJSON line longer than `max_line` bytes (the `\r`
//!   included), or whole input longer than `max_document`, is skipped and reported
//!   ([`Item::TooLarge`]), never held whole; reading goes on after a long line. The
//!   first line, read before the shape is known, is held up to `max_document`; as an
//!   NDJSON line it then obeys `max_line` (its `\r` left out).
//!
//! A line that lies within one chunk is handed out as a slice of it (the hot path
//! neither allocates nor copies); only a line cut by a chunk's end is carried, copied,
//! into the next call. Documents are numbered by the line they start on (1-based).

use std::ops::Range;

use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::gzip::GzipError;
use crate::error::InputError;

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How large a line or a whole input may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest NDJSON line, in bytes (default 64 MiB).
    pub max_line: usize,
    /// The largest whole JSON input (a pretty-printed file), in bytes (default 512 MiB).
    pub max_document: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 64 << 20,
            max_document: 512 << 20,
        }
    }
}

/// How the input is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// By content: NDJSON, or whole JSON documents (see the module's rule).
    #[default]
    Auto,
    /// One document per non-blank line, whatever the first line holds.
    Ndjson,
}

/// One thing read from the input, borrowed for the callback.
#[derive(Debug, PartialEq, Eq)]
pub enum Item<'a> {
    /// A document to judge, and the line it starts on (1-based).
    Document { bytes: &'a [u8], line: u64 },
    /// A line or whole input over its limit, skipped: the line it starts on, the limit.
    TooLarge { line: u64, limit: usize },
    /// Gzip that cannot be inflated ([`super::reader::Reader`]): the rest of the input,
    /// the unfinished line included, is lost.
    Unreadable(GzipError),
}

impl Item<'_> {
    /// What a host counts for an item that is not a document
    /// ([`crate::Detector::skip_input`]).
    pub fn skip_error(&self) -> Option<InputError> {
        match self {
            Item::Document { .. } => None,
            Item::TooLarge { limit, .. } => Some(InputError::TooLarge(*limit)),
            Item::Unreadable(error) => Some(InputError::Unreadable(error.to_string())),
        }
    }
}

/// Where the cutting is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The shape is not known yet: looking for the first non-blank line.
    Start,
    /// NDJSON.
    Lines,
    /// Whole JSON documents, held in `carry`, from this line on.
    Whole(u64),
    /// Finished (or a whole input was over its limit): the rest is ignored.
    Done,
}

/// Cuts a byte stream into documents: [`Documents::feed`] each chunk as it arrives,
/// then [`Documents::finish`].
#[derive(Debug)]
pub struct Documents {
    limits: Limits,
    mode: Mode,
    /// How many bytes of a byte-order mark were seen at the start (3: decided).
    bom: usize,
    /// Lines started so far.
    line: u64,
    /// The start of a line cut by a chunk's end, or the whole input ([`Mode::Whole`]).
    carry: Vec<u8>,
    /// The current line is over its limit: dropped up to its end.
    skipping: bool,
}

impl Documents {
    pub fn new(format: Format, limits: Limits) -> Self {
        Documents {
            limits,
            mode: match format {
                Format::Auto => Mode::Start,
                Format::Ndjson => Mode::Lines,
            },
            bom: 0,
            line: 0,
            carry: Vec::new(),
            skipping: false,
        }
    }

    /// Cut the next chunk of input; `out` gets every item it completes, in order.
    pub fn feed(&mut self, mut chunk: &[u8], out: &mut dyn FnMut(Item<'_>)) {
        if self.bom < BOM.len() {
            let seen = self.bom;
            let n = (BOM.len() - seen).min(chunk.len());
            if chunk[..n] == BOM[seen..seen + n] {
                self.bom += n;
                chunk = &chunk[n..];
                if self.bom < BOM.len() {
                    return; // all of the chunk may still be a byte-order mark
                }
            } else {
                // Not a mark: what looked like its start is input.
                self.bom = BOM.len();
                self.cut(&BOM[..seen], out);
            }
        }
        self.cut(chunk, out);
    }

    /// The input ended: the last line (or the whole input) is handed out.
    pub fn finish(&mut self, out: &mut dyn FnMut(Item<'_>)) {
        if self.bom < BOM.len() {
            let seen = std::mem::replace(&mut self.bom, BOM.len());
            self.cut(&BOM[..seen], out);
        }
        match self.mode {
            Mode::Start | Mode::Lines if self.skipping => {
                self.line += 1;
                self.skipping = false;
                let limit = self.line_limit();
                self.mode = Mode::Lines;
                out(Item::TooLarge {
                    line: self.line,
                    limit,
                });
            }
            Mode::Start | Mode::Lines if !self.carry.is_empty() => {
                self.line += 1;
                let mut line = std::mem::take(&mut self.carry);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.line_ended(&line, &[], out);
            }
            _ => {}
        }
        if let Mode::Whole(first_line) = self.mode {
            whole_documents(&self.carry, first_line, out);
        }
        self.mode = Mode::Done;
        self.carry = Vec::new();
    }

    /// The longest line the current mode accepts (the first is read against the
    /// whole-input limit, its shape unknown).
    fn line_limit(&self) -> usize {
        match self.mode {
            Mode::Start => self.limits.max_document,
            _ => self.limits.max_line,
        }
    }

    fn cut(&mut self, mut chunk: &[u8], out: &mut dyn FnMut(Item<'_>)) {
        while !chunk.is_empty() {
            match self.mode {
                Mode::Done => return,
                Mode::Whole(first_line) => return self.hold_whole(chunk, first_line, out),
                Mode::Start | Mode::Lines => {}
            }
            let limit = self.line_limit();
            let Some(end) = memchr::memchr(b'\n', chunk) else {
                if !self.skipping {
                    if self.carry.len() + chunk.len() > limit {
                        self.skipping = true;
                        self.carry = Vec::new();
                    } else {
                        self.carry.extend_from_slice(chunk);
                    }
                }
                return;
            };
            let (line, rest) = (&chunk[..end], &chunk[end + 1..]);
            self.line += 1;
            if self.skipping || self.carry.len() + line.len() > limit {
                self.skipping = false;
                self.carry.clear();
                if self.mode == Mode::Start {
                    self.mode = Mode::Lines;
                }
                out(Item::TooLarge {
                    line: self.line,
                    limit,
                });
            } else if self.carry.is_empty() {
                self.line_ended(trim_cr(line), rest, out);
            } else {
                let mut carried = std::mem::take(&mut self.carry);
                carried.extend_from_slice(line);
                self.line_ended(trim_cr(&carried), rest, out);
                if self.carry.is_empty() {
                    carried.clear();
                    self.carry = carried; // keep its room for the next cut line
                }
            }
            chunk = rest;
        }
    }

    /// A complete line (without its line ending); `rest` is the input after it, for the
    /// first line of whole documents.
    fn line_ended(&mut self, line: &[u8], rest: &[u8], out: &mut dyn FnMut(Item<'_>)) {
        if is_blank(line) {
            return;
        }
        if self.mode == Mode::Start {
            if !is_json_value(line) {
                // Whole documents: the first line (its `\r` left out) and all the rest.
                self.mode = Mode::Whole(self.line);
                self.carry = Vec::with_capacity(line.len() + 1 + rest.len());
                return self.hold_whole(&[line, b"\n"].concat(), self.line, out);
            }
            self.mode = Mode::Lines;
            if line.len() > self.limits.max_line {
                return out(Item::TooLarge {
                    line: self.line,
                    limit: self.limits.max_line,
                });
            }
        }
        out(Item::Document {
            bytes: line,
            line: self.line,
        });
    }

    /// More of whole documents: held until the end, unless over the limit.
    fn hold_whole(&mut self, chunk: &[u8], first_line: u64, out: &mut dyn FnMut(Item<'_>)) {
        if self.carry.len() + chunk.len() > self.limits.max_document {
            self.mode = Mode::Done;
            self.carry = Vec::new();
            return out(Item::TooLarge {
                line: first_line,
                limit: self.limits.max_document,
            });
        }
        self.carry.extend_from_slice(chunk);
    }
}

/// Whole input, starting on line `first_line`: its top-level JSON values, or if it is
/// not a sequence of them, its non-blank lines (cut as NDJSON is, with no line limit).
fn whole_documents(whole: &[u8], first_line: u64, out: &mut dyn FnMut(Item<'_>)) {
    let Some(values) = top_level_value_ranges(whole) else {
        let mut lines = Documents {
            limits: Limits {
                max_line: usize::MAX,
                max_document: usize::MAX,
            },
            mode: Mode::Lines,
            bom: BOM.len(),
            line: first_line.saturating_sub(1),
            carry: Vec::new(),
            skipping: false,
        };
        lines.cut(whole, out);
        return lines.finish(out);
    };
    let (mut line, mut counted) = (first_line, 0);
    for value in values {
        line += memchr::memchr_iter(b'\n', &whole[counted..value.start]).count() as u64;
        counted = value.start;
        out(Item::Document {
            bytes: &whole[value],
            line,
        });
    }
}

/// The byte ranges of the top-level JSON values of `input`, or `None` if it is not a
/// sequence of them.
fn top_level_value_ranges(input: &[u8]) -> Option<Vec<Range<usize>>> {
    // Text that is not UTF-8 cannot be a sequence of JSON values (serde_json would stop
    // at the first bad byte as well).
    let text = std::str::from_utf8(input).ok()?;
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
    let mut ranges = Vec::new();
    while let Some(value) = stream.next() {
        let len = value.ok()?.get().len();
        let end = stream.byte_offset();
        ranges.push(end - len..end);
    }
    Some(ranges)
}

/// Whether `bytes` are one complete JSON value, as serde_json decides it reading bytes:
/// a byte that is not UTF-8 inside a string does not count against it, outside one it
/// does. Reading `&str` only (with U+FFFD for such bytes, which is valid exactly where
/// they were tolerated) lets every parse in the library use one serde_json reader, so
/// the WebAssembly builds carry one copy of it.
fn is_json_value(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    serde_json::from_str::<IgnoredAny>(&text).is_ok()
}

/// A line without its `\r` ending.
fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether a line holds only whitespace.
fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests;
