import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { fixedInputs, forwardOn, maxAbsDiff } from "../test-support/forward-pass.js";
import "./backend-choice.js";
import { useNodeWasmFiles } from "./backend-wasm.node.js";
import { initialWeights } from "./initial-weights.js";
import { presetSpec } from "./model-presets.js";

const TOLERANCE = 1e-5;
const BATCH = 64;

describe("the same weights give the same forward pass on wasm and cpu (Node)", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it(`mnist-mlp: max |wasm − cpu| over a batch of ${BATCH} is within ${TOLERANCE}`, async () => {
    useNodeWasmFiles();
    const spec = presetSpec("mnist-mlp");
    const weights = await initialWeights(spec, 10, 11);
    const inputs = fixedInputs(BATCH, 784);
    const cpu = await forwardOn("cpu", spec, weights, inputs, BATCH);
    const wasm = await forwardOn("wasm", spec, weights, inputs, BATCH);
    expect(tf.getBackend()).toBe("wasm");
    const diff = maxAbsDiff(wasm, cpu);
    console.log(`mnist-mlp: max |wasm − cpu| = ${diff.toExponential(2)} over ${cpu.length} probabilities`);
    expect(diff).toBeLessThanOrEqual(TOLERANCE);
    for (let r = 0; r < BATCH; r++)
      expect(cpu.subarray(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });
});
