// Runs the command-line filter built for wasm32-wasip1 under Node's WASI host, with
// standard input and output as the given files: a stand-in for any WASI runtime
// (wasmtime, wasmer, WasmEdge).
// Usage: node --no-turbo-fast-api-calls --disable-warning=ExperimentalWarning tests/wasi/run-cli.mjs MODULE IN OUT -- ARGS...
import { readFile } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [module, input, output, sep, ...args] = process.argv.slice(2);
if (!module || !input || !output || sep !== '--') {
  console.error('usage: run-cli.mjs MODULE IN OUT -- ARGS...');
  process.exit(2);
}
const stdin = openSync(input, 'r');
const stdout = openSync(output, 'w');
const wasi = new WASI({
  version: 'preview1',
  args: ['dynamodb-scan-detector', ...args],
  env: {},
  // Paths given on the command line (config, state) are host paths: map the host's root.
  preopens: { '/': '/' },
  stdin,
  stdout,
  stderr: 2,
  // The module ends with proc_exit: let it end this process. (Node 20's returnOnExit
  // unwinding has been seen to crash V8 after long runs with a large memory.)
  returnOnExit: false,
});
const wasm = await WebAssembly.compile(await readFile(module));
const instance = await WebAssembly.instantiate(wasm, wasi.getImportObject());
wasi.start(instance);
// Reached only if the module returns from _start without calling proc_exit.
closeSync(stdin);
closeSync(stdout);
