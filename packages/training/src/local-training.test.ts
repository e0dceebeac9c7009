import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "./build-model.js";
import { evaluate, trainLocal } from "./local-training.js";
import type { SampleBatch } from "./sample-batches.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Two classes told apart by the sign of the first feature. */
function batches(count: number, size: number): SampleBatch[] {
  let s = 7;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
  return Array.from({ length: count }, () => {
    const features = Float32Array.from({ length: size * 4 }, r);
    const labels = Int32Array.from({ length: size }, (_, i) => (features[i * 4]! > 0 ? 1 : 0));
    return { features, labels, size, featureSize: 4 };
  });
}

describe("trainLocal and evaluate", () => {
  const spec = {
    inputShape: [4],
    layers: [{ type: "dense", units: 8, activation: "relu" }],
    optimizer: "adam",
    learningRate: 0.05,
  } as const;

  it("learns a separable problem: loss falls, accuracy rises, onBatch reports each step", async () => {
    const model = buildModel(spec, 2);
    const data = batches(10, 32);
    const before = await evaluate(model, data);
    const steps: number[] = [];
    const result = await trainLocal(model, () => data, { epochs: 5, onBatch: (b) => steps.push(b.step) });
    expect(steps).toEqual([...Array(50).keys()].map((i) => i + 1));
    expect(result.samples).toBe(50 * 32);
    expect(result.samplesPerSecond).toBeGreaterThan(0);
    const after = await evaluate(model, data);
    expect(after.samples).toBe(320);
    expect(after.loss).toBeLessThan(before.loss);
    expect(after.accuracy).toBeGreaterThan(0.9);
    model.dispose();
  });

  it("stops after `steps` batches and rejects bad options without training", async () => {
    const model = buildModel(spec, 2);
    expect((await trainLocal(model, () => batches(10, 8), { epochs: 3, steps: 4 })).samples).toBe(32);
    await expect(trainLocal(model, () => batches(1, 8), { epochs: 0 })).rejects.toThrow(
      /CYXW_ERR_TR_BAD_OPTION: epochs/,
    );
    const numTensors = tf.memory().numTensors;
    await trainLocal(model, () => batches(2, 8));
    expect(tf.memory().numTensors).toBe(numTensors);
    model.dispose();
  });
});
