/**
 * `@cyxwiz/training/spec`: the names and checks of training that load no TF.js — model specs,
 * presets, optimizers, backend names, the error type. For code that describes or checks a job
 * without training it (the CLI's options, a gateway's spec check); everything else is in the
 * package's main entry, which re-exports these too.
 */
export { BACKENDS, type BackendName, type BackendPreference } from "./backend-names.js";
export { MODEL_PRESETS, PRESET_NAMES, type PresetName, presetSpec } from "./model-presets.js";
export {
  ACTIVATIONS,
  type Activation,
  hasConvLayers,
  LAYER_TYPES,
  type LayerSpec,
  type LayerType,
  type ModelSpec,
  OPTIMIZERS,
  type OptimizerName,
  validateModelSpec,
} from "./model-spec.js";
export { isTrainingError, TRAINING_ERROR_CODES, TrainingError, type TrainingErrorCode } from "./training-error.js";
