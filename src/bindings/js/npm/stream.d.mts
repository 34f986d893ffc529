// Node stream helper for `import` (`dynamodb-scan-detector/stream`, Node only): the same
// declarations as stream.d.ts, which `require` reads.
export * from "./stream.js";
