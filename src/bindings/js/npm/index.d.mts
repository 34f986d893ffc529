// ES module entry. In browsers and bundlers (the `web` build) the WebAssembly module
// must be loaded once before the first `new Detector(...)`: `await init()` fetches
// `dynamodb_scan_detector_bg.wasm` next to the module, or pass what to load
// (`{ module_or_path: url | Response | BufferSource | WebAssembly.Module }`). In Node
// the module is ready on import and `init` resolves at once.
export * from "./types.js";

/**
 * A compiled `WebAssembly.Module`. Typed structurally (the DOM's `WebAssembly.Module`
 * is an empty interface) so that these declarations need neither the DOM library nor
 * Node's types.
 */
export type CompiledModule = object;

/** What `init` and `initSync` accept: where or what the `.wasm` is. */
export type InitInput = string | URL | Response | ArrayBuffer | ArrayBufferView | CompiledModule;

/** Load and instantiate the WebAssembly module (once; later calls return at once). */
export default function init(
  moduleOrPath?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<unknown>;
export { init };
/** Instantiate the WebAssembly module synchronously from its bytes or a compiled module. */
export declare function initSync(
  module?: { module: ArrayBuffer | ArrayBufferView | CompiledModule } | ArrayBuffer | ArrayBufferView | CompiledModule,
): unknown;
