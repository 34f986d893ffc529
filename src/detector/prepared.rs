//! A matching event, ready to be judged: either the fast raw view of a CloudTrail
//! record (its full ECS document built only if an alert needs it), or a full ECS event.

use serde_json::{Map, Value};

use crate::config::Config;
use crate::ecs::cloudtrail::to_ecs;
use crate::ecs::raw_view::{self, RawView};
use crate::ecs::{field, looks_like_ecs, SourceEvent, SourceForm, SourceMeta};
use crate::error::InputError;
use crate::input::Record;
use crate::rule::query::{Query, RawJudgement};
use crate::rule::terms::{extract, from_values, Extraction};
use crate::time::{timestamp_from_value, Millis};

use super::{Context, Verdict};
use crate::state::reorder::PendingEvent;

/// Whether `config` lets raw records take the fast path: no exceptions (they may read
/// any field), new-terms fields the raw view knows, and a time basis it can compute.
pub fn fast_path_applies(config: &Config) -> bool {
    config.exceptions.is_empty()
        && config
            .new_terms_fields
            .iter()
            .all(|f| raw_view::FIELDS.contains(&f.as_str()))
        && matches!(
            config.timestamp_override.as_str(),
            "event.ingested" | "@timestamp"
        )
}

/// The query of `config`'s rule: the built-in one, or its rule file's.
pub fn query_of(config: &Config) -> Query {
    #[cfg(rule_files)]
    if let Some(rule) = &config.file_rule {
        return Query::Kql(Box::new(crate::rule::query::KqlQuery::new(
            rule.query.clone(),
        )));
    }
    Query::new(config.rule.dataset_field)
}

/// Which shortcuts [`prepare`] may take for a raw record.
#[derive(Debug, Clone, Copy)]
pub struct Paths {
    /// Judge its terms on its raw view (the fast path).
    pub fast: bool,
    /// Let a rule file's query judge it on its raw view.
    pub view: bool,
}

// One lives per matching record, on the stack; boxing would cost an allocation each.
#[allow(clippy::large_enum_variant)]
pub enum Prepared<'a> {
    Raw {
        record: Record<'a>,
        view: RawView<'a>,
        built: Option<SourceEvent>,
    },
    Full(SourceEvent),
}

/// The record as an event the rule query selects, or the verdict on it.
/// `nesting_limit`: see [`super::Detector::set_nesting_limit`].
pub fn prepare<'a>(
    record: Record<'a>,
    query: &Query,
    paths: Paths,
    nesting_limit: usize,
) -> Result<Prepared<'a>, Verdict> {
    let Paths { fast, view } = paths;
    let raw = record
        .cloudtrail
        .as_ref()
        .map(|fields| query.judge_raw(fields, view));
    if raw == Some(RawJudgement::Rejects) {
        return Err(Verdict::NotMatched);
    }
    // Every path from here may build a tree of the whole record (the fast path when it
    // renders an alert), so the depth is checked once, before any of them.
    if crate::input::nesting::exceeds(record.text, nesting_limit) {
        return Err(Verdict::Unparseable(InputError::TooDeep(nesting_limit)));
    }
    if let Some(fields) = &record.cloudtrail {
        if fast && raw == Some(RawJudgement::Matches) {
            let view = RawView::new(fields);
            return Ok(Prepared::Raw {
                record,
                view,
                built: None,
            });
        }
    }
    let cloudtrail = record.cloudtrail.is_some();
    let source = normalise(record.text, record.meta, cloudtrail)?;
    if raw != Some(RawJudgement::Matches) && !query.matches_ecs(&source.doc) {
        return Err(Verdict::NotMatched);
    }
    Ok(Prepared::Full(source))
}

/// A record's text as its ECS event: a raw CloudTrail record (`cloudtrail`) mapped, an
/// ECS document as it is; anything else is not for this detector.
pub fn normalise(text: &str, meta: SourceMeta, cloudtrail: bool) -> Result<SourceEvent, Verdict> {
    let map = parse_object(text)?;
    let (doc, form) = if cloudtrail {
        (to_ecs(map), SourceForm::CloudTrail)
    } else if looks_like_ecs(&map) {
        (map, SourceForm::Ecs)
    } else {
        return Err(Verdict::NotCloudTrail(
            "neither a CloudTrail record nor an ECS document",
        ));
    };
    Ok(SourceEvent { doc, meta, form })
}

fn parse_object(text: &str) -> Result<Map<String, Value>, Verdict> {
    match serde_json::from_str(&crate::input::lenient::without_lone_surrogates(text)) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Verdict::NotCloudTrail("not a JSON object")),
        Err(e) => Err(Verdict::Unparseable(InputError::Json(e.to_string()))),
    }
}

impl Prepared<'_> {
    /// `timestamp_override`, else (with the fallback on) `@timestamp`, else the host's time.
    pub fn time(&self, config: &Config, ctx: Context) -> Option<Millis> {
        let field_time = |path: &str| match self {
            // A raw record's ECS form has `@timestamp` and never `event.ingested`.
            Prepared::Raw { view, .. } => {
                (path == "@timestamp").then(|| view.timestamp()).flatten()
            }
            Prepared::Full(src) => field::first(&src.doc, path).and_then(timestamp_from_value),
        };
        if let Some(t) = field_time(&config.timestamp_override) {
            return Some(t);
        }
        if !config.timestamp_fallback {
            return None;
        }
        field_time("@timestamp").or(ctx.fallback_time)
    }

    pub fn excepted(&self, config: &Config) -> bool {
        match self {
            Prepared::Raw { .. } => false,
            Prepared::Full(src) => config.exceptions.excepts(&src.doc),
        }
    }

    pub fn terms(&self, fields: &[String]) -> Extraction {
        match self {
            Prepared::Full(src) => extract(&src.doc, fields),
            Prepared::Raw { view, .. } => {
                let values: Vec<Option<Value>> = fields.iter().map(|f| view.field(f)).collect();
                from_values(fields.len(), &mut |i, out| match &values[i] {
                    Some(Value::Array(items)) => out.extend(items.iter()),
                    Some(v) => out.push(v),
                    None => {}
                })
            }
        }
    }

    /// The first value at `path` that is not null (`path` one of [`raw_view::FIELDS`]),
    /// else the first at `fallback`: what the event's alert document has there.
    pub fn value(&self, path: &str, fallback: &str) -> Option<Value> {
        [path, fallback].into_iter().find_map(|path| match self {
            Prepared::Raw { view, .. } => view.field(path).filter(|v| !v.is_null()),
            Prepared::Full(src) => field::first(&src.doc, path)
                .filter(|v| !v.is_null())
                .cloned(),
        })
    }

    /// What the reorder window keeps to rebuild the source event later.
    pub fn meta_and_form(&self) -> (SourceMeta, SourceForm) {
        match self {
            Prepared::Raw { record, .. } => (record.meta.clone(), SourceForm::CloudTrail),
            Prepared::Full(src) => (src.meta.clone(), src.form),
        }
    }

    /// The full source event (built on first use for a raw record).
    pub fn source(&mut self) -> &SourceEvent {
        match self {
            Prepared::Full(src) => src,
            Prepared::Raw { record, built, .. } => built.get_or_insert_with(|| {
                source_from_text(record.text, &record.meta, SourceForm::CloudTrail)
            }),
        }
    }
}

/// The full source event of a record's text, which arrival already read as a JSON
/// object: mapped to ECS when it is a raw CloudTrail record.
fn source_from_text(text: &str, meta: &SourceMeta, form: SourceForm) -> SourceEvent {
    let map = parse_object(text).unwrap_or_default();
    SourceEvent {
        doc: match form {
            SourceForm::CloudTrail if !map.is_empty() => to_ecs(map),
            _ => map,
        },
        meta: meta.clone(),
        form,
    }
}

/// An event whose alert documents are rendered from its full source event, built only
/// when the first of them is.
pub trait EventSource {
    fn source(&mut self) -> &SourceEvent;
    /// The source's document itself, for its last alert (no copy); the source is left
    /// with an empty document.
    fn take_doc(&mut self) -> Map<String, Value>;
}

impl EventSource for Prepared<'_> {
    fn source(&mut self) -> &SourceEvent {
        Prepared::source(self)
    }
    fn take_doc(&mut self) -> Map<String, Value> {
        Prepared::source(self);
        match self {
            Prepared::Full(src)
            | Prepared::Raw {
                built: Some(src), ..
            } => std::mem::take(&mut src.doc),
            Prepared::Raw { built: None, .. } => Map::new(),
        }
    }
}

/// A held event's source, rebuilt from its text as [`prepare`] built it on arrival.
pub struct Rebuilt<'e> {
    event: &'e PendingEvent,
    built: Option<SourceEvent>,
}

impl<'e> Rebuilt<'e> {
    pub fn new(event: &'e PendingEvent) -> Self {
        Rebuilt { event, built: None }
    }
}

impl EventSource for Rebuilt<'_> {
    fn source(&mut self) -> &SourceEvent {
        let event = self.event;
        self.built
            .get_or_insert_with(|| source_from_text(&event.text, &event.meta, event.form))
    }
    fn take_doc(&mut self) -> Map<String, Value> {
        self.source();
        self.built
            .as_mut()
            .map(|src| std::mem::take(&mut src.doc))
            .unwrap_or_default()
    }
}
