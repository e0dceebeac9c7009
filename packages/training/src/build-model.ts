import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { type LayerSpec, type ModelSpec, validateModelSpec } from "./model-spec.js";
import { TrainingError } from "./training-error.js";

function layerOf(l: LayerSpec): tfl.layers.Layer {
  switch (l.type) {
    case "dense":
      return tfl.layers.dense({ units: l.units!, activation: l.activation ?? "linear" });
    case "conv2d":
      return tfl.layers.conv2d({
        filters: l.filters!,
        kernelSize: l.kernelSize!,
        activation: l.activation ?? "linear",
      });
    case "maxPooling2d":
      return tfl.layers.maxPooling2d({ poolSize: l.poolSize! });
    case "flatten":
      return tfl.layers.flatten();
    case "dropout":
      return tfl.layers.dropout({ rate: l.rate! });
  }
}

/**
 * A compiled TensorFlow.js model for a spec: the spec's layers, then a softmax dense layer of
 * `numClasses` units; optimizer `spec.optimizer` (default adam) at `spec.learningRate` (default
 * 0.001), loss sparse categorical cross-entropy, metric accuracy. Labels are int class ids.
 * @throws TrainingError CYXW_ERR_TR_BAD_SPEC for a bad spec or class count.
 */
export function buildModel(spec: ModelSpec, numClasses: number): tfl.LayersModel {
  validateModelSpec(spec);
  if (!Number.isInteger(numClasses) || numClasses < 2)
    throw new TrainingError("CYXW_ERR_TR_BAD_SPEC", `numClasses: must be an integer of at least 2, not ${numClasses}`);
  const model = tfl.sequential();
  model.add(tfl.layers.inputLayer({ inputShape: [...spec.inputShape] }));
  for (const l of spec.layers) model.add(layerOf(l));
  model.add(tfl.layers.dense({ units: numClasses, activation: "softmax" }));
  const lr = spec.learningRate ?? 0.001;
  const optimizer = (spec.optimizer ?? "adam") === "sgd" ? tf.train.sgd(lr) : tf.train.adam(lr);
  model.compile({ optimizer, loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}
