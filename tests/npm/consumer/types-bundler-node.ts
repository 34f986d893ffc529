// The declarations as a bundler user building for Node (a server bundle) sees them:
// every export path under `moduleResolution: "bundler"`, the stream helper included.
import init, { Detector } from "dynamodb-scan-detector";
import { createDetectorStream, DetectorStream } from "dynamodb-scan-detector/stream";
import * as web from "dynamodb-scan-detector/web";

await init();
const stream: DetectorStream = createDetectorStream({ detector: new Detector(), output: "ndjson" });
const browserBuild = new web.Detector();
browserBuild[Symbol.dispose]();
export { stream };
