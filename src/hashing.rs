//! A deterministic hasher for keys that are already well-mixed hashes (term keys) or
//! small integers (Java hash codes): one multiply. The core never reads randomness, so
//! std's randomly seeded `RandomState` is not used anywhere.

use std::hash::{BuildHasherDefault, Hasher};

use serde_json::Value;
use xxhash_rust::xxh3::Xxh3;

/// One multiply by the golden-ratio constant, so that low bits are mixed too.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_i32(&mut self, n: i32) {
        self.write_u64(n as u32 as u64);
    }
}

pub type KeyHashSet<T> = hashbrown::HashSet<T, BuildHasherDefault<KeyHasher>>;
pub type KeyHashMap<K, V> = hashbrown::HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// A 64-bit fingerprint of a JSON value: values equal up to the order of object keys,
/// with numbers that `number` feeds alike, have equal fingerprints. Used where a weak
/// hash (a Java hash code, easy to collide on purpose) would leave many values in one
/// bucket (tested with `java_map::java_fingerprint`).
pub fn fingerprint_with(v: &Value, number: &dyn Fn(&serde_json::Number, &mut Xxh3)) -> u64 {
    let mut h = Xxh3::new();
    feed(v, &mut h, number);
    h.digest()
}

/// Feed one tagged, length-prefixed text (so that no two sequences run together).
/// Term keys are built from the same encoding.
pub fn feed_text(h: &mut Xxh3, tag: u8, s: &str) {
    h.update(&[tag]);
    h.update(&(s.len() as u64).to_le_bytes());
    h.update(s.as_bytes());
}

fn feed(v: &Value, h: &mut Xxh3, number: &dyn Fn(&serde_json::Number, &mut Xxh3)) {
    match v {
        Value::Null => h.update(b"z"),
        Value::Bool(b) => h.update(if *b { b"t" } else { b"f" }),
        Value::Number(n) => number(n, h),
        Value::String(s) => feed_text(h, b's', s),
        Value::Array(items) => {
            h.update(b"[");
            h.update(&(items.len() as u64).to_le_bytes());
            for item in items {
                feed(item, h, number);
            }
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable();
            h.update(b"{");
            h.update(&(keys.len() as u64).to_le_bytes());
            for k in keys {
                feed_text(h, b'k', k);
                if let Some(v) = map.get(k) {
                    feed(v, h, number);
                }
            }
        }
    }
}
