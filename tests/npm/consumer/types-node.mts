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
