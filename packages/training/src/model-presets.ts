import { type ModelSpec, validateModelSpec } from "./model-spec.js";
import { TrainingError } from "./training-error.js";

/** The preset model specs, by name: the one registry (docs/training.md "Presets"). */
export const MODEL_PRESETS = {
  /** 784 → 128 (relu) → 10 (softmax, added by buildModel). */
  "mnist-mlp": {
    inputShape: [784],
    layers: [{ type: "dense", units: 128, activation: "relu" }],
    optimizer: "adam",
    learningRate: 0.001,
  },
  /** conv 8×3×3 → pool 2 → conv 16×3×3 → pool 2 → flatten → 64 → 10. */
  "mnist-cnn": {
    inputShape: [28, 28, 1],
    layers: [
      { type: "conv2d", filters: 8, kernelSize: 3, activation: "relu" },
      { type: "maxPooling2d", poolSize: 2 },
      { type: "conv2d", filters: 16, kernelSize: 3, activation: "relu" },
      { type: "maxPooling2d", poolSize: 2 },
      { type: "flatten" },
      { type: "dense", units: 64, activation: "relu" },
    ],
    optimizer: "adam",
    learningRate: 0.001,
  },
} as const satisfies Record<string, ModelSpec>;

export type PresetName = keyof typeof MODEL_PRESETS;

/** The names of the presets. */
export const PRESET_NAMES = Object.keys(MODEL_PRESETS) as PresetName[];

/** The spec of a preset. @throws TrainingError CYXW_ERR_TR_UNKNOWN_PRESET naming the preset. */
export function presetSpec(name: string): ModelSpec {
  if (!Object.hasOwn(MODEL_PRESETS, name))
    throw new TrainingError("CYXW_ERR_TR_UNKNOWN_PRESET", `"${name}" is not a preset (${PRESET_NAMES.join(", ")})`);
  return validateModelSpec(MODEL_PRESETS[name as PresetName]);
}
