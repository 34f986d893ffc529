// Node stream helper (`dynamodb-scan-detector/stream`, Node only).
import { Transform } from "node:stream";
import type { CallOptions, Detector, DetectorConfig } from "./types";

export interface DetectorStreamOptions {
  /** An existing detector to feed (the caller frees it), instead of `config`. */
  detector?: Detector;
  /** The configuration of the detector the stream creates. */
  config?: DetectorConfig | string;
  /**
   * `'alerts'` (default): only alert documents. `'passthrough'`: every record, each
   * followed by the alerts it caused.
   */
  emit?: "alerts" | "passthrough";
  /**
   * `'ndjson'` (default): bytes or strings, read as the command line reads a file:
   * gzip by its magic bytes, then NDJSON (a line may be an S3 `{"Records":[…]}` file)
   * or whole JSON documents (a pretty-printed file, an array), chunk boundaries
   * anywhere. `'objects'`: object mode, one document per write.
   */
  input?: "ndjson" | "objects";
  /**
   * `'objects'` (default): object mode, plain alert objects (passthrough records as
   * parsed objects). `'ndjson'`: exact JSON text, one document per line.
   */
  output?: "objects" | "ndjson";
  detectionTime?: CallOptions["detectionTime"];
  fallbackTime?: CallOptions["fallbackTime"];
  /** Flush the detector at the end of input (the last cap summary); default true. */
  flush?: boolean;
  /**
   * Longest NDJSON line (default 64 MiB); a longer one is skipped and counted as
   * unparseable (`detector.stats()`), as the command line's `--max-line-bytes`.
   */
  maxLineBytes?: number;
  highWaterMark?: number;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
}

/** A Transform: NDJSON (or objects) in, alerts (or the passthrough stream) out. */
export declare class DetectorStream extends Transform {
  constructor(options?: DetectorStreamOptions);
  /** The detector this stream feeds. */
  readonly detector: Detector;
}

export declare function createDetectorStream(options?: DetectorStreamOptions): DetectorStream;
