//! A KQL wildcard value (`*S3 Browser*`, `AKIA*`, `*role/*Agent*`), compiled once: its
//! text before the first wildcard, after the last, and each text between, searched
//! with a precompiled finder. Judged on every record a rule is offered, so nothing is
//! allocated per match.

use memchr::memmem::Finder;

use super::syntax::Part;

/// A compiled wildcard pattern: its text parts in order, each `Wildcard` any run of
/// characters (the empty one too). Case-sensitive, as a keyword is.
#[derive(Debug, Clone)]
pub struct Glob {
    parts: Vec<Part>,
    shape: Shape,
}

#[derive(Debug, Clone)]
enum Shape {
    /// No wildcard: the text itself.
    Exact(String),
    Star {
        prefix: String,
        suffix: String,
        middles: Vec<Finder<'static>>,
    },
}

impl PartialEq for Glob {
    fn eq(&self, other: &Self) -> bool {
        self.parts == other.parts
    }
}

impl Glob {
    pub fn new(parts: Vec<Part>) -> Self {
        let texts = |ps: &[Part]| -> String {
            ps.iter()
                .filter_map(|p| match p {
                    Part::Text(t) => Some(t.as_str()),
                    Part::Wildcard => None,
                })
                .collect()
        };
        let shape = match parts.iter().position(|p| *p == Part::Wildcard) {
            None => Shape::Exact(texts(&parts)),
            Some(first) => {
                let last = parts
                    .iter()
                    .rposition(|p| *p == Part::Wildcard)
                    .unwrap_or(first);
                // The texts between two wildcards (adjacent texts joined).
                let mut middles = Vec::new();
                let mut run = String::new();
                for part in &parts[first..=last] {
                    match part {
                        Part::Text(t) => run.push_str(t),
                        Part::Wildcard if !run.is_empty() => {
                            middles.push(Finder::new(run.as_bytes()).into_owned());
                            run.clear();
                        }
                        Part::Wildcard => {}
                    }
                }
                Shape::Star {
                    prefix: texts(&parts[..first]),
                    suffix: texts(&parts[last + 1..]),
                    middles,
                }
            }
        };
        Glob { parts, shape }
    }

    /// The pattern's literal texts, each run between two wildcards (or an end) joined:
    /// every matching text holds each of them.
    pub fn literal_runs(&self) -> Vec<String> {
        let mut runs = vec![String::new()];
        for part in &self.parts {
            match part {
                Part::Text(t) => {
                    if let Some(run) = runs.last_mut() {
                        run.push_str(t);
                    }
                }
                Part::Wildcard => runs.push(String::new()),
            }
        }
        runs.retain(|r| !r.is_empty());
        runs
    }

    /// Whether `text` matches. In time linear in the text for each text part (never
    /// backtracking): the part before the first wildcard must start the text, the part
    /// after the last must end it, and each part between is taken at its first
    /// occurrence after the previous one, which is always as good as any later one.
    pub fn matches(&self, text: &str) -> bool {
        match &self.shape {
            Shape::Exact(exact) => exact == text,
            Shape::Star {
                prefix,
                suffix,
                middles,
            } => {
                if prefix.len() + suffix.len() > text.len()
                    || !text.starts_with(prefix.as_str())
                    || !text.ends_with(suffix.as_str())
                {
                    return false;
                }
                let mut rest = &text.as_bytes()[prefix.len()..text.len() - suffix.len()];
                for middle in middles {
                    match middle.find(rest) {
                        Some(at) => rest = &rest[at + middle.needle().len()..],
                        None => return false,
                    }
                }
                true
            }
        }
    }
}
