//! A rule set's snapshot: every rule's state keyed by `rule_id` and version.
//!
//! Layout (little-endian): `b"DDBRULES"` · format version `u16` · JSON header length
//! `u32` · JSON header (the set's counters and, per rule, its `rule_id`, `version` and
//! the length of its state) · each rule's state, a single detector's snapshot
//! ([`crate::state::snapshot`]), in header order · XXH3-64 of everything before it.
//!
//! Restoring into a set with other rules keeps the state of every rule whose
//! `rule_id`, version and definition are unchanged (a fingerprint of its query,
//! new-terms fields, history window and time basis: Elastic's rule files carry no
//! version, so an edited file keeps its version), starts the others empty, and reports
//! the rules whose saved state it dropped (removed, of another version, or changed).

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use super::{configs, RuleSet};
use crate::config::rule_file::RuleDefinition;
use crate::config::{Config, DetectorOptions};
use crate::detector::Detector;
use crate::error::ConfigError;
use crate::error::SnapshotError;
use crate::stats::Stats;

const MAGIC: &[u8; 8] = b"DDBRULES";
const FORMAT_VERSION: u16 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    stats: serde_json::Value,
    rules: Vec<SavedRule>,
}

#[derive(Serialize, Deserialize)]
struct SavedRule {
    rule_id: String,
    version: u32,
    /// [`fingerprint`] of the rule's definition.
    fingerprint: u64,
    bytes: u64,
}

/// What decides whether a saved state still means the same: the query, the new-terms
/// fields, the history window and the time basis, hashed.
fn fingerprint(config: &Config) -> u64 {
    let query = match &config.file_rule {
        Some(rule) => rule.query_text.clone(),
        None => config.profile().query(),
    };
    let identity = serde_json::json!([
        query,
        config.new_terms_fields(),
        config.history_window_millis(),
        config.timestamp_override,
        config.timestamp_fallback,
    ]);
    xxh3_64(identity.to_string().as_bytes())
}

/// Why a rule set cannot be restored.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The rules or the options are not a valid set (as [`RuleSet::new`] says).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The saved bytes cannot be read.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// What a restore did with the saved rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RestoreReport {
    /// Rules whose saved state was restored (`rule_id`).
    pub kept: Vec<String>,
    /// Saved state not restored, each with why: whole rules, and the open suppression
    /// groups of a kept rule whose `alert_suppression` changed.
    pub dropped: Vec<String>,
    /// Rules of the set with no saved state, started empty.
    pub started: Vec<String>,
}

impl RuleSet {
    /// Every rule's state as versioned, checksummed bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        let states: Vec<Vec<u8>> = self.rules.iter().map(Detector::snapshot).collect();
        let header = Header {
            stats: self.stats.to_json(),
            rules: self
                .rules
                .iter()
                .zip(&states)
                .map(|(rule, state)| SavedRule {
                    rule_id: rule.config().rule_id().to_owned(),
                    version: rule.config().rule_version(),
                    fingerprint: fingerprint(rule.config()),
                    bytes: state.len() as u64,
                })
                .collect(),
        };
        let header = serde_json::to_vec(&header).unwrap_or_default();
        let mut out =
            Vec::with_capacity(64 + header.len() + states.iter().map(Vec::len).sum::<usize>());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        for state in &states {
            out.extend_from_slice(state);
        }
        let sum = xxh3_64(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// A set of `rules` with the state saved in `bytes` (see the module). Fails, never
    /// half-restores, on rules or options that are not a valid set, on corrupt bytes, or
    /// on a saved rule's state that does not restore.
    pub fn restore(
        rules: Vec<RuleDefinition>,
        options: &DetectorOptions,
        bytes: &[u8],
    ) -> Result<(RuleSet, RestoreReport), RestoreError> {
        let configs = configs(rules, options)?;
        let (header, mut states) = decode(bytes)?;
        let mut report = RestoreReport::default();
        let mut detectors = Vec::with_capacity(configs.len());
        let mut restored = vec![false; header.rules.len()];
        for config in configs {
            let id = config.rule_id().to_owned();
            let same = header.rules.iter().position(|r| {
                r.rule_id == id
                    && r.version == config.rule_version()
                    && r.fingerprint == fingerprint(&config)
            });
            match same {
                Some(i) if !restored[i] => {
                    let state = std::mem::take(&mut states[i]);
                    let detector = Detector::restore(config, state)
                        .map_err(|e| SnapshotError::Malformed(format!("rule {id}: {e}")))?;
                    let groups = detector.suppression_groups_dropped();
                    restored[i] = true;
                    detectors.push(detector);
                    if groups > 0 {
                        report.dropped.push(format!(
                            "{id}: {groups} open alert_suppression groups (the rule's alert_suppression changed, or the snapshot held more than a rule keeps; its first-seen state is kept)"
                        ));
                    }
                    report.kept.push(id);
                }
                _ => {
                    detectors.push(Detector::new(config));
                    report.started.push(id);
                }
            }
        }
        for (saved, restored) in header.rules.iter().zip(restored) {
            if restored {
                continue;
            }
            let why = if report.started.contains(&saved.rule_id) {
                "the loaded rule is another version, or its query, new-terms fields, history window or time basis changed"
            } else {
                "not loaded"
            };
            report.dropped.push(format!(
                "{} (version {}: {why})",
                saved.rule_id, saved.version
            ));
        }
        let mut set = RuleSet::from_detectors(detectors);
        set.stats = Stats::from_json(&header.stats).map_err(SnapshotError::Malformed)?;
        set.stats
            .check_restorable()
            .map_err(SnapshotError::Malformed)?;
        Ok((set, report))
    }
}

/// The header and each saved rule's state, checked.
fn decode(bytes: &[u8]) -> Result<(Header, Vec<&[u8]>), SnapshotError> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(SnapshotError::BadMagic);
    }
    if bytes.len() < 8 + 2 + 4 + 8 {
        return Err(SnapshotError::Truncated("header"));
    }
    let (body, sum) = bytes.split_at(bytes.len() - 8);
    let mut expected = [0u8; 8];
    expected.copy_from_slice(sum);
    if xxh3_64(body) != u64::from_le_bytes(expected) {
        return Err(SnapshotError::Checksum);
    }
    let version = u16::from_le_bytes([body[8], body[9]]);
    if version != FORMAT_VERSION {
        return Err(SnapshotError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let header_len = u32::from_le_bytes([body[10], body[11], body[12], body[13]]) as usize;
    let rest = &body[14..];
    if rest.len() < header_len {
        return Err(SnapshotError::Truncated("rule set header"));
    }
    let (header, mut rest) = rest.split_at(header_len);
    let header: Header =
        serde_json::from_slice(header).map_err(|e| SnapshotError::Malformed(e.to_string()))?;
    let mut states = Vec::with_capacity(header.rules.len().min(rest.len()));
    for rule in &header.rules {
        let len = usize::try_from(rule.bytes).unwrap_or(usize::MAX);
        if rest.len() < len {
            return Err(SnapshotError::Truncated("a rule's state"));
        }
        let (state, after) = rest.split_at(len);
        states.push(state);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(SnapshotError::Malformed(
            "bytes after the last rule's state".into(),
        ));
    }
    Ok((header, states))
}
