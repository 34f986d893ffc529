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
