// @ts-check
// Browsers and bundlers: the wasm-bindgen `web` build. Call `await init()` once
// before the first `new Detector(...)`; it fetches `dynamodb_scan_detector_bg.wasm`
// from next to this file unless told where (or given the bytes) to load it from.
export {
  Detector,
  default,
  default as init,
  initSync,
} from './dynamodb_scan_detector.js';
