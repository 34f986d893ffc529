//! The `Detector` class JavaScript sees: one core [`Detector`] plus default call
//! options. Each method converts its arguments, calls the core once, and converts
//! the result; nothing here decides anything about detection.

use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use super::engine::{Engine, EngineError, RuleFiles};
use super::marshal::{self, Batch};
use super::options::{CallOptions, DetectorSettings, OutputShape};
use super::{error, verdict};
use crate::config::DetectorOptions;
use crate::input::documents::Item;
use crate::input::reader::Reader;
use crate::input::replay_order::replay_order;
use crate::{Alert, Config, VERSION};

#[wasm_bindgen(js_name = Detector)]
pub struct JsDetector {
    core: Engine,
    defaults: CallOptions,
    /// The input a batch call with `more: true` left unfinished (its reader, holding the
    /// line its last chunk cut); the next batch call goes on with it.
    input: Option<Reader>,
}

#[wasm_bindgen(js_class = Detector)]
impl JsDetector {
    /// `new Detector(config?, options?)`: `config` is the configuration document as an
    /// object or JSON text (absent: the defaults); `options` sets the defaults of every
    /// call (`detectionTime`, …), `validateAll` (parse and classify every record), and
    /// `rules` (Elastic's rule files to run instead of the built-in rule) with
    /// `strictRules`.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, options: JsValue) -> Result<JsDetector, JsValue> {
        let settings = DetectorSettings::parse(&options)?;
        let files = rule_files(&settings)?;
        let core = Engine::new(parse_options(&config)?, files).map_err(engine_error)?;
        Ok(JsDetector::with_settings(core, settings))
    }

    /// Judge one document (a record, an S3 `{"Records":[…]}` file, an array, an
    /// EventBridge or CloudWatch envelope, an ECS document); the alerts it caused.
    pub fn process(&mut self, event: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let doc = marshal::input_bytes(&event, "process")?;
        let opts = self.options(&options)?;
        alerts_out(self.core.process(&doc, opts.context()), opts)
    }

    /// Judge a batch: NDJSON (one document per line) or one JSON document.
    #[wasm_bindgen(js_name = processBatch)]
    pub fn process_batch(&mut self, batch: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let batch = marshal::batch(&batch, "processBatch")?;
        let opts = self.options(&options)?;
        let ctx = opts.context();
        let mut alerts = Vec::new();
        self.read(&batch, opts, &mut |core, doc| {
            alerts.extend(core.process(doc, ctx))
        });
        alerts_out(alerts, opts)
    }

    /// Like `processBatch`, reporting on every record: `{record, verdict, reason?,
    /// alerts}`, where `record` is the record's exact JSON text. With
    /// `output: 'ndjson'`: the records, each followed by the alerts it caused, as
    /// NDJSON text (the passthrough stream).
    #[wasm_bindgen(js_name = processRecords)]
    pub fn process_records(
        &mut self,
        batch: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let batch = marshal::batch(&batch, "processRecords")?;
        let opts = self.options(&options)?;
        let ctx = opts.context();
        if opts.output == OutputShape::Ndjson {
            let mut text = String::with_capacity(batch.byte_len() + 2);
            self.read(&batch, opts, &mut |core, doc| {
                core.process_each(doc, ctx, &mut |report| {
                    verdict::passthrough(&report, &mut text);
                });
            });
            return Ok(JsValue::from_str(&text));
        }
        let mut reports = Vec::new();
        self.read(&batch, opts, &mut |core, doc| {
            core.process_each(doc, ctx, &mut |report| {
                reports.push(verdict::report(report));
            });
        });
        marshal::value(&Value::Array(reports))
    }

    /// Like `processBatch`, and also what each matching record wrote to the state:
    /// `{ alerts, observed, skipped, decodedBytes }`, where `alerts` is what
    /// `processBatch` returns with the same options and `observed` holds, for every
    /// record with the verdict `recorded` in input order, `{ time, terms, account,
    /// address }`: its time basis in epoch milliseconds, its term tuples, new or not,
    /// and the account and source address as its alert has them; `skipped` describes
    /// what the reader skipped (a line over its limit, gzip that cannot be inflated)
    /// and `decodedBytes` counts the bytes it read (after inflating). For hosts that
    /// follow every matching event (who scanned when), not only those that alerted.
    #[wasm_bindgen(js_name = processObserved)]
    pub fn process_observed(
        &mut self,
        batch: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let batch = marshal::batch(&batch, "processObserved")?;
        let opts = self.options(&options)?;
        let ctx = opts.context();
        let mut alerts = Vec::new();
        let mut observed = Vec::new();
        self.core.set_observe_origins(true);
        let read = self.read(&batch, opts, &mut |core, doc| {
            core.process_each(doc, ctx, &mut |report| {
                alerts.extend(report.alerts);
                observed.extend(report.observed.iter().map(verdict::observed));
            });
        });
        self.core.set_observe_origins(false);
        let out = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            js_sys::Reflect::set(&out, &JsValue::from_str(key), &value)
                .map_err(|e| error::from_js("building the result", e))
        };
        set("alerts", alerts_out(alerts, opts)?)?;
        set("observed", marshal::value(&Value::Array(observed))?)?;
        let skipped: js_sys::Array = read.skipped.iter().map(|s| JsValue::from_str(s)).collect();
        set("skipped", skipped.into())?;
        set("decodedBytes", JsValue::from_f64(read.bytes as f64))?;
        Ok(out.into())
    }

    /// Record a batch (as `processBatch` reads it) as history, never alerting.
    pub fn learn(&mut self, batch: JsValue, options: JsValue) -> Result<(), JsValue> {
        let batch = marshal::batch(&batch, "learn")?;
        let opts = self.options(&options)?;
        let ctx = opts.context();
        self.read(&batch, opts, &mut |core, doc| core.learn(doc, ctx));
        Ok(())
    }

    /// End of input: the alerts of the events the reorder window still holds, then
    /// the summary of the current window if the alert cap held alerts back in it.
    pub fn flush(&mut self, options: JsValue) -> Result<JsValue, JsValue> {
        let opts = self.options(&options)?;
        alerts_out(self.core.flush(opts.detection_time()), opts)
    }

    /// The whole state as versioned, checksummed bytes.
    pub fn snapshot(&self) -> Vec<u8> {
        self.core.snapshot()
    }

    /// `Detector.restore(bytes, config?, options?)`: a detector with the state saved
    /// by `snapshot()`. Throws a `SnapshotError` on corrupt or incompatible bytes.
    pub fn restore(
        bytes: JsValue,
        config: JsValue,
        options: JsValue,
    ) -> Result<JsDetector, JsValue> {
        if bytes.as_string().is_some() || !bytes.is_object() {
            return Err(error::type_error(format!(
                "restore: expected the Uint8Array from snapshot(), got {}",
                error::type_name(&bytes)
            )));
        }
        let bytes = marshal::input_bytes(&bytes, "restore")?;
        let settings = DetectorSettings::parse(&options)?;
        let files = rule_files(&settings)?;
        let core = Engine::restore(parse_options(&config)?, files, &bytes).map_err(engine_error)?;
        Ok(JsDetector::with_settings(core, settings))
    }

    /// The counters, as a plain object. With rule files: also `rules_loaded`,
    /// `rules_refused`, and each rule's counters under `rules[rule_id]`.
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        marshal::value(&self.core.stats())
    }

    /// The rules loaded, in load order: `{ rule_id, name, version, severity,
    /// new_terms_fields, … }` (the built-in rule alone when no rule files were given).
    /// After `restore` with rule files, each says whether its `state` was `restored` or
    /// `started empty`.
    pub fn rules(&self) -> Result<JsValue, JsValue> {
        marshal::value(&Value::Array(self.core.rules()))
    }

    /// The rule files refused, each `{ file, rule, reason }` (empty without rule files).
    #[wasm_bindgen(js_name = refusedRules)]
    pub fn refused_rules(&self) -> Result<JsValue, JsValue> {
        marshal::value(&Value::Array(self.core.refused()))
    }

    /// What `restore` dropped from the saved state because the rules changed: one line
    /// per rule (or suppression groups) with why.
    #[wasm_bindgen(js_name = droppedState)]
    pub fn dropped_state(&self) -> Result<JsValue, JsValue> {
        marshal::value(&Value::Array(self.core.dropped()))
    }

    /// The effective configuration, every key filled in.
    pub fn config(&self) -> Result<JsValue, JsValue> {
        config_value(self.core.config())
    }

    /// Heap bytes held by the first-seen store.
    #[wasm_bindgen(js_name = stateBytes)]
    pub fn state_bytes(&self) -> f64 {
        self.core.state_bytes() as f64
    }

    /// The package (crate) version.
    pub fn version() -> String {
        VERSION.to_owned()
    }

    /// The order in which to replay log files, from their paths (`/`-separated): the
    /// indices of `paths` in the core's replay order, CloudTrail digest files left out
    /// (see [`crate::input::replay_order`]).
    #[wasm_bindgen(js_name = replayOrder)]
    pub fn replay_order(paths: JsValue) -> Result<Vec<u32>, JsValue> {
        let paths = marshal::strings(&paths, "replayOrder")?;
        replay_order(&paths)
            .into_iter()
            .map(|i| u32::try_from(i).map_err(|_| error::type_error("replayOrder: too many paths")))
            .collect()
    }

    /// The default configuration document, every key filled in.
    #[wasm_bindgen(js_name = defaultConfig)]
    pub fn default_config() -> Result<JsValue, JsValue> {
        config_value(&Config::default())
    }
}

impl JsDetector {
    fn with_settings(mut core: Engine, settings: DetectorSettings) -> JsDetector {
        core.set_prefilter(!settings.validate_all);
        JsDetector {
            core,
            defaults: settings.defaults,
            input: None,
        }
    }

    fn options(&self, value: &JsValue) -> Result<CallOptions, JsValue> {
        CallOptions::parse(value, self.defaults)
    }

    /// Read a batch through the core's reader (gzip, shape, lines, limits: the command
    /// line's rule), going on with the input a `more: true` call left unfinished;
    /// `each` gets every document. What the reader skips is counted, as the command
    /// line counts it. With `more: true` the reader is kept for the next call.
    fn read(
        &mut self,
        batch: &Batch,
        opts: CallOptions,
        each: &mut dyn FnMut(&mut Engine, &[u8]),
    ) -> Read {
        let mut reader = self
            .input
            .take()
            .unwrap_or_else(|| Reader::new(opts.input, opts.limits));
        let before = reader.bytes();
        let core = &mut self.core;
        let mut skipped = Vec::new();
        let mut item = |item: Item<'_>| {
            skipped.push(match &item {
                Item::Document { bytes, .. } => return each(core, bytes),
                Item::TooLarge { line, limit } => {
                    format!("line {line}: longer than {limit} bytes, skipped")
                }
                Item::Unreadable(error) => format!("could not be read to the end: {error}"),
            });
            if let Some(error) = item.skip_error() {
                core.skip_input(error);
            }
        };
        batch.each_chunk(&mut |chunk| reader.feed(chunk, &mut item));
        if !opts.more {
            reader.finish(&mut item);
        }
        let bytes = reader.bytes() - before;
        if opts.more {
            self.input = Some(reader);
        }
        Read { skipped, bytes }
    }
}

/// What reading a batch skipped, and how many bytes it read (after inflating).
struct Read {
    skipped: Vec<String>,
    bytes: u64,
}

/// Alerts in the shape the `output` option asks for.
fn alerts_out(alerts: Vec<Alert>, opts: CallOptions) -> Result<JsValue, JsValue> {
    match opts.output {
        OutputShape::Objects => marshal::alerts(alerts),
        OutputShape::Ndjson => {
            let mut text = String::new();
            for alert in &alerts {
                text.push_str(&alert.to_json());
                text.push('\n');
            }
            Ok(JsValue::from_str(&text))
        }
    }
}

/// The rule files the options give, read; a refusal is an error with `strictRules`.
fn rule_files(settings: &DetectorSettings) -> Result<Option<RuleFiles>, JsValue> {
    let Some(texts) = settings.rules.clone() else {
        return Ok(None);
    };
    let files = RuleFiles::read(texts).map_err(error::config)?;
    #[cfg(rule_files)]
    if settings.strict_rules {
        if let Some(refusal) = files.first_refusal() {
            return Err(error::config(crate::error::ConfigError::invalid(
                "rules",
                format!("refused (strictRules): {refusal}"),
            )));
        }
    }
    Ok(Some(files))
}

fn engine_error(e: EngineError) -> JsValue {
    match e {
        EngineError::Config(e) => error::config(e),
        EngineError::Snapshot(e) => error::snapshot(e),
    }
}

/// The configuration document from an object, JSON text, or nothing (the defaults).
fn parse_options(value: &JsValue) -> Result<DetectorOptions, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(DetectorOptions::default());
    }
    let text = match value.as_string() {
        Some(text) => text,
        None if value.is_object() && !js_sys::Array::is_array(value) => {
            marshal::stringify(value, "config")?
        }
        None => {
            return Err(error::type_error(format!(
                "config must be an object or a JSON string, got {}",
                error::type_name(value)
            )))
        }
    };
    serde_json::from_str(&text)
        .map_err(|e| error::config(crate::error::ConfigError::Json(e.to_string())))
}

fn config_value(config: &Config) -> Result<JsValue, JsValue> {
    let options = serde_json::to_value(config.to_options()).unwrap_or(Value::Object(Map::new()));
    marshal::value(&options)
}
