import { createNodePrimitives } from "./node-primitives.js";
import type { Primitives } from "./primitives.js";

export { createNodePrimitives } from "./node-primitives.js";
export type { AesGcmKey, Primitives, SealedAndHashed, Sha256Stream } from "./primitives.js";
export {
  createSealingPool,
  type SealingPool,
  SealingPoolError,
  type SealReply,
  type SealRequest,
  type SealWorkerPort,
  type SpawnSealWorker,
} from "./sealing-pool.js";
export { createWebPrimitives } from "./web-primitives.js";
export { canSealInWebWorkers, createWebSealingPool } from "./web-sealing-pool.js";

let shared: Promise<Primitives> | undefined;

/** The runtime's fastest primitives (this entry: Node, `node:crypto` + `zlib`), created once. */
export function loadPrimitives(): Promise<Primitives> {
  shared ??= createNodePrimitives();
  return shared;
}
