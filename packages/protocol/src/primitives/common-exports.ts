/** What both entry points of `@cyxwiz/protocol/primitives` export besides their own `loadPrimitives`. */
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
