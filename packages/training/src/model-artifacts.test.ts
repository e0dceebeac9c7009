import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import { beforeAll, describe, expect, it } from "vitest";
import { fixedInputs } from "../test-support/forward-pass.js";
import { buildModel } from "./build-model.js";
import { initialWeights } from "./initial-weights.js";
import { modelArtifacts, WEIGHTS_FILE } from "./model-artifacts.js";
import { presetSpec } from "./model-presets.js";
import { setWeights } from "./model-update.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Loads model.json and weights.bin the way a TF.js client would, from memory instead of HTTP. */
async function load(modelJson: string, weights: Uint8Array): Promise<tfl.LayersModel> {
  const json = JSON.parse(modelJson) as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    expect(manifest.flatMap((g) => g.paths)).toEqual([WEIGHTS_FILE]);
    return [manifest.flatMap((g) => g.weights), weights.slice().buffer];
  });
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts));
}

function predict(model: tfl.LayersModel, inputs: Float32Array, n: number): Float32Array {
  return tf.tidy(() => {
    const shape = model.inputs[0]!.shape.slice(1) as number[];
    return (model.predict(tf.tensor(inputs, [n, ...shape])) as tf.Tensor).dataSync() as Float32Array;
  });
}

describe("modelArtifacts: model.json and weights.bin for tf.loadLayersModel", () => {
  for (const name of ["mnist-mlp", "mnist-cnn"] as const) {
    it(`${name}: the loaded model predicts exactly what the built model with the same weights predicts`, async () => {
      const spec = presetSpec(name);
      const weights = await initialWeights(spec, 10, 5);
      const files = await modelArtifacts(spec, 10, weights);
      const json = JSON.parse(files.modelJson) as tf.io.ModelJSON;
      expect(json.format).toBe("layers-model");
      expect(json.weightsManifest).toHaveLength(1);
      expect(json.weightsManifest[0]!.paths).toEqual(["weights.bin"]);
      expect(files.weights.byteLength).toBe(weights.length * 4);
      expect(new Float32Array(files.weights.slice().buffer)).toEqual(weights);

      const loaded = await load(files.modelJson, files.weights);
      const built = buildModel(spec, 10);
      setWeights(built, weights);
      const inputs = fixedInputs(16, 784);
      expect(predict(loaded, inputs, 16)).toEqual(predict(built, inputs, 16));
      loaded.dispose();
      built.dispose();
    });
  }

  it("rejects weights that do not fit the model, naming both lengths", async () => {
    const spec = presetSpec("mnist-mlp");
    await expect(modelArtifacts(spec, 10, new Float32Array(7))).rejects.toThrow(
      "CYXW_ERR_TR_LAYOUT_MISMATCH: 7 values for a model of 101770 weights",
    );
    await expect(modelArtifacts(spec, 3, await initialWeights(spec, 10, 0))).rejects.toThrow(
      "CYXW_ERR_TR_LAYOUT_MISMATCH",
    );
  });
});
