//! The JavaScript API (src/bindings/js) in Node: `cargo test --target
//! wasm32-unknown-unknown` runs this with wasm-bindgen-test-runner (see
//! `.cargo/config.toml`). The same suite runs in headless Chromium (js_browser.rs).
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

mod js_api;
