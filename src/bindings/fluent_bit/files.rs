//! The module's files, all in its home directory (the first `Accessible_Paths` entry):
//! the detector's config, the module's settings, and the optional state snapshot.
//!
//! Everything here is reported through a log callback (stderr in Fluent Bit) and
//! nothing is fatal: a missing file means defaults, a bad file means defaults plus one
//! clear message, a snapshot that cannot be restored is set aside and never overwritten.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::journal::{self, Journal};
use super::options::Options;
use super::{CONFIG_FILE, JOURNAL_FILE, OPTIONS_FILE, SNAPSHOT_FILE};
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
    pub detector: Detector,
    pub options: Options,
    pub persistence: Option<Persistence>,
}

/// Read settings, config and snapshot from `home` (none: defaults, no persistence).
pub fn start(home: Option<&Path>, now: Millis, log: Log<'_>) -> Startup {
    let Some(home) = home else {
        log("no directory in Accessible_Paths: default settings and config, no snapshot");
        return fresh(Config::default(), Options::default(), None);
    };
    let options = read_options(home, log);
    let (config, config_source) = read_config(home, log);
    let Some(every) = options.snapshot_every else {
        log(&format!("config: {config_source}; snapshots off"));
        return fresh(config, options, None);
    };
    let path = home.join(SNAPSHOT_FILE);
    let (mut detector, snapshot) = restore(home, config, log);
    tune(&mut detector, &options);
    detector.set_journaling(true);
    let base = state::journal::base_for(snapshot.as_deref(), &detector.config().new_terms_fields);
    let (journal, replayed) = journal::open(home, base, &mut detector, log);
    log(&startup_line(
        home,
        &config_source,
        &detector,
        snapshot.is_some(),
        replayed,
        every,
    ));
    Startup {
        detector,
        options,
        persistence: Some(Persistence::new(&path, every, now, journal)),
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
    detector: &Detector,
    from_snapshot: bool,
    replayed: usize,
    every: Millis,
) -> String {
    let snapshot = home.join(SNAPSHOT_FILE);
    let held = match detector.pending() {
        0 => String::new(),
        1 => " and 1 held event".to_owned(),
        n => format!(" and {n} held events"),
    };
    let restored = format!(
        "restored {} tracked terms{held}",
        detector.stats().tracked_terms
    );
    let from_journal = format!("{} ({replayed} entries)", home.join(JOURNAL_FILE).display());
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

/// The detector in the snapshot in `home` and the snapshot's bytes; a new detector when
/// there is none or it cannot be restored (then it is set aside with its journal).
fn restore(home: &Path, config: Config, log: Log<'_>) -> (Detector, Option<Vec<u8>>) {
    let path = &home.join(SNAPSHOT_FILE);
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return (Detector::new(config), None),
        Err(e) => {
            log(&format!(
                "{}: {e}; starting with empty state",
                path.display()
            ));
            return (Detector::new(config), None);
        }
    };
    match Detector::restore(config.clone(), &bytes) {
        Ok(detector) => (detector, Some(bytes)),
        Err(e) => {
            let aside = append_suffix(path, REJECTED_SUFFIX);
            let moved = std::fs::rename(path, &aside).is_ok();
            // Its journal extends it, so it is of no use without it.
            let journal = home.join(JOURNAL_FILE);
            let journal_aside = append_suffix(&journal, REJECTED_SUFFIX);
            let journal_moved = std::fs::rename(&journal, &journal_aside).is_ok();
            let mut note = String::new();
            if moved {
                note = format!(" (the file was moved to {}", aside.display());
                if journal_moved {
                    note += &format!(", its journal to {}", journal_aside.display());
                }
                note += ")";
            }
            log(&format!(
                "{}: cannot restore: {e}; starting with empty state{note}",
                path.display()
            ));
            (Detector::new(config), None)
        }
    }
}

fn fresh(config: Config, options: Options, persistence: Option<Persistence>) -> Startup {
    let mut detector = Detector::new(config);
    tune(&mut detector, &options);
    Startup {
        detector,
        options,
        persistence,
    }
}

/// Host-specific detector settings (neither changes which alerts are raised).
pub(super) fn tune(detector: &mut Detector, options: &Options) {
    detector.set_nesting_limit(Some(options.max_nesting));
    // The byte-level pre-check in one pass over three rare bytes (wasm32 has no SIMD),
    // rejecting whole records (containers too: they pass on untouched either way). A
    // rejected record is then only validated (no fields read) before it is returned.
    detector.set_prefilter_whole_documents();
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
    pub journal: Journal,
}

impl Persistence {
    fn new(path: &Path, every: Millis, now: Millis, journal: Journal) -> Self {
        Persistence {
            path: path.to_owned(),
            every,
            last_write: now,
            dirty: false,
            failing: false,
            written: 0,
            errors: 0,
            journal,
        }
    }

    /// The detector's state changed.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Append what this call changed that a stop must not lose (new terms, events held
    /// and judged) to the journal, before the call returns.
    pub fn record(&mut self, detector: &mut Detector, log: Log<'_>) {
        if let Some(entry) = detector.take_journal_entry() {
            self.dirty = true;
            self.journal.append(&entry, log);
        }
    }

    /// Write the snapshot if it is due, then start a new journal. Failures are reported
    /// when they start and when they stop, not on every attempt.
    pub fn tick(&mut self, now: &mut dyn FnMut() -> Millis, detector: &Detector, log: Log<'_>) {
        if !self.dirty {
            return;
        }
        let now = now();
        if now.saturating_sub(self.last_write) < self.every {
            return;
        }
        self.last_write = now;
        let partial = append_suffix(&self.path, PARTIAL_SUFFIX);
        let bytes = detector.snapshot();
        let result =
            std::fs::write(&partial, &bytes).and_then(|()| std::fs::rename(&partial, &self.path));
        match result {
            Ok(()) => {
                self.dirty = false;
                self.written += 1;
                let fields = &detector.config().new_terms_fields;
                self.journal
                    .reset(state::journal::base_for(Some(&bytes), fields), log);
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
