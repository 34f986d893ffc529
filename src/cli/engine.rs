//! What the command line runs: the built-in rule (one [`Detector`]) or the rule files
//! given with `--rules` (a [`RuleSet`]). Both take the same documents and give the same
//! kind of answer per record; this only forwards.

use dynamodb_scan_detector::alert::Alert;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
use dynamodb_scan_detector::rule_set::RuleSet;
use dynamodb_scan_detector::{Context, DetectionTime, Detector, InputError, Verdict};

/// One per run, so the size of the built-in variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Engine {
    Single(Detector),
    /// The set, and how many rule files were refused or unreadable.
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    Rules(RuleSet, usize),
}

/// What a host does with each record: its bytes, its verdict, the alerts decided at it.
pub type OnRecord<'a> = dyn FnMut(&[u8], &Verdict, &[Alert]) + 'a;

impl Engine {
    pub fn set_prefilter(&mut self, on: bool) {
        match self {
            Engine::Single(d) => d.set_prefilter(on),
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Engine::Rules(s, _) => s.set_prefilter(on),
        }
    }

    /// Process one document: `on_record(text, verdict, alerts)` for each record (`text`
    /// is the record's bytes, or the document's when the core has none of its own).
    pub fn process_each(&mut self, doc: &[u8], ctx: Context, on_record: &mut OnRecord<'_>) {
        match self {
            Engine::Single(d) => d.process_each(doc, ctx, &mut |r| {
                on_record(r.text_or(doc), &r.verdict, &r.alerts)
            }),
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Engine::Rules(s, _) => s.process_each(doc, ctx, &mut |r| {
                on_record(r.text_or(doc), &r.verdict, &r.alerts)
            }),
        }
    }

    pub fn learn(&mut self, doc: &[u8], ctx: Context) {
        match self {
            Engine::Single(d) => d.learn(doc, ctx),
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Engine::Rules(s, _) => s.learn(doc, ctx),
        }
    }

    pub fn flush(&mut self, detection_time: DetectionTime) -> Vec<Alert> {
        match self {
            Engine::Single(d) => d.flush(detection_time),
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Engine::Rules(s, _) => s.flush(detection_time),
        }
    }

    pub fn skip_input(&mut self, error: InputError) {
        match self {
            Engine::Single(d) => d.skip_input(error),
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Engine::Rules(s, _) => s.skip_input(error),
        }
    }

    /// Records received so far (for the progress bar).
    pub fn events_in(&self) -> u64 {
        match self {
            Engine::Single(d) => d.stats().events_in,
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Engine::Rules(s, _) => s.events_in(),
        }
    }

    /// The counters as one JSON object.
    pub fn stats_json(&self) -> serde_json::Value {
        match self {
            Engine::Single(d) => d.stats().to_json(),
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Engine::Rules(s, refused) => {
                let mut stats = s.stats().to_json();
                if let Some(map) = stats.as_object_mut() {
                    // Beside `rules_loaded`, before the rules' own counters.
                    let rules = map.shift_remove("rules");
                    map.insert("rules_refused".into(), (*refused).into());
                    if let Some(rules) = rules {
                        map.insert("rules".into(), rules);
                    }
                }
                stats
            }
        }
    }

    pub fn snapshot(&self) -> Vec<u8> {
        match self {
            Engine::Single(d) => d.snapshot(),
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Engine::Rules(s, _) => s.snapshot(),
        }
    }
}
