//! Durations in Elastic's notation: `30s`, `9m`, `5m`, `1h`, `14d`, `2w`, and the
//! date-math form `now-14d` that rules use for `from` and `history_window_start`.

use std::fmt;

use crate::time::Millis;

/// A non-negative span of time that remembers how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElasticDuration {
    amount: i64,
    unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Minutes,
    Hours,
    Days,
    Weeks,
}

impl Unit {
    fn millis(self) -> i64 {
        match self {
            Unit::Seconds => 1_000,
            Unit::Minutes => 60_000,
            Unit::Hours => 3_600_000,
            Unit::Days => 86_400_000,
            Unit::Weeks => 604_800_000,
        }
    }
    fn suffix(self) -> char {
        match self {
            Unit::Seconds => 's',
            Unit::Minutes => 'm',
            Unit::Hours => 'h',
            Unit::Days => 'd',
            Unit::Weeks => 'w',
        }
    }
}

/// Largest accepted amount: 100 years in any unit keeps every sum far from overflow.
const MAX_MILLIS: i64 = 100 * 366 * 86_400_000;

impl ElasticDuration {
    /// Parse `14d` or, when `date_math` is true, also `now-14d`.
    pub fn parse(text: &str, date_math: bool) -> Result<Self, String> {
        let t = text.trim();
        let body = match t.strip_prefix("now-") {
            Some(rest) if date_math => rest,
            Some(_) => {
                return Err(format!(
                    "`{text}` is date math; give a duration such as `14d`"
                ))
            }
            None => t,
        };
        let split = body
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| format!("`{text}` has no unit (use s, m, h, d or w, as in `14d`)"))?;
        let (digits, unit) = body.split_at(split);
        if digits.is_empty() {
            return Err(format!(
                "`{text}` has no amount (expected a form like `14d` or `now-14d`)"
            ));
        }
        let unit = match unit {
            "s" => Unit::Seconds,
            "m" => Unit::Minutes,
            "h" | "H" => Unit::Hours,
            "d" => Unit::Days,
            "w" => Unit::Weeks,
            other => {
                return Err(format!(
                    "`{text}` has unknown unit `{other}` (use s, m, h, d or w)"
                ))
            }
        };
        let amount: i64 = digits
            .parse()
            .map_err(|_| format!("`{text}` has an amount that is too large"))?;
        if amount
            .checked_mul(unit.millis())
            .is_none_or(|ms| ms > MAX_MILLIS)
        {
            return Err(format!("`{text}` is longer than 100 years"));
        }
        Ok(ElasticDuration { amount, unit })
    }

    pub const fn minutes(amount: i64) -> Self {
        ElasticDuration {
            amount,
            unit: Unit::Minutes,
        }
    }

    pub const fn days(amount: i64) -> Self {
        ElasticDuration {
            amount,
            unit: Unit::Days,
        }
    }

    pub const fn zero() -> Self {
        ElasticDuration {
            amount: 0,
            unit: Unit::Seconds,
        }
    }

    pub fn millis(self) -> Millis {
        self.amount * self.unit.millis()
    }

    /// The date-math form Kibana stores, e.g. `now-14d`.
    pub fn as_date_math(self) -> String {
        format!("now-{self}")
    }
}

impl fmt::Display for ElasticDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_elastic_forms() {
        let ok: &[(&str, bool, i64, &str)] = &[
            ("14d", false, 14 * 86_400_000, "14d"),
            ("now-14d", true, 14 * 86_400_000, "14d"),
            ("9m", false, 540_000, "9m"),
            (" 30s ", false, 30_000, "30s"),
            ("1h", false, 3_600_000, "1h"),
            ("2w", false, 1_209_600_000, "2w"),
            ("0s", false, 0, "0s"),
        ];
        for (text, math, ms, shown) in ok {
            let d = ElasticDuration::parse(text, *math).unwrap();
            assert_eq!(d.millis(), *ms, "{text}");
            assert_eq!(d.to_string(), *shown);
        }
    }

    #[test]
    fn rejects_with_a_reason() {
        let bad: &[(&str, bool, &str)] = &[
            ("14", false, "no unit"),
            ("d", false, "no amount"),
            ("14y", false, "unknown unit"),
            ("now-14d", false, "date math"),
            ("-5m", false, "no amount"),
            ("99999999999999999999d", false, "too large"),
            ("50000d", false, "100 years"),
            ("", false, "no unit"),
        ];
        for (text, math, reason) in bad {
            let err = ElasticDuration::parse(text, *math).unwrap_err();
            assert!(err.contains(reason), "{text}: {err}");
        }
    }
}
