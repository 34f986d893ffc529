//! What the detector has seen, as counts that add up.
//!
//! Every record that enters is counted once in `events_in` and in exactly one of
//! `unparseable`, `not_cloudtrail`, `prefiltered`, `not_matched` and `matched`; every matched record
//! in exactly one of `excepted`, `no_timestamp`, `missing_terms` and `recorded`.
//! [`Stats::check`] verifies both identities.

use serde::{Deserialize, Serialize};

use crate::Verdict;

/// Counters of one detector (kept across snapshot and restore).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Stats {
    /// Records (or unreadable documents) received.
    pub events_in: u64,
    /// Input that was not valid JSON / UTF-8 or a broken container.
    pub unparseable: u64,
    /// The last reason input was unparseable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Valid JSON that is neither a CloudTrail record nor an ECS document.
    pub not_cloudtrail: u64,
    /// Single records rejected by the byte-level pre-check, unparsed: they cannot hold
    /// a successful DynamoDB Scan (they may or may not be valid CloudTrail).
    pub prefiltered: u64,
    /// CloudTrail events the rule query does not select.
    pub not_matched: u64,
    /// Events the rule query selects (successful DynamoDB Scans).
    pub matched: u64,
    /// Matched events dropped by a rule exception (no alert, no history).
    pub excepted: u64,
    /// Matched events with no usable time (no alert, no history).
    pub no_timestamp: u64,
    /// Matched events missing a new-terms field (no alert, no history).
    pub missing_terms: u64,
    /// Matched events that entered history.
    pub recorded: u64,
    /// Events whose term product exceeded the per-event cap (only the first tuples were used).
    pub terms_truncated: u64,
    /// Term occurrences older than the term's latest one (never alert).
    pub late: u64,
    /// New terms found (alerted, muted, learned or summarised).
    pub new_terms: u64,
    /// Alert documents emitted for new terms.
    pub alerts: u64,
    /// New-term alerts held back by `max_signals` and reported in summaries.
    pub summarised: u64,
    /// Summary documents emitted.
    pub summaries: u64,
    /// New terms not alerted because the learning period was still running.
    pub muted: u64,
    /// New terms recorded through the learn entry point (never alerted).
    pub learned: u64,
    /// Terms currently tracked.
    pub tracked_terms: u64,
    /// Terms forgotten because they were not seen for the history window.
    pub expired: u64,
    /// Terms forgotten because `max_terms` was reached.
    pub evicted: u64,
}

impl Stats {
    /// Count one record (or unreadable document) with its verdict.
    pub fn count(&mut self, verdict: &Verdict) {
        self.events_in += 1;
        let counter = match verdict {
            Verdict::Unparseable(e) => {
                self.last_error = Some(e.to_string());
                &mut self.unparseable
            }
            Verdict::NotCloudTrail(_) => &mut self.not_cloudtrail,
            Verdict::Prefiltered => &mut self.prefiltered,
            Verdict::NotMatched => &mut self.not_matched,
            Verdict::Excepted => &mut self.excepted,
            Verdict::NoTimestamp => &mut self.no_timestamp,
            Verdict::MissingTerms => &mut self.missing_terms,
            Verdict::Recorded => &mut self.recorded,
        };
        *counter += 1;
        if matches!(
            verdict,
            Verdict::Excepted | Verdict::NoTimestamp | Verdict::MissingTerms | Verdict::Recorded
        ) {
            self.matched += 1;
        }
    }

    /// Whether the counts add up (see the module documentation).
    pub fn check(&self) -> Result<(), String> {
        // Summed in u128: counters read from a snapshot may be anything.
        let sum = |xs: &[u64]| xs.iter().map(|&x| u128::from(x)).sum::<u128>();
        let outcomes = sum(&[
            self.unparseable,
            self.not_cloudtrail,
            self.prefiltered,
            self.not_matched,
            self.matched,
        ]);
        if outcomes != u128::from(self.events_in) {
            return Err(format!(
                "events_in {} != unparseable + not_cloudtrail + prefiltered + not_matched + matched = {outcomes}",
                self.events_in
            ));
        }
        let matched = sum(&[
            self.excepted,
            self.no_timestamp,
            self.missing_terms,
            self.recorded,
        ]);
        if matched != u128::from(self.matched) {
            return Err(format!(
                "matched {} != excepted + no_timestamp + missing_terms + recorded = {matched}",
                self.matched
            ));
        }
        let fates = sum(&[self.alerts, self.summarised, self.muted, self.learned]);
        if fates != u128::from(self.new_terms) {
            return Err(format!(
                "new_terms {} != alerts + summarised + muted + learned = {fates}",
                self.new_terms
            ));
        }
        Ok(())
    }

    /// Whether counters read from a snapshot may be adopted: they add up, and each is
    /// below 2^53, so it stays exact as a JavaScript number and cannot overflow while
    /// counting on.
    pub fn check_restorable(&self) -> Result<(), String> {
        self.check()?;
        // Every counter, read through the serialised form so that none is left out.
        let counters = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(fields)) => fields,
            _ => return Err("counters could not be listed".into()),
        };
        match counters.iter().find_map(|(name, v)| {
            v.as_u64()
                .filter(|&n| n >= MAX_RESTORED_COUNT)
                .map(|n| (name, n))
        }) {
            Some((name, v)) => Err(format!("{name} {v} is not below 2^53")),
            None => Ok(()),
        }
    }
}

/// Counters at or above this (2^53) are refused on restore.
pub const MAX_RESTORED_COUNT: u64 = 1 << 53;
