import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { separableBatches as batches } from "../test-support/separable-batches.js";
import { buildModel } from "./build-model.js";
import { evaluate, trainLocal } from "./local-training.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

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
