//! Build script: for the WASI module (Fluent Bit's `filter_wasm`, feature `fluent-bit`),
//! export wasi-libc's `malloc` and `free`, so that the host copies each record into the
//! module's own growable heap instead of its fixed 8 KiB "app heap" (`Wasm_Heap_Size`);
//! and leave out the function names (wasm's `name` section, about 80 KiB): Fluent Bit's
//! WAMR reads no names unless built with its custom-name-section option, so they buy the
//! user nothing. `FLUENT_BIT_MODULE_NAMES=1` keeps them (for profiling or disassembly).
//!
//! It also sets `cfg(rule_files)` in the builds that read Elastic's rule files (TOML,
//! KQL, rule sets): every build but the npm package's default entry
//! (wasm32-unknown-unknown without the feature `rule-files`); and
//! `cfg(alert_suppression)` in those that run rule files' alert suppression
//! (src/suppression/): native and WASI command builds, and the npm package's and the
//! Fluent Bit module's builds with `rule-files` (their default builds read no rule files,
//! and the suppression code would cost the Fluent Bit module about 90 KiB of its 768 KiB
//! budget).

fn main() {
    println!("cargo:rerun-if-changed=src/bindings/fluent_bit/build.rs");
    println!("cargo:rerun-if-env-changed=FLUENT_BIT_MODULE_NAMES");
    println!("cargo:rustc-check-cfg=cfg(alert_suppression)");
    println!("cargo:rustc-check-cfg=cfg(rule_files)");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let wasi = os == "wasi";
    let fluent_bit = wasi && std::env::var_os("CARGO_FEATURE_FLUENT_BIT").is_some();
    let javascript =
        std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") && os == "unknown";
    let rule_files_feature = std::env::var_os("CARGO_FEATURE_RULE_FILES").is_some();
    if !javascript || rule_files_feature {
        println!("cargo:rustc-cfg=rule_files");
    }
    if (!fluent_bit && !javascript) || rule_files_feature {
        println!("cargo:rustc-cfg=alert_suppression");
    }
    if fluent_bit {
        println!("cargo:rustc-cdylib-link-arg=--export=malloc");
        println!("cargo:rustc-cdylib-link-arg=--export=free");
        if std::env::var_os("FLUENT_BIT_MODULE_NAMES").is_none_or(|v| v != "1") {
            println!("cargo:rustc-cdylib-link-arg=--strip-all");
        }
    }
}
