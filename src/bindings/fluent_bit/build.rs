//! Build script: for the WASI module (Fluent Bit's `filter_wasm`, feature `fluent-bit`),
//! export wasi-libc's `malloc` and `free`, so that the host copies each record into the
//! module's own growable heap instead of its fixed 8 KiB "app heap" (`Wasm_Heap_Size`);
//! and leave out the function names (wasm's `name` section, about 80 KiB): Fluent Bit's
//! WAMR reads no names unless built with its custom-name-section option, so they buy the
//! user nothing. `FLUENT_BIT_MODULE_NAMES=1` keeps them (for profiling or disassembly).

fn main() {
    println!("cargo:rerun-if-changed=src/bindings/fluent_bit/build.rs");
    println!("cargo:rerun-if-env-changed=FLUENT_BIT_MODULE_NAMES");
    let wasi = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("wasi");
    if wasi && std::env::var_os("CARGO_FEATURE_FLUENT_BIT").is_some() {
        println!("cargo:rustc-cdylib-link-arg=--export=malloc");
        println!("cargo:rustc-cdylib-link-arg=--export=free");
        if std::env::var_os("FLUENT_BIT_MODULE_NAMES").is_none_or(|v| v != "1") {
            println!("cargo:rustc-cdylib-link-arg=--strip-all");
        }
    }
}
