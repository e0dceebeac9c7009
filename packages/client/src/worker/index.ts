/**
 * `@cyxwiz/client/worker`: a worker of the compute plane, the same in Node (`cyxwiz daemon`) and
 * in a browser's Web Worker (docs/compute.md, docs/node-daemon.md). Hand-picked exports (STYLE §4).
 */
export { createMemoryChunkStore } from "./memory-chunk-store.js";
export { leafProofHolds } from "./merkle-leaf-check.js";
export { runWorker } from "./run-worker.js";
export { describeWorkerEvent, type WorkerEvent, type WorkerEventType } from "./worker-events.js";
export type { WorkerCapacity, WorkerChunkStore, WorkerIdentity, WorkerOptions } from "./worker-options.js";
