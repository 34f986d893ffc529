export default {
  // Next.js bundles server code and points `new URL(…, import.meta.url)` there at the
  // browser's copy of the .wasm; left out of the bundle, Node loads the package itself.
  serverExternalPackages: ['dynamodb-scan-detector'],
};
