// www/pkg/index.js is the npm package's web entry, copied in by www/build.sh (with the
// wasm-bindgen build it re-exports): its declarations are the package's own.
export * from "../../../../../src/bindings/js/npm/index.mjs";
export { default } from "../../../../../src/bindings/js/npm/index.mjs";
