//! Java's `Map.toString()` as Elastic's ingest pipeline writes it into
//! `aws.cloudtrail.request_parameters` and its siblings: `{k1=v1, k2={a=b}, k3=[x, y]}`.
//!
//! The pipeline's maps are `java.util.HashMap`s filled one key at a time, so the keys
//! come out in hash-bucket order, not in the record's order. We reproduce that order
//! (String.hashCode over UTF-16 code units, the spread `h ^ (h >>> 16)`, a table of 16
//! buckets doubling past a load of 0.75, insertion order within a bucket), which makes
//! our strings byte-identical to Elastic's for the fixtures we hold.

use serde_json::{Map, Number, Value};

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

/// Java's `String.hashCode()`.
pub fn string_hash(s: &str) -> i32 {
    s.encode_utf16().fold(0i32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(i32::from(unit))
    })
}

/// The hash Java uses for a JSON value parsed into Java objects (strings, numbers, booleans, maps, lists).
pub fn value_hash(v: &Value) -> i32 {
    match v {
        Value::Null => 0,
        Value::Bool(b) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        Value::String(s) => string_hash(s),
        Value::Number(n) => match JavaNumber::of(n) {
            // Integer.hashCode, Long.hashCode, BigInteger.hashCode.
            JavaNumber::Integer(text) => match text.parse::<i64>() {
                Ok(i) if i32::try_from(i).is_ok() => i as i32,
                Ok(i) => (i ^ (i >> 32)) as i32,
                Err(_) => big_integer_hash(&text),
            },
            // Double.hashCode.
            JavaNumber::Double(bits) => (bits ^ (bits >> 32)) as i32,
        },
        Value::Array(items) => items
            .iter()
            .fold(1i32, |h, x| h.wrapping_mul(31).wrapping_add(value_hash(x))),
        Value::Object(map) => map_hash(map),
    }
}

/// A JSON number as Jackson holds it: an integer literal as an `Integer`, `Long` or
/// `BigInteger` (its canonical digits: `-0` is `0`), anything else as a `Double` (its
/// bits: `1.0` and `1.00` are one value, `0.0` and `-0.0` two, as `Double.equals` has it).
#[derive(Debug, PartialEq, Eq)]
enum JavaNumber {
    Integer(String),
    Double(u64),
}

impl JavaNumber {
    fn of(n: &Number) -> Self {
        let text = n.to_string();
        if text.contains(['.', 'e', 'E']) {
            JavaNumber::Double(crate::float_text::number_as_f64(n).to_bits())
        } else if text == "-0" {
            JavaNumber::Integer("0".into())
        } else {
            JavaNumber::Integer(text)
        }
    }
}

/// Integer literals longer than this are not hashed (0): Jackson refuses numbers of
/// more than 1,000 digits by default, and the conversion is quadratic in the length.
const MAX_BIG_INTEGER_DIGITS: usize = 10_000;

/// `BigInteger.hashCode()` of a decimal integer literal (`-?[0-9]+`, beyond i64): the
/// magnitude's 32-bit words, most significant first, folded by `31 * h + word`, times
/// the sign.
fn big_integer_hash(text: &str) -> i32 {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.len() > MAX_BIG_INTEGER_DIGITS {
        return 0;
    }
    // Little-endian base-2^32 words of the magnitude.
    let mut words: Vec<u32> = Vec::new();
    for d in digits.bytes() {
        let mut carry = u64::from(d.wrapping_sub(b'0'));
        for w in words.iter_mut() {
            let v = u64::from(*w) * 10 + carry;
            *w = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            words.push(carry as u32);
        }
    }
    let h = words
        .iter()
        .rev()
        .fold(0i32, |h, &w| h.wrapping_mul(31).wrapping_add(w as i32));
    if negative {
        h.wrapping_neg()
    } else {
        h
    }
}

/// Java's `equals` between two JSON values as Jackson holds them (numbers compared as
/// [`JavaNumber`]s, maps without regard to order).
pub fn java_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => JavaNumber::of(x) == JavaNumber::of(y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| java_equal(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| java_equal(v, w)))
        }
        _ => a == b,
    }
}

/// A strong fingerprint that agrees with [`java_equal`] (Java-equal values have equal
/// fingerprints), to bucket values whose Java hashes collide on purpose.
pub fn java_fingerprint(v: &Value) -> u64 {
    crate::hashing::fingerprint_with(v, &|n, h| match JavaNumber::of(n) {
        JavaNumber::Integer(text) => crate::hashing::feed_text(h, b'i', &text),
        JavaNumber::Double(bits) => {
            h.update(b"d");
            h.update(&bits.to_le_bytes());
        }
    })
}

/// Java's `AbstractMap.hashCode()`: the sum of `key.hashCode() ^ value.hashCode()`.
pub fn map_hash(map: &Map<String, Value>) -> i32 {
    map.iter().fold(0i32, |h, (k, v)| {
        h.wrapping_add(string_hash(k) ^ value_hash(v))
    })
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
    let items: Vec<(T, u32)> = items
        .map(|item| {
            let h = hash(item) as u32;
            (item, h ^ (h >> 16))
        })
        .collect();
    let capacity = java_table(items.iter().map(|&(_, h)| h)).capacity;
    // Bucket by bucket, each in insertion order: a counting sort on the bucket index
    // (linear, and far smaller in wasm than a general sort).
    let mask = (capacity - 1) as u32;
    let mut starts = vec![0usize; capacity + 1];
    for (_, h) in &items {
        starts[(h & mask) as usize + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut order: Vec<Option<T>> = vec![None; items.len()];
    for (item, h) in &items {
        let slot = &mut starts[(h & mask) as usize];
        order[*slot] = Some(*item);
        *slot += 1;
    }
    order.into_iter().flatten().collect()
}

/// A `HashMap`'s table after inserting keys with these spread hashes, in order.
struct JavaTable {
    capacity: usize,
    /// Whether a bucket became a tree (see [`hash_map_order`]); the test against
    /// Java's own HashMap skips those key sets.
    #[cfg_attr(not(test), allow(dead_code))]
    tree_buckets: bool,
}

fn java_table(hashes: impl Iterator<Item = u32> + Clone) -> JavaTable {
    const TREEIFY_THRESHOLD: usize = 8;
    const MIN_TREEIFY_CAPACITY: usize = 64;
    let mut capacity = 16usize;
    let mut tree_buckets = false;
    let mut counts = vec![0usize; capacity];
    let recount = |capacity: usize, upto: usize| {
        let mut counts = vec![0usize; capacity];
        for h in hashes.clone().take(upto) {
            counts[h as usize & (capacity - 1)] += 1;
        }
        counts
    };
    for (i, h) in hashes.clone().enumerate() {
        let size = i + 1;
        let bucket = h as usize & (capacity - 1);
        counts[bucket] += 1;
        let full = counts[bucket] > TREEIFY_THRESHOLD;
        tree_buckets |= full && capacity >= MIN_TREEIFY_CAPACITY;
        let mut grow = full && capacity < MIN_TREEIFY_CAPACITY;
        if grow {
            // treeifyBin resizes instead, then putVal checks the size against the new
            // threshold.
            capacity *= 2;
            grow = size * 4 > capacity * 3;
        } else {
            grow = size * 4 > capacity * 3;
        }
        if grow {
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
    let text = n.to_string();
    if !text.contains(['.', 'e', 'E']) {
        return if text == "-0" { "0".into() } else { text };
    }
    crate::float_text::java_double(crate::float_text::number_as_f64(n))
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
            let spread = |k: &&str| {
                let h = string_hash(k) as u32;
                h ^ (h >> 16)
            };
            if java_table(keys.iter().map(spread)).tree_buckets {
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
    fn java_fingerprints_agree_with_java_equality() {
        let cases = [
            (
                json!({"a": 1, "b": [true, null]}),
                json!({"b": [true, null], "a": 1}),
                true,
            ),
            (json!({"a": 1}), json!({"a": 1.0}), false),
            (json!("1"), json!(1), false),
            (json!(["ab", "c"]), json!(["a", "bc"]), false),
            (json!({"ab": "c"}), json!({"a": "bc"}), false),
            (json!([[]]), json!([]), false),
            (json!({"ARN": "Aa"}), json!({"ARN": "BB"}), false),
        ];
        let number = |text: &str| Value::Number(serde_json::from_str(text).unwrap());
        let numbers = [
            ("0", "-0", true),
            ("1.0", "1.00", true),
            ("1e2", "100.0", true),
            ("1e400", "2e400", true),
            ("0.0", "-0.0", false),
            ("1", "1.0", false),
            ("18446744073709551616", "18446744073709551616", true),
            ("18446744073709551616", "1.8446744073709552E19", false),
        ]
        .map(|(a, b, equal)| (number(a), number(b), equal));
        for (a, b, equal) in cases.into_iter().chain(numbers) {
            assert_eq!(java_equal(&a, &b), equal, "{a} vs {b}");
            assert_eq!(
                java_fingerprint(&a) == java_fingerprint(&b),
                equal,
                "{a} vs {b}"
            );
            if equal {
                assert_eq!(value_hash(&a), value_hash(&b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn big_integers_hash_as_java_does() {
        // Printed by Java 17: new BigInteger(text).hashCode().
        for (text, want) in [
            ("9223372036854775808", -2_147_483_648),
            ("18446744073709551615", -32),
            ("123456789012345678901234567890", 1_915_528_825),
            ("-123456789012345678901234567890", -1_915_528_825),
            ("-9223372036854775809", 2_147_483_647),
        ] {
            let n: Number = serde_json::from_str(text).unwrap();
            assert_eq!(value_hash(&Value::Number(n)), want, "{text}");
        }
    }

    #[test]
    fn java_hashes_and_doubles() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        assert_eq!(string_hash("hello"), 99_162_322);
        assert_eq!(string_hash("é"), 233);
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
