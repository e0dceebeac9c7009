import { describe, expect, it } from "vitest";
import { inputFromColumns } from "./columns-input.js";
import { createShards, getShardIndices } from "./create-shards.js";
import { isShardingError } from "./sharding-error.js";
import type { ShardingInput, ShardSpec } from "./sharding-types.js";
import { STRATEGY_NAMES } from "./strategy-registry.js";

function errorOf(input: ShardingInput, spec: ShardSpec): { code: string; message: string } | undefined {
  try {
    createShards(input, spec);
    return undefined;
  } catch (e) {
    if (!isShardingError(e)) throw e;
    return { code: e.code, message: e.message };
  }
}

const five = inputFromColumns({ y: ["a", "b", "a", "b", "a"], id: [1, 2, 3, 4, 5], part: [0, 1, 0, 1, 0] });

describe("createShards", () => {
  it("lists the five strategies of seed §6.2, sample first", () => {
    expect(STRATEGY_NAMES).toEqual(["sample", "class-balanced", "hash", "feature", "custom"]);
  });

  it("reports per-class counts when a label column is given, whatever the strategy", () => {
    const sharding = createShards(five, { strategy: "sample", shards: 2, labelColumn: "y" });
    expect(sharding.shards.map((s) => s.labels)).toEqual([
      { a: 2, b: 1 },
      { a: 1, b: 1 },
    ]);
    expect(sharding.labelColumn).toBe("y");
    expect(createShards(five, { strategy: "sample", shards: 2 }).shards[0]!.labels).toBeUndefined();
  });

  it("expands a shard's compact indices", () => {
    const sharding = createShards(five, { strategy: "custom", shards: 2, column: "part" });
    expect([...getShardIndices(sharding, 0)]).toEqual([0, 2, 4]);
    expect([...getShardIndices(sharding, 1)]).toEqual([1, 3]);
    for (const bad of [2, -1, 0.5]) {
      expect(() => getShardIndices(sharding, bad)).toThrow(/CYXW_ERR_SHARD_ARGUMENT: shard .* is not in this sharding/);
    }
  });

  it("refuses 0 shards, more shards than samples, an unknown strategy and a missing column", () => {
    expect(errorOf(five, { strategy: "sample", shards: 0 })?.code).toBe("CYXW_ERR_SHARD_COUNT");
    expect(errorOf(five, { strategy: "sample", shards: 2.5 })?.code).toBe("CYXW_ERR_SHARD_COUNT");
    expect(errorOf(five, { strategy: "hash", shards: 6, column: "id" })).toEqual({
      code: "CYXW_ERR_SHARD_COUNT",
      message: "CYXW_ERR_SHARD_COUNT: spec.shards is 6 but the dataset has only 5 samples; a shard would be empty",
    });
    expect(errorOf(five, { strategy: "round-robin", shards: 2 })?.message).toContain(
      'unknown sharding strategy "round-robin"; expected one of sample, class-balanced, hash, feature, custom',
    );
    expect(errorOf(five, { strategy: "hash", shards: 2 })?.message).toContain("the hash key column was not named");
    expect(errorOf(five, { strategy: "class-balanced", shards: 2, column: "label" })?.message).toContain(
      'the label column "label" is not in the dataset',
    );
    expect(errorOf(five, { strategy: "custom", shards: 2, column: "nope" })?.code).toBe("CYXW_ERR_SHARD_COLUMN");
    expect(errorOf(five, { strategy: "sample", shards: 2, labelColumn: "nope" })?.code).toBe("CYXW_ERR_SHARD_COLUMN");
    expect(errorOf(five, { strategy: "hash", shards: 2, column: "id", seed: -1 })?.code).toBe(
      "CYXW_ERR_SHARD_ARGUMENT",
    );
    const fractional: ShardingInput = { numSamples: 1.5, column: () => undefined };
    expect(errorOf(fractional, { strategy: "sample", shards: 1 })?.code).toBe("CYXW_ERR_SHARD_ARGUMENT");
  });

  it("refuses a column whose length is not the sample count", () => {
    const input: ShardingInput = { numSamples: 4, column: (name) => (name === "y" ? ["a", "b"] : undefined) };
    expect(errorOf(input, { strategy: "class-balanced", shards: 2, column: "y" })?.message).toContain(
      'the label column "y" holds 2 values for 4 samples',
    );
  });
});
