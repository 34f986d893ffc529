//! A deliberately naive reference model of the semantics (keep every recorded occurrence,
//! decide novelty by scanning them all) and property tests that run random streams
//! through it and through the detector: out-of-order and equal timestamps, arrays and
//! several fields, missing values, exceptions, the alert cap, learning, priming and
//! snapshot/restore at random points.
//!
//! * With `max_terms` at least the number of distinct terms, the outputs (alerts and cap
//!   summaries, in order) are identical.
//! * With a smaller `max_terms`, the detector's new terms are a superset of the model's:
//!   eviction may add alerts, never remove one.
//! * The model judges events in the order it is given them, as a detector with a reorder
//!   window of `0s` does. A detector with a window, given the same events delayed by
//!   less than the window, gives exactly the model's output on the time-ordered stream;
//!   delayed by more, it counts exactly the events that arrived more than the window
//!   behind as late.
#![cfg(not(target_family = "wasm"))]

use proptest::prelude::*;
use serde_json::{json, Value};

use dynamodb_scan_detector::time::format_timestamp;
use dynamodb_scan_detector::{AlertKind, Config, Context, DetectionTime, Detector};

const T0: i64 = 1_800_000_000_000;
const FIELDS: [&str; 3] = ["x.f0", "x.f1", "x.f2"];

#[derive(Clone, Debug, PartialEq)]
enum V {
    Str(u8),
    Digits(u8),
    Num(u8),
    Bool(bool),
    Null,
}

#[derive(Clone, Debug)]
enum Field {
    Missing,
    Null,
    Empty,
    Scalar(V),
    Array(Vec<V>),
}

#[derive(Clone, Debug)]
struct Ev {
    id: u32,
    matched: bool,
    excepted: bool,
    ingested: Option<i64>,
    timestamp: Option<i64>,
    fields: [Field; 3],
}

#[derive(Clone, Debug)]
enum Op {
    Process(Ev),
    Learn(Ev),
    SnapshotRestore,
    Flush,
}

#[derive(Clone, Debug)]
struct Cfg {
    fields: usize,
    max_signals: u32,
    max_terms: usize,
    learning: bool,
    fallback: bool,
    /// The reorder window in milliseconds (a multiple of 1,000).
    reorder: i64,
}

const H: i64 = 5_000;
const INTERVAL: i64 = 2_000;
const LEARNING: i64 = 3_000;

impl Cfg {
    fn json(&self) -> String {
        json!({
            "new_terms_fields": FIELDS[..self.fields],
            "history_window": "5s",
            "from": "now-1s",
            "interval": "2s",
            "max_signals": self.max_signals,
            "max_terms": self.max_terms,
            "learning_period": if self.learning { "3s" } else { "0s" },
            "timestamp_fallback": self.fallback,
            "reorder_window": format!("{}s", self.reorder / 1000),
            "exceptions": [{"entries": [{"field": "user.name", "type": "match", "value": "ci-bot"}]}],
        })
        .to_string()
    }
}

fn value(v: &V) -> Value {
    match v {
        V::Str(n) => json!(format!("s{n}")),
        V::Digits(n) => json!(n.to_string()),
        V::Num(n) => json!(n),
        V::Bool(b) => json!(b),
        V::Null => Value::Null,
    }
}

/// The keyword a value is indexed as (see `rule::terms::keyword`), if any.
fn keyword(v: &V) -> Option<Value> {
    match v {
        V::Str(n) => Some(json!(format!("s{n}"))),
        V::Digits(n) | V::Num(n) => Some(json!(n.to_string())),
        V::Bool(b) => Some(json!(b.to_string())),
        V::Null => None,
    }
}

impl Ev {
    /// The time basis under `cfg`.
    fn time(&self, cfg: &Cfg) -> Option<i64> {
        self.ingested
            .or(if cfg.fallback { self.timestamp } else { None })
    }

    fn doc(&self) -> Vec<u8> {
        let mut x = serde_json::Map::new();
        for (i, f) in self.fields.iter().enumerate() {
            let v = match f {
                Field::Missing => continue,
                Field::Null => Value::Null,
                Field::Empty => json!(""),
                Field::Scalar(v) => value(v),
                Field::Array(vs) => Value::Array(vs.iter().map(value).collect()),
            };
            x.insert(format!("f{i}"), v);
        }
        let mut event = json!({"dataset": "aws.cloudtrail", "provider": "dynamodb.amazonaws.com", "action": "Scan",
            "outcome": if self.matched { "success" } else { "failure" }, "id": format!("e{}", self.id)});
        if let Some(t) = self.ingested {
            event["ingested"] = json!(format_timestamp(t));
        }
        let mut doc = json!({"event": event, "x": x, "user": {"name": if self.excepted { "ci-bot" } else { "someone" }}});
        if let Some(t) = self.timestamp {
            doc["@timestamp"] = json!(format_timestamp(t));
        }
        serde_json::to_vec(&doc).unwrap_or_default()
    }
}

/// What either side emits, reduced to what must agree.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Out {
    Alert {
        event: String,
        terms: String,
    },
    Summary {
        window_start: String,
        suppressed: u64,
    },
}

#[derive(Default)]
struct Model {
    occurrences: Vec<(Vec<Value>, i64)>,
    watermark: Option<i64>,
    learning_start: Option<i64>,
    window: Option<i64>,
    emitted: u32,
    suppressed: u64,
    new_terms: Vec<(String, String)>,
}

impl Model {
    fn terms(cfg: &Cfg, ev: &Ev) -> Option<Vec<Vec<Value>>> {
        let mut per_field: Vec<Vec<Value>> = Vec::new();
        for f in &ev.fields[..cfg.fields] {
            let raw: Vec<Value> = match f {
                Field::Scalar(v) => keyword(v).into_iter().collect(),
                Field::Array(vs) => vs.iter().filter_map(keyword).collect(),
                Field::Empty => vec![json!("")],
                Field::Missing | Field::Null => Vec::new(),
            };
            let mut usable: Vec<Value> = Vec::new();
            for v in raw {
                if !usable.contains(&v) {
                    usable.push(v);
                }
            }
            if usable.is_empty() {
                return None;
            }
            per_field.push(usable);
        }
        let mut tuples: Vec<Vec<Value>> = vec![Vec::new()];
        for values in per_field {
            tuples = tuples
                .into_iter()
                .flat_map(|t| {
                    values
                        .iter()
                        .map(move |v| [t.clone(), vec![v.clone()]].concat())
                })
                .collect();
        }
        Some(tuples)
    }

    fn step(&mut self, cfg: &Cfg, ev: &Ev, learn: bool, out: &mut Vec<Out>) {
        if !ev.matched || ev.excepted {
            return;
        }
        let Some(t) = ev.time(cfg) else {
            return;
        };
        let Some(tuples) = Model::terms(cfg, ev) else {
            return;
        };
        let w = self.watermark.map_or(t, |w| w.max(t));
        self.watermark = Some(w);
        let start = self.learning_start.map_or(t, |s| s.min(t));
        self.learning_start = Some(start);
        for tuple in tuples {
            let last = self
                .occurrences
                .iter()
                .filter(|(k, _)| *k == tuple)
                .map(|(_, l)| *l)
                .max();
            let known = last.filter(|&l| w - l <= H);
            if known.is_some_and(|l| t < l) {
                continue;
            }
            self.occurrences.push((tuple.clone(), t));
            if known.is_some_and(|l| t - l <= H) {
                continue;
            }
            let terms = Value::Array(tuple).to_string();
            self.new_terms.push((format!("e{}", ev.id), terms.clone()));
            if learn || (cfg.learning && w < start + LEARNING) {
                continue;
            }
            let win = t.div_euclid(INTERVAL);
            match self.window {
                Some(cur) if win > cur => {
                    self.close(out);
                    self.window = Some(win);
                    self.emitted = 0;
                }
                Some(_) => {}
                None => self.window = Some(win),
            }
            if self.emitted < cfg.max_signals {
                self.emitted += 1;
                out.push(Out::Alert {
                    event: format!("e{}", ev.id),
                    terms,
                });
            } else {
                self.suppressed += 1;
            }
        }
    }

    fn close(&mut self, out: &mut Vec<Out>) {
        if self.suppressed > 0 {
            let start = self.window.unwrap_or(0) * INTERVAL;
            out.push(Out::Summary {
                window_start: format_timestamp(start),
                suppressed: self.suppressed,
            });
            self.suppressed = 0;
        }
    }
}

fn detector_out(alerts: Vec<dynamodb_scan_detector::Alert>, out: &mut Vec<Out>) {
    for a in alerts {
        let d = &a.document();
        out.push(match a.kind {
            AlertKind::NewTerm => Out::Alert {
                event: d["kibana.alert.ancestors"][0]["id"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
                terms: d["kibana.alert.new_terms"].to_string(),
            },
            AlertKind::CapSummary => {
                let s = &d["kibana.alert.max_signals_summary"];
                Out::Summary {
                    window_start: s["window_start"].as_str().unwrap_or("").to_owned(),
                    suppressed: s["alerts_suppressed"].as_u64().unwrap_or(0),
                }
            }
            AlertKind::SuppressionUpdate => panic!("the built-in rule suppresses nothing"),
        });
    }
}

/// Run both; the outputs and the model's new terms.
fn run_both(cfg: &Cfg, ops: &[Op]) -> (Vec<Out>, Vec<Out>, Model, Detector) {
    let config = Config::from_json(&cfg.json()).expect("valid config");
    let mut d = Detector::new(config.clone());
    let mut model = Model::default();
    let (mut got, mut want) = (Vec::new(), Vec::new());
    for op in ops {
        match op {
            Op::Process(ev) => {
                detector_out(d.process(&ev.doc(), Context::event_time()), &mut got);
                model.step(cfg, ev, false, &mut want);
            }
            Op::Learn(ev) => {
                d.learn(&ev.doc(), Context::event_time());
                model.step(cfg, ev, true, &mut want);
            }
            Op::SnapshotRestore => {
                let stats = d.stats();
                d = Detector::restore(config.clone(), &d.snapshot())
                    .expect("own snapshot restores");
                assert_eq!(d.stats(), stats);
            }
            Op::Flush => {
                detector_out(d.flush(DetectionTime::EventTime), &mut got);
                model.close(&mut want);
            }
        }
    }
    d.stats().check().expect("counts add up");
    (got, want, model, d)
}

/// The detector on `arrivals` (then a flush), the model on the same events in time
/// order (ties in arrival order).
fn run_reordered(
    cfg: &Cfg,
    arrivals: &[Ev],
    restore_at: &[usize],
) -> (Vec<Out>, Vec<Out>, Detector) {
    let config = Config::from_json(&cfg.json()).expect("valid config");
    let mut d = Detector::new(config.clone());
    let mut got = Vec::new();
    for (i, ev) in arrivals.iter().enumerate() {
        if restore_at.contains(&i) {
            d = Detector::restore(config.clone(), &d.snapshot()).expect("own snapshot restores");
        }
        detector_out(d.process(&ev.doc(), Context::event_time()), &mut got);
    }
    detector_out(d.flush(DetectionTime::EventTime), &mut got);
    d.stats().check().expect("counts add up");
    let mut in_time: Vec<&Ev> = arrivals.iter().collect();
    in_time.sort_by_key(|e| e.time(cfg).unwrap_or(i64::MIN));
    let (mut model, mut want) = (Model::default(), Vec::new());
    for ev in in_time {
        model.step(cfg, ev, false, &mut want);
    }
    model.close(&mut want);
    (got, want, d)
}

/// Events in time order (with ties), each then delayed by `delay(i)` milliseconds of
/// arrival: the arrival order.
fn delayed(events: Vec<Ev>, cfg: &Cfg, delays: &[i64]) -> Vec<Ev> {
    let mut keyed: Vec<(i64, usize, Ev)> = events
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            (
                e.time(cfg).unwrap_or(T0) + delays[i % delays.len().max(1)],
                i,
                e,
            )
        })
        .collect();
    keyed.sort_by_key(|(arrival, i, _)| (*arrival, *i));
    keyed.into_iter().map(|(_, _, e)| e).collect()
}

/// Matching events with a time, in time order: ids are the time order.
fn timed_stream() -> impl Strategy<Value = Vec<Ev>> {
    prop::collection::vec(ev(), 0..80).prop_map(|evs| {
        let mut out: Vec<Ev> = evs
            .into_iter()
            .enumerate()
            .map(|(i, mut e)| {
                // Half the events share their time with the one before (ties).
                let t = T0 + (i as i64 / 2) * 250 + (e.id as i64 % 2) * 250;
                e.ingested = Some(t);
                e.timestamp = Some(t);
                e
            })
            .collect();
        out.sort_by_key(|e| e.ingested);
        for (i, e) in out.iter_mut().enumerate() {
            e.id = i as u32;
        }
        out
    })
}

fn v() -> impl Strategy<Value = V> {
    prop_oneof![
        (0u8..4).prop_map(V::Str),
        (0u8..3).prop_map(V::Digits),
        (0u8..3).prop_map(V::Num),
        any::<bool>().prop_map(V::Bool),
        Just(V::Null),
    ]
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        1 => Just(Field::Missing),
        1 => Just(Field::Null),
        1 => Just(Field::Empty),
        6 => v().prop_map(Field::Scalar),
        3 => prop::collection::vec(v(), 0..4).prop_map(Field::Array),
    ]
}

fn ev() -> impl Strategy<Value = Ev> {
    // Coarse steps, so that exact window edges (a multiple of 250 ms) are hit often.
    let time = prop_oneof![3 => (0i64..120).prop_map(|k| Some(T0 + k * 250)), 1 => Just(None)];
    (
        any::<u32>(),
        prop::bool::weighted(0.9),
        prop::bool::weighted(0.1),
        time.clone(),
        time,
        [field(), field(), field()],
    )
        .prop_map(|(id, matched, excepted, ingested, timestamp, fields)| Ev {
            id,
            matched,
            excepted,
            ingested,
            timestamp,
            fields,
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        20 => ev().prop_map(Op::Process),
        2 => ev().prop_map(Op::Learn),
        1 => Just(Op::SnapshotRestore),
        1 => Just(Op::Flush),
    ]
}

/// Event times drift forward with jitter (out of order within a few seconds), so the
/// history window, forgetting and the cap's windows are all exercised.
fn stream() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 0..80).prop_map(|mut ops| {
        for (i, op) in ops.iter_mut().enumerate() {
            if let Op::Process(e) | Op::Learn(e) = op {
                e.id = i as u32;
                let drift = i as i64 * 250;
                e.ingested = e.ingested.map(|t| t + drift);
                e.timestamp = e.timestamp.map(|t| t + drift);
            }
        }
        ops
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: if cfg!(debug_assertions) { 300 } else { 3000 }, ..ProptestConfig::default() })]

    #[test]
    fn identical_to_the_model_when_nothing_is_evicted(
        ops in stream(),
        fields in 1usize..=3,
        max_signals in 1u32..6,
        learning in prop::bool::weighted(0.3),
        fallback in prop::bool::weighted(0.8),
    ) {
        let cfg = Cfg { fields, max_signals, max_terms: 100_000, learning, fallback, reorder: 0 };
        let (got, want, _, d) = run_both(&cfg, &ops);
        prop_assert_eq!(d.stats().evicted, 0);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn a_superset_of_the_model_when_terms_are_evicted(
        ops in stream(),
        fields in 1usize..=3,
        max_terms in 1usize..8,
        fallback in prop::bool::weighted(0.8),
    ) {
        let cfg = Cfg { fields, max_signals: 100_000, max_terms, learning: false, fallback, reorder: 0 };
        let (got, _, model, _) = run_both(&cfg, &ops);
        let learned: Vec<_> = ops.iter().filter_map(|o| match o { Op::Learn(e) => Some(format!("e{}", e.id)), _ => None }).collect();
        for (event, terms) in model.new_terms.iter().filter(|(e, _)| !learned.contains(e)) {
            let alert = Out::Alert { event: event.clone(), terms: terms.clone() };
            prop_assert!(got.contains(&alert), "the model's alert {:?} is missing", alert);
        }
    }

    #[test]
    fn disorder_within_the_window_gives_the_time_ordered_output(
        events in timed_stream(),
        delays in prop::collection::vec(0i64..2_000, 1..40),
        restore_at in prop::collection::vec(0usize..80, 0..3),
        fields in 1usize..=3,
        max_signals in 1u32..6,
        learning in prop::bool::weighted(0.3),
    ) {
        let cfg = Cfg { fields, max_signals, max_terms: 100_000, learning, fallback: true, reorder: 2_000 };
        let arrivals = delayed(events, &cfg, &delays);
        let (got, want, d) = run_reordered(&cfg, &arrivals, &restore_at);
        prop_assert_eq!(d.stats().late, 0);
        prop_assert_eq!(d.stats().pending, 0);
        prop_assert_eq!(got, want);
    }

    #[test]
    fn disorder_beyond_the_window_is_counted_as_late(
        events in timed_stream(),
        delays in prop::collection::vec(0i64..6_000, 1..40),
        fields in 1usize..=3,
    ) {
        let cfg = Cfg { fields, max_signals: 100_000, max_terms: 100_000, learning: false, fallback: true, reorder: 2_000 };
        let arrivals = delayed(events, &cfg, &delays);
        let (_, _, d) = run_reordered(&cfg, &arrivals, &[]);
        // Late: a recorded event more than the window behind the newest time before it.
        let mut newest = i64::MIN;
        let mut late = 0;
        for e in &arrivals {
            if !e.matched || e.excepted || Model::terms(&cfg, e).is_none() {
                continue;
            }
            let Some(t) = e.time(&cfg) else { continue };
            newest = newest.max(t);
            late += u64::from(t < newest - cfg.reorder);
        }
        prop_assert_eq!(d.stats().late, late);
    }
}
