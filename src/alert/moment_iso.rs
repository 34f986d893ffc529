//! Whether moment.js parses a string strictly as `[ISO_8601, 'yyyy-MM-DDT']`, the check
//! Kibana's `isValidDateType` applies to a string that is not numeric.
//!
//! ISO forms (moment's `isoDates` × `isoTimes`): dates `YYYY-MM-DD`, `±YYYYYY-MM-DD`,
//! `YYYY-Www-E`, `YYYY-Www`, `YYYY-DDD`, `YYYY-MM`, `YYYYMMDD`, `YYYYWwwE`, `YYYYWww`,
//! `YYYYDDD`, `YYYYMM`, `YYYY`; the week, month and bare-year forms take no time. Times
//! after `T` or a space: `HH[:mm[:ss[.,fraction]]]` with extended dates,
//! `HH[mm[ss[.,fraction]]]` with basic ones, then an optional `Z` or `±HH[[:]mm]`.
//! Values must not overflow: month 1–12, day within the month, ordinal day within the
//! year, week within the ISO week-year, weekday 1–7, hour 0–24 (24 only as 24:00:00.000),
//! minute and second 0–59.

/// moment's strict `[ISO_8601, 'yyyy-MM-DDT']` parse succeeds.
pub fn strict_iso(s: &str) -> bool {
    iso_8601(s) || year_month_day_t(s)
}

/// `yyyy-MM-DDT`: digits, `-MM-DD`, then a literal `T`.
fn year_month_day_t(s: &str) -> bool {
    let Some(rest) = s.strip_suffix('T') else {
        return false;
    };
    let Some((year, md)) = rest.split_once('-') else {
        return false;
    };
    let b = md.as_bytes();
    if year.is_empty() || year.len() > 6 || !year.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    b.len() == 5
        && b[2] == b'-'
        && all_digits(&b[..2])
        && all_digits(&b[3..])
        && valid_day(num(year.as_bytes()), num(&b[..2]), num(&b[3..]))
}

fn iso_8601(s: &str) -> bool {
    let b = s.as_bytes();
    let date_end = b
        .iter()
        .position(|&c| c == b'T' || c == b' ')
        .unwrap_or(b.len());
    let (date, rest) = b.split_at(date_end);
    let Some((extended, allow_time)) = date_form(date) else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    allow_time && time_and_zone(&rest[1..], extended)
}

/// Classifies and checks the date part; returns (extended form, time allowed).
fn date_form(d: &[u8]) -> Option<(bool, bool)> {
    let (year, r) = if matches!(d.first(), Some(b'+' | b'-')) {
        // Six-digit signed years: only `±YYYYYY-MM-DD` is an ISO form.
        let (y, r) = (d.get(1..7)?, d.get(7..)?);
        if !all_digits(y) || r.len() != 6 || r[0] != b'-' || r[3] != b'-' {
            return None;
        }
        let ok = all_digits(&r[1..3]) && all_digits(&r[4..]);
        return (ok && valid_day(num(y), num(&r[1..3]), num(&r[4..]))).then_some((true, true));
    } else {
        (d.get(..4)?, d.get(4..)?)
    };
    if !all_digits(year) {
        return None;
    }
    let y = num(year);
    let ok = |c: bool, ext: bool, time: bool| c.then_some((ext, time));
    match r {
        [] => ok(true, false, false),
        [b'-', m1, m2, b'-', d1, d2] if all_digits(&[*m1, *m2, *d1, *d2]) => {
            ok(valid_day(y, num(&[*m1, *m2]), num(&[*d1, *d2])), true, true)
        }
        [b'-', b'W', w1, w2, b'-', e] if all_digits(&[*w1, *w2, *e]) => {
            ok(valid_week(y, num(&[*w1, *w2]), num(&[*e])), true, true)
        }
        [b'-', b'W', w1, w2] if all_digits(&[*w1, *w2]) => {
            ok(valid_week(y, num(&[*w1, *w2]), 1), true, false)
        }
        [b'-', o1, o2, o3] if all_digits(&[*o1, *o2, *o3]) => {
            ok(valid_ordinal(y, num(&[*o1, *o2, *o3])), true, true)
        }
        [b'-', m1, m2] if all_digits(&[*m1, *m2]) => ok(valid_month(num(&[*m1, *m2])), true, false),
        [b'W', w1, w2, e] if all_digits(&[*w1, *w2, *e]) => {
            ok(valid_week(y, num(&[*w1, *w2]), num(&[*e])), false, true)
        }
        [b'W', w1, w2] if all_digits(&[*w1, *w2]) => {
            ok(valid_week(y, num(&[*w1, *w2]), 1), false, false)
        }
        r if all_digits(r) && r.len() == 4 => {
            ok(valid_day(y, num(&r[..2]), num(&r[2..])), false, true)
        }
        r if all_digits(r) && r.len() == 3 => ok(valid_ordinal(y, num(r)), false, true),
        r if all_digits(r) && r.len() == 2 => ok(valid_month(num(r)), false, false),
        _ => None,
    }
}

fn time_and_zone(t: &[u8], extended: bool) -> bool {
    let zone_at = t
        .iter()
        .position(|&c| matches!(c, b'Z' | b'+' | b'-'))
        .unwrap_or(t.len());
    let (time, zone) = t.split_at(zone_at);
    time_part(time, extended) && zone_part(zone)
}

fn time_part(t: &[u8], extended: bool) -> bool {
    let (hms, fraction) = match t.iter().position(|&c| c == b'.' || c == b',') {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let fields: Vec<&[u8]> = if extended {
        hms.split(|&c| c == b':').collect()
    } else {
        hms.chunks(2).collect()
    };
    if fields.is_empty()
        || fields.len() > 3
        || fields.iter().any(|f| f.len() != 2 || !all_digits(f))
    {
        return false;
    }
    if let Some(f) = fraction {
        if fields.len() != 3 || f.is_empty() || !all_digits(f) {
            return false;
        }
    }
    let v: Vec<u32> = fields.iter().map(|f| num(f)).collect();
    let (h, m, s) = (
        v[0],
        v.get(1).copied().unwrap_or(0),
        v.get(2).copied().unwrap_or(0),
    );
    let ms_zero = fraction.is_none_or(|f| f.iter().take(3).all(|&c| c == b'0'));
    m <= 59 && s <= 59 && (h <= 23 || (h == 24 && m == 0 && s == 0 && ms_zero))
}

fn zone_part(z: &[u8]) -> bool {
    match z {
        [] | [b'Z'] => true,
        [b'+' | b'-', rest @ ..] => match rest {
            [h1, h2] => all_digits(&[*h1, *h2]),
            [h1, h2, m1, m2] | [h1, h2, b':', m1, m2] => all_digits(&[*h1, *h2, *m1, *m2]),
            _ => false,
        },
        _ => false,
    }
}

fn all_digits(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

fn num(b: &[u8]) -> u32 {
    b.iter().fold(0u32, |a, &c| {
        a.saturating_mul(10).saturating_add(u32::from(c - b'0'))
    })
}

fn leap(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn valid_month(m: u32) -> bool {
    (1..=12).contains(&m)
}

fn valid_day(y: u32, m: u32, d: u32) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(y) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn valid_ordinal(y: u32, d: u32) -> bool {
    (1..=if leap(y) { 366 } else { 365 }).contains(&d)
}

/// ISO weeks: a year has 53 when 1 January is a Thursday, or a Wednesday in a leap year.
fn valid_week(y: u32, w: u32, e: u32) -> bool {
    let jan1 = weekday_jan1(y);
    let weeks = if jan1 == 4 || (jan1 == 3 && leap(y)) {
        53
    } else {
        52
    };
    (1..=weeks).contains(&w) && (1..=7).contains(&e)
}

/// Weekday of 1 January of `y` (Gauss; 0 = Sunday, 3 = Wednesday, 4 = Thursday).
fn weekday_jan1(y: u32) -> u32 {
    let p = y.saturating_sub(1);
    (1 + 5 * (p % 4) + 4 * (p % 100) + 6 * (p % 400)) % 7
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kibana's `is_valid_date_type.test.ts` strings, then moment's other ISO forms.
    #[test]
    fn strict_iso_table() {
        let cases = [
            ("2015-01-01T12:10:30.666Z", true),
            ("2015-01-01T12:10:30.666", true),
            ("2015-01-01T12:10:30Z", true),
            ("2015-01-01T12:10:30", true),
            ("2015-01-01T12:10Z", true),
            ("2015-01-01T12:10", true),
            ("2015-01-01T12Z", true),
            ("2015-01-01T12", true),
            ("2015-01-01T", true),
            ("2015-01-01", true),
            ("2015-01", true),
            ("2015", true),
            ("non-valid", false),
            ("2022/12/12", false),
            ("2015Z", false),
            ("2015-01-", false),
            ("2015-01-01T12: 10Z", false),
            ("2015-20-20", false),
            ("2024-02-29", true),
            ("2023-02-29", false),
            ("20240312T062201Z", true),
            ("2024-03-12T06:22:01.123456789+02:00", true),
            ("2024-03-12 06:22:01,5-0130", true),
            ("2024-03-12T24:00:00", true),
            ("2024-03-12T24:00:01", false),
            ("2024-W11-2", true),
            ("2015-W53", true),
            ("2016-W53", false),
            ("2024-366", true),
            ("2023-366", false),
            ("2015-01T12", false),
            ("+002015-01-01T00:00Z", true),
            ("2015-01-01T1210", false),
        ];
        for (s, want) in cases {
            assert_eq!(strict_iso(s), want, "{s}");
        }
    }
}
