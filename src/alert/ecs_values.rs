//! Value checks of Kibana's ECS type validators (`factories/utils/ecs_types_validators/`),
//! used when the source's fields are copied into an alert (see [`super::strip`]).
//!
//! * long: a string containing a space is invalid; otherwise as numeric.
//! * float / scaled_float (numeric): any JSON number, or a string that JavaScript's
//!   `Number(s)` does not turn into `NaN` (so `""`, `" 24 "`, `"0x1f"`, `"Infinity"` pass).
//! * ip: a string that `ipaddr.js` accepts as an address (`isValid`: IPv6, or IPv4 in
//!   its lenient one- to four-part decimal/octal/hex forms) or as an IPv4/IPv6 CIDR.
//! * date: anything numeric as above, or a string moment.js parses strictly as
//!   ISO 8601, or as `yyyy-MM-DDT`.
//! * boolean: `true`, `false`, `"true"`, `"false"` or `""`.
//!
//! Known gap: IPv6 text is checked with Rust's parser (plus `%zone`); `ipaddr.js`
//! also takes hex or octal octets in an embedded IPv4 tail.

use std::net::Ipv6Addr;

use serde_json::Value;

/// JavaScript's `!Number.isNaN(Number(s))` for a string.
pub fn js_numeric_string(s: &str) -> bool {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return true;
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(digits) = t.strip_prefix(prefix) {
            return !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
        }
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "Infinity" {
        return true;
    }
    let b = unsigned.as_bytes();
    let mut i = 0;
    let int = count_digits(b, 0);
    i += int;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        frac = count_digits(b, i + 1);
        i += 1 + frac;
    }
    if int + frac == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = count_digits(b, i);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

fn count_digits(b: &[u8], from: usize) -> usize {
    b.get(from..).map_or(0, |rest| {
        rest.iter().take_while(|c| c.is_ascii_digit()).count()
    })
}

/// ECMAScript's WhiteSpace and LineTerminator code points (what `Number()` trims).
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `isValidNumericType`.
pub fn numeric(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::String(s) => js_numeric_string(s),
        _ => false,
    }
}

/// `isValidLongType`.
pub fn long(v: &Value) -> bool {
    !matches!(v, Value::String(s) if s.contains(' ')) && numeric(v)
}

/// `isValidBooleanType`.
pub fn boolean(v: &Value) -> bool {
    match v {
        Value::Bool(_) => true,
        Value::String(s) => matches!(s.as_str(), "true" | "false" | ""),
        _ => false,
    }
}

/// `isValidIpType`.
pub fn ip(v: &Value) -> bool {
    let Value::String(s) = v else { return false };
    ipv6(s) || ipv4(s).is_some() || cidr(s)
}

/// `isValidDateType`.
pub fn date(v: &Value) -> bool {
    numeric(v) || matches!(v, Value::String(s) if super::moment_iso::strict_iso(s))
}

/// `ipaddr.js` `IPv4.parser` + constructor: one to four parts, each decimal, octal
/// (leading `0`) or hex (`0x`); the last part fills the remaining bytes.
fn ipv4(s: &str) -> Option<()> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let values = parts
        .iter()
        .map(|p| ipv4_part(p))
        .collect::<Option<Vec<u64>>>()?;
    let (last, head) = values.split_last()?;
    let last_max = match values.len() {
        1 => 0xffff_ffff,
        2 => 0xff_ffff,
        3 => 0xffff,
        _ => 0xff,
    };
    (head.iter().all(|&h| h <= 0xff) && *last <= last_max).then_some(())
}

fn ipv4_part(p: &str) -> Option<u64> {
    let b = p.as_bytes();
    if let Some(hex) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        return Some(saturating_radix(hex, 16));
    }
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if b.len() > 1 && b[0] == b'0' {
        // Octal only when every digit is below 8; `08` throws in ipaddr.js.
        return b[1..]
            .iter()
            .all(|c| (b'0'..=b'7').contains(c))
            .then(|| saturating_radix(&p[1..], 8));
    }
    Some(saturating_radix(p, 10))
}

fn saturating_radix(digits: &str, radix: u32) -> u64 {
    digits.chars().fold(0u64, |acc, c| {
        acc.saturating_mul(u64::from(radix))
            .saturating_add(u64::from(c.to_digit(radix).unwrap_or(0)))
    })
}

/// IPv6 text, with an optional `%zone` of ASCII letters and digits.
fn ipv6(s: &str) -> bool {
    if !s.contains(':') {
        return false;
    }
    let addr = match s.split_once('%') {
        Some((addr, zone)) => {
            if zone.is_empty() || !zone.bytes().all(|c| c.is_ascii_alphanumeric()) {
                return false;
            }
            addr
        }
        None => s,
    };
    addr.parse::<Ipv6Addr>().is_ok()
}

/// `IPv4.parseCIDR` / `IPv6.parseCIDR`: `<address>/<decimal mask>`.
fn cidr(s: &str) -> bool {
    let Some((addr, mask)) = s.rsplit_once('/') else {
        return false;
    };
    if addr.is_empty() || mask.is_empty() || !mask.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let mask = saturating_radix(mask, 10);
    (ipv4(addr).is_some() && mask <= 32) || (ipv6(addr) && mask <= 128)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type Check = fn(&Value) -> bool;

    /// Kibana's own cases (`is_valid_*_type.test.ts`) plus the lenient forms.
    #[test]
    fn validators() {
        let cases: &[(Check, Value, bool)] = &[
            (ip, json!("127.0.0.1"), true),
            (ip, json!("2001:db8::"), true),
            (ip, json!("2001:db8:://12"), false),
            (ip, json!("localhost"), false),
            (ip, json!("127.0.0."), false),
            (ip, json!("not-an-ip"), false),
            (ip, json!("127.1"), true),
            (ip, json!("0x7f.0.0.1"), true),
            (ip, json!("010.0.0.1"), true),
            (ip, json!("08.0.0.1"), false),
            (ip, json!("3232235777"), true),
            (ip, json!("256.0.0.1"), false),
            (ip, json!("10.0.0.0/8"), true),
            (ip, json!("10.0.0.0/33"), false),
            (ip, json!("2001:db8::/32"), true),
            (ip, json!("fe80::1%eth0"), true),
            (ip, json!(1), false),
            (numeric, json!(6376723), true),
            (numeric, json!("-6376723"), true),
            (
                numeric,
                json!("63767236376723637672363.7672363767236376723"),
                true,
            ),
            (numeric, json!("24 "), true),
            (numeric, json!(""), true),
            (numeric, json!("1e5"), true),
            (numeric, json!("0x1F"), true),
            (numeric, json!("-Infinity"), true),
            (numeric, json!("non-valid"), false),
            (numeric, json!(true), false),
            (numeric, json!("2015x"), false),
            (numeric, json!("201.2s"), false),
            (numeric, json!("."), false),
            (numeric, json!("-0x1"), false),
            (numeric, Value::Null, false),
            (long, json!("24 "), false),
            (long, json!("24"), true),
            (boolean, json!("true"), true),
            (boolean, json!(""), true),
            (boolean, json!(false), true),
            (boolean, json!("yes"), false),
            (boolean, json!(1), false),
            (date, json!(387497835948_i64), true),
            (date, json!("2015-01-01T12:10:30.666Z"), true),
            (date, json!("non-valid"), false),
            (date, json!(true), false),
        ];
        for (i, (check, value, want)) in cases.iter().enumerate() {
            assert_eq!(check(value), *want, "case {i}: {value}");
        }
    }
}
