import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { parseByteSize } from "@cyxwiz/protocol/units";
import {
  type CacheEntry,
  type CacheIndex,
  DIGEST_PATTERN,
  parseCacheIndex,
  serializeCacheIndex,
} from "./cache-index.js";
import { deriveCacheKey, openCacheEntry, SEAL_OVERHEAD, sealCacheEntry } from "./cache-sealing.js";
import { overwriteAndUnlink, TEMP_SUFFIX, writeFileDurably } from "./durable-file.js";
import type { NodeIdentity } from "./node-identity.js";
import { ChunkCacheError } from "./worker-errors.js";

/** The cache's folder inside the daemon's data directory, and its files. */
export const CACHE_DIR = "chunk-cache";
export const CACHE_INDEX_FILE = "index.json";
const CHUNK_SUFFIX = ".chunk";

export interface ChunkCacheOptions {
  /** The daemon's data directory; the cache lives in `<dataDir>/chunk-cache/`. */
  dataDir: string;
  /** The node identity whose Ed25519 secret key the cache key is derived from. */
  identity: NodeIdentity;
  /** The byte quota of the sealed files: a number, or a size as typed for `--max-storage` ("10GiB"). */
  maxStorage: number | string;
  /** The clock for TTLs, in ms (default `Date.now`); tests hand in their own. */
  now?: () => number;
  /** Runs after a secure erase has overwritten and fsynced a file, before it is unlinked. */
  beforeSecureUnlink?: (path: string) => Promise<void> | void;
}

export interface PutOptions {
  /** The job this chunk was downloaded for (eraseJob removes it). */
  job: string;
  /** How long the chunk may be served, in ms; omitted: until evicted or erased. */
  ttlMs?: number;
}

/** The answer of `get`: the verified plaintext, or why there is none. */
export type CacheLookup = { hit: true; bytes: Uint8Array } | { hit: false; reason: "absent" | "expired" | "damaged" };

/** What `eraseJob` did. */
export interface EraseReport {
  /** Digests whose files were deleted (no other job held them). */
  erased: string[];
  /** Bytes of the deleted files. */
  erasedBytes: number;
  /** Digests kept because another job still holds them (this job's claim was removed). */
  released: string[];
  /** Whether the deleted files were overwritten with random bytes and fsynced first. */
  secure: boolean;
}

export interface CacheStats {
  entries: number;
  storedBytes: number;
  maxBytes: number;
  hits: number;
  misses: number;
  evicted: number;
  expired: number;
  damaged: number;
}

/**
 * Parses a `--max-storage` value with `parseByteSize` ("512MiB", "10GB", "1073741824").
 * @throws ChunkCacheError BAD_OPTION naming the option and the text.
 */
export function parseMaxStorage(text: string): number {
  const bytes = parseByteSize(text);
  if (bytes === undefined || bytes <= 0) {
    throw new ChunkCacheError("BAD_OPTION", `--max-storage "${text}" is not a positive size such as 512MiB or 10GB`);
  }
  return bytes;
}

/**
 * Opens (or creates) the chunk cache in `<dataDir>/chunk-cache/` (docs/node-daemon.md). Left-over
 * temporary files and chunk files the index does not list (a crash between the two writes) are
 * deleted; index entries whose file is gone, or that have expired, are dropped.
 *
 * @throws ChunkCacheError BAD_OPTION for a bad quota, BAD_INDEX for a malformed index (nothing is
 *   deleted then), CACHE_IO when the folder cannot be read or created.
 */
export async function openChunkCache(options: ChunkCacheOptions): Promise<ChunkCache> {
  const maxBytes = typeof options.maxStorage === "string" ? parseMaxStorage(options.maxStorage) : options.maxStorage;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new ChunkCacheError(
      "BAD_OPTION",
      `max storage ${String(options.maxStorage)} is not a positive whole number of bytes`,
    );
  }
  const dir = join(options.dataDir, CACHE_DIR);
  const indexPath = join(dir, CACHE_INDEX_FILE);
  let index: CacheIndex;
  let names: string[];
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    index = await readIndex(indexPath);
    names = await readdir(dir);
  } catch (e) {
    if (e instanceof Error && e.name === "ChunkCacheError") throw e;
    throw new ChunkCacheError("CACHE_IO", `cannot open the cache: ${errnoText(e)}`, dir);
  }
  const cache = new ChunkCache(
    dir,
    indexPath,
    index,
    deriveCacheKey(options.identity.signing.secretKey),
    maxBytes,
    options,
  );
  await cache.recover(names);
  return cache;
}

async function readIndex(path: string): Promise<CacheIndex> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { useCounter: 0, entries: new Map() };
    throw e;
  }
  return parseCacheIndex(text, path);
}

/**
 * An on-disk cache of downloaded chunks keyed by their SHA-256 digest, sealed with AES-256-GCM
 * under a key derived from the node identity, bounded by a byte quota (LRU eviction) and by
 * per-entry TTLs. Operations run one at a time; every change to the index is written durably
 * before the call returns, except the recency of hits, which is written with the next change or
 * `flush()`.
 */
export class ChunkCache {
  readonly #now: () => number;
  readonly #beforeSecureUnlink: ChunkCacheOptions["beforeSecureUnlink"];
  #queue: Promise<unknown> = Promise.resolve();
  #dirty = false;
  #counts = { hits: 0, misses: 0, evicted: 0, expired: 0, damaged: 0 };

  /** @internal use `openChunkCache`. */
  constructor(
    private readonly dir: string,
    private readonly indexPath: string,
    private readonly index: CacheIndex,
    private readonly key: Uint8Array,
    private readonly maxBytes: number,
    options: ChunkCacheOptions,
  ) {
    this.#now = options.now ?? Date.now;
    this.#beforeSecureUnlink = options.beforeSecureUnlink;
  }

  /** @internal the start-up clean-up of `openChunkCache`. */
  async recover(names: string[]): Promise<void> {
    let changed = false;
    for (const name of names) {
      const digest = name.endsWith(CHUNK_SUFFIX) ? name.slice(0, -CHUNK_SUFFIX.length) : undefined;
      if (name.endsWith(TEMP_SUFFIX) || (digest !== undefined && !this.index.entries.has(digest))) {
        await unlink(join(this.dir, name)).catch(() => {});
      }
    }
    for (const digest of [...this.index.entries.keys()]) {
      const present = await stat(this.#path(digest)).then(
        () => true,
        () => false,
      );
      if (!present) {
        this.index.entries.delete(digest);
        changed = true;
      }
    }
    const expired = this.#takeExpired();
    if (changed || expired.length > 0) await this.#writeIndex();
    await this.#unlinkAll(expired);
  }

  /**
   * Stores `bytes` under `digest` for `options.job`, then evicts expired entries and, while the
   * cache is over its quota, the least recently used ones (never the chunk just stored). A chunk
   * already cached gains the job and the later expiry, and its file is not rewritten.
   *
   * @throws ChunkCacheError BAD_DIGEST, BAD_OPTION (job, ttlMs), DIGEST_MISMATCH when
   *   SHA-256(bytes) is not `digest`, TOO_LARGE when the sealed chunk alone exceeds the quota,
   *   CACHE_IO when the file cannot be written; the cache is unchanged after any of them.
   */
  async put(digest: string, bytes: Uint8Array, options: PutOptions): Promise<void> {
    checkDigest(digest);
    if (!(bytes instanceof Uint8Array)) throw new TypeError("chunk bytes must be a Uint8Array");
    if (typeof options?.job !== "string" || options.job === "") {
      throw new ChunkCacheError("BAD_OPTION", "put needs a non-empty job id");
    }
    const { job, ttlMs } = options;
    if (ttlMs !== undefined && !(Number.isFinite(ttlMs) && ttlMs > 0)) {
      throw new ChunkCacheError("BAD_OPTION", `ttlMs ${ttlMs} is not a positive number of milliseconds`);
    }
    const actual = createHash("sha256").update(bytes).digest("hex");
    if (actual !== digest) {
      throw new ChunkCacheError("DIGEST_MISMATCH", `chunk bytes hash to ${actual}, not ${digest}`);
    }
    const storedBytes = bytes.length + SEAL_OVERHEAD;
    if (storedBytes > this.maxBytes) {
      throw new ChunkCacheError(
        "TOO_LARGE",
        `a ${storedBytes}-byte sealed chunk exceeds the ${this.maxBytes}-byte quota`,
      );
    }
    return this.#serial(async () => {
      const now = this.#now();
      const expiresAt = ttlMs === undefined ? null : now + ttlMs;
      const existing = this.index.entries.get(digest);
      const expiredBefore = existing !== undefined && isExpired(existing, now);
      if (existing === undefined || expiredBefore) {
        try {
          await writeFileDurably(this.#path(digest), sealCacheEntry(this.key, digest, bytes));
        } catch (e) {
          throw new ChunkCacheError("CACHE_IO", `cannot write the chunk: ${errnoText(e)}`, this.#path(digest));
        }
        this.index.entries.set(digest, { storedBytes, expiresAt, lastUsed: this.#tick(), jobs: [job] });
      } else {
        existing.lastUsed = this.#tick();
        if (!existing.jobs.includes(job)) existing.jobs.push(job);
        existing.expiresAt =
          existing.expiresAt === null || expiresAt === null ? null : Math.max(existing.expiresAt, expiresAt);
      }
      const dropped = [...this.#takeExpired(), ...this.#takeOverQuota(digest)];
      await this.#writeIndex();
      await this.#unlinkAll(dropped);
    });
  }

  /**
   * The chunk stored under `digest`, decrypted and checked: its SHA-256 must equal the digest. A
   * file that fails either check (damaged, truncated, sealed under another key) is deleted and
   * reported as a miss, as is an expired entry. A hit makes the entry the most recently used.
   *
   * @throws ChunkCacheError BAD_DIGEST.
   */
  async get(digest: string): Promise<CacheLookup> {
    checkDigest(digest);
    return this.#serial(async (): Promise<CacheLookup> => {
      const entry = this.index.entries.get(digest);
      if (entry === undefined) {
        this.#counts.misses++;
        return { hit: false, reason: "absent" };
      }
      if (isExpired(entry, this.#now())) {
        await this.#drop([digest]);
        this.#counts.expired++;
        this.#counts.misses++;
        return { hit: false, reason: "expired" };
      }
      const sealed = await readFile(this.#path(digest)).catch(() => undefined);
      const plain = sealed === undefined ? undefined : openCacheEntry(this.key, digest, sealed);
      if (plain === undefined || createHash("sha256").update(plain).digest("hex") !== digest) {
        await this.#drop([digest]);
        this.#counts.damaged++;
        this.#counts.misses++;
        return { hit: false, reason: "damaged" };
      }
      entry.lastUsed = this.#tick();
      this.#dirty = true;
      this.#counts.hits++;
      return { hit: true, bytes: plain };
    });
  }

  /** Whether `digest` is cached and not expired (the file itself is checked only by `get`). */
  has(digest: string): boolean {
    checkDigest(digest);
    const entry = this.index.entries.get(digest);
    return entry !== undefined && !isExpired(entry, this.#now());
  }

  /**
   * Removes `job`'s claim on every chunk it holds and deletes the chunks no other job holds
   * (the data policy's erase at job end, docs/data-policy.md). With `secure`, each deleted file is
   * first overwritten with random bytes and fsynced. The index is written before any file goes, so
   * a crash midway leaves only unlisted files, which the next open deletes.
   */
  async eraseJob(job: string, options: { secure: boolean }): Promise<EraseReport> {
    if (typeof job !== "string" || job === "")
      throw new ChunkCacheError("BAD_OPTION", "eraseJob needs a non-empty job id");
    return this.#serial(async () => {
      const erased: string[] = [];
      const released: string[] = [];
      let erasedBytes = 0;
      for (const [digest, entry] of this.index.entries) {
        if (!entry.jobs.includes(job)) continue;
        entry.jobs = entry.jobs.filter((j) => j !== job);
        if (entry.jobs.length > 0) {
          released.push(digest);
        } else {
          erased.push(digest);
          erasedBytes += entry.storedBytes;
        }
      }
      for (const digest of erased) this.index.entries.delete(digest);
      if (erased.length > 0 || released.length > 0) await this.#writeIndex();
      for (const digest of erased) {
        if (options.secure) {
          await overwriteAndUnlink(this.#path(digest), this.#beforeSecureUnlink).catch(ignoreMissing);
        } else {
          await unlink(this.#path(digest)).catch(ignoreMissing);
        }
      }
      return { erased, erasedBytes, released, secure: options.secure };
    });
  }

  /** Deletes every expired entry now; returns their digests. */
  sweepExpired(): Promise<string[]> {
    return this.#serial(async () => {
      const expired = this.#takeExpired();
      if (expired.length > 0) await this.#writeIndex();
      await this.#unlinkAll(expired);
      return expired;
    });
  }

  /** Writes the recency of hits since the last write (call before the daemon exits). */
  flush(): Promise<void> {
    return this.#serial(async () => {
      if (this.#dirty) await this.#writeIndex();
    });
  }

  /** Entry count, bytes on disk against the quota, and this session's hit, miss and removal counts. */
  stats(): CacheStats {
    let storedBytes = 0;
    for (const entry of this.index.entries.values()) storedBytes += entry.storedBytes;
    return { entries: this.index.entries.size, storedBytes, maxBytes: this.maxBytes, ...this.#counts };
  }

  /** The file a digest is sealed in (for operations and tests). */
  pathOf(digest: string): string {
    checkDigest(digest);
    return this.#path(digest);
  }

  #path(digest: string): string {
    return join(this.dir, `${digest}${CHUNK_SUFFIX}`);
  }

  #tick(): number {
    this.index.useCounter += 1;
    return this.index.useCounter;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Removes expired entries from the index; returns their digests for unlinking. */
  #takeExpired(): string[] {
    const now = this.#now();
    const gone: string[] = [];
    for (const [digest, entry] of this.index.entries) {
      if (isExpired(entry, now)) gone.push(digest);
    }
    for (const digest of gone) this.index.entries.delete(digest);
    this.#counts.expired += gone.length;
    return gone;
  }

  /** Removes least recently used entries (never `keep`) until the quota holds. */
  #takeOverQuota(keep: string): string[] {
    let total = this.stats().storedBytes;
    if (total <= this.maxBytes) return [];
    const byAge = [...this.index.entries].filter(([d]) => d !== keep).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    const gone: string[] = [];
    for (const [digest, entry] of byAge) {
      if (total <= this.maxBytes) break;
      total -= entry.storedBytes;
      this.index.entries.delete(digest);
      gone.push(digest);
    }
    this.#counts.evicted += gone.length;
    return gone;
  }

  async #drop(digests: string[]): Promise<void> {
    for (const digest of digests) this.index.entries.delete(digest);
    await this.#writeIndex();
    await this.#unlinkAll(digests);
  }

  async #unlinkAll(digests: string[]): Promise<void> {
    for (const digest of digests) await unlink(this.#path(digest)).catch(ignoreMissing);
  }

  async #writeIndex(): Promise<void> {
    await writeFileDurably(this.indexPath, serializeCacheIndex(this.index));
    this.#dirty = false;
  }
}

function isExpired(entry: CacheEntry, now: number): boolean {
  return entry.expiresAt !== null && now >= entry.expiresAt;
}

function checkDigest(digest: string): void {
  if (typeof digest !== "string" || !DIGEST_PATTERN.test(digest)) {
    throw new ChunkCacheError("BAD_DIGEST", `chunk digest ${JSON.stringify(digest)} is not 64 lowercase hex digits`);
  }
}

function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
}

function errnoText(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}
