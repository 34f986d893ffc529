// The declarations as an ES module TypeScript user in Node sees them.
import init, { Detector, initSync, type EffectiveConfig } from "dynamodb-scan-detector";
import { DetectorStream } from "dynamodb-scan-detector/stream";

await init();
initSync();
const defaults: EffectiveConfig = Detector.defaultConfig();
const version: string = Detector.version();
const stream = new DetectorStream({ input: "objects", detectionTime: "event" });
export { defaults, version, stream };
