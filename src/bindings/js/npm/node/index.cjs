// @ts-check
'use strict';
// Node, CommonJS. The wasm-bindgen `nodejs` build next to this file reads and
// instantiates the WebAssembly module synchronously when it is required, so the
// detector is ready at once; `init` and `initSync` only exist so that code written
// for the browser entry (`await init()`) runs unchanged in Node.
const bindings = require('./dynamodb_scan_detector.js');

exports.Detector = bindings.Detector;
exports.init = async function init() {};
exports.initSync = function initSync() {};
