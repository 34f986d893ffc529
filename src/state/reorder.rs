//! The reorder window: matching events are judged in the order of their time basis, not
//! in the order they arrive, as Elastic's searches see them.
//!
//! CloudTrail delivers each region's events in files every few minutes, and a pipeline
//! or a replay interleaves those files by delivery, so one principal's scans in five
//! regions within seconds can arrive minutes apart and out of order. An event that may
//! be new is held here until the newest event time seen (the watermark) has passed its
//! own time by `reorder_window`; then every held event up to that point is judged in
//! time order (ties in arrival order).
//!
//! Only events that may be new are held: one whose every term already has an earlier
//! occurrence within the history window cannot become new whatever arrives later, and
//! is judged on arrival (the detector checks that with `TermStore::repeats`). The buffer is
//! bounded by `max_pending`: past it, the earliest held event is judged early (counted
//! as `released_early`), never dropped.
//!
//! A host with a clock (the detection time is the wall clock) also releases an event
//! once it has been held for `reorder_window` of that clock, so that in a quiet live
//! stream an alert waits at most that long for the next record. Replays with the event
//! time as detection time depend on event times only, so they are reproducible.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};

use crate::hashing::KeyHashSet;

use crate::ecs::{SourceForm, SourceMeta};
use crate::rule::terms::Term;
use crate::time::Millis;

/// One held event: what judging and rendering it later needs.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEvent {
    /// Its time basis.
    pub time: Millis,
    /// Arrival order (ties in time are judged in this order).
    pub seq: u64,
    /// The host's clock when it arrived, when the host passed one.
    pub held_at: Option<Millis>,
    /// The record's exact text, from which its ECS document is rebuilt if it alerts.
    pub text: Box<str>,
    pub meta: SourceMeta,
    pub form: SourceForm,
    pub terms: Vec<Term>,
}

/// The most record text the buffer holds, whatever `max_pending` allows: past it the
/// earliest held events are judged early, as past `max_pending`, so that a few huge
/// hostile records cannot hold a lot of memory.
pub const MAX_PENDING_BYTES: usize = 64 << 20;

/// A held event in the heap, ordered by `(time, seq)` alone.
#[derive(Debug, Clone)]
struct Held(Box<PendingEvent>);

impl Held {
    fn key(&self) -> (Millis, u64) {
        (self.0.time, self.0.seq)
    }
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Held {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// Held events in time order (a min-heap: O(log n) in and out), with their arrival
/// order for the clock.
#[derive(Debug, Clone, Default)]
pub struct ReorderBuffer {
    by_time: BinaryHeap<Reverse<Held>>,
    /// The arrival numbers of the held events.
    held: KeyHashSet<u64>,
    /// The held records' text, in bytes.
    bytes: usize,
    /// `(held_at, time, seq)` in arrival order, for hosts with a clock. Entries whose
    /// event has already been released are skipped when reached.
    by_arrival: VecDeque<(Millis, Millis, u64)>,
    next_seq: u64,
}

impl ReorderBuffer {
    pub fn len(&self) -> usize {
        self.by_time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_time.is_empty()
    }

    /// The arrival number the next event gets.
    pub fn next_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Hold an event (its `seq` from [`Self::next_seq`]).
    pub fn hold(&mut self, event: PendingEvent) {
        if let Some(at) = event.held_at {
            self.by_arrival.push_back((at, event.time, event.seq));
            // Entries of events released by the watermark stay until the clock reaches
            // them: drop them once they outnumber the held events, so that this list
            // stays within twice the buffer (amortised O(1) per event).
            if self.by_arrival.len() > 2 * self.by_time.len() + 1024 {
                let held = &self.held;
                self.by_arrival.retain(|(_, _, seq)| held.contains(seq));
            }
        }
        self.bytes += event.text.len();
        self.held.insert(event.seq);
        self.by_time.push(Reverse(Held(Box::new(event))));
    }

    /// The earliest held event if `take` accepts its `(time, seq)`.
    fn pop_if(&mut self, take: impl FnOnce((Millis, u64)) -> bool) -> Option<PendingEvent> {
        let Reverse(first) = self.by_time.peek()?;
        if !take(first.key()) {
            return None;
        }
        let Reverse(Held(event)) = self.by_time.pop()?;
        self.bytes -= event.text.len();
        self.held.remove(&event.seq);
        Some(*event)
    }

    /// The earliest held event if its time is at most `upto`.
    pub fn pop_until(&mut self, upto: Millis) -> Option<PendingEvent> {
        self.pop_if(|(time, _)| time <= upto)
    }

    /// The earliest held event when more than `max` are held, or more than
    /// [`MAX_PENDING_BYTES`] of text.
    pub fn pop_overflow(&mut self, max: usize) -> Option<PendingEvent> {
        if self.by_time.len() > max || self.bytes > MAX_PENDING_BYTES {
            self.pop_first()
        } else {
            None
        }
    }

    /// The earliest held event, whatever its time (end of input).
    pub fn pop_first(&mut self) -> Option<PendingEvent> {
        self.pop_if(|_| true)
    }

    /// The latest `(time, seq)` among events held since `now - window` or earlier by
    /// the host's clock: everything up to it is due. `None` when nothing is due.
    pub fn due_by_clock(&mut self, now: Millis, window: Millis) -> Option<(Millis, u64)> {
        let mut due = None;
        while let Some(&(at, time, seq)) = self.by_arrival.front() {
            if now.saturating_sub(at) < window {
                break;
            }
            self.by_arrival.pop_front();
            if self.held.contains(&seq) {
                due = due.max(Some((time, seq)));
            }
        }
        if self.by_time.is_empty() {
            self.by_arrival.clear();
        }
        due
    }

    /// The earliest held event if it sorts at or before `key`.
    pub fn pop_through(&mut self, key: (Millis, u64)) -> Option<PendingEvent> {
        self.pop_if(|first| first <= key)
    }

    /// Every held event in time order (for snapshots).
    pub fn in_time_order(&self) -> Vec<&PendingEvent> {
        let mut events: Vec<&PendingEvent> = self.by_time.iter().map(|r| &*r.0 .0).collect();
        events.sort_by_key(|e| (e.time, e.seq));
        events
    }

    /// Rebuild from a snapshot's held events and arrival counter.
    pub fn restore(events: Vec<PendingEvent>, next_seq: u64) -> Self {
        let mut buffer = ReorderBuffer {
            next_seq,
            ..Default::default()
        };
        let mut arrivals: Vec<(Millis, Millis, u64)> = events
            .iter()
            .filter_map(|e| e.held_at.map(|at| (at, e.time, e.seq)))
            .collect();
        arrivals.sort_by_key(|&(_, _, seq)| seq);
        buffer.by_arrival = arrivals.into();
        for e in events {
            buffer.next_seq = buffer.next_seq.max(e.seq + 1);
            buffer.bytes += e.text.len();
            buffer.held.insert(e.seq);
            buffer.by_time.push(Reverse(Held(Box::new(e))));
        }
        buffer
    }

    pub fn next_seq_value(&self) -> u64 {
        self.next_seq
    }

    /// Whether the event with arrival number `seq` is held.
    pub fn contains(&self, seq: u64) -> bool {
        self.held.contains(&seq)
    }

    /// Number the next event at least `next` (a journal's replay).
    pub fn advance_seq(&mut self, next: u64) {
        self.next_seq = self.next_seq.max(next);
    }

    /// Drop the held events whose arrival numbers are in `judged` (a journal's replay:
    /// they were judged before the stop). One rebuild, whatever their number.
    pub fn forget(&mut self, judged: &KeyHashSet<u64>) {
        if !judged.iter().any(|seq| self.held.contains(seq)) {
            return;
        }
        let next_seq = self.next_seq;
        let events = std::mem::take(&mut self.by_time)
            .into_vec()
            .into_iter()
            .map(|Reverse(Held(event))| *event)
            .filter(|event| !judged.contains(&event.seq))
            .collect();
        *self = ReorderBuffer::restore(events, next_seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time: Millis, seq: u64, held_at: Option<Millis>) -> PendingEvent {
        PendingEvent {
            time,
            seq,
            held_at,
            text: "{}".into(),
            meta: SourceMeta::default(),
            form: SourceForm::CloudTrail,
            terms: Vec::new(),
        }
    }

    fn drain(
        b: &mut ReorderBuffer,
        f: impl Fn(&mut ReorderBuffer) -> Option<PendingEvent>,
    ) -> Vec<(Millis, u64)> {
        std::iter::from_fn(|| f(b))
            .map(|e| (e.time, e.seq))
            .collect()
    }

    #[test]
    fn released_in_time_order_ties_in_arrival_order() {
        let mut b = ReorderBuffer::default();
        for (t, _) in [(30, 0), (10, 1), (20, 2), (10, 3), (40, 4)] {
            let seq = b.next_seq();
            b.hold(event(t, seq, None));
        }
        assert_eq!(
            drain(&mut b, |b| b.pop_until(20)),
            vec![(10, 1), (10, 3), (20, 2)]
        );
        assert_eq!(drain(&mut b, |b| b.pop_overflow(1)), vec![(30, 0)]);
        assert_eq!(drain(&mut b, ReorderBuffer::pop_first), vec![(40, 4)]);
        assert!(b.is_empty());
        assert_eq!(b.bytes, 0);
    }

    #[test]
    fn held_text_is_bounded_in_bytes() {
        let mut b = ReorderBuffer::default();
        for t in 0..3 {
            let seq = b.next_seq();
            let mut e = event(t, seq, None);
            e.text = "x".repeat(MAX_PENDING_BYTES / 2).into();
            b.hold(e);
        }
        assert_eq!(drain(&mut b, |b| b.pop_overflow(usize::MAX)), vec![(0, 0)]);
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn the_clock_releases_what_has_waited_long_enough_and_all_before_it() {
        let mut b = ReorderBuffer::default();
        // Arrival (held_at) and event time disagree in order.
        for (t, at) in [(50, 100), (20, 105), (60, 110)] {
            let seq = b.next_seq();
            b.hold(event(t, seq, Some(at)));
        }
        assert_eq!(b.due_by_clock(104, 5), None);
        let due = b.due_by_clock(106, 5).expect("two have waited 5");
        assert_eq!(due, (50, 0));
        assert_eq!(
            drain(&mut b, |b| b.pop_through(due)),
            vec![(20, 1), (50, 0)]
        );
        // The entry of the already released (20, 1) is skipped.
        assert_eq!(b.due_by_clock(114, 5), None);
        assert_eq!(b.due_by_clock(115, 5), Some((60, 2)));
    }

    /// Events the watermark releases leave no trace in the clock's list for long: it
    /// stays within twice the held events (plus a constant), however long the clock
    /// takes to reach them.
    #[test]
    fn the_clock_list_stays_bounded_when_the_watermark_releases() {
        let mut b = ReorderBuffer::default();
        for t in 0..100_000 {
            let seq = b.next_seq();
            b.hold(event(t, seq, Some(0)));
            while b.pop_until(t - 10).is_some() {}
            assert!(
                b.by_arrival.len() <= 2 * b.len() + 1025,
                "{}",
                b.by_arrival.len()
            );
        }
        assert_eq!(b.len(), 10);
        // Still complete for the events held.
        assert_eq!(b.due_by_clock(1 << 40, 5), Some((99_999, 99_999)));
    }

    #[test]
    fn forgetting_judged_events_keeps_the_rest_in_order() {
        let mut b = ReorderBuffer::default();
        for (t, at) in [(50, 100), (20, 105), (60, 110), (30, 111)] {
            let seq = b.next_seq();
            b.hold(event(t, seq, Some(at)));
        }
        let judged: KeyHashSet<u64> = [1, 7].into_iter().collect();
        b.forget(&judged);
        assert!(!b.contains(1) && b.contains(0));
        assert_eq!(b.len(), 3);
        assert_eq!(b.bytes, 6);
        assert_eq!(b.next_seq(), 4, "numbering goes on");
        // The clock's list lost the forgotten event's entry too.
        assert_eq!(b.due_by_clock(110, 5), Some((50, 0)));
        assert_eq!(
            drain(&mut b, ReorderBuffer::pop_first),
            vec![(30, 3), (50, 0), (60, 2)]
        );
    }

    #[test]
    fn restore_keeps_order_and_numbering() {
        let events = vec![event(5, 7, Some(1)), event(3, 9, None)];
        let mut b = ReorderBuffer::restore(events, 4);
        assert_eq!(b.next_seq(), 10);
        assert_eq!(
            drain(&mut b, ReorderBuffer::pop_first),
            vec![(3, 9), (5, 7)]
        );
    }
}
