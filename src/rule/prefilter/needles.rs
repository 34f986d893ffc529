//! The needles of the pre-check, looked for in one document: where one byte is flagged,
//! whether a whole needle is there.

use memchr::memmem::Finder;

use super::Prefilter;
use crate::swar;

/// The needles of one document, looked at one place at a time.
pub(super) struct Needles<'a> {
    dynamodb: &'a Finder<'static>,
    doc: &'a [u8],
    /// Whether the document holds `dynamodb`, searched once, on the first `Scan`: a
    /// document of many `Scan`s costs one search, not one each.
    holds_dynamodb: Option<bool>,
}

impl<'a> Needles<'a> {
    pub(super) fn new(p: &'a Prefilter, doc: &'a [u8]) -> Self {
        Needles {
            dynamodb: &p.dynamodb,
            doc,
            holds_dynamodb: None,
        }
    }

    /// Whether the byte at `i` (`S`, `\\`, `w` or `"`) starts or is inside a needle:
    /// `Scan` in a document that holds `dynamodb`; a run of backslashes then `u` (an
    /// escape, or one inside a CloudWatch message); `"awslogs` then `"` or `\\` (a key,
    /// also inside a message; for `w` the byte inside it, for `"` its opening quote); or
    /// the opening quote of a `"logEvents"` key (the messages are read again as JSON).
    pub(super) fn at(&mut self, i: usize) -> bool {
        let doc = self.doc;
        let awslogs = |from: usize| {
            doc[from..].starts_with(b"\"awslogs") && matches!(doc.get(from + 8), Some(b'"' | b'\\'))
        };
        match doc[i] {
            b'S' if doc[i..].starts_with(b"Scan") => *self
                .holds_dynamodb
                .get_or_insert_with(|| self.dynamodb.find(doc).is_some()),
            b'\\' => {
                let run = doc[i..].iter().take_while(|&&b| b == b'\\').count();
                doc.get(i + run) == Some(&b'u')
            }
            b'w' => i >= 2 && awslogs(i - 2),
            b'"' => awslogs(i) || doc[i..].starts_with(b"\"logEvents\""),
            _ => false,
        }
    }

    /// Whether a needle is anywhere: one pass, eight bytes at a time, for the three
    /// rarer bytes (`S`, `\`, `w`), each one found checked in place. It suits wasm32
    /// without SIMD better than a pass per needle.
    pub(super) fn anywhere(&mut self) -> bool {
        let doc = self.doc;
        let mut at = 0;
        while let Some(w) = swar::load(doc, at) {
            let mut flagged = swar::zero_bytes(w ^ swar::splat(b'S'))
                | swar::zero_bytes(w ^ swar::splat(b'\\'))
                | swar::zero_bytes(w ^ swar::splat(b'w'));
            while flagged != 0 {
                if self.at(at + swar::first_lane(flagged)) {
                    return true;
                }
                flagged &= flagged - 1;
            }
            at += 8;
        }
        (at..doc.len()).any(|i| self.at(i))
    }
}
