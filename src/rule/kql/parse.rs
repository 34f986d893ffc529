//! KQL text to a syntax tree, following the structure of Kibana's KQL grammar:
//!
//! ```text
//! query       = or
//! or          = and ("or" and)*
//! and         = not ("and" not)*
//! not         = "not" sub | sub
//! sub         = "(" or ")" | field ":" "{" or "}" | field range-op literal
//!             | field ":" values | value               (a value without a field)
//! values      = "(" or-values ")" | value
//! or-values   = and-values ("or" and-values)*, and so on down to "not" values
//! ```
//!
//! Keywords (`or`, `and`, `not`) are case-insensitive and stand apart by whitespace (or
//! a parenthesis). An unquoted literal runs until a special character (`\():<>"*{}`),
//! a keyword or the end, and may hold spaces (`aws-cli/2 Python`); `*` in it is a
//! wildcard; a backslash escapes a special character, a keyword (`\and`), whitespace
//! (`\t`, `\n`, `\r`) or a code point (`\u00e9`). A quoted string is exact: `*` in it
//! is a star; `\"` and `\\` escape. Every error names its line and column.

use super::syntax::{Literal, Part, Query, RangeOp, Value, Values};
use super::KqlError;

/// Deepest nesting of parentheses accepted (a deeper query is refused, never a stack
/// overflow).
const MAX_DEPTH: usize = 64;

/// Parse KQL `text` into its syntax tree.
pub fn parse(text: &str) -> Result<Query, KqlError> {
    let mut parser = Parser {
        text,
        at: 0,
        depth: 0,
    };
    parser.skip_space();
    if parser.at == text.len() {
        return Err(parser.error("an empty query"));
    }
    let query = parser.or()?;
    parser.skip_space();
    if parser.at < text.len() {
        return Err(parser.error("unexpected text; expected `and`, `or` or the end"));
    }
    Ok(query)
}

/// A keyword of KQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Or,
    And,
    Not,
}

impl Keyword {
    fn text(self) -> &'static str {
        match self {
            Keyword::Or => "or",
            Keyword::And => "and",
            Keyword::Not => "not",
        }
    }
}

const SPECIAL: &[char] = &['\\', '(', ')', ':', '<', '>', '"', '*', '{', '}'];

struct Parser<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    at: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        Some(c)
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// The error at the current position.
    fn error(&self, message: impl Into<String>) -> KqlError {
        KqlError::at(self.text, self.at, message)
    }

    /// `keyword` at the current position, standing apart (followed by whitespace or a
    /// parenthesis, or by the end for nothing but the caller's check).
    fn keyword_here(&self, keyword: Keyword) -> bool {
        let word = keyword.text();
        let rest = self.rest();
        rest.len() >= word.len()
            && rest.is_char_boundary(word.len())
            && rest[..word.len()].eq_ignore_ascii_case(word)
            && rest[word.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_whitespace() || c == '(' || c == '"')
    }

    /// After whitespace: `keyword` next (consumed with the whitespace after it).
    fn eat_keyword(&mut self, keyword: Keyword) -> bool {
        let start = self.at;
        self.skip_space();
        if self.at > start && self.keyword_here(keyword) {
            self.at += keyword.text().len();
            self.skip_space();
            true
        } else {
            self.at = start;
            false
        }
    }

    fn enter(&mut self) -> Result<(), KqlError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Query, KqlError> {
        let mut items = vec![self.and()?];
        while self.eat_keyword(Keyword::Or) {
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Query::Or(items)
        })
    }

    fn and(&mut self) -> Result<Query, KqlError> {
        let mut items = vec![self.not()?];
        while self.eat_keyword(Keyword::And) {
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Query::And(items)
        })
    }

    fn not(&mut self) -> Result<Query, KqlError> {
        self.skip_space();
        if self.keyword_here(Keyword::Not) {
            self.at += Keyword::Not.text().len();
            self.skip_space();
            return Ok(Query::Not(Box::new(self.sub()?)));
        }
        self.sub()
    }

    fn sub(&mut self) -> Result<Query, KqlError> {
        self.skip_space();
        let start = self.at;
        if self.eat('(') {
            self.enter()?;
            let inner = self.or()?;
            self.skip_space();
            if !self.eat(')') {
                return Err(self.error("expected `)` to close the `(` opened before"));
            }
            self.depth -= 1;
            return Ok(inner);
        }
        let field = self.literal()?;
        self.skip_space();
        if self.eat(':') {
            self.skip_space();
            if self.peek() == Some('{') {
                return Err(KqlError::at(
                    self.text,
                    self.at,
                    "a nested query (`field: { … }`) is not supported: ECS CloudTrail has no nested fields",
                ));
            }
            let field = field_name(self.text, start, field)?;
            let values = self.values()?;
            return Ok(Query::Field { field, values });
        }
        if let Some(op) = self.range_op() {
            self.skip_space();
            let field = field_name(self.text, start, field)?;
            let value_at = self.at;
            let value = self.literal()?;
            let value = match value {
                Literal::Quoted(s) => s,
                Literal::Unquoted(parts) => match plain(&parts) {
                    Some(text) => text,
                    None => {
                        return Err(KqlError::at(
                            self.text,
                            value_at,
                            "a range value cannot hold a wildcard",
                        ))
                    }
                },
            };
            return Ok(Query::Range { field, op, value });
        }
        Err(KqlError::at(
            self.text,
            start,
            "a value without a field (KQL's search of the default fields) is not supported: name the field, as in `event.action: Scan`",
        ))
    }

    fn range_op(&mut self) -> Option<RangeOp> {
        let op = if self.rest().starts_with("<=") {
            RangeOp::Lte
        } else if self.rest().starts_with(">=") {
            RangeOp::Gte
        } else if self.rest().starts_with('<') {
            RangeOp::Lt
        } else if self.rest().starts_with('>') {
            RangeOp::Gt
        } else {
            return None;
        };
        self.at += if matches!(op, RangeOp::Lte | RangeOp::Gte) {
            2
        } else {
            1
        };
        Some(op)
    }

    fn values(&mut self) -> Result<Values, KqlError> {
        self.skip_space();
        if self.eat('(') {
            self.enter()?;
            let inner = self.or_values()?;
            self.skip_space();
            if !self.eat(')') {
                return Err(self.error("expected `)` to close the list of values"));
            }
            self.depth -= 1;
            return Ok(inner);
        }
        Ok(Values::Value(self.value()?))
    }

    fn or_values(&mut self) -> Result<Values, KqlError> {
        let mut items = vec![self.and_values()?];
        while self.eat_keyword(Keyword::Or) {
            items.push(self.and_values()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Values::Or(items)
        })
    }

    fn and_values(&mut self) -> Result<Values, KqlError> {
        let mut items = vec![self.not_values()?];
        while self.eat_keyword(Keyword::And) {
            items.push(self.not_values()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Values::And(items)
        })
    }

    fn not_values(&mut self) -> Result<Values, KqlError> {
        self.skip_space();
        if self.keyword_here(Keyword::Not) {
            self.at += Keyword::Not.text().len();
            self.skip_space();
            return Ok(Values::Not(Box::new(self.values()?)));
        }
        self.values()
    }

    fn value(&mut self) -> Result<Value, KqlError> {
        Ok(match self.literal()? {
            Literal::Quoted(s) => Value::Exact(s),
            Literal::Unquoted(parts) if parts == [Part::Wildcard] => Value::Exists,
            Literal::Unquoted(parts) => match plain(&parts) {
                Some(text) => Value::Exact(text),
                None => Value::Wildcard(parts),
            },
        })
    }

    /// A quoted string or an unquoted literal.
    fn literal(&mut self) -> Result<Literal, KqlError> {
        self.skip_space();
        match self.peek() {
            None => Err(self.error("unexpected end of the query; expected a field or a value")),
            Some('"') => self.quoted().map(Literal::Quoted),
            Some(c) if SPECIAL.contains(&c) && c != '*' && c != '\\' => {
                Err(self.error(format!("unexpected `{c}`; expected a field or a value")))
            }
            Some(_) => {
                for keyword in [Keyword::Or, Keyword::And] {
                    if self.keyword_here(keyword) {
                        return Err(self.error(format!(
                            "unexpected `{}`; expected a field or a value (escape it as `\\{}` to mean the word)",
                            keyword.text(),
                            keyword.text()
                        )));
                    }
                }
                self.unquoted().map(Literal::Unquoted)
            }
        }
    }

    fn quoted(&mut self) -> Result<String, KqlError> {
        let open = self.at;
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(KqlError::at(
                        self.text,
                        open,
                        "a quoted string that is never closed",
                    ))
                }
                Some('"') => return Ok(out),
                Some('\\') => match self.peek() {
                    Some(c @ ('"' | '\\')) => {
                        self.bump();
                        out.push(c);
                    }
                    Some('t' | 'n' | 'r') => out.push(self.escape()?),
                    Some('u') => {
                        // `\u` and four hex digits is a character; otherwise, as any
                        // other backslash, it is itself (Kibana's grammar reads it so:
                        // `"C:\users"` holds a backslash).
                        let before = self.at;
                        match self.escape() {
                            Ok(c) => out.push(c),
                            Err(_) => {
                                self.at = before;
                                out.push('\\');
                            }
                        }
                    }
                    // Any other backslash is itself (Kibana's grammar reads it so).
                    _ => out.push('\\'),
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// After a backslash: `t`, `n`, `r` or `uXXXX`.
    fn escape(&mut self) -> Result<char, KqlError> {
        let at = self.at;
        match self.bump() {
            Some('t') => Ok('\t'),
            Some('n') => Ok('\n'),
            Some('r') => Ok('\r'),
            Some('u') => {
                let hex = self
                    .rest()
                    .get(..4)
                    .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()));
                let code = hex
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32);
                let Some(c) = code else {
                    return Err(KqlError::at(
                        self.text,
                        at,
                        "`\\u` must be followed by four hex digits of a character",
                    ));
                };
                self.at += 4;
                Ok(c)
            }
            _ => Err(KqlError::at(self.text, at, "an unknown escape")),
        }
    }

    /// An unquoted literal: its text and wildcards, trimmed of the spaces around it.
    fn unquoted(&mut self) -> Result<Vec<Part>, KqlError> {
        let mut parts = Vec::new();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                // Spaces belong to the literal only when more of it follows (not a
                // keyword, a special character or the end).
                let start = self.at;
                self.skip_space();
                let more = match self.peek() {
                    None => false,
                    Some(next) if SPECIAL.contains(&next) && next != '*' && next != '\\' => false,
                    Some(_) => ![Keyword::Or, Keyword::And, Keyword::Not]
                        .iter()
                        .any(|k| self.keyword_here(*k)),
                };
                if !more {
                    self.at = start;
                    break;
                }
                text.push_str(&self.text[start..self.at]);
                continue;
            }
            match c {
                '*' => {
                    self.bump();
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    if parts.last() != Some(&Part::Wildcard) {
                        parts.push(Part::Wildcard);
                    }
                }
                '\\' => {
                    self.bump();
                    match self.peek() {
                        Some(e) if SPECIAL.contains(&e) => {
                            self.bump();
                            text.push(e);
                        }
                        Some('t' | 'n' | 'r' | 'u') => text.push(self.escape()?),
                        _ => {
                            let keyword = [Keyword::Or, Keyword::And, Keyword::Not]
                                .into_iter()
                                .find(|k| {
                                    let word = k.text();
                                    self.rest()
                                        .get(..word.len())
                                        .is_some_and(|w| w.eq_ignore_ascii_case(word))
                                });
                            let Some(keyword) = keyword else {
                                return Err(self.error(
                                    "an unknown escape: a backslash escapes one of \\():<>\"*{}, a keyword, \\t, \\n, \\r or \\uXXXX",
                                ));
                            };
                            let len = keyword.text().len();
                            text.push_str(&self.rest()[..len]);
                            self.at += len;
                        }
                    }
                }
                c if SPECIAL.contains(&c) => break,
                c => {
                    self.bump();
                    text.push(c);
                }
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        if parts.is_empty() {
            return Err(self.error("expected a field or a value"));
        }
        Ok(parts)
    }
}

/// The text of an unquoted literal without wildcards.
fn plain(parts: &[Part]) -> Option<String> {
    match parts {
        [Part::Text(text)] => Some(text.clone()),
        _ => None,
    }
}

/// A literal used as a field name: plain text (a wildcard in a field name, which
/// searches every matching field, is refused).
fn field_name(text: &str, at: usize, literal: Literal) -> Result<String, KqlError> {
    match literal {
        Literal::Quoted(name) => Ok(name),
        Literal::Unquoted(parts) => plain(&parts).ok_or_else(|| {
            KqlError::at(
                text,
                at,
                "a wildcard in a field name (searching many fields) is not supported",
            )
        }),
    }
}
