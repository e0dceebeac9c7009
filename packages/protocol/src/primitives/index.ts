import type { Primitives } from "./primitives.js";
import { createWebPrimitives } from "./web-primitives.js";

export * from "./common-exports.js";

let shared: Promise<Primitives> | undefined;

/** The runtime's fastest primitives (this entry: browsers), created once and shared. */
export function loadPrimitives(): Promise<Primitives> {
  shared ??= createWebPrimitives();
  return shared;
}
