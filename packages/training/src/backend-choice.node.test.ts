import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { chooseBackend } from "./backend-choice.js";
import { useNodeWasmFiles } from "./backend-wasm.node.js";
import { buildModel } from "./build-model.js";
import { trainLocal } from "./local-training.js";
import { presetSpec } from "./model-presets.js";

function batch(size: number, featureSize: number) {
  const features = Float32Array.from({ length: size * featureSize }, (_, i) => (i % 7) / 7);
  const labels = Int32Array.from({ length: size }, (_, i) => i % 10);
  return { features, labels, size, featureSize };
}

describe("chooseBackend on the real TF.js backends (Node)", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it("falls past webgpu (no GPU in Node) to wasm for a dense model, which trains there", async () => {
    useNodeWasmFiles();
    const spec = presetSpec("mnist-mlp");
    const choice = await chooseBackend("auto", spec);
    expect(choice).toEqual({ backend: "wasm", reason: "webgpu did not initialise: wasm" });
    expect(tf.getBackend()).toBe("wasm");
    const model = buildModel(spec, 10);
    const result = await trainLocal(model, () => [batch(32, 784), batch(32, 784)]);
    expect(result.samples).toBe(64);
    expect(Number.isFinite(result.loss)).toBe(true);
    model.dispose();
  });

  it("trains a conv model on wasm, with the filter gradient it is given", async () => {
    useNodeWasmFiles();
    const spec = presetSpec("mnist-cnn");
    const choice = await chooseBackend("wasm", spec);
    expect(choice).toEqual({ backend: "wasm", reason: "as asked, and it started" });
    expect(tf.getBackend()).toBe("wasm");
    const model = buildModel(spec, 10);
    const result = await trainLocal(model, () => [batch(8, 784)]);
    expect(Number.isFinite(result.loss)).toBe(true);
    model.dispose();
  });
});
