import * as tf from "@tensorflow/tfjs-core";
import { buildModel } from "./build-model.js";
import type { ModelSpec } from "./model-spec.js";
import { setWeights } from "./model-update.js";

/** The file name model.json's weights manifest points at: serve the weights beside it under this name. */
export const WEIGHTS_FILE = "weights.bin";

/** A model as TensorFlow.js's two files: `model.json` (topology and manifest) and its weights. */
export interface ModelArtifactsFiles {
  /** TF.js's model.json (format "layers-model"), its manifest's one path WEIGHTS_FILE. */
  readonly modelJson: string;
  /** The weights, float32 little-endian, in the manifest's order. */
  readonly weights: Uint8Array;
}

/**
 * A model's files for TF.js's `tf.loadLayersModel` (docs/training.md "Model artifacts"): the spec
 * built with `numClasses` outputs (buildModel), its weights set from the flat vector (weightsOf's
 * layout), saved through `tf.io.withSaveHandler`. Serve `modelJson` as model.json and `weights` as
 * weights.bin beside it, or load both with `tf.io.fromMemory`. Awaits `tf.ready()` first, as
 * initialWeights.
 * @throws TrainingError CYXW_ERR_TR_BAD_SPEC for a bad spec or class count (buildModel);
 *   CYXW_ERR_TR_LAYOUT_MISMATCH when `weights` does not fit the model (setWeights).
 */
export async function modelArtifacts(
  spec: ModelSpec,
  numClasses: number,
  weights: Float32Array,
): Promise<ModelArtifactsFiles> {
  await tf.ready();
  const model = buildModel(spec, numClasses);
  try {
    setWeights(model, weights);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    const a = saved!;
    const data = a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
    const json: tf.io.ModelJSON = {
      modelTopology: a.modelTopology as tf.io.ModelJSON["modelTopology"],
      format: a.format,
      generatedBy: a.generatedBy,
      convertedBy: a.convertedBy ?? null,
      ...(a.trainingConfig === undefined ? {} : { trainingConfig: a.trainingConfig }),
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs ?? [] }],
    };
    return { modelJson: JSON.stringify(json), weights: new Uint8Array(data) };
  } finally {
    model.dispose();
  }
}
