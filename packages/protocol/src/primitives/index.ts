import type { Primitives } from "./primitives.js";
import { createWebPrimitives } from "./web-primitives.js";

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

/** The runtime's fastest primitives (this entry: browsers), created once and shared. */
export function loadPrimitives(): Promise<Primitives> {
  shared ??= createWebPrimitives();
  return shared;
}
