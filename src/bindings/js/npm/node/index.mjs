// @ts-check
// Node, ES module: the same CommonJS build as `require` gets (one module instance,
// one Detector class), with the browser entry's `init` as a no-op default export.
import bindings from './index.cjs';

export const Detector = bindings.Detector;
export const initSync = bindings.initSync;
export const init = bindings.init;
export default init;
