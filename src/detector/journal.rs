//! The detector's side of the journal ([`crate::state::journal`]): collecting what a
//! host call changed that a stop must not lose, and applying it again after a restore.
//! Pure: the host writes and reads the lines.

use super::Detector;
use crate::hashing::KeyHashSet;
use crate::state::journal::{progress, Changes, Entry, Scalars};

impl Detector {
    /// Collect, from now on, the changes a journal needs ([`Self::take_journal_entry`]);
    /// `false` stops and drops what was collected. Off by default: it costs a copy of
    /// each event the reorder window holds. Not part of the snapshot.
    pub fn set_journaling(&mut self, on: bool) {
        self.journal = on.then(Changes::default);
    }

    /// The changes since the last call, with the scalar state after them, as one
    /// journal entry: the terms recorded as new, the events the reorder window started
    /// holding, the held events judged. `None` when there are none (a known term seen
    /// again writes none), or journaling is off. A host appends the entry to its journal
    /// before it hands the call's results on.
    pub fn take_journal_entry(&mut self) -> Option<Entry> {
        let changes = self.journal.as_mut().filter(|c| !c.is_empty())?;
        let changes = std::mem::take(changes);
        Some(changes.into_entry(Scalars {
            watermark: self.watermark,
            learning_start: self.learning_start,
            next_seq: self.pending.next_seq_value(),
            cap: self.cap.clone(),
            stats: self.stats(),
        }))
    }

    /// Apply a journal's entries, in order, to this detector (restored from the
    /// snapshot the journal extends, or new when it extends none). Each entry is
    /// idempotent ([`crate::state::journal`]): one the state already holds (its counters
    /// are not ahead of the state's) changes nothing. The detector then judges as it
    /// would have after the last entry's call, except for what entries do not carry:
    /// later occurrences of terms it already knew (their last-seen times stay those of
    /// the snapshot or of the entry that recorded them) and, for calls that wrote no
    /// entry, the watermark and counters they advanced.
    pub fn replay_journal(&mut self, entries: Vec<Entry>) {
        let mut judged = KeyHashSet::default();
        for entry in entries {
            // Not behind the state (equal counters: nothing counted in between).
            let current = progress(&entry.stats) >= progress(&self.stats());
            judged.extend(
                entry
                    .judged
                    .into_iter()
                    .filter(|&seq| self.pending.contains(seq)),
            );
            if !current {
                continue;
            }
            for (key, t) in entry.terms {
                if self.store.last_seen(key).is_none_or(|last| last < t) {
                    self.store.restore_entry(key, t);
                }
            }
            // Events held after the state's last arrival; one numbered below it has
            // been held and judged already, or is held now.
            let first_new = self.pending.next_seq_value();
            for event in entry.held {
                if event.seq >= first_new && !self.pending.contains(event.seq) {
                    self.pending.advance_seq(event.seq.saturating_add(1));
                    self.pending.hold(event);
                }
            }
            self.watermark = entry.watermark;
            self.learning_start = entry.learning_start;
            self.cap = entry.cap;
            self.cap
                .reconfigure(self.config.interval.millis(), self.config.max_signals.get());
            self.store.counters.expired = entry.stats.expired;
            self.store.counters.evicted = entry.stats.evicted;
            self.stats = entry.stats;
            self.pending.advance_seq(entry.next_seq);
        }
        self.pending.forget(&judged);
    }
}
