//! Java's `Map.toString()` as Elastic's ingest pipeline writes it into
//! `aws.cloudtrail.request_parameters` and its siblings: `{k1=v1, k2={a=b}, k3=[x, y]}`.
//!
//! The pipeline's maps are `java.util.HashMap`s filled one key at a time, so the keys
//! come out in hash-bucket order, not in the record's order. We reproduce that order
//! (String.hashCode over UTF-16 code units, the spread `h ^ (h >>> 16)`, a table of 16
//! buckets doubling past a load of 0.75 or early on a crowded bucket, insertion order
//! within a bucket: see [`hash_map_order`]), which makes our strings byte-identical to
//! Elastic's for the fixtures we hold and to Java's own HashMap in the tests.

use serde_json::{Number, Value};

use super::java_value::{string_hash, JavaNumber};

/// Render a JSON value as Java's `toString()` of the equivalent parsed object.
pub fn to_java_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out, 0);
    out
}

fn write_value(value: &Value, out: &mut String, depth: usize) {
    if depth > 64 {
        out.push_str("...");
        return;
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&java_number(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, key) in hash_map_order(map.keys().map(String::as_str), string_hash)
                .into_iter()
                .enumerate()
            {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push('=');
                if let Some(v) = map.get(key) {
                    write_value(v, out, depth + 1);
                }
            }
            out.push('}');
        }
    }
}

/// The iteration order of a `HashMap`/`HashSet` that received `items` one by one
/// (distinct keys).
///
/// Java iterates bucket by bucket, each bucket in insertion order (a resize splits a
/// bucket without reordering it). The table starts at 16 buckets and doubles when the
/// size passes 3/4 of them, or, below 64 buckets, when a ninth key lands in one bucket
/// (where Java would otherwise turn the bucket into a tree). Not modelled: the tree
/// buckets themselves (nine keys in one bucket of a table of 64 or more, which only
/// chosen keys reach), whose order follows a red-black tree.
pub fn hash_map_order<T: Copy>(items: impl Iterator<Item = T>, hash: impl Fn(T) -> i32) -> Vec<T> {
    let items: Vec<T> = items.collect();
    let hashes: Vec<u32> = items.iter().map(|&item| spread(hash(item))).collect();
    bucket_order(&hashes)
        .into_iter()
        .map(|i| items[i])
        .collect()
}

/// `HashMap.hash`: the hash code's high half folded into the low half.
fn spread(hash: i32) -> u32 {
    let h = hash as u32;
    h ^ (h >> 16)
}

/// The iteration order of keys with these spread hashes, as indices (one copy of the
/// work for every item type).
fn bucket_order(hashes: &[u32]) -> Vec<usize> {
    let capacity = java_table(hashes).capacity;
    // Bucket by bucket, each in insertion order: a counting sort on the bucket index
    // (linear, and far smaller in wasm than a general sort).
    let mask = (capacity - 1) as u32;
    let mut starts = vec![0usize; capacity + 1];
    for h in hashes {
        starts[(h & mask) as usize + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut order = vec![0; hashes.len()];
    for (i, h) in hashes.iter().enumerate() {
        let slot = &mut starts[(h & mask) as usize];
        order[*slot] = i;
        *slot += 1;
    }
    order
}

/// A `HashMap`'s table after inserting keys with these spread hashes, in order.
struct JavaTable {
    capacity: usize,
    /// Whether a bucket became a tree (see [`hash_map_order`]); the test against
    /// Java's own HashMap skips those key sets.
    #[cfg_attr(not(test), allow(dead_code))]
    tree_buckets: bool,
}

fn java_table(hashes: &[u32]) -> JavaTable {
    const TREEIFY_THRESHOLD: usize = 8;
    const MIN_TREEIFY_CAPACITY: usize = 64;
    let mut capacity = 16usize;
    let mut tree_buckets = false;
    let mut counts = vec![0usize; capacity];
    let recount = |capacity: usize, upto: usize| {
        let mut counts = vec![0usize; capacity];
        for &h in &hashes[..upto] {
            counts[h as usize & (capacity - 1)] += 1;
        }
        counts
    };
    for (i, &h) in hashes.iter().enumerate() {
        let size = i + 1;
        let bucket = h as usize & (capacity - 1);
        counts[bucket] += 1;
        if counts[bucket] > TREEIFY_THRESHOLD {
            if capacity < MIN_TREEIFY_CAPACITY {
                capacity *= 2; // treeifyBin resizes instead
            } else {
                tree_buckets = true;
            }
        }
        // Then putVal checks the size against the (new) threshold.
        if size * 4 > capacity * 3 {
            capacity *= 2;
        }
        if counts.len() != capacity {
            counts = recount(capacity, size);
        }
    }
    JavaTable {
        capacity,
        tree_buckets,
    }
}

/// A JSON number as Java holds it after Jackson parsed it: an integer literal as an
/// `Integer`, `Long` or `BigInteger` (exact digits; `-0` is `0`), anything else as a
/// `Double` (`Infinity` past the largest).
fn java_number(n: &Number) -> String {
    match JavaNumber::of(n) {
        JavaNumber::Integer(digits) => digits,
        JavaNumber::Double(bits) => crate::float_text::java_double(f64::from_bits(bits)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn orders_keys_as_java_hash_map() {
        let cases = [
            (
                json!({"bucketName": "b", "Host": "h", "x-amz-copy-source": "c", "key": "k"}),
                "{bucketName=b, Host=h, x-amz-copy-source=c, key=k}",
            ),
            (json!({"MobileVersion": "No", "LoginTo": "u", "MFAUsed": "No"}), "{LoginTo=u, MobileVersion=No, MFAUsed=No}"),
            (json!({"tableName": "T", "limit": 1, "consistentRead": false}), "{consistentRead=false, limit=1, tableName=T}"),
            (json!({"a": {"b": [1, 2.5, "x"]}}), "{a={b=[1, 2.5, x]}}"),
            (
                json!({"select": "ALL_ATTRIBUTES", "consistentRead": false, "tableName": "T", "limit": 50, "returnConsumedCapacity": "TOTAL"}),
                "{select=ALL_ATTRIBUTES, consistentRead=false, limit=50, returnConsumedCapacity=TOTAL, tableName=T}",
            ),
        ];
        for (value, want) in cases {
            assert_eq!(to_java_string(&value), want);
        }
    }

    /// Orders printed by Java's own HashMap (tests/fixtures/java/HashMapOrder.java):
    /// random keys, and keys chosen to share a bucket, which makes a table below 64
    /// buckets grow early. Tree buckets are not modelled; the fixture's one such case
    /// must be the only line skipped.
    #[test]
    fn hash_map_order_matches_java() {
        let fixture = include_str!("../../tests/fixtures/java/hash_map_order.tsv");
        let (mut checked, mut trees) = (0, 0);
        for line in fixture.lines() {
            let (keys, java) = line.split_once('\t').unwrap();
            let keys: Vec<&str> = keys.split(',').collect();
            let hashes: Vec<u32> = keys.iter().map(|k| spread(string_hash(k))).collect();
            if java_table(&hashes).tree_buckets {
                trees += 1;
                continue;
            }
            let ours = hash_map_order(keys.iter().copied(), string_hash).join(",");
            assert_eq!(ours, java, "keys {keys:?}");
            checked += 1;
        }
        assert_eq!((checked, trees), (fixture.lines().count() - 1, 1));
    }

    #[test]
    fn java_number_text() {
        for (number, want) in [
            ("1.0", "1.0"),
            ("0.5", "0.5"),
            ("1e7", "1.0E7"),
            ("1.5e-5", "1.5E-5"),
            ("123.25", "123.25"),
            ("7", "7"),
            ("-0", "0"),
            ("100000000000000000000", "100000000000000000000"),
            ("1e400", "Infinity"),
            ("-1e400", "-Infinity"),
            ("-0.0", "-0.0"),
        ] {
            let n: Number = serde_json::from_str(number).unwrap();
            assert_eq!(java_number(&n), want);
        }
    }
}
