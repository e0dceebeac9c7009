import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deriveCacheKey, openCacheEntry, SEAL_OVERHEAD } from "./cache-sealing.js";
import { CACHE_DIR, CACHE_INDEX_FILE, type ChunkCacheOptions, openChunkCache, parseMaxStorage } from "./chunk-cache.js";
import { generateNodeIdentity, type NodeIdentity } from "./node-identity.js";
import { isChunkCacheError } from "./worker-errors.js";

let dataDir: string;
let identity: NodeIdentity;
let clock: number;
const now = () => clock;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "cyxwiz-cache-"));
  identity = generateNodeIdentity();
  clock = 1_000_000;
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function chunk(size: number, seed: number) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 17) & 0xff;
  return { bytes, digest: createHash("sha256").update(bytes).digest("hex") };
}

const open = (extra: Partial<ChunkCacheOptions> = {}) =>
  openChunkCache({ dataDir, identity, maxStorage: "1MiB", now, ...extra });

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (e) {
    if (isChunkCacheError(e)) return e;
    throw e;
  }
  throw new Error("expected a ChunkCacheError");
}

describe("chunk cache", () => {
  it("returns what was put, and only for that digest", async () => {
    const cache = await open();
    const a = chunk(5000, 1);
    await cache.put(a.digest, a.bytes, { job: "job-1", ttlMs: 60_000 });
    expect(cache.has(a.digest)).toBe(true);
    const got = await cache.get(a.digest);
    expect(got).toEqual({ hit: true, bytes: a.bytes });
    expect(await cache.get(chunk(10, 2).digest)).toEqual({ hit: false, reason: "absent" });
    expect(cache.stats()).toMatchObject({ entries: 1, storedBytes: 5000 + SEAL_OVERHEAD, hits: 1, misses: 1 });
  });

  it("keeps only ciphertext on disk, useless without the identity", async () => {
    const cache = await open();
    const text = new TextEncoder().encode("patient record 0042: ".repeat(40));
    const digest = createHash("sha256").update(text).digest("hex");
    await cache.put(digest, text, { job: "job-1" });
    const onDisk = await readFile(cache.pathOf(digest));
    expect(onDisk.includes(Buffer.from("patient record"))).toBe(false);
    expect(onDisk.includes(Buffer.from(text.subarray(0, 64)))).toBe(false);
    expect((await stat(cache.pathOf(digest))).mode & 0o777).toBe(0o600);
    // The node's own key opens it; another node's key does not.
    expect(openCacheEntry(deriveCacheKey(identity.signing.secretKey), digest, onDisk)).toEqual(text);
    expect(openCacheEntry(deriveCacheKey(generateNodeIdentity().signing.secretKey), digest, onDisk)).toBeUndefined();
    // Nor does the right key when the file is presented under another digest (AAD binds it).
    expect(openCacheEntry(deriveCacheKey(identity.signing.secretKey), chunk(1, 9).digest, onDisk)).toBeUndefined();
  });

  it("treats a file with one flipped byte as a miss and deletes it", async () => {
    const cache = await open();
    const a = chunk(4096, 3);
    await cache.put(a.digest, a.bytes, { job: "job-1" });
    const path = cache.pathOf(a.digest);
    const sealed = await readFile(path);
    sealed[100] = (sealed[100] ?? 0) ^ 0x01;
    await writeFile(path, sealed);
    expect(await cache.get(a.digest)).toEqual({ hit: false, reason: "damaged" });
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
    expect(cache.has(a.digest)).toBe(false);
    expect(cache.stats()).toMatchObject({ entries: 0, damaged: 1 });
  });

  it("evicts the least recently used chunks when over quota", async () => {
    const size = 1000;
    const cache = await open({ maxStorage: 3 * (size + SEAL_OVERHEAD) });
    const a = chunk(size, 1);
    const b = chunk(size, 2);
    const c = chunk(size, 3);
    const d = chunk(size, 4);
    for (const x of [a, b, c]) await cache.put(x.digest, x.bytes, { job: "j" });
    expect((await cache.get(a.digest)).hit).toBe(true); // a is now more recent than b and c
    await cache.put(d.digest, d.bytes, { job: "j" });
    expect(cache.has(b.digest)).toBe(false);
    expect([a, c, d].map((x) => cache.has(x.digest))).toEqual([true, true, true]);
    await expect(stat(cache.pathOf(b.digest))).rejects.toMatchObject({ code: "ENOENT" });
    expect(cache.stats()).toMatchObject({ entries: 3, storedBytes: 3 * (size + SEAL_OVERHEAD), evicted: 1 });
  });

  it("expires entries by TTL on the injected clock", async () => {
    const cache = await open();
    const a = chunk(100, 1);
    const b = chunk(100, 2);
    await cache.put(a.digest, a.bytes, { job: "j", ttlMs: 1000 });
    await cache.put(b.digest, b.bytes, { job: "j" });
    clock += 999;
    expect(cache.has(a.digest)).toBe(true);
    clock += 1;
    expect(cache.has(a.digest)).toBe(false);
    expect(await cache.get(a.digest)).toEqual({ hit: false, reason: "expired" });
    await expect(stat(cache.pathOf(a.digest))).rejects.toMatchObject({ code: "ENOENT" });
    expect((await cache.get(b.digest)).hit).toBe(true);
  });

  it("sweeps expired entries without a get", async () => {
    const cache = await open();
    const a = chunk(100, 1);
    await cache.put(a.digest, a.bytes, { job: "j", ttlMs: 10 });
    clock += 10;
    expect(await cache.sweepExpired()).toEqual([a.digest]);
    expect(await readdir(join(dataDir, CACHE_DIR))).toEqual([CACHE_INDEX_FILE]);
  });

  it("keeps its entries, recency and TTLs across a restart", async () => {
    const first = await open({ maxStorage: 2 * (100 + SEAL_OVERHEAD) });
    const a = chunk(100, 1);
    const b = chunk(100, 2);
    const c = chunk(100, 3);
    await first.put(a.digest, a.bytes, { job: "j", ttlMs: 5000 });
    await first.put(b.digest, b.bytes, { job: "j" });
    await first.get(a.digest); // a becomes most recent
    await first.flush();

    const second = await open({ maxStorage: 2 * (100 + SEAL_OVERHEAD) });
    expect(await second.get(a.digest)).toEqual({ hit: true, bytes: a.bytes });
    await second.put(c.digest, c.bytes, { job: "j" });
    expect(second.has(b.digest)).toBe(false); // the LRU order survived the restart
    clock += 5000;
    const third = await open();
    expect(third.has(a.digest)).toBe(false); // and so did the TTL
    expect(third.has(c.digest)).toBe(true);
  });

  it("cleans up after a crash: unlisted chunk files and temp files go, listed files that vanished are dropped", async () => {
    const cache = await open();
    const a = chunk(100, 1);
    const b = chunk(100, 2);
    await cache.put(a.digest, a.bytes, { job: "j" });
    await cache.put(b.digest, b.bytes, { job: "j" });
    const dir = join(dataDir, CACHE_DIR);
    await writeFile(join(dir, `${chunk(5, 5).digest}.chunk`), "orphan");
    await writeFile(join(dir, "index.json.abc.tmp"), "torn");
    await rm(cache.pathOf(b.digest));
    const reopened = await open();
    expect((await readdir(dir)).sort()).toEqual([`${a.digest}.chunk`, CACHE_INDEX_FILE].sort());
    expect(reopened.stats().entries).toBe(1);
  });

  it("erases a job's chunks, keeps those another job holds, and overwrites before unlinking when secure", async () => {
    const seen = new Map<string, Buffer>();
    const cache = await open({
      beforeSecureUnlink: async (path) => {
        seen.set(path, await readFile(path));
      },
    });
    const a = chunk(3000, 1);
    const shared = chunk(3000, 2);
    const other = chunk(3000, 3);
    await cache.put(a.digest, a.bytes, { job: "job-1" });
    await cache.put(shared.digest, shared.bytes, { job: "job-1" });
    await cache.put(shared.digest, shared.bytes, { job: "job-2" });
    await cache.put(other.digest, other.bytes, { job: "job-2" });
    const sealedBefore = await readFile(cache.pathOf(a.digest));

    const report = await cache.eraseJob("job-1", { secure: true });
    expect(report).toEqual({
      erased: [a.digest],
      erasedBytes: 3000 + SEAL_OVERHEAD,
      released: [shared.digest],
      secure: true,
    });
    const overwritten = seen.get(cache.pathOf(a.digest));
    expect(overwritten?.length).toBe(sealedBefore.length);
    expect(overwritten?.equals(sealedBefore)).toBe(false);
    expect(openCacheEntry(deriveCacheKey(identity.signing.secretKey), a.digest, overwritten!)).toBeUndefined();
    await expect(stat(cache.pathOf(a.digest))).rejects.toMatchObject({ code: "ENOENT" });
    expect((await cache.get(shared.digest)).hit).toBe(true);

    const plain = await cache.eraseJob("job-2", { secure: false });
    expect(plain.erased.sort()).toEqual([shared.digest, other.digest].sort());
    expect(seen.size).toBe(1); // a plain erase does not overwrite
    expect((await open()).stats().entries).toBe(0);
  });

  it("refuses bad input with typed errors and leaves the cache unchanged", async () => {
    const cache = await open({ maxStorage: 2000 });
    const a = chunk(100, 1);
    await cache.put(a.digest, a.bytes, { job: "j" });
    const indexBefore = await readFile(join(dataDir, CACHE_DIR, CACHE_INDEX_FILE), "utf8");

    expect((await refusal(cache.put("ABC", a.bytes, { job: "j" }))).code).toBe("BAD_DIGEST");
    expect((await refusal(cache.get(a.digest.toUpperCase()))).code).toBe("BAD_DIGEST");
    const wrong = await refusal(cache.put(chunk(100, 2).digest, a.bytes, { job: "j" }));
    expect(wrong.code).toBe("DIGEST_MISMATCH");
    const big = chunk(2000, 3);
    expect((await refusal(cache.put(big.digest, big.bytes, { job: "j" }))).code).toBe("TOO_LARGE");
    expect((await refusal(cache.put(a.digest, a.bytes, { job: "" }))).code).toBe("BAD_OPTION");
    expect((await refusal(cache.put(a.digest, a.bytes, { job: "j", ttlMs: -1 }))).code).toBe("BAD_OPTION");
    expect((await refusal(cache.eraseJob("", { secure: true }))).code).toBe("BAD_OPTION");

    expect(await readFile(join(dataDir, CACHE_DIR, CACHE_INDEX_FILE), "utf8")).toBe(indexBefore);
    expect(await readdir(join(dataDir, CACHE_DIR))).toHaveLength(2);
    expect((await cache.get(a.digest)).hit).toBe(true);
  });

  it("refuses a malformed index, naming the file, and deletes nothing", async () => {
    const cache = await open();
    const a = chunk(100, 1);
    await cache.put(a.digest, a.bytes, { job: "j" });
    const indexPath = join(dataDir, CACHE_DIR, CACHE_INDEX_FILE);
    const index = JSON.parse(await readFile(indexPath, "utf8"));
    index.entries[a.digest].jobs = [];
    await writeFile(indexPath, JSON.stringify(index));
    const e = await refusal(open());
    expect(e.code).toBe("BAD_INDEX");
    expect(e.message).toContain(indexPath);
    expect(e.message).toContain(`entry ${a.digest}`);
    await writeFile(indexPath, "{");
    expect((await refusal(open())).code).toBe("BAD_INDEX");
    expect((await stat(cache.pathOf(a.digest))).isFile()).toBe(true);
  });

  it("parses --max-storage with the shared byte-size parser and refuses nonsense", async () => {
    expect(parseMaxStorage("10GiB")).toBe(10 * 2 ** 30);
    expect(parseMaxStorage("512MB")).toBe(512e6);
    for (const bad of ["", "ten", "-5MB", "0"]) {
      expect(() => parseMaxStorage(bad)).toThrow(/--max-storage/);
    }
    expect((await refusal(open({ maxStorage: "lots" }))).code).toBe("BAD_OPTION");
  });
});
