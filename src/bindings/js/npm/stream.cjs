// @ts-check
'use strict';
// The Node stream helper for `require` (see stream-core.cjs), around the CommonJS build.
const core = require('./stream-core.cjs');
const { Detector } = require('./node/index.cjs');

/** @import { DetectorStreamOptions } from './stream' */

class DetectorStream extends core.DetectorStream {
  /** @param {DetectorStreamOptions} [options] */
  constructor(options) {
    super(options, Detector);
  }
}

/**
 * `new DetectorStream(options)`.
 * @param {DetectorStreamOptions} [options]
 */
function createDetectorStream(options) {
  return new DetectorStream(options);
}

module.exports = { DetectorStream, createDetectorStream };
