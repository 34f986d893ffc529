// The npm package's Node ES module entries against their hand-written declarations.
import * as nodeEntry from "../../../src/bindings/js/npm/node/index.mjs";
import * as streamEntry from "../../../src/bindings/js/npm/stream.mjs";
import type * as NodeDeclared from "../../../src/bindings/js/npm/index.mjs";
import type * as StreamDeclared from "../../../src/bindings/js/npm/stream.js";

export const node: Pick<typeof NodeDeclared, "Detector" | "init" | "initSync" | "default"> = nodeEntry;
// Only the named exports: stream.d.ts also types `import` of `./stream`, and as the
// package has no "type": "module" it reads as CommonJS, so it also promises a default
// export that stream.mjs does not have (a stream.d.mts would say it exactly).
export const stream: Pick<typeof StreamDeclared, "DetectorStream" | "createDetectorStream"> = streamEntry;
