import { createNodePrimitives } from "./node-primitives.js";
import type { Primitives } from "./primitives.js";

export { createNodePrimitives } from "./node-primitives.js";
export type { AesGcmKey, Primitives, Sha256Stream } from "./primitives.js";
export { createWebPrimitives } from "./web-primitives.js";

let shared: Promise<Primitives> | undefined;

/** The runtime's fastest primitives (this entry: Node, `node:crypto` + `zlib`), created once. */
export function loadPrimitives(): Promise<Primitives> {
  shared ??= createNodePrimitives();
  return shared;
}
