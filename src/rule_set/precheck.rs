//! The set's byte-level pre-check: every rule's needles ([`RequiredText`]: the values
//! its query requires of `event.provider` and `event.action`) found in one pass over a
//! document (Aho-Corasick), then each rule decided from what was found, with exactly
//! the answer of its own [`RequiredText::may_match`]. Searching each rule's needles
//! apart (a memchr pass per needle, 8 or more per rule) cost 25 times all the rest of
//! the work with Elastic's 49 AWS rules.

use aho_corasick::AhoCorasick;

use crate::rule::kql::{RequiredText, ENVELOPES};
use crate::rule::query::RawKey;

/// The rules that may match a document, as flags in rule order.
pub type MayMatch = Vec<bool>;

#[derive(Debug, Clone)]
pub struct SetPrecheck {
    /// Every distinct needle: the rules' values as JSON strings (quoted), `\u` and the
    /// envelope keys.
    searcher: Option<AhoCorasick>,
    /// Per needle: a find means "may match" for every rule (`\u`, an envelope).
    always: Vec<bool>,
    /// Per rule, its groups as needle indexes; a group with no index is met by any
    /// document, and a rule with no groups may match any document.
    rules: Vec<Vec<Vec<usize>>>,
}

/// Whether `value`, written as a JSON string (`"value"`), is how every document that
/// holds it holds it, and can only occur in a document's text as one whole string token:
/// it is not a number or a literal (held unquoted); its characters are ones no JSON escape other than
/// `\u` spells and that never stand next to a token's quote outside a string (so a
/// leftmost match of it starts at a token's opening quote and ends at its closing one,
/// and no two such matches overlap); and it does not hold an envelope key.
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
        let rules = required
            .iter()
            .map(|r| {
                r.groups
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
                    .collect()
            })
            .collect();
        index(b"\\u".to_vec(), true);
        for envelope in ENVELOPES {
            index(envelope.to_vec(), true);
        }
        // A rule with no needles may match any document: then the search cannot reject
        // anything, and is not made. Short literal needles always build; should they
        // not, every rule is kept.
        let ungated = required.iter().any(|r| r.groups.is_empty());
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
        self.rules
            .iter()
            .map(|groups| {
                groups
                    .iter()
                    .all(|group| group.is_empty() || group.iter().any(|&i| found[i]))
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
