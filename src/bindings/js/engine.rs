//! What a JavaScript `Detector` runs: the built-in rule (one core [`Detector`]) or
//! Elastic's rule files given as texts (a `RuleSet`, one pass for every rule). Each
//! call is forwarded as it is; records are reported in one shape for both.
//!
//! Rule files are in the package's `rules` entry only (feature `rule-files`, which sets
//! `cfg(rule_files)`): the TOML reader, KQL, rule sets and alert suppression double the
//! `.wasm`, and the default entry keeps its size budget. Given rule files, the default
//! entry says which entry reads them.

use serde_json::{Map, Value};

use super::verdict::put;

use crate::alert::Alert;
#[cfg(rule_files)]
use crate::config::rule_file::{parse_rule_file, RuleDefinition, RuleRefusal};
use crate::config::DetectorOptions;
use crate::error::{ConfigError, InputError, SnapshotError};
#[cfg(rule_files)]
use crate::rule_set::snapshot::{RestoreError, RestoreReport};
#[cfg(rule_files)]
use crate::rule_set::{RuleSet, SetRecordReport};
use crate::{Config, Context, DetectionTime, Detector, Observed, Verdict};

/// One rule file as the caller gave it: its text, and the name messages call it by.
#[derive(Debug, Clone)]
pub struct RuleText {
    pub file: String,
    pub text: String,
}

/// The rule files of a constructor call, read: the rules that load (each with the name
/// of its file) and the files refused, each with why.
#[cfg(rule_files)]
#[derive(Debug, Default)]
pub struct RuleFiles {
    pub rules: Vec<RuleDefinition>,
    pub files: Vec<String>,
    pub refused: Vec<RuleRefusal>,
    /// Files holding rules of other types than New Terms, skipped.
    pub other_types: usize,
}

/// Without rule files in the build, none can be given.
#[cfg(not(rule_files))]
#[derive(Debug)]
pub enum RuleFiles {}

#[cfg(not(rule_files))]
impl RuleFiles {
    /// Rule files given to the default entry: an error naming the entry that reads them.
    pub fn read(_: Vec<RuleText>) -> Result<RuleFiles, ConfigError> {
        Err(ConfigError::invalid(
            "rules",
            "rule files are read by the package's `rules` entry \
             (require('dynamodb-scan-detector/rules') or import … from \
             'dynamodb-scan-detector/rules'); this entry runs the built-in rule only",
        ))
    }
}

#[cfg(rule_files)]
impl RuleFiles {
    /// Read each text as a detection-rules TOML file.
    pub fn read(texts: Vec<RuleText>) -> Result<RuleFiles, ConfigError> {
        let mut out = RuleFiles::default();
        for RuleText { file, text } in texts {
            match parse_rule_file(&file, &text) {
                Ok(rule) => {
                    out.rules.push(rule);
                    out.files.push(file);
                }
                Err(refusal) if refusal.reason.starts_with("type \"") => out.other_types += 1,
                Err(refusal) => out.refused.push(refusal),
            }
        }
        Ok(out)
    }

    /// The first refusal, if any.
    #[cfg(rule_files)]
    pub fn first_refusal(&self) -> Option<String> {
        self.refused.first().map(ToString::to_string)
    }
}

/// One record as a batch method reports it.
pub struct Report<'a> {
    /// The record's bytes (the whole document when the core has none of its own).
    pub bytes: &'a [u8],
    pub verdict: Verdict,
    pub alerts: Vec<Alert>,
    /// What the record wrote to the state: per rule that recorded it (its `rule_id`).
    pub observed: Vec<(&'a str, Observed)>,
}

/// The built-in rule, or a set of rule files. One per JavaScript object, never moved
/// in bulk: the single detector stays inline.
#[allow(clippy::large_enum_variant)]
pub enum Engine {
    Single(Detector),
    #[cfg(rule_files)]
    Rules(Box<RuleSet>, LoadedRules),
}

/// What the constructor was given beside the set: the file names and the refusals.
#[cfg(rule_files)]
pub struct LoadedRules {
    pub files: Vec<String>,
    pub refused: Vec<RuleRefusal>,
    pub other_types: usize,
    /// What a restore did with the saved rules; `None` for a new detector.
    pub restored: Option<RestoreReport>,
}

/// Why an engine could not be made.
pub enum EngineError {
    Config(ConfigError),
    Snapshot(SnapshotError),
}

impl Engine {
    /// A new engine: the rule files when given, else the built-in rule from `options`.
    pub fn new(options: DetectorOptions, files: Option<RuleFiles>) -> Result<Engine, EngineError> {
        Engine::make(options, files, None)
    }

    /// An engine with the state `snapshot()` saved.
    pub fn restore(
        options: DetectorOptions,
        files: Option<RuleFiles>,
        bytes: &[u8],
    ) -> Result<Engine, EngineError> {
        Engine::make(options, files, Some(bytes))
    }

    fn make(
        options: DetectorOptions,
        files: Option<RuleFiles>,
        saved: Option<&[u8]>,
    ) -> Result<Engine, EngineError> {
        let Some(files) = files else {
            let config = Config::try_from(options).map_err(EngineError::Config)?;
            return match saved {
                None => Ok(Engine::Single(Detector::new(config))),
                Some(bytes) => Detector::restore(config, bytes)
                    .map(Engine::Single)
                    .map_err(EngineError::Snapshot),
            };
        };
        Engine::of_rules(options, files, saved)
    }

    #[cfg(not(rule_files))]
    fn of_rules(
        _: DetectorOptions,
        files: RuleFiles,
        _: Option<&[u8]>,
    ) -> Result<Engine, EngineError> {
        match files {}
    }

    #[cfg(rule_files)]
    fn of_rules(
        options: DetectorOptions,
        files: RuleFiles,
        saved: Option<&[u8]>,
    ) -> Result<Engine, EngineError> {
        if files.rules.is_empty() {
            return Err(EngineError::Config(ConfigError::invalid(
                "rules",
                "no New Terms rule loaded",
            )));
        }
        let (set, restored) = match saved {
            None => (
                RuleSet::new(files.rules, &options).map_err(EngineError::Config)?,
                None,
            ),
            Some(bytes) => {
                let (set, report) =
                    RuleSet::restore(files.rules, &options, bytes).map_err(|e| match e {
                        RestoreError::Config(e) => EngineError::Config(e),
                        RestoreError::Snapshot(e) => EngineError::Snapshot(e),
                    })?;
                (set, Some(report))
            }
        };
        let loaded = LoadedRules {
            files: files.files,
            refused: files.refused,
            other_types: files.other_types,
            restored,
        };
        Ok(Engine::Rules(Box::new(set), loaded))
    }

    pub fn set_prefilter(&mut self, on: bool) {
        match self {
            Engine::Single(d) => d.set_prefilter(on),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.set_prefilter(on),
        }
    }

    pub fn set_observe_origins(&mut self, on: bool) {
        match self {
            Engine::Single(d) => d.set_observe_origins(on),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.set_observe_origins(on),
        }
    }

    pub fn process(&mut self, doc: &[u8], ctx: Context) -> Vec<Alert> {
        match self {
            Engine::Single(d) => d.process(doc, ctx),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.process(doc, ctx),
        }
    }

    /// Process one document and report on each of its records, in order.
    pub fn process_each(
        &mut self,
        doc: &[u8],
        ctx: Context,
        on_record: &mut dyn FnMut(Report<'_>),
    ) {
        match self {
            Engine::Single(d) => {
                let rule_id = d.config().rule_id().to_owned();
                d.process_each(doc, ctx, &mut |r| {
                    on_record(Report {
                        bytes: r.text_or(doc),
                        observed: r
                            .observed
                            .map(|o| (rule_id.as_str(), o))
                            .into_iter()
                            .collect(),
                        verdict: r.verdict,
                        alerts: r.alerts,
                    })
                })
            }
            #[cfg(rule_files)]
            Engine::Rules(s, _) => {
                let ids: Vec<String> = s.rules().map(|c| c.rule_id().to_owned()).collect();
                s.process_each(doc, ctx, &mut |r| {
                    let SetRecordReport {
                        text,
                        verdict,
                        alerts,
                        observed,
                    } = r;
                    let observed = observed
                        .into_iter()
                        .map(|(i, o)| (ids.get(i).map_or("", String::as_str), o))
                        .collect();
                    on_record(Report {
                        bytes: if text.is_empty() {
                            doc
                        } else {
                            text.as_bytes()
                        },
                        verdict,
                        alerts,
                        observed,
                    })
                })
            }
        }
    }

    pub fn learn(&mut self, doc: &[u8], ctx: Context) {
        match self {
            Engine::Single(d) => d.learn(doc, ctx),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.learn(doc, ctx),
        }
    }

    pub fn skip_input(&mut self, error: InputError) {
        match self {
            Engine::Single(d) => d.skip_input(error),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.skip_input(error),
        }
    }

    pub fn flush(&mut self, detection_time: DetectionTime) -> Vec<Alert> {
        match self {
            Engine::Single(d) => d.flush(detection_time),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.flush(detection_time),
        }
    }

    pub fn snapshot(&self) -> Vec<u8> {
        match self {
            Engine::Single(d) => d.snapshot(),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.snapshot(),
        }
    }

    pub fn state_bytes(&self) -> usize {
        match self {
            Engine::Single(d) => d.state_bytes(),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s.state_bytes(),
        }
    }

    /// The counters; with rule files, the set's, `rules_loaded`, `rules_refused`, then
    /// each rule's under its `rule_id` (as the command line gives them).
    pub fn stats(&self) -> Value {
        match self {
            Engine::Single(d) => d.stats().to_json(),
            #[cfg(rule_files)]
            Engine::Rules(s, loaded) => {
                let mut stats = s.stats().to_json();
                if let Some(map) = stats.as_object_mut() {
                    let rules = map.shift_remove("rules");
                    map.insert("rules_refused".into(), loaded.refused.len().into());
                    if let Some(rules) = rules {
                        map.insert("rules".into(), rules);
                    }
                }
                stats
            }
        }
    }

    /// The effective configuration: the built-in rule's document, or with rule files
    /// the first rule's tunables (every rule shares them but for what its file sets).
    pub fn config(&self) -> &Config {
        match self {
            Engine::Single(d) => d.config(),
            #[cfg(rule_files)]
            Engine::Rules(s, _) => s
                .rules()
                .next()
                .unwrap_or_else(|| unreachable!("a set holds a rule")),
        }
    }

    /// `rules()`: one object per rule loaded, in load order.
    pub fn rules(&self) -> Vec<Value> {
        match self {
            Engine::Single(d) => vec![describe(d.config(), None, None)],
            #[cfg(rule_files)]
            Engine::Rules(s, loaded) => s
                .rules()
                .enumerate()
                .map(|(i, config)| {
                    let state = loaded.restored.as_ref().map(|report| {
                        if report.kept.iter().any(|id| id == config.rule_id()) {
                            "restored"
                        } else {
                            "started empty"
                        }
                    });
                    describe(config, loaded.files.get(i).map(String::as_str), state)
                })
                .collect(),
        }
    }

    /// `refusedRules()`: every rule file refused, `{file, rule, reason}`.
    pub fn refused(&self) -> Vec<Value> {
        match self {
            #[cfg(rule_files)]
            Engine::Rules(_, loaded) => loaded.refused.iter().map(refusal).collect(),
            Engine::Single(_) => Vec::new(),
        }
    }

    /// What a restore dropped from the saved state (rules and groups, each with why).
    pub fn dropped(&self) -> Vec<Value> {
        match self {
            #[cfg(rule_files)]
            Engine::Rules(
                _,
                LoadedRules {
                    restored: Some(r), ..
                },
            ) => r.dropped.iter().map(|d| Value::from(d.as_str())).collect(),
            _ => Vec::new(),
        }
    }
}

/// A refused rule file as `refusedRules()` lists it.
#[cfg(rule_files)]
fn refusal(r: &RuleRefusal) -> Value {
    let mut out = Map::new();
    put(&mut out, "file", r.file.clone().into());
    out.insert(
        "rule".into(),
        r.rule.clone().map_or(Value::Null, Value::from),
    );
    put(&mut out, "reason", r.reason.clone().into());
    Value::Object(out)
}

/// A loaded rule as `rules()` lists it, in the rule file's own vocabulary.
fn describe(config: &Config, file: Option<&str>, state: Option<&str>) -> Value {
    let mut out = Map::new();
    put(&mut out, "rule_id", config.rule_id().into());
    put(&mut out, "name", config.rule_name().into_owned().into());
    put(&mut out, "version", config.rule_version().into());
    put(&mut out, "severity", config.severity().into_owned().into());
    put(
        &mut out,
        "new_terms_fields",
        config.new_terms_fields().into(),
    );
    #[cfg(rule_files)]
    if let Some(rule) = config.file_rule() {
        put(&mut out, "risk_score", rule.risk_score.into());
        out.insert(
            "history_window_start".into(),
            rule.history_window.as_date_math().into(),
        );
        put(&mut out, "query", rule.query_text.clone().into());
        put(&mut out, "warnings", rule.warnings.clone().into());
    }
    if let Some(file) = file {
        put(&mut out, "file", file.into());
    }
    if let Some(state) = state {
        put(&mut out, "state", state.into());
    }
    Value::Object(out)
}
