import { loadPrimitives } from "@cyxwiz/protocol/primitives";
import { describe, expect, it } from "vitest";
import type { Primitives } from "./primitives.js";
import {
  createSealingPool,
  SealingPoolError,
  type SealReply,
  type SealRequest,
  type SpawnSealWorker,
} from "./sealing-pool.js";

const base = await loadPrimitives();
const nonce = (i: number) => new Uint8Array(12).fill(i);
const bytes = (n: number, seed: number) => new Uint8Array(n).map((_, i) => (i * 131 + seed) & 0xff);

/**
 * In-process stand-ins for worker threads, speaking the pool's message protocol over
 * structuredClone (which copies and transfers exactly as postMessage does). Replies are delayed
 * by `delay(job)` turns so tests can make them arrive out of order.
 */
function fakeWorkers(p: Primitives, options: { delay?: (job: number) => number; crashOnJob?: number } = {}) {
  const seen: { worker: number; request: SealRequest; transferred: number }[] = [];
  let spawned = 0;
  const spawn: SpawnSealWorker = (onReply, onFailure) => {
    const worker = spawned++;
    const keys = new Map<number, ReturnType<Primitives["importAesGcmKey"]>>();
    let alive = true;
    return {
      post(message, transfer) {
        const request = structuredClone(message, { transfer });
        seen.push({ worker, request, transferred: transfer.length });
        if (request.op === "key") keys.set(request.keyId, p.importAesGcmKey(request.key)); // in order, as a worker does
        void (async () => {
          if (request.op !== "seal") return;
          if (request.job === options.crashOnJob) {
            onFailure(new Error("simulated crash"));
            return;
          }
          for (let t = 0; t < (options.delay?.(request.job) ?? 0); t++) await Promise.resolve();
          const sealed = await (await keys.get(request.keyId)!).encrypt(request.nonce, request.plaintext);
          const reply: SealReply = { job: request.job, sealed: [sealed], digest: await p.sha256(sealed) };
          if (alive) onReply(structuredClone(reply));
        })();
      },
      setBusy() {},
      terminate() {
        alive = false;
      },
    };
  };
  return { spawn, seen, spawned: () => spawned };
}

describe("sealing pool", () => {
  it("seals and hashes exactly as the calling thread would, whatever order replies come back in", async () => {
    const workers = fakeWorkers(base, { delay: (job) => (job % 3) * 5 });
    const pool = createSealingPool(workers.spawn, 3);
    const pooled = pool.wrap(base);
    expect(pooled.name).toBe(`${base.name}+3 sealing workers`);
    const key = bytes(32, 9);
    const [local, remote] = await Promise.all([base.importAesGcmKey(key), pooled.importAesGcmKey(key)]);
    const inputs = Array.from({ length: 9 }, (_, i) => bytes(1000 + i * 17, i));
    const results = await Promise.all(inputs.map((plain, i) => remote.sealAndHash!(nonce(i), plain)));
    for (const [i, plain] of inputs.entries()) {
      const expected = await local.encrypt(nonce(i), plain);
      const r = results[i]!;
      expect(r.size).toBe(expected.length);
      expect(r.sealed[0]).toEqual(expected);
      expect(r.digest).toEqual(await base.sha256(expected));
      // and it opens with the pooled key's (calling-thread) decrypt
      expect(await remote.decrypt(nonce(i), expected)).toEqual(plain);
    }
    expect(await remote.encrypt(nonce(1), inputs[1]!)).toEqual(await local.encrypt(nonce(1), inputs[1]!));
    // the three workers shared the work
    const perWorker = new Set(workers.seen.filter((s) => s.request.op === "seal").map((s) => s.worker));
    expect(perWorker.size).toBe(3);
    pool.close();
  });

  it("copies what the caller keeps, and transfers only what it gives up", async () => {
    const workers = fakeWorkers(base);
    const pool = createSealingPool(workers.spawn, 1);
    const key = await pool.wrap(base).importAesGcmKey(bytes(32, 1));
    const kept = bytes(4096, 1);
    await key.sealAndHash!(nonce(0), kept);
    expect(kept.length).toBe(4096); // still the caller's
    const view = bytes(8192, 2).subarray(1024, 2048);
    await key.sealAndHash!(nonce(1), view, { consume: true }); // a view: only its bytes are copied
    expect(view.length).toBe(1024);
    const given = bytes(4096, 3);
    await key.sealAndHash!(nonce(2), given, { consume: true });
    expect(given.length).toBe(0); // detached: moved to the worker, not copied
    const seals = workers.seen.filter((s) => s.request.op === "seal");
    expect(seals.map((s) => s.transferred)).toEqual([0, 0, 1]);
    expect(seals[1]!.request.op === "seal" && seals[1]!.request.plaintext.buffer.byteLength).toBe(1024);
    pool.close();
  });

  it("a worker that fails rejects the seals in flight with a SealingPoolError, and every later one", async () => {
    const pool = createSealingPool(fakeWorkers(base, { crashOnJob: 1 }).spawn, 2);
    const key = await pool.wrap(base).importAesGcmKey(bytes(32, 1));
    const results = await Promise.allSettled([0, 1, 2].map((i) => key.sealAndHash!(nonce(i), bytes(100, i))));
    expect(results.some((r) => r.status === "rejected" && r.reason instanceof SealingPoolError)).toBe(true);
    await expect(key.sealAndHash!(nonce(5), bytes(10, 5))).rejects.toThrow(/sealing worker 1 failed: simulated crash/);
  });

  it("after close(), sealing and importing keys fail with a clear error", async () => {
    const pool = createSealingPool(fakeWorkers(base).spawn, 1);
    const pooled = pool.wrap(base);
    const key = await pooled.importAesGcmKey(bytes(32, 1));
    pool.close();
    await expect(key.sealAndHash!(nonce(0), bytes(10, 0))).rejects.toThrow(SealingPoolError);
    await expect(key.encrypt(nonce(0), bytes(10, 0))).rejects.toThrow(/sealing pool is closed/);
    await expect(pooled.importAesGcmKey(bytes(32, 2))).rejects.toThrow(/sealing pool is closed/);
  });

  it("rejects a pool size outside 1..64 and bad keys and nonces like the calling thread does", async () => {
    expect(() => createSealingPool(fakeWorkers(base).spawn, 0)).toThrow(RangeError);
    expect(() => createSealingPool(fakeWorkers(base).spawn, 1.5)).toThrow(RangeError);
    const pool = createSealingPool(fakeWorkers(base).spawn, 1);
    await expect(pool.wrap(base).importAesGcmKey(new Uint8Array(16))).rejects.toThrow(RangeError);
    const key = await pool.wrap(base).importAesGcmKey(bytes(32, 1));
    await expect(key.sealAndHash!(new Uint8Array(8), bytes(10, 0))).rejects.toThrow(RangeError);
    pool.close();
  });
});
