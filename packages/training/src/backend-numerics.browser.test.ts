import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { fixedInputs, forwardOn, maxAbsDiff } from "../test-support/forward-pass.js";
import { initialWeights } from "./initial-weights.js";
import { presetSpec } from "./model-presets.js";

/** The largest difference allowed between two backends' output probabilities for the same weights. */
const TOLERANCE = 1e-5;
const BATCH = 64;

describe("the same weights give the same forward pass on webgpu and cpu (Chromium)", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  for (const [name, seed] of [
    ["mnist-mlp", 11],
    ["mnist-cnn", 12],
  ] as const) {
    // SwiftShader compiles WebGPU's shaders on the CPU: ~30 s for the conv model on a busy machine.
    it(`${name}: max |webgpu − cpu| over a batch of ${BATCH} is within ${TOLERANCE}`, {
      timeout: 180_000,
    }, async () => {
      const spec = presetSpec(name);
      const weights = await initialWeights(spec, 10, seed);
      const inputs = fixedInputs(BATCH, 784);
      const cpu = await forwardOn("cpu", spec, weights, inputs, BATCH);
      const webgpu = await forwardOn("webgpu", spec, weights, inputs, BATCH);
      expect(tf.getBackend()).toBe("webgpu");
      const diff = maxAbsDiff(webgpu, cpu);
      console.log(`${name}: max |webgpu − cpu| = ${diff.toExponential(2)} over ${cpu.length} probabilities`);
      expect(diff).toBeLessThanOrEqual(TOLERANCE);
      // The outputs are real probabilities, not two identical failures (e.g. all zeros).
      for (let r = 0; r < BATCH; r++) {
        const row = cpu.subarray(r * 10, r * 10 + 10);
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      }
    });
  }
});
