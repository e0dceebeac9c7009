import { describe, expect, it } from "vitest";
import { inputFromColumns } from "../columns-input.js";
import { createShards } from "../create-shards.js";
import { isShardingError } from "../sharding-error.js";
import type { ShardSpec } from "../sharding-types.js";

const wide = inputFromColumns({
  f1: [1, 2, 3],
  f2: [1, 2, 3],
  f3: [1, 2, 3],
  f4: [1, 2, 3],
  f5: [1, 2, 3],
  f6: [1, 2, 3],
});

function codeOf(spec: ShardSpec): string | undefined {
  try {
    createShards(wide, spec);
    return undefined;
  } catch (e) {
    return isShardingError(e) ? e.code : "untyped";
  }
}

describe("feature strategy", () => {
  it("splits the columns F1..F6 in pairs over 3 shards, each with every sample (seed §6.1 picture)", () => {
    const sharding = createShards(wide, { strategy: "feature", shards: 3 });
    expect(sharding.shards.map((s) => s.columns)).toEqual([
      ["f1", "f2"],
      ["f3", "f4"],
      ["f5", "f6"],
    ]);
    for (const s of sharding.shards) expect([s.indices, s.count]).toEqual([[[0, 3]], 3]);
  });

  it("uses the column groups given", () => {
    const columnGroups = [["f6"], ["f1", "f2", "f3", "f4", "f5"]];
    const sharding = createShards(wide, { strategy: "feature", shards: 2, columnGroups });
    expect(sharding.shards.map((s) => s.columns)).toEqual(columnGroups);
  });

  it("refuses overlapping, incomplete, unknown or mis-counted groups, and more shards than columns", () => {
    expect(
      codeOf({
        strategy: "feature",
        shards: 2,
        columnGroups: [
          ["f1", "f2", "f3"],
          ["f3", "f4", "f5", "f6"],
        ],
      }),
    ).toBe("CYXW_ERR_SHARD_COLUMN");
    expect(codeOf({ strategy: "feature", shards: 2, columnGroups: [["f1", "f2"], ["f3"]] })).toBe(
      "CYXW_ERR_SHARD_COLUMN",
    );
    expect(codeOf({ strategy: "feature", shards: 1, columnGroups: [["f1", "f2", "f3", "f4", "f5", "f6", "f7"]] })).toBe(
      "CYXW_ERR_SHARD_COLUMN",
    );
    expect(codeOf({ strategy: "feature", shards: 3, columnGroups: [["f1", "f2", "f3", "f4", "f5", "f6"]] })).toBe(
      "CYXW_ERR_SHARD_COUNT",
    );
    expect(codeOf({ strategy: "feature", shards: 7 })).toBe("CYXW_ERR_SHARD_COUNT");
    expect(codeOf({ strategy: "feature", shards: 6 })).toBeUndefined();
  });
});
