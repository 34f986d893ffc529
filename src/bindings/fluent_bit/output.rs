//! The text handed back to Fluent Bit: always one JSON object (or nothing at all).
//!
//! In JSON mode Fluent Bit parses what a filter returns and aborts on text that does not
//! parse, so everything written here is either an untouched valid object, a valid object
//! with our key spliced in before its closing brace, or an object we serialise.

use std::borrow::Cow;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Serialize;
use serde_json::value::RawValue;

use super::{ALERTS_KEY, ERROR_KEY};
use crate::Alert;

/// What a record's bytes are, as far as the output is concerned.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    /// One valid JSON object.
    Object,
    /// Valid JSON, but not an object (Fluent Bit never sends this in JSON mode).
    OtherJson,
    /// Not JSON; the reason.
    Invalid(String),
}

/// A record's text (borrowed, or repaired from invalid UTF-8) and its kind.
#[derive(Debug)]
pub struct Classified<'a> {
    pub text: Cow<'a, str>,
    pub kind: Kind,
}

/// Read a record for output purposes. Invalid UTF-8 is repaired (U+FFFD) so that the
/// rest of the record survives; the detector itself has already judged the exact bytes.
pub fn classify(bytes: &[u8]) -> Classified<'_> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    // The one-pass grammar check is several times cheaper in wasm than serde's walk;
    // serde only explains what is not an object. Both are iterative: any depth is fine.
    let kind = if crate::input::json_check::is_one_object(text.as_bytes()) {
        Kind::Object
    } else {
        match serde_json::from_str::<IgnoredAny>(&text) {
            Ok(_) if !text.trim_start().starts_with('{') => Kind::OtherJson,
            Ok(_) => Kind::Invalid("the record is not one JSON object".to_owned()),
            Err(e) => Kind::Invalid(format!("the record is not valid JSON: {e}")),
        }
    };
    Classified { text, kind }
}

/// `object` (a valid JSON object) with `"dynamodb_scan_alerts":[…]` as its last key.
/// A key of that name already in the record is replaced, never duplicated.
pub fn splice(out: &mut Vec<u8>, object: &str, alerts: &[Alert]) {
    out.clear();
    // Alerts are rare, so reading the top-level keys here costs nothing overall.
    if let Some(entries) =
        top_level_entries(object).filter(|e| e.iter().any(|(k, _)| k == ALERTS_KEY))
    {
        out.push(b'{');
        for (key, value) in entries.iter().filter(|(k, _)| k != ALERTS_KEY) {
            put(out, key);
            out.push(b':');
            out.extend_from_slice(value.get().as_bytes());
            out.push(b',');
        }
        put_alerts_member(out, alerts);
        out.push(b'}');
        return;
    }
    let body = object.trim();
    let inner = body
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .unwrap_or("");
    out.push(b'{');
    out.extend_from_slice(inner.as_bytes());
    if !inner.trim().is_empty() {
        out.push(b',');
    }
    put_alerts_member(out, alerts);
    out.push(b'}');
}

/// The object that stands in for a record that could not be passed on as it was.
/// `record` is the record itself when it is valid JSON, else its text as a string.
pub fn error_object(out: &mut Vec<u8>, reason: &str, record: ErrorRecord<'_>, alerts: &[Alert]) {
    out.clear();
    out.extend_from_slice(b"{");
    put(out, ERROR_KEY);
    out.extend_from_slice(b":{\"reason\":");
    put(out, reason);
    match record {
        ErrorRecord::Json(raw) => {
            out.extend_from_slice(b",\"record\":");
            out.extend_from_slice(raw.trim().as_bytes());
        }
        ErrorRecord::Text(text) => {
            out.extend_from_slice(b",\"record\":");
            put(out, text);
        }
        ErrorRecord::Length(len) => {
            out.extend_from_slice(b",\"record_len\":");
            out.extend_from_slice(len.to_string().as_bytes());
        }
    }
    out.push(b'}');
    if !alerts.is_empty() {
        out.push(b',');
        put_alerts_member(out, alerts);
    }
    out.push(b'}');
}

/// How [`error_object`] carries the original record.
#[derive(Debug, Clone, Copy)]
pub enum ErrorRecord<'a> {
    /// Valid JSON text, embedded as it is.
    Json(&'a str),
    /// Any text, embedded as a JSON string.
    Text(&'a str),
    /// Nothing readable: only the length the host announced.
    Length(u32),
}

/// The alerts-only output: the alert document itself, or, when one record caused
/// several documents, `{"dynamodb_scan_alerts":[…]}` (one record out per record in).
pub fn alerts_only(out: &mut Vec<u8>, alerts: &[Alert]) {
    out.clear();
    if let [alert] = alerts {
        alert.write_json(out);
        return;
    }
    out.push(b'{');
    put_alerts_member(out, alerts);
    out.push(b'}');
}

fn put_alerts_member(out: &mut Vec<u8>, alerts: &[Alert]) {
    put(out, ALERTS_KEY);
    out.extend_from_slice(b":[");
    for (i, alert) in alerts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        alert.write_json(out);
    }
    out.push(b']');
}

/// Serialise into `out`. Strings and `Map<String, Value>` cannot fail to serialise, and
/// writing to a `Vec` cannot fail; should it ever, `null` keeps the JSON valid.
fn put<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let mark = out.len();
    if crate::json_fields::append_json(out, value).is_err() {
        out.truncate(mark);
        out.extend_from_slice(b"null");
    }
}

/// The top-level members of an object, in order, values left as raw text.
fn top_level_entries(object: &str) -> Option<Vec<(String, &RawValue)>> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<(String, &'de RawValue)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::new();
            while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                entries.push(entry);
            }
            Ok(entries)
        }
    }
    let mut de = serde_json::Deserializer::from_str(object);
    let entries = de.deserialize_map(Entries).ok()?;
    de.end().ok()?;
    Some(entries)
}
