//! Host bindings: thin layers that give the core its bytes and time and hand its
//! results back in a host's terms. Each is compiled only for its own target.

/// Fluent Bit's `filter_wasm` (wasm32-wasip1, feature `fluent-bit`). Its
/// platform-independent parts are also compiled for native unit tests.
#[cfg(any(all(target_os = "wasi", feature = "fluent-bit"), test))]
pub mod fluent_bit;
