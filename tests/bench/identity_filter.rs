//! The cheapest possible Fluent Bit filter: it returns the record it was given. The
//! baseline the detector's module is measured against, in the same host harness
//! (`tests/bench/fluent-bit-bench.mjs`). Build:
//! `cargo build --release --target wasm32-wasip1 --features fluent-bit --example identity_filter`
//! (with the feature, the build script `src/bindings/fluent_bit/build.rs` exports
//! wasi-libc's `malloc` and `free`, as for the module).

/// Fluent Bit's filter_wasm signature; returning the record pointer passes it on unchanged.
#[cfg_attr(target_os = "wasi", no_mangle)]
pub extern "C" fn identity_filter(
    _tag: *const u8,
    _tag_len: u32,
    _sec: u32,
    _nsec: u32,
    record: *const u8,
    _len: u32,
) -> *const u8 {
    record
}
