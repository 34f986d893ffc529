//! What one filter instance runs: the built-in rule (one core [`Detector`]) or, in the
//! module built with the feature `rule-files` (`dynamodb_scan_detector_rules.wasm`), the
//! rule files of its rules directory (a [`RuleSet`], one pass for every rule). The
//! filter calls the same few operations on either.
//!
//! A rule set's pre-check runs through the host's own search for Fluent Bit's text of
//! its record (every rule's needles by `strstr`, at native speed), as the built-in
//! rule's does; other text goes through the set's one-pass pre-check in the module, and
//! a record that rejects unread is then validated by the filter before it goes back
//! unchanged. Each rule keeps a journal of its own ([`super::journal`]), so the
//! snapshot-and-journal guarantee holds per rule.

use std::ffi::CStr;

#[cfg(feature = "rule-files")]
use crate::rule_set::RuleSet;
use crate::state::journal::Entry;
use crate::{Alert, Context, Detector, Verdict};

/// The built-in rule, or a set of rule files.
#[allow(clippy::large_enum_variant)] // one per filter instance, never moved in bulk
pub enum Engine {
    Single(Detector),
    #[cfg(feature = "rule-files")]
    Rules(Box<RuleSet>),
}

impl Engine {
    /// Events the reorder windows hold now.
    pub fn pending(&self) -> usize {
        match self {
            Engine::Single(d) => d.pending(),
            #[cfg(feature = "rule-files")]
            Engine::Rules(s) => s.pending(),
        }
    }

    /// The alerts of held events the host's clock has made due.
    pub fn release_due(&mut self, ctx: Context) -> Vec<Alert> {
        match self {
            Engine::Single(d) => d.release_due(ctx),
            #[cfg(feature = "rule-files")]
            Engine::Rules(s) => s.release_due(ctx),
        }
    }

    /// See [`Detector::rejects_searched`] and [`RuleSet::rejects_searched`].
    pub fn rejects_searched(&mut self, contains: &dyn Fn(&CStr) -> bool) -> bool {
        match self {
            Engine::Single(d) => d.rejects_searched(contains),
            #[cfg(feature = "rule-files")]
            Engine::Rules(s) => s.rejects_searched(contains),
        }
    }

    /// See [`Detector::rejects_valid_object`]; never for a rule set.
    pub fn rejects_valid_object(&mut self, doc: &[u8]) -> bool {
        match self {
            Engine::Single(d) => d.rejects_valid_object(doc),
            #[cfg(feature = "rule-files")]
            Engine::Rules(_) => false,
        }
    }

    /// See [`Detector::rejects_document`]; never for a rule set.
    pub fn rejects_document(&mut self, doc: &[u8]) -> bool {
        match self {
            Engine::Single(d) => d.rejects_document(doc),
            #[cfg(feature = "rule-files")]
            Engine::Rules(_) => false,
        }
    }

    /// Judge one document: each record's verdict (in the set: recorded when some rule
    /// recorded it) and the alerts decided at it.
    pub fn process_each(
        &mut self,
        doc: &[u8],
        ctx: Context,
        on_record: &mut dyn FnMut(&Verdict, Vec<Alert>),
    ) {
        match self {
            Engine::Single(d) => d.process_each(doc, ctx, &mut |r| on_record(&r.verdict, r.alerts)),
            #[cfg(feature = "rule-files")]
            Engine::Rules(s) => s.process_each(doc, ctx, &mut |r| on_record(&r.verdict, r.alerts)),
        }
    }

    /// The counters as JSON: the detector's, or the set's with each rule's.
    pub fn stats_json(&self) -> serde_json::Value {
        match self {
            Engine::Single(d) => d.stats().to_json(),
            #[cfg(feature = "rule-files")]
            Engine::Rules(s) => s.stats().to_json(),
        }
    }

    /// Terms tracked, in all.
    pub fn tracked_terms(&self) -> u64 {
        match self {
            Engine::Single(d) => d.stats().tracked_terms,
            #[cfg(feature = "rule-files")]
            Engine::Rules(s) => s.stats().input.tracked_terms,
        }
    }

    /// The whole state as bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        match self {
            Engine::Single(d) => d.snapshot(),
            #[cfg(feature = "rule-files")]
            Engine::Rules(s) => s.snapshot(),
        }
    }

    /// How many journals it keeps: one per rule.
    pub fn rule_count(&self) -> usize {
        match self {
            Engine::Single(_) => 1,
            #[cfg(feature = "rule-files")]
            Engine::Rules(s) => s.rules().count(),
        }
    }

    /// Rule `i`'s detector (its journal's).
    pub fn rule_mut(&mut self, i: usize) -> Option<&mut Detector> {
        match self {
            Engine::Single(d) => (i == 0).then_some(d),
            #[cfg(feature = "rule-files")]
            Engine::Rules(s) => s.rule_mut(i),
        }
    }

    /// Turn journaling on or off for every rule.
    pub fn set_journaling(&mut self, on: bool) {
        for i in 0..self.rule_count() {
            if let Some(d) = self.rule_mut(i) {
                d.set_journaling(on);
            }
        }
    }

    /// Each rule's journal entry for what the last call changed, by rule index.
    pub fn take_journal_entries(&mut self) -> Vec<(usize, Entry)> {
        let mut out = Vec::new();
        for i in 0..self.rule_count() {
            if let Some(entry) = self.rule_mut(i).and_then(Detector::take_journal_entry) {
                out.push((i, entry));
            }
        }
        out
    }

    /// Rule `i`'s new-terms fields and `rule_id` (its journal's base and name).
    pub fn rule_identity(&mut self, i: usize) -> (Vec<String>, String) {
        self.rule_mut(i).map_or_else(Default::default, |d| {
            let c = d.config();
            (c.new_terms_fields.clone(), c.rule_id().to_owned())
        })
    }

    /// Host settings (neither changes which alerts are raised): the nesting limit, and
    /// the built-in rule's whole-document pre-check.
    pub fn tune(&mut self, max_nesting: usize) {
        match self {
            Engine::Single(d) => {
                d.set_nesting_limit(Some(max_nesting));
                // The byte-level pre-check in one pass over three rare bytes (wasm32 has
                // no SIMD), rejecting whole records (containers too: they pass on
                // untouched either way). A rejected record is then only validated (no
                // fields read) before it is returned.
                d.set_prefilter_whole_documents();
            }
            #[cfg(feature = "rule-files")]
            Engine::Rules(s) => s.set_nesting_limit(Some(max_nesting)),
        }
    }
}
