//! A detector as one rule of a [`crate::rule_set::RuleSet`]: the set reads and
//! normalises each record once, and each rule judges the shared event with its own
//! query, state, cap and reorder window. Its counters then count only the records its
//! query selected.

use super::{Context, Detector, Mode, Observed, Verdict};
use crate::alert::Alert;
use crate::ecs::SourceEvent;
use crate::input::CloudTrailFields;
use crate::rule::query::RawJudgement;

use super::prepared::Prepared;

impl Detector {
    /// What a raw record's own fields say about whether this rule's query selects it.
    pub(crate) fn judge_raw_fields(&self, fields: &CloudTrailFields<'_>) -> RawJudgement {
        self.query.judge_cloudtrail(fields)
    }

    /// Whether this rule's query selects an event's ECS document.
    pub(crate) fn selects(&self, doc: &serde_json::Map<String, serde_json::Value>) -> bool {
        self.query.matches_ecs(doc)
    }

    /// `false` when a document's bytes show that none of its records can match this rule.
    pub(crate) fn may_match_text(&self, doc: &[u8]) -> bool {
        self.query.may_match_text(doc)
    }

    /// Judge events held for the whole reorder window by `ctx`'s clock.
    pub(crate) fn release_by_host_clock(&mut self, ctx: Context, alerts: &mut Vec<Alert>) {
        self.release_by_clock(ctx, alerts);
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
        let mode = if learn { Mode::Learn } else { Mode::Alert };
        let mut observed = None;
        let verdict = self.judge_event(
            text,
            Prepared::Full(source),
            ctx,
            mode,
            alerts,
            &mut observed,
        );
        self.stats.count(&verdict);
        (verdict, observed)
    }
}
