// CommonJS entry (`require('dynamodb-scan-detector')`, Node): the WebAssembly module
// is loaded synchronously on require, so `init` and `initSync` do nothing; they
// exist so that code written for the browser entry runs unchanged.
export * from "./types";

/** Nothing to do in Node: the module is ready on require. */
export declare function init(moduleOrPath?: unknown): Promise<void>;
/** Nothing to do in Node: the module is ready on require. */
export declare function initSync(module?: unknown): void;
