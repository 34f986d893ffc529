//! Many rules, one pass: a set of rule files (src/config/rule_file.rs) run over one
//! stream. Each record is read and split once and offered to every rule that may
//! select it; each rule keeps its own first-seen state, alert cap and reorder window
//! (one [`Detector`] per rule, judging the shared record).
//!
//! * **Pre-check** (`precheck.rs`). A document whose bytes hold, for no rule, the values
//!   it requires of `event.provider` and `event.action`
//!   ([`crate::rule::kql::RequiredText`]) is counted as `prefiltered` unread. A raw
//!   CloudTrail record is then offered only to the rules whose required values its
//!   `eventSource` and `eventName` hold (the rules indexed by provider).
//! * **Judging.** A rule whose query reads only fields a raw record's view gives
//!   ([`crate::ecs::raw_view::RawView::query_field`]) judges the record on them, and a
//!   record it selects takes the fast path; any other rule judges the record's ECS
//!   document, built once for all the rules that need it.
//! * **State.** `max_terms` bounds the terms of all rules together: each of N rules may
//!   track `max_terms / N` (at least one), so that no rule's traffic can evict another
//!   rule's history.
//! * **Counters.** The set counts every record once, as a single detector does, with
//!   `matched` meaning "selected by at least one rule" (its fate: recorded when some
//!   rule recorded it, else the first selecting rule's); its counters of terms, alerts
//!   and held events are the rules' summed (so `held`, `late` and `pending` count a
//!   record once per rule that held it, and may exceed the set's `recorded`). Each rule
//!   counts the records its query selected, with their fates, and its own terms and
//!   alerts.
//! * **Snapshots** ([`snapshot`]) hold every rule's state keyed by `rule_id`, version
//!   and a fingerprint of its definition; restoring with a changed rule set keeps the
//!   unchanged rules' state and says what it dropped.

mod precheck;
pub mod snapshot;
#[cfg(test)]
mod tests;

use crate::alert::Alert;
use crate::config::rule_file::RuleDefinition;
use crate::config::{Config, DetectorOptions, DEFAULT_MAX_TERMS};
use crate::detector::{normalise_record, Context, DetectionTime, Detector, Observed};
use crate::ecs::raw_view::RawView;
use crate::ecs::SourceEvent;
use crate::error::{ConfigError, InputError};
use crate::input::{self, nesting, Piece};
use crate::rule::query::{RawJudgement, RawKeys};
use crate::stats::Stats;
use crate::verdict::Verdict;

/// One record, its verdict in the set and the alerts decided at it, of every rule.
#[derive(Debug)]
pub struct SetRecordReport<'a> {
    /// The record's exact text; empty when the core has none of its own.
    pub text: &'a str,
    /// `Recorded` when some rule recorded it; else the first selecting rule's verdict;
    /// else why no rule selected it.
    pub verdict: Verdict,
    pub alerts: Vec<Alert>,
    /// For each rule that recorded it: the rule's index in [`RuleSet::rules`] and what
    /// it counted.
    pub observed: Vec<(usize, Observed)>,
}

impl SetRecordReport<'_> {
    /// The record's bytes, or the whole document when the core has none of its own.
    pub fn text_or<'d>(&'d self, doc: &'d [u8]) -> &'d [u8] {
        if self.text.is_empty() {
            doc
        } else {
            self.text.as_bytes()
        }
    }
}

/// The counters of a set: its own (every record once) and each rule's.
#[derive(Debug, Clone, PartialEq)]
pub struct SetStats {
    pub input: Stats,
    pub rules: Vec<(String, Stats)>,
}

impl SetStats {
    /// One JSON object: the set's counters, `rules_loaded`, then `rules`, each rule's
    /// counters under its `rule_id`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut out = match self.input.to_json() {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        out.insert("rules_loaded".into(), self.rules.len().into());
        let rules = self
            .rules
            .iter()
            .map(|(id, stats)| (id.clone(), stats.to_json()))
            .collect();
        out.insert("rules".into(), serde_json::Value::Object(rules));
        serde_json::Value::Object(out)
    }

    /// Whether every counter adds up: the set's, and each rule's own.
    pub fn check(&self) -> Result<(), String> {
        self.input.check()?;
        for (id, stats) in &self.rules {
            stats.check().map_err(|e| format!("rule {id}: {e}"))?;
        }
        Ok(())
    }
}

/// Rules run together over one stream (see the module).
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Detector>,
    /// Every rule's pre-check, in one pass.
    needles: precheck::SetPrecheck,
    /// The rules by the providers they require.
    providers: precheck::ProviderIndex,
    stats: Stats,
    precheck: bool,
    nesting_limit: usize,
}

impl RuleSet {
    /// A set of `rules` under the host's `options` (which may not set what each rule
    /// file sets: [`crate::config::rule_file::RULE_OWNED_KEYS`]). Refuses an empty set and
    /// two rules with one `rule_id`.
    pub fn new(rules: Vec<RuleDefinition>, options: &DetectorOptions) -> Result<Self, ConfigError> {
        Ok(RuleSet::from_detectors(
            configs(rules, options)?
                .into_iter()
                .map(Detector::new)
                .collect(),
        ))
    }

    fn from_detectors(rules: Vec<Detector>) -> Self {
        let required: Vec<_> = rules.iter().map(Detector::required_text).collect();
        RuleSet {
            needles: precheck::SetPrecheck::new(&required),
            providers: precheck::ProviderIndex::new(&required),
            rules,
            stats: Stats::default(),
            precheck: true,
            nesting_limit: nesting::MAX_NESTING,
        }
    }

    /// The rules' configs, in load order.
    pub fn rules(&self) -> impl Iterator<Item = &Config> {
        self.rules.iter().map(Detector::config)
    }

    /// Turn the byte-level pre-checks on (the default) or off; alerts are the same.
    pub fn set_prefilter(&mut self, on: bool) {
        self.precheck = on;
        for rule in &mut self.rules {
            rule.set_prefilter(on);
        }
    }

    /// Turn the raw-record shortcuts on (the default) or off: off, every rule judges
    /// each record its gate admits on the record's ECS document. Alerts are the same.
    pub fn set_fast_path(&mut self, on: bool) {
        for rule in &mut self.rules {
            rule.set_fast_path(on);
        }
    }

    /// See [`Detector::set_observe_origins`]; for every rule.
    pub fn set_observe_origins(&mut self, on: bool) {
        for rule in &mut self.rules {
            rule.set_observe_origins(on);
        }
    }

    /// Heap bytes held by every rule's first-seen store.
    pub fn state_bytes(&self) -> usize {
        self.rules.iter().map(Detector::state_bytes).sum()
    }

    /// Rule `i` (in [`RuleSet::rules`] order), for a host that keeps a journal per rule
    /// ([`Detector::set_journaling`], [`Detector::take_journal_entry`],
    /// [`Detector::replay_journal`]).
    pub fn rule_mut(&mut self, i: usize) -> Option<&mut Detector> {
        self.rules.get_mut(i)
    }

    /// How many matching events the rules' reorder windows hold, in all.
    pub fn pending(&self) -> usize {
        self.rules.iter().map(Detector::pending).sum()
    }

    /// The alerts of every rule's held events that the host's clock has made due (see
    /// [`Detector::release_due`]), rule by rule.
    pub fn release_due(&mut self, ctx: Context) -> Vec<Alert> {
        self.release_by_clock(ctx)
    }

    /// For a host that searches a document's text itself, faster than this module can
    /// (Fluent Bit: WAMR's built-in `strstr`; see [`Detector::rejects_searched`]): `true`
    /// when the pre-check is on and `contains` shows that no rule can select a record of
    /// the document (counted as prefiltered). The host vouches that the text is UTF-8.
    /// `false` means nothing was counted: process the document as usual.
    pub fn rejects_searched(&mut self, contains: &dyn Fn(&std::ffi::CStr) -> bool) -> bool {
        let rejects = self.precheck && self.needles.may_match_searched(contains) == Some(false);
        if rejects {
            self.stats.count(&Verdict::Prefiltered);
        }
        rejects
    }

    /// See [`Detector::set_nesting_limit`].
    pub fn set_nesting_limit(&mut self, limit: Option<usize>) {
        self.nesting_limit = limit.map_or(nesting::MAX_NESTING, |l| l.min(nesting::MAX_NESTING));
    }

    /// Process one document and report on each of its records, in order.
    pub fn process_each(
        &mut self,
        doc: &[u8],
        ctx: Context,
        on_record: &mut dyn for<'x> FnMut(SetRecordReport<'x>),
    ) {
        self.run(doc, ctx, false, on_record);
    }

    /// Process one document; the alerts of every rule it caused.
    pub fn process(&mut self, doc: &[u8], ctx: Context) -> Vec<Alert> {
        let mut alerts = Vec::new();
        self.run(doc, ctx, false, &mut |r| alerts.extend(r.alerts));
        alerts
    }

    /// Record a document's events as every rule's history, never alerting (priming).
    pub fn learn(&mut self, doc: &[u8], ctx: Context) {
        self.run(doc, ctx, true, &mut |_| {});
    }

    /// Count input the host could not hand over as unparseable.
    pub fn skip_input(&mut self, error: InputError) {
        self.stats.count(&Verdict::Unparseable(error));
    }

    /// End of input: every rule's held events and cap summary, rule by rule.
    pub fn flush(&mut self, detection_time: DetectionTime) -> Vec<Alert> {
        let mut alerts = Vec::new();
        for rule in &mut self.rules {
            alerts.extend(rule.flush(detection_time));
        }
        alerts
    }

    /// Records (or unreadable documents) received so far.
    pub fn events_in(&self) -> u64 {
        self.stats.events_in
    }

    /// The set's counters and each rule's. The set's own count records (each once);
    /// its counters of terms, alerts and held events are the rules' summed.
    pub fn stats(&self) -> SetStats {
        let rules: Vec<(String, Stats)> = self
            .rules
            .iter()
            .map(|r| (r.config().rule_id().to_owned(), r.stats()))
            .collect();
        let mut input = self.stats.clone();
        for (_, s) in &rules {
            for (total, of_rule) in [
                (&mut input.terms_truncated, s.terms_truncated),
                (&mut input.late, s.late),
                (&mut input.held, s.held),
                (&mut input.released_early, s.released_early),
                (&mut input.pending, s.pending),
                (&mut input.new_terms, s.new_terms),
                (&mut input.alerts, s.alerts),
                (&mut input.summarised, s.summarised),
                (&mut input.summaries, s.summaries),
                (&mut input.muted, s.muted),
                (&mut input.learned, s.learned),
                (&mut input.tracked_terms, s.tracked_terms),
                (&mut input.expired, s.expired),
                (&mut input.evicted, s.evicted),
            ] {
                *total += of_rule;
            }
            #[cfg(alert_suppression)]
            {
                input.suppressed += s.suppressed;
                input.suppression_updates += s.suppression_updates;
            }
        }
        SetStats { input, rules }
    }

    fn run(
        &mut self,
        doc: &[u8],
        ctx: Context,
        learn: bool,
        on_record: &mut dyn for<'x> FnMut(SetRecordReport<'x>),
    ) {
        let may_match = if self.precheck {
            self.needles.may_match(doc)
        } else {
            vec![true; self.rules.len()]
        };
        if !may_match.contains(&true) && std::str::from_utf8(doc).is_ok() {
            self.stats.count(&Verdict::Prefiltered);
            let alerts = self.release_by_clock(ctx);
            return on_record(SetRecordReport {
                text: "",
                verdict: Verdict::Prefiltered,
                alerts,
                observed: Vec::new(),
            });
        }
        input::split_bytes(doc, &mut |piece| {
            let mut alerts = self.release_by_clock(ctx);
            let mut observed = Vec::new();
            let (text, verdict) = match piece {
                Piece::Invalid { text, error } => (text, Verdict::Unparseable(error)),
                Piece::NotCloudTrail { text, reason } => (text, Verdict::NotCloudTrail(reason)),
                Piece::Record(record) => {
                    let text = record.text;
                    (
                        text,
                        self.judge(record, &may_match, ctx, learn, &mut alerts, &mut observed),
                    )
                }
            };
            self.stats.count(&verdict);
            on_record(SetRecordReport {
                text,
                verdict,
                alerts,
                observed,
            });
        });
    }

    fn release_by_clock(&mut self, ctx: Context) -> Vec<Alert> {
        let mut alerts = Vec::new();
        for rule in &mut self.rules {
            rule.release_by_host_clock(ctx, &mut alerts);
        }
        alerts
    }

    /// Offer one record to every rule that may select it; its verdict in the set. A raw
    /// record is judged on its raw fields where a rule's query allows (one view of them
    /// for all rules); its ECS document is built once, when a rule selects it or needs
    /// the document to decide.
    fn judge(
        &mut self,
        record: input::Record<'_>,
        may_match: &[bool],
        ctx: Context,
        learn: bool,
        alerts: &mut Vec<Alert>,
        observed: &mut Vec<(usize, Observed)>,
    ) -> Verdict {
        let fields = record.cloudtrail.as_ref();
        let keys = fields.map(RawKeys::of);
        let mut may_match = may_match.to_vec();
        if let Some(keys) = &keys {
            self.providers.keep(&keys.provider, &mut may_match);
        }
        let mut view: Option<RawView<'_>> = None;
        let mut source: Option<SourceEvent> = None;
        let mut outcome: Option<Verdict> = None;
        let mut depth_checked = false;
        for (i, rule) in self.rules.iter_mut().enumerate() {
            if !may_match[i] {
                continue;
            }
            let raw = match fields {
                Some(_) if keys.as_ref().is_some_and(|k| !rule.admits_raw(k)) => {
                    RawJudgement::Rejects
                }
                Some(f) if rule.in_view() => {
                    rule.judge_view(view.get_or_insert_with(|| RawView::new(f)))
                }
                _ => RawJudgement::NeedsDocument,
            };
            if raw == RawJudgement::Rejects {
                continue;
            }
            // Every path from here may build a tree of the whole record.
            if !depth_checked {
                if nesting::exceeds(record.text, self.nesting_limit) {
                    return Verdict::Unparseable(InputError::TooDeep(self.nesting_limit));
                }
                depth_checked = true;
            }
            let (verdict, seen) = if raw == RawJudgement::Matches {
                rule.judge_selected_raw(record.clone(), ctx, learn, alerts)
            } else {
                let src = match &mut source {
                    Some(src) => src,
                    None => {
                        match normalise_record(record.text, record.meta.clone(), fields.is_some()) {
                            Ok(src) => source.insert(src),
                            Err(verdict) => return verdict,
                        }
                    }
                };
                if !rule.selects(&src.doc) {
                    continue;
                }
                rule.judge_selected(record.text, src.clone(), ctx, learn, alerts)
            };
            if let Some(seen) = seen {
                observed.push((i, seen));
            }
            if verdict == Verdict::Recorded || outcome.is_none() {
                outcome = Some(verdict);
            }
        }
        outcome.unwrap_or(Verdict::NotMatched)
    }
}

/// Each rule's config, with `max_terms` shared out.
fn configs(
    rules: Vec<RuleDefinition>,
    options: &DetectorOptions,
) -> Result<Vec<Config>, ConfigError> {
    if rules.is_empty() {
        return Err(ConfigError::invalid("rules", "no rule to run"));
    }
    for (i, rule) in rules.iter().enumerate() {
        if rules[..i].iter().any(|r| r.rule_id == rule.rule_id) {
            return Err(ConfigError::invalid(
                "rules",
                format!("rule_id {} is loaded twice", rule.rule_id),
            ));
        }
    }
    let total = options.max_terms.unwrap_or(DEFAULT_MAX_TERMS);
    let share = (total / rules.len()).max(1);
    let options = DetectorOptions {
        max_terms: Some(share),
        // The rule files themselves are these.
        rules: None,
        ..options.clone()
    };
    rules
        .into_iter()
        .map(|rule| Config::for_rule_file(rule, &options))
        .collect()
}
