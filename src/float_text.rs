//! Text for a double, as Java's `Double.toString` and JavaScript's `Number#toString`
//! write it: both start from the shortest decimal digits that read back as the same
//! double and differ only in layout.
//!
//! The digits come from `zmij` (already linked for serde_json's numbers). Using it here
//! instead of `format!("{f}")` keeps core's float formatting (Grisu with a Dragon
//! fallback, about 25 KB) out of the WebAssembly builds.

/// The shortest decimal form of a finite, non-zero `|f|`: `0.DIGITS × 10^exponent`,
/// DIGITS without leading or trailing zeros.
struct Shortest {
    digits: Vec<u8>,
    exponent: i32,
}

impl Shortest {
    /// `None` for zero, NaN and the infinities (each host writes those its own way).
    fn of(f: f64) -> Option<Self> {
        if !f.is_finite() || f == 0.0 {
            return None;
        }
        let mut buffer = zmij::Buffer::new();
        let text = buffer.format_finite(f.abs());
        let (mantissa, exp) = match text.split_once(['e', 'E']) {
            Some((m, e)) => (m, e.parse::<i32>().ok()?),
            None => (text, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mut digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
        // 0.DIGITS × 10^(whole digits + exp) before stripping leading zeros.
        let mut exponent = whole.len() as i32 + exp;
        let leading = digits.iter().take_while(|&&d| d == b'0').count();
        digits.drain(..leading);
        exponent -= leading as i32;
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        (!digits.is_empty() && digits.iter().all(u8::is_ascii_digit))
            .then_some(Self { digits, exponent })
    }

    /// DIGITS[..n] padded with zeros to at least `n` digits.
    fn push_padded(&self, out: &mut String, from: usize, to: usize) {
        for i in from..to {
            out.push(char::from(*self.digits.get(i).unwrap_or(&b'0')));
        }
    }
}

/// A JSON number as a double: the nearest one, or ±infinity past the largest (where
/// `Number::as_f64` gives `None`), as JavaScript's and Java's JSON parsers read it.
/// Every conversion of a JSON number to a double in the library goes through here.
pub fn number_as_f64(n: &serde_json::Number) -> f64 {
    nearest_double(n.as_str())
}

/// The double nearest to the JSON number `text` (correctly rounded). In the JavaScript
/// builds, the engine's `parseFloat` does it (also correctly rounded), so core's float
/// parser and its 10 KB table of powers of five stay out of the .wasm.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn nearest_double(text: &str) -> f64 {
    js_sys::Number::parse_float(text)
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn nearest_double(text: &str) -> f64 {
    // A JSON number always parses (past the largest double it is ±infinity).
    text.parse().unwrap_or(f64::NAN)
}

/// Java's `Double.toString`: plain notation with at least one fraction digit for
/// 10^-3 ≤ |f| < 10^7, otherwise `d.dddE±n`.
///
/// This is Java 19+'s algorithm (Elasticsearch bundles a recent JDK), with one known
/// difference: where the shortest digits are a single one, Java 19+ writes the closest
/// two-digit decimal instead. For a normal double that is the same digit and a zero;
/// only for the sparsest subnormals does it differ (Java `4.9E-324`, here `5.0E-324`,
/// as before this used zmij). Java 17 and older print more digits than the shortest
/// for some doubles (`9.999999999999999E22` for `1.0E23`).
pub fn java_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    let Some(s) = Shortest::of(f) else {
        out.push_str("0.0");
        return out;
    };
    let k = s.digits.len();
    // 0.DIGITS × 10^exponent lies in [10^-3, 10^7) exactly when the exponent is -2..=7:
    // neither bound has a shorter neighbour that could print as it.
    if (-2..=7).contains(&s.exponent) {
        if s.exponent <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', s.exponent.unsigned_abs() as usize));
            s.push_padded(&mut out, 0, k);
        } else {
            let point = s.exponent as usize;
            s.push_padded(&mut out, 0, point);
            out.push('.');
            if k > point {
                s.push_padded(&mut out, point, k);
            } else {
                out.push('0');
            }
        }
    } else {
        s.push_padded(&mut out, 0, 1);
        out.push('.');
        if k > 1 {
            s.push_padded(&mut out, 1, k);
        } else {
            out.push('0');
        }
        out.push('E');
        out.push_str(&(s.exponent - 1).to_string());
    }
    out
}

/// JavaScript's `Number.prototype.toString()` (ECMAScript's Number::toString, radix 10).
pub fn js_number(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let Some(s) = Shortest::of(f) else {
        return "0".into(); // -0 too
    };
    let mut out = String::new();
    if f < 0.0 {
        out.push('-');
    }
    let k = s.digits.len() as i32;
    let n = s.exponent;
    if k <= n && n <= 21 {
        s.push_padded(&mut out, 0, n as usize);
    } else if 0 < n && n <= 21 {
        s.push_padded(&mut out, 0, n as usize);
        out.push('.');
        s.push_padded(&mut out, n as usize, k as usize);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', n.unsigned_abs() as usize));
        s.push_padded(&mut out, 0, k as usize);
    } else {
        s.push_padded(&mut out, 0, 1);
        if k > 1 {
            out.push('.');
            s.push_padded(&mut out, 1, k as usize);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        out.push_str(&(n - 1).unsigned_abs().to_string());
    }
    out
}

/// Hard cases for [`nearest_double`], with the bits of the correctly rounded double
/// (from CPython's `float`): run natively and, in the JavaScript builds, in Node and
/// Chromium, where `parseFloat` does the work.
#[cfg(test)]
const NEAREST_DOUBLE_CASES: [(&str, u64); 18] = [
    ("0.1", 0x3fb9_9999_9999_999a),
    ("1e23", 0x44b5_2d02_c7e1_4af6),
    ("9007199254740993", 0x4340_0000_0000_0000),
    ("2.2250738585072011e-308", 0x000f_ffff_ffff_ffff),
    ("2.4703282292062327e-324", 0x0),
    ("2.4703282292062328e-324", 0x1),
    ("4.9e-324", 0x1),
    ("1.7976931348623158e308", 0x7fef_ffff_ffff_ffff),
    ("1.7976931348623159e308", 0x7ff0_0000_0000_0000),
    ("-0", 0x8000_0000_0000_0000),
    ("-0.0", 0x8000_0000_0000_0000),
    ("0.30000000000000004", 0x3fd3_3333_3333_3334),
    ("123456789012345678901234567890", 0x45f8_ee90_ff6c_373e),
    (
        "3.14159265358979323846264338327950288419716939937510",
        0x4009_21fb_5444_2d18,
    ),
    ("1e400", 0x7ff0_0000_0000_0000),
    ("-1e400", 0xfff0_0000_0000_0000),
    ("7.038531e-26", 0x3ab5_c87f_b000_0000),
    ("2.9802322387695312e-8", 0x3e60_0000_0000_0000),
];

#[cfg(test)]
fn check_nearest_double() {
    for (text, bits) in NEAREST_DOUBLE_CASES {
        let n: serde_json::Number = serde_json::from_str(text).unwrap();
        assert_eq!(number_as_f64(&n).to_bits(), bits, "{text}");
    }
}

#[cfg(all(test, target_arch = "wasm32", target_os = "unknown"))]
mod js_tests {
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn nearest_double_in_the_javascript_engine() {
        super::check_nearest_double();
    }
}

#[cfg(test)]
mod tests;
