// The wasm-bindgen `web` build (src/bindings/js/build-npm.sh writes it, with
// --no-typescript): what web/index.js re-exports, as the package declares it.
export { Detector, default, initSync } from "../../../../../src/bindings/js/npm/index.mjs";
