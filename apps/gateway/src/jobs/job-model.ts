import { createRequire } from "node:module";
import { dirname } from "node:path";
import {
  buildModel,
  type ChunkToDecode,
  chooseBackend,
  type DecodedSamples,
  decodeSamples,
  evaluate,
  initialWeights,
  labelIds,
  type ModelSpec,
  modelArtifacts,
  type SampleBatch,
  setWeights,
} from "@cyxwiz/training";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { JobPlan } from "./job-spec.js";

// The gateway's TensorFlow.js work (docs/compute.md "Evaluation"): a job's initial weights, the
// global model evaluated on the held-out split, and the model exported in TF.js's format. It runs
// on the wasm backend (measured up to 4× faster than cpu evaluating the MNIST MLP,
// docs/compute.md "Evaluation"), falling back to cpu when wasm does not initialise. The gateway
// only runs models forward.

let backendReady: Promise<unknown> | undefined;

/** Sets TensorFlow.js's backend for the gateway, once: wasm (its .wasm files found beside the package), else cpu. */
export function gatewayBackend(): Promise<unknown> {
  backendReady ??= (async () => {
    const wasm = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm");
    setWasmPaths(`${dirname(wasm)}/`);
    // Any spec will do: the gateway only picks the backend here.
    return chooseBackend("wasm", { inputShape: [1], layers: [] });
  })();
  return backendReady;
}

/**
 * A job's initial weights: @cyxwiz/training's initialWeights (seeded Glorot-uniform kernels, zero
 * biases; the same in Node and browsers) seeded by the job's seed (`sharding_seed`), so two jobs
 * of the same spec start from the same model and, with shuffles and shifts seeded too, train
 * the same rounds (docs/compute.md "Submitting a job").
 */
export async function jobInitialWeights(spec: ModelSpec, numClasses: number, seed: number): Promise<Float32Array> {
  await gatewayBackend();
  return initialWeights(spec, numClasses, seed);
}

/** The model in TF.js's format: @cyxwiz/training's modelArtifacts (model.json naming "weights.bin", and the weights). */
export async function exportModel(
  plan: Pick<JobPlan, "model" | "numClasses">,
  weights: Float32Array,
): Promise<{ modelJson: string; weights: Uint8Array }> {
  await gatewayBackend();
  return modelArtifacts(plan.model, plan.numClasses, weights);
}

/** The held-out samples of a job, decoded: features row-major and class ids. */
export type EvalSet = DecodedSamples;

/**
 * The samples of `indices` (ascending, dataset-wide) from the chunks that hold them, decoded
 * with the job's feature and label columns by @cyxwiz/training's decodeSamples. Only the chunks
 * holding one of them are read, one at a time.
 */
export function evalSetOf(
  plan: Pick<JobPlan, "featureColumns" | "labelColumn" | "labels">,
  starts: readonly number[],
  indices: Uint32Array,
  read: (chunk: number) => Promise<Uint8Array>,
): Promise<EvalSet> {
  return decodeSamples(chunksHolding(starts, indices, read), plan, labelIds(plan.labels));
}

/** Each chunk holding one of `indices` (ascending), read when asked for, with those samples' rows in it. */
async function* chunksHolding(
  starts: readonly number[],
  indices: Uint32Array,
  read: (chunk: number) => Promise<Uint8Array>,
): AsyncGenerator<ChunkToDecode> {
  let p = 0;
  for (let c = 0; c + 1 < starts.length && p < indices.length; c++) {
    const end = starts[c + 1]!;
    if (indices[p]! >= end) continue;
    const rows: number[] = [];
    while (p < indices.length && indices[p]! < end) rows.push(indices[p++]! - starts[c]!);
    yield { bytes: await read(c), rows };
  }
}

/** Loss and accuracy of the model with `weights` on an eval set. */
export async function evaluateWeights(
  plan: Pick<JobPlan, "model" | "numClasses">,
  weights: Float32Array,
  set: EvalSet,
  batchSize = 512,
): Promise<{ loss: number; accuracy: number; samples: number }> {
  await gatewayBackend();
  const model = buildModel(plan.model, plan.numClasses);
  try {
    setWeights(model, weights);
    const batches: SampleBatch[] = [];
    for (let at = 0; at < set.labels.length; at += batchSize) {
      const size = Math.min(batchSize, set.labels.length - at);
      batches.push({
        features: set.features.subarray(at * set.featureSize, (at + size) * set.featureSize),
        labels: set.labels.subarray(at, at + size),
        size,
        featureSize: set.featureSize,
      });
    }
    return await evaluate(model, batches);
  } finally {
    model.dispose();
  }
}
