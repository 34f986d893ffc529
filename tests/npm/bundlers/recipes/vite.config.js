export default {
  // Only for the dev server of Vite 7 and older, which otherwise pre-bundles the
  // package into .vite/deps and serves the .wasm from there as HTML.
  optimizeDeps: { exclude: ['dynamodb-scan-detector'] },
};
