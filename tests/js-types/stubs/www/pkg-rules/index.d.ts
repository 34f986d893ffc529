// www/pkg-rules/index.js is the web entry of the npm package's `rules` entry, copied in
// by www/build.sh: the same declarations as the package's own.
export * from "../../../../../src/bindings/js/npm/index.mjs";
export { default } from "../../../../../src/bindings/js/npm/index.mjs";
