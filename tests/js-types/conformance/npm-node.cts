// The npm package's Node JavaScript against its hand-written declarations: what tsc
// infers from each CommonJS entry must be what the declarations promise to users.
import nodeEntry = require("../../../src/bindings/js/npm/node/index.cjs");
import streamEntry = require("../../../src/bindings/js/npm/stream.cjs");
import type * as NodeDeclared from "../../../src/bindings/js/npm/index";
import type * as StreamDeclared from "../../../src/bindings/js/npm/stream";

export const node: Pick<typeof NodeDeclared, "Detector" | "init" | "initSync"> = nodeEntry;
export const stream: typeof StreamDeclared = streamEntry;
