//! The bounded first-seen store: term key → time of its latest occurrence.
//!
//! Layout, chosen for a small, flat footprint (about 35 bytes per term at a million):
//! a chunked slab of 24-byte nodes `{key, last_seen, prev, next}` threaded on one intrusive
//! doubly-linked list in order of update (most recent at the head), and a hashbrown
//! `HashTable<u32>` of slab indices keyed by the term key. Every operation is O(1):
//!
//! * **lookup/update** hashes once and moves the node to the head;
//! * **expiry**: a term is forgotten once its latest occurrence is more than the
//!   history window behind the newest time seen (the watermark). The sweep pops such
//!   terms from the tail without a scan; one that an out-of-order update left behind a
//!   newer node is treated as forgotten on lookup all the same, so what the detector
//!   decides never depends on how far the sweep has got;
//! * **eviction** at `max_terms` removes the tail: the term whose latest matching
//!   event arrived longest ago.
//!
//! Eviction only ever *adds* alerts: a forgotten term that comes back is judged new,
//! never the reverse, so no first-seen is missed because of the cap.

use hashbrown::HashTable;

use super::slab::Slab;
use crate::time::Millis;

const NIL: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Node {
    key: u64,
    last_seen: Millis,
    prev: u32,
    next: u32,
}

/// What the store says about one occurrence of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Never seen (or forgotten by eviction): new.
    First,
    /// Last seen more than the history window before: new again.
    Expired,
    /// Seen within the window: not new; its time moves forward.
    Repeat,
    /// Older than the term's latest (unexpired) occurrence: never alerts, state unchanged.
    Late,
}

impl Seen {
    pub fn is_new(self) -> bool {
        matches!(self, Seen::First | Seen::Expired)
    }
}

/// Counters the store keeps for the detector's stats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreCounters {
    pub expired: u64,
    pub evicted: u64,
}

/// The store. See the module documentation for its layout and guarantees.
#[derive(Debug, Clone)]
pub struct TermStore {
    table: HashTable<u32>,
    nodes: Slab<Node>,
    free: u32,
    head: u32,
    tail: u32,
    len: usize,
    capacity: usize,
    pub counters: StoreCounters,
}

impl TermStore {
    /// An empty store holding at most `capacity` terms (`capacity` < u32::MAX).
    pub fn new(capacity: usize) -> Self {
        TermStore {
            table: HashTable::new(),
            nodes: Slab::default(),
            free: NIL,
            head: NIL,
            tail: NIL,
            len: 0,
            capacity: capacity.clamp(1, (NIL - 1) as usize),
            counters: StoreCounters::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Judge an occurrence of `key` at time `t` against a history of `window`
    /// milliseconds, and record it (the store keeps the latest occurrence).
    ///
    /// `watermark` is the newest time seen so far (this occurrence included). A term whose
    /// latest occurrence is more than the window before the watermark is expired: it is
    /// forgotten whether or not the sweep has reached it yet, so an out-of-order
    /// occurrence of it is judged new, exactly as if the sweep had removed it.
    pub fn observe(&mut self, key: u64, t: Millis, window: Millis, watermark: Millis) -> Seen {
        let nodes = &self.nodes;
        if let Some(&idx) = self.table.find(key, |&i| nodes[i].key == key) {
            let node = &mut self.nodes[idx];
            let expired = t.saturating_sub(node.last_seen) > window
                || watermark.saturating_sub(node.last_seen) > window;
            if expired {
                self.counters.expired += 1;
                node.last_seen = t;
                self.move_to_head(idx);
                return Seen::Expired;
            }
            if t < node.last_seen {
                return Seen::Late;
            }
            node.last_seen = t;
            self.move_to_head(idx);
            return Seen::Repeat;
        }
        self.insert(key, t);
        Seen::First
    }

    /// Whether an occurrence of `key` at `t` is a [`Seen::Repeat`] as [`Self::observe`]
    /// would judge it with `watermark`: it has an occurrence at or before `t` within the
    /// window. Reads only.
    pub fn repeats(&self, key: u64, t: Millis, window: Millis, watermark: Millis) -> bool {
        self.last_seen(key).is_some_and(|last| {
            last <= t
                && t.saturating_sub(last) <= window
                && watermark.saturating_sub(last) <= window
        })
    }

    /// The latest time recorded for `key`, if tracked.
    pub fn last_seen(&self, key: u64) -> Option<Millis> {
        let nodes = &self.nodes;
        self.table
            .find(key, |&i| nodes[i].key == key)
            .map(|&i| nodes[i].last_seen)
    }

    /// Drop terms, from the least recently updated, whose latest occurrence is more
    /// than `window` before `now`. Stops at the first term still inside the window.
    pub fn expire(&mut self, now: Millis, window: Millis) -> usize {
        let mut dropped = 0;
        while self.tail != NIL {
            let node = self.nodes[self.tail];
            if now.saturating_sub(node.last_seen) <= window {
                break;
            }
            self.remove(self.tail);
            dropped += 1;
        }
        self.counters.expired += dropped as u64;
        dropped
    }

    /// Every `(key, last_seen)` from least to most recently updated.
    pub fn iter_oldest_first(&self) -> impl Iterator<Item = (u64, Millis)> + '_ {
        let mut cursor = self.tail;
        std::iter::from_fn(move || {
            if cursor == NIL {
                return None;
            }
            let node = self.nodes[cursor];
            cursor = node.prev;
            Some((node.key, node.last_seen))
        })
    }

    /// Re-insert a term while restoring (oldest first), evicting if over capacity.
    pub fn restore_entry(&mut self, key: u64, last_seen: Millis) {
        let nodes = &self.nodes;
        if let Some(&idx) = self.table.find(key, |&i| nodes[i].key == key) {
            let node = &mut self.nodes[idx];
            node.last_seen = node.last_seen.max(last_seen);
            self.move_to_head(idx);
        } else {
            self.insert(key, last_seen);
        }
    }

    /// Approximate heap bytes held (for the memory-per-term figure).
    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity_bytes() + self.table.capacity() * (std::mem::size_of::<u32>() + 1)
    }

    fn insert(&mut self, key: u64, t: Millis) {
        if self.len >= self.capacity {
            self.remove(self.tail);
            self.counters.evicted += 1;
        }
        let node = Node {
            key,
            last_seen: t,
            prev: NIL,
            next: NIL,
        };
        let idx = if self.free != NIL {
            let idx = self.free;
            self.free = self.nodes[idx].next;
            self.nodes[idx] = node;
            idx
        } else {
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        };
        let nodes = &self.nodes;
        self.table.insert_unique(key, idx, |&i| nodes[i].key);
        self.link_head(idx);
        self.len += 1;
    }

    fn remove(&mut self, idx: u32) {
        if idx == NIL {
            return;
        }
        let key = self.nodes[idx].key;
        if let Ok(entry) = self.table.find_entry(key, |&i| i == idx) {
            entry.remove();
        }
        self.unlink(idx);
        self.nodes[idx].next = self.free;
        self.free = idx;
        self.len -= 1;
    }

    fn move_to_head(&mut self, idx: u32) {
        if self.head != idx {
            self.unlink(idx);
            self.link_head(idx);
        }
    }

    fn link_head(&mut self, idx: u32) {
        let old = self.head;
        {
            let n = &mut self.nodes[idx];
            n.prev = NIL;
            n.next = old;
        }
        if old != NIL {
            self.nodes[old].prev = idx;
        } else {
            self.tail = idx;
        }
        self.head = idx;
    }

    fn unlink(&mut self, idx: u32) {
        let Node { prev, next, .. } = self.nodes[idx];
        if prev != NIL {
            self.nodes[prev].next = next;
        } else {
            self.head = next;
        }
        if next != NIL {
            self.nodes[next].prev = prev;
        } else {
            self.tail = prev;
        }
    }
}
