//! How deeply a JSON text nests, measured without parsing it into a tree.
//!
//! Building a `serde_json::Value` recurses once per level of nesting, up to serde_json's
//! own limit (128 levels). The input scan that finds a raw record's fields does not
//! build a tree and has no such limit, so without a check of our own the fast path
//! would judge a record the full path cannot even parse. Every matching record is
//! therefore measured first, against [`MAX_NESTING`] (or a lower limit a host with a
//! small call stack sets, such as Fluent Bit's WAMR: [`crate::Detector::set_nesting_limit`]);
//! records nesting deeper are counted as unparseable on every path.
//!
//! The scan is one pass over the bytes with a counter: no recursion, no allocation.
//! It does not validate the JSON (the parser that follows does); it only has to be
//! right about brackets, which means skipping strings and their escapes. A text with
//! fewer brackets than the limit cannot exceed it, which a SIMD count settles first.

/// The deepest nesting any host accepts (below serde_json's 128).
pub const MAX_NESTING: usize = 100;

/// Whether the nesting of arrays and objects in `text` goes deeper than `limit`.
/// `{}` and `[]` are one level; scalars are zero.
pub fn exceeds(text: &str, limit: usize) -> bool {
    let brackets = memchr::memchr2_iter(b'{', b'[', text.as_bytes()).count();
    if brackets <= limit {
        return false;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in text.as_bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::exceeds;
    use crate::{Context, Detector, Verdict};

    fn nested(levels: usize) -> String {
        format!("{}1{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn depth_is_counted_outside_strings_only() {
        // (text, limit, exceeds)
        let cases: &[(&str, usize, bool)] = &[
            ("1", 0, false),
            ("{}", 0, true),
            ("{}", 1, false),
            (r#"{"a":{"b":[1]}}"#, 3, false),
            (r#"{"a":{"b":[1]}}"#, 2, true),
            (r#"{"a":"{{{{[[[["}"#, 1, false),
            (r#"{"a":"\"{{{{"}"#, 1, false),
            (r#"{"a":"\\","b":{}}"#, 1, true),
            (r#"{"a":"\\\"{"}"#, 1, false),
            (r#"[{},{},{},{}]"#, 2, false),
            (r#"]]]]{"#, 1, false),
            (r#""unterminated {{{{"#, 0, false),
        ];
        for &(text, limit, want) in cases {
            assert_eq!(exceeds(text, limit), want, "{text} / {limit}");
        }
        assert!(!exceeds(&nested(40), 40));
        assert!(exceeds(&nested(41), 40));
        assert!(exceeds(&nested(100_000), 128), "no recursion, no overflow");
    }

    fn scan(arn: &str, padding_levels: usize) -> Vec<u8> {
        let deep = format!(
            "{}1{}",
            "{\"x\":".repeat(padding_levels),
            "}".repeat(padding_levels)
        );
        format!(
            r#"{{"eventTime":"2024-03-12T06:22:01Z","eventSource":"dynamodb.amazonaws.com","eventName":"Scan","userIdentity":{{"type":"IAMUser","arn":"{arn}"}},"requestParameters":{{"tableName":"t","deep":{deep}}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn the_limit_makes_deeper_records_unparseable_and_leaves_others_alone() {
        // (limit, padding levels, alerts, verdict is TooDeep)
        let cases: &[(Option<usize>, usize, usize, bool)] = &[
            (None, 5, 1, false),
            (None, 98, 1, false),
            (None, 99, 0, true),
            (None, 5_000, 0, true),
            (Some(500), 99, 0, true),
            (Some(40), 5, 1, false),
            (Some(40), 38, 1, false),
            (Some(40), 39, 0, true),
            (Some(40), 100, 0, true),
        ];
        for &(limit, levels, alerts, too_deep) in cases {
            // Judged on arrival (no reorder window), so an alert comes with its record.
            let config = crate::Config::from_json(r#"{"reorder_window":"0s"}"#);
            let mut d = Detector::new(config.expect("valid"));
            d.set_nesting_limit(limit);
            let mut seen = Vec::new();
            d.process_each(
                &scan("arn:aws:iam::1:user/a", levels),
                Context::event_time(),
                &mut |r| seen.push((r.verdict, r.alerts.len())),
            );
            assert_eq!(seen.len(), 1);
            let (verdict, n) = &seen[0];
            assert_eq!(*n, alerts, "{limit:?} {levels}");
            assert_eq!(
                matches!(verdict, Verdict::Unparseable(crate::InputError::TooDeep(_))),
                too_deep,
                "{limit:?} {levels}: {verdict:?}"
            );
            d.stats().check().expect("counts add up");
        }
    }

    #[test]
    fn non_matching_raw_records_are_never_scanned_or_rejected() {
        let mut d = Detector::new(crate::Config::default());
        d.set_nesting_limit(Some(2));
        let record = br#"{"eventSource":"dynamodb.amazonaws.com","eventName":"Scan","errorCode":"AccessDenied","requestParameters":{"a":{"b":{"c":{}}}}}"#;
        let mut verdicts = Vec::new();
        d.process_each(record, Context::event_time(), &mut |r| {
            verdicts.push(r.verdict)
        });
        assert_eq!(verdicts, [Verdict::NotMatched]);
    }
}
