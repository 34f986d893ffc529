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

use serde::{Deserialize, Serialize};
use serde_json::Value;
use xxhash_rust::xxh3::xxh3_64;

use crate::alert::cap::SignalCap;
use crate::ecs::{SourceForm, SourceMeta};
use crate::error::SnapshotError;
use crate::json_fields::{object, Fields};
use crate::rule::terms::{term_key, Term};
use crate::state::reorder::PendingEvent;
use crate::stats::Stats;
use crate::time::Millis;

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
}

struct Meta {
    new_terms_fields: Vec<String>,
    watermark: Option<Millis>,
    learning_start: Option<Millis>,
    cap: SignalCap,
    stats: Stats,
    terms: u64,
    pending: u64,
    next_seq: u64,
}

impl Meta {
    /// The header as one JSON object, keys in field order.
    fn to_json(&self) -> serde_json::Value {
        object(vec![
            ("new_terms_fields", self.new_terms_fields.clone().into()),
            ("watermark", self.watermark.into()),
            ("learning_start", self.learning_start.into()),
            ("cap", self.cap.to_json()),
            ("stats", self.stats.to_json()),
            ("terms", self.terms.into()),
            ("pending", self.pending.into()),
            ("next_seq", self.next_seq.into()),
        ])
    }

    /// The header as [`Meta::to_json`] writes it; an unknown key is an error.
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
        })
    }
}

/// One held event as a snapshot writes it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeldRecord {
    time: Millis,
    seq: u64,
    held_at: Option<Millis>,
    /// `cloudtrail` (a raw record) or `ecs`.
    form: String,
    index: Option<String>,
    id: Option<String>,
    version: Option<String>,
    text: String,
    /// Each term tuple's values (keywords).
    terms: Vec<Vec<String>>,
}

impl HeldRecord {
    fn of(e: &PendingEvent) -> Self {
        HeldRecord {
            time: e.time,
            seq: e.seq,
            held_at: e.held_at,
            form: match e.form {
                SourceForm::CloudTrail => "cloudtrail",
                SourceForm::Ecs => "ecs",
            }
            .into(),
            index: e.meta.index.clone(),
            id: e.meta.id.clone(),
            version: e.meta.version.clone(),
            text: e.text.to_string(),
            terms: e
                .terms
                .iter()
                .map(|t| {
                    t.values
                        .iter()
                        .map(|v| v.as_str().unwrap_or_default().to_owned())
                        .collect()
                })
                .collect(),
        }
    }

    fn into_event(self) -> Result<PendingEvent, String> {
        let form = match self.form.as_str() {
            "cloudtrail" => SourceForm::CloudTrail,
            "ecs" => SourceForm::Ecs,
            other => {
                return Err(format!(
                    "form: expected `cloudtrail` or `ecs`, got `{other}`"
                ))
            }
        };
        if self.terms.is_empty() || self.terms.iter().any(Vec::is_empty) {
            return Err("terms: expected non-empty term tuples".into());
        }
        let terms = self
            .terms
            .into_iter()
            .map(|values| {
                let values: Vec<Value> = values.into_iter().map(Value::String).collect();
                Term {
                    key: term_key(&values),
                    values,
                }
            })
            .collect();
        Ok(PendingEvent {
            time: self.time,
            seq: self.seq,
            held_at: self.held_at,
            text: self.text.into(),
            meta: SourceMeta {
                index: self.index,
                id: self.id,
                version: self.version,
            },
            form,
            terms,
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
    };
    let meta_json = meta.to_json().to_string().into_bytes();
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
    })
}

fn array8(b: &[u8]) -> [u8; 8] {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> State {
        State {
            new_terms_fields: vec!["aws.cloudtrail.user_identity.arn".into()],
            watermark: Some(5),
            learning_start: Some(1),
            cap: SignalCap::new(300_000, 100),
            stats: Stats {
                events_in: 3,
                not_matched: 2,
                matched: 1,
                recorded: 1,
                ..Stats::default()
            },
            terms: vec![(1, 2), (3, 4), (u64::MAX, -5)],
            pending: vec![PendingEvent {
                time: 6,
                seq: 2,
                held_at: Some(9),
                text: r#"{"eventName":"Scan","x":"\u00e9"}"#.into(),
                meta: SourceMeta {
                    index: Some("i".into()),
                    id: None,
                    version: Some("3".into()),
                },
                form: SourceForm::CloudTrail,
                terms: vec![Term {
                    values: vec![Value::String("arn:b".into())],
                    key: term_key(&[Value::String("arn:b".into())]),
                }],
            }],
            next_seq: 3,
        }
    }

    #[test]
    fn round_trips() {
        let s = sample();
        assert_eq!(decode(&encode(&s)), Ok(s));
        // With a pending summary and suppressed terms in the cap.
        let mut s = sample();
        s.cap = SignalCap::new(1000, 1);
        for t in [5, 6, 7] {
            s.cap
                .admit(t, &[serde_json::json!("arn:a"), serde_json::json!(t)]);
        }
        s.cap.reconfigure(2000, 1);
        assert_eq!(decode(&encode(&s)), Ok(s));
    }

    #[test]
    fn the_header_is_read_as_strictly_as_it_is_written() {
        let s = sample();
        let meta = Meta {
            new_terms_fields: s.new_terms_fields.clone(),
            watermark: None,
            learning_start: s.learning_start,
            cap: s.cap.clone(),
            stats: s.stats.clone(),
            terms: 3,
            pending: 1,
            next_seq: 3,
        };
        let good = meta.to_json();
        assert!(Meta::from_json(&good).is_ok());
        let broken = [
            (
                "unknown",
                serde_json::json!(1),
                "header: unknown field `unknown`",
            ),
            (
                "terms",
                serde_json::json!(-1),
                "header.terms: expected an unsigned integer",
            ),
            (
                "cap",
                serde_json::json!({}),
                "cap: missing field `interval`",
            ),
            (
                "watermark",
                serde_json::json!("soon"),
                "header.watermark: expected an integer",
            ),
            (
                "new_terms_fields",
                serde_json::json!([1]),
                "header.new_terms_fields[0]: expected a string, got a number",
            ),
        ];
        for (key, value, want) in broken {
            let mut bad = good.clone();
            bad[key] = value;
            let result = Meta::from_json(&bad).map(|_| ());
            assert!(
                result.as_ref().is_err_and(|e| e.contains(want)),
                "{key}: {result:?}"
            );
        }
        let mut no_cap = good;
        no_cap.as_object_mut().unwrap().remove("cap");
        assert!(Meta::from_json(&no_cap).is_err_and(|e| e.contains("missing field `cap`")));
    }

    #[test]
    fn every_corruption_is_a_clear_error() {
        let good = encode(&sample());
        assert_eq!(
            decode(&[]),
            Err(SnapshotError::Truncated("shorter than the header"))
        );
        assert_eq!(
            decode(b"NOTASNAPSHOTATALL....."),
            Err(SnapshotError::BadMagic)
        );
        let mut v3 = good.clone();
        v3[8] = 3;
        assert_eq!(
            decode(&v3),
            Err(SnapshotError::UnsupportedVersion {
                found: 3,
                supported: 2
            })
        );
        for cut in [
            9,
            HEADER_LEN,
            HEADER_LEN + 3,
            good.len() - 9,
            good.len() - 1,
        ] {
            assert!(
                matches!(decode(&good[..cut]), Err(SnapshotError::Truncated(_))),
                "cut at {cut}"
            );
        }
        for i in HEADER_LEN..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x40;
            assert_eq!(decode(&bad), Err(SnapshotError::Checksum), "flip at {i}");
        }
        let mut long = good.clone();
        long.push(0);
        assert!(matches!(decode(&long), Err(SnapshotError::Malformed(_))));
        let mut huge = good;
        huge[10..18].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(decode(&huge), Err(SnapshotError::Truncated(_))));
    }

    /// Well-formed, checksummed bytes whose counters cannot be true are refused, so a
    /// restored detector never reports counts that do not add up or cannot count on.
    #[test]
    fn counters_that_cannot_be_true_are_refused() {
        type Corrupt = fn(&mut Stats);
        let cases: [(Corrupt, &str); 4] = [
            (|s| s.events_in = 4, "events_in 4 != "),
            (
                |s| {
                    s.events_in = u64::MAX;
                    s.not_matched = u64::MAX - 1;
                },
                "events_in 18446744073709551615 is not below 2^53",
            ),
            (
                |s| {
                    // Adds up only with wrapping arithmetic.
                    s.not_matched = u64::MAX;
                    s.events_in = 0;
                },
                "events_in 0 != ",
            ),
            (
                |s| s.late = 1 << 53,
                "late 9007199254740992 is not below 2^53",
            ),
        ];
        for (corrupt, want) in cases {
            let mut state = sample();
            corrupt(&mut state.stats);
            match decode(&encode(&state)) {
                Err(SnapshotError::Malformed(e)) => assert!(e.contains(want), "{e}"),
                other => panic!("{want}: {other:?}"),
            }
        }
        let mut fine = sample();
        fine.stats.late = (1 << 53) - 1;
        assert!(decode(&encode(&fine)).is_ok());
    }
}
