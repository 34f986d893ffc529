//! The module's files, all in its home directory (the first `Accessible_Paths` entry):
//! the detector's config, the module's settings, the optional state snapshot and its
//! journals, and (for the module built with `rule-files`) the rules directory.
//!
//! Everything here is reported through a log callback (stderr in Fluent Bit) and
//! nothing is fatal: a missing file means defaults, a bad file means defaults plus one
//! clear message, a snapshot that cannot be restored is set aside and never overwritten.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::engine::Engine;
use super::journal::{self, Journal, JournalCounters};
use super::options::Options;
use super::{CONFIG_FILE, JOURNAL_FILE, OPTIONS_FILE, RULES_DIR, SNAPSHOT_FILE};
#[cfg(feature = "rule-files")]
use crate::config::rule_file::RuleDefinition;
#[cfg(feature = "rule-files")]
use crate::config::DetectorOptions;
use crate::state;
use crate::time::Millis;
use crate::{Config, Detector};

/// Where a rejected snapshot is moved, so the next write does not destroy it.
const REJECTED_SUFFIX: &str = ".rejected";
/// Snapshots are written here first, then renamed over the real file.
const PARTIAL_SUFFIX: &str = ".partial";

/// A log line sink (Fluent Bit: the guest's stderr, which is Fluent Bit's).
pub type Log<'a> = &'a mut dyn FnMut(&str);

/// What the module starts with.
pub struct Startup {
    pub engine: Engine,
    pub options: Options,
    pub persistence: Option<Persistence>,
    /// Rule files refused (with rule files: the module's stats say how many).
    pub rules_refused: Option<u64>,
}

/// What the module runs, before any state is restored: the built-in rule's config, or
/// the rules directory's rules with the host's tunables.
enum Setup {
    Single(Config),
    #[cfg(feature = "rule-files")]
    Rules(Vec<RuleDefinition>, DetectorOptions),
}

/// Read settings, config, rules and snapshot from `home` (none: defaults, no persistence).
pub fn start(home: Option<&Path>, now: Millis, log: Log<'_>) -> Startup {
    let Some(home) = home else {
        log("no directory in Accessible_Paths: default settings and config, no snapshot");
        return fresh(Setup::Single(Config::default()), Options::default(), log);
    };
    let options = read_options(home, log);
    let (setup, config_source, rules_refused) = read_setup(home, log);
    let Some(every) = options.snapshot_every else {
        log(&format!("config: {config_source}; snapshots off"));
        let mut startup = fresh(setup, options, log);
        startup.rules_refused = rules_refused;
        return startup;
    };
    let path = home.join(SNAPSHOT_FILE);
    let (mut engine, snapshot) = restore(home, setup, log);
    engine.tune(options.max_nesting);
    engine.set_journaling(true);
    let mut journals = Vec::new();
    let mut replayed = 0;
    for i in 0..engine.rule_count() {
        let (fields, rule_id) = engine.rule_identity(i);
        let base = state::journal::base_for(snapshot.as_deref(), &fields);
        let journal_file = journal_path(home, &engine, &rule_id);
        if let Some(detector) = engine.rule_mut(i) {
            let (journal, n) = journal::open(&journal_file, base, detector, log);
            journals.push(journal);
            replayed += n;
        }
    }
    log(&startup_line(
        home,
        &config_source,
        &engine,
        snapshot.is_some(),
        replayed,
        every,
    ));
    Startup {
        engine,
        options,
        persistence: Some(Persistence::new(&path, every, now, journals)),
        rules_refused,
    }
}

/// The journal of the rule `rule_id`: [`JOURNAL_FILE`] for the built-in rule; with rule
/// files, one per rule, named by a hash of its `rule_id` (any text) so that no two rules
/// share one and a rule keeps its journal however the directory changes.
pub fn journal_path(home: &Path, engine: &Engine, rule_id: &str) -> PathBuf {
    match engine {
        Engine::Single(_) => {
            let _ = rule_id;
            home.join(JOURNAL_FILE)
        }
        #[cfg(feature = "rule-files")]
        Engine::Rules(_) => rule_journal_path(home, rule_id),
    }
}

#[cfg(feature = "rule-files")]
fn rule_journal_path(home: &Path, rule_id: &str) -> PathBuf {
    let hash = xxhash_rust::xxh3::xxh3_64(rule_id.as_bytes());
    home.join(format!("{JOURNAL_FILE}.{hash:016x}"))
}

/// The built-in rule's config, or (in the module built with `rule-files`) the rules of
/// [`RULES_DIR`] when it holds any; where it came from in words; how many rule files
/// were refused.
fn read_setup(home: &Path, log: Log<'_>) -> (Setup, String, Option<u64>) {
    let rules_dir = home.join(RULES_DIR);
    #[cfg(not(feature = "rule-files"))]
    if rules_dir.is_dir() {
        log(&format!(
            "{}: this module runs the built-in rule only; rule files are read by dynamodb_scan_detector_rules.wasm",
            rules_dir.display()
        ));
    }
    #[cfg(feature = "rule-files")]
    if rules_dir.is_dir() {
        let found = super::rule_files::read(&rules_dir, log);
        let refused = Some(found.refused);
        if found.rules.is_empty() {
            log(&format!(
                "{}: no New Terms rule loaded; running the built-in rule",
                rules_dir.display()
            ));
        } else {
            // Checked here, so that a set that cannot be built (a key a rule file sets
            // given in the config document, one rule_id twice) never touches the state.
            let options = read_detector_options(home).and_then(|(options, source)| {
                crate::rule_set::RuleSet::new(found.rules.clone(), &options)
                    .map(|_| (options, source))
                    .map_err(|e| format!("rules: {e}"))
            });
            match options {
                Ok((options, source)) => {
                    let what = format!(
                        "{source}; {} rules from {}",
                        found.rules.len(),
                        rules_dir.display()
                    );
                    return (Setup::Rules(found.rules, options), what, refused);
                }
                Err(e) => log(&format!("{e}; running the built-in rule")),
            }
        }
        let (config, source) = read_config(home, log);
        return (Setup::Single(config), source, refused);
    }
    let (config, source) = read_config(home, log);
    (Setup::Single(config), source, None)
}

/// The config document as the host's tunables for rule files (the keys a rule file
/// sets are refused when the set is built).
#[cfg(feature = "rule-files")]
fn read_detector_options(home: &Path) -> Result<(DetectorOptions, String), String> {
    let config_path = home.join(CONFIG_FILE);
    match read_text(&config_path)? {
        None => Ok((
            DetectorOptions::default(),
            "defaults (no config file)".into(),
        )),
        Some(text) => serde_json::from_str(&text)
            .map(|options| (options, config_path.display().to_string()))
            .map_err(|e| format!("{}: {e}", config_path.display())),
    }
}

/// The module's settings file, or the defaults (saying why) when it is absent or bad.
fn read_options(home: &Path, log: Log<'_>) -> Options {
    match read_text(&home.join(OPTIONS_FILE)) {
        Ok(None) => Options::default(),
        Ok(Some(text)) => Options::from_json(&text).unwrap_or_else(|e| {
            log(&format!(
                "{}: {e}; using default settings",
                home.join(OPTIONS_FILE).display()
            ));
            Options::default()
        }),
        Err(e) => {
            log(&format!("{e}; using default settings"));
            Options::default()
        }
    }
}

/// The detector's config file, or the seed rule's defaults (saying why), with where
/// the config came from in words.
fn read_config(home: &Path, log: Log<'_>) -> (Config, String) {
    let config_path = home.join(CONFIG_FILE);
    let defaults = |why: &str| (Config::default(), format!("defaults ({why})"));
    match read_text(&config_path) {
        Ok(None) => defaults("no config file"),
        Ok(Some(text)) => match Config::from_json(&text) {
            Ok(config) => (config, config_path.display().to_string()),
            Err(e) => {
                log(&format!(
                    "{}: {e}; using the default config (seed rule)",
                    config_path.display()
                ));
                defaults("config file rejected")
            }
        },
        Err(e) => {
            log(&format!("{e}; using the default config (seed rule)"));
            defaults("config file unreadable")
        }
    }
}

/// The one line the module logs at start when snapshots are on: where its config and
/// state came from and where it writes.
fn startup_line(
    home: &Path,
    config_source: &str,
    engine: &Engine,
    from_snapshot: bool,
    replayed: usize,
    every: Millis,
) -> String {
    let snapshot = home.join(SNAPSHOT_FILE);
    let held = match engine.pending() {
        0 => String::new(),
        1 => " and 1 held event".to_owned(),
        n => format!(" and {n} held events"),
    };
    let restored = format!("restored {} tracked terms{held}", engine.tracked_terms());
    let journals = match engine {
        Engine::Single(_) => home.join(JOURNAL_FILE).display().to_string(),
        #[cfg(feature = "rule-files")]
        Engine::Rules(_) => format!(
            "{} journals ({}.*)",
            engine.rule_count(),
            home.join(JOURNAL_FILE).display()
        ),
    };
    let from_journal = format!("{journals} ({replayed} entries)");
    let writing = format!(
        "writing {} every {}s when state changes",
        snapshot.display(),
        every / 1000
    );
    match (from_snapshot, replayed) {
        (false, 0) => format!("config: {config_source}; no snapshot yet, {writing}"),
        (false, _) => {
            format!("config: {config_source}; no snapshot yet; {restored} from {from_journal}; {writing}")
        }
        (true, 0) => format!(
            "config: {config_source}; {restored} from {}",
            snapshot.display()
        ),
        (true, _) => format!(
            "config: {config_source}; {restored} from {} and {from_journal}",
            snapshot.display()
        ),
    }
}

/// The engine with the snapshot in `home` restored, and the snapshot's bytes; a new one
/// when there is none or it cannot be restored (then it is set aside with its
/// journals).
fn restore(home: &Path, setup: Setup, log: Log<'_>) -> (Engine, Option<Vec<u8>>) {
    let path = &home.join(SNAPSHOT_FILE);
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return (new_engine(setup, log), None),
        Err(e) => {
            log(&format!(
                "{}: {e}; starting with empty state",
                path.display()
            ));
            return (new_engine(setup, log), None);
        }
    };
    let (result, journals) = match setup {
        Setup::Single(config) => (
            Detector::restore(config.clone(), &bytes)
                .map(Engine::Single)
                .map_err(|e| Box::new((e.to_string(), Setup::Single(config)))),
            vec![home.join(JOURNAL_FILE)],
        ),
        #[cfg(feature = "rule-files")]
        Setup::Rules(rules, options) => {
            let journals = rules
                .iter()
                .map(|r| rule_journal_path(home, &r.rule_id))
                .collect();
            (restore_rules(path, rules, options, &bytes, log), journals)
        }
    };
    match result {
        Ok(engine) => (engine, Some(bytes)),
        Err(failed) => {
            let (e, setup) = *failed;
            let aside = append_suffix(path, REJECTED_SUFFIX);
            let moved = std::fs::rename(path, &aside).is_ok();
            // Its journals extend it, so they are of no use without it.
            let mut journals_moved = Vec::new();
            for journal in journals {
                let journal_aside = append_suffix(&journal, REJECTED_SUFFIX);
                if std::fs::rename(&journal, &journal_aside).is_ok() {
                    journals_moved.push(journal_aside.display().to_string());
                }
            }
            let mut note = String::new();
            if moved {
                note = format!(" (the file was moved to {}", aside.display());
                if !journals_moved.is_empty() {
                    note += &format!(", its journal to {}", journals_moved.join(", "));
                }
                note += ")";
            }
            log(&format!(
                "{}: cannot restore: {e}; starting with empty state{note}",
                path.display()
            ));
            (new_engine(setup, log), None)
        }
    }
}

/// A rule set with the snapshot at `path` restored, saying what the changed rules
/// dropped; or why not, with the setup back.
#[cfg(feature = "rule-files")]
fn restore_rules(
    path: &Path,
    rules: Vec<RuleDefinition>,
    options: DetectorOptions,
    bytes: &[u8],
    log: Log<'_>,
) -> Result<Engine, Box<(String, Setup)>> {
    match crate::rule_set::RuleSet::restore(rules.clone(), &options, bytes) {
        Ok((set, report)) => {
            for dropped in &report.dropped {
                log(&format!(
                    "{}: saved state dropped for rule {dropped}",
                    path.display()
                ));
            }
            for started in &report.started {
                log(&format!(
                    "{}: no saved state for rule {started}: it starts empty",
                    path.display()
                ));
            }
            Ok(Engine::Rules(Box::new(set)))
        }
        Err(e) => Err(Box::new((e.to_string(), Setup::Rules(rules, options)))),
    }
}

/// A new engine for `setup`; a rule set that cannot be built (a rule-owned key in the
/// config document) is reported, and the built-in rule runs instead.
fn new_engine(setup: Setup, log: Log<'_>) -> Engine {
    match setup {
        Setup::Single(config) => {
            let _ = log;
            Engine::Single(Detector::new(config))
        }
        #[cfg(feature = "rule-files")]
        Setup::Rules(rules, options) => match crate::rule_set::RuleSet::new(rules, &options) {
            Ok(set) => Engine::Rules(Box::new(set)),
            Err(e) => {
                log(&format!("rules: {e}; running the built-in rule"));
                Engine::Single(Detector::new(Config::default()))
            }
        },
    }
}

fn fresh(setup: Setup, options: Options, log: Log<'_>) -> Startup {
    let mut engine = new_engine(setup, log);
    engine.tune(options.max_nesting);
    Startup {
        engine,
        options,
        persistence: None,
        rules_refused: None,
    }
}

/// A file's text; `None` when it does not exist.
fn read_text(path: &Path) -> Result<Option<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// `path` with `suffix` added to its name.
pub(super) fn append_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Periodic snapshot writing: at most once per `every`, and only when state changed;
/// between snapshots, the journal.
#[derive(Debug)]
pub struct Persistence {
    path: PathBuf,
    every: Millis,
    last_write: Millis,
    dirty: bool,
    failing: bool,
    pub written: u64,
    pub errors: u64,
    /// One per rule (the built-in rule: one).
    pub journals: Vec<Journal>,
}

impl Persistence {
    fn new(path: &Path, every: Millis, now: Millis, journals: Vec<Journal>) -> Self {
        Persistence {
            path: path.to_owned(),
            every,
            last_write: now,
            dirty: false,
            failing: false,
            written: 0,
            errors: 0,
            journals,
        }
    }

    /// The detector's state changed.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Append what this call changed that a stop must not lose (new terms, events held
    /// and judged) to the journal, before the call returns.
    pub fn record(&mut self, engine: &mut Engine, log: Log<'_>) {
        for (i, entry) in engine.take_journal_entries() {
            self.dirty = true;
            if let Some(journal) = self.journals.get_mut(i) {
                journal.append(&entry, log);
            }
        }
    }

    /// The journals' counters, summed.
    pub fn journal_counters(&self) -> JournalCounters {
        let mut all = JournalCounters::default();
        for j in &self.journals {
            let c = &j.counters;
            all.appends += c.appends;
            all.bytes += c.bytes;
            all.errors += c.errors;
            all.replayed += c.replayed;
            all.skipped += c.skipped;
        }
        all
    }

    /// Write the snapshot if it is due, then start a new journal. Failures are reported
    /// when they start and when they stop, not on every attempt.
    pub fn tick(&mut self, now: &mut dyn FnMut() -> Millis, engine: &mut Engine, log: Log<'_>) {
        if !self.dirty {
            return;
        }
        let now = now();
        if now.saturating_sub(self.last_write) < self.every {
            return;
        }
        self.last_write = now;
        let partial = append_suffix(&self.path, PARTIAL_SUFFIX);
        let bytes = engine.snapshot();
        let result =
            std::fs::write(&partial, &bytes).and_then(|()| std::fs::rename(&partial, &self.path));
        match result {
            Ok(()) => {
                self.dirty = false;
                self.written += 1;
                for (i, journal) in self.journals.iter_mut().enumerate() {
                    let (fields, _) = engine.rule_identity(i);
                    journal.reset(state::journal::base_for(Some(&bytes), &fields), log);
                }
                if self.failing {
                    self.failing = false;
                    log(&format!("{}: snapshot written again", self.path.display()));
                }
            }
            Err(e) => {
                self.errors += 1;
                if !self.failing {
                    self.failing = true;
                    log(&format!(
                        "{}: cannot write the snapshot: {e} (will retry every {}s)",
                        self.path.display(),
                        self.every / 1000
                    ));
                }
            }
        }
    }
}
