//! Alert suppression (`[rule.alert_suppression]`), in a stream.
//!
//! Kibana, on each rule run, groups the run's new-term alerts by the values of the
//! `group_by` fields in their source events (the group's `kibana.alert.instance.id`),
//! creates one alert per group and counts the others in it
//! (`kibana.alert.suppression.docs_count`); with a `duration`, later runs update that
//! alert instead of creating another until `duration` has passed since it was created.
//! The detector does the same, one candidate at a time:
//!
//! * The first candidate of a group is emitted at once, as every alert is, with the
//!   suppression fields Kibana writes (`instance.id`, `suppression.terms`, `.start`,
//!   `.end` equal to its event's time, `.docs_count` 0) and the same
//!   `kibana.alert.uuid` it would have without suppression.
//! * A later candidate of the group, while the group is open, is counted into it: no
//!   alert, `suppressed` in the stats. The detector's rule executions are the rule's
//!   `interval` windows of event time (aligned to the epoch, as the `max_signals` cap
//!   counts executions), each run at its window's end. Without a `duration` a group
//!   takes in the candidates of its first candidate's execution; with one, as Kibana
//!   folds a later run's candidate into an alert created at most `duration` before that
//!   run, those of every execution run at most `duration` after the first.
//! * The alert is brought up to date as Kibana's runs update it: when an `interval`
//!   window of event time closes, each group that counted candidates in it is emitted
//!   again, as the whole alert document with the same `kibana.alert.uuid` and its new
//!   `suppression.start`/`.end` (the earliest and latest event times), `.docs_count` and
//!   `kibana.alert.last_detected` (kind [`crate::AlertKind::SuppressionUpdate`]). Written
//!   to Elasticsearch with `_id` = `kibana.alert.uuid`, the update replaces the alert as
//!   Kibana's update does; read as a stream, the latest document of a `uuid` is the
//!   alert. The end of input ([`Suppressor::flush`]) brings every group up to date.
//! * Candidates the `max_signals` cap holds back open no group (the cap's summary lists
//!   them); candidates counted into a group do not count against the cap. Kibana stops
//!   counting at 5 × `max_signals` candidates per run; the detector counts them all.
//! * A group is keyed by its values as the event has them (strings, numbers, booleans;
//!   an array's values sorted, as Kibana sorts them). A missing field is `null` with
//!   `missing_fields_strategy = "suppress"`; with `"doNotSuppress"`, such a candidate is
//!   an ordinary alert without suppression fields.
//! * At most [`MAX_OPEN_GROUPS`] groups, holding at most [`MAX_OPEN_BYTES`] of alert
//!   documents, are open; opening one more closes the oldest as needed (brought up to
//!   date first if they counted anything). Open groups, with their alert documents, are
//!   in the snapshot.
//!
//! Kibana does not update an alert an analyst has closed; the detector cannot know that.

mod group_terms;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::alert::uuid::instance_id;
use crate::config::suppression::{AlertSuppression, MissingFields};
use crate::hashing::{KeyHashMap, KeyHashSet};
use crate::time::{format_timestamp, Millis};

pub use group_terms::{group_terms, GroupTerms};

/// The most groups open at once (each holds its alert document).
pub const MAX_OPEN_GROUPS: usize = 10_000;

/// The most bytes of alert documents (as JSON) the open groups of one rule hold: an
/// alert copies its source event, which may be large.
pub const MAX_OPEN_BYTES: usize = 32 << 20;

/// What becomes of one candidate alert.
#[derive(Debug, Clone, PartialEq)]
pub enum Candidate {
    /// An ordinary alert, without suppression fields (`doNotSuppress` and a field missing).
    Plain,
    /// Counted into its group's open alert: no alert.
    Suppressed,
    /// The first of a new group: emit it with these fields added ([`Suppressor::opened`]).
    Opens(Opening),
}

/// A group about to open, with the fields its alert carries.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    instance_id: String,
    terms: Value,
    t: Millis,
}

/// One open group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Group {
    /// The last event time that is still counted into it.
    until: Millis,
    start: Millis,
    end: Millis,
    docs_count: u64,
    /// `docs_count` as last emitted.
    reported: u64,
    last_detected: Millis,
    /// Order of opening (the oldest is closed first when too many are open).
    seq: u64,
    /// The alert's own fields as last emitted.
    alert: Map<String, Value>,
    /// The alert's size as JSON when the group opened (counted again on restore).
    #[serde(skip)]
    bytes: usize,
}

/// The suppression state of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressor {
    config: AlertSuppression,
    interval: Millis,
    rule_uuid: String,
    space: String,
    groups: KeyHashMap<String, Group>,
    by_age: BTreeMap<u64, String>,
    /// The open groups' `bytes`.
    open_bytes: usize,
    next_seq: u64,
    /// The `interval` window of event time the latest candidate was in.
    window: Option<i64>,
    /// Updates waiting to be handed out (groups closed early).
    outbox: Vec<Map<String, Value>>,
}

/// The state a snapshot keeps (the groups in order of opening).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuppressorState {
    config: AlertSuppression,
    groups: Vec<(String, Group)>,
    next_seq: u64,
    /// Where the `interval` window of the latest candidate starts (a time, so that a
    /// restore under another `interval` finds its own window).
    window_start: Option<Millis>,
}

impl SuppressorState {
    /// How many groups were open.
    pub fn open_groups(&self) -> usize {
        self.groups.len()
    }
}

impl Suppressor {
    pub fn new(config: AlertSuppression, interval: Millis, rule_uuid: &str, space: &str) -> Self {
        Suppressor {
            config,
            interval: interval.max(1),
            rule_uuid: rule_uuid.to_owned(),
            space: space.to_owned(),
            groups: KeyHashMap::default(),
            by_age: BTreeMap::new(),
            open_bytes: 0,
            next_seq: 0,
            window: None,
            outbox: Vec::new(),
        }
    }

    /// The group-by fields.
    pub fn group_by(&self) -> &[String] {
        &self.config.group_by
    }

    /// Judge a candidate alert at event time `t` (detected at `detected`) whose event
    /// has `terms` for the group-by fields.
    pub fn candidate(&mut self, terms: &GroupTerms, t: Millis, detected: Millis) -> Candidate {
        self.advance(t);
        if self.config.missing_fields == MissingFields::DoNotSuppress && terms.any_missing() {
            return Candidate::Plain;
        }
        let id = instance_id(&terms.borrowed(), &self.rule_uuid, &self.space);
        if let Some(group) = self.groups.get_mut(&id) {
            if t <= group.until {
                group.docs_count += 1;
                group.start = group.start.min(t);
                group.end = group.end.max(t);
                group.last_detected = group.last_detected.max(detected);
                return Candidate::Suppressed;
            }
            self.close(&id);
        }
        Candidate::Opens(Opening {
            instance_id: id,
            terms: terms.as_json(),
            t,
        })
    }

    /// The fields an opening group's alert carries, in Kibana's order.
    pub fn fields(&self, opening: &Opening) -> [(&'static str, Value); 5] {
        let at = Value::from(format_timestamp(opening.t));
        [
            (
                "kibana.alert.instance.id",
                opening.instance_id.clone().into(),
            ),
            ("kibana.alert.suppression.terms", opening.terms.clone()),
            ("kibana.alert.suppression.start", at.clone()),
            ("kibana.alert.suppression.end", at),
            ("kibana.alert.suppression.docs_count", 0.into()),
        ]
    }

    /// The group's alert was emitted (`alert`: its own fields, with [`Suppressor::fields`]).
    pub fn opened(&mut self, opening: Opening, alert: &Map<String, Value>, detected: Millis) {
        let bytes = json_len(alert);
        while self.groups.len() >= MAX_OPEN_GROUPS || self.open_bytes + bytes > MAX_OPEN_BYTES {
            let Some((_, oldest)) = self.by_age.pop_first() else {
                break;
            };
            self.close(&oldest);
        }
        let t = opening.t;
        // Kibana's execution that sees `t` runs at the end of `t`'s window, `ran`, and
        // creates the alert with that start. A later execution at `now` folds a
        // candidate into it while `now - duration <= ran`: the group takes in every
        // candidate whose window ends by `ran + duration` (per execution: duration 0).
        let ran = (t.div_euclid(self.interval) + 1).saturating_mul(self.interval);
        let last_run = ran
            .saturating_add(self.config.window.millis().unwrap_or(0))
            .div_euclid(self.interval)
            .saturating_mul(self.interval);
        let until = last_run.saturating_sub(1);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.by_age.insert(seq, opening.instance_id.clone());
        self.groups.insert(
            opening.instance_id,
            Group {
                until,
                start: t,
                end: t,
                docs_count: 0,
                reported: 0,
                last_detected: detected,
                seq,
                alert: alert.clone(),
                bytes,
            },
        );
        self.open_bytes += bytes;
    }

    /// The updates waiting to be handed out ([`Suppressor::advance`], groups closed to
    /// open others).
    pub fn take_updates(&mut self) -> Vec<Map<String, Value>> {
        std::mem::take(&mut self.outbox)
    }

    /// End of input: every group that counted candidates since its last update is
    /// brought up to date (its update waits in [`Suppressor::take_updates`]).
    pub fn flush(&mut self) {
        let mut ids: Vec<(u64, String)> = self
            .groups
            .iter()
            .filter(|(_, g)| g.docs_count != g.reported)
            .map(|(id, g)| (g.seq, id.clone()))
            .collect();
        ids.sort_unstable();
        for (_, id) in ids {
            self.report(&id);
        }
    }

    /// Open groups.
    pub fn open_groups(&self) -> usize {
        self.groups.len()
    }

    /// Event time has reached `t`: when `t` is in a later `interval` window than the
    /// last event's, every group that counted candidates since its last update is
    /// brought up to date, and the groups that can no longer count any are closed.
    /// Called for every judged event (cheap while the window has not moved).
    pub fn advance(&mut self, t: Millis) {
        let w = t.div_euclid(self.interval);
        match self.window {
            Some(current) if w <= current => return,
            _ => self.window = Some(w),
        }
        let mut due: Vec<(u64, String, bool)> = self
            .groups
            .iter()
            .filter(|(_, g)| g.docs_count != g.reported || g.until < t)
            .map(|(id, g)| (g.seq, id.clone(), g.until < t))
            .collect();
        due.sort_unstable();
        for (_, id, expired) in due {
            if expired {
                self.close(&id);
            } else {
                self.report(&id);
            }
        }
    }

    /// Emit the group's alert brought up to date, if it counted anything new.
    fn report(&mut self, id: &str) {
        let Some(group) = self.groups.get_mut(id) else {
            return;
        };
        if group.docs_count == group.reported {
            return;
        }
        group.reported = group.docs_count;
        for (key, value) in [
            (
                "kibana.alert.suppression.start",
                format_timestamp(group.start).into(),
            ),
            (
                "kibana.alert.suppression.end",
                format_timestamp(group.end).into(),
            ),
            (
                "kibana.alert.suppression.docs_count",
                group.docs_count.into(),
            ),
            (
                "kibana.alert.last_detected",
                format_timestamp(group.last_detected).into(),
            ),
        ] {
            group.alert.insert(key.to_owned(), value);
        }
        // Its size as a restore would count it.
        let bytes = json_len(&group.alert);
        self.open_bytes = self.open_bytes.saturating_sub(group.bytes) + bytes;
        group.bytes = bytes;
        self.outbox.push(group.alert.clone());
    }

    /// Close a group, reporting it first.
    fn close(&mut self, id: &str) {
        self.report(id);
        if let Some(group) = self.groups.remove(id) {
            self.by_age.remove(&group.seq);
            self.open_bytes = self.open_bytes.saturating_sub(group.bytes);
        }
    }

    /// The state for a snapshot.
    pub fn state(&self) -> SuppressorState {
        let mut groups: Vec<(String, Group)> = self
            .groups
            .iter()
            .map(|(id, g)| (id.clone(), g.clone()))
            .collect();
        groups.sort_unstable_by_key(|(_, g)| g.seq);
        SuppressorState {
            config: self.config.clone(),
            groups,
            next_seq: self.next_seq,
            window_start: self.window.map(|w| w.saturating_mul(self.interval)),
        }
    }

    /// Take up a snapshot's state (into a suppressor with no groups yet). Groups opened
    /// under another suppression config are dropped (their grouping no longer applies).
    /// So are, from a snapshot this code did not write, an id given twice (the later
    /// kept) and the oldest groups past [`MAX_OPEN_GROUPS`] or [`MAX_OPEN_BYTES`]. The
    /// kept groups are numbered again in their order. Returns how many were dropped.
    pub fn restore(&mut self, state: SuppressorState) -> usize {
        let given = state.groups.len();
        if state.config != self.config {
            return given;
        }
        let mut groups = state.groups;
        groups.sort_by_key(|(_, g)| g.seq);
        let keep = {
            let mut seen: KeyHashSet<&str> = KeyHashSet::default();
            let mut keep = vec![false; groups.len()];
            let (mut bytes, mut full) = (0, false);
            for (i, (id, group)) in groups.iter_mut().enumerate().rev() {
                if full || seen.contains(id.as_str()) {
                    continue;
                }
                group.bytes = json_len(&group.alert);
                full = seen.len() == MAX_OPEN_GROUPS || bytes + group.bytes > MAX_OPEN_BYTES;
                if !full {
                    bytes += group.bytes;
                    seen.insert(id.as_str());
                    keep[i] = true;
                }
            }
            keep
        };
        let mut kept: Vec<(String, Group)> = groups
            .into_iter()
            .zip(keep)
            .filter_map(|(group, keep)| keep.then_some(group))
            .collect();
        // Numbered again from 0 in their order: no number is shared, and the next one is
        // free whatever numbers the snapshot held.
        for (seq, (_, group)) in (0..).zip(kept.iter_mut()) {
            group.seq = seq;
        }
        self.next_seq = kept.len() as u64;
        self.window = state.window_start.map(|t| t.div_euclid(self.interval));
        let dropped = given - kept.len();
        for (id, group) in kept {
            self.open_bytes += group.bytes;
            self.by_age.insert(group.seq, id.clone());
            self.groups.insert(id, group);
        }
        dropped
    }
}

/// The length of an alert document as JSON.
fn json_len(alert: &Map<String, Value>) -> usize {
    serde_json::to_vec(alert).map_or(0, |bytes| bytes.len())
}

#[cfg(test)]
mod tests;
