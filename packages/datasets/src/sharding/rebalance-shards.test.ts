import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inputFromColumns } from "./columns-input.js";
import { createShards, getShardIndices } from "./create-shards.js";
import { rebalanceShards } from "./rebalance-shards.js";
import { isShardingError } from "./sharding-error.js";
import type { Sharding } from "./sharding-types.js";
import { validateSharding } from "./validate-sharding.js";

const names = (k: number, from = 0): string[] => Array.from({ length: k }, (_, i) => `node-${from + i}`);

/** Samples whose holder differs between two shardings whose shards name their nodes. */
function changedHolders(before: Sharding, after: Sharding, n: number): number {
  const holder = new Array<string | undefined>(n);
  for (const s of before.shards) for (const i of getShardIndices(before, s.shard)) holder[i] = s.node;
  let changed = 0;
  for (const s of after.shards) for (const i of getShardIndices(after, s.shard)) if (holder[i] !== s.node) changed++;
  return changed;
}

function withNodes(sharding: Sharding, nodes: readonly string[]): Sharding {
  return { ...sharding, shards: sharding.shards.map((s, i) => ({ ...s, node: nodes[i]! })) };
}

describe("rebalanceShards", () => {
  const n = 60_000;
  const labels = Array.from({ length: n }, (_, i) => String((i * 7919) % 10));
  const input = inputFromColumns({ label: labels, id: Array.from({ length: n }, (_, i) => i) });

  it("prints moved vs minimum for join/leave scenarios on 60,000 samples, and meets the minimum", () => {
    const scenarios: [string, number, string[]][] = [
      ["4→5 (join)", 4, names(5)],
      ["5→3 (two leave)", 5, names(3)],
      ["5→4 (node-2 leaves)", 5, ["node-0", "node-1", "node-3", "node-4"]],
      ["4→4 (node-1 replaced)", 4, ["node-0", "node-9", "node-2", "node-3"]],
      ["7→8 (join)", 7, names(8)],
    ];
    for (const strategy of ["sample", "class-balanced", "hash"] as const) {
      for (const [label, from, nodes] of scenarios) {
        const spec = { strategy, shards: from, column: strategy === "hash" ? "id" : "label" };
        const current = withNodes(createShards(input, spec), names(from));
        const result = rebalanceShards(current, nodes, input);
        // Re-sharding from scratch with the new count, shard i on nodes[i], for comparison.
        const naive = changedHolders(
          current,
          withNodes(createShards(input, { ...spec, shards: nodes.length }), nodes),
          n,
        );
        console.log(
          `rebalance ${strategy.padEnd(14)} ${label.padEnd(22)} moved ${result.moved} (${(result.fraction * 100).toFixed(1)}%), minimum ${result.minimumPossible}, re-sharding from scratch moves ${naive}`,
        );
        expect(result.moved).toBe(result.minimumPossible);
        expect(changedHolders(current, result.sharding, n)).toBe(result.moved);
        // Hash shards re-hashed with the same count move only a lost node's keys but stay unbalanced,
        // so the comparison is a bound only where re-sharding is itself balanced.
        if (strategy !== "hash") expect(result.moved).toBeLessThanOrEqual(naive);
        expect(validateSharding(result.sharding, input)).toEqual([]);
        expect(result.sharding.shards.map((s) => s.node)).toEqual(nodes);
      }
    }
  });

  it("4→5 on a Sample sharding moves exactly the 12,000 samples the new node needs, as 4 runs", () => {
    const current = createShards(input, { strategy: "sample", shards: 4 });
    const result = rebalanceShards(current, names(5));
    expect([result.moved, result.minimumPossible, result.fraction]).toEqual([12_000, 12_000, 0.2]);
    expect(result.sharding.shards.map((s) => s.count)).toEqual([12_000, 12_000, 12_000, 12_000, 12_000]);
    expect(result.sharding.shards[0]!.indices).toEqual([[0, 12_000]]);
    expect(result.moves.map((m) => [m.from, m.to, m.count])).toEqual([
      ["node-0", "node-4", 3000],
      ["node-1", "node-4", 3000],
      ["node-2", "node-4", 3000],
      ["node-3", "node-4", 3000],
    ]);
  });

  it("any join/leave on any sharding: balanced, moved = minimum, moves account for every change", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 10 }),
        fc.constantFrom("sample", "class-balanced", "custom"),
        (size, k0, kept, strategy) => {
          const shards = Math.min(k0, size);
          const nodes = kept.map((i) => `node-${i}`).slice(0, size);
          const data = inputFromColumns({
            label: Array.from({ length: size }, (_, i) => `c${(i * i) % 3}`),
            part: Array.from({ length: size }, (_, i) => (i * 5) % shards),
          });
          const current = withNodes(
            createShards(data, { strategy, shards, column: strategy === "custom" ? "part" : "label" }),
            names(shards),
          );
          const result = rebalanceShards(current, nodes, data);
          expect(result.moved).toBe(result.minimumPossible);
          expect(changedHolders(current, result.sharding, size)).toBe(result.moved);
          expect(result.moves.reduce((a, m) => a + m.count, 0)).toBe(result.moved);
          const counts = result.sharding.shards.map((s) => s.count);
          if (strategy !== "class-balanced") expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
          expect(
            validateSharding({ ...result.sharding, strategy: strategy === "custom" ? "sample" : strategy }, data),
          ).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuses no nodes, repeated nodes, more nodes than samples, feature shardings and labels without input", () => {
    const small = inputFromColumns({ y: ["a", "b", "a"], f: [1, 2, 3] });
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
        return undefined;
      } catch (e) {
        return isShardingError(e) ? e.code : "untyped";
      }
    };
    const sample = createShards(small, { strategy: "sample", shards: 2 });
    expect(codeOf(() => rebalanceShards(sample, []))).toBe("CYXW_ERR_SHARD_COUNT");
    expect(codeOf(() => rebalanceShards(sample, ["a", "b", "c", "d"]))).toBe("CYXW_ERR_SHARD_COUNT");
    expect(codeOf(() => rebalanceShards(sample, ["a", "a"]))).toBe("CYXW_ERR_SHARD_ARGUMENT");
    const feature = createShards(small, { strategy: "feature", shards: 2 });
    expect(codeOf(() => rebalanceShards(feature, ["a"]))).toBe("CYXW_ERR_SHARD_ARGUMENT");
    const balanced = createShards(small, { strategy: "class-balanced", shards: 2, column: "y" });
    expect(codeOf(() => rebalanceShards(balanced, ["a"]))).toBe("CYXW_ERR_SHARD_ARGUMENT");
    expect(codeOf(() => rebalanceShards(balanced, ["a"], small))).toBeUndefined();
  });
});
