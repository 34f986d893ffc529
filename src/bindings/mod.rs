//! Host bindings: marshalling between a host's types and the core, nothing else.
//! Every detection decision is the core's; a binding only converts arguments in,
//! results out, and core errors into the host's errors.

/// The wasm-bindgen API of the npm package (`Detector` for JavaScript).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub mod js;
