// @ts-check
// Node, ES module: wasm-bindgen's Node ES module glue next to this file reads and
// instantiates the WebAssembly module when it is imported, so the detector is ready at
// once; `init` and `initSync` only exist so that code written for the browser entry
// (`await init()`) runs unchanged in Node. The glue finds the .wasm through
// `new URL(…, import.meta.url)`, which bundlers building for servers recognise and ship.
// `require` gets the CommonJS build (index.cjs): a program that uses both loads two
// instances, whose classes are distinct.
import { Detector } from './dynamodb_scan_detector.mjs';

export { Detector };
export const init = async function init() {};
export const initSync = function initSync() {};
export default init;
