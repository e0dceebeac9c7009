import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "./build-model.js";
import { MODEL_PRESETS, PRESET_NAMES, presetSpec } from "./model-presets.js";
import { validateModelSpec } from "./model-spec.js";
import type { TrainingError } from "./training-error.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

function specError(value: unknown): TrainingError {
  try {
    validateModelSpec(value);
  } catch (e) {
    return e as TrainingError;
  }
  throw new Error("expected a TrainingError");
}

describe("model specs: validation, presets and buildModel", () => {
  it("names the layer index and field of a bad layer", () => {
    const e = specError({
      inputShape: [784],
      layers: [
        { type: "dense", units: 8 },
        { type: "dense", units: 0 },
      ],
    });
    expect(e.code).toBe("CYXW_ERR_TR_BAD_SPEC");
    expect(e.message).toContain("layers[1].units");
    expect(
      specError({ inputShape: [784], layers: [{ type: "dense", units: 4, activation: "gelu" }] }).message,
    ).toContain("layers[0].activation");
    expect(specError({ inputShape: [784], layers: [{ type: "lstm" }] }).message).toContain("layers[0].type");
    expect(specError({ inputShape: [28, 28, 1], layers: [{ type: "dense", units: 4 }] }).message).toContain(
      "layers[0].type: dense needs a flat input",
    );
    expect(specError({ inputShape: [784], layers: [{ type: "dropout", rate: 1 }] }).message).toContain(
      "layers[0].rate",
    );
    expect(specError({ inputShape: [], layers: [] }).message).toContain("inputShape");
    expect(specError({ inputShape: [4], layers: [], optimizer: "rmsprop" }).message).toContain("optimizer");
  });

  it("has the two MNIST presets in one registry, each valid; an unknown preset is a typed error", () => {
    expect(PRESET_NAMES).toEqual(["mnist-mlp", "mnist-cnn"]);
    for (const name of PRESET_NAMES) expect(validateModelSpec(MODEL_PRESETS[name])).toBeDefined();
    expect(() => presetSpec("resnet")).toThrow(/CYXW_ERR_TR_UNKNOWN_PRESET.*resnet/);
  });

  it("builds mnist-mlp as 784-128-10 and mnist-cnn with conv layers, both ending in a softmax over the classes", () => {
    const mlp = buildModel(presetSpec("mnist-mlp"), 10);
    expect(mlp.inputs[0]!.shape).toEqual([null, 784]);
    expect(mlp.weights.map((w) => w.shape)).toEqual([[784, 128], [128], [128, 10], [10]]);
    expect(mlp.countParams()).toBe(101_770);
    const cnn = buildModel(presetSpec("mnist-cnn"), 10);
    expect(cnn.countParams()).toBe(27_562);
    expect(cnn.outputs[0]!.shape).toEqual([null, 10]);
    expect(cnn.layers.map((l) => l.getClassName())).toContain("Conv2D");
    const out = tf.tidy(() => tf.sum(cnn.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor, 1).dataSync());
    for (const s of out) expect(s).toBeCloseTo(1, 4);
    mlp.dispose();
    cnn.dispose();
    expect(() => buildModel(presetSpec("mnist-mlp"), 1)).toThrow(/numClasses/);
  });
});
