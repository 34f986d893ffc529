//! What a query requires of every document it matches, for a byte-level pre-check
//! derived from the query (issue 18, item 4): for some fields, the document must hold
//! one of a few keyword values (`event.provider: "s3.amazonaws.com"`,
//! `event.action: (PutBucketPolicy or DeleteBucketPolicy)`). A document whose text holds
//! none of a required field's values, literally, cannot match, unless JSON spells a
//! letter as an escape (`\u`) or the document carries records inside an envelope.
//!
//! The derivation is sound by construction: a field is required only through `and` (any
//! child that requires it suffices) and `or` (every child must require it; the values
//! join); `not`, ranges and fields outside the lists below require nothing.
//!
//! Besides the whole values of `event.provider` and `event.action`, a query can require
//! text of the fields in [`VERBATIM_FIELDS`], whose values a raw record holds as they are
//! (and an ECS document as its own): a keyword value or a wildcard's literal text
//! (`*S3 Browser*`, `AKIA*`, `*role/*BedrockAgentCore*`) must occur in a matching
//! document's text. Only its longest piece between characters JSON may also write as an
//! escape (`"`, `\`, `/`, control characters) is required, and only when it is at least
//! [`MIN_FRAGMENT`] bytes long; a `\u` escape sends the document to the full path anyway.

use super::compile::{Compiled, Test};
use super::glob::Glob;
use super::Kql;

/// The raw CloudTrail fields that ECS's `event.provider` and `event.action` come from,
/// whose values a raw record holds as they are.
pub const RAW_FIELDS: [(&str, &str); 2] = [
    ("event.provider", "eventSource"),
    ("event.action", "eventName"),
];

/// ECS fields whose value, when a raw CloudTrail record is mapped, is one raw field's
/// value unchanged (`userAgent`, `userIdentity.*`, `sessionContext.sessionIssuer.*`,
/// `sourceIPAddress`, …), so a matching record's text holds it. (`source.ip` is not: the
/// address is rewritten in its canonical form.)
pub const VERBATIM_FIELDS: [&str; 16] = [
    "user_agent.original",
    "source.address",
    "cloud.account.id",
    "cloud.region",
    "user.name",
    "user.id",
    "event.id",
    "aws.cloudtrail.recipient_account_id",
    "aws.cloudtrail.user_identity.type",
    "aws.cloudtrail.user_identity.arn",
    "aws.cloudtrail.user_identity.access_key_id",
    "aws.cloudtrail.user_identity.invoked_by",
    "aws.cloudtrail.user_identity.session_context.session_issuer.type",
    "aws.cloudtrail.user_identity.session_context.session_issuer.principal_id",
    "aws.cloudtrail.user_identity.session_context.session_issuer.arn",
    "aws.cloudtrail.user_identity.session_context.session_issuer.account_id",
];

/// The shortest text of a verbatim field a pre-check searches for: shorter pieces would
/// occur in nearly every record and only slow the search down.
pub const MIN_FRAGMENT: usize = 4;

/// Keys of the envelopes whose records are read apart (and may spell a value another
/// way): a document holding one is never rejected by its text.
pub const ENVELOPES: [&[u8]; 6] = [
    b"\"Records\"",
    b"\"logEvents\"",
    b"awslogs",
    b"\"detail\"",
    b"\"_source\"",
    b"\"hits\"",
];

/// The keyword values a document must hold at `field` for `query` to match it, if the
/// query requires any (sorted, each once).
fn required(query: &Compiled, field: &str) -> Option<Vec<String>> {
    match query {
        Compiled::Test {
            field: f,
            test: Test::Keyword(value),
        } if f == field => Some(vec![value.clone()]),
        Compiled::Test { .. } | Compiled::Not(_) => None,
        Compiled::And(items) => items
            .iter()
            .filter_map(|q| required(q, field))
            .min_by_key(Vec::len),
        Compiled::Or(items) => {
            let mut all = Vec::new();
            for item in items {
                all.extend(required(item, field)?);
            }
            all.sort();
            all.dedup();
            Some(all)
        }
    }
}

/// Texts one of which a document matching `query` holds in `field`'s value (a field of
/// [`VERBATIM_FIELDS`]), if the query requires any: as [`required`], with each keyword
/// value or wildcard pattern giving its longest piece ([`piece`]).
fn required_fragments(query: &Compiled, field: &str) -> Option<Vec<String>> {
    match query {
        Compiled::Test { field: f, test } if f == field => match test {
            Test::Keyword(value) => piece(value).map(|p| vec![p.to_owned()]),
            Test::Glob(pattern) => glob_piece(pattern).map(|p| vec![p]),
            _ => None,
        },
        Compiled::Test { .. } | Compiled::Not(_) => None,
        Compiled::And(items) => items
            .iter()
            .filter_map(|q| required_fragments(q, field))
            .min_by_key(Vec::len),
        Compiled::Or(items) => {
            let mut all = Vec::new();
            for item in items {
                all.extend(required_fragments(item, field)?);
            }
            all.sort();
            all.dedup();
            Some(all)
        }
    }
}

/// The longest run of `text` between characters that JSON may also write as an escape
/// other than `\u` (`"`, `\`, `/`, control characters), if it is at least
/// [`MIN_FRAGMENT`] bytes long: a document holding `text` in a string holds this run as
/// it is, unless it spells a character with `\u`.
fn piece(text: &str) -> Option<&str> {
    text.split(|c: char| matches!(c, '"' | '\\' | '/') || c.is_control())
        .max_by_key(|run| run.len())
        .filter(|run| run.len() >= MIN_FRAGMENT)
}

/// The longest [`piece`] of a wildcard pattern's literal texts.
fn glob_piece(pattern: &Glob) -> Option<String> {
    pattern
        .literal_runs()
        .iter()
        .filter_map(|run| piece(run))
        .max_by_key(|p| p.len())
        .map(str::to_owned)
}

/// The needles of a rule's pre-check: for each field the query constrains (of
/// [`RAW_FIELDS`]), the values one of which must occur in a matching document's text;
/// for each field of [`VERBATIM_FIELDS`] it constrains, texts one of which must occur in
/// it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequiredText {
    pub groups: Vec<(String, Vec<String>)>,
    /// Per field, pieces of its required values (see the module's documentation): a
    /// matching document's text holds one of them, anywhere.
    pub fragments: Vec<(String, Vec<String>)>,
}

impl RequiredText {
    /// The needles of `kql`; empty when the query constrains none of the fields (the
    /// rule then takes the full path for every document).
    pub fn of(kql: &Kql) -> Self {
        let groups = RAW_FIELDS
            .iter()
            .filter_map(|(field, _)| {
                required(&kql.compiled, field).map(|values| ((*field).to_owned(), values))
            })
            .collect();
        let fragments = VERBATIM_FIELDS
            .iter()
            .filter_map(|field| {
                required_fragments(&kql.compiled, field).map(|texts| ((*field).to_owned(), texts))
            })
            .collect();
        RequiredText { groups, fragments }
    }

    /// Whether the query requires nothing of a document's text.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.fragments.is_empty()
    }

    /// The values required at `field`, if the query requires any.
    pub fn values(&self, field: &str) -> Option<&[String]> {
        self.groups
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, values)| values.as_slice())
    }

    /// Whether a document's text may match: every group has a value in it, or the text
    /// holds an escape that could spell one, or an envelope whose records are read
    /// apart (the same conditions the built-in pre-check keeps).
    pub fn may_match(&self, text: &[u8]) -> bool {
        if self.is_empty() || memchr::memmem::find(text, b"\\u").is_some() {
            return true;
        }
        if ENVELOPES
            .iter()
            .any(|key| memchr::memmem::find(text, key).is_some())
        {
            return true;
        }
        self.groups
            .iter()
            .chain(&self.fragments)
            .all(|(_, values)| {
                values
                    .iter()
                    .any(|v| memchr::memmem::find(text, v.as_bytes()).is_some())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per field, the texts one of which a document must hold.
    type Groups = Vec<(String, Vec<String>)>;

    fn fragments(query: &str) -> Groups {
        RequiredText::of(&Kql::new(query).expect("query")).fragments
    }

    fn one(field: &str, texts: &[&str]) -> Groups {
        vec![(
            field.to_owned(),
            texts.iter().map(|t| (*t).to_owned()).collect(),
        )]
    }

    #[test]
    fn verbatim_fields_require_their_longest_unescaped_piece() {
        let ua = "user_agent.original";
        let issuer = "aws.cloudtrail.user_identity.session_context.session_issuer.arn";
        let cases: Vec<(&str, Groups)> = vec![
            (
                "user_agent.original: *S3 Browser*",
                one(ua, &["S3 Browser"]),
            ),
            (
                "user_agent.original: (*S3 Browser* or *Cyberduck*) and event.outcome: success",
                one(ua, &["Cyberduck", "S3 Browser"]),
            ),
            ("user_agent.original: *Cyber*duck*", one(ua, &["Cyber"])),
            ("user_agent.original: aws-cli/2.15", one(ua, &["aws-cli"])),
            (
                r#"aws.cloudtrail.user_identity.session_context.session_issuer.arn: (*role/AgentCore-* or *role/*BedrockAgentCore*)"#,
                one(issuer, &["AgentCore-", "BedrockAgentCore"]),
            ),
            (
                r#"user.name: "ab\"cdefg\"hi""#,
                one("user.name", &["cdefg"]),
            ),
            (
                "aws.cloudtrail.user_identity.access_key_id: AKIA*",
                one("aws.cloudtrail.user_identity.access_key_id", &["AKIA"]),
            ),
            // An `and` needs one child's requirement; the fewest texts win.
            (
                "user.name: (alice-1 or bob-22) and user.name: carol-3",
                one("user.name", &["carol-3"]),
            ),
            // Nothing is required through `not`, an `or` with a free branch, a piece
            // shorter than MIN_FRAGMENT, existence, or a field whose value the mapping
            // rewrites (`source.ip`) or that is not in the list.
            ("not user_agent.original: *Cyberduck*", vec![]),
            (
                "user_agent.original: *Cyberduck* or event.action: Scan",
                vec![],
            ),
            ("user_agent.original: *S3*", vec![]),
            ("user_agent.original: (*S3* or *Cyberduck*)", vec![]),
            ("user.name: *", vec![]),
            ("source.ip: 10.0.0.1", vec![]),
            ("aws.cloudtrail.request_parameters: *bucket-name*", vec![]),
            ("user.name: a/b/c/d", vec![]),
        ];
        for (query, want) in cases {
            assert_eq!(fragments(query), want, "{query}");
        }
    }

    #[test]
    fn a_document_without_the_required_text_cannot_match() {
        let required = RequiredText::of(
            &Kql::new("user_agent.original: (*S3 Browser* or *Cyberduck*)").expect("query"),
        );
        for (doc, may) in [
            (r#"{"userAgent":"[S3 Browser 9.5.5]"}"#, true),
            (r#"{"userAgent":"Cyberduck/8.7"}"#, true),
            (r#"{"userAgent":"aws-cli/2"}"#, false),
            // An escape could spell the text, an envelope holds records read apart.
            (r#"{"userAgent":"\u0043yberduck"}"#, true),
            (r#"{"Records":[]}"#, true),
        ] {
            assert_eq!(required.may_match(doc.as_bytes()), may, "{doc}");
        }
    }
}
