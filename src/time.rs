//! Timestamps: parsing the forms CloudTrail and ECS use, and rendering ECS's form.
//!
//! Every time in the core is [`Millis`], milliseconds since the Unix epoch in UTC.
//! Parsing is hand-written for the hot path (no allocation) and accepts:
//! `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM|±HHMM]` (a space may replace `T`;
//! no zone means UTC), the compact `YYYYMMDDTHHMMSSZ`, and epoch milliseconds
//! given as a JSON number. Years are limited to 0000–9999.

use serde_json::Value;

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

const MS_PER_DAY: i64 = 86_400_000;

/// Parse a timestamp string; `None` when it is not one of the accepted forms.
pub fn parse_timestamp(text: &str) -> Option<Millis> {
    let b = text.trim().as_bytes();
    if b.len() >= 16 && b[8] == b'T' && b[..8].iter().all(u8::is_ascii_digit) {
        return parse_compact(b);
    }
    let mut p = Cursor { b, i: 0 };
    let year = p.digits(4)?;
    p.expect(b'-')?;
    let month = p.digits(2)?;
    p.expect(b'-')?;
    let day = p.digits(2)?;
    if p.i == b.len() {
        return civil_to_millis(year, month, day, 0, 0, 0, 0);
    }
    if !matches!(p.next()?, b'T' | b't' | b' ') {
        return None;
    }
    let hour = p.digits(2)?;
    p.expect(b':')?;
    let minute = p.digits(2)?;
    p.expect(b':')?;
    let second = p.digits(2)?;
    let mut millis = 0;
    if p.peek() == Some(b'.') || p.peek() == Some(b',') {
        p.i += 1;
        let start = p.i;
        let mut scale = 100;
        while let Some(d) = p.peek().filter(u8::is_ascii_digit) {
            millis += i64::from(d - b'0') * scale;
            scale /= 10;
            p.i += 1;
        }
        if p.i == start {
            return None;
        }
    }
    let offset = p.zone()?;
    if p.i != b.len() {
        return None;
    }
    in_range(civil_to_millis(year, month, day, hour, minute, second, millis)? - offset)
}

/// Times outside years 0000–9999 (a zone offset can push a boundary date past them) are
/// not times: they could not be written back as ECS writes them.
fn in_range(t: Millis) -> Option<Millis> {
    (MIN_MILLIS..=MAX_MILLIS).contains(&t).then_some(t)
}

/// Read a time from a JSON value: a timestamp string or epoch milliseconds.
pub fn timestamp_from_value(value: &Value) -> Option<Millis> {
    match value {
        Value::String(s) => parse_timestamp(s),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                Some(crate::float_text::number_as_f64(n))
                    .filter(|f| f.is_finite() && f.abs() < 9.2e18)
                    .map(|f| f as i64)
            })
            .and_then(in_range),
        Value::Array(items) if items.len() == 1 => timestamp_from_value(&items[0]),
        _ => None,
    }
}

/// Smallest and largest representable times (years 0000 and 9999).
pub const MIN_MILLIS: Millis = -62_167_219_200_000;
pub const MAX_MILLIS: Millis = 253_402_300_799_999;

/// Render as ECS does: `YYYY-MM-DDTHH:MM:SS.mmmZ`. Out-of-range times are clamped.
pub fn format_timestamp(t: Millis) -> String {
    let t = t.clamp(MIN_MILLIS, MAX_MILLIS);
    let days = t.div_euclid(MS_PER_DAY);
    let rem = t.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = rem / 1000;
    // Laid out by hand: an alert writes three of these, and `format!` with padding
    // cost more than the rest of the timestamp work together.
    let mut out = String::with_capacity(24);
    let mut digits = |n: i64, width: u32, sep: char| {
        for i in (0..width).rev() {
            let digit = (n / 10_i64.pow(i)) % 10;
            out.push(char::from(b'0' + digit as u8));
        }
        out.push(sep);
    };
    digits(y, 4, '-');
    digits(m, 2, '-');
    digits(d, 2, 'T');
    digits(secs / 3600, 2, ':');
    digits((secs / 60) % 60, 2, ':');
    digits(secs % 60, 2, '.');
    digits(rem % 1000, 3, 'Z');
    out
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }
    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }
    fn digits(&mut self, n: usize) -> Option<i64> {
        let slice = self.b.get(self.i..self.i + n)?;
        let mut v = 0i64;
        for &d in slice {
            if !d.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(d - b'0');
        }
        self.i += n;
        Some(v)
    }
    /// Zone suffix as an offset in milliseconds east of UTC.
    fn zone(&mut self) -> Option<i64> {
        match self.peek() {
            None => Some(0),
            Some(b'Z' | b'z') => {
                self.i += 1;
                Some(0)
            }
            Some(sign @ (b'+' | b'-')) => {
                self.i += 1;
                let h = self.digits(2)?;
                if self.peek() == Some(b':') {
                    self.i += 1;
                }
                let m = self.digits(2)?;
                if h > 23 || m > 59 {
                    return None;
                }
                let off = (h * 60 + m) * 60_000;
                Some(if sign == b'-' { -off } else { off })
            }
            Some(_) => None,
        }
    }
}

fn parse_compact(b: &[u8]) -> Option<Millis> {
    let mut p = Cursor { b, i: 0 };
    let (y, mo, d) = (p.digits(4)?, p.digits(2)?, p.digits(2)?);
    p.expect(b'T')?;
    let (h, mi, s) = (p.digits(2)?, p.digits(2)?, p.digits(2)?);
    let offset = p.zone()?;
    if p.i != b.len() {
        return None;
    }
    in_range(civil_to_millis(y, mo, d, h, mi, s, 0)? - offset)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn civil_to_millis(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, ms: i64) -> Option<Millis> {
    const DAYS: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&mo) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let month_len = DAYS[(mo - 1) as usize] + i64::from(mo == 2 && is_leap(y));
    if d < 1 || d > month_len {
        return None;
    }
    // A leap second is folded into the next second, as Elasticsearch does not keep it.
    Some(days_from_civil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + ms)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_seen_in_real_data() {
        let cases: &[(&str, Option<Millis>)] = &[
            ("2024-10-08T10:15:32Z", Some(1_728_382_532_000)),
            ("2024-10-08T10:15:32.000Z", Some(1_728_382_532_000)),
            ("2021-11-11T01:02:03.123456789Z", Some(1_636_592_523_123)),
            ("2023-01-10 21:04:02", Some(1_673_384_642_000)),
            ("2023-01-10 21:04:02.123", Some(1_673_384_642_123)),
            ("2017-10-10T23:01:45+0000", Some(1_507_676_505_000)),
            ("2017-10-11T01:01:45+02:00", Some(1_507_676_505_000)),
            ("20131102T010628Z", Some(1_383_354_388_000)),
            ("1970-01-01T00:00:00Z", Some(0)),
            ("1969-12-31T23:59:59.999Z", Some(-1)),
            ("9999-12-31T23:59:59.999Z", Some(MAX_MILLIS)),
            ("0000-01-01T00:00:00Z", Some(MIN_MILLIS)),
            ("2024-02-29T00:00:00Z", Some(1_709_164_800_000)),
            ("2023-02-29T00:00:00Z", None),
            ("2024-13-01T00:00:00Z", None),
            ("2024-10-08T25:00:00Z", None),
            ("2024-10-08T10:15:32Q", None),
            ("2024-10-08T10:15:32.Z", None),
            ("yesterday", None),
            ("", None),
            ("2024-10-08", Some(1_728_345_600_000)),
            ("0000-01-01T00:00:00+01:00", None),
            ("9999-12-31T23:59:59-01:00", None),
            ("0000-01-01T01:00:00+01:00", Some(MIN_MILLIS)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_timestamp(text), *want, "{text}");
        }
    }

    #[test]
    fn formats_like_ecs_and_round_trips() {
        for t in [
            0,
            -1,
            1_728_382_532_000,
            1_636_592_523_123,
            MAX_MILLIS,
            MIN_MILLIS,
        ] {
            let s = format_timestamp(t);
            assert_eq!(parse_timestamp(&s), Some(t), "{s}");
        }
        assert_eq!(
            format_timestamp(1_728_382_532_000),
            "2024-10-08T10:15:32.000Z"
        );
        assert_eq!(format_timestamp(i64::MAX), "9999-12-31T23:59:59.999Z");
    }

    #[test]
    fn numbers_are_epoch_millis() {
        assert_eq!(
            timestamp_from_value(&serde_json::json!(1_728_382_532_000i64)),
            Some(1_728_382_532_000)
        );
        assert_eq!(timestamp_from_value(&serde_json::json!(1e300)), None);
        assert_eq!(
            timestamp_from_value(&serde_json::json!(["2024-10-08T10:15:32Z"])),
            Some(1_728_382_532_000)
        );
        assert_eq!(timestamp_from_value(&serde_json::json!(true)), None);
    }
}
