// The wasm-bindgen Node ES module build (src/bindings/js/build-npm.sh writes it as
// node/dynamodb_scan_detector.mjs, with --no-typescript): the Detector class as the
// package declares it.
export { Detector } from "../../../../../src/bindings/js/npm/types.js";
