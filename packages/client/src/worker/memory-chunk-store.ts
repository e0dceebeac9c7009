import type { WorkerChunkStore } from "./worker-options.js";

/**
 * The default chunk store: chunks in memory for the worker's lifetime, shared by jobs, with each
 * job's claim tracked so eraseJob frees exactly what no other job holds. A browser tab has no
 * disk to keep them on; "overwritten" is reported true when `secure`, as the bytes are zeroed.
 */
export function createMemoryChunkStore(): WorkerChunkStore {
  const chunks = new Map<string, { bytes: Uint8Array; jobs: Set<string> }>();
  return {
    async get(digestHex) {
      return chunks.get(digestHex)?.bytes;
    },
    async put(digestHex, bytes, { jobId }) {
      const entry = chunks.get(digestHex);
      if (entry !== undefined) entry.jobs.add(jobId);
      else chunks.set(digestHex, { bytes: bytes.slice(), jobs: new Set([jobId]) });
    },
    async eraseJob(jobId, { secure }) {
      let erased = 0;
      for (const [digest, entry] of chunks) {
        if (!entry.jobs.delete(jobId) || entry.jobs.size > 0) continue;
        if (secure) entry.bytes.fill(0);
        chunks.delete(digest);
        erased++;
      }
      return { chunks: erased, overwritten: secure && erased > 0 };
    },
  };
}
