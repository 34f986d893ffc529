//! What the command line runs: the built-in rule (one [`Detector`]) or the rule files
//! given with `--rules` or the config's `rules` (a rule set), built from the options and
//! restored from `--state`. Both take the same documents and give the same kind of
//! answer per record; past building it, this only forwards.

use dynamodb_scan_detector::alert::Alert;
#[cfg(rule_files)]
use dynamodb_scan_detector::rule_set::RuleSet;
use dynamodb_scan_detector::{
    Config, Context, DetectionTime, Detector, DetectorOptions, InputError, Verdict,
};
use std::path::PathBuf;

use super::args::Args;
#[cfg(rule_files)]
use super::rule_check;
use super::state_file::StateFile;
use super::{load_options, Fatal};

/// One per run, so the size of the built-in variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Engine {
    Single(Detector),
    /// The set, and how many rule files were refused or unreadable.
    #[cfg(rule_files)]
    Rules(RuleSet, usize),
}

/// What a host does with each record: its bytes, its verdict, the alerts decided at it.
pub type OnRecord<'a> = dyn FnMut(&[u8], &Verdict, &[Alert]) + 'a;

impl Engine {
    pub fn set_prefilter(&mut self, on: bool) {
        match self {
            Engine::Single(d) => d.set_prefilter(on),
            #[cfg(rule_files)]
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
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.process_each(doc, ctx, &mut |r| {
                on_record(r.text_or(doc), &r.verdict, &r.alerts)
            }),
        }
    }

    pub fn learn(&mut self, doc: &[u8], ctx: Context) {
        match self {
            Engine::Single(d) => d.learn(doc, ctx),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.learn(doc, ctx),
        }
    }

    pub fn flush(&mut self, detection_time: DetectionTime) -> Vec<Alert> {
        match self {
            Engine::Single(d) => d.flush(detection_time),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.flush(detection_time),
        }
    }

    pub fn skip_input(&mut self, error: InputError) {
        match self {
            Engine::Single(d) => d.skip_input(error),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.skip_input(error),
        }
    }

    /// Records received so far (for the progress bar).
    pub fn events_in(&self) -> u64 {
        match self {
            Engine::Single(d) => d.stats().events_in,
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.events_in(),
        }
    }

    /// The counters as one JSON object.
    pub fn stats_json(&self) -> serde_json::Value {
        match self {
            Engine::Single(d) => d.stats().to_json(),
            #[cfg(rule_files)]
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
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.snapshot(),
        }
    }
}

/// The engine to run: the built-in rule, or the `--rules` files; restored from
/// `--state` when it holds a snapshot.
pub fn load(args: &Args, state: Option<&StateFile>) -> Result<Engine, Fatal> {
    #[allow(unused_mut)]
    let (mut options, what) = load_options(args)?;
    let saved = match state {
        Some(s) => s.read().map_err(Fatal::Usage)?,
        None => None,
    };
    #[allow(unused_mut)]
    let mut rules = args.rules.clone();
    // The config document's `rules`, read from its own directory.
    #[cfg(rule_files)]
    if let Some(listed) = options.rules.take() {
        let base = args
            .config
            .as_ref()
            .and_then(|c| c.parent())
            .map(PathBuf::from)
            .unwrap_or_default();
        rules.extend(listed.iter().map(|r| base.join(r)));
        if rules.is_empty() {
            return Err(Fatal::Usage(format!("{what}: rules: the list is empty")));
        }
    }
    if !rules.is_empty() {
        if args.profile.is_some() {
            return Err(Fatal::Usage(
                "--profile chooses a built-in rule: give it or rule files, not both".into(),
            ));
        }
        return load_rules(&rules, args, &options, &what, state.zip(saved.as_deref()));
    }
    let config = Config::try_from(options).map_err(|e| Fatal::Usage(format!("{what}: {e}")))?;
    Ok(Engine::Single(match (state, saved) {
        (Some(s), Some(bytes)) => {
            Detector::restore(config, &bytes).map_err(|e| Fatal::Usage(s.error(e)))?
        }
        _ => Detector::new(config),
    }))
}

#[cfg(not(rule_files))]
fn load_rules(
    _: &[PathBuf],
    _: &Args,
    _: &DetectorOptions,
    _: &str,
    _: Option<(&StateFile, &[u8])>,
) -> Result<Engine, Fatal> {
    Err(Fatal::Usage("--rules: not in this build".into()))
}

/// `--rules`: load every rule file, say on stderr what became of each, and build the set.
#[cfg(rule_files)]
fn load_rules(
    paths: &[PathBuf],
    args: &Args,
    options: &DetectorOptions,
    what: &str,
    saved: Option<(&StateFile, &[u8])>,
) -> Result<Engine, Fatal> {
    use dynamodb_scan_detector::rule_set::RuleSet;
    let loaded = rule_check::load(paths);
    // The files that load are listed by --check-rules; a run names only problems.
    for line in &loaded.problems {
        eprintln!("dynamodb-scan-detector: --rules: {line}");
    }
    eprintln!(
        "dynamodb-scan-detector: --rules: {}",
        rule_check::summary(&loaded.found)
    );
    let found = &loaded.found;
    if args.strict_rules && (found.refused > 0 || found.unreadable > 0) {
        return Err(Fatal::Usage(
            "--strict-rules: a rule file was refused or unreadable (listed above)".into(),
        ));
    }
    if loaded.rules.is_empty() {
        return Err(Fatal::Usage("--rules: no New Terms rule loaded".into()));
    }
    let set = match saved {
        Some((state, bytes)) => {
            use dynamodb_scan_detector::rule_set::snapshot::RestoreError;
            let (set, report) =
                RuleSet::restore(loaded.rules, options, bytes).map_err(|e| match e {
                    RestoreError::Config(e) => Fatal::Usage(format!("{what}: {e}")),
                    RestoreError::Snapshot(e) => Fatal::Usage(state.error(e)),
                })?;
            for dropped in &report.dropped {
                eprintln!(
                    "dynamodb-scan-detector: {}",
                    state.error(format!("saved state dropped for rule {dropped}"))
                );
            }
            for started in &report.started {
                eprintln!(
                    "dynamodb-scan-detector: {}",
                    state.error(format!(
                        "no saved state for rule {started}: it starts empty"
                    ))
                );
            }
            set
        }
        None => {
            RuleSet::new(loaded.rules, options).map_err(|e| Fatal::Usage(format!("{what}: {e}")))?
        }
    };
    Ok(Engine::Rules(set, found.refused + found.unreadable))
}
