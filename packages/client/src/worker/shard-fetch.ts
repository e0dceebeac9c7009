import { equalDigests } from "@cyxwiz/protocol/frame";
import type { Assignment } from "@cyxwiz/protocol/gen";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import { ClientError } from "../client-error.js";
import type { NodeSession } from "./node-session.js";
import { hexOf, openShardChunk, type ShardReading, verifyShardChunk } from "./shard-chunk-check.js";
import type { WorkerChunkStore } from "./worker-options.js";

/** Where a verified chunk of a dataset version is in the chunk store, and whether it is the last. */
export interface ChunkLocator {
  readonly digestHex: string;
  readonly last: boolean;
}

/**
 * Verified chunks seen by this worker, by version root and index: what lets a later assignment
 * find them in the chunk store (the store is keyed by digest; an Assignment names indices).
 */
export class ChunkLocators {
  readonly #map = new Map<string, ChunkLocator>();
  get(root: Uint8Array, index: number): ChunkLocator | undefined {
    return this.#map.get(`${hexOf(root)}:${index}`);
  }
  set(root: Uint8Array, index: number, locator: ChunkLocator): void {
    this.#map.set(`${hexOf(root)}:${index}`, locator);
  }
}

export interface GatherShardOptions {
  readonly session: NodeSession;
  readonly primitives: Primitives;
  readonly assignment: Assignment;
  readonly reading: ShardReading;
  readonly store: WorkerChunkStore;
  readonly locators: ChunkLocators;
  readonly onProgress: (p: { done: number; total: number; cached: number }) => void;
}

/**
 * The plaintext of each of the assignment's chunks, in its order: from the chunk store when held
 * (re-hashed against the digest it was verified under), the rest by one FetchShard call, each
 * verified (FCS, SHA-256, Merkle proof) before it is stored or opened.
 *
 * @throws ClientError CYXW_CLIENT_INTEGRITY naming a chunk that fails verification (nothing of the
 *   round is trained); CYXW_CLIENT_REFUSED when the shard's chunks exceed the store's quota;
 *   CYXW_CLIENT_PROTOCOL for a chunk not asked for, twice, or missing.
 */
export async function gatherShard(o: GatherShardOptions): Promise<Uint8Array[]> {
  const a = o.assignment;
  const total = a.chunkIndices.length;
  const stored = new Map<number, { bytes: Uint8Array; last: boolean }>();
  let cached = 0;
  let heldBytes = 0;
  for (const index of a.chunkIndices) {
    const loc = o.locators.get(a.merkleRoot, index);
    if (loc === undefined) continue;
    const bytes = await o.store.get(loc.digestHex);
    if (bytes === undefined || hexOf(await o.primitives.sha256(bytes)) !== loc.digestHex) continue;
    stored.set(index, { bytes, last: loc.last });
    heldBytes += bytes.length;
    cached++;
  }
  if (cached > 0) o.onProgress({ done: cached, total, cached });
  const missing = a.chunkIndices.filter((i) => !stored.has(i));
  if (missing.length > 0) {
    const wanted = new Set(missing);
    const cacheable = a.cacheTtlHours > 0;
    for await (const res of o.session.client.fetchShard({ jobId: a.jobId, chunkIndices: missing }, o.session.auth())) {
      const chunk = res.chunk;
      if (chunk === undefined)
        throw new ClientError("CYXW_CLIENT_PROTOCOL", "FetchShard sent an answer without a chunk");
      const i = chunk.chunkIndex;
      if (res.merkleRoot.length > 0 && !equalDigests(res.merkleRoot, a.merkleRoot))
        throw new ClientError("CYXW_CLIENT_INTEGRITY", `chunk ${i}: FetchShard's Merkle root is not the assignment's`, {
          chunkIndex: i,
        });
      if (!wanted.delete(i))
        throw new ClientError(
          "CYXW_CLIENT_PROTOCOL",
          `FetchShard sent chunk ${i}, which was not asked for (or twice)`,
          {
            chunkIndex: i,
          },
        );
      const digestHex = await verifyShardChunk(o.primitives, chunk, a.merkleRoot, a.numChunks);
      heldBytes += chunk.payload.length;
      if (o.store.maxBytes !== undefined && heldBytes > o.store.maxBytes)
        throw new ClientError(
          "CYXW_CLIENT_REFUSED",
          `the shard's chunks need at least ${heldBytes} bytes; the chunk store holds at most ${o.store.maxBytes} (--max-storage)`,
        );
      if (cacheable) await o.store.put(digestHex, chunk.payload, { jobId: a.jobId, ttlHours: a.cacheTtlHours });
      o.locators.set(a.merkleRoot, i, { digestHex, last: chunk.isLast });
      stored.set(i, { bytes: chunk.payload, last: chunk.isLast });
      o.onProgress({ done: stored.size, total, cached });
    }
    if (wanted.size > 0)
      throw new ClientError("CYXW_CLIENT_PROTOCOL", `FetchShard did not send chunks ${[...wanted].join(", ")}`);
  }
  const plaintexts: Uint8Array[] = [];
  const described = a.chunkPlainSizes.length === a.chunkIndices.length;
  for (const [k, index] of a.chunkIndices.entries()) {
    const s = stored.get(index)!;
    const plain = described ? { size: a.chunkPlainSizes[k]!, compressed: a.chunkCompressed[k] === true } : undefined;
    plaintexts.push(await openShardChunk(o.primitives, o.reading, index, s.last, s.bytes, plain));
  }
  return plaintexts;
}
