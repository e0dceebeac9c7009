import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inputFromColumns } from "./columns-input.js";
import { createShards, getShardIndices } from "./create-shards.js";
import { epochSteps, resumePoint, workerSlice } from "./epoch-order.js";
import { packOrder } from "./pack-order.js";
import type { CellValue, ShardingInput, ShardSpec } from "./sharding-types.js";
import { hashShardOf } from "./strategies/hash-strategy.js";
import { validateSharding } from "./validate-sharding.js";

/** A random dataset: labels (skewed classes), keys (with repeats), shard ids, and a shard count ≤ its size. */
const dataset = fc
  .record({ n: fc.integer({ min: 1, max: 300 }), classes: fc.integer({ min: 1, max: 6 }), seed: fc.nat() })
  .chain(({ n, classes, seed }) =>
    fc.record({
      n: fc.constant(n),
      seed: fc.constant(seed),
      shards: fc.integer({ min: 1, max: Math.min(n, 12) }),
      y: fc.array(
        fc.integer({ min: 0, max: classes - 1 }).map((c) => `class-${c * c}`),
        { minLength: n, maxLength: n },
      ),
      id: fc.array(fc.oneof(fc.integer({ min: 0, max: 2 * n }), fc.string({ maxLength: 4 })), {
        minLength: n,
        maxLength: n,
      }),
      partRaw: fc.array(fc.nat(), { minLength: n, maxLength: n }),
    }),
  )
  .map((d) => ({ ...d, part: d.partRaw.map((x) => x % d.shards) }));

type Dataset = typeof dataset extends fc.Arbitrary<infer T> ? T : never;

function inputOf(d: Dataset): ShardingInput {
  return inputFromColumns({
    y: d.y,
    id: d.id as CellValue[],
    part: d.part,
    f1: d.y,
    f2: d.id as CellValue[],
    f3: d.part,
  });
}

function specsOf(d: Dataset): ShardSpec[] {
  const base = { shards: d.shards, labelColumn: "y" };
  return [
    { ...base, strategy: "sample" },
    { ...base, strategy: "class-balanced", column: "y" },
    { ...base, strategy: "hash", column: "id", seed: d.seed },
    { ...base, strategy: "custom", column: "part" },
    { ...base, strategy: "feature", shards: Math.min(d.shards, 3) },
  ];
}

describe("sharding properties (fast-check)", () => {
  it("every strategy: disjoint, covering, counts true, balanced as validateSharding checks, deterministic", () => {
    fc.assert(
      fc.property(dataset, (d) => {
        const input = inputOf(d);
        for (const spec of specsOf(d)) {
          const sharding = createShards(input, spec);
          expect(validateSharding(sharding, input), spec.strategy).toEqual([]);
          expect(createShards(inputOf(d), spec), spec.strategy).toEqual(sharding);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("sample: contiguous runs in order, sizes within one", () => {
    fc.assert(
      fc.property(dataset, (d) => {
        const sharding = createShards(inputOf(d), { strategy: "sample", shards: d.shards });
        let next = 0;
        for (const s of sharding.shards) {
          expect(s.indices).toEqual([[next, next + s.count]]);
          next += s.count;
          expect(Math.abs(s.count - d.n / d.shards)).toBeLessThan(1);
        }
      }),
    );
  });

  it("class-balanced: each class within one of n_c / k in every shard, totals within one", () => {
    fc.assert(
      fc.property(dataset, (d) => {
        const sharding = createShards(inputOf(d), { strategy: "class-balanced", shards: d.shards, column: "y" });
        const totals = new Map<string, number>();
        for (const c of d.y) totals.set(c, (totals.get(c) ?? 0) + 1);
        for (const s of sharding.shards) {
          for (const [c, n] of totals) expect(Math.abs((s.labels![c] ?? 0) - n / d.shards)).toBeLessThan(1);
          expect(Math.abs(s.count - d.n / d.shards)).toBeLessThan(1);
        }
      }),
    );
  });

  it("hash: a sample's shard is the hash of its key and the seed alone; custom: the id column", () => {
    fc.assert(
      fc.property(dataset, (d) => {
        const input = inputOf(d);
        const hashed = createShards(input, { strategy: "hash", shards: d.shards, column: "id", seed: d.seed });
        const custom = createShards(input, { strategy: "custom", shards: d.shards, column: "part" });
        for (let s = 0; s < d.shards; s++) {
          for (const i of getShardIndices(hashed, s)) expect(hashShardOf(String(d.id[i]), d.seed, d.shards)).toBe(s);
          for (const i of getShardIndices(custom, s)) expect(d.part[i]).toBe(s);
        }
      }),
    );
  });

  it("packOrder: sharding the packed dataset again gives the same shards as single runs at the boundaries", () => {
    fc.assert(
      fc.property(dataset, (d) => {
        const input = inputOf(d);
        for (const spec of specsOf(d).filter((s) => s.strategy !== "feature")) {
          const sharding = createShards(input, spec);
          const { order, boundaries } = packOrder(input, spec);
          const permuted = <T>(values: readonly T[]): T[] => Array.from(order, (i) => values[i]!);
          const packed = inputFromColumns({
            y: permuted(d.y),
            id: permuted(d.id as CellValue[]),
            part: permuted(d.part),
          });
          const again = createShards(packed, spec);
          again.shards.forEach((s, k) => {
            expect(s.indices, spec.strategy).toEqual(s.count === 0 ? [] : [[boundaries[k], boundaries[k + 1]]]);
            expect(s.count).toBe(sharding.shards[k]!.count);
            expect(s.labels).toEqual(sharding.shards[k]!.labels);
            // The same samples: packed positions map back to the original shard's indices.
            expect(Array.from(getShardIndices(again, k), (p) => order[p])).toEqual([...getShardIndices(sharding, k)]);
          });
        }
      }),
      { numRuns: 100 },
    );
  });

  it("every strategy: an epoch over each shard, its workers resized mid-epoch, sees every sample exactly once", () => {
    fc.assert(
      fc.property(
        dataset,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(6),
        fc.nat(20),
        (d, before, after, steps, epoch) => {
          const input = inputOf(d);
          for (const spec of specsOf(d)) {
            const sharding = createShards(input, spec);
            const seen = new Array<number>(d.n).fill(0);
            for (const shard of sharding.shards) {
              const members = getShardIndices(sharding, shard.shard);
              const m = members.length;
              const visit = (start: number, workers: number, run: number): number => {
                const consumed = Array.from({ length: workers }, (_, worker) => {
                  const slice = workerSlice({ numSamples: m, seed: d.seed, epoch, start, workers, worker });
                  const taken = slice.subarray(0, Math.min(slice.length, run));
                  for (const p of taken) seen[members[p]!]!++;
                  return taken.length;
                });
                return resumePoint(m, start, consumed);
              };
              const resumeAt = visit(0, before, steps);
              expect(visit(resumeAt, after, epochSteps(m, resumeAt, after, 1))).toBe(m);
            }
            // Feature shards each hold every sample, so each is seen once per shard.
            const times = spec.strategy === "feature" ? sharding.shards.length : 1;
            expect(
              seen.every((c) => c === times),
              spec.strategy,
            ).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
