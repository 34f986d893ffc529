//! The journal file, [`super::JOURNAL_FILE`] (with rule files, one per rule:
//! [`super::files::journal_path`]), beside the snapshot: what the detector
//! changed since the snapshot, so that a stop at any moment loses no first sighting
//! (Fluent Bit gives a filter no shutdown hook, and a snapshot per new principal would
//! cost a whole state's serialisation each). Only with `snapshot_every` set.
//!
//! * **Written** at the end of every filter call that recorded a new term, started
//!   holding an event in the reorder window, or judged a held one: one line (the core's
//!   [`journal::Entry`]) in one `write` to a file opened for appending, before the call
//!   returns. Nothing is buffered in the module; no `fsync`.
//! * **Reset** after each snapshot is written and renamed into place: a new journal
//!   holding only its base line (naming that snapshot) is written beside it and renamed
//!   over the old one, so the journal on disk is always whole and names the snapshot it
//!   extends.
//! * **Replayed** at start over the restored snapshot, when its base names that
//!   snapshot (or names none and there is none). A journal that names another snapshot
//!   was left by a stop between a snapshot's rename and the reset: the snapshot holds
//!   all of it, and it is replaced. An unusable line (a last line torn by a kill in the
//!   middle of a write, or a corrupt one) is skipped, counted and reported; the lines
//!   around it are used, and the journal is rewritten without it before anything is
//!   appended. A journal of other new-terms fields, or with an unreadable first line, is
//!   set aside (`….rejected`), never overwritten.
//!
//! Nothing here is fatal: a journal that cannot be written is reported (when the
//! failures start and when they stop) and counted, and the periodic snapshot remains.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::files::{append_suffix, Log};
use crate::state::journal::{self, Base, Entry};
use crate::Detector;

/// A new journal is written here first, then renamed over the real file.
const PARTIAL_SUFFIX: &str = ".partial";
/// Where a journal that cannot be replayed is moved.
const REJECTED_SUFFIX: &str = ".rejected";

/// The journal's counters (in the module's stats).
#[derive(Debug, Default, Clone, Serialize)]
pub struct JournalCounters {
    /// Entries appended.
    pub appends: u64,
    /// Bytes appended.
    pub bytes: u64,
    /// Failed appends, resets and rewrites.
    pub errors: u64,
    /// Entries replayed at start.
    pub replayed: u64,
    /// Unusable lines skipped at start (torn or corrupt).
    pub skipped: u64,
}

/// The open journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    /// What the journal on disk extends (written as its first line).
    base: Base,
    /// Open for appending; `None` after a failed reset (the next append writes a new
    /// journal first).
    file: Option<File>,
    /// A failed write may have left part of a line: the next one starts a new line.
    fragment: bool,
    failing: bool,
    line: Vec<u8>,
    pub counters: JournalCounters,
}

/// Open the journal at `path` for a detector restored from the snapshot `base` names
/// (or new), replaying into it what extends that snapshot; with the number of entries
/// replayed.
pub fn open(path: &Path, base: Base, detector: &mut Detector, log: Log<'_>) -> (Journal, usize) {
    let path = path.to_owned();
    let mut journal = Journal {
        path: path.clone(),
        base,
        file: None,
        fragment: false,
        failing: false,
        line: Vec::new(),
        counters: JournalCounters::default(),
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            journal.set_aside(&format!("cannot be read: {e}"), log);
            Vec::new()
        }
    };
    if bytes.is_empty() {
        journal.rewrite(&[], log);
        return (journal, 0);
    }
    let contents = journal::read(&bytes);
    let found = match contents.base {
        Ok(found) => found,
        Err(e) => {
            journal.set_aside(&format!("its first line is unusable: {e}"), log);
            journal.rewrite(&[], log);
            return (journal, 0);
        }
    };
    if found.new_terms_fields != journal.base.new_terms_fields {
        let why = format!(
            "it was written for new_terms_fields {:?}, this config uses {:?}",
            found.new_terms_fields, journal.base.new_terms_fields
        );
        journal.set_aside(&why, log);
        journal.rewrite(&[], log);
        return (journal, 0);
    }
    if found.snapshot != journal.base.snapshot {
        log(&format!(
            "{}: extends another snapshot than the one restored (a stop came between a snapshot's rename and the journal's reset, so the snapshot holds it all); not replayed",
            path.display()
        ));
        journal.rewrite(&[], log);
        return (journal, 0);
    }
    let replayed = contents.entries.len();
    journal.counters.replayed = contents.entries.len() as u64;
    journal.counters.skipped = contents.unusable.len() as u64;
    detector.replay_journal(contents.entries);
    if let Some((line, e)) = contents.unusable.first() {
        log(&format!(
            "{}: {} unusable line(s) skipped (line {line}: {e}){}; the {} usable entries were replayed",
            path.display(),
            contents.unusable.len(),
            if contents.unusable.len() > 1 { ", …" } else { "" },
            replayed,
        ));
    }
    if contents.unusable.is_empty() && contents.ends_cleanly {
        journal.file = journal.open_for_append(log);
    } else {
        // Appending after a torn line would glue the next entry to it.
        journal.rewrite(&contents.entry_lines, log);
    }
    (journal, replayed)
}

impl Journal {
    /// Append one entry in one write. `false` if it could not be written.
    pub fn append(&mut self, entry: &Entry, log: Log<'_>) -> bool {
        if self.file.is_none() {
            self.rewrite(&[], log);
        }
        let Some(file) = &mut self.file else {
            return false; // counted and reported by the rewrite
        };
        self.line.clear();
        if self.fragment {
            self.line.push(b'\n');
        }
        entry.encode(&mut self.line);
        match file.write_all(&self.line) {
            Ok(()) => {
                self.fragment = false;
                self.counters.appends += 1;
                self.counters.bytes += self.line.len() as u64;
                self.recovered(log);
                true
            }
            Err(e) => {
                self.fragment = true;
                self.failed(&format!("cannot append: {e}"), log);
                false
            }
        }
    }

    /// A snapshot named by `base` is in place: start a new journal that extends it.
    pub fn reset(&mut self, base: Base, log: Log<'_>) {
        self.base = base;
        self.rewrite(&[], log);
    }

    /// Replace the journal with one holding the base and `lines` (written beside it,
    /// then renamed over it), and open it for appending.
    fn rewrite(&mut self, lines: &[&[u8]], log: Log<'_>) {
        self.file = None;
        let mut text = Vec::new();
        self.base.encode(&mut text);
        for line in lines {
            text.extend_from_slice(line);
            text.push(b'\n');
        }
        let partial = append_suffix(&self.path, PARTIAL_SUFFIX);
        let result =
            std::fs::write(&partial, &text).and_then(|()| std::fs::rename(&partial, &self.path));
        match result {
            Ok(()) => {
                self.fragment = false;
                self.file = self.open_for_append(log);
            }
            Err(e) => self.failed(&format!("cannot write a new journal: {e}"), log),
        }
    }

    fn open_for_append(&mut self, log: Log<'_>) -> Option<File> {
        match OpenOptions::new().append(true).open(&self.path) {
            Ok(file) => {
                self.recovered(log);
                Some(file)
            }
            Err(e) => {
                self.failed(&format!("cannot open for appending: {e}"), log);
                None
            }
        }
    }

    /// Move an unusable journal aside, never overwriting it.
    fn set_aside(&mut self, why: &str, log: Log<'_>) {
        let aside = append_suffix(&self.path, REJECTED_SUFFIX);
        let moved = std::fs::rename(&self.path, &aside).is_ok();
        log(&format!(
            "{}: {why}; not replayed{}",
            self.path.display(),
            if moved {
                format!(" (moved to {})", aside.display())
            } else {
                String::new()
            }
        ));
    }

    /// Failures are reported when they start and when they stop, not on every attempt.
    fn failed(&mut self, what: &str, log: Log<'_>) {
        self.counters.errors += 1;
        if !self.failing {
            self.failing = true;
            log(&format!(
                "{}: {what}; until it can be written again, a stop loses what changed since the last snapshot",
                self.path.display()
            ));
        }
    }

    fn recovered(&mut self, log: Log<'_>) {
        if self.failing {
            self.failing = false;
            log(&format!("{}: journal written again", self.path.display()));
        }
    }
}
