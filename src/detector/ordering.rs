//! The reorder window's side of the detector: when held events are judged (the
//! watermark passed them, the host's clock did, the buffer is full, or the input ended)
//! and how (as a time-ordered replay judges them). The buffer itself is
//! [`crate::state::reorder`].

use super::decide::Judged;
use super::{prepared, Context, Detector, Mode};
use crate::alert::document::SOURCE_COPY_LIMIT;
use crate::alert::Alert;
use crate::state::reorder::PendingEvent;
use crate::time::Millis;

impl Detector {
    /// For hosts with a clock that hand some records on without processing them (a
    /// pre-check, a router): the alerts of events held for the whole reorder window by
    /// `ctx`'s clock, as [`Self::process`] would decide them at its next record. Empty
    /// when nothing is held or `ctx` has no clock.
    pub fn release_due(&mut self, ctx: Context) -> Vec<Alert> {
        let mut alerts = Vec::new();
        self.release_by_clock(ctx, &mut alerts);
        alerts
    }

    /// How many matching events the reorder window holds now.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The reorder window's edge: events at or before it are judged, later ones held.
    pub(super) fn horizon(&self) -> Millis {
        self.watermark
            .unwrap_or(Millis::MIN)
            .saturating_sub(self.config.reorder_window.millis())
    }

    /// Judge the held events at or before `horizon`, and the earliest ones past
    /// `max_pending` (or the buffer's byte bound), in time order. `current` is the
    /// arrival number of the record being processed: its own alerts are not deferred.
    pub(super) fn release(
        &mut self,
        horizon: Millis,
        ctx: Context,
        alerts: &mut Vec<Alert>,
        current: Option<u64>,
    ) {
        loop {
            let event = if let Some(e) = self.pending.pop_until(horizon) {
                e
            } else if let Some(e) = self.pending.pop_overflow(self.config.max_pending.get()) {
                self.stats.released_early += 1;
                e
            } else {
                break;
            };
            self.judge_held(event, ctx, alerts, current);
        }
    }

    /// For a host with a clock: judge the events held for `reorder_window` of it (and
    /// every event before them in time order).
    pub(super) fn release_by_clock(&mut self, ctx: Context, alerts: &mut Vec<Alert>) {
        if self.pending.is_empty() {
            return;
        }
        let Some(now) = ctx.detection_time.clock() else {
            return;
        };
        let window = self.config.reorder_window.millis();
        if let Some(due) = self.pending.due_by_clock(now, window) {
            while let Some(event) = self.pending.pop_through(due) {
                self.judge_held(event, ctx, alerts, None);
            }
        }
    }

    pub(super) fn judge_held(
        &mut self,
        event: PendingEvent,
        ctx: Context,
        alerts: &mut Vec<Alert>,
        current: Option<u64>,
    ) {
        if let Some(journal) = &mut self.journal {
            journal.judged(event.seq);
        }
        // Judged as a time-ordered replay judges it, with its own time as the newest.
        let judged = Judged {
            t: event.time,
            watermark: event.time,
            large: event.text.len() > SOURCE_COPY_LIMIT,
            mode: Mode::Alert,
            deferred: current != Some(event.seq),
        };
        let mut source = prepared::Rebuilt::new(&event);
        self.decide(&mut source, &event.terms, judged, ctx, alerts);
    }
}
