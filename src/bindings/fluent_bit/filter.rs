//! One filter instance: the detector, the module's settings, the reused output buffer
//! and the counters. Platform-independent, so it is tested natively; `exports` only
//! turns Fluent Bit's pointers into a [`Record`] and a [`Reply`] back into a pointer.

use std::ffi::CStr;
use std::path::Path;

use serde::Serialize;

use super::engine::Engine;
use super::files::{self, Persistence};
use super::journal::JournalCounters;
use super::options::{DetectionClock, Options};
use super::output::{self, ErrorRecord, Kind};
use super::HEARTBEAT;
use crate::time::Millis;
use crate::{Alert, Context, DetectionTime, Verdict};

/// Which exported function is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every record out; the one that raised alerts carries them under one key.
    Annotate,
    /// Only alerts out; every other record dropped.
    AlertsOnly,
}

/// The record as the host delivered it.
#[derive(Clone, Copy)]
pub enum Record<'a> {
    /// Text of any kind: validated before it is handed back unchanged.
    Bytes(&'a [u8]),
    /// The text Fluent Bit wrote from its own record (`Event_Format json`: one JSON
    /// object, which Fluent Bit parses again from the reply), with the host's substring
    /// search over it. A record that cannot hold a Scan is handed back unread; in WAMR's
    /// interpreter reading it byte by byte would cost more than all of Fluent Bit's
    /// own work on it.
    FluentBitJson {
        text: &'a [u8],
        contains: &'a dyn Fn(&CStr) -> bool,
    },
    /// The host passed no usable pointer (its copy into the module failed); the length
    /// it announced.
    Missing(u32),
}

/// What to hand back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// The record as it came in (the host's own NUL-terminated copy may be returned).
    Unchanged,
    /// An empty string: Fluent Bit drops the record.
    Drop,
    /// [`Filter::output`]: one JSON object followed by a NUL byte.
    Output,
}

/// What the module itself counted (the detector counts the rest).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Counters {
    pub calls: u64,
    /// Records the detector could not read (whole or in part): invalid UTF-8 or JSON,
    /// nesting past `max_nesting`, a broken container. Also in the detector's counts.
    pub unjudged: u64,
    /// Records the host could not copy into the module (null pointer).
    pub missing: u64,
    /// Records that were not valid JSON (annotate: replaced by an error object).
    pub not_json: u64,
    /// Valid JSON that was not an object (annotate: wrapped in an error object).
    pub not_object: u64,
    /// Records with invalid UTF-8, passed on with U+FFFD in place of the bad bytes.
    pub repaired_utf8: u64,
    /// Annotate: records that got the alerts key.
    pub annotated: u64,
    /// Alerts-only: records that became one alert document.
    pub alert_records: u64,
    /// Alerts-only: records that caused several documents and became a bundle.
    pub bundles: u64,
    /// Heartbeat records answered with these counters (`heartbeat_stats`).
    pub heartbeats: u64,
}

/// One filter instance (one per `[FILTER]` section in Fluent Bit 4.1.2 and later).
pub struct Filter {
    pub(super) engine: Engine,
    pub(super) options: Options,
    pub(super) persistence: Option<Persistence>,
    out: Vec<u8>,
    pub(super) counters: Counters,
    /// With rule files: how many the rules directory held that were refused.
    rules_refused: Option<u64>,
    log: Box<dyn FnMut(&str)>,
}

impl Filter {
    /// Start from the files in `home`; report through `log` (one line per message).
    pub fn start(home: Option<&Path>, now: Millis, log: Box<dyn FnMut(&str)>) -> Self {
        let mut log = prefixed(log);
        let startup = files::start(home, now, &mut log);
        Filter {
            engine: startup.engine,
            options: startup.options,
            persistence: startup.persistence,
            out: Vec::new(),
            counters: Counters::default(),
            rules_refused: startup.rules_refused,
            log: Box::new(log),
        }
    }

    /// Filter one record. `record_time` is Fluent Bit's record time, used only for
    /// events that carry no time of their own; `now` reads the wall clock, at most once
    /// per call and only when the record or a due snapshot needs it (most records
    /// cannot match and need no time).
    pub fn call(
        &mut self,
        mode: Mode,
        record: Record<'_>,
        record_time: Option<Millis>,
        now: &mut dyn FnMut() -> Millis,
    ) -> Reply {
        self.counters.calls += 1;
        let mut read = None;
        let mut now = || *read.get_or_insert_with(&mut *now);
        let reply = match record {
            Record::Missing(len) => self.missing(mode, len),
            Record::Bytes(bytes) => self.judge(mode, bytes, None, record_time, &mut now),
            Record::FluentBitJson { text, contains } => {
                self.judge(mode, text, Some(contains), record_time, &mut now)
            }
        };
        if let Some(p) = &mut self.persistence {
            // Before the call returns (and its alerts leave): what a stop must not lose.
            p.record(&mut self.engine, &mut *self.log);
            p.tick(&mut now, &mut self.engine, &mut *self.log);
        }
        reply
    }

    /// The text of the last [`Reply::Output`], NUL-terminated.
    pub fn output(&self) -> &[u8] {
        &self.out
    }

    /// Copy `bytes` into the output buffer, NUL-terminated (for hosts whose record copy
    /// lacks the terminator).
    pub fn set_output(&mut self, bytes: &[u8]) -> &[u8] {
        self.out.clear();
        self.out.extend_from_slice(bytes);
        self.out.push(0);
        &self.out
    }

    /// Counters as one JSON object, NUL-terminated, in the output buffer.
    pub fn stats(&mut self) -> &[u8] {
        self.write_stats();
        self.out.push(0);
        &self.out
    }

    /// Counters as one JSON object, in the output buffer.
    fn write_stats(&mut self) {
        #[derive(Serialize)]
        struct All<'a> {
            detector: serde_json::Value,
            fluent_bit: &'a Counters,
            snapshots_written: u64,
            snapshot_errors: u64,
            journal: Option<JournalCounters>,
            #[serde(skip_serializing_if = "Option::is_none")]
            rules_refused: Option<u64>,
        }
        let all = All {
            detector: self.engine.stats_json(),
            fluent_bit: &self.counters,
            snapshots_written: self.persistence.as_ref().map_or(0, |p| p.written),
            snapshot_errors: self.persistence.as_ref().map_or(0, |p| p.errors),
            journal: self.persistence.as_ref().map(Persistence::journal_counters),
            rules_refused: self.rules_refused,
        };
        self.out.clear();
        if crate::json_fields::append_json(&mut self.out, &all).is_err() {
            self.out.clear();
            self.out.extend_from_slice(b"{}");
        }
    }

    /// The heartbeat's answer: the counters as a record of their own, with the alerts
    /// decided at it (in either mode: the record is never dropped).
    fn heartbeat(&mut self, alerts: &[Alert]) -> Reply {
        self.counters.heartbeats += 1;
        if !alerts.is_empty() {
            self.counters.annotated += 1;
        }
        self.write_stats();
        let mut record = String::from(r#"{"dynamodb_scan_detector":"stats","stats":"#);
        record.push_str(&String::from_utf8_lossy(&self.out));
        record.push('}');
        if alerts.is_empty() {
            self.out.clear();
            self.out.extend_from_slice(record.as_bytes());
        } else {
            output::splice(&mut self.out, &record, alerts);
        }
        self.finish()
    }

    fn missing(&mut self, mode: Mode, len: u32) -> Reply {
        self.counters.missing += 1;
        let n = self.counters.missing;
        self.notice(n, &format!("Fluent Bit passed a null record pointer ({len} bytes): its copy into the module failed; the record is lost"));
        match mode {
            Mode::AlertsOnly => Reply::Drop,
            Mode::Annotate => {
                let reason = "the host could not copy the record into the module";
                output::error_object(&mut self.out, reason, ErrorRecord::Length(len), &[]);
                self.finish()
            }
        }
    }

    fn judge(
        &mut self,
        mode: Mode,
        bytes: &[u8],
        contains: Option<&dyn Fn(&CStr) -> bool>,
        record_time: Option<Millis>,
        now: &mut dyn FnMut() -> Millis,
    ) -> Reply {
        // Most records cannot match, and need neither a context nor the clock. For
        // annotate, one pass also proves them valid: the host takes them back unchanged.
        let wall_clock = self.options.detection_time == DetectionClock::Clock;
        let mut clock = || wall_clock.then(|| DetectionTime::At(now()));
        let pending_before = self.engine.pending();
        let mut alerts = self.release_due(pending_before, &mut clock);
        if self.options.heartbeat_stats && bytes == HEARTBEAT {
            return self.heartbeat(&alerts);
        }
        let validated = if self.rejects_unjudged(mode, bytes, contains) {
            true
        } else {
            let ctx = Context {
                detection_time: clock().unwrap_or(DetectionTime::EventTime),
                fallback_time: record_time,
            };
            self.process_record(mode, bytes, ctx, pending_before, &mut alerts)
        };
        match mode {
            Mode::AlertsOnly => self.alerts_only(&alerts),
            Mode::Annotate => self.annotate(bytes, validated, &alerts),
        }
    }

    /// The alerts of events the reorder window has held for its whole width by the
    /// clock, decided at this record, whatever it is (Fluent Bit calls filters only with
    /// records, so a quiet pipeline decides them at its next record).
    fn release_due(
        &mut self,
        pending_before: usize,
        clock: &mut dyn FnMut() -> Option<DetectionTime>,
    ) -> Vec<Alert> {
        if pending_before == 0 {
            return Vec::new();
        }
        let Some(detection_time) = clock() else {
            return Vec::new();
        };
        let alerts = self.engine.release_due(Context {
            detection_time,
            fallback_time: None,
        });
        if self.engine.pending() != pending_before {
            if let Some(p) = &mut self.persistence {
                p.mark_dirty();
            }
        }
        alerts
    }

    /// Whether the pre-check rejects the record before it is judged (counted as
    /// prefiltered). For annotate, a `true` also means the record is one valid JSON object
    /// (or Fluent Bit's own text of one), so it goes back unchanged.
    fn rejects_unjudged(
        &mut self,
        mode: Mode,
        bytes: &[u8],
        contains: Option<&dyn Fn(&CStr) -> bool>,
    ) -> bool {
        // Fluent Bit's own text of its record: its outer braces are all that needs
        // checking before it goes back unread (they guard against a host that is not
        // Fluent Bit).
        let searched =
            contains.filter(|_| bytes.first() == Some(&b'{') && bytes.last() == Some(&b'}'));
        if let Some(contains) = searched {
            if self.engine.rejects_searched(contains) {
                return true;
            }
        }
        match mode {
            Mode::Annotate => self.engine.rejects_valid_object(bytes),
            Mode::AlertsOnly => self.engine.rejects_document(bytes),
        }
    }

    /// Judge the record, adding its alerts to `alerts`; whether the detector read (so
    /// validated) the whole text. Reports a record it could not judge.
    fn process_record(
        &mut self,
        mode: Mode,
        bytes: &[u8],
        ctx: Context,
        pending_before: usize,
        alerts: &mut Vec<Alert>,
    ) -> bool {
        let mut error = None;
        let mut recorded = false;
        let mut prefiltered = false;
        self.engine.process_each(bytes, ctx, &mut |verdict, found| {
            if let Verdict::Unparseable(e) = verdict {
                error.get_or_insert_with(|| e.to_string());
            }
            recorded |= *verdict == Verdict::Recorded;
            prefiltered |= *verdict == Verdict::Prefiltered;
            alerts.extend(found);
        });
        if let Some(e) = &error {
            self.counters.unjudged += 1;
            let n = self.counters.unjudged;
            let fate = match mode {
                Mode::AlertsOnly => "dropped",
                Mode::Annotate => "passed on (as an error object if it is not a JSON object)",
            };
            self.notice(n, &format!("a record was not judged: {e}; {fate}"));
        }
        if recorded || self.engine.pending() != pending_before {
            if let Some(p) = &mut self.persistence {
                p.mark_dirty();
            }
        }
        // The detector parsed (so validated) the whole text unless it was unparseable
        // or its byte-level pre-check rejected it unread.
        error.is_none() && !prefiltered
    }

    fn alerts_only(&mut self, alerts: &[Alert]) -> Reply {
        match alerts.len() {
            0 => return Reply::Drop,
            1 => self.counters.alert_records += 1,
            _ => self.counters.bundles += 1,
        }
        output::alerts_only(&mut self.out, alerts);
        self.finish()
    }

    fn annotate(&mut self, bytes: &[u8], validated: bool, alerts: &[Alert]) -> Reply {
        // Fast path: the detector parsed the whole text as one object.
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if validated && first == Some(&b'{') {
            if alerts.is_empty() {
                return Reply::Unchanged;
            }
            if let Ok(text) = std::str::from_utf8(bytes) {
                self.counters.annotated += 1;
                output::splice(&mut self.out, text, alerts);
                return self.finish();
            }
        }
        let record = output::classify(bytes);
        let repaired = matches!(record.text, std::borrow::Cow::Owned(_));
        if repaired {
            self.counters.repaired_utf8 += 1;
        }
        match record.kind {
            Kind::Object if !repaired && alerts.is_empty() => Reply::Unchanged,
            Kind::Object => {
                if alerts.is_empty() {
                    self.out.clear();
                    self.out.extend_from_slice(record.text.as_bytes());
                } else {
                    self.counters.annotated += 1;
                    output::splice(&mut self.out, &record.text, alerts);
                }
                self.finish()
            }
            Kind::OtherJson => {
                self.counters.not_object += 1;
                let reason = "the record is not a JSON object";
                output::error_object(
                    &mut self.out,
                    reason,
                    ErrorRecord::Json(&record.text),
                    alerts,
                );
                self.finish()
            }
            Kind::Invalid(reason) => {
                self.counters.not_json += 1;
                output::error_object(
                    &mut self.out,
                    &reason,
                    ErrorRecord::Text(&record.text),
                    alerts,
                );
                self.finish()
            }
        }
    }

    fn finish(&mut self) -> Reply {
        self.out.push(0);
        Reply::Output
    }

    /// Per-record problems are reported the 1st, 10th, 100th… time, never flooding.
    fn notice(&mut self, count: u64, message: &str) {
        if is_power_of_ten(count) {
            (self.log)(&format!("{message} [{count} so far]"));
        }
    }
}

fn prefixed(mut log: Box<dyn FnMut(&str)>) -> impl FnMut(&str) {
    move |line: &str| {
        log(&format!(
            "[dynamodb-scan-detector {}] {line}",
            crate::VERSION
        ))
    }
}

fn is_power_of_ten(mut n: u64) -> bool {
    while n >= 10 && n % 10 == 0 {
        n /= 10;
    }
    n == 1
}

/// Fluent Bit's record time (seconds cut to 32 bits, nanoseconds) as milliseconds;
/// `None` for the zero time, which Fluent Bit never stamps on a real record.
pub fn record_time(sec: u32, nsec: u32) -> Option<Millis> {
    if sec == 0 && nsec == 0 {
        return None;
    }
    Some(i64::from(sec) * 1000 + i64::from(nsec.min(999_999_999)) / 1_000_000)
}
