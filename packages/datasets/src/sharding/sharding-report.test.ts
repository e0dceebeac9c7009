import { describe, expect, it } from "vitest";
import { inputFromColumns } from "./columns-input.js";
import { createShards } from "./create-shards.js";
import { shardingReport } from "./sharding-report.js";

describe("shardingReport", () => {
  const input = inputFromColumns({ y: ["a", "b", "a", "b", "a", "b"] });

  it("gives the CLI's JSON: samples, and per shard its ranges, chunks, bytes and labels", () => {
    const sharding = createShards(input, { strategy: "sample", shards: 2, labelColumn: "y" });
    const report = shardingReport(sharding, { sampleCounts: [2, 2, 2], bytes: [100, 110, 120] });
    expect(JSON.parse(JSON.stringify(report))).toEqual({
      samples: 6,
      strategy: "sample",
      shards: [
        { shard: 0, indices: [[0, 3]], count: 3, chunks: [0, 1], bytes: 210, labels: { a: 2, b: 1 } },
        { shard: 1, indices: [[3, 6]], count: 3, chunks: [1, 2], bytes: 230, labels: { a: 1, b: 2 } },
      ],
    });
  });

  it("leaves chunks out when no chunk table is known, and refuses one that does not fit", () => {
    const sharding = createShards(input, { strategy: "sample", shards: 3 });
    expect(shardingReport(sharding).shards[2]).toEqual({ shard: 2, indices: [[4, 6]], count: 2 });
    expect(() => shardingReport(sharding, { sampleCounts: [4], bytes: [9] })).toThrow(/CYXW_ERR_SHARD_ARGUMENT/);
  });
});
