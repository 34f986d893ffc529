//! The JavaScript API (src/bindings/js) in headless Chromium: the suite of
//! js_node.rs, run by wasm-bindgen-test-runner through chromedriver.
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod js_api;
