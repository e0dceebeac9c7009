import { describe, expect, it } from "vitest";
import { createDigestLocks } from "./digest-locks.js";
import { releaseBlobs } from "./release-blobs.js";

const digest = (n: number) => new Uint8Array(32).fill(n);
const tick = () => new Promise((r) => setTimeout(r, 1));

describe("digest locks", () => {
  it("runs work on one digest one at a time, in order, and work on other digests freely", async () => {
    const locks = createDigestLocks();
    const log: string[] = [];
    let release: () => void = () => {};
    const held = locks.run(digest(1), async () => {
      log.push("a start");
      await new Promise<void>((r) => (release = r));
      log.push("a end");
    });
    const queued = locks.run(digest(1), async () => log.push("b"));
    const other = locks.run(digest(2), async () => log.push("other digest"));
    await other;
    await tick();
    expect(log).toEqual(["a start", "other digest"]);
    release();
    await Promise.all([held, queued]);
    expect(log).toEqual(["a start", "other digest", "a end", "b"]);
  });

  it("a failing holder passes its error to its caller and still lets the next one run", async () => {
    const locks = createDigestLocks();
    await expect(locks.run(digest(3), async () => Promise.reject(new Error("disk full")))).rejects.toThrow("disk full");
    expect(await locks.run(digest(3), async () => 42)).toBe(42);
  });
});

describe("releasing blobs while the same bytes are stored again", () => {
  /** A blob store and chunk records in memory; storing takes as long as the test says. */
  function world() {
    const blobs = new Set<string>();
    const records = new Set<string>();
    const key = (d: Uint8Array) => Buffer.from(d).toString("hex");
    const deps = {
      digestLocks: createDigestLocks(),
      blobs: {
        async delete(d: Uint8Array) {
          return blobs.delete(key(d));
        },
      },
      store: {
        transfers: {
          async isDigestReferenced(d: Uint8Array) {
            return records.has(key(d));
          },
        },
      },
    };
    /** The hub's store step: the blob is found or written, then the chunk recorded. */
    const store = (d: Uint8Array, beforeRecord: Promise<void>) =>
      deps.digestLocks.run(d, async () => {
        blobs.add(key(d)); // found there, or written
        await beforeRecord;
        records.add(key(d));
      });
    return { blobs, records, key, deps, store };
  }

  it("a release that starts while the chunk is being stored keeps the blob", async () => {
    const w = world();
    const d = digest(7);
    w.blobs.add(w.key(d)); // another dataset's copy, about to be deleted
    let recorded: () => void = () => {};
    const storing = w.store(d, new Promise<void>((r) => (recorded = r)));
    // the deleted dataset's rows are gone and d looked unreferenced: release it now
    const releasing = releaseBlobs(w.deps as never, [d]);
    await tick();
    recorded();
    await storing;
    expect(await releasing).toBe(0);
    expect(w.blobs.has(w.key(d))).toBe(true);
  });

  it("a release before the store deletes the blob, and the store writes it again", async () => {
    const w = world();
    const d = digest(8);
    w.blobs.add(w.key(d));
    expect(await releaseBlobs(w.deps as never, [d])).toBe(1);
    expect(w.blobs.has(w.key(d))).toBe(false);
    await w.store(d, Promise.resolve());
    expect(w.blobs.has(w.key(d))).toBe(true);
    expect(await releaseBlobs(w.deps as never, [d])).toBe(0); // now referenced
  });
});
