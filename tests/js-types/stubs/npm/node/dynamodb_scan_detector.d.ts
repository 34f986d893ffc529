// The wasm-bindgen `nodejs` build (src/bindings/js/build-npm.sh writes it, with
// --no-typescript): CommonJS, the Detector class as the package declares it.
export { Detector } from "../../../../../src/bindings/js/npm/types";
