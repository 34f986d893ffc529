//! A detector as one rule of a [`crate::rule_set::RuleSet`]: the set reads each record
//! once (its ECS document built at most once), and each rule judges it with its own
//! query, state, cap and reorder window. Its counters then count only the records its
//! query selected.

use super::{Context, Detector, Mode, Observed, Verdict};
use crate::alert::Alert;
use crate::ecs::raw_view::RawView;
use crate::ecs::SourceEvent;
use crate::rule::kql::RequiredText;
use crate::rule::query::{Query, RawJudgement, RawKeys};

use super::prepared::{normalise, Prepared};
use crate::input::Record;

impl Detector {
    /// Whether a raw record's `eventSource` and `eventName` are ones this rule's query
    /// may select.
    pub(crate) fn admits_raw(&self, keys: &RawKeys<'_>) -> bool {
        self.query.admits_keys(keys)
    }

    /// Whether this rule's query is judged on a raw record's view alone.
    pub(crate) fn in_view(&self) -> bool {
        self.view_judging && self.query.in_view()
    }

    /// What a raw record's view says about whether this rule's query selects it.
    pub(crate) fn judge_view(&self, view: &RawView<'_>) -> RawJudgement {
        self.query.judge_view(view)
    }

    /// Whether this rule's query selects an event's ECS document.
    pub(crate) fn selects(&self, doc: &serde_json::Map<String, serde_json::Value>) -> bool {
        self.query.matches_ecs(doc)
    }

    /// What this rule's query requires of a matching document's text (nothing for the
    /// built-in query, which has a pre-check of its own).
    pub(crate) fn required_text(&self) -> RequiredText {
        match &self.query {
            Query::Kql(q) => q.required.clone(),
            Query::Scan { .. } => RequiredText::default(),
        }
    }

    /// Judge events held for the whole reorder window by `ctx`'s clock.
    pub(crate) fn release_by_host_clock(&mut self, ctx: Context, alerts: &mut Vec<Alert>) {
        self.release_by_clock(ctx, alerts);
    }

    /// Judge a raw record this rule's query selected on its raw fields: on its view when
    /// the rule's fields allow (the fast path: its ECS document is built only for an
    /// alert), else on its ECS document. Counted, and what it counted said.
    pub(crate) fn judge_selected_raw(
        &mut self,
        record: Record<'_>,
        ctx: Context,
        learn: bool,
        alerts: &mut Vec<Alert>,
    ) -> (Verdict, Option<Observed>) {
        let text = record.text;
        let event = match &record.cloudtrail {
            Some(fields) if self.fast_path => {
                let view = RawView::new(fields);
                Prepared::Raw {
                    record: record.clone(),
                    view,
                    built: None,
                }
            }
            _ => match normalise(text, record.meta.clone(), record.cloudtrail.is_some()) {
                Ok(source) => Prepared::Full(source),
                Err(verdict) => {
                    self.stats.count(&verdict);
                    return (verdict, None);
                }
            },
        };
        self.judge_prepared(text, event, ctx, learn, alerts)
    }

    fn judge_prepared(
        &mut self,
        text: &str,
        event: Prepared<'_>,
        ctx: Context,
        learn: bool,
        alerts: &mut Vec<Alert>,
    ) -> (Verdict, Option<Observed>) {
        let mode = if learn { Mode::Learn } else { Mode::Alert };
        let mut observed = None;
        let verdict = self.judge_event(text, event, ctx, mode, alerts, &mut observed);
        self.stats.count(&verdict);
        (verdict, observed)
    }

    /// Judge an event this rule's query selected (`text` is its record's text), count it,
    /// and say what it counted.
    pub(crate) fn judge_selected(
        &mut self,
        text: &str,
        source: SourceEvent,
        ctx: Context,
        learn: bool,
        alerts: &mut Vec<Alert>,
    ) -> (Verdict, Option<Observed>) {
        self.judge_prepared(text, Prepared::Full(source), ctx, learn, alerts)
    }
}
