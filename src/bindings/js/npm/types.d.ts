// Hand-written declarations of dynamodb-scan-detector: the configuration document,
// the call options, the alert and stats shapes, and the Detector class. Shared by the
// CommonJS (index.d.ts) and ES module (index.d.mts) entry points.
//
// `Detector` is disposable (`using detector = new Detector()`); the reference below
// brings in `Symbol.dispose`'s declaration, so that these declarations check under
// every `lib` setting (TypeScript 5.2 or later), not only with ESNext.Disposable.
/// <reference lib="esnext.disposable" />

/** A duration: `30s`, `9m`, `1h`, `14d`, `2w`, or Elastic's date math `now-14d`. */
export type Duration = string;

/** One condition of an exception item (Elastic's exception entry). */
export interface ExceptionEntry {
  /** ECS field, e.g. `user.name` or `aws.cloudtrail.user_identity.arn`. */
  field: string;
  /** `match` (is), `match_any` (is one of) or `exists`. */
  type: "match" | "match_any" | "exists";
  /** `included` (default) keeps the condition; `excluded` negates it. */
  operator?: "included" | "excluded";
  /** The value for `match`, the list of values for `match_any`; absent for `exists`. */
  value?: string | number | boolean | Array<string | number | boolean>;
}

/** An exception item: an event matching every entry is excepted. */
export interface ExceptionItem {
  name?: string;
  entries: ExceptionEntry[];
}

/**
 * The configuration document, shared with every other host of the detector (CLI,
 * Fluent Bit). Every key is optional and defaults to the seed rule; unknown keys are
 * rejected with a `ConfigError`.
 */
export interface DetectorConfig {
  /** `seed` (rule version 3, the default) or `current` (Elastic's version 6). */
  profile?: "seed" | "current";
  /** 1 to 3 unique ECS fields whose value combination must be new. */
  new_terms_fields?: string[];
  /** How far back a term counts as seen (default `14d`); must be longer than `from`. */
  history_window?: Duration;
  /** The rule's lookback (default `now-9m`). */
  from?: Duration;
  /** The field that gives an event's time (default `event.ingested`). */
  timestamp_override?: string;
  /** Whether events without that field fall back to `@timestamp` (default true). */
  timestamp_fallback?: boolean;
  /** Most alerts per `interval` window (default 100). */
  max_signals?: number;
  /** Width of an alert-cap window (default `5m`). */
  interval?: Duration;
  /** Hard cap on tracked terms (default 1,000,000). */
  max_terms?: number;
  /** Alerts are muted until this span of event time was observed (default `0s`). */
  learning_period?: Duration;
  /**
   * Matching events are judged in time order within this window (default `5m`, the
   * rule's interval; `0s` judges each on arrival). A first sighting waits until an
   * event this much later arrives, the JS clock has passed the window (with the default
   * detection time), or `flush()`.
   */
  reorder_window?: Duration;
  /** Most events the reorder window holds (default 100,000). */
  max_pending?: number;
  /** Elastic-style exception items. */
  exceptions?: ExceptionItem[];
  /** Kibana space of the alerts (default `default`). */
  space_id?: string;
  /** The rule's saved-object id in Kibana (default: the rule_id). */
  rule_uuid?: string;
}

/** The effective configuration: every key filled in. */
export type EffectiveConfig = Required<DetectorConfig>;

/** Options of the constructor (defaults for every call) and of each call. */
export interface CallOptions {
  /**
   * The alerts' `@timestamp`: `'clock'` (default, `Date.now()`), `'event'` (the
   * event's own time: reproducible output), or a fixed time (epoch ms or a `Date`).
   */
  detectionTime?: "clock" | "event" | number | Date;
  /** The time of events that carry none (epoch ms or a `Date`); `null` clears it. */
  fallbackTime?: number | Date | null;
  /**
   * How batch methods read their input. `'auto'` (default): as the command line reads
   * a file: gzip by its magic bytes, a byte-order mark skipped, then NDJSON, or whole
   * JSON documents such as a pretty-printed S3 file. `'ndjson'`: one document per line.
   */
  input?: "auto" | "ndjson";
  /** `'objects'` (default) or `'ndjson'` (exact JSON text, one line per document). */
  output?: "objects" | "ndjson";
  /**
   * The batch is a chunk of an input whose next chunk comes in this detector's next
   * batch call (the line it cuts is carried over, with the shape and gzip state); a
   * batch call without it ends the input. One such input at a time per detector; its
   * first call's `input` and limits hold for all of it.
   */
  more?: boolean;
  /** The longest NDJSON line (default 64 MiB); a longer one is skipped and counted. */
  maxLineBytes?: number;
  /** The largest input read whole (default 512 MiB); a larger one is skipped and counted. */
  maxDocumentBytes?: number;
}

/** One of Elastic's detection-rules files: its TOML text, named in messages by `file`. */
export interface RuleFileText {
  file?: string;
  text: string;
}

/** Options of the constructor and of `restore`: every call's defaults, and more. */
export interface DetectorOptions extends CallOptions {
  /** Parse and classify every record (turns off the byte-level pre-check). */
  validateAll?: boolean;
  /**
   * Elastic's New Terms rule files to run instead of the built-in rule, each read
   * once per record for all. Only the `rules` entry reads them
   * (`dynamodb-scan-detector/rules`); the default entry throws a `ConfigError`.
   * The configuration may then not set what each rule file sets (`profile`,
   * `new_terms_fields`, windows, `max_signals`, `timestamp_override`, `rule_uuid`).
   */
  rules?: ReadonlyArray<string | RuleFileText>;
  /** Make a refused rule file an error (by default it is listed by `refusedRules()`). */
  strictRules?: boolean;
}

/** A rule the detector runs, as `rules()` lists it (the rule file's vocabulary). */
export interface LoadedRule {
  rule_id: string;
  name: string;
  version: number;
  severity: string;
  new_terms_fields: string[];
  /** Rule files only. */
  risk_score?: number;
  /** Rule files only: the history window, as the rule file writes it (`now-10d`). */
  history_window_start?: string;
  /** Rule files only: the KQL query. */
  query?: string;
  /** Rule files only: fields it reads that raw CloudTrail does not give. */
  warnings?: string[];
  /** Rule files only: the `file` it was given as. */
  file?: string;
  /** After `restore` with rule files: whether its saved state was found. */
  state?: "restored" | "started empty";
}

/** A rule file that cannot be run, as `refusedRules()` lists it. */
export interface RefusedRule {
  file: string;
  /** The rule's name (or id), once the file says it. */
  rule: string | null;
  reason: string;
}

/** Call options that make a method return NDJSON text. */
export type NdjsonOptions = CallOptions & { output: "ndjson" };

/**
 * A JSON value as results hold it. Integers beyond ±(2^53 − 1) are exact `bigint`s.
 */
export type JsonValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * An alert document, shaped as Kibana writes it to `.alerts-security.alerts-<space>`:
 * the source event's ECS fields (with `event.kind: "signal"`) plus Kibana's dotted
 * `kibana.*` keys. A cap summary (`event.action: "max_signals_reached"`) carries
 * `kibana.alert.max_signals_summary` instead of the event fields.
 */
export interface Alert {
  /** The detection time. */
  "@timestamp": string;
  /** Kibana's alert id: the same event and terms always give the same id. */
  "kibana.alert.uuid": string;
  "kibana.alert.reason": string;
  "kibana.alert.status": "active";
  "kibana.alert.workflow_status": "open";
  "kibana.alert.severity": string;
  "kibana.alert.risk_score": number;
  "kibana.alert.rule.name": string;
  "kibana.alert.rule.rule_id": string;
  "kibana.alert.rule.uuid": string;
  "kibana.space_ids": string[];
  /** The new term values, one per `new_terms_fields` entry (absent on summaries). */
  "kibana.alert.new_terms"?: JsonValue[];
  /** The source event's `@timestamp` (absent on summaries). */
  "kibana.alert.original_time"?: string;
  "kibana.alert.max_signals_summary"?: MaxSignalsSummary;
  [field: string]: JsonValue | undefined;
}

/**
 * What the alert cap held back in one `interval` window. (A type alias rather than an
 * interface, so that it fits the `JsonValue` index signature of `Alert`.)
 */
export type MaxSignalsSummary = {
  window_start: string;
  window_end: string;
  max_signals: number;
  alerts_emitted: number;
  alerts_suppressed: number;
  /** The suppressed term tuples (the first 100). */
  suppressed_new_terms: JsonValue[][];
  suppressed_new_terms_truncated: boolean;
};

/** Counters of one detector; the outcome counts add up to `events_in`. */
export interface Stats {
  events_in: number;
  unparseable: number;
  /** The last reason input was unparseable. */
  last_error?: string;
  not_cloudtrail: number;
  /** Documents the byte-level pre-check proved cannot hold a Scan (not parsed). */
  prefiltered: number;
  not_matched: number;
  matched: number;
  excepted: number;
  no_timestamp: number;
  missing_terms: number;
  recorded: number;
  terms_truncated: number;
  late: number;
  held: number;
  released_early: number;
  pending: number;
  new_terms: number;
  alerts: number;
  summarised: number;
  summaries: number;
  muted: number;
  learned: number;
  tracked_terms: number;
  expired: number;
  evicted: number;
}

/** What became of one record; named as the matching counter in `Stats`. */
export type Verdict =
  | "unparseable"
  | "not_cloudtrail"
  | "prefiltered"
  | "not_matched"
  | "excepted"
  | "no_timestamp"
  | "missing_terms"
  | "recorded";

/** One record of a batch, as `processRecords` reports it. */
export interface RecordResult {
  /** The record's exact JSON text (a prefiltered document's whole text). */
  record: string;
  verdict: Verdict;
  /** Why the record was unparseable or not CloudTrail. */
  reason?: string;
  /** The alerts the record caused (a summary of a window it closed comes first). */
  alerts: Alert[];
}

/**
 * What one matching record (verdict `recorded`) wrote to the state, as
 * `processObserved` reports it: whether or not it alerted.
 */
export interface Observed {
  /** The event's time basis (`event.ingested`, else `@timestamp`), epoch milliseconds. */
  time: number;
  /** Its term tuples, one value per `new_terms_fields` entry. */
  terms: JsonValue[][];
  /**
   * The account it was made in, as its alert has it: the first value of
   * `cloud.account.id`, else of `aws.cloudtrail.recipient_account_id`, that is not null
   * (text for raw CloudTrail; an ECS document may hold any JSON there); else `null`.
   */
  account: JsonValue;
  /** Where it came from: `source.address`, else `source.ip`, in the same way. */
  address: JsonValue;
  /** The rule whose state it wrote (a record selected by several rules is one each). */
  rule_id: string;
}

/** What `processObserved` returns; `alerts` is shaped by the `output` option. */
export interface ObservedBatch<A = Alert[] | string> {
  alerts: A;
  /** One entry per recorded record, in input order. */
  observed: Observed[];
  /**
   * What the reader skipped (and counted as unparseable), e.g. `line 7: longer than
   * 67108864 bytes, skipped`, `could not be read to the end: corrupt deflate stream`.
   */
  skipped: string[];
  /** The bytes read from the batch, after inflating gzip. */
  decodedBytes: number;
}

/** A document to judge: JSON text, UTF-8 bytes (a Node `Buffer`), or an object. */
export type Input = string | Uint8Array | ArrayBuffer | object;

/**
 * The detector: a streaming first-seen (Elastic New Terms) rule for successful
 * DynamoDB `Scan`s in CloudTrail. Holds its state in WebAssembly memory: call
 * `free()` (or `using`) when done with it.
 */
export declare class Detector {
  /** @throws {Error} `ConfigError` naming the problem with the configuration. */
  constructor(config?: DetectorConfig | string | null, options?: DetectorOptions);
  /** Judge one document (record, S3 file, array, EventBridge/CloudWatch envelope, ECS). */
  process(event: Input, options: NdjsonOptions): string;
  process(event: Input, options?: CallOptions): Alert[];
  /**
   * Judge a batch: NDJSON (one document per line) or whole JSON documents, gzipped or
   * not (see `CallOptions.input`), or a chunk of one (`more: true`).
   */
  processBatch(batch: Input, options: NdjsonOptions): string;
  processBatch(batch: Input, options?: CallOptions): Alert[];
  /**
   * Like `processBatch`, reporting every record. With `output: 'ndjson'`: the records,
   * each followed by the alerts decided at it (a first sighting the reorder window held
   * comes after the record that released it), as NDJSON text (a passthrough stream).
   */
  processRecords(batch: Input, options: NdjsonOptions): string;
  processRecords(batch: Input, options?: CallOptions): RecordResult[];
  /**
   * Like `processBatch`, and also what each matching record wrote to the state (its
   * time and terms, new or not): for hosts that follow who scanned when.
   */
  processObserved(batch: Input, options: NdjsonOptions): ObservedBatch<string>;
  processObserved(batch: Input, options?: CallOptions): ObservedBatch<Alert[]>;
  /** Record a batch as history without alerting (priming). */
  learn(batch: Input, options?: CallOptions): void;
  /**
   * End of input: the alerts of the events the reorder window still holds, then the
   * summary of the current window if the cap held alerts back.
   */
  flush(options: NdjsonOptions): string;
  flush(options?: CallOptions): Alert[];
  /** The whole state as versioned, checksummed bytes. */
  snapshot(): Uint8Array;
  /**
   * A detector with the state of `snapshot()`; `config` must use the same
   * `new_terms_fields`. @throws {Error} `SnapshotError` on corrupt or incompatible bytes.
   */
  static restore(
    bytes: Uint8Array | ArrayBuffer,
    config?: DetectorConfig | string | null,
    options?: DetectorOptions,
  ): Detector;
  /**
   * The counters. With rule files, also `rules_loaded`, `rules_refused`, and each
   * rule's counters under `rules[rule_id]`.
   */
  stats(): Stats & { rules_loaded?: number; rules_refused?: number; rules?: Record<string, Stats> };
  /** The rules it runs, in load order (the built-in rule alone without rule files). */
  rules(): LoadedRule[];
  /** The rule files refused (empty without rule files). */
  refusedRules(): RefusedRule[];
  /** What `restore` dropped from the saved state because the rules changed, with why. */
  droppedState(): string[];
  /** The effective configuration. */
  config(): EffectiveConfig;
  /** Heap bytes held by the first-seen store. */
  stateBytes(): number;
  /** Release the WebAssembly memory; the detector cannot be used afterwards. */
  free(): void;
  [Symbol.dispose](): void;
  /** The package version. */
  static version(): string;
  /** The default configuration, every key filled in. */
  static defaultConfig(): EffectiveConfig;
  /**
   * The order in which to replay log files, from their `/`-separated paths: the
   * indices of `paths` to read, in order. CloudTrail digest files are left out; files
   * without a CloudTrail delivery stamp come first, in path order (runs of digits
   * compared as numbers); then CloudTrail's files (`…_CloudTrail_REGION_20261103T1905Z_…`)
   * by that stamp across accounts, regions and organizations, equal stamps by path.
   * @throws {TypeError} when `paths` is not an array of strings.
   */
  static replayOrder(paths: readonly string[]): Uint32Array;
}

/** `Error.name` of the errors the package throws (besides `TypeError`). */
export type DetectorErrorName = "ConfigError" | "SnapshotError" | "OptionsError";
