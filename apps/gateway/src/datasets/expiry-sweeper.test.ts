import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../config.js";
import type { ExpiredVersion, ExpiryResult } from "../store/index.js";
import { createDigestLocks } from "../transfers/digest-locks.js";
import { createExpirySweeper, EXPIRY_ACTOR, type ExpirySweeperOptions } from "./expiry-sweeper.js";

// The sweeper's own behaviour over a stand-in store (the real store's deleteExpired is tested in
// store/dataset-policy.test.ts, the whole path in dataset-policy.test.ts): batches until nothing
// is due, blobs released, every deletion audited, a timer that never doubles a sweep.

afterEach(() => {
  vi.useRealTimers();
});

function stub(due: ExpiredVersion[], options: { failFirst?: boolean } = {}) {
  const asked: Date[] = [];
  const audited: { actor: string; action: string; subject: string }[] = [];
  const deletedBlobs: string[] = [];
  const errors: unknown[] = [];
  let fail = options.failFirst === true;
  const deps = {
    store: {
      datasets: {
        async deleteExpired(now: Date, limit: number): Promise<ExpiryResult> {
          asked.push(now);
          if (fail) {
            fail = false;
            throw new Error("database away");
          }
          const batch = due.filter((v) => v.expiresAt <= now).splice(0, limit);
          for (const v of batch) due.splice(due.indexOf(v), 1);
          return { deleted: batch, unreferencedDigests: batch.map((v) => new Uint8Array([v.version])) };
        },
      },
      transfers: { isDigestReferenced: async (d: Uint8Array) => d[0] === 2 },
      audit: {
        append: async (e: { actor: string; action: string; subject: string }) => void audited.push(e),
      },
    },
    blobs: {
      async delete(d: Uint8Array) {
        deletedBlobs.push(String(d[0]));
        return true;
      },
    },
    digestLocks: createDigestLocks(),
    log: { info: () => undefined, error: (o: { err: unknown }) => void errors.push(o.err) },
  } as unknown as ExpirySweeperOptions["deps"];
  return { deps, asked, audited, deletedBlobs, errors };
}

const version = (n: number, at: Date): ExpiredVersion => ({ owner: "ada", name: "set", version: n, expiresAt: at });

describe("the expiry sweeper", () => {
  it("deletes what is due at the clock's time, in batches, releasing unshared blobs and auditing each", async () => {
    const t0 = new Date("2030-01-01T00:00:00Z");
    const later = new Date("2030-02-01T00:00:00Z");
    const due = [...Array(250)].map((_, i) => version(i + 1, t0));
    due.push(version(999, later));
    const s = stub(due);
    let now = t0;
    const sweeper = createExpirySweeper({ deps: s.deps, intervalMs: 1000, now: () => now });
    const result = await sweeper.sweepOnce();
    expect(result.deleted).toHaveLength(250);
    expect(s.asked).toEqual([t0, t0, t0]); // 100 + 100 + 50: the last short batch ends the sweep
    expect(s.audited).toHaveLength(250);
    expect(s.audited[0]).toMatchObject({
      actor: EXPIRY_ACTOR,
      action: "dataset.expire",
      subject: "dataset:ada/set@v1",
    });
    // Digest [2] is still referenced elsewhere: its blob stays.
    expect(s.deletedBlobs).not.toContain("2");
    expect(result.blobsDeleted).toBe(249);
    expect(due.map((v) => v.version)).toEqual([999]);
    now = later;
    expect((await sweeper.sweepOnce()).deleted.map((v) => v.version)).toEqual([999]);
  });

  it("sweeps at start and every interval on its timer, logs a failed sweep and tries again", async () => {
    vi.useFakeTimers();
    const at = new Date("2030-01-01T00:00:00Z");
    const s = stub([version(1, at)], { failFirst: true });
    const sweeper = createExpirySweeper({ deps: s.deps, intervalMs: 60_000, now: () => at });
    sweeper.start();
    sweeper.start(); // once is enough
    await vi.advanceTimersByTimeAsync(0);
    expect(s.asked).toHaveLength(1);
    expect(s.errors).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(s.asked).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.asked).toHaveLength(2);
    expect(s.audited).toHaveLength(1);
    await sweeper.stop();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(s.asked).toHaveLength(2);
  });

  it("runs one sweep at a time: a second call while one runs gets the same sweep", async () => {
    const at = new Date("2030-01-01T00:00:00Z");
    const s = stub([version(1, at)]);
    const sweeper = createExpirySweeper({ deps: s.deps, intervalMs: 1000, now: () => at });
    const [a, b] = await Promise.all([sweeper.sweepOnce(), sweeper.sweepOnce()]);
    expect(a).toBe(b);
    expect(s.asked).toHaveLength(1);
  });

  it("takes its interval from CYXWIZ_EXPIRY_SWEEP_SECONDS", () => {
    expect(loadConfig({}).expirySweepSeconds).toBe(300);
    expect(loadConfig({ CYXWIZ_EXPIRY_SWEEP_SECONDS: "30" }).expirySweepSeconds).toBe(30);
    expect(() => loadConfig({ CYXWIZ_EXPIRY_SWEEP_SECONDS: "0" })).toThrow(
      /CYXWIZ_EXPIRY_SWEEP_SECONDS must be an integer from 1 to 86400/,
    );
  });
});
