//! Typed fields out of a parsed JSON object, for the snapshot header, the counters, the
//! alert cap and the journal's lines, and [`object`] to write one by hand.
//!
//! Those types derive `Serialize` but are read here rather than by derived
//! `Deserialize` impls: the same rules (a missing or `null` optional field is `None`, a
//! required one is an error, integers must be integers in range), with the `Value` parser
//! the library links anyway instead of one generated reader per struct. Derived readers
//! were measured on the npm .wasm (after wasm-opt): 4.8 KB for the counters, 5.4 KB for
//! the alert cap, 8.4 KB (2.2 KB gzipped) with the header, more than its size budget
//! (tests/npm/run.sh) had left.

use serde::Serialize;
use serde_json::{Map, Value};

/// The fields of one JSON object; `what` names it in errors.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    what: &'static str,
}

impl<'a> Fields<'a> {
    pub fn of(value: &'a Value, what: &'static str) -> Result<Self, String> {
        match value {
            Value::Object(map) => Ok(Fields { map, what }),
            other => Err(format!("{what}: expected an object, got {}", kind(other))),
        }
    }

    /// An error for any key outside `known` (serde's `deny_unknown_fields`).
    pub fn deny_unknown(&self, known: &[&str]) -> Result<(), String> {
        match self.map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(key) => Err(format!("{}: unknown field `{key}`", self.what)),
            None => Ok(()),
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// The value of an optional field: `None` when missing or `null`.
    pub fn optional(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// The value of a required field.
    pub fn required(&self, key: &str) -> Result<&'a Value, String> {
        self.map
            .get(key)
            .ok_or_else(|| format!("{}: missing field `{key}`", self.what))
    }

    pub fn u64(&self, key: &str) -> Result<u64, String> {
        self.typed(
            key,
            self.required(key)?,
            Value::as_u64,
            "an unsigned integer",
        )
    }

    pub fn u32(&self, key: &str) -> Result<u32, String> {
        let as_u32 = |v: &Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
        self.typed(
            key,
            self.required(key)?,
            as_u32,
            "an integer from 0 to 2^32 - 1",
        )
    }

    pub fn i64(&self, key: &str) -> Result<i64, String> {
        self.typed(key, self.required(key)?, Value::as_i64, "an integer")
    }

    pub fn optional_i64(&self, key: &str) -> Result<Option<i64>, String> {
        self.optional(key)
            .map(|v| self.typed(key, v, Value::as_i64, "an integer"))
            .transpose()
    }

    pub fn bool(&self, key: &str) -> Result<bool, String> {
        self.typed(key, self.required(key)?, Value::as_bool, "true or false")
    }

    pub fn strings(&self, key: &str) -> Result<Vec<String>, String> {
        let as_string = |v: &Value| v.as_str().map(str::to_owned);
        self.elements(key, as_string, "a string")
    }

    /// An array of arrays of any JSON values.
    pub fn value_lists(&self, key: &str) -> Result<Vec<Vec<Value>>, String> {
        self.elements(key, |v| v.as_array().cloned(), "an array")
    }

    /// An array whose every element `read` accepts; an error names the first that it
    /// does not (`what.key[i]`).
    fn elements<T>(
        &self,
        key: &str,
        read: impl Fn(&Value) -> Option<T>,
        expected: &str,
    ) -> Result<Vec<T>, String> {
        let value = self.required(key)?;
        let items = value.as_array().ok_or_else(|| {
            format!(
                "{}.{key}: expected an array, got {}",
                self.what,
                kind(value)
            )
        })?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                read(item).ok_or_else(|| {
                    format!(
                        "{}.{key}[{i}]: expected {expected}, got {}",
                        self.what,
                        kind(item)
                    )
                })
            })
            .collect()
    }

    fn typed<T>(
        &self,
        key: &str,
        value: &Value,
        read: impl Fn(&Value) -> Option<T>,
        expected: &str,
    ) -> Result<T, String> {
        read(value).ok_or_else(|| {
            format!(
                "{}.{key}: expected {expected}, got {}",
                self.what,
                kind(value)
            )
        })
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Append `value` to `out` as compact JSON. serde_json writes into a buffer of its own
/// here: its writer (`to_writer`) needs its "std" feature, which is off (Cargo.toml).
pub fn append_json<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    let text = serde_json::to_vec(value)?;
    // Taken over whole only when `out` is empty and could not hold it: a host's reused
    // buffer keeps the room it grew for large records.
    if out.is_empty() && out.capacity() < text.len() {
        *out = text;
    } else {
        out.extend_from_slice(&text);
    }
    Ok(())
}

/// A JSON object with `entries` in order: one copy of the insertion loop for every
/// object written by hand (each inline `insert` costs about 150 bytes of WebAssembly).
pub fn object(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_as_serde_derive_would() {
        let v = json!({"n": 5, "big": 4_294_967_296u64, "neg": -3, "f": 1.5, "s": ["a"], "l": [[1, "x"]], "z": null, "b": true});
        let f = Fields::of(&v, "t").unwrap();
        assert_eq!(f.u64("n"), Ok(5));
        assert_eq!(f.u32("n"), Ok(5));
        assert!(f
            .u32("big")
            .unwrap_err()
            .contains("t.big: expected an integer from 0"));
        assert!(f.u64("neg").is_err());
        assert_eq!(f.i64("neg"), Ok(-3));
        assert!(f.i64("f").unwrap_err().contains("got a number"));
        assert_eq!(f.optional_i64("z"), Ok(None));
        assert_eq!(f.optional_i64("absent"), Ok(None));
        assert_eq!(f.optional_i64("n"), Ok(Some(5)));
        assert!(f
            .u64("absent")
            .unwrap_err()
            .contains("missing field `absent`"));
        assert!(f.u64("z").is_err(), "null is not a required integer");
        assert_eq!(f.strings("s"), Ok(vec!["a".to_owned()]));
        assert_eq!(
            f.strings("l"),
            Err("t.l[0]: expected a string, got an array".into())
        );
        assert_eq!(
            f.strings("n"),
            Err("t.n: expected an array, got a number".into())
        );
        assert_eq!(
            f.value_lists("s"),
            Err("t.s[0]: expected an array, got a string".into())
        );
        assert_eq!(f.value_lists("l"), Ok(vec![vec![json!(1), json!("x")]]));
        assert_eq!(f.bool("b"), Ok(true));
        assert!(f
            .deny_unknown(&["n"])
            .unwrap_err()
            .contains("unknown field `big`"));
        assert!(Fields::of(&json!([]), "t").is_err());
    }
}
