//! Host bindings: thin layers that give the core its bytes and time and hand its
//! results back in a host's terms. Each is compiled only for its own target.

/// Fluent Bit's `filter_wasm` (wasm32-wasip1, feature `fluent-bit`). Its
/// platform-independent parts also compile natively (unit tests, the fuzz target); the
/// C-ABI exports only for WASI.
#[cfg(any(feature = "fluent-bit", test))]
pub mod fluent_bit;
