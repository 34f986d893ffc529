//! What the detector has seen, as counts that add up.
//!
//! Every record that enters is counted once in `events_in` and in exactly one of
//! `unparseable`, `not_cloudtrail`, `prefiltered`, `not_matched` and `matched`; every matched record
//! in exactly one of `excepted`, `no_timestamp`, `missing_terms` and `recorded`; every
//! new term in exactly one of `alerts`, `summarised`, `muted`, `learned` and (in builds
//! with alert suppression: not the npm package nor the Fluent Bit module, which run no
//! rule files) `suppressed`.
//! [`Stats::check`] verifies the three identities.

use serde::Serialize;
use serde_json::Value;

use crate::json_fields::Fields;
use crate::verdict::Verdict;

/// Counters of one detector (kept across snapshot and restore), written in the order of
/// the fields: snapshots and every host's stats output have that order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Records (or unreadable documents) received.
    pub events_in: u64,
    /// Input that was not valid JSON / UTF-8 or a broken container.
    pub unparseable: u64,
    /// The last reason input was unparseable (written after `unparseable`, when set).
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
    /// Recorded events that arrived more than `reorder_window` behind the newest event
    /// time seen, judged on arrival (a time-ordered replay may judge them otherwise).
    pub late: u64,
    /// Recorded events the reorder window held to judge them in time order.
    pub held: u64,
    /// Held events judged before their window had passed because `max_pending` events
    /// were held.
    pub released_early: u64,
    /// Events held now (part of `recorded`; their alerts are still to come).
    pub pending: u64,
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
    /// New terms counted into an open alert of their group (`alert_suppression`),
    /// instead of an alert of their own. Written only when not 0.
    #[cfg(alert_suppression)]
    #[serde(skip_serializing_if = "is_zero")]
    pub suppressed: u64,
    /// Suppressed alerts emitted again, brought up to date (`alert_suppression`).
    /// Written only when not 0.
    #[cfg(alert_suppression)]
    #[serde(skip_serializing_if = "is_zero")]
    pub suppression_updates: u64,
}

#[cfg(alert_suppression)]
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The counters every new term's fate is counted in.
#[cfg(not(alert_suppression))]
macro_rules! fates {
    () => {
        "alerts + summarised + muted + learned"
    };
}
#[cfg(alert_suppression)]
macro_rules! fates {
    () => {
        "alerts + summarised + muted + learned + suppressed"
    };
}

/// Declares [`Stats::counters`] and [`Stats::counters_mut`] from one list, so that the
/// two cannot disagree (a test holds the list to the written keys).
macro_rules! counters {
    ($($name:ident),* ; with alert suppression: $($native:ident),* $(,)?) => {
        impl Stats {
            /// Every counter with its name, in written order.
            pub fn counters(&self) -> Vec<(&'static str, u64)> {
                #[allow(unused_mut)]
                let mut all = vec![$((stringify!($name), self.$name)),*];
                #[cfg(alert_suppression)]
                all.extend([$((stringify!($native), self.$native)),*]);
                all
            }

            /// Every counter by name, to set.
            fn counters_mut(&mut self) -> Vec<(&'static str, &mut u64)> {
                #[allow(unused_mut)]
                let mut all = vec![$((stringify!($name), &mut self.$name)),*];
                #[cfg(alert_suppression)]
                all.extend([$((stringify!($native), &mut self.$native)),*]);
                all
            }
        }
    };
}

counters!(
    events_in,
    unparseable,
    not_cloudtrail,
    prefiltered,
    not_matched,
    matched,
    excepted,
    no_timestamp,
    missing_terms,
    recorded,
    terms_truncated,
    late,
    held,
    released_early,
    pending,
    new_terms,
    alerts,
    summarised,
    summaries,
    muted,
    learned,
    tracked_terms,
    expired,
    evicted;
    with alert suppression: suppressed,
    suppression_updates,
);

impl Stats {
    /// The counters as one JSON object (the hosts' stats output, journal entries).
    pub fn to_json(&self) -> Value {
        // Written as text and read back: the serialiser the snapshot uses, not serde_json's
        // second one for `Value` (about 2.6 KB more of the npm .wasm). Integers and a
        // string: cannot fail.
        serde_json::from_str(&serde_json::to_string(self).unwrap_or_default()).unwrap_or_default()
    }

    /// Counters as [`Stats::to_json`] writes them: a missing counter is 0, an unknown key
    /// is ignored (a snapshot from a build that counted more), `last_error` may be absent.
    pub fn from_json(value: &serde_json::Value) -> Result<Stats, String> {
        let fields = Fields::of(value, "stats")?;
        let mut stats = Stats::default();
        for (name, counter) in stats.counters_mut() {
            if fields.contains(name) {
                *counter = fields.u64(name)?;
            }
        }
        stats.last_error = match fields.optional("last_error") {
            None => None,
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(_) => return Err("stats.last_error: expected a string".into()),
        };
        Ok(stats)
    }

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
        #[allow(unused_mut)]
        let mut fates = sum(&[self.alerts, self.summarised, self.muted, self.learned]);
        #[cfg(alert_suppression)]
        {
            fates += u128::from(self.suppressed);
        }
        if fates != u128::from(self.new_terms) {
            return Err(format!(
                concat!("new_terms {} != ", fates!(), " = {}"),
                self.new_terms, fates
            ));
        }
        Ok(())
    }

    /// Whether counters read from a snapshot may be adopted: they add up, and each is
    /// below 2^53, so it stays exact as a JavaScript number and cannot overflow while
    /// counting on.
    pub fn check_restorable(&self) -> Result<(), String> {
        self.check()?;
        match self
            .counters()
            .into_iter()
            .find(|&(_, n)| n >= MAX_RESTORED_COUNT)
        {
            Some((name, v)) => Err(format!("{name} {v} is not below 2^53")),
            None => Ok(()),
        }
    }
}

/// Counters at or above this (2^53) are refused on restore.
pub const MAX_RESTORED_COUNT: u64 = 1 << 53;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_written_in_field_order_and_read_back() {
        let mut stats = Stats::default();
        for (i, (_, counter)) in stats.counters_mut().into_iter().enumerate() {
            *counter = i as u64 + 1;
        }
        // The order snapshots and stats outputs have (the struct's fields; the reorder
        // window's three counters came after `late`).
        let order = "events_in unparseable not_cloudtrail prefiltered not_matched matched \
            excepted no_timestamp missing_terms recorded terms_truncated late held released_early \
            pending new_terms alerts \
            summarised summaries muted learned tracked_terms expired evicted";
        // The suppression counters, last, in builds that suppress (and written only
        // when not 0: a rule without suppression writes no key of them).
        let order = if cfg!(alert_suppression) {
            format!("{order} suppressed suppression_updates")
        } else {
            order.to_owned()
        };
        let names = |stats: &Stats| match stats.to_json() {
            Value::Object(map) => map.keys().cloned().collect::<Vec<_>>().join(" "),
            other => panic!("{other:?}"),
        };
        assert_eq!(names(&stats), order);
        assert_eq!(Stats::from_json(&stats.to_json()), Ok(stats.clone()));
        stats.last_error = Some("bad".into());
        let with_error = order.replacen("unparseable", "unparseable last_error", 1);
        assert_eq!(names(&stats), with_error);
        assert_eq!(Stats::from_json(&stats.to_json()), Ok(stats.clone()));
        assert!(stats
            .to_json()
            .to_string()
            .contains(r#""unparseable":2,"last_error":"bad","#));
        // Missing counters are 0; unknown keys are ignored; wrong types are errors.
        let partial =
            serde_json::json!({"events_in": 2, "not_matched": 2, "from_a_later_build": 7});
        let read = Stats::from_json(&partial).unwrap();
        assert_eq!((read.events_in, read.not_matched, read.matched), (2, 2, 0));
        assert!(Stats::from_json(&serde_json::json!({"late": -1})).is_err());
        assert!(Stats::from_json(&serde_json::json!({"late": null})).is_err());
        assert!(Stats::from_json(&serde_json::json!({"last_error": 3})).is_err());
        assert!(Stats::from_json(&serde_json::json!([])).is_err());
    }
}
