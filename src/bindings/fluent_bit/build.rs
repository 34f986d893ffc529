//! Build script: for the WASI module (Fluent Bit's `filter_wasm`, feature `fluent-bit`), export wasi-libc's
//! `malloc` and `free`, so that the host copies each record into the module's own
//! growable heap instead of its fixed 8 KiB "app heap" (`Wasm_Heap_Size`).

fn main() {
    println!("cargo:rerun-if-changed=src/bindings/fluent_bit/build.rs");
    let wasi = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("wasi");
    if wasi && std::env::var_os("CARGO_FEATURE_FLUENT_BIT").is_some() {
        println!("cargo:rustc-cdylib-link-arg=--export=malloc");
        println!("cargo:rustc-cdylib-link-arg=--export=free");
    }
}
