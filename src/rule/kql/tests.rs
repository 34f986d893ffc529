//! KQL on documents: a table of (query, document, match), and of refused queries with
//! where they fail. The expectations follow Kibana's KQL grammar and Elasticsearch's
//! queries on keyword, numeric, date, boolean and IP fields.

use serde_json::{json, Map, Value};

use super::{Kql, KqlError};

fn doc(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("a test document is an object"),
    }
}

/// A CloudTrail document in ECS, as the integration writes one.
fn scan() -> Value {
    json!({
        "@timestamp": "2026-11-02T00:00:12.000Z",
        "event": { "provider": "dynamodb.amazonaws.com", "action": "Scan", "outcome": "success",
                   "dataset": "aws.cloudtrail", "category": ["database"] },
        "source": { "address": "10.20.12.9", "ip": "10.20.12.9", "port": 443 },
        "user_agent": { "original": "aws-cli/2.15 Python/3.11" },
        "aws.cloudtrail.user_identity.arn": "arn:aws:iam::1:user/B, Inc.",
        "aws": { "cloudtrail": { "flattened": { "request_parameters": { "tableName": "Orders" } },
                                 "read_only": true,
                                 "user_identity": { "type": "IAMUser" } } },
        "related": { "user": ["alice", "Bob"] },
        "cloud": { "account": { "id": "111122223333" } },
        "tls": { "version": "1.3" },
        "empty": "",
        "file": { "path": "C:\\users\\x" }
    })
}

#[test]
fn queries_on_a_document() {
    let table: &[(&str, bool)] = &[
        // field: value, quoted and unquoted, exact and case-sensitive
        (r#"event.action: Scan"#, true),
        (r#"event.action: "Scan""#, true),
        (r#"event.action: scan"#, false),
        (r#"event.action:Scan"#, true),
        ("event.action :\n  Scan", true),
        (
            r#"event.dataset: "aws.cloudtrail" and event.provider: "dynamodb.amazonaws.com" and event.action: "Scan" and event.outcome: "success""#,
            true,
        ),
        // unquoted literals hold spaces; quoted ones too
        (r#"user_agent.original: aws-cli/2.15 Python/3.11"#, true),
        (r#"user_agent.original: "aws-cli/2.15 Python/3.11""#, true),
        // wildcards anywhere, leading too; quoted stars are stars
        (r#"user_agent.original: aws-cli/*"#, true),
        (r#"user_agent.original: *Python*"#, true),
        (r#"user_agent.original: *python*"#, false),
        (r#"user_agent.original: aws*3.11"#, true),
        (r#"user_agent.original: "aws-cli/*""#, false),
        (r#"event.action: S*n"#, true),
        (r#"event.action: S*x"#, false),
        // ? is no wildcard in KQL: a question mark
        (r#"event.action: Sc?n"#, false),
        // exists: any value, the empty string too; not a missing field or null
        (r#"source.address: *"#, true),
        (r#"empty: *"#, true),
        (r#"missing.field: *"#, false),
        (r#"not missing.field: *"#, true),
        // dotted, nested and mixed keys
        (
            r#"aws.cloudtrail.user_identity.arn: "arn:aws:iam::1:user/B, Inc.""#,
            true,
        ),
        (r#"aws.cloudtrail.user_identity.type: IAMUser"#, true),
        (
            r#"aws.cloudtrail.flattened.request_parameters.tableName: Orders"#,
            true,
        ),
        // escapes in unquoted values
        (
            r#"aws.cloudtrail.user_identity.arn: arn\:aws\:iam\:\:1\:user/B, Inc."#,
            true,
        ),
        (r#"event.action: \and"#, false),
        // in a quoted string, a backslash that starts no escape is itself
        (r#"file.path: "C:\users\x""#, true),
        (r#"file.path: "C:\u0041""#, false),
        // a keyword stands apart by whitespace on both sides: at the end it is text
        // (Kibana's grammar reads `Scan and` as one value)
        (r#"event.action: Scan and"#, false),
        // arrays: any element
        (r#"related.user: Bob"#, true),
        (r#"related.user: (alice and Bob)"#, true),
        (r#"related.user: (alice and carol)"#, false),
        (r#"event.category: database"#, true),
        // value lists and nested value expressions
        (r#"event.action: (Query or Scan or GetItem)"#, true),
        (r#"event.action: (Query or GetItem)"#, false),
        (r#"event.action: (Query OR Scan)"#, true),
        (
            r#"aws.cloudtrail.user_identity.arn: (* and not (arn\:aws\:sts* or "arn:aws:iam::1:user/B, Inc."))"#,
            false,
        ),
        (r#"event.action: (* and not (Q* or "GetItem"))"#, true),
        (r#"event.action: (not Query)"#, true),
        (r#"missing.field: (not x)"#, true),
        // and / or / not with KQL's precedence (not > and > or) and parentheses
        (
            r#"event.action: Query or event.action: Scan and event.outcome: success"#,
            true,
        ),
        (
            r#"event.action: Query or event.action: Scan and event.outcome: failure"#,
            false,
        ),
        (
            r#"(event.action: Query or event.action: Scan) and event.outcome: failure"#,
            false,
        ),
        (r#"not event.action: Query and event.action: Scan"#, true),
        (r#"not (event.action: Query or event.action: Scan)"#, false),
        (r#"NOT event.outcome: failure"#, true),
        (r#"event.action: Scan AND NOT source.address: 10.*"#, false),
        // numbers: number fields compare as numbers, keyword fields as text
        (r#"source.port: 443"#, true),
        (r#"source.port: 443.0"#, true),
        (r#"source.port >= 443"#, true),
        (r#"source.port > 443"#, false),
        (r#"source.port < 1024 and source.port > 80"#, true),
        (r#"cloud.account.id: 111122223333"#, true),
        (r#"tls.version: 1.3"#, true),
        (r#"tls.version: 1.30"#, false),
        // booleans
        (r#"aws.cloudtrail.read_only: true"#, true),
        (r#"aws.cloudtrail.read_only: false"#, false),
        // dates: instants, whatever the text
        (r#"@timestamp: "2026-11-02T00:00:12Z""#, true),
        (
            r#"@timestamp >= "2026-11-02T00:00:00Z" and @timestamp < "2026-11-03T00:00:00Z""#,
            true,
        ),
        (r#"@timestamp > "2026-11-02T00:00:12.000Z""#, false),
        // keyword ranges compare bytes
        (r#"event.action > Query"#, true),
        (r#"event.action < Query"#, false),
        // IP addresses and CIDR blocks
        (r#"source.ip: 10.20.12.9"#, true),
        (r#"source.ip: "10.0.0.0/8""#, true),
        (r#"source.ip: "192.168.0.0/16""#, false),
        (r#"source.ip: "::ffff:10.20.12.9""#, true),
    ];
    let document = doc(scan());
    for (query, expected) in table {
        let kql = Kql::new(query).unwrap_or_else(|e| panic!("{query}: {e}"));
        assert_eq!(kql.matches(&document), *expected, "{query}");
    }
}

#[test]
fn refused_queries_name_where() {
    let table: &[(&str, usize, usize, &str)] = &[
        ("", 1, 1, "an empty query"),
        ("event.action: ", 1, 15, "unexpected end"),
        ("event.action: (Scan or Query", 1, 29, "expected `)`"),
        ("event.action: Scan\n  and (", 2, 8, "unexpected end"),
        ("event.action: \"Scan", 1, 15, "never closed"),
        ("Scan", 1, 1, "a value without a field"),
        ("event.action: Scan Query: x", 1, 25, "unexpected text"),
        ("user: { name: x }", 1, 7, "nested query"),
        ("event.*: Scan", 1, 1, "wildcard in a field name"),
        ("source.port: abc", 1, 1, "not a number"),
        ("source.port: 44*", 1, 1, "wildcard cannot match"),
        ("@timestamp > now-1d", 1, 1, "relative to now"),
        ("@timestamp > yesterday", 1, 1, "not an ISO 8601 time"),
        (
            "aws.cloudtrail.read_only: yes",
            1,
            1,
            "neither true nor false",
        ),
        (
            "source.ip: 10.0.0.0/33",
            1,
            1,
            "neither an address nor a CIDR block",
        ),
        ("source.ip > 10.0.0.1", 1, 1, "not supported"),
        ("event.action > Sc*", 1, 16, "cannot hold a wildcard"),
        ("event.action: \\q", 1, 16, "unknown escape"),
        ("event.action: and x", 1, 15, "unexpected `and`"),
    ];
    for (query, line, column, message) in table {
        let error: KqlError = Kql::new(query).expect_err(query);
        assert!(error.message.contains(message), "{query}: {error}");
        assert_eq!(
            (error.line, error.column),
            (*line, *column),
            "{query}: {error}"
        );
    }
}

#[test]
fn wildcards_match_in_linear_time() {
    use super::eval::glob;
    use super::syntax::Part::{Text, Wildcard};
    let t = |s: &str| Text(s.to_owned());
    let table: &[(&[super::syntax::Part], &str, bool)] = &[
        (&[t("abc")], "abc", true),
        (&[t("abc")], "abcd", false),
        (&[Wildcard], "", true),
        (&[t("a"), Wildcard], "a", true),
        (&[Wildcard, t("a")], "ba", true),
        (&[t("ab"), Wildcard, t("ba")], "aba", false),
        (&[t("ab"), Wildcard, t("ba")], "abba", true),
        (
            &[Wildcard, t("a"), Wildcard, t("b"), Wildcard],
            "xaxbx",
            true,
        ),
        (
            &[Wildcard, t("b"), Wildcard, t("a"), Wildcard],
            "xaxbx",
            false,
        ),
        (&[Wildcard, t("é"), Wildcard], "café!", true),
        // Texts with no wildcard between them are one run (an escape splits a literal).
        (&[Wildcard, t("a"), t("b"), Wildcard], "xabx", true),
        (&[Wildcard, t("a"), t("b"), Wildcard], "xaxbx", false),
    ];
    for (parts, text, expected) in table {
        assert_eq!(glob(parts, text), *expected, "{parts:?} {text}");
    }
    // Many wildcards on a long value that does not match: no backtracking blow-up.
    let mut parts = Vec::new();
    for _ in 0..20 {
        parts.extend([Wildcard, t("a")]);
    }
    parts.extend([Wildcard, t("b")]);
    let started = std::time::Instant::now();
    assert!(!glob(&parts, &"a".repeat(100_000)));
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn the_fields_a_query_reads() {
    let kql = Kql::new("a: x and (b: (y or z) or not a: w) and c > 3").expect("parses");
    assert_eq!(kql.fields(), ["a", "b", "c"]);
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    let query = format!(
        "{}event.action: Scan{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let error = Kql::new(&query).expect_err("too deep");
    assert!(error.message.contains("nested deeper"), "{error}");
}

#[test]
fn the_seed_rules_query_matches_as_the_built_in_one() {
    let query = r#"event.dataset: "aws.cloudtrail" and event.provider: "dynamodb.amazonaws.com" and event.action: "Scan" and event.outcome: "success""#;
    let kql = Kql::new(query).expect("the seed rule's query");
    let mut failed = doc(scan());
    failed.insert("event.outcome".into(), json!("failure"));
    failed.remove("event");
    assert!(kql.matches(&doc(scan())));
    assert!(!kql.matches(&failed));
}
