//! Host bindings: thin layers that give the core its bytes and time and hand its
//! results back in a host's terms (marshalling only: every detection decision is the
//! core's). Each is compiled only for its own target.

/// Fluent Bit's `filter_wasm` (wasm32-wasip1, feature `fluent-bit`). Its
/// platform-independent parts also compile natively (unit tests, the fuzz target); the
/// C-ABI exports only for WASI.
#[cfg(any(feature = "fluent-bit", test))]
pub mod fluent_bit;

/// The wasm-bindgen API of the npm package (`Detector` for JavaScript).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod js;
