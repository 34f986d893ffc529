//! The JavaScript API of the npm package, built with wasm-bindgen for
//! wasm32-unknown-unknown: a `Detector` class (see [`detector`]).
//!
//! Marshalling only: arguments are converted into the bytes and [`crate::Context`]
//! the core takes ([`marshal`], [`options`]), results into plain objects
//! ([`marshal`], [`verdict`]), and core errors into JavaScript `Error`s ([`error`]).
//! The package's JavaScript, TypeScript and packaging sources live in `npm/` beside
//! this module.

pub mod detector;
pub mod engine;
pub mod error;
pub mod marshal;
pub mod options;
pub mod verdict;

use wasm_bindgen::prelude::*;

pub use detector::JsDetector;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Runs when the module is instantiated: report panics on the console (a panic is a
/// bug; release builds then trap with `RuntimeError: unreachable`).
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error(&format!("dynamodb-scan-detector panicked: {info}"));
    }));
}
