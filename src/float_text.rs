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
mod tests {
    use super::*;

    #[test]
    fn nearest_double_natively() {
        check_nearest_double();
    }

    /// The layout the crate used before, on core's formatting: the oracle for Java.
    fn java_by_core(f: f64) -> String {
        if f == 0.0 {
            return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
        }
        let abs = f.abs();
        if (1e-3..1e7).contains(&abs) {
            let s = format!("{f}");
            if s.contains('.') {
                s
            } else {
                format!("{s}.0")
            }
        } else {
            let s = format!("{f:e}");
            let (mantissa, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
            let mantissa = if mantissa.contains('.') {
                mantissa.to_owned()
            } else {
                format!("{mantissa}.0")
            };
            format!("{mantissa}E{exp}")
        }
    }

    /// ECMAScript's layout over core's shortest digits (`{:e}`): the oracle for JS.
    fn js_by_core(f: f64) -> String {
        if f == 0.0 {
            return "0".into();
        }
        let s = format!("{:e}", f.abs());
        let (mantissa, exp) = s.split_once('e').unwrap();
        let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
        let (k, n) = (digits.len() as i32, exp.parse::<i32>().unwrap() + 1);
        let sign = if f < 0.0 { "-" } else { "" };
        let body = if k <= n && n <= 21 {
            format!("{digits}{}", "0".repeat((n - k) as usize))
        } else if 0 < n && n <= 21 {
            format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
        } else if -6 < n && n <= 0 {
            format!("0.{}{digits}", "0".repeat((-n) as usize))
        } else {
            let e = format!("e{}{}", if n - 1 < 0 { '-' } else { '+' }, (n - 1).abs());
            if k == 1 {
                format!("{digits}{e}")
            } else {
                format!("{}.{}{e}", &digits[..1], &digits[1..])
            }
        };
        format!("{sign}{body}")
    }

    /// Doubles at every scale: powers of ten and two, their neighbours, subnormals and
    /// the extremes, then a deterministic spread of bit patterns.
    fn samples() -> Vec<f64> {
        let mut out = vec![
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::EPSILON,
            5e-324,
            1e-7,
            1e-6,
            9.99e-7,
            1e-3,
            9.999999999999998e-4,
            1e7,
            9999999.999999998,
            1e21,
            1e21 - 65536.0,
            123.25,
            0.1 + 0.2,
            2.0_f64.powi(53) + 2.0,
        ];
        for e in -330..310 {
            let p = format!("1e{e}").parse::<f64>().unwrap();
            out.extend([
                p,
                f64::from_bits(p.to_bits() + 1),
                f64::from_bits(p.to_bits().saturating_sub(1)),
            ]);
        }
        for e in -1074..1024 {
            out.push(2.0_f64.powi(e));
        }
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..60_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.push(f64::from_bits(x));
            out.push(f64::from_bits(x >> 12 | 0x3FF0_0000_0000_0000) * 1e3); // plain range
        }
        out.into_iter()
            .filter(|f| f.is_finite())
            .flat_map(|f| [f, -f])
            .collect()
    }

    /// `ours` equals core's text, or both are the shortest digits of `f` and differ only
    /// where the double lies exactly halfway between two of them: core then rounds the
    /// last digit up, zmij, V8 and Java to even (2^-25 is 2.9802322387695312e-8 in Node
    /// and Java 17, 2.9802322387695313e-8 in Rust).
    fn assert_same_or_even_tie(ours: &str, core: &str, f: f64) {
        if ours == core {
            return;
        }
        let digits = |s: &str| -> (String, String) {
            let (m, e) = s.split_once(['e', 'E']).unwrap_or((s, ""));
            (
                m.chars().filter(char::is_ascii_digit).collect(),
                e.to_owned(),
            )
        };
        let ((a, ae), (b, be)) = (digits(ours), digits(core));
        let last = |s: &str| s.bytes().last().unwrap_or(b'0');
        assert!(
            a.len() == b.len()
                && ae == be
                && a[..a.len() - 1] == b[..b.len() - 1]
                && last(&a) + 1 == last(&b)
                && last(&a) % 2 == 0
                && ours.replace('E', "e").parse::<f64>() == Ok(f),
            "{f:e} ({:#x}): ours {ours}, core {core}",
            f.to_bits()
        );
    }

    #[test]
    fn java_layout_matches_core_formatting() {
        for f in samples() {
            assert_same_or_even_tie(&java_double(f), &java_by_core(f), f);
        }
        // Printed by Java 17's Double.toString.
        let java = [
            (2.0_f64.powi(-25), "2.9802322387695312E-8"),
            (2.0_f64.powi(-26), "1.4901161193847656E-8"),
        ];
        for (f, want) in java.into_iter().chain([
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
        ]) {
            assert_eq!(java_double(f), want);
        }
    }

    #[test]
    fn js_layout_matches_core_digits() {
        for f in samples() {
            assert_same_or_even_tie(&js_number(f), &js_by_core(f), f);
        }
    }

    #[test]
    fn js_matches_node() {
        // Each printed by Node with String(x).
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (2.5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (123.25, "123.25"),
            (2.0_f64.powi(-25), "2.9802322387695312e-8"),
            (2.0_f64.powi(-24), "5.960464477539063e-8"),
            (2.0_f64.powi(60), "1152921504606847000"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (f, want) in cases {
            assert_eq!(js_number(f), want, "{f:e}");
        }
    }
}
