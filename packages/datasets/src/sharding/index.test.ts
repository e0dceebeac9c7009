import { describe, expect, it } from "vitest";
import * as sharding from "./index.js";

describe("@cyxwiz/datasets/sharding public surface", () => {
  it("takes a dataset from columns to a packed layout and the CLI's report", () => {
    const n = 1000;
    const input = sharding.inputFromColumns({ label: Array.from({ length: n }, (_, i) => i % 3) });
    const spec = { strategy: "class-balanced", shards: 4, column: "label" } as const;
    const { order, boundaries } = sharding.packOrder(input, spec);
    const packed = sharding.inputFromColumns({ label: Array.from(order, (i) => i % 3) });
    const result = sharding.createShards(packed, spec);
    expect(sharding.validateSharding(result, packed)).toEqual([]);
    const sampleCounts = sharding.chunkLayout(100, boundaries, 10_000);
    const report = sharding.shardingReport(result, { sampleCounts, bytes: sampleCounts.map((c) => c * 100) });
    expect(report.shards.map((s) => s.bytes)).toEqual([25_000, 25_000, 25_000, 25_000]);
    expect(sharding.STRATEGY_NAMES).toContain(spec.strategy);
  });
});
