import { describe, expect, it } from "vitest";
import { inputFromColumns } from "../columns-input.js";
import { createShards } from "../create-shards.js";
import { isShardingError } from "../sharding-error.js";
import type { CellValue } from "../sharding-types.js";

function failure(ids: CellValue[], shards = 3): unknown {
  try {
    createShards(inputFromColumns({ part: ids }), { strategy: "custom", shards, column: "part" });
    return undefined;
  } catch (e) {
    return isShardingError(e) ? { code: e.code, row: e.row, column: e.column, message: e.message } : e;
  }
}

describe("custom strategy", () => {
  it("puts each sample in the shard its column names (numbers, bigints, decimal strings)", () => {
    const sharding = createShards(inputFromColumns({ part: [2, 0, "1", 2n, 0, 0] }), {
      strategy: "custom",
      shards: 3,
      column: "part",
    });
    expect(sharding.shards.map((s) => s.indices)).toEqual([
      [
        [1, 2],
        [4, 6],
      ],
      [[2, 3]],
      [
        [0, 1],
        [3, 4],
      ],
    ]);
  });

  it("refuses out-of-range, fractional, malformed and missing ids, naming the row", () => {
    expect(failure([0, 1, 3])).toMatchObject({ code: "CYXW_ERR_SHARD_VALUE", row: 2, column: "part" });
    expect(failure([0, -1, 2])).toMatchObject({ code: "CYXW_ERR_SHARD_VALUE", row: 1 });
    expect(failure([0, 1.5, 2])).toMatchObject({ code: "CYXW_ERR_SHARD_VALUE", row: 1 });
    expect(failure([0, 1, 5n])).toMatchObject({ code: "CYXW_ERR_SHARD_VALUE", row: 2 });
    expect(failure(["0", "x1", 2])).toMatchObject({ code: "CYXW_ERR_SHARD_VALUE", row: 1 });
    expect(failure([0, null, 2])).toMatchObject({ code: "CYXW_ERR_SHARD_VALUE", row: 1 });
    expect((failure([0, 1, 3]) as { message: string }).message).toContain('row 2 has shard id 3 in column "part"');
    expect((failure([0, null, 2]) as { message: string }).message).toContain('row 1 has no shard id in column "part"');
  });
});
