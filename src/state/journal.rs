//! The journal: what the detector changed since its last snapshot, one line per host
//! call, for a host that may be stopped at any moment between two snapshots (Fluent Bit
//! gives a filter no shutdown hook). Pure, as snapshots are: the host writes the lines
//! and reads them back; this module encodes and decodes them, and
//! [`crate::Detector::replay_journal`] applies them.
//!
//! # Format
//!
//! Text, one item per line: the XXH3-64 of the item's JSON as 16 lower-case hex digits,
//! one space, the JSON (one object), `\n`. A line whose checksum does not match its
//! text (torn by a kill in the middle of a write, or corrupt) is unusable, and so is
//! everything of it.
//!
//! * The first line is the [`Base`]: the format version, the snapshot the journal
//!   extends (named by [`snapshot::checksum`], or `null` for the empty state of a
//!   detector that has no snapshot yet) and the new-terms fields.
//! * Every other line is an [`Entry`]: the changes of one host call, as
//!   [`crate::Detector::take_journal_entry`] collects them: the terms recorded as new
//!   (first seen, or seen again after the history window) with their time, the events
//!   the reorder window started holding (in a snapshot's held-event form) and the held
//!   events judged (by arrival number); then the detector's scalar state after the call
//!   (watermark, learning start, arrival counter, alert cap, counters).
//!
//! A known term seen again within the history window (its last-seen time moving
//! forward) writes no entry: that is the common case, left to the periodic snapshot.
//!
//! # Replay
//!
//! Entries are applied over the snapshot named by the base, in order, and each is
//! idempotent: a term already known at that time or later, an event already held or
//! already judged (its arrival number is below the state's counter), a judged event no
//! longer held, and scalar state older than the state's (by the counters, which only
//! grow) change nothing. So replaying entries that a snapshot already holds changes
//! nothing; a host need not know which ones they are.

use serde_json::Value;
use xxhash_rust::xxh3::xxh3_64;

use super::snapshot::{self, held::HeldRecord};
use crate::alert::cap::SignalCap;
use crate::error::JournalError;
use crate::json_fields::{object, Fields};
use crate::state::reorder::PendingEvent;
use crate::stats::Stats;
use crate::time::Millis;

/// The format this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;
/// Hex digits of a line's checksum.
const SUM_DIGITS: usize = 16;

/// A journal's first line: what its entries extend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    /// The snapshot's [`snapshot::checksum`]; `None`: the empty state.
    pub snapshot: Option<u64>,
    pub new_terms_fields: Vec<String>,
}

/// The changes of one host call and the scalar state after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Terms recorded as new, with the time recorded, in the order recorded.
    pub terms: Vec<(u64, Millis)>,
    /// Events the reorder window started holding (and still held at the end of the call).
    pub held: Vec<PendingEvent>,
    /// Arrival numbers of events held before this call and judged in it.
    pub judged: Vec<u64>,
    pub watermark: Option<Millis>,
    pub learning_start: Option<Millis>,
    /// The arrival number the next event gets.
    pub next_seq: u64,
    pub cap: SignalCap,
    pub stats: Stats,
}

/// What the detector collects for the next [`Entry`] while journaling is on.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    terms: Vec<(u64, Millis)>,
    held: Vec<PendingEvent>,
    judged: Vec<u64>,
}

impl Changes {
    pub(crate) fn new_term(&mut self, key: u64, t: Millis) {
        self.terms.push((key, t));
    }

    pub(crate) fn hold(&mut self, event: &PendingEvent) {
        self.held.push(event.clone());
    }

    /// A held event was judged: one held in this same call leaves no trace.
    pub(crate) fn judged(&mut self, seq: u64) {
        match self.held.iter().position(|e| e.seq == seq) {
            Some(i) => {
                self.held.remove(i);
            }
            None => self.judged.push(seq),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.held.is_empty() && self.judged.is_empty()
    }

    /// The entry these changes make with the scalar state after them.
    pub(crate) fn into_entry(self, scalars: Scalars) -> Entry {
        Entry {
            terms: self.terms,
            held: self.held,
            judged: self.judged,
            watermark: scalars.watermark,
            learning_start: scalars.learning_start,
            next_seq: scalars.next_seq,
            cap: scalars.cap,
            stats: scalars.stats,
        }
    }
}

/// The detector's scalar state, as an entry carries it.
pub(crate) struct Scalars {
    pub watermark: Option<Millis>,
    pub learning_start: Option<Millis>,
    pub next_seq: u64,
    pub cap: SignalCap,
    pub stats: Stats,
}

/// How far a detector has got, from the counters of what it was given and judged, which
/// only ever grow: of two states of one run, the later one has at least every count of
/// the earlier, and equal sums mean that nothing was counted in between, so that the
/// scalar state is the same. Left out: the gauges `pending` and `tracked_terms`, and the
/// store's `expired` and `evicted`, which a restore under a smaller `max_terms` also
/// moves (the store changes only while something else is counted).
pub(crate) fn progress(stats: &Stats) -> u128 {
    stats
        .counters()
        .into_iter()
        .filter(|(name, _)| !matches!(*name, "pending" | "tracked_terms" | "expired" | "evicted"))
        .map(|(_, n)| u128::from(n))
        .sum()
}

impl Base {
    /// Append this base as one line to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let json = object(vec![
            ("journal", FORMAT_VERSION.into()),
            ("snapshot", self.snapshot.map(hex).into()),
            ("new_terms_fields", self.new_terms_fields.clone().into()),
        ]);
        frame(&json.to_string(), out);
    }

    pub fn decode(line: &[u8]) -> Result<Self, JournalError> {
        let value = unframe(line)?;
        let read = || -> Result<Base, String> {
            let f = Fields::of(&value, "journal base")?;
            f.deny_unknown(&["journal", "snapshot", "new_terms_fields"])?;
            let snapshot = match f.optional("snapshot") {
                None => None,
                Some(v) => Some(
                    v.as_str()
                        .filter(|s| s.len() == SUM_DIGITS)
                        .and_then(|s| u64::from_str_radix(s, 16).ok())
                        .ok_or("journal base.snapshot: expected 16 hex digits")?,
                ),
            };
            Ok(Base {
                snapshot,
                new_terms_fields: f.strings("new_terms_fields")?,
            })
        };
        let version = Fields::of(&value, "journal base")
            .and_then(|f| f.u64("journal"))
            .map_err(JournalError::Malformed)?;
        if version != FORMAT_VERSION {
            return Err(JournalError::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        read().map_err(JournalError::Malformed)
    }
}

impl Entry {
    /// Append this entry as one line to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let terms = self
            .terms
            .iter()
            .map(|&(key, t)| Value::Array(vec![key.into(), t.into()]))
            .collect();
        let json = object(vec![
            ("held", Value::Array(Vec::new())),
            ("terms", Value::Array(terms)),
            ("judged", self.judged.clone().into()),
            ("watermark", self.watermark.into()),
            ("learning_start", self.learning_start.into()),
            ("next_seq", self.next_seq.into()),
            ("cap", self.cap.to_json()),
            ("stats", self.stats.to_json()),
        ]);
        // The held events as the snapshot writes them, spliced in as text (one
        // serialiser for both), into `"held":[]`.
        let mut text = json.to_string();
        if !self.held.is_empty() {
            let mut held = Vec::new();
            for (i, e) in self.held.iter().enumerate() {
                if i > 0 {
                    held.push(b',');
                }
                // Strings and integers only: cannot fail.
                let _ = crate::json_fields::append_json(&mut held, &HeldRecord::of(e));
            }
            const EMPTY: &str = r#"{"held":["#;
            let at = if text.starts_with(EMPTY) {
                EMPTY.len()
            } else {
                0
            };
            text.insert_str(at, &String::from_utf8_lossy(&held));
        }
        frame(&text, out);
    }

    pub fn decode(line: &[u8]) -> Result<Self, JournalError> {
        let value = unframe(line)?;
        Self::from_json(&value).map_err(JournalError::Malformed)
    }

    fn from_json(value: &Value) -> Result<Self, String> {
        let f = Fields::of(value, "journal entry")?;
        f.deny_unknown(&[
            "held",
            "terms",
            "judged",
            "watermark",
            "learning_start",
            "next_seq",
            "cap",
            "stats",
        ])?;
        let term = |v: &Value| -> Option<(u64, Millis)> {
            match v.as_array()?.as_slice() {
                [key, t] => Some((key.as_u64()?, t.as_i64()?)),
                _ => None,
            }
        };
        let terms = array(&f, "terms")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                term(v).ok_or_else(|| format!("journal entry.terms[{i}]: expected [key, time]"))
            })
            .collect::<Result<_, _>>()?;
        let held = array(&f, "held")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                // Read from text, as a snapshot's (one deserialiser for both).
                serde_json::from_str::<HeldRecord>(&v.to_string())
                    .map_err(|e| e.to_string())
                    .and_then(HeldRecord::into_event)
                    .map_err(|e| format!("journal entry.held[{i}]: {e}"))
            })
            .collect::<Result<_, _>>()?;
        let judged = array(&f, "judged")?
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_u64().ok_or_else(|| {
                    format!("journal entry.judged[{i}]: expected an unsigned integer")
                })
            })
            .collect::<Result<_, _>>()?;
        let stats = Stats::from_json(f.required("stats")?)?;
        stats
            .check_restorable()
            .map_err(|e| format!("journal entry.stats: {e}"))?;
        Ok(Entry {
            terms,
            held,
            judged,
            watermark: f.optional_i64("watermark")?,
            learning_start: f.optional_i64("learning_start")?,
            next_seq: f.u64("next_seq")?,
            cap: SignalCap::from_json(f.required("cap")?)?,
            stats,
        })
    }
}

fn array<'a>(f: &Fields<'a>, key: &str) -> Result<&'a Vec<Value>, String> {
    f.required(key)?
        .as_array()
        .ok_or_else(|| format!("journal entry.{key}: expected an array"))
}

/// A journal read back: its base, its usable entries in order, and what was not usable.
#[derive(Debug)]
pub struct Contents<'a> {
    /// The first line, read as a base (an error for an empty journal too).
    pub base: Result<Base, JournalError>,
    pub entries: Vec<Entry>,
    /// The usable entries' lines as written (without their newline), to write a clean
    /// copy of the journal from.
    pub entry_lines: Vec<&'a [u8]>,
    /// Unusable entry lines: (line number from 1, why).
    pub unusable: Vec<(usize, JournalError)>,
    /// Whether the text ends with a newline (a kill in the middle of a write leaves
    /// a last line without one).
    pub ends_cleanly: bool,
}

/// Read a journal's whole text. Blank lines are skipped; any other line that cannot be
/// used is listed in [`Contents::unusable`] and skipped, never an error for the rest.
pub fn read(bytes: &[u8]) -> Contents<'_> {
    let mut lines = bytes.split(|&b| b == b'\n').enumerate();
    let base = match lines.next() {
        Some((_, line)) if !line.is_empty() => Base::decode(line),
        _ => Err(JournalError::Truncated),
    };
    let mut contents = Contents {
        base,
        entries: Vec::new(),
        entry_lines: Vec::new(),
        unusable: Vec::new(),
        ends_cleanly: bytes.last().is_none_or(|&b| b == b'\n'),
    };
    for (i, line) in lines {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match Entry::decode(line) {
            Ok(entry) => {
                contents.entries.push(entry);
                contents.entry_lines.push(line);
            }
            Err(e) => contents.unusable.push((i + 1, e)),
        }
    }
    contents
}

/// The text of one snapshot name.
fn hex(sum: u64) -> String {
    format!("{sum:016x}")
}

/// JSON `text` as one line: checksum, space, text, newline.
fn frame(text: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(hex(xxh3_64(text.as_bytes())).as_bytes());
    out.push(b' ');
    out.extend_from_slice(text.as_bytes());
    out.push(b'\n');
}

/// The JSON of one line (without its newline), checked against its checksum.
fn unframe(line: &[u8]) -> Result<Value, JournalError> {
    if line.len() < SUM_DIGITS + 2 || line[SUM_DIGITS] != b' ' {
        return Err(JournalError::Truncated);
    }
    let (sum, text) = (&line[..SUM_DIGITS], &line[SUM_DIGITS + 1..]);
    let sum = std::str::from_utf8(sum)
        .ok()
        .and_then(|s| u64::from_str_radix(s, 16).ok())
        .ok_or(JournalError::Checksum)?;
    if xxh3_64(text) != sum {
        return Err(JournalError::Checksum);
    }
    let text = std::str::from_utf8(text)
        .map_err(|e| JournalError::Malformed(format!("not UTF-8 ({e})")))?;
    serde_json::from_str(text).map_err(|e| JournalError::Malformed(e.to_string()))
}

/// The snapshot a journal written after `bytes` extends (`None`: no snapshot).
pub fn base_for(snapshot: Option<&[u8]>, new_terms_fields: &[String]) -> Base {
    Base {
        snapshot: snapshot.and_then(snapshot::checksum),
        new_terms_fields: new_terms_fields.to_vec(),
    }
}

#[cfg(test)]
mod tests;
