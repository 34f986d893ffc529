//! The module's files, all in its home directory (the first `Accessible_Paths` entry):
//! the detector's config, the module's settings, and the optional state snapshot.
//!
//! Everything here is reported through a log callback (stderr in Fluent Bit) and
//! nothing is fatal: a missing file means defaults, a bad file means defaults plus one
//! clear message, a snapshot that cannot be restored is set aside and never overwritten.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::options::Options;
use super::{CONFIG_FILE, OPTIONS_FILE, SNAPSHOT_FILE};
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
    let options = match read_text(&home.join(OPTIONS_FILE)) {
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
    };
    let config_path = home.join(CONFIG_FILE);
    let (config, config_source) = match read_text(&config_path) {
        Ok(None) => (Config::default(), "defaults (no config file)".to_owned()),
        Ok(Some(text)) => match Config::from_json(&text) {
            Ok(config) => (config, config_path.display().to_string()),
            Err(e) => {
                log(&format!(
                    "{}: {e}; using the default config (seed rule)",
                    config_path.display()
                ));
                (
                    Config::default(),
                    "defaults (config file rejected)".to_owned(),
                )
            }
        },
        Err(e) => {
            log(&format!("{e}; using the default config (seed rule)"));
            (
                Config::default(),
                "defaults (config file unreadable)".to_owned(),
            )
        }
    };
    let Some(every) = options.snapshot_every else {
        log(&format!("config: {config_source}; snapshots off"));
        return fresh(config, options, None);
    };
    let persistence = Persistence::new(home, every, now);
    let path = home.join(SNAPSHOT_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            log(&format!(
                "config: {config_source}; no snapshot yet, writing {} every {}s when state changes",
                path.display(),
                every / 1000
            ));
            return fresh(config, options, Some(persistence));
        }
        Err(e) => {
            log(&format!(
                "{}: {e}; starting with empty state",
                path.display()
            ));
            return fresh(config, options, Some(persistence));
        }
    };
    match Detector::restore(config.clone(), &bytes) {
        Ok(mut detector) => {
            tune(&mut detector, &options);
            log(&format!(
                "config: {config_source}; restored {} tracked terms from {}",
                detector.stats().tracked_terms,
                path.display()
            ));
            Startup {
                detector,
                options,
                persistence: Some(persistence),
            }
        }
        Err(e) => {
            let aside = append(&path, REJECTED_SUFFIX);
            let moved = std::fs::rename(&path, &aside).is_ok();
            log(&format!(
                "{}: cannot restore: {e}; starting with empty state{}",
                path.display(),
                if moved {
                    format!(" (the file was moved to {})", aside.display())
                } else {
                    String::new()
                }
            ));
            fresh(config, options, Some(persistence))
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

fn append(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Periodic snapshot writing: at most once per `every`, and only when state changed.
#[derive(Debug)]
pub struct Persistence {
    path: PathBuf,
    every: Millis,
    last_write: Millis,
    dirty: bool,
    failing: bool,
    pub written: u64,
    pub errors: u64,
}

impl Persistence {
    fn new(home: &Path, every: Millis, now: Millis) -> Self {
        Persistence {
            path: home.join(SNAPSHOT_FILE),
            every,
            last_write: now,
            dirty: false,
            failing: false,
            written: 0,
            errors: 0,
        }
    }

    /// The detector's state changed.
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Write the snapshot if it is due. Failures are reported when they start and when
    /// they stop, not on every attempt.
    pub fn tick(&mut self, now: &mut dyn FnMut() -> Millis, detector: &Detector, log: Log<'_>) {
        if !self.dirty {
            return;
        }
        let now = now();
        if now.saturating_sub(self.last_write) < self.every {
            return;
        }
        self.last_write = now;
        let partial = append(&self.path, PARTIAL_SUFFIX);
        let result = std::fs::write(&partial, detector.snapshot())
            .and_then(|()| std::fs::rename(&partial, &self.path));
        match result {
            Ok(()) => {
                self.dirty = false;
                self.written += 1;
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
