//! Elasticsearch's `lowercase` processor, which the CloudTrail ingest pipeline applies to
//! a few fields: Java's `String.toLowerCase(Locale.ROOT)`, full Unicode case mapping
//! with a final-sigma rule.
//!
//! Rust's `str::to_lowercase` and JavaScript's `String.prototype.toLowerCase` implement
//! the same Unicode mapping (a review compared 7.8M strings under Node 20: identical).
//! The JavaScript builds use the engine's, which keeps core's Unicode case tables (about
//! 17 KB) out of the .wasm; text that is all ASCII never leaves Rust. Known limits, all
//! outside ASCII: an engine older than Rust's Unicode version lacks the newest case pairs
//! (Node 18, for U+1C89); and Java applies final sigma by a narrower context than Unicode
//! (`A:Σ`: Java `a:σ`, Rust and JavaScript `a:ς`), as the native build always did.

/// `s` lower-cased as Elasticsearch's `lowercase` processor does.
pub fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        unicode_lowercase(s)
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn unicode_lowercase(s: &str) -> String {
    js_sys::JsString::from(s).to_lower_case().into()
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn unicode_lowercase(s: &str) -> String {
    s.to_lowercase()
}

/// Each input with Java's `toLowerCase(Locale.ROOT)` (Java 17), which Node's
/// `toLowerCase` and Rust's `to_lowercase` also give.
#[cfg(test)]
const CASES: [(&str, &str); 11] = [
    ("TLSv", "tlsv"),
    ("Success", "success"),
    ("ÀÉÎ Ω", "àéî ω"),
    ("ΟΔΟΣ", "οδος"),
    ("ΣΑΣ ΣΑΣ", "σας σας"),
    ("İ", "i\u{307}"),
    ("ẞ", "ß"),
    ("ǅ", "ǆ"),
    ("A\u{301}Σ", "a\u{301}ς"),
    ("ΑΣ.", "ας."),
    ("Σ", "σ"),
];

#[cfg(test)]
fn check_cases() {
    for (input, want) in CASES {
        assert_eq!(lowercase(input), want, "{input}");
    }
}

#[cfg(all(test, target_arch = "wasm32", target_os = "unknown"))]
mod js_tests {
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn lowercase_in_the_javascript_engine() {
        super::check_cases();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lowercase_natively() {
        super::check_cases();
    }
}
