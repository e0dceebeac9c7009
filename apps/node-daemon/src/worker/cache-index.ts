import { ChunkCacheError } from "./worker-errors.js";

/** One cached chunk, as the persisted index records it. */
export interface CacheEntry {
  /** Bytes of the sealed file on disk (what the quota counts). */
  storedBytes: number;
  /** Clock time (ms) after which the entry is expired, or null for none. */
  expiresAt: number | null;
  /** Logical time of the last put or hit; the smallest is evicted first (LRU). */
  lastUsed: number;
  /** The jobs that hold this chunk; it is erased when the last one lets go. */
  jobs: string[];
}

/** The persisted state of the cache: a use counter and the entries by digest. */
export interface CacheIndex {
  useCounter: number;
  entries: Map<string, CacheEntry>;
}

const INDEX_KIND = "cyxwiz-node-cache-index";
const INDEX_VERSION = 1;
/** A chunk digest: 64 lowercase hex characters (SHA-256). */
export const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

/** The index as JSON text. */
export function serializeCacheIndex(index: CacheIndex): string {
  return JSON.stringify({
    kind: INDEX_KIND,
    version: INDEX_VERSION,
    useCounter: index.useCounter,
    entries: Object.fromEntries(index.entries),
  });
}

/**
 * Reads an index written by `serializeCacheIndex`.
 * @throws ChunkCacheError BAD_INDEX naming `path` and the entry at fault.
 */
export function parseCacheIndex(text: string, path: string): CacheIndex {
  const bad = (why: string) => new ChunkCacheError("BAD_INDEX", why, path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (typeof value !== "object" || value === null) throw bad("not a JSON object");
  const o = value as Record<string, unknown>;
  if (o.kind !== INDEX_KIND || o.version !== INDEX_VERSION) throw bad(`not a "${INDEX_KIND}" version ${INDEX_VERSION}`);
  if (!Number.isSafeInteger(o.useCounter) || (o.useCounter as number) < 0)
    throw bad('"useCounter" is not a whole number');
  if (typeof o.entries !== "object" || o.entries === null) throw bad('"entries" is not an object');
  const entries = new Map<string, CacheEntry>();
  for (const [digest, raw] of Object.entries(o.entries as Record<string, unknown>)) {
    const at = `entry ${digest}`;
    if (!DIGEST_PATTERN.test(digest)) throw bad(`${at}: not a 64-hex-digit digest`);
    const e = raw as Record<string, unknown>;
    if (typeof e !== "object" || e === null) throw bad(`${at}: not an object`);
    if (!Number.isSafeInteger(e.storedBytes) || (e.storedBytes as number) < 0) throw bad(`${at}: bad "storedBytes"`);
    if (e.expiresAt !== null && !Number.isFinite(e.expiresAt)) throw bad(`${at}: bad "expiresAt"`);
    if (!Number.isSafeInteger(e.lastUsed)) throw bad(`${at}: bad "lastUsed"`);
    if (!Array.isArray(e.jobs) || e.jobs.length === 0 || !e.jobs.every((j) => typeof j === "string" && j !== "")) {
      throw bad(`${at}: bad "jobs"`);
    }
    entries.set(digest, {
      storedBytes: e.storedBytes as number,
      expiresAt: e.expiresAt as number | null,
      lastUsed: e.lastUsed as number,
      jobs: [...(e.jobs as string[])],
    });
  }
  return { useCounter: o.useCounter as number, entries };
}
