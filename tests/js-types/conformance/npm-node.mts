// The npm package's Node ES module entries against their hand-written declarations.
import * as nodeEntry from "../../../src/bindings/js/npm/node/index.mjs";
import type * as NodeDeclared from "../../../src/bindings/js/npm/index.mjs";
import type * as StreamDeclared from "../../../src/bindings/js/npm/stream.mjs";
import core from "../../../src/bindings/js/npm/stream-core.cjs";

export const node: Pick<typeof NodeDeclared, "Detector" | "init" | "initSync" | "default"> = nodeEntry;
// stream.mjs itself resolves to the stream.d.mts beside it (TypeScript prefers the
// declaration), so what is checked here is the shared implementation it extends: a
// stream it makes is the declared DetectorStream.
export const stream: (options: ConstructorParameters<typeof StreamDeclared.DetectorStream>[0]) => StreamDeclared.DetectorStream =
  (options) => new core.DetectorStream(options, nodeEntry.Detector);
