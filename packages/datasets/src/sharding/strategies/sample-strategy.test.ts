import { describe, expect, it } from "vitest";
import { inputFromColumns } from "../columns-input.js";
import { createShards } from "../create-shards.js";
import { evenSplitStarts } from "./sample-strategy.js";

describe("sample strategy", () => {
  it("cuts contiguous runs whose sizes differ by at most one, larger runs first (seed §6.1 picture)", () => {
    const sharding = createShards(inputFromColumns({}, 10), { strategy: "sample", shards: 3 });
    expect(sharding.shards.map((s) => s.indices)).toEqual([[[0, 4]], [[4, 7]], [[7, 10]]]);
    expect(sharding.shards.map((s) => s.count)).toEqual([4, 3, 3]);
    expect(evenSplitStarts(60_000, 7)).toEqual([0, 8572, 17144, 25716, 34287, 42858, 51429, 60000]);
  });

  it("gives one shard every sample", () => {
    expect(createShards(inputFromColumns({}, 5), { strategy: "sample", shards: 1 }).shards[0]!.indices).toEqual([
      [0, 5],
    ]);
  });
});
