import type { WorkerChunkStore } from "@cyxwiz/client/worker";
import type { ChunkCache } from "./chunk-cache.js";

/**
 * The daemon's chunk cache as the worker's chunk store: chunks encrypted at rest under the node's
 * key, bounded by --max-storage, claimed per job and erased per policy (docs/node-daemon.md).
 */
export function cacheChunkStore(cache: ChunkCache): WorkerChunkStore {
  return {
    async get(digestHex) {
      const found = await cache.get(digestHex);
      return found.hit ? found.bytes : undefined;
    },
    async put(digestHex, bytes, { jobId, ttlHours }) {
      await cache.put(digestHex, bytes, { job: jobId, ttlMs: ttlHours * 3_600_000 });
    },
    async eraseJob(jobId, { secure }) {
      const report = await cache.eraseJob(jobId, { secure });
      await cache.flush();
      return { chunks: report.erased.length, overwritten: report.secure && report.erased.length > 0 };
    },
    maxBytes: cache.stats().maxBytes,
  };
}
