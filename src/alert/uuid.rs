//! `kibana.alert.uuid` exactly as Kibana computes it for New Terms alerts:
//! `objectHash([_index, _id, String(_version), "<space>:<rule uuid>", newTerms])`
//! with the `object-hash` npm package's defaults (SHA-1, hex).
//!
//! object-hash writes an array as `array:<len>:` then each element; a string as
//! `string:<UTF-16 length>:<text>`; a number as `number:<text>`; a boolean as
//! `bool:<text>`; `null` as `Null`; `undefined` as `Undefined`. Kibana's own unit-test
//! vectors are reproduced in the tests below. For a raw record there is no `_index`
//! or `_version`: they hash as JavaScript would see them (`undefined`, and the string
//! `"undefined"`), so the same record always gets the same id.

use serde_json::Value;
use sha1::{Digest, Sha1};

use crate::ecs::SourceMeta;

/// The id of the alert for `terms` found in the event described by `meta`.
pub fn alert_uuid(
    meta: &SourceMeta,
    event_id: Option<&str>,
    space: &str,
    rule_uuid: &str,
    terms: &[Value],
) -> String {
    let mut h = ObjectHash::default();
    h.array_header(5);
    match &meta.index {
        Some(index) => h.string(index),
        None => h.raw("Undefined"),
    }
    match meta.id.as_deref().or(event_id) {
        Some(id) => h.string(id),
        None => h.raw("Undefined"),
    }
    h.string(meta.version.as_deref().unwrap_or("undefined"));
    h.string(&format!("{space}:{rule_uuid}"));
    h.array_header(terms.len());
    for t in terms {
        h.value(t);
    }
    h.finish()
}

/// A deterministic id for a summary of alerts suppressed by the cap.
pub fn summary_uuid(space: &str, rule_uuid: &str, window_start: i64) -> String {
    let mut h = ObjectHash::default();
    h.array_header(3);
    h.string("max_signals_summary");
    h.string(&format!("{space}:{rule_uuid}"));
    h.value(&Value::from(window_start));
    h.finish()
}

/// `kibana.alert.instance.id` of a suppressed alert, as Kibana computes it:
/// `objectHash([suppressionTerms, "<rule uuid>", "<space>"])`, each suppression term the
/// plain object `{field, value}` (`value` an array, or `null` when the field is missing).
///
/// object-hash writes a plain object as `object:<n>:` and then, for each key (`prototype`,
/// `__proto__` and `constructor` first, then its own keys sorted), the key, `:`, the
/// value and `,`. The first object's `__proto__` is `Object.prototype`, written out in
/// full; every later mention of it, and of the `Object` constructor, is a back reference
/// `[CIRCULAR:<n>]` to its place among the objects met so far (the outer array 0, the
/// terms 1, the first term 2, `Object.prototype` 3, `Object` 4).
#[cfg(alert_suppression)]
pub fn instance_id(terms: &[(&str, Option<&[Value]>)], rule_uuid: &str, space: &str) -> String {
    const OBJECT_FN: &str =
        "string:11:constructor:fn:string:8:[native]string:20:function-name:Object";
    let mut h = ObjectHash::default();
    h.array_header(3);
    h.array_header(terms.len());
    for (i, (field, value)) in terms.iter().enumerate() {
        h.raw("object:5:string:9:prototype:Undefined,string:9:__proto__:");
        if i == 0 {
            h.raw("object:3:string:9:prototype:Undefined,string:9:__proto__:Null,");
            h.raw(OBJECT_FN);
            h.raw("object:0:,,");
        } else {
            h.string("[CIRCULAR:3]");
            h.raw(",");
        }
        h.raw(OBJECT_FN);
        h.string("[CIRCULAR:4]");
        h.raw(",string:5:field:");
        h.string(field);
        h.raw(",string:5:value:");
        match value {
            Some(values) => {
                h.array_header(values.len());
                for v in values.iter() {
                    h.value(v);
                }
            }
            None => h.raw("Null"),
        }
        h.raw(",");
    }
    h.string(rule_uuid);
    h.string(space);
    h.finish()
}

#[derive(Default)]
struct ObjectHash(Sha1);

impl ObjectHash {
    fn raw(&mut self, s: &str) {
        self.0.update(s.as_bytes());
    }
    fn array_header(&mut self, len: usize) {
        self.raw(&format!("array:{len}:"));
    }
    fn string(&mut self, s: &str) {
        self.raw(&format!("string:{}:", s.encode_utf16().count()));
        self.raw(s);
    }
    fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.raw("Null"),
            Value::Bool(b) => self.raw(if *b { "bool:true" } else { "bool:false" }),
            Value::Number(n) => self.raw(&format!("number:{}", js_number(n))),
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                self.array_header(items.len());
                for i in items {
                    self.value(i);
                }
            }
            // Terms are scalars; an object cannot be a term.
            Value::Object(_) => self.raw("object:0:"),
        }
    }
    fn finish(self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digest = self.0.finalize();
        let mut out = String::with_capacity(2 * digest.len());
        for b in digest {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        out
    }
}

/// A JSON number as object-hash writes it in Kibana: parsed into a JavaScript number
/// (integers beyond 2^53 rounded, `-0` and `0` alike, overflow to ±Infinity), then
/// `Number.prototype.toString`.
fn js_number(n: &serde_json::Number) -> String {
    const EXACT: i64 = 1 << 53;
    match n.as_i64() {
        Some(i) if (-EXACT..=EXACT).contains(&i) => i.to_string(),
        _ => crate::float_text::js_number(crate::float_text::number_as_f64(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_read_as_javascript_reads_them() {
        // Each as Node prints String(JSON.parse(text)).
        for (text, want) in [
            ("7", "7"),
            ("-0", "0"),
            ("9007199254740993", "9007199254740992"),
            ("18446744073709551615", "18446744073709552000"),
            ("1e21", "1e+21"),
            ("1.5e-7", "1.5e-7"),
            ("1e400", "Infinity"),
            ("-1e400", "-Infinity"),
            ("2.50", "2.5"),
        ] {
            let n: serde_json::Number = serde_json::from_str(text).unwrap();
            assert_eq!(js_number(&n), want, "{text}");
        }
    }

    /// Kibana's `wrap_new_terms_alerts.test.ts` vectors (mock doc in `myFakeSignalIndex`,
    /// version 1, rule saved-object id `04128c15-…`).
    #[test]
    fn item_35_reproduces_kibana_test_vectors() {
        let meta = SourceMeta {
            index: Some("myFakeSignalIndex".into()),
            id: Some("d5e8eb51-a6a0-456d-8a15-4b79bfec3d71".into()),
            version: Some("1".into()),
        };
        let rule = "04128c15-0d1b-4716-a4c5-46997ac7f3bd";
        assert_eq!(
            alert_uuid(&meta, None, "default", rule, &[json!("127.0.0.1")]),
            "a36d9fe6fe4b2f65058fb1a487733275f811af58"
        );
        assert_eq!(
            alert_uuid(&meta, None, "otherSpace", rule, &[json!("127.0.0.1")]),
            "f7877a31b1cc83373dbc9ba5939ebfab1db66545"
        );
    }

    /// Vectors from object-hash itself (versions 1.3.1 and 3.0.0 agree), printed by
    /// `node -e 'console.log(require("object-hash")([terms, rule, space]))'`.
    #[cfg(alert_suppression)]
    #[test]
    fn instance_ids_equal_object_hash() {
        let s = |x: &str| json!(x);
        type Terms<'a> = &'a [(&'a str, Option<Vec<Value>>)];
        let cases: &[(Terms, &str, &str, &str)] = &[
            (
                &[("user.name", Some(vec![s("alice")]))],
                "rule-uuid",
                "default",
                "9391cf287839bd01380a221e5a231feb929c32b2",
            ),
            (
                &[("user.name", None)],
                "rule-uuid",
                "default",
                "cc2ae9d190a1702dba1f112f2c945ca5f40ff35e",
            ),
            (
                &[
                    ("source.ip", Some(vec![s("10.0.0.1")])),
                    ("cloud.account.id", Some(vec![s("123456789012")])),
                ],
                "r",
                "default",
                "7ff6ae03adf7e414319a0fea9aea52a077e9ab1e",
            ),
            (
                &[
                    ("a", Some(vec![json!(1), s("b")])),
                    ("b", None),
                    ("c", Some(vec![json!(true)])),
                ],
                "r",
                "space2",
                "436589d2c4fc9b6cb2df5a20348f3ed0026d039e",
            ),
            (
                &[("user.name", Some(vec![s("é😀"), s("b")]))],
                "00000000-0000-4000-8000-000000000001",
                "default",
                "ef11f1f9043b18eb94684b8f58bcc74a143cbeb3",
            ),
            (
                &[
                    ("source.port", Some(vec![json!(443), json!(8080.5)])),
                    ("x", Some(vec![json!(false)])),
                ],
                "r",
                "default",
                "1a5b051f1dbf21c8ad3e95ed02323f0ccd5cef9d",
            ),
        ];
        for (terms, rule, space, want) in cases {
            let borrowed: Vec<(&str, Option<&[Value]>)> =
                terms.iter().map(|(f, v)| (*f, v.as_deref())).collect();
            assert_eq!(&instance_id(&borrowed, rule, space), want, "{terms:?}");
        }
    }

    #[test]
    fn item_35_changes_with_every_input_and_is_stable() {
        let meta = SourceMeta::default();
        let base = alert_uuid(&meta, Some("e1"), "default", "r", &[json!("a")]);
        assert_eq!(
            base,
            alert_uuid(&meta, Some("e1"), "default", "r", &[json!("a")])
        );
        for other in [
            alert_uuid(&meta, Some("e2"), "default", "r", &[json!("a")]),
            alert_uuid(&meta, Some("e1"), "space2", "r", &[json!("a")]),
            alert_uuid(&meta, Some("e1"), "default", "r2", &[json!("a")]),
            alert_uuid(&meta, Some("e1"), "default", "r", &[json!("b")]),
            alert_uuid(&meta, Some("e1"), "default", "r", &[json!("a"), json!("b")]),
            alert_uuid(&meta, Some("e1"), "default", "r", &[json!(1)]),
        ] {
            assert_ne!(base, other);
        }
        assert_eq!(base.len(), 40);
    }
}
