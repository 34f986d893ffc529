//! Snapshots: the detector's whole state as versioned, checksummed bytes.
//!
//! Layout (little-endian):
//! `b"DDBSCAND"` · format version `u16` · payload length `u64` · payload · XXH3-64 of
//! everything before it. The payload is a JSON header (length-prefixed `u32`) with the
//! new-terms fields, watermark, learning start, alert-cap window and stats, followed by
//! the tracked terms as `(key u64, last_seen i64)` pairs, least recently seen first,
//! and (since format 2) the events the reorder window holds, each a length-prefixed
//! (`u32`) JSON object, so that a restore mid-stream judges them as an uninterrupted
//! run would. Format 1 (no held events) is still read.
//! Every length is checked against the bytes actually present before anything is
//! allocated, so corrupt or hostile bytes give an error, never a panic or a huge
//! allocation.

use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

use crate::alert::cap::SignalCap;
use crate::error::SnapshotError;
use crate::json_fields::Fields;
use crate::state::reorder::PendingEvent;
use crate::stats::Stats;
use crate::time::Millis;
use held::HeldRecord;

const MAGIC: &[u8; 8] = b"DDBSCAND";
/// The format this build writes (it also reads format 1).
pub const FORMAT_VERSION: u16 = 2;
/// The oldest format this build reads.
const OLDEST_READ: u16 = 1;
const HEADER_LEN: usize = 8 + 2 + 8;

/// Everything a snapshot holds.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub new_terms_fields: Vec<String>,
    pub watermark: Option<Millis>,
    pub learning_start: Option<Millis>,
    pub cap: SignalCap,
    pub stats: Stats,
    pub terms: Vec<(u64, Millis)>,
    /// Events the reorder window holds, in time order.
    pub pending: Vec<PendingEvent>,
    /// The arrival number of the next event.
    pub next_seq: u64,
    /// Open suppression groups (a rule file's `alert_suppression`), in the header.
    #[cfg(alert_suppression)]
    pub suppression: Option<crate::suppression::SuppressorState>,
}

/// The payload's JSON header, written in the order of the fields (part of the format).
#[derive(Serialize)]
struct Meta {
    new_terms_fields: Vec<String>,
    watermark: Option<Millis>,
    learning_start: Option<Millis>,
    cap: SignalCap,
    stats: Stats,
    terms: u64,
    pending: u64,
    next_seq: u64,
    #[cfg(alert_suppression)]
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<crate::suppression::SuppressorState>,
}

impl Meta {
    /// The header as its `Serialize` writes it; an unknown key is an error.
    fn from_json(value: &serde_json::Value) -> Result<Self, String> {
        let f = Fields::of(value, "header")?;
        f.deny_unknown(&[
            "new_terms_fields",
            "watermark",
            "learning_start",
            "cap",
            "stats",
            "terms",
            "pending",
            "next_seq",
            #[cfg(alert_suppression)]
            "suppression",
        ])?;
        // Absent in format 1, which held no events.
        let count = |key: &str| -> Result<u64, String> {
            if f.contains(key) {
                f.u64(key)
            } else {
                Ok(0)
            }
        };
        Ok(Meta {
            new_terms_fields: f.strings("new_terms_fields")?,
            watermark: f.optional_i64("watermark")?,
            learning_start: f.optional_i64("learning_start")?,
            cap: SignalCap::from_json(f.required("cap")?)?,
            stats: Stats::from_json(f.required("stats")?)?,
            terms: f.u64("terms")?,
            pending: count("pending")?,
            next_seq: count("next_seq")?,
            #[cfg(alert_suppression)]
            suppression: f
                .optional("suppression")
                .map(|v| {
                    serde::Deserialize::deserialize(v).map_err(|e| format!("suppression: {e}"))
                })
                .transpose()?,
        })
    }
}

pub fn encode(state: &State) -> Vec<u8> {
    let meta = Meta {
        new_terms_fields: state.new_terms_fields.clone(),
        watermark: state.watermark,
        learning_start: state.learning_start,
        cap: state.cap.clone(),
        stats: state.stats.clone(),
        terms: state.terms.len() as u64,
        pending: state.pending.len() as u64,
        next_seq: state.next_seq,
        #[cfg(alert_suppression)]
        suppression: state.suppression.clone(),
    };
    // Integers, strings and JSON values: cannot fail.
    let meta_json = serde_json::to_vec(&meta).unwrap_or_default();
    let held: Vec<Vec<u8>> = state
        .pending
        .iter()
        .map(|e| serde_json::to_vec(&HeldRecord::of(e)).unwrap_or_default())
        .collect();
    let payload_len = 4
        + meta_json.len()
        + state.terms.len() * 16
        + held.iter().map(|h| 4 + h.len()).sum::<usize>();
    let mut out = Vec::with_capacity(HEADER_LEN + payload_len + 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload_len as u64).to_le_bytes());
    out.extend_from_slice(&(meta_json.len() as u32).to_le_bytes());
    out.extend_from_slice(&meta_json);
    for (key, t) in &state.terms {
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&t.to_le_bytes());
    }
    for h in &held {
        out.extend_from_slice(&(h.len() as u32).to_le_bytes());
        out.extend_from_slice(h);
    }
    let sum = xxh3_64(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

pub fn decode(bytes: &[u8]) -> Result<State, SnapshotError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(if bytes.len() < MAGIC.len() {
            SnapshotError::Truncated("shorter than the header")
        } else {
            SnapshotError::BadMagic
        });
    }
    let header = bytes
        .get(..HEADER_LEN)
        .ok_or(SnapshotError::Truncated("shorter than the header"))?;
    let version = u16::from_le_bytes([header[8], header[9]]);
    if !(OLDEST_READ..=FORMAT_VERSION).contains(&version) {
        return Err(SnapshotError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let payload_len = u64::from_le_bytes(array8(&header[10..18]));
    let total = usize::try_from(payload_len)
        .ok()
        .and_then(|n| n.checked_add(HEADER_LEN + 8))
        .ok_or(SnapshotError::Truncated(
            "payload length is larger than the snapshot",
        ))?;
    if bytes.len() < total {
        return Err(SnapshotError::Truncated(
            "payload length is larger than the snapshot",
        ));
    }
    if bytes.len() > total {
        return Err(SnapshotError::Malformed(format!(
            "{} unexpected bytes after the checksum",
            bytes.len() - total
        )));
    }
    let (body, sum) = bytes.split_at(total - 8);
    if xxh3_64(body) != u64::from_le_bytes(array8(sum)) {
        return Err(SnapshotError::Checksum);
    }
    let payload = &body[HEADER_LEN..];
    let meta_len = payload
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or(SnapshotError::Truncated("no metadata length"))?;
    let meta_end = meta_len
        .checked_add(4)
        .ok_or(SnapshotError::Truncated("metadata"))?;
    let meta_bytes = payload
        .get(4..meta_end)
        .ok_or(SnapshotError::Truncated("metadata"))?;
    // Read as text first: every parse in the library then reads `&str` (one serde_json
    // parser in the WebAssembly builds).
    let meta_text = std::str::from_utf8(meta_bytes)
        .map_err(|e| SnapshotError::Malformed(format!("metadata: not UTF-8 ({e})")))?;
    let meta = serde_json::from_str(meta_text)
        .map_err(|e| e.to_string())
        .and_then(|v| Meta::from_json(&v))
        .map_err(|e| SnapshotError::Malformed(format!("metadata: {e}")))?;
    meta.stats
        .check_restorable()
        .map_err(|e| SnapshotError::Malformed(format!("stats: {e}")))?;
    let rest = &payload[meta_end..];
    let terms_len = usize::try_from(meta.terms.saturating_mul(16))
        .ok()
        .filter(|&n| n <= rest.len())
        .ok_or_else(|| {
            SnapshotError::Malformed(format!(
                "{} terms announced but {} bytes of terms present",
                meta.terms,
                rest.len()
            ))
        })?;
    let (term_bytes, mut held_bytes) = rest.split_at(terms_len);
    let mut pending = Vec::new();
    for i in 0..meta.pending {
        let len = held_bytes
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| {
                SnapshotError::Malformed(format!(
                    "{} held events announced but only {i} present",
                    meta.pending
                ))
            })?;
        let text = held_bytes
            .get(4..4 + len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| {
                SnapshotError::Malformed(format!("held event {i}: truncated or not UTF-8"))
            })?;
        let event = serde_json::from_str::<HeldRecord>(text)
            .map_err(|e| e.to_string())
            .and_then(HeldRecord::into_event)
            .map_err(|e| SnapshotError::Malformed(format!("held event {i}: {e}")))?;
        pending.push(event);
        held_bytes = &held_bytes[4 + len..];
    }
    if !held_bytes.is_empty() || (version == 1 && meta.pending > 0) {
        return Err(SnapshotError::Malformed(format!(
            "{} bytes after the {} terms and {} held events announced",
            held_bytes.len(),
            meta.terms,
            meta.pending
        )));
    }
    let terms = term_bytes
        .chunks_exact(16)
        .map(|c| {
            (
                u64::from_le_bytes(array8(&c[..8])),
                i64::from_le_bytes(array8(&c[8..])),
            )
        })
        .collect();
    Ok(State {
        new_terms_fields: meta.new_terms_fields,
        watermark: meta.watermark,
        learning_start: meta.learning_start,
        cap: meta.cap,
        stats: meta.stats,
        terms,
        pending,
        next_seq: meta.next_seq,
        #[cfg(alert_suppression)]
        suppression: meta.suppression,
    })
}

/// A snapshot's own checksum (its last 8 bytes), which names it: a journal records the
/// snapshot it extends by this. `None` for bytes too short to hold one; meaningful only
/// for bytes that [`decode`] accepts.
pub fn checksum(bytes: &[u8]) -> Option<u64> {
    let at = bytes.len().checked_sub(8)?;
    Some(u64::from_le_bytes(array8(&bytes[at..])))
}

fn array8(b: &[u8]) -> [u8; 8] {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    a
}

pub(crate) mod held;
#[cfg(test)]
mod tests;
