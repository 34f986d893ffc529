//! JSON values as Elasticsearch's ingest pipeline holds them once Jackson has parsed
//! them: which Java object a number becomes, and those objects' `equals` and
//! `hashCode`, which decide the order and the de-duplication of Java collections
//! (see `java_map` and the resources in `cloudtrail`).

use serde_json::{Map, Number, Value};

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

/// Java's `AbstractMap.hashCode()`: the sum of `key.hashCode() ^ value.hashCode()`.
pub fn map_hash(map: &Map<String, Value>) -> i32 {
    map.iter().fold(0i32, |h, (k, v)| {
        h.wrapping_add(string_hash(k) ^ value_hash(v))
    })
}

/// A JSON number as Jackson holds it: an integer literal as an `Integer`, `Long` or
/// `BigInteger` (its canonical digits: `-0` is `0`), anything else as a `Double` (its
/// bits: `1.0` and `1.00` are one value, `0.0` and `-0.0` two, as `Double.equals` has it).
#[derive(Debug, PartialEq, Eq)]
pub enum JavaNumber {
    Integer(String),
    Double(u64),
}

impl JavaNumber {
    pub fn of(n: &Number) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_hashes() {
        assert_eq!(string_hash(""), 0);
        assert_eq!(string_hash("a"), 97);
        assert_eq!(string_hash("hello"), 99_162_322);
        assert_eq!(string_hash("é"), 233);
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
}
