import { describe, expect, it } from "vitest";
import { inputFromColumns } from "../columns-input.js";
import { createShards } from "../create-shards.js";
import { isShardingError } from "../sharding-error.js";

describe("class-balanced strategy", () => {
  it("gives each shard one of every class for [A A A B B B C C C] over 3 shards (seed §6.1 picture)", () => {
    const input = inputFromColumns({ y: ["A", "A", "A", "B", "B", "B", "C", "C", "C"] });
    const sharding = createShards(input, { strategy: "class-balanced", shards: 3, column: "y" });
    for (const s of sharding.shards) expect(s.labels).toEqual({ A: 1, B: 1, C: 1 });
    expect(sharding.shards[0]!.indices).toEqual([
      [0, 1],
      [3, 4],
      [6, 7],
    ]);
  });

  it("keeps every class within one of its global ratio and totals within one on an imbalanced set", () => {
    // 10 A, 4 B, 1 C over 4 shards: A 3/3/2/2, B 1 each, C 1 in one shard; totals 4/4/4/3 in some order.
    const y = [...Array(10).fill("A"), ...Array(4).fill("B"), "C"];
    const sharding = createShards(inputFromColumns({ y }), { strategy: "class-balanced", shards: 4, column: "y" });
    const a = sharding.shards.map((s) => s.labels!.A!);
    expect(a.sort()).toEqual([2, 2, 3, 3]);
    expect(sharding.shards.map((s) => s.labels!.B)).toEqual([1, 1, 1, 1]);
    expect(sharding.shards.map((s) => s.count).sort()).toEqual([3, 4, 4, 4]);
  });

  it("treats 7, 7n and '7' as one class, and names the row of a missing label", () => {
    const sharding = createShards(inputFromColumns({ y: [7, 7n, "7", 8] }), {
      strategy: "class-balanced",
      shards: 2,
      column: "y",
    });
    expect(sharding.shards.map((s) => s.labels)).toEqual([
      { "7": 2, "8": 0 },
      { "7": 1, "8": 1 }, // class "7"'s extra sample went to shard 0, so class "8"'s goes to shard 1
    ]);
    try {
      createShards(inputFromColumns({ y: ["a", "b", null, "a"] }), {
        strategy: "class-balanced",
        shards: 2,
        column: "y",
      });
      expect.fail("a missing label must be refused");
    } catch (e) {
      expect(isShardingError(e) && [e.code, e.row, e.column]).toEqual(["CYXW_ERR_SHARD_VALUE", 2, "y"]);
      expect(String(e)).toContain('row 2 has no label in column "y"');
    }
  });
});
