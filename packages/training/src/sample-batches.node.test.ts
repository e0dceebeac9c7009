import { describe, expect, it } from "vitest";
import { mnistChunks } from "../test-support/mnist-chunks.js";
import { type SampleBatch, sampleBatches } from "./sample-batches.js";

describe("sampleBatches on MNIST chunks", () => {
  it("gives every sample once, in batches of the size asked, features in [0, 1] and labels 0-9 by histogram order", async () => {
    const { chunks, labels } = await mnistChunks();
    expect(labels).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    expect(chunks.length).toBeGreaterThan(2);
    const sizes: number[] = [];
    const counts = new Array(10).fill(0);
    let max = 0;
    let first: Float32Array | undefined;
    for await (const b of sampleBatches(chunks, {
      featureColumns: ["image"],
      labelColumn: "label",
      labels,
      batchSize: 100,
    })) {
      expect(b.featureSize).toBe(784);
      expect(b.features.length).toBe(b.size * 784);
      sizes.push(b.size);
      for (const l of b.labels) counts[l]++;
      for (const v of b.features) if (v > max) max = v;
      first ??= b.features;
    }
    expect(sizes.length).toBe(100);
    expect(sizes.every((s) => s === 100)).toBe(true);
    // t10k's class counts (test-data/mnist/README.md).
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(max).toBe(1);
    expect(first!.some((v) => v > 0 && v < 1)).toBe(true);
  });

  it("with shiftPixels, each 28×28 image moves by up to k pixels: its ink is kept or cut at the edge, never added", async () => {
    const { chunks, labels } = await mnistChunks();
    const options = { featureColumns: ["image"], labelColumn: "label", labels, batchSize: 500 } as const;
    const plain = (await sampleBatches(chunks.slice(0, 1), options).next()).value as SampleBatch;
    const shifted = (await sampleBatches(chunks.slice(0, 1), { ...options, shiftPixels: 2 }).next())
      .value as SampleBatch;
    expect([...shifted.labels]).toEqual([...plain.labels]);
    let moved = 0;
    for (let r = 0; r < plain.size; r++) {
      const a = plain.features.subarray(r * 784, (r + 1) * 784);
      const b = shifted.features.subarray(r * 784, (r + 1) * 784);
      const ink = (x: Float32Array) => x.reduce((s, v) => s + v, 0);
      expect(ink(b)).toBeLessThanOrEqual(ink(a) + 1e-3);
      if (a.some((v, i) => v !== b[i])) moved++;
    }
    // 24 of the 25 offsets in [-2, 2]² move the image.
    expect(moved).toBeGreaterThan(plain.size * 0.85);
  });
});
