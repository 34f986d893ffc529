//! The detector: a synchronous, clock-free state machine. Hosts hand it documents
//! (bytes) with the detection time; it returns the alerts those documents cause.
//!
//! For each record: normalise (raw CloudTrail → ECS), apply the rule query and the
//! exceptions, read the time basis, extract the term tuples, and judge each against
//! the first-seen store. Only records that pass the query and exceptions touch state.

use std::ffi::CStr;

use crate::alert::cap::{CapSummary, SignalCap};
use crate::alert::document::{Renderer, SOURCE_COPY_LIMIT};
use crate::alert::{Alert, AlertKind};
use crate::config::Config;
use crate::error::{InputError, SnapshotError};
use crate::input::{self, Piece, Record};
use crate::rule::prefilter::Prefilter;
use crate::rule::query::Query;
use crate::rule::terms::Extraction;
use crate::state::journal::Changes;
use crate::state::reorder::{PendingEvent, ReorderBuffer};
use crate::state::snapshot;
use crate::state::store::TermStore;
use crate::stats::Stats;
use crate::time::Millis;

pub use context::{Context, DetectionTime};
use decide::Judged;
#[cfg(rule_files)]
pub(crate) use prepared::normalise as normalise_record;
use prepared::Prepared;

pub use report::{Observed, RecordReport, Verdict};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Alert,
    Learn,
}

/// The detector. See the crate documentation for its semantics.
#[derive(Debug, Clone)]
pub struct Detector {
    config: Config,
    query: Query,
    renderer: Renderer,
    store: TermStore,
    cap: SignalCap,
    learning_start: Option<Millis>,
    watermark: Option<Millis>,
    stats: Stats,
    pending: ReorderBuffer,
    prefilter: Option<Prefilter>,
    /// The pre-check of a rule file's query ([`Query::may_match_text`]), when on.
    text_precheck: bool,
    fast_path: bool,
    /// A rule file's query judges raw records on their view where it can (on with the
    /// fast path; off, every record its gate admits is judged on its ECS document).
    view_judging: bool,
    nesting_limit: usize,
    /// [`Observed`] says which account and address each event came from.
    origins: bool,
    /// The changes since the last journal entry, while journaling is on.
    journal: Option<Changes>,
    /// A rule file's `alert_suppression`.
    #[cfg(alert_suppression)]
    suppression: Option<crate::suppression::Suppressor>,
    /// Open groups the restore that made this detector dropped.
    #[cfg(alert_suppression)]
    groups_dropped_on_restore: usize,
}

impl Detector {
    pub fn new(config: Config) -> Self {
        let query = prepared::query_of(&config);
        Detector {
            prefilter: query.judges_raw_fields().then(Prefilter::default),
            text_precheck: true,
            query,
            renderer: Renderer::new(&config),
            store: TermStore::new(config.max_terms.get()),
            cap: SignalCap::new(config.interval.millis(), config.max_signals.get()),
            learning_start: None,
            watermark: None,
            stats: Stats::default(),
            pending: ReorderBuffer::default(),
            fast_path: prepared::fast_path_applies(&config),
            view_judging: true,
            nesting_limit: crate::input::nesting::MAX_NESTING,
            origins: false,
            journal: None,
            #[cfg(alert_suppression)]
            suppression: config
                .file_rule
                .as_ref()
                .and_then(|rule| rule.alert_suppression.clone())
                .map(|s| {
                    crate::suppression::Suppressor::new(
                        s,
                        config.interval.millis(),
                        &config.rule_uuid,
                        &config.space_id,
                    )
                }),
            #[cfg(alert_suppression)]
            groups_dropped_on_restore: 0,
            config,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Turn the byte-level pre-check on (the default) or off. With it off, every
    /// document is parsed and classified (unparseable, not CloudTrail, not matched);
    /// with it on, single records that cannot hold a Scan are counted as `prefiltered`
    /// without being parsed. Alerts are the same either way.
    pub fn set_prefilter(&mut self, on: bool) {
        self.prefilter = (on && self.query.judges_raw_fields()).then(Prefilter::default);
        self.text_precheck = on;
    }
    /// The pre-check in the form that also rejects a whole container (an S3 `Records`
    /// object, …) when none of its records can match, counting it as one prefiltered
    /// document: for hosts that pass such a document on untouched either way (Fluent Bit).
    pub fn set_prefilter_whole_documents(&mut self) {
        if self.query.judges_raw_fields() {
            self.prefilter = Some(Prefilter::whole_documents());
        }
        self.text_precheck = true;
    }

    /// Turn the raw-record fast path on (the default where the config allows it) or off
    /// (every matching record is mapped to a full ECS document). Alerts are the same.
    pub fn set_fast_path(&mut self, on: bool) {
        self.fast_path = on && prepared::fast_path_applies(&self.config);
        self.view_judging = on;
    }

    /// Count records whose JSON nests deeper than `limit` levels as unparseable
    /// ([`InputError::TooDeep`]) instead of building a tree of them. Every host has a
    /// limit of [`crate::input::nesting::MAX_NESTING`] (100); a host with a small call
    /// stack (Fluent Bit's WAMR) sets a lower one. `None` or a higher value keeps 100.
    /// Only records that may reach a tree-building step are measured: raw CloudTrail
    /// records the query rejects never are. Not part of the snapshot.
    pub fn set_nesting_limit(&mut self, limit: Option<usize>) {
        self.nesting_limit = limit.map_or(crate::input::nesting::MAX_NESTING, |l| {
            l.min(crate::input::nesting::MAX_NESTING)
        });
    }

    /// Fill [`Observed::account`] and [`Observed::address`] (off by default: they cost
    /// about 2% on a stream of Scans, and only a host that follows where scans came
    /// from reads them). Not part of the snapshot.
    pub fn set_observe_origins(&mut self, on: bool) {
        self.origins = on;
    }

    /// Process one document and report on each of its records, in order.
    pub fn process_each(
        &mut self,
        doc: &[u8],
        ctx: Context,
        on_record: &mut dyn for<'x> FnMut(RecordReport<'x>),
    ) {
        self.run(doc, ctx, Mode::Alert, on_record);
    }

    /// Process one document; the alerts it caused.
    pub fn process(&mut self, doc: &[u8], ctx: Context) -> Vec<Alert> {
        let mut alerts = Vec::new();
        self.run(doc, ctx, Mode::Alert, &mut |r| alerts.extend(r.alerts));
        alerts
    }

    /// Record a document's events as history without ever alerting (priming). Priming
    /// is applied at once, not through the reorder window: prime before processing
    /// (a primed occurrence later than a held event would hide that event's alert).
    pub fn learn(&mut self, doc: &[u8], ctx: Context) {
        self.run(doc, ctx, Mode::Learn, &mut |_| {});
    }

    /// For hosts that pass a record on untouched only when it is valid JSON (Fluent Bit's
    /// annotate): `true` when the pre-check is on and `doc` is one JSON object in UTF-8
    /// that cannot hold a successful Scan (counted as prefiltered, as [`Self::process`]
    /// would), read once for both answers. `false` means nothing was counted: process
    /// `doc` as usual.
    pub fn rejects_valid_object(&mut self, doc: &[u8]) -> bool {
        let unmatchable = self
            .prefilter
            .as_ref()
            .is_some_and(|p| p.check_object(doc) == Some(false));
        self.count_prefiltered(unmatchable)
    }

    /// `true` when the pre-check is on and rejects `doc` (counted as prefiltered, as
    /// [`Self::process`] would), for a host that needs to know before it prepares the
    /// [`Context`]. `false` means nothing was counted: process `doc` as usual.
    pub fn rejects_document(&mut self, doc: &[u8]) -> bool {
        let unmatchable = self.precheck_rejects(doc);
        self.count_prefiltered(unmatchable)
    }

    /// Whether the pre-check (when on) shows that `doc` cannot hold a matching record.
    fn precheck_rejects(&self, doc: &[u8]) -> bool {
        if let Some(p) = &self.prefilter {
            return !p.may_match(doc);
        }
        // A rule file's query: input that is not UTF-8 is left to be reported as such.
        self.text_precheck && !self.query.may_match_text(doc) && std::str::from_utf8(doc).is_ok()
    }

    /// For a host that searches the text itself, faster than this module can
    /// ([`Prefilter::rejects_searched`]): `true` when the whole-document pre-check is on
    /// and `contains` shows that the document cannot hold a successful Scan (counted as
    /// prefiltered). `false` means nothing was counted: process the document as usual.
    pub fn rejects_searched(&mut self, contains: &dyn Fn(&CStr) -> bool) -> bool {
        let unmatchable = self
            .prefilter
            .as_ref()
            .and_then(|p| p.rejects_searched(contains))
            .unwrap_or(false);
        self.count_prefiltered(unmatchable)
    }

    fn count_prefiltered(&mut self, prefiltered: bool) -> bool {
        if prefiltered {
            self.stats.count(&Verdict::Prefiltered);
        }
        prefiltered
    }

    /// Count input the host could not hand over (too large, unreadable) as unparseable,
    /// so that the counts still add up.
    pub fn skip_input(&mut self, error: InputError) {
        self.stats.count(&Verdict::Unparseable(error));
    }

    /// End of input: the events still held in the reorder window are judged (in time
    /// order), then the summary of the current window if the cap suppressed alerts.
    pub fn flush(&mut self, detection_time: DetectionTime) -> Vec<Alert> {
        let mut alerts = Vec::new();
        let ctx = Context {
            detection_time,
            fallback_time: None,
        };
        while let Some(event) = self.pending.pop_first() {
            self.judge_held(event, ctx, &mut alerts, None);
        }
        #[cfg(alert_suppression)]
        if let Some(s) = &mut self.suppression {
            s.flush();
            self.push_updates(false, &mut alerts);
        }
        let Some(summary) = self.cap.flush() else {
            return alerts;
        };
        let at = detection_time.resolve(self.watermark.unwrap_or(summary.window_end));
        alerts.push(self.summary_alert(&summary, at));
        alerts
    }

    fn summary_alert(&mut self, summary: &CapSummary, at: Millis) -> Alert {
        self.stats.summaries += 1;
        Alert {
            kind: AlertKind::CapSummary,
            fields: self.renderer.cap_summary(summary, at),
            rule: self.renderer.rule_fields(),
            deferred: false,
        }
    }

    /// The current counters.
    pub fn stats(&self) -> Stats {
        let mut s = self.stats.clone();
        s.tracked_terms = self.store.len() as u64;
        s.pending = self.pending.len() as u64;
        s.expired = self.store.counters.expired;
        s.evicted = self.store.counters.evicted;
        s
    }

    /// Heap bytes held by the first-seen store.
    pub fn state_bytes(&self) -> usize {
        self.store.heap_bytes()
    }

    /// The whole state as versioned, checksummed bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        snapshot::encode(&snapshot::State {
            new_terms_fields: self.config.new_terms_fields.clone(),
            watermark: self.watermark,
            learning_start: self.learning_start,
            cap: self.cap.clone(),
            stats: self.stats(),
            terms: self.store.iter_oldest_first().collect(),
            pending: self.pending.in_time_order().into_iter().cloned().collect(),
            next_seq: self.pending.next_seq_value(),
            #[cfg(alert_suppression)]
            suppression: self.suppression.as_ref().map(|s| s.state()),
        })
    }

    /// A detector with `config` and the state in `bytes`. Fails, never half-restores,
    /// on corrupt or incompatible bytes. Events the snapshot's reorder window held are
    /// held again (and judged as the uninterrupted run would have judged them); a
    /// snapshot of an earlier format restores with none held. Snapshots of builds before
    /// terms were keywords keep every term whose values were strings; a term of a
    /// number or boolean is keyed otherwise now, so it is judged new once more.
    pub fn restore(config: Config, bytes: &[u8]) -> Result<Self, SnapshotError> {
        let state = snapshot::decode(bytes)?;
        if state.new_terms_fields != config.new_terms_fields {
            return Err(SnapshotError::FieldsMismatch {
                snapshot: state.new_terms_fields,
                config: config.new_terms_fields.clone(),
            });
        }
        let mut d = Detector::new(config);
        d.watermark = state.watermark;
        d.learning_start = state.learning_start;
        d.cap = state.cap;
        d.cap
            .reconfigure(d.config.interval.millis(), d.config.max_signals.get());
        for (key, t) in state.terms {
            d.store.restore_entry(key, t);
        }
        d.store.counters.expired = state.stats.expired;
        d.store.counters.evicted += state.stats.evicted;
        d.pending = ReorderBuffer::restore(state.pending, state.next_seq);
        d.stats = state.stats;
        // Open groups of a rule whose suppression is now off or different are dropped.
        #[cfg(alert_suppression)]
        {
            d.groups_dropped_on_restore = match (&mut d.suppression, state.suppression) {
                (Some(s), Some(groups)) => s.restore(groups),
                (None, Some(groups)) => groups.open_groups(),
                _ => 0,
            };
        }
        Ok(d)
    }

    /// How many open `alert_suppression` groups the restore that made this detector
    /// dropped (the rule now groups differently, or no longer suppresses, or the
    /// snapshot held more than a rule may keep); 0 in builds without suppression.
    #[cfg(rule_files)]
    pub(crate) fn suppression_groups_dropped(&self) -> usize {
        #[cfg(alert_suppression)]
        return self.groups_dropped_on_restore;
        #[cfg(not(alert_suppression))]
        0
    }

    fn run(
        &mut self,
        doc: &[u8],
        ctx: Context,
        mode: Mode,
        on_record: &mut dyn for<'x> FnMut(RecordReport<'x>),
    ) {
        if self.precheck_rejects(doc) {
            self.stats.count(&Verdict::Prefiltered);
            let mut alerts = Vec::new();
            self.release_by_clock(ctx, &mut alerts);
            return on_record(RecordReport {
                text: "",
                verdict: Verdict::Prefiltered,
                alerts,
                observed: None,
            });
        }
        input::split_bytes(doc, &mut |piece| {
            let mut alerts = Vec::new();
            self.release_by_clock(ctx, &mut alerts);
            let mut observed = None;
            let (text, verdict) = match piece {
                Piece::Invalid { text, error } => (text, Verdict::Unparseable(error)),
                Piece::NotCloudTrail { text, reason } => (text, Verdict::NotCloudTrail(reason)),
                Piece::Record(record) => (
                    record.text,
                    self.judge(record, ctx, mode, &mut alerts, &mut observed),
                ),
            };
            self.stats.count(&verdict);
            on_record(RecordReport {
                text,
                verdict,
                alerts,
                observed,
            });
        });
    }

    /// Normalise and match one record; if it is a matching event, judge its terms now
    /// or hold it in the reorder window (and then say in `observed` what it counted).
    /// Held events that this record's time releases are judged here too.
    fn judge(
        &mut self,
        record: Record<'_>,
        ctx: Context,
        mode: Mode,
        alerts: &mut Vec<Alert>,
        observed: &mut Option<Observed>,
    ) -> Verdict {
        let text = record.text;
        let paths = prepared::Paths {
            fast: self.fast_path,
            view: self.view_judging,
        };
        match prepared::prepare(record, &self.query, paths, self.nesting_limit) {
            Ok(event) => self.judge_event(text, event, ctx, mode, alerts, observed),
            Err(verdict) => verdict,
        }
    }

    /// Judge one event the query selects (`text` is its record's text): drop it on an
    /// exception or without time or terms, else judge its terms now or hold it.
    fn judge_event(
        &mut self,
        text: &str,
        mut event: Prepared<'_>,
        ctx: Context,
        mode: Mode,
        alerts: &mut Vec<Alert>,
        observed: &mut Option<Observed>,
    ) -> Verdict {
        if event.excepted(&self.config) {
            return Verdict::Excepted;
        }
        let Some(t) = event.time(&self.config, ctx) else {
            return Verdict::NoTimestamp;
        };
        let (terms, truncated) = match event.terms(&self.config.new_terms_fields) {
            Extraction::Terms { terms, truncated } => (terms, truncated),
            Extraction::Missing(_) => return Verdict::MissingTerms,
        };
        self.stats.terms_truncated += u64::from(truncated);
        let (account, address) = if self.origins {
            (
                event.value("cloud.account.id", "aws.cloudtrail.recipient_account_id"),
                event.value("source.address", "source.ip"),
            )
        } else {
            (None, None)
        };
        let watermark = self.watermark.map_or(t, |w| w.max(t));
        self.watermark = Some(watermark);
        let start = self.learning_start.map_or(t, |s| s.min(t));
        self.learning_start = Some(start);
        let horizon = self.horizon();
        let late = t < horizon;
        self.stats.late += u64::from(late);
        // Judged at once: priming; an event already behind the window; an event none of
        // whose terms can be new whatever arrives later (each has an occurrence at or
        // before it, within the history window); or nothing is held and its time is
        // already behind the window's edge (always so with a window of 0s).
        let now = mode == Mode::Learn
            || late
            || (self.pending.is_empty() && t <= horizon)
            || terms.iter().all(|term| {
                self.store
                    .repeats(term.key, t, self.config.history_window.millis(), horizon)
            });
        let seq = self.pending.next_seq();
        if now {
            let large = text.len() > SOURCE_COPY_LIMIT;
            let judged = Judged {
                t,
                watermark: horizon,
                large,
                mode,
                deferred: false,
            };
            self.decide(&mut event, &terms, judged, ctx, alerts);
        } else {
            self.stats.held += 1;
            let (meta, form) = event.meta_and_form();
            let event = PendingEvent {
                time: t,
                seq,
                held_at: ctx.detection_time.clock(),
                text: text.into(),
                meta,
                form,
                terms: terms.clone(),
            };
            if let Some(journal) = &mut self.journal {
                journal.hold(&event);
            }
            self.pending.hold(event);
        }
        self.release(horizon, ctx, alerts, Some(seq));
        self.store
            .expire(horizon, self.config.history_window.millis());
        *observed = Some(Observed {
            time: t,
            terms,
            account,
            address,
        });
        Verdict::Recorded
    }
}

mod context;
mod decide;
mod journal;
mod ordering;
mod prepared;
mod report;
#[cfg(rule_files)]
mod rule_member;
#[cfg(test)]
mod tests;
