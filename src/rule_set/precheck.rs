//! The set's byte-level pre-check: every rule's needles ([`RequiredText`]: the values
//! its query requires of `event.provider` and `event.action`, and the texts it requires
//! of fields a raw record holds verbatim) found in one pass over a document
//! (Aho-Corasick for the values; one search per text, made only while a rule that
//! requires it is undecided), then each rule decided from what was found, with exactly
//! the answer of its own [`RequiredText::may_match`]. Searching each rule's needles
//! apart (a memchr pass per needle, 8 or more per rule) cost 25 times all the rest of
//! the work with Elastic's 49 AWS rules.

use aho_corasick::AhoCorasick;
use memchr::memmem::Finder;

use crate::rule::kql::{RequiredText, ENVELOPES};
use crate::rule::query::RawKey;

/// The rules that may match a document, as flags in rule order.
pub type MayMatch = Vec<bool>;

#[derive(Debug, Clone)]
pub struct SetPrecheck {
    /// Every distinct whole-value needle: the rules' values as JSON strings (quoted),
    /// `\u` and the envelope keys.
    searcher: Option<AhoCorasick>,
    /// Per needle: a find means "may match" for every rule (`\u`, an envelope).
    always: Vec<bool>,
    /// Every distinct required text of a verbatim field, searched for only when a rule
    /// that requires it is still undecided (few rules require any, and one search each
    /// costs less than finding every overlapping occurrence of every needle).
    texts: Vec<Finder<'static>>,
    rules: Vec<RuleNeedles>,
}

/// One rule's needles, as indexes: every group must be met by one of its needles; a
/// group with no index is met by any document, and a rule with no groups may match any
/// document.
#[derive(Debug, Clone)]
struct RuleNeedles {
    values: Vec<Vec<usize>>,
    texts: Vec<Vec<usize>>,
}

/// Whether `value`, written as a JSON string (`"value"`), is how every document that
/// holds it holds it, and can only occur in a document's text as one whole string token:
/// it is not a number or a literal (held unquoted); its characters are ones no JSON escape other than
/// `\u` spells and that never stand next to a token's quote outside a string (so a match
/// of it starts at a token's opening quote and ends at its closing one); and it does not
/// hold an envelope key.
fn whole_token(value: &str) -> bool {
    // A keyword query matches a number or a boolean by its text (`event.action: 1`
    // selects `"eventName": 1`), which the document holds unquoted.
    let literal = matches!(value, "true" | "false" | "null")
        || serde_json::from_str::<serde_json::Number>(value).is_ok();
    !literal
        && !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        && !ENVELOPES.iter().any(|e| {
            let key = e.strip_prefix(b"\"").unwrap_or(e);
            let key = key.strip_suffix(b"\"").unwrap_or(key);
            value.as_bytes().windows(key.len()).any(|w| w == key)
        })
}

impl SetPrecheck {
    pub fn new(required: &[RequiredText]) -> Self {
        let mut needles: Vec<Vec<u8>> = Vec::new();
        let mut always: Vec<bool> = Vec::new();
        let mut index =
            |needle: Vec<u8>, is_always: bool| match needles.iter().position(|n| *n == needle) {
                Some(i) => {
                    always[i] |= is_always;
                    i
                }
                None => {
                    needles.push(needle);
                    always.push(is_always);
                    needles.len() - 1
                }
            };
        let mut texts: Vec<Vec<u8>> = Vec::new();
        let rules = required
            .iter()
            .map(|r| RuleNeedles {
                values: r
                    .groups
                    .iter()
                    .map(|(_, values)| {
                        if values.iter().all(|v| whole_token(v)) {
                            values
                                .iter()
                                .map(|v| index(format!("\"{v}\"").into_bytes(), false))
                                .collect()
                        } else {
                            Vec::new()
                        }
                    })
                    .collect(),
                texts: r
                    .fragments
                    .iter()
                    .map(|(_, group)| {
                        group
                            .iter()
                            .map(|t| match texts.iter().position(|n| n == t.as_bytes()) {
                                Some(i) => i,
                                None => {
                                    texts.push(t.as_bytes().to_vec());
                                    texts.len() - 1
                                }
                            })
                            .collect()
                    })
                    .collect(),
            })
            .collect();
        index(b"\\u".to_vec(), true);
        for envelope in ENVELOPES {
            index(envelope.to_vec(), true);
        }
        // A rule with no needles may match any document: then the search cannot reject
        // anything, and is not made. Short literal needles always build; should they
        // not, every rule is kept.
        let ungated = required.iter().any(RequiredText::is_empty);
        let searcher = (!ungated)
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .build(&needles)
                    .ok()
            })
            .flatten();
        SetPrecheck {
            searcher,
            always,
            texts: texts.iter().map(|t| Finder::new(t).into_owned()).collect(),
            rules,
        }
    }

    /// For each rule, whether `doc` may hold a record it matches.
    pub fn may_match(&self, doc: &[u8]) -> MayMatch {
        let Some(searcher) = &self.searcher else {
            return vec![true; self.rules.len()];
        };
        let mut found = vec![false; self.always.len()];
        for m in searcher.find_iter(doc) {
            let i = m.pattern().as_usize();
            if self.always[i] {
                return vec![true; self.rules.len()];
            }
            found[i] = true;
        }
        let mut text_found: Vec<Option<bool>> = vec![None; self.texts.len()];
        let mut has_text =
            |i: usize| *text_found[i].get_or_insert_with(|| self.texts[i].find(doc).is_some());
        let met = |group: &Vec<usize>, found: &mut dyn FnMut(usize) -> bool| {
            group.is_empty() || group.iter().any(|&i| found(i))
        };
        self.rules
            .iter()
            .map(|rule| {
                rule.values.iter().all(|g| met(g, &mut |i| found[i]))
                    && rule.texts.iter().all(|g| met(g, &mut has_text))
            })
            .collect()
    }
}

/// The rules by the `event.provider` values their queries require: a raw record is
/// offered only to the rules that may select its `eventSource`.
#[derive(Debug, Clone)]
pub struct ProviderIndex {
    by_provider: std::collections::HashMap<String, Vec<usize>>,
    /// Rules whose queries require no provider.
    any_provider: Vec<usize>,
    rules: usize,
}

impl ProviderIndex {
    pub fn new(required: &[RequiredText]) -> Self {
        let mut by_provider: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        let mut any_provider = Vec::new();
        for (i, r) in required.iter().enumerate() {
            match r.values("event.provider") {
                Some(providers) => {
                    for p in providers {
                        by_provider.entry(p.clone()).or_default().push(i);
                    }
                }
                None => any_provider.push(i),
            }
        }
        ProviderIndex {
            by_provider,
            any_provider,
            rules: required.len(),
        }
    }

    /// Clear from `candidates` (one flag per rule) the rules that cannot select a raw
    /// record whose `eventSource` is `provider`.
    pub fn keep(&self, provider: &RawKey<'_>, candidates: &mut [bool]) {
        let mut admitted = vec![false; self.rules];
        let with_provider: &[usize] = match provider {
            // Not a plain string: the document decides, for every rule.
            RawKey::Other => return,
            RawKey::Absent => &[],
            RawKey::Text(p) => self.by_provider.get(p.as_ref()).map_or(&[], Vec::as_slice),
        };
        for &i in self.any_provider.iter().chain(with_provider) {
            admitted[i] = true;
        }
        for (c, a) in candidates.iter_mut().zip(admitted) {
            *c &= a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::kql::Kql;

    fn required(query: &str) -> RequiredText {
        RequiredText::of(&Kql::new(query).expect("query"))
    }

    #[test]
    fn values_and_texts_decide_each_rule() {
        let rules = [
            required("event.provider: s3.amazonaws.com and event.action: GetObject"),
            required("user_agent.original: *BedrockAgentCore*"),
            required("user_agent.original: *AgentCore-x* and user.name: AgentCore*"),
            required("event.action: GetObject and user_agent.original: *Cyberduck*"),
        ];
        let set = SetPrecheck::new(&rules);
        for (doc, want) in [
            (
                r#"{"eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#,
                [true, false, false, false],
            ),
            // Texts that overlap each other and a value's occurrence are all found.
            (
                r#"{"eventName":"GetObject","userAgent":"BedrockAgentCore-x","userName":"AgentCore1"}"#,
                [false, true, true, false],
            ),
            (
                r#"{"eventName":"GetObject","userAgent":"Cyberduck"}"#,
                [false, false, false, true],
            ),
            (r#"{"userAgent":"Cyberduck"}"#, [false, false, false, false]),
            (r#"{"a":"\u0041"}"#, [true, true, true, true]),
            (r#"{"detail":{}}"#, [true, true, true, true]),
        ] {
            assert_eq!(set.may_match(doc.as_bytes()), want, "{doc}");
            // The set never rejects what a rule's own pre-check passes.
            for (rule, may) in rules.iter().zip(want) {
                assert!(may || !rule.may_match(doc.as_bytes()), "{doc}");
            }
        }
        // A rule that requires nothing leaves every document to the full path.
        let free = SetPrecheck::new(&[rules[0].clone(), required("user.name: *")]);
        assert_eq!(free.may_match(b"{}"), [true, true]);
    }
}
