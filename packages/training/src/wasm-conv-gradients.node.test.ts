import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxAbsDiff } from "../test-support/forward-pass.js";
import "./backend-choice.js";
import { useNodeWasmFiles } from "./backend-wasm.node.js";
import { buildModel } from "./build-model.js";
import { initialWeights } from "./initial-weights.js";
import { trainLocal } from "./local-training.js";
import { presetSpec } from "./model-presets.js";
import { readWeights, setWeights } from "./model-update.js";
import { registerWasmConvGradients } from "./wasm-conv-gradients.js";

/** Seeded values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

async function filterGradOn(
  backend: "cpu" | "wasm",
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number],
  pad: "valid" | "same",
): Promise<Float32Array> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(
    values(
      xShape.reduce((a, b) => a * b),
      1,
    ),
    xShape,
  );
  const w = tf.tensor4d(
    values(
      filterShape.reduce((a, b) => a * b),
      2,
    ),
    filterShape,
  );
  const grad = tf.grad((f) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, strides, pad))))(w);
  const out = (await grad.data()) as Float32Array;
  tf.dispose([x, w, grad]);
  return out;
}

describe("the filter gradient on wasm (Conv2DBackpropFilter, docs/training.md)", () => {
  beforeAll(() => {
    useNodeWasmFiles();
  });
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it("is registered once, and TF.js 4.22's wasm lacks it without us", () => {
    expect(registerWasmConvGradients()).toBe(true);
    expect(registerWasmConvGradients()).toBe(true);
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
  });

  for (const [label, xShape, filterShape, strides, pad] of [
    ["3×3, stride 1, valid", [4, 9, 9, 3], [3, 3, 3, 5], [1, 1], "valid"],
    ["3×3, stride 2, same", [2, 10, 11, 2], [3, 3, 2, 4], [2, 2], "same"],
    ["5×2, strides 1×3, same", [3, 8, 13, 1], [5, 2, 1, 6], [1, 3], "same"],
  ] as const) {
    it(`equals the cpu backend's within 1e-4: ${label}`, async () => {
      registerWasmConvGradients();
      const cpu = await filterGradOn("cpu", [...xShape], [...filterShape], [...strides], pad);
      const wasm = await filterGradOn("wasm", [...xShape], [...filterShape], [...strides], pad);
      expect(tf.getBackend()).toBe("wasm");
      expect(wasm.length).toBe(cpu.length);
      expect(maxAbsDiff(wasm, cpu)).toBeLessThanOrEqual(1e-4);
      expect(Math.max(...cpu.map(Math.abs))).toBeGreaterThan(0.1);
    });
  }

  it("trains mnist-cnn on wasm to the same weights as cpu after a few steps", async () => {
    registerWasmConvGradients();
    const spec = presetSpec("mnist-cnn");
    const start = await initialWeights(spec, 10, 5);
    const batch = (k: number) => ({
      features: values(16 * 784, 100 + k).map((v) => (v + 1) / 2),
      labels: Int32Array.from({ length: 16 }, (_, i) => (i * 7 + k) % 10),
      size: 16,
      featureSize: 784,
    });
    const after = async (backend: "cpu" | "wasm") => {
      await tf.setBackend(backend);
      const model = buildModel({ ...spec, optimizer: "sgd", learningRate: 0.05 }, 10);
      setWeights(model, start);
      await trainLocal(model, () => [batch(0), batch(1), batch(2)]);
      const w = (await readWeights(model)).values;
      model.dispose();
      return w;
    };
    const cpu = await after("cpu");
    const wasm = await after("wasm");
    expect(maxAbsDiff(wasm, cpu)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(cpu, start)).toBeGreaterThan(1e-3);
  });
});
