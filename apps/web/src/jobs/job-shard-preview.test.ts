import { create } from "@bufbuild/protobuf";
import { SampleLayoutSchema } from "@cyxwiz/protocol/gen";
import { describe, expect, it } from "vitest";
import { jobShardPreview } from "./job-shard-preview.js";

const layout = create(SampleLayoutSchema, {
  numSamples: 100n,
  labelColumn: "label",
  labelHistogram: [
    { label: "a", count: 60n },
    { label: "b", count: 40n },
  ],
});

describe("jobShardPreview", () => {
  it("class-balanced on the label column: every shard holds each class in the dataset's proportions", () => {
    const shards = jobShardPreview(layout, { strategy: "class-balanced", shardCount: 4, column: "label", seed: 0 });
    expect(shards?.map((s) => s.samples)).toEqual([25, 25, 25, 25]);
    for (const s of shards ?? [])
      expect(Object.fromEntries((s.classes ?? []).map((c) => [c.label, c.count]))).toEqual({ a: 15, b: 10 });
  });

  it("sample: shard sizes only; hash or another column: nothing, the values are needed", () => {
    const shards = jobShardPreview(layout, { strategy: "sample", shardCount: 3, seed: 1 });
    expect(shards?.map((s) => s.samples).reduce((a, b) => a + b)).toBe(100);
    expect(shards?.every((s) => s.classes === undefined)).toBe(true);
    expect(jobShardPreview(layout, { strategy: "hash", shardCount: 3, column: "label", seed: 1 })).toBeUndefined();
    expect(
      jobShardPreview(layout, { strategy: "class-balanced", shardCount: 3, column: "id", seed: 1 }),
    ).toBeUndefined();
  });
});
