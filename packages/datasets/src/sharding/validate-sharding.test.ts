import { describe, expect, it } from "vitest";
import { inputFromColumns } from "./columns-input.js";
import { createShards } from "./create-shards.js";
import type { Sharding } from "./sharding-types.js";
import { validateSharding } from "./validate-sharding.js";

const y = ["a", "a", "a", "a", "b", "b", "b", "b"];
const input = inputFromColumns({ y, f1: y, f2: y });

function kinds(sharding: Sharding): string[] {
  return validateSharding(sharding, input).map((v) => v.kind);
}

describe("validateSharding", () => {
  it("finds nothing wrong with what createShards makes", () => {
    for (const spec of [
      { strategy: "sample", shards: 3 },
      { strategy: "class-balanced", shards: 3, column: "y" },
      { strategy: "feature", shards: 3 },
    ] as const) {
      expect(validateSharding(createShards(input, spec), input)).toEqual([]);
    }
  });

  it("reports overlap, gaps, bad ranges and wrong counts, naming shard and row", () => {
    const good = createShards(input, { strategy: "sample", shards: 2 });
    const overlapping: Sharding = {
      ...good,
      shards: [good.shards[0]!, { ...good.shards[1]!, indices: [[3, 8]], count: 5 }],
    };
    expect(validateSharding(overlapping, input)).toContainEqual({
      kind: "overlap",
      shard: 1,
      row: 3,
      message: "sample 3 is in shards 0 and 1",
    });
    const gap: Sharding = { ...good, shards: [good.shards[0]!, { ...good.shards[1]!, indices: [[6, 8]], count: 2 }] };
    expect(validateSharding(gap, input).map((v) => [v.kind, v.row])).toEqual([
      ["not-covered", 4],
      ["not-covered", 5],
      ["unbalanced", undefined],
    ]);
    const miscounted: Sharding = { ...good, shards: [{ ...good.shards[0]!, count: 3 }, good.shards[1]!] };
    expect(kinds(miscounted)).toEqual(["count"]);
    const backwards: Sharding = {
      ...good,
      shards: [
        {
          ...good.shards[0]!,
          indices: [
            [2, 4],
            [0, 2],
          ],
        },
        good.shards[1]!,
      ],
    };
    expect(kinds(backwards)).toContain("bad-range");
    expect(kinds({ ...good, numSamples: 9 })).toEqual(["sample-count"]);
  });

  it("reports a class-balanced shard off its class ratio, and label counts that lie", () => {
    const good = createShards(input, { strategy: "class-balanced", shards: 2, column: "y" });
    const skewed: Sharding = {
      ...good,
      shards: [
        { ...good.shards[0]!, indices: [[0, 4]], count: 4 },
        { ...good.shards[1]!, indices: [[4, 8]], count: 4 },
      ],
    };
    expect(kinds(skewed).filter((k) => k === "class-unbalanced")).toHaveLength(4);
    expect(kinds(skewed).filter((k) => k === "labels")).toHaveLength(4);
  });

  it("reports feature shards that miss samples or share or drop columns", () => {
    const good = createShards(input, { strategy: "feature", shards: 3 });
    const bad: Sharding = {
      ...good,
      shards: [
        { ...good.shards[0]!, columns: ["y", "f1"] },
        { ...good.shards[1]!, columns: ["f1"] },
        { ...good.shards[2]!, indices: [[0, 7]], count: 7, columns: [] },
      ],
    };
    expect(kinds(bad).sort()).toEqual(["columns", "columns", "not-covered"]);
  });
});
