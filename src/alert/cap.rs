//! The alert cap: at most `max_signals` alerts per `interval` window of the time basis
//! (windows are aligned to the epoch, as Kibana's 5-minute schedule is to its start).
//!
//! Past the cap nothing vanishes silently: each suppressed alert is counted, its terms
//! are listed (up to [`MAX_LISTED_TERMS`], with the truncation stated), and a summary
//! is produced when the window closes (a later window's candidate arrives) or when the
//! host flushes at the end of its input. Reaching the cap exactly produces no summary.
//! A candidate from an earlier window than the current one (out of order) counts
//! against the current window.

use serde::Serialize;
use serde_json::Value;

use crate::json_fields::Fields;
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapSummary {
    pub window_start: Millis,
    pub window_end: Millis,
    pub max_signals: u32,
    pub emitted: u32,
    pub suppressed: u64,
    pub suppressed_terms: Vec<Vec<Value>>,
    pub terms_truncated: bool,
}

/// The cap's state (written into snapshots and journal entries, keys in field order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalCap {
    interval: Millis,
    max_signals: u32,
    window: Option<i64>,
    emitted: u32,
    suppressed: u64,
    suppressed_terms: Vec<Vec<Value>>,
    /// The summary of a window closed by a change of interval, delivered by the next
    /// `admit` or `flush`. Written only when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<CapSummary>,
}

impl CapSummary {
    /// A summary as its `Serialize` writes it (unknown keys ignored).
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let f = Fields::of(value, "cap.pending")?;
        Ok(CapSummary {
            window_start: f.i64("window_start")?,
            window_end: f.i64("window_end")?,
            max_signals: f.u32("max_signals")?,
            emitted: f.u32("emitted")?,
            suppressed: f.u64("suppressed")?,
            suppressed_terms: f.value_lists("suppressed_terms")?,
            terms_truncated: f.bool("terms_truncated")?,
        })
    }
}

impl SignalCap {
    /// The cap's state as one JSON object (a journal entry's `cap`).
    pub fn to_json(&self) -> Value {
        // As [`crate::stats::Stats::to_json`]: one serialiser. Cannot fail.
        serde_json::from_str(&serde_json::to_string(self).unwrap_or_default()).unwrap_or_default()
    }

    /// The cap's state as [`SignalCap::to_json`] writes it (unknown keys ignored).
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let f = Fields::of(value, "cap")?;
        Ok(SignalCap {
            interval: f.i64("interval")?,
            max_signals: f.u32("max_signals")?,
            window: f.optional_i64("window")?,
            emitted: f.u32("emitted")?,
            suppressed: f.u64("suppressed")?,
            suppressed_terms: f.value_lists("suppressed_terms")?,
            pending: f
                .optional("pending")
                .map(CapSummary::from_json)
                .transpose()?,
        })
    }

    pub fn new(interval: Millis, max_signals: u32) -> Self {
        SignalCap {
            interval: interval.max(1),
            max_signals,
            window: None,
            emitted: 0,
            suppressed: 0,
            suppressed_terms: Vec::new(),
            pending: None,
        }
    }

    /// Adopt a new interval and cap (after a restore with a new config). The current
    /// window keeps its counts when only the cap changes; a new interval closes it, and
    /// what it suppressed becomes a pending summary rather than leaking into a window
    /// of a different length.
    pub fn reconfigure(&mut self, interval: Millis, max_signals: u32) {
        if self.interval != interval.max(1) {
            let closed = self.take_summary();
            self.pending = self.pending.take().or(closed);
            self.window = None;
            self.emitted = 0;
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
            None => {
                closed = self.pending.take();
                self.window = Some(w);
            }
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
        self.pending.take().or_else(|| self.take_summary())
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

    /// `src/README.md` test plan item 30: 150 new terms in one interval with a cap of 100.
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

    /// `src/README.md` test plan item 31: max_signals 200 gives 200.
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

    /// A restore with a new interval closes the old window: its suppressed alerts are
    /// summarised under the old window, and the new window starts with a fresh count.
    #[test]
    fn a_new_interval_closes_the_window_and_keeps_its_summary() {
        for then_flush in [false, true] {
            let mut cap = SignalCap::new(I, 2);
            let (emitted, none) = {
                let mut e = 0;
                let mut s = Vec::new();
                for t in [0, 1, 2, 3] {
                    let (closed, adm) = cap.admit(t, &[json!(t)]);
                    s.extend(closed);
                    e += usize::from(adm == Admission::Emit);
                }
                (e, s)
            };
            assert_eq!((emitted, none.len()), (2, 0));
            cap.reconfigure(2 * I, 2);
            let summary = if then_flush {
                cap.flush()
            } else {
                let (closed, adm) = cap.admit(10, &[json!("new")]);
                assert_eq!(adm, Admission::Emit, "the new window starts empty");
                closed
            };
            let summary = summary.expect("the old window's summary");
            assert_eq!(
                (summary.window_start, summary.window_end, summary.suppressed),
                (0, I, 2)
            );
            assert_eq!(
                summary.suppressed_terms,
                vec![vec![json!(2)], vec![json!(3)]]
            );
            assert_eq!(cap.flush(), None, "delivered once");
        }
    }

    /// A snapshot's `cap`: written in field order (the header's text is part of the
    /// snapshot format), `pending` only when set, and read back to the same state.
    #[test]
    fn the_state_is_written_as_json_and_read_back() {
        let mut cap = SignalCap::new(I, 1);
        for t in [0, 1, 2] {
            cap.admit(t, &[json!(t), json!({"a": [1.5]})]);
        }
        assert_eq!(
            cap.to_json().to_string(),
            r#"{"interval":300000,"max_signals":1,"window":0,"emitted":1,"suppressed":2,"suppressed_terms":[[1,{"a":[1.5]}],[2,{"a":[1.5]}]]}"#
        );
        assert_eq!(SignalCap::from_json(&cap.to_json()), Ok(cap.clone()));
        cap.reconfigure(2 * I, 1);
        assert_eq!(
            cap.to_json().to_string(),
            r#"{"interval":600000,"max_signals":1,"window":null,"emitted":0,"suppressed":0,"suppressed_terms":[],"pending":{"window_start":0,"window_end":300000,"max_signals":1,"emitted":1,"suppressed":2,"suppressed_terms":[[1,{"a":[1.5]}],[2,{"a":[1.5]}]],"terms_truncated":false}}"#
        );
        assert_eq!(SignalCap::from_json(&cap.to_json()), Ok(cap));
    }

    /// Changing only the cap keeps the window and its counts.
    #[test]
    fn a_new_cap_keeps_the_window() {
        let mut cap = SignalCap::new(I, 2);
        cap.admit(0, &[json!(0)]);
        cap.admit(1, &[json!(1)]);
        cap.reconfigure(I, 3);
        assert_eq!(cap.admit(2, &[json!(2)]), (None, Admission::Emit));
        assert_eq!(cap.admit(3, &[json!(3)]), (None, Admission::Suppress));
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
