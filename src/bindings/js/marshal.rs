//! Values across the boundary: JavaScript arguments into the bytes the core reads,
//! and core results into plain JavaScript objects.
//!
//! Results are written as JSON text and turned into objects by one `JSON.parse` call,
//! which is much faster than building them property by property and gives plain
//! objects and arrays (never `Map`s). `JSON.parse` would round integers beyond
//! ±(2^53 − 1), so when a result holds such an integer (a 64-bit id copied from an
//! event, say) it is written as `null`, parsed, and then replaced by an exact `BigInt`.

use js_sys::{ArrayBuffer, BigInt, JsString, Reflect, Uint8Array, JSON};
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use super::error::{self, describe, type_name};
use crate::Alert;

/// The largest integer a JavaScript number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The bytes of an input argument: a string (as UTF-8), a `Uint8Array` (a Node
/// `Buffer` is one) or `ArrayBuffer` as is, and any other object or array as the
/// JSON text `JSON.stringify` gives it.
pub fn input_bytes(value: &JsValue, method: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    if value.is_object() && !value.is_function() {
        return stringify(value, method).map(String::into_bytes);
    }
    Err(error::type_error(format!(
        "{method}: expected a JSON string, a Uint8Array or an object, got {}",
        type_name(value)
    )))
}

/// Byte arrays longer than this are copied into wasm memory a piece at a time.
const CHUNK: u32 = 1 << 20;

/// A batch argument (see [`batch`]).
pub enum Batch {
    /// The bytes, in wasm memory.
    Whole(Vec<u8>),
    /// A large byte array, still in JavaScript memory.
    Chunked(Uint8Array),
}

impl Batch {
    /// Its length in bytes.
    pub fn byte_len(&self) -> usize {
        match self {
            Batch::Whole(bytes) => bytes.len(),
            Batch::Chunked(array) => array.length() as usize,
        }
    }

    /// Call `feed` with the batch's bytes: a large array a chunk (1 MiB) at a time,
    /// copied into one reused buffer, so that it neither needs its size again in wasm
    /// memory nor runs in one long call of the same function (V8 uses a wasm
    /// function's optimised code only for calls after it is ready).
    pub fn each_chunk(&self, feed: &mut dyn FnMut(&[u8])) {
        let array = match self {
            Batch::Whole(bytes) => return feed(bytes),
            Batch::Chunked(array) => array,
        };
        // Fresh memory from the allocator is zeroed already (no fill loop).
        let mut buffer = vec![0; CHUNK.min(array.length()) as usize];
        let mut start = 0;
        while start < array.length() {
            let end = array.length().min(start + CHUNK);
            let chunk = &mut buffer[..(end - start) as usize];
            array.subarray(start, end).copy_to(chunk);
            feed(chunk);
            start = end;
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// The global `TextEncoder` (Node 11+, every browser).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsString) -> Uint8Array;
}

/// A batch argument as [`input_bytes`] reads it, except that a `Uint8Array` or
/// `ArrayBuffer` longer than a chunk (1 MiB), or a string of more than 1 Mi UTF-16
/// units (encoded to UTF-8 by `TextEncoder` first), is not copied yet:
/// [`Batch::each_chunk`] copies it a chunk at a time.
pub fn batch(value: &JsValue, method: &str) -> Result<Batch, JsValue> {
    if let Some(text) = value.dyn_ref::<JsString>() {
        if text.length() > CHUNK {
            // `TextEncoder` is native code; wasm-bindgen's own string passing copies
            // ASCII a character at a time in JavaScript. Both write a lone surrogate
            // as U+FFFD, so the bytes are the same.
            return Ok(Batch::Chunked(TextEncoder::new().encode(text)));
        }
    }
    let array = match value.dyn_ref::<Uint8Array>() {
        Some(array) => Some(array.clone()),
        None => value
            .dyn_ref::<ArrayBuffer>()
            .map(|buffer| Uint8Array::new(buffer)),
    };
    match array {
        Some(array) if array.length() > CHUNK => Ok(Batch::Chunked(array)),
        _ => input_bytes(value, method).map(Batch::Whole),
    }
}

/// `JSON.stringify(value)`, with a clear error for what JSON cannot hold.
pub fn stringify(value: &JsValue, what: &str) -> Result<String, JsValue> {
    match JSON::stringify(value) {
        Ok(text) => text
            .as_string()
            .ok_or_else(|| error::type_error(format!("{what}: the value has no JSON form"))),
        Err(thrown) => Err(error::type_error(format!(
            "{what}: the object cannot be written as JSON ({}); pass integers beyond \
             2^53 as JSON text instead of BigInt",
            describe(&thrown)
        ))),
    }
}

/// Alert documents as an array of plain objects.
pub fn alerts(alerts: Vec<Alert>) -> Result<JsValue, JsValue> {
    let unsafe_integer =
        |a: &Alert| map_has_unsafe_integer(&a.fields) || map_has_unsafe_integer(a.rule.map());
    if alerts.iter().any(unsafe_integer) {
        let docs = alerts.iter().map(|a| Value::Object(a.document()));
        return value(&Value::Array(docs.collect()));
    }
    let mut text = String::with_capacity(alerts.len() * 2048 + 2);
    text.push('[');
    for (i, alert) in alerts.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&alert.to_json());
    }
    text.push(']');
    parse(&text)
}

/// Any JSON value as a plain JavaScript value, integers beyond 2^53 as `BigInt`.
pub fn value(v: &Value) -> Result<JsValue, JsValue> {
    let mut big = Vec::new();
    collect_unsafe_integers(v, &mut Vec::new(), &mut big);
    if big.is_empty() {
        return parse(&v.to_string());
    }
    let mut holes = v.clone();
    for (path, _) in &big {
        if let Some(slot) = holes.pointer_mut(&pointer(path)) {
            *slot = Value::Null;
        }
    }
    let out = parse(&holes.to_string())?;
    for (path, number) in big {
        patch(&out, &path, bigint(&number))?;
    }
    Ok(out)
}

fn parse(text: &str) -> Result<JsValue, JsValue> {
    JSON::parse(text).map_err(|e| error::from_js("JSON.parse of a result", e))
}

/// A step from a JSON container to one of its children.
enum Step {
    Key(String),
    Index(usize),
}

fn is_unsafe(n: &Number) -> bool {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => i.unsigned_abs() > MAX_SAFE_INTEGER,
        (None, Some(_)) => true,
        (None, None) => false,
    }
}

fn map_has_unsafe_integer(map: &Map<String, Value>) -> bool {
    map.values().any(has_unsafe_integer)
}

fn has_unsafe_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => is_unsafe(n),
        Value::Array(items) => items.iter().any(has_unsafe_integer),
        Value::Object(map) => map_has_unsafe_integer(map),
        _ => false,
    }
}

fn collect_unsafe_integers(v: &Value, at: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, Number)>) {
    match v {
        Value::Number(n) if is_unsafe(n) => out.push((clone_path(at), n.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(Step::Index(i));
                collect_unsafe_integers(item, at, out);
                at.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                at.push(Step::Key(key.clone()));
                collect_unsafe_integers(item, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn clone_path(path: &[Step]) -> Vec<Step> {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => Step::Key(k.clone()),
            Step::Index(i) => Step::Index(*i),
        })
        .collect()
}

/// An RFC 6901 JSON pointer, as `Value::pointer_mut` takes it.
fn pointer(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        out.push('/');
        match step {
            Step::Key(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

fn step_key(step: &Step) -> JsValue {
    match step {
        Step::Key(k) => JsValue::from_str(k),
        Step::Index(i) => JsValue::from_f64(*i as f64),
    }
}

/// Set the value at `path` inside the parsed result. `JSON.parse` made every key an
/// own data property (even `__proto__`), so `Reflect.set` writes that property.
fn patch(root: &JsValue, path: &[Step], replacement: JsValue) -> Result<(), JsValue> {
    let Some((last, parents)) = path.split_last() else {
        return Ok(());
    };
    let mut target = root.clone();
    for step in parents {
        target = Reflect::get(&target, &step_key(step))
            .map_err(|e| error::from_js("reading a parsed result", e))?;
    }
    Reflect::set(&target, &step_key(last), &replacement)
        .map(|_| ())
        .map_err(|e| error::from_js("writing a BigInt into a result", e))
}

fn bigint(n: &Number) -> JsValue {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => BigInt::from(i).into(),
        (None, Some(u)) => BigInt::from(u).into(),
        (None, None) => JsValue::from_f64(crate::float_text::number_as_f64(n)),
    }
}

/// An array of strings (file paths, say); anything else is a `TypeError` naming `method`.
pub fn strings(value: &JsValue, method: &str) -> Result<Vec<String>, JsValue> {
    let array = value.dyn_ref::<js_sys::Array>().ok_or_else(|| {
        error::type_error(format!(
            "{method}: expected an array of strings, got {}",
            type_name(value)
        ))
    })?;
    array
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.as_string().ok_or_else(|| {
                error::type_error(format!(
                    "{method}: item {i} is {}, not a string",
                    type_name(&item)
                ))
            })
        })
        .collect()
}
