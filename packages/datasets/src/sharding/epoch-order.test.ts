import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { epochOrder, epochSteps, resumePoint, sliceLength, workerSlice } from "./epoch-order.js";
import { isShardingError } from "./sharding-error.js";

describe("epochOrder", () => {
  it("matches the reference orders in docs/sharding.md", () => {
    expect([...epochOrder(10, 42, 0)]).toEqual(REFERENCE_42_0);
    expect([...epochOrder(10, 42, 1)]).toEqual(REFERENCE_42_1);
  });

  it("is a permutation, a function of (numSamples, seed, epoch) alone, and differs between epochs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.nat(), fc.nat(1000), (n, seed, epoch) => {
        const order = epochOrder(n, seed, epoch);
        expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(epochOrder(n, seed, epoch)).toEqual(order);
        if (n >= 20) expect(epochOrder(n, seed, epoch + 1)).not.toEqual(order);
      }),
      { numRuns: 60 },
    );
  });

  it("puts each sample first about equally often across seeds (an unbiased shuffle)", () => {
    const firsts = new Array(5).fill(0);
    for (let seed = 0; seed < 5000; seed++) firsts[epochOrder(5, seed, 0)[0]!]++;
    for (const c of firsts) expect(Math.abs(c - 1000)).toBeLessThan(150); // ~5 sigma
  });

  it("refuses a bad sample count, seed or epoch", () => {
    for (const [n, seed, epoch] of [
      [-1, 0, 0],
      [1.5, 0, 0],
      [10, -1, 0],
      [10, 0, 0.5],
    ] as const) {
      try {
        epochOrder(n, seed, epoch);
        expect.fail(`(${n}, ${seed}, ${epoch}) must be refused`);
      } catch (e) {
        expect(isShardingError(e) && e.code).toBe("CYXW_ERR_SHARD_ARGUMENT");
      }
    }
  });
});

describe("workerSlice (elastic epochs)", () => {
  it("deals the rest of the order like cards, slices within one in length", () => {
    const order = epochOrder(10, 7, 3);
    const slices = [0, 1, 2].map((worker) => [
      ...workerSlice({ numSamples: 10, seed: 7, epoch: 3, start: 2, workers: 3, worker }),
    ]);
    expect(slices).toEqual([
      [order[2], order[5], order[8]],
      [order[3], order[6], order[9]],
      [order[4], order[7]],
    ]);
    expect([0, 1, 2].map((w) => sliceLength(8, 3, w))).toEqual([3, 3, 2]);
  });

  it("sees every sample exactly once in an epoch resized mid-way (any worker counts, any resume step)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.nat(),
        fc.nat(50),
        fc.array(fc.record({ workers: fc.integer({ min: 1, max: 9 }), steps: fc.integer({ min: 0, max: 30 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 1, max: 8 }),
        (numSamples, seed, epoch, phases, batch) => {
          const seen = new Array<number>(numSamples).fill(0);
          let start = 0;
          // Each phase runs `steps` synchronous steps of `batch` samples per worker, then the job
          // checkpoints and resumes with the next phase's worker count; the last phase runs to the end.
          phases.forEach(({ workers, steps }, p) => {
            const last = p === phases.length - 1;
            const run = last ? epochSteps(numSamples, start, workers, batch) : steps;
            const consumed = Array.from({ length: workers }, (_, worker) => {
              const slice = workerSlice({ numSamples, seed, epoch, start, workers, worker });
              const taken = slice.subarray(0, Math.min(slice.length, run * batch));
              for (const i of taken) seen[i]!++;
              return taken.length;
            });
            start = resumePoint(numSamples, start, consumed);
          });
          expect(start).toBe(numSamples);
          expect(seen.every((c) => c === 1)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("resumePoint is where the first unconsumed sample lies; epochSteps covers the longest slice", () => {
    expect(resumePoint(10, 0, [2, 2, 2])).toBe(6);
    expect(resumePoint(10, 0, [4, 3, 3])).toBe(10);
    expect(resumePoint(10, 2, [1, 0, 1])).toBe(3);
    expect(epochSteps(10, 0, 3, 2)).toBe(2);
    expect(epochSteps(10, 10, 3, 2)).toBe(0);
    expect(() => resumePoint(10, 0, [5, 0, 0])).toThrow(/worker 0 consumed 5 of a 4-sample slice/);
    expect(() => workerSlice({ numSamples: 10, seed: 1, epoch: 0, start: 0, workers: 2, worker: 2 })).toThrow(
      /worker 2 is not in \[0, 2\)/,
    );
    expect(() => workerSlice({ numSamples: 10, seed: 1, epoch: 0, start: 11, workers: 2, worker: 0 })).toThrow(
      /resume point 11/,
    );
    expect(() => epochSteps(10, 0, 0, 2)).toThrow(/workers is 0/);
  });
});

// Computed independently in Python (hashlib + OpenSSL's ChaCha20 via `cryptography`); the script
// is in docs/sharding.md, "Elastic epochs".
const REFERENCE_42_0 = [2, 4, 0, 1, 6, 8, 5, 3, 9, 7];
const REFERENCE_42_1 = [0, 2, 7, 3, 6, 9, 5, 8, 1, 4];
