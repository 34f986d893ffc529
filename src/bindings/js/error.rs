//! Core errors and bad arguments, adapted into JavaScript `Error`s at the edge.
//!
//! Every error thrown to JavaScript is an `Error` (or a `TypeError` for an argument of
//! the wrong type) whose `name` says which kind it is and whose `message` names the
//! problem, so callers can both read it and branch on it.

use std::fmt::Display;

use wasm_bindgen::{JsCast, JsValue};

use crate::error::{ConfigError, SnapshotError};

/// The `name` of errors for an invalid configuration document.
pub const CONFIG_ERROR: &str = "ConfigError";
/// The `name` of errors for snapshot bytes that cannot be restored.
pub const SNAPSHOT_ERROR: &str = "SnapshotError";
/// The `name` of errors for bad call options (`detectionTime`, …).
pub const OPTIONS_ERROR: &str = "OptionsError";

/// An `Error` with a given `name`.
pub fn named(name: &str, message: impl Display) -> JsValue {
    let error = js_sys::Error::new(&message.to_string());
    error.set_name(name);
    error.into()
}

/// A `TypeError` for an argument the method cannot take.
pub fn type_error(message: impl Display) -> JsValue {
    js_sys::TypeError::new(&message.to_string()).into()
}

/// An `Error` for a failure of the JavaScript engine itself (a thrown exception
/// while building a result), keeping the original when it is already an `Error`.
pub fn from_js(context: &str, thrown: JsValue) -> JsValue {
    if thrown.is_instance_of::<js_sys::Error>() {
        return thrown;
    }
    js_sys::Error::new(&format!("{context}: {}", describe(&thrown))).into()
}

pub fn config(e: ConfigError) -> JsValue {
    named(CONFIG_ERROR, format!("invalid config: {e}"))
}

pub fn snapshot(e: SnapshotError) -> JsValue {
    named(SNAPSHOT_ERROR, format!("cannot restore snapshot: {e}"))
}

pub fn options(message: impl Display) -> JsValue {
    named(OPTIONS_ERROR, format!("invalid options: {message}"))
}

/// `typeof value`, with `null` and arrays told apart, for error messages.
pub fn type_name(value: &JsValue) -> String {
    if value.is_null() {
        return "null".into();
    }
    if js_sys::Array::is_array(value) {
        return "an array".into();
    }
    value
        .js_typeof()
        .as_string()
        .unwrap_or_else(|| "an unknown value".into())
}

/// A thrown value as text: an `Error`'s message, or its debug form.
pub fn describe(thrown: &JsValue) -> String {
    match thrown.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.to_string()),
        None => format!("{thrown:?}"),
    }
}
