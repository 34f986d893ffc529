// The declarations as a CommonJS TypeScript user in Node sees them.
import { Detector, type Alert, type DetectorConfig, type Stats, type RecordResult } from "dynamodb-scan-detector";
import { createDetectorStream, DetectorStream } from "dynamodb-scan-detector/stream";
import { Detector as RulesDetector } from "dynamodb-scan-detector/rules";

const config: DetectorConfig = {
  profile: "current",
  history_window: "10d",
  max_signals: 50,
  exceptions: [{ name: "ci", entries: [{ field: "user.name", type: "match", value: "ci-bot" }] }],
};
// @ts-expect-error: a misspelt key is a type error, not `any`
const typo: DetectorConfig = { max_signal: 5 };

const d = new Detector(config, { detectionTime: "event" });
const alerts: Alert[] = d.processBatch(Buffer.from("{}"));
const text: string = d.processBatch("{}", { output: "ndjson" });
const id: string = alerts[0]["kibana.alert.uuid"];
const terms = alerts[0]["kibana.alert.new_terms"];
const suppressed: number | undefined = alerts[0]["kibana.alert.max_signals_summary"]?.alerts_suppressed;
const records: RecordResult[] = d.processRecords("{}");
const verdict: "recorded" | "prefiltered" | string = records[0].verdict;
const stats: Stats = d.stats();
const n: number = stats.events_in + stats.prefiltered;
const bytes: Uint8Array = d.snapshot();
const again: Detector = Detector.restore(bytes, config, { detectionTime: new Date() });
// @ts-expect-error: detectionTime is 'clock', 'event', a number or a Date
d.process("{}", { detectionTime: "soon" });
d.learn("{}");
const summary: Alert[] = d.flush();
again[Symbol.dispose]();
d.free();
const s: DetectorStream = createDetectorStream({ config, emit: "passthrough", output: "ndjson" });
s.detector.stats();
export { typo, text, id, terms, suppressed, verdict, n, summary };
const ruleNames: string[] = new RulesDetector(null, { rules: [] }).rules().map((r) => r.name);
export { ruleNames };
