//! Reading one input (a file, a stream, a batch) as it arrives: gzip recognised by its
//! magic bytes and inflated ([`super::gzip`], every member), then cut into documents
//! ([`super::documents`]). Hosts only move bytes: [`Reader::feed`] each chunk they read,
//! then [`Reader::finish`]; the items come out in input order.
//!
//! When gzip cannot be inflated, what was inflated before is cut as usual, the line it
//! ends in is dropped, the error is reported once ([`Item::Unreadable`]) and the rest of
//! the input is ignored, as the command line does when a file cannot be read further.
//!
//! The command line inflates in a second thread (natively), so it uses the two parts
//! itself: [`super::gzip::is_gzip`] and [`super::gzip::GzipDecoder`] there,
//! [`Documents`] here.

use super::documents::{Documents, Format, Item, Limits};
use super::gzip::{is_gzip, GzipDecoder, Members};

/// What the input is, as far as known.
enum Framing {
    /// Not known until two bytes arrived: the first one, if it did.
    Unknown(Option<u8>),
    Plain,
    Gzip(Box<GzipDecoder>),
    /// Gzip that could not be inflated: the rest is ignored.
    Failed,
}

/// Reads one input into documents.
pub struct Reader {
    framing: Framing,
    documents: Documents,
    /// Bytes cut into documents so far (after inflating).
    bytes: u64,
}

impl Reader {
    pub fn new(format: Format, limits: Limits) -> Self {
        Reader {
            framing: Framing::Unknown(None),
            documents: Documents::new(format, limits),
            bytes: 0,
        }
    }

    /// How many bytes were cut into documents so far (after inflating).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Read the next chunk of input; `out` gets every item it completes, in order.
    pub fn feed(&mut self, chunk: &[u8], out: &mut dyn FnMut(Item<'_>)) {
        if let Framing::Unknown(first) = self.framing {
            let head = match (first, chunk) {
                (None, [a, b, ..]) => [*a, *b],
                (Some(a), [b, ..]) => [a, *b],
                (None, [a]) => return self.framing = Framing::Unknown(Some(*a)),
                (_, []) => return,
            };
            self.framing = if is_gzip(&head) {
                Framing::Gzip(Box::new(GzipDecoder::new(Members::All)))
            } else {
                Framing::Plain
            };
            if let Some(a) = first {
                self.read(&[a], out);
            }
        }
        self.read(chunk, out);
    }

    /// The input ended: the last items.
    pub fn finish(&mut self, out: &mut dyn FnMut(Item<'_>)) {
        if let Framing::Unknown(first) = self.framing {
            self.framing = Framing::Plain;
            if let Some(a) = first {
                self.read(&[a], out);
            }
        }
        let decoder = match &mut self.framing {
            Framing::Gzip(decoder) => decoder,
            Framing::Failed => return,
            _ => return self.documents.finish(out),
        };
        loop {
            match decoder.finish() {
                Ok([]) => return self.documents.finish(out),
                Ok(inflated) => {
                    self.bytes += inflated.len() as u64;
                    self.documents.feed(inflated, out);
                }
                Err(error) => {
                    self.framing = Framing::Failed;
                    return out(Item::Unreadable(error));
                }
            }
        }
    }

    /// Chunk bytes, inflated if they are gzip, into documents.
    fn read(&mut self, mut chunk: &[u8], out: &mut dyn FnMut(Item<'_>)) {
        let decoder = match &mut self.framing {
            Framing::Gzip(decoder) => decoder,
            Framing::Plain => {
                self.bytes += chunk.len() as u64;
                return self.documents.feed(chunk, out);
            }
            Framing::Unknown(_) | Framing::Failed => return,
        };
        while !chunk.is_empty() {
            match decoder.decode(chunk) {
                Ok((used, inflated)) => {
                    chunk = &chunk[used..];
                    self.bytes += inflated.len() as u64;
                    self.documents.feed(inflated, out);
                }
                Err(error) => {
                    self.framing = Framing::Failed;
                    return out(Item::Unreadable(error));
                }
            }
        }
    }
}
