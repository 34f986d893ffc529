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
