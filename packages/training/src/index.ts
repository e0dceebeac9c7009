/**
 * `@cyxwiz/training`: model specs and presets to TensorFlow.js models, backend choice, batches from
 * chunks of samples (or all of them decoded at once), local training, model updates and their
 * aggregation (docs/training.md).
 * Node-only: `useNodeWasmFiles` in backend-wasm.node.ts.
 */
export { fedAvg, krum, trimmedMean, type WeightedUpdate } from "./aggregate.js";
export { type BackendChoice, type BackendSwitch, chooseBackend } from "./backend-choice.js";
export { buildModel } from "./build-model.js";
export { type ChunkToDecode, type DecodedSamples, decodeSamples } from "./decode-samples.js";
export { initialWeights } from "./initial-weights.js";
export { type BatchSource, evaluate, type TrainLocalOptions, type TrainResult, trainLocal } from "./local-training.js";
export { type ModelArtifactsFiles, modelArtifacts, WEIGHTS_FILE } from "./model-artifacts.js";
export {
  applyDelta,
  decodeUpdate,
  deltaOf,
  encodeUpdate,
  type FlatWeights,
  fromHalf,
  l2Norm,
  layoutSize,
  readWeights,
  setWeights,
  toHalf,
  type UpdateCheck,
  type UpdateEncoding,
  validateUpdate,
  type WeightLayout,
  weightsOf,
} from "./model-update.js";
export {
  chunkSamples,
  labelIds,
  prefetch,
  type SampleBatch,
  type SampleBatchOptions,
  sampleBatches,
} from "./sample-batches.js";
export { type ImageRegion, imageRegions, shiftImages } from "./shift-augment.js";
// Specs, presets, backend and optimizer names, errors: the part that loads no TF.js.
export * from "./spec.js";
