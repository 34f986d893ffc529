// @ts-check
// The Node stream helper for `import` (see stream-core.cjs), around the ES module build
// that `import … from 'dynamodb-scan-detector'` gives in Node.
import core from './stream-core.cjs';
import { Detector } from './node/index.mjs';

/** @import { DetectorStreamOptions } from './stream.mjs' */

export class DetectorStream extends core.DetectorStream {
  /** @param {DetectorStreamOptions} [options] */
  constructor(options) {
    super(options, Detector);
  }
}

/**
 * `new DetectorStream(options)`.
 * @param {DetectorStreamOptions} [options]
 */
export function createDetectorStream(options) {
  return new DetectorStream(options);
}
