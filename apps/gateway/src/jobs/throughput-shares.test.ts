import { describe, expect, it } from "vitest";
import type { WorkerRecord } from "../store/index.js";
import { MIN_WEIGHT_FRACTION, rememberedSpeeds, resizeGain, speedKey, throughputWeights } from "./throughput-shares.js";

const worker = (nodeId: string, samplesPerSecond: number): WorkerRecord => ({
  jobId: "job_1",
  nodeId,
  shard: 0,
  state: "training",
  backend: "wasm",
  samplesPerSecond,
  localLoss: undefined,
  localAccuracy: undefined,
  localSamples: 0,
  erased: false,
  assignedAt: new Date(0),
});

describe("throughputWeights", () => {
  it("weighs each node by its samples per second; a newcomer counts as the mean", () => {
    expect(throughputWeights(["a", "b"], [worker("a", 1000), worker("b", 400)])).toEqual([1000, 400]);
    expect(throughputWeights(["a", "b", "new"], [worker("a", 1000), worker("b", 400)])).toEqual([1000, 400, 700]);
  });

  it("gives equal shares (undefined) when nothing is known, or when all must be known and one is not", () => {
    expect(throughputWeights(["a", "b"], [worker("a", 0), worker("b", Number.NaN)])).toBeUndefined();
    expect(throughputWeights(["a", "b"], [worker("a", 500)], { requireAll: true })).toBeUndefined();
  });

  it("keeps every weight at least MIN_WEIGHT_FRACTION of the fastest's", () => {
    expect(throughputWeights(["a", "b"], [worker("a", 10_000), worker("b", 1)])).toEqual([
      10_000,
      10_000 * MIN_WEIGHT_FRACTION,
    ]);
  });
});

describe("resizeGain", () => {
  it("is the slowest worker's round time over the time of a split in proportion to speed", () => {
    const shards = [
      { nodeId: "a", samples: 500 },
      { nodeId: "b", samples: 500 },
    ];
    // b takes 500/100 = 5 s; in proportion (1,100 samples/s for 1,000 samples) 0.909 s.
    expect(resizeGain(shards, ["a", "b"], [1000, 100])).toBeCloseTo(5 / (1000 / 1100), 6);
    // Already in proportion: 1.
    expect(
      resizeGain(
        [
          { nodeId: "a", samples: 900 },
          { nodeId: "b", samples: 100 },
        ],
        ["a", "b"],
        [900, 100],
      ),
    ).toBeCloseTo(1, 9);
  });
});

describe("rememberedSpeeds", () => {
  const mlp = { preset: "mnist-mlp", batchSize: 32, rounds: 5 };
  it("takes each node's newest speed from a job of the same model and batch size", () => {
    const past = [
      { nodeId: "a", samplesPerSecond: 900, spec: { ...mlp, rounds: 2 } },
      { nodeId: "a", samplesPerSecond: 500, spec: mlp },
      { nodeId: "b", samplesPerSecond: 80, spec: { preset: "mnist-cnn", batchSize: 32 } },
      { nodeId: "b", samplesPerSecond: 0, spec: mlp },
      { nodeId: "c", samplesPerSecond: 300, spec: { ...mlp, batchSize: 64 } },
      { nodeId: "d", samplesPerSecond: 200, spec: mlp },
    ];
    expect([...rememberedSpeeds(past, mlp)]).toEqual([
      ["a", 900],
      ["d", 200],
    ]);
  });

  it("tells models apart by preset or JSON spec, and batch size; other settings do not matter", () => {
    expect(speedKey({ preset: "mnist-mlp", batchSize: 32, rounds: 3 })).toBe(
      speedKey({ preset: "mnist-mlp", batchSize: 32 }),
    );
    expect(speedKey({ preset: "mnist-mlp", batchSize: 32 })).not.toBe(speedKey({ modelJson: "{}", batchSize: 32 }));
    expect(speedKey(undefined)).toBe(speedKey({}));
  });
});
