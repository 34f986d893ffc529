//! The Fluent Bit module's filter function, called on each line of stdin the way Fluent
//! Bit's `filter_wasm` calls it (the record copied into the module's heap with a
//! trailing NUL, the six i32 arguments), all inside one WASI command (`--no-filter`: everything but
//! the call, to subtract). Run under WAMR's
//! `iwasm` (the interpreter Fluent Bit embeds) by `tests/bench/filter_cost.py`, it
//! counts what a record costs the module itself, without Fluent Bit's own work around
//! the call. Prints how many records came back unchanged, replaced, or dropped.
//!
//! `cargo build --release --target wasm32-wasip1 --features fluent-bit --example filter_driver`

#[cfg(all(target_os = "wasi", feature = "fluent-bit"))]
fn main() {
    use std::io::Read;

    use dynamodb_scan_detector::bindings::fluent_bit::{
        dynamodb_scan_alerts_only, dynamodb_scan_annotate,
    };

    let alerts_only = std::env::args().any(|a| a == "--alerts-only");
    // Everything but the call: what the driver itself costs, to subtract.
    let no_filter = std::env::args().any(|a| a == "--no-filter");
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("filter_driver: stdin: {e}");
        std::process::exit(1);
    }
    let (mut unchanged, mut replaced, mut dropped) = (0u64, 0u64, 0u64);
    let mut copy = Vec::new();
    for line in input.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        // Fluent Bit's copy: the record's text and a NUL, in the module's heap.
        copy.clear();
        copy.extend_from_slice(line);
        copy.push(0);
        let record = copy.as_ptr() as u32;
        let len = line.len() as u32;
        let filter = if alerts_only {
            dynamodb_scan_alerts_only
        } else {
            dynamodb_scan_annotate
        };
        let out = if no_filter {
            copy.as_ptr()
        } else {
            filter(0, 0, 0, 0, record, len)
        };
        if out as u32 == record {
            unchanged += 1;
        } else if out.is_null() {
            dropped += 1;
        } else {
            // The reply is either the module's output buffer or its empty string; the
            // empty string is a drop. Telling them apart needs the reply's first byte,
            // which only the module itself may read safely: count both as "replaced".
            replaced += 1;
        }
    }
    println!("unchanged {unchanged} replaced {replaced} dropped {dropped}");
}

#[cfg(not(all(target_os = "wasi", feature = "fluent-bit")))]
fn main() {
    eprintln!("filter_driver: build it for wasm32-wasip1 with --features fluent-bit");
    std::process::exit(2);
}
