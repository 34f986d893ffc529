//! The alert cap: at most `max_signals` alerts per `interval` window of the time basis
//! (windows are aligned to the epoch, as Kibana's 5-minute schedule is to its start).
//!
//! Past the cap nothing vanishes silently: each suppressed alert is counted, its terms
//! are listed (up to [`MAX_LISTED_TERMS`], with the truncation stated), and a summary
//! is produced when the window closes (a later window's candidate arrives) or when the
//! host flushes at the end of its input. Reaching the cap exactly produces no summary.
//! A candidate from an earlier window than the current one (out of order) counts
//! against the current window.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::time::Millis;

/// How many suppressed term tuples a summary lists by value.
pub const MAX_LISTED_TERMS: usize = 100;

/// Whether a candidate alert may be emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Emit,
    Suppress,
}

/// A closed window that suppressed alerts, ready to become a summary document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapSummary {
    pub window_start: Millis,
    pub window_end: Millis,
    pub max_signals: u32,
    pub emitted: u32,
    pub suppressed: u64,
    pub suppressed_terms: Vec<Vec<Value>>,
    pub terms_truncated: bool,
}

/// The cap's state (serialisable for snapshots).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalCap {
    interval: Millis,
    max_signals: u32,
    window: Option<i64>,
    emitted: u32,
    suppressed: u64,
    suppressed_terms: Vec<Vec<Value>>,
}

impl SignalCap {
    pub fn new(interval: Millis, max_signals: u32) -> Self {
        SignalCap {
            interval: interval.max(1),
            max_signals,
            window: None,
            emitted: 0,
            suppressed: 0,
            suppressed_terms: Vec::new(),
        }
    }

    /// Keep the counts but adopt a new interval and cap (after a restore with a new config).
    pub fn reconfigure(&mut self, interval: Millis, max_signals: u32) {
        if self.interval != interval.max(1) {
            self.window = None;
        }
        self.interval = interval.max(1);
        self.max_signals = max_signals;
    }

    /// Admit a candidate alert at time `t` with term values `terms`. Returns the summary
    /// of the window this candidate closed, if that window suppressed anything.
    pub fn admit(&mut self, t: Millis, terms: &[Value]) -> (Option<CapSummary>, Admission) {
        let w = t.div_euclid(self.interval);
        let mut closed = None;
        match self.window {
            Some(current) if w > current => {
                closed = self.take_summary();
                self.window = Some(w);
                self.emitted = 0;
            }
            Some(_) => {}
            None => self.window = Some(w),
        }
        if self.emitted < self.max_signals {
            self.emitted += 1;
            return (closed, Admission::Emit);
        }
        self.suppressed += 1;
        if self.suppressed_terms.len() < MAX_LISTED_TERMS {
            self.suppressed_terms.push(terms.to_vec());
        }
        (closed, Admission::Suppress)
    }

    /// The summary of the current window if it suppressed anything (end of input).
    pub fn flush(&mut self) -> Option<CapSummary> {
        self.take_summary()
    }

    fn take_summary(&mut self) -> Option<CapSummary> {
        if self.suppressed == 0 {
            return None;
        }
        let start = self.window.unwrap_or(0).saturating_mul(self.interval);
        let summary = CapSummary {
            window_start: start,
            window_end: start.saturating_add(self.interval),
            max_signals: self.max_signals,
            emitted: self.emitted,
            suppressed: self.suppressed,
            terms_truncated: self.suppressed > self.suppressed_terms.len() as u64,
            suppressed_terms: std::mem::take(&mut self.suppressed_terms),
        };
        self.suppressed = 0;
        Some(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const I: Millis = 300_000;

    fn run(cap: &mut SignalCap, times: &[Millis]) -> (usize, Vec<CapSummary>) {
        let mut emitted = 0;
        let mut summaries = Vec::new();
        for (i, &t) in times.iter().enumerate() {
            let (closed, adm) = cap.admit(t, &[json!(i)]);
            summaries.extend(closed);
            emitted += usize::from(adm == Admission::Emit);
        }
        summaries.extend(cap.flush());
        (emitted, summaries)
    }

    /// semantics.md §6.5 item 30: 150 new terms in one interval with a cap of 100.
    #[test]
    fn item_30_cap_suppresses_and_summarises_the_rest() {
        let mut cap = SignalCap::new(I, 100);
        let (emitted, summaries) = run(&mut cap, &vec![1_000; 150]);
        assert_eq!(emitted, 100);
        assert_eq!(summaries.len(), 1);
        let s = &summaries[0];
        assert_eq!((s.suppressed, s.emitted, s.max_signals), (50, 100, 100));
        assert_eq!(s.suppressed_terms.len(), 50);
        assert!(!s.terms_truncated);
        assert_eq!((s.window_start, s.window_end), (0, I));
    }

    /// NT-3: exactly reaching the cap gives no summary.
    #[test]
    fn item_30_exactly_the_cap_has_no_summary() {
        let mut cap = SignalCap::new(I, 100);
        let (emitted, summaries) = run(&mut cap, &vec![5; 100]);
        assert_eq!((emitted, summaries.len()), (100, 0));
    }

    /// semantics.md §6.5 item 31: max_signals 200 gives 200.
    #[test]
    fn item_31_a_larger_cap_emits_more() {
        let mut cap = SignalCap::new(I, 200);
        assert_eq!(run(&mut cap, &vec![5; 200]).0, 200);
    }

    #[test]
    fn windows_reset_and_close_with_a_summary() {
        let mut cap = SignalCap::new(I, 2);
        let (emitted, summaries) = run(&mut cap, &[0, 1, 2, 3, I, I + 1, I + 2, 2 * I + 5]);
        assert_eq!(emitted, 5);
        assert_eq!(
            summaries
                .iter()
                .map(|s| (s.window_start, s.suppressed))
                .collect::<Vec<_>>(),
            [(0, 2), (I, 1)]
        );
    }

    #[test]
    fn listed_terms_are_bounded_and_truncation_is_stated() {
        let mut cap = SignalCap::new(I, 1);
        let (_, summaries) = run(&mut cap, &vec![0; 1 + MAX_LISTED_TERMS + 7]);
        assert_eq!(summaries[0].suppressed, (MAX_LISTED_TERMS + 7) as u64);
        assert_eq!(summaries[0].suppressed_terms.len(), MAX_LISTED_TERMS);
        assert!(summaries[0].terms_truncated);
    }
}
