//! Named members of a JSON object, read as raw JSON borrowed from the input: the one
//! reader behind the borrowed shapes the input and the fast path look at (a document's
//! top-level keys, `userIdentity`, `sessionContext`, a search response's inner `hits`).
//!
//! It keeps the contract of a derived struct of `#[serde(borrow, default)]
//! Option<&RawValue>` fields: keys are unescaped before they are compared, `null` reads
//! as absent, a named key given twice is serde's "duplicate field" error (even when one
//! of them is `null`), every other member is skipped but still checked, and text after
//! the object is an error. Unlike a derived struct it takes only an object, never an
//! array of positional values, so it replaces derived structs only where the caller
//! reads objects alone (the CloudWatch `awslogs` and `logEvents` readers keep theirs:
//! they have always taken the positional form too, and name the struct in errors).
//!
//! One reader for these shapes keeps the WebAssembly builds small: each derived struct is
//! its own copy of serde_json's map-reading loop.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

/// The raw value of each named member of the object `text` (`None` when absent or `null`),
/// in the order of `names`, which may hold at most 64 names.
pub fn members<'a, const N: usize>(
    text: &'a str,
    names: &[&'static str; N],
) -> Result<[Option<&'a RawValue>; N], serde_json::Error> {
    let mut slots = [None; N];
    read_into(text, names, &mut slots)?;
    Ok(slots)
}

/// [`members`] for an object that must have the single member `name`, as serde reports it.
pub fn required_member<'a>(
    text: &'a str,
    name: &'static str,
) -> Result<&'a RawValue, serde_json::Error> {
    let [value] = members(text, &[name])?;
    value.ok_or_else(|| de::Error::missing_field(name))
}

/// One non-generic body for every shape.
fn read_into<'a>(
    text: &'a str,
    names: &[&'static str],
    slots: &mut [Option<&'a RawValue>],
) -> Result<(), serde_json::Error> {
    debug_assert!(names.len() <= 64 && names.len() == slots.len());
    let mut de = serde_json::Deserializer::from_str(text);
    Object { names, slots }.deserialize(&mut de)?;
    de.end()
}

struct Object<'n, 's, 'a> {
    names: &'n [&'static str],
    slots: &'s mut [Option<&'a RawValue>],
}

impl<'a> DeserializeSeed<'a> for Object<'_, '_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'a> Visitor<'a> for Object<'_, '_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'a>>(self, mut map: M) -> Result<(), M::Error> {
        let mut seen = 0u64;
        while let Some(key) = map.next_key_seed(Key(self.names))? {
            let Some(i) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if seen & (1 << i) != 0 {
                return Err(de::Error::duplicate_field(self.names[i]));
            }
            seen |= 1 << i;
            self.slots[i] = map.next_value::<Option<&'a RawValue>>()?;
        }
        Ok(())
    }
}

/// A key, unescaped, as its index in the names (`None` for any other key); no allocation.
struct Key<'n>(&'n [&'static str]);

impl<'a> DeserializeSeed<'a> for Key<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'a> Visitor<'a> for Key<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|name| *name == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts<const N: usize>(slots: [Option<&RawValue>; N]) -> Vec<Option<&str>> {
        slots.iter().map(|s| s.map(RawValue::get)).collect()
    }

    #[test]
    fn reads_named_members_as_a_derived_borrowed_struct_does() {
        let names = &["a", "b", "c"];
        // (input, the members' texts or a piece of the error)
        type Case = (
            &'static str,
            Result<Vec<Option<&'static str>>, &'static str>,
        );
        let table: &[Case] = &[
            (
                r#"{"a": 1, "b": [2, {"x": 3}]}"#,
                Ok(vec![Some("1"), Some("[2, {\"x\": 3}]"), None]),
            ),
            (
                r#" {"z": {"a": 9}, "c": "\u0063"} "#,
                Ok(vec![None, None, Some(r#""\u0063""#)]),
            ),
            (r#"{"\u0061": true}"#, Ok(vec![Some("true"), None, None])),
            (r#"{"a": null}"#, Ok(vec![None, None, None])),
            (r#"{}"#, Ok(vec![None, None, None])),
            (r#"{"a": 1, "a": 2}"#, Err("duplicate field `a`")),
            (r#"{"a": null, "\u0061": 2}"#, Err("duplicate field `a`")),
            (r#"{"z": 1, "z": 2}"#, Ok(vec![None, None, None])),
            (r#"{"z": tru}"#, Err("expected ident")),
            (r#"{"a": 1} x"#, Err("trailing characters")),
            (r#"[1, 2, 3]"#, Err("expected a JSON object")),
            (r#""a""#, Err("expected a JSON object")),
            (r#"{"a": 1"#, Err("EOF while parsing an object")),
        ];
        for (text, want) in table {
            let got = members(text, names);
            match (got, want) {
                (Ok(slots), Ok(want)) => assert_eq!(&texts(slots), want, "{text}"),
                (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{text}: {e}"),
                (got, _) => panic!("{text}: got {:?}", got.map(texts)),
            }
        }
    }

    #[test]
    fn a_required_member_is_reported_as_serde_reports_a_missing_field() {
        assert_eq!(
            required_member(r#"{"data": "x"}"#, "data").unwrap().get(),
            r#""x""#
        );
        let missing = required_member(r#"{"date": "x"}"#, "data").unwrap_err();
        assert_eq!(missing.to_string(), "missing field `data`");
        assert!(required_member(r#"{"data": null}"#, "data").is_err());
    }

    /// The derived struct this reader replaced, as the oracle: on any object built from
    /// these keys (plain, escaped, repeated) and values (nulls, containers, bad
    /// literals), with or without text after it, both give the same members or the
    /// same error message.
    #[cfg(not(target_family = "wasm"))]
    mod against_a_derived_struct {
        use proptest::prelude::*;
        use serde::Deserialize;

        use super::*;

        #[derive(Deserialize)]
        struct Oracle<'a> {
            #[serde(borrow, default)]
            a: Option<&'a RawValue>,
            #[serde(borrow, default, rename = "b-b")]
            b: Option<&'a RawValue>,
            #[serde(borrow, default)]
            c: Option<&'a RawValue>,
        }

        const KEYS: &[&str] = &[
            r#""a""#,
            r#""b-b""#,
            r#""c""#,
            r#""z""#,
            r#""\u0061""#,
            r#""b\u002db""#,
            r#""A""#,
            r#""""#,
        ];
        const VALUES: &[&str] = &[
            "1",
            "-0.5e3",
            "null",
            "true",
            r#""x""#,
            r#""\u0061\n""#,
            "[]",
            r#"[1, {"a": null}]"#,
            r#"{"a": 1, "a": 2}"#,
            "{}",
            "tru",
            "[1,]",
            r#""\ud800""#,
        ];

        fn object() -> impl Strategy<Value = String> {
            let member = (0..KEYS.len(), 0..VALUES.len())
                .prop_map(|(k, v)| format!("{}: {}", KEYS[k], VALUES[v]));
            (
                prop::collection::vec(member, 0..6),
                prop::sample::select(vec!["", " ", " x", ",", "}"]),
            )
                .prop_map(|(members, after)| format!("{{{}}}{after}", members.join(", ")))
        }

        proptest! {
            // No regression file: it would be a new top-level directory.
            #![proptest_config(ProptestConfig {
                failure_persistence: None,
                ..ProptestConfig::default()
            })]
            #[test]
            fn same_members_or_same_error(text in object()) {
                let ours = members(&text, &["a", "b-b", "c"])
                    .map(|slots| slots.map(|s| s.map(RawValue::get)))
                    .map_err(|e| e.to_string());
                let derived = serde_json::from_str::<Oracle>(&text)
                    .map(|o| [o.a, o.b, o.c].map(|s| s.map(RawValue::get)))
                    .map_err(|e| e.to_string());
                prop_assert_eq!(ours, derived, "{}", text);
            }
        }
    }
}
