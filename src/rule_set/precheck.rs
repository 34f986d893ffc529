//! The set's byte-level pre-check: every rule's needles ([`RequiredText`]: the values
//! its query requires of `event.provider` and `event.action`, and the texts it requires
//! of fields a raw record holds verbatim) found in one pass over a document (the values
//! by Aho-Corasick, or past [`TOKENS_PAST`] needles by looking up the document's strings;
//! one search per text, made only while a rule that requires it is undecided), then each
//! rule decided from what was found, never rejecting a document its own
//! [`RequiredText::may_match`] passes. Searching each rule's needles apart (a memchr pass
//! per needle, 8 or more per rule) cost 25 times all the rest of the work with Elastic's
//! 49 AWS rules.

use std::ffi::{CStr, CString};

use aho_corasick::AhoCorasick;
use memchr::memmem::Finder;
use xxhash_rust::xxh3::Xxh3DefaultBuilder;

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
    /// The quoted needles by their text between the quotes, for documents without a
    /// backslash, when there are too many needles for the automaton's own prefilter
    /// ([`Tokens`], [`TOKENS_PAST`]).
    tokens: Option<Tokens>,
    /// Every distinct required text of a verbatim field, searched for only when a rule
    /// that requires it is still undecided (few rules require any, and one search each
    /// costs less than finding every overlapping occurrence of every needle).
    texts: Vec<Finder<'static>>,
    rules: Vec<RuleNeedles>,
    /// The needles and the texts as C strings, for a host that searches the text itself
    /// ([`SetPrecheck::may_match_searched`]); `None` when one holds a NUL.
    host_needles: Option<(Vec<CString>, Vec<CString>)>,
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
        let tokens = (needles.len() > TOKENS_PAST).then(|| Tokens::new(&needles));
        let c_strings = |all: &[Vec<u8>]| -> Option<Vec<CString>> {
            all.iter().map(|n| CString::new(n.clone()).ok()).collect()
        };
        let host_needles = c_strings(&needles).zip(c_strings(&texts));
        SetPrecheck {
            searcher,
            always,
            tokens,
            texts: texts.iter().map(|t| Finder::new(t).into_owned()).collect(),
            rules,
            host_needles,
        }
    }

    /// [`SetPrecheck::may_match`] for a host that searches the document's text itself, at
    /// native speed where this module is interpreted (Fluent Bit's `strstr`):
    /// `contains(needle)` says whether `needle` occurs in the text. Whether some rule may
    /// match; `None` when the set cannot reject anything (a rule with no needles). The
    /// same needles on the same bytes as the module's own search: sound wherever it is.
    /// Each needle is asked for at most once, and only while a rule is undecided.
    pub fn may_match_searched(&self, contains: &dyn Fn(&CStr) -> bool) -> Option<bool> {
        self.searcher.as_ref()?;
        let (needles, texts) = self.host_needles.as_ref()?;
        let mut asked: Vec<Option<bool>> = vec![None; needles.len()];
        let mut found = |i: usize| *asked[i].get_or_insert_with(|| contains(&needles[i]));
        if (0..needles.len()).any(|i| self.always[i] && found(i)) {
            return Some(true);
        }
        let mut texts_asked: Vec<Option<bool>> = vec![None; texts.len()];
        let mut has_text = |i: usize| *texts_asked[i].get_or_insert_with(|| contains(&texts[i]));
        let met = |group: &Vec<usize>, found: &mut dyn FnMut(usize) -> bool| {
            group.is_empty() || group.iter().any(|&i| found(i))
        };
        Some(self.rules.iter().any(|rule| {
            rule.values.iter().all(|g| met(g, &mut found))
                && rule.texts.iter().all(|g| met(g, &mut has_text))
        }))
    }

    /// For each rule, whether `doc` may hold a record it matches.
    pub fn may_match(&self, doc: &[u8]) -> MayMatch {
        let Some(searcher) = &self.searcher else {
            return vec![true; self.rules.len()];
        };
        let Some(found) = self.found(searcher, doc) else {
            return vec![true; self.rules.len()];
        };
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

    /// Which needles `doc` holds, or `None` when it holds one that keeps every rule (`\u`,
    /// an envelope).
    fn found(&self, searcher: &AhoCorasick, doc: &[u8]) -> Option<Vec<bool>> {
        let tokens = self
            .tokens
            .as_ref()
            .filter(|_| memchr::memchr(b'\\', doc).is_none());
        self.found_by(searcher, tokens, doc)
    }

    /// [`SetPrecheck::found`] by the strings' lookup when `tokens` is given, otherwise by
    /// the automaton.
    fn found_by(
        &self,
        searcher: &AhoCorasick,
        tokens: Option<&Tokens>,
        doc: &[u8],
    ) -> Option<Vec<bool>> {
        let mut found = vec![false; self.always.len()];
        let mut mark = |i: usize| {
            found[i] = true;
            !self.always[i]
        };
        let complete = match tokens {
            Some(tokens) => tokens.each(doc, &mut mark),
            None => searcher
                .find_iter(doc)
                .all(|m| mark(m.pattern().as_usize())),
        };
        complete.then_some(found)
    }
}

/// Up to this many needles, the automaton's search is the faster: Aho-Corasick's SIMD
/// prefilter (Teddy) takes up to 64 patterns and skips ahead to the few places one may
/// start. Past it, no prefilter helps needles that all start with a quote and the
/// automaton steps through every byte. Measured on 200,000 typical records, three
/// interleaved rounds: the strings' lookup took one rule file from 0.097 to 0.238 s and
/// 6 rules from 0.361 to 0.486 s, and all 49 of Elastic's AWS rules (129 needles) from
/// 1.077 to 0.871 s.
const TOKENS_PAST: usize = 64;

/// The needles that are quoted JSON strings, found by the strings of a document that holds
/// no backslash: its quotes then alternate, opening and closing its strings, and a needle
/// (`"` + letters, digits, `.`, `-`, `_` + `"`, see [`whole_token`]) can only occur as one
/// whole string, since whatever stands between two strings holds a `:` or a `,` (or is
/// not JSON, and cannot be matched anyway). So each string is looked up by its text: two
/// `memchr` passes' worth of work and a table lookup per string of a plausible length and
/// first byte, against an automaton stepping through every byte. The other needles
/// (`awslogs`, unquoted) are searched for as they are.
#[derive(Debug, Clone)]
struct Tokens {
    /// Quoted needle text (without its quotes) to its index.
    /// (XXH3: SipHash, the standard map's, took 7% of the 49 rules' instructions.)
    by_text: std::collections::HashMap<Vec<u8>, usize, Xxh3DefaultBuilder>,
    /// Whether some quoted needle's text has this length (up to 255) and first byte.
    lengths: [bool; 256],
    firsts: [bool; 256],
    /// The needles that are not quoted strings, with their indexes.
    bare: Vec<(Finder<'static>, usize)>,
}

impl Tokens {
    fn new(needles: &[Vec<u8>]) -> Self {
        let mut tokens = Tokens {
            by_text: std::collections::HashMap::default(),
            lengths: [false; 256],
            firsts: [false; 256],
            bare: Vec::new(),
        };
        for (i, needle) in needles.iter().enumerate() {
            let quoted = needle
                .strip_prefix(b"\"")
                .and_then(|n| n.strip_suffix(b"\""))
                .filter(|text| {
                    !text.is_empty()
                        && text.len() < 256
                        && !text.contains(&b'"')
                        && !text.contains(&b'\\')
                });
            match quoted {
                Some(text) => {
                    tokens.lengths[text.len()] = true;
                    tokens.firsts[usize::from(text[0])] = true;
                    tokens.by_text.entry(text.to_vec()).or_insert(i);
                }
                // A needle with a backslash (`\\u`) cannot occur in the documents
                // searched this way.
                None if needle.contains(&b'\\') => {}
                None => tokens.bare.push((Finder::new(needle).into_owned(), i)),
            }
        }
        tokens
    }

    /// Call `mark` with the index of each needle `doc` (which holds no backslash) holds,
    /// as long as it returns `true`; whether every call did.
    fn each(&self, doc: &[u8], mark: &mut dyn FnMut(usize) -> bool) -> bool {
        for (finder, i) in &self.bare {
            if finder.find(doc).is_some() && !mark(*i) {
                return false;
            }
        }
        let mut quotes = memchr::memchr_iter(b'"', doc);
        while let (Some(open), Some(close)) = (quotes.next(), quotes.next()) {
            let text = &doc[open + 1..close];
            let plausible = text.first().is_some_and(|&b| self.firsts[usize::from(b)])
                && self.lengths.get(text.len()) == Some(&true);
            if plausible {
                if let Some(&i) = self.by_text.get(text) {
                    if !mark(i) {
                        return false;
                    }
                }
            }
        }
        true
    }
}

/// The rules by the `event.provider` values their queries require: a raw record is
/// offered only to the rules that may select its `eventSource`.
#[derive(Debug, Clone)]
pub struct ProviderIndex {
    /// (XXH3, unseeded: the core reads no randomness, which std's map would.)
    by_provider: std::collections::HashMap<String, Vec<usize>, Xxh3DefaultBuilder>,
    /// Rules whose queries require no provider.
    any_provider: Vec<usize>,
    rules: usize,
}

impl ProviderIndex {
    pub fn new(required: &[RequiredText]) -> Self {
        let mut by_provider: std::collections::HashMap<String, Vec<usize>, Xxh3DefaultBuilder> =
            std::collections::HashMap::default();
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

    /// Every rule of Elastic's that tests/data/third-party holds (49 AWS New Terms rules).
    fn elastic_rules() -> Vec<RequiredText> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/third-party");
        let mut out = Vec::new();
        for dir in [
            "elastic-detection-rules",
            "elastic-detection-rules-aws-new-terms",
        ] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .expect("rules")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(&path).expect("rule");
                let rule =
                    crate::config::rule_file::parse_rule_file(&path.display().to_string(), &text)
                        .expect("Elastic's rule loads");
                out.push(RequiredText::of(&rule.query));
            }
        }
        out
    }

    #[test]
    fn strings_looked_up_find_what_the_automaton_finds() {
        let rules = elastic_rules();
        assert_eq!(rules.len(), 49);
        let set = SetPrecheck::new(&rules);
        assert!(
            set.tokens.is_some(),
            "49 rules' needles are looked up by string"
        );
        let searcher = set.searcher.as_ref().expect("every rule has a pre-check");
        let family = include_str!("../../tests/fixtures/aws-family.ndjson");
        let mut docs: Vec<String> = family.lines().map(str::to_owned).collect();
        docs.extend(
            [
                r#"{"eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity"}"#,
                r#"{"eventSource" : "sts.amazonaws.com" , "eventName" : "GetCallerIdentity"}"#,
                r#"["sts.amazonaws.com","GetCallerIdentity"]"#,
                r#"{"a":"xsts.amazonaws.com","b":"GetCallerIdentityx"}"#,
                r#"{"a":"sts.amazonaws.com"#,
                r#"{"Records":[]}"#,
                r#"{"x":{"awslogs":1}}"#,
                r#"{"x":"awslogs inside"}"#,
                r#"{"x":"not \u0061 plain","eventName":"GetCallerIdentity"}"#,
                "not json sts.amazonaws.com GetCallerIdentity",
                "\"",
                "",
            ]
            .map(str::to_owned),
        );
        let mut kept = 0;
        for doc in &docs {
            let ac = set.found_by(searcher, None, doc.as_bytes());
            let by_strings = set.found(searcher, doc.as_bytes());
            // The strings' lookup finds every occurrence; the automaton's leftmost search
            // may pass one over inside another, never the other way round.
            match (&ac, &by_strings) {
                (None, None) => {}
                (Some(a), Some(b)) => assert!(a.iter().zip(b).all(|(x, y)| !x || *y), "{doc}"),
                (Some(_), None) => {}
                (None, Some(_)) => panic!("an envelope or escape went unseen: {doc}"),
            }
            kept += usize::from(set.may_match(doc.as_bytes()).contains(&true));
        }
        assert!(kept > 10 && kept < docs.len(), "{kept} of {}", docs.len());
    }

    /// The host's search (plain substrings, as `strstr` finds them) rejects exactly the
    /// documents the module's own search rejects, for 6 and for 49 of Elastic's rules, on
    /// the two weeks and on every third-party file's lines; each needle is asked once.
    #[test]
    fn the_hosts_search_decides_as_the_modules_does() {
        let all = elastic_rules();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut docs: Vec<Vec<u8>> = include_str!("../../tests/fixtures/aws-family.ndjson")
            .lines()
            .map(|l| l.as_bytes().to_vec())
            .collect();
        for dir in [
            "tests/fixtures/shapes",
            "tests/data/third-party/flosell-trailscraper",
        ] {
            for entry in std::fs::read_dir(root.join(dir))
                .into_iter()
                .flatten()
                .flatten()
            {
                let bytes = std::fs::read(entry.path()).unwrap_or_default();
                docs.extend(bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec));
            }
        }
        docs.push(br#"{"x":"not \u0061 plain","eventName":"GetCallerIdentity"}"#.to_vec());
        docs.push(br#"{"Records":[]}"#.to_vec());
        for rules in [&all[..6], &all[..]] {
            let set = SetPrecheck::new(rules);
            let (mut kept, mut rejected) = (0, 0);
            for doc in &docs {
                let asked = std::cell::RefCell::new(Vec::<Vec<u8>>::new());
                let contains = |needle: &CStr| {
                    let needle = needle.to_bytes();
                    asked.borrow_mut().push(needle.to_vec());
                    memchr::memmem::find(doc, needle).is_some()
                };
                let searched = set.may_match_searched(&contains);
                let own = set.may_match(doc).contains(&true);
                assert_eq!(searched, Some(own), "{}", String::from_utf8_lossy(doc));
                let mut once = asked.borrow().clone();
                once.sort();
                once.dedup();
                assert_eq!(once.len(), asked.borrow().len(), "each needle asked once");
                if own {
                    kept += 1;
                } else {
                    rejected += 1;
                }
            }
            assert!(kept > 0 && rejected > 0, "{kept} kept, {rejected} rejected");
        }
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
