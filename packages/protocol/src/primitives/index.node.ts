import { createNodePrimitives } from "./node-primitives.js";
import type { Primitives } from "./primitives.js";

export * from "./common-exports.js";
export { createNodePrimitives } from "./node-primitives.js";

let shared: Promise<Primitives> | undefined;

/** The runtime's fastest primitives (this entry: Node, `node:crypto` + `zlib`), created once. */
export function loadPrimitives(): Promise<Primitives> {
  shared ??= createNodePrimitives();
  return shared;
}
