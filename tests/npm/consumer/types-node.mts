// The declarations as an ES module TypeScript user in Node sees them.
import init, { Detector, initSync, type EffectiveConfig } from "dynamodb-scan-detector";
import { DetectorStream } from "dynamodb-scan-detector/stream";

await init();
initSync();
const defaults: EffectiveConfig = Detector.defaultConfig();
const version: string = Detector.version();
const order: Uint32Array = Detector.replayOrder(["b_CloudTrail_us-east-1_20261103T0005Z_X.json.gz", "a.json"]);
const stream = new DetectorStream({ input: "objects", detectionTime: "event" });
export { defaults, version, order, stream };

// The `rules` entry: the same class, with rule files.
import { Detector as RulesDetector, type LoadedRule, type RefusedRule } from "dynamodb-scan-detector/rules";
const withRules = new RulesDetector(null, {
  rules: ["[rule]\ntype = \"new_terms\"", { file: "a.toml", text: "" }],
  strictRules: false,
  validateAll: true,
});
const loaded: LoadedRule[] = withRules.rules();
const refused: RefusedRule[] = withRules.refusedRules();
const dropped: string[] = withRules.droppedState();
const ruleId: string = withRules.processObserved("{}").observed[0].rule_id;
const perRule = withRules.stats().rules?.["x"]?.recorded;
// @ts-expect-error: rule files are texts or { file, text }
new RulesDetector(null, { rules: [42] });
export { loaded, refused, dropped, ruleId, perRule };
