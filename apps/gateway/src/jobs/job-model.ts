import { createRequire } from "node:module";
import { dirname } from "node:path";
import { decodeSampleChunk } from "@cyxwiz/datasets/samples";
import {
  buildModel,
  chooseBackend,
  chunkSamples,
  evaluate,
  labelIds,
  type ModelSpec,
  type SampleBatch,
  setWeights,
  weightsOf,
} from "@cyxwiz/training";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import type { JobPlan } from "./job-spec.js";

// The gateway's TensorFlow.js work (docs/compute.md "Evaluation"): a job's initial weights, the
// global model evaluated on the held-out split, and the model exported in TF.js's format. It runs
// on the wasm backend (measured up to 4× faster than cpu evaluating the MNIST MLP,
// docs/compute.md "Evaluation"), falling back to cpu when wasm does not initialise. The gateway
// only runs models forward, which wasm can do for conv layers too.

let backendReady: Promise<unknown> | undefined;

/** Sets TensorFlow.js's backend for the gateway, once: wasm (its .wasm files found beside the package), else cpu. */
export function gatewayBackend(): Promise<unknown> {
  backendReady ??= (async () => {
    const wasm = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm");
    setWasmPaths(`${dirname(wasm)}/`);
    // A dense-only spec: chooseBackend passes over wasm only for training conv layers.
    return chooseBackend("wasm", { inputShape: [1], layers: [] });
  })();
  return backendReady;
}

/** A small seeded generator (mulberry32): initial weights depend on the job id alone. */
function seededRandom(seedText: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seedText.length; i++) h = Math.imul(h ^ seedText.charCodeAt(i), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A model's initial weights, reproducible from `seed`: Glorot-uniform kernels (as TF.js's default
 * initializer) and zero biases, laid out as weightsOf gives them.
 */
export async function initialWeights(spec: ModelSpec, numClasses: number, seed: string): Promise<Float32Array> {
  await gatewayBackend();
  const model = buildModel(spec, numClasses);
  try {
    const random = seededRandom(seed);
    const out = new Float32Array(weightsOf(model).values.length);
    let at = 0;
    for (const w of model.weights) {
      const shape = w.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      if (shape.length >= 2) {
        const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
        const fanIn = shape[shape.length - 2]! * receptive;
        const fanOut = shape[shape.length - 1]! * receptive;
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        for (let i = 0; i < n; i++) out[at + i] = (random() * 2 - 1) * limit;
      }
      at += n;
    }
    return out;
  } finally {
    model.dispose();
  }
}

/** The model in TF.js's format: model.json (weights manifest naming "weights.bin") and the weights. */
export async function exportModel(
  plan: Pick<JobPlan, "model" | "numClasses">,
  weights: Float32Array,
): Promise<{ modelJson: string; weights: Uint8Array }> {
  await gatewayBackend();
  const model = buildModel(plan.model, plan.numClasses);
  try {
    setWeights(model, weights);
    let out: { modelJson: string; weights: Uint8Array } | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const data = artifacts.weightData;
        const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
        const bin = new Uint8Array(buffers.reduce((a, b) => a + b.byteLength, 0));
        let at = 0;
        for (const b of buffers) {
          bin.set(new Uint8Array(b), at);
          at += b.byteLength;
        }
        out = {
          modelJson: JSON.stringify({
            format: "layers-model",
            generatedBy: `TensorFlow.js tfjs-layers v${tf.version_core}`,
            convertedBy: null,
            modelTopology: artifacts.modelTopology,
            weightsManifest: [{ paths: ["weights.bin"], weights: artifacts.weightSpecs ?? [] }],
          }),
          weights: bin,
        };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    return out!;
  } finally {
    model.dispose();
  }
}

/** The held-out samples of a job, decoded: features row-major and class ids. */
export interface EvalSet {
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly featureSize: number;
}

/**
 * The samples of `indices` (ascending, dataset-wide) from the chunks that hold them, decoded
 * with the job's feature and label columns.
 */
export async function evalSetOf(
  plan: Pick<JobPlan, "featureColumns" | "labelColumn" | "labels">,
  starts: readonly number[],
  indices: Uint32Array,
  read: (chunk: number) => Promise<Uint8Array>,
): Promise<EvalSet> {
  const ids = labelIds(plan.labels);
  const parts: { f: Float32Array; l: Int32Array }[] = [];
  let featureSize = 0;
  let p = 0;
  for (let c = 0; c + 1 < starts.length && p < indices.length; c++) {
    const end = starts[c + 1]!;
    if (indices[p]! >= end) continue;
    const s = chunkSamples(decodeSampleChunk(await read(c)), plan, ids);
    featureSize = s.featureSize;
    const rows: number[] = [];
    while (p < indices.length && indices[p]! < end) rows.push(indices[p++]! - starts[c]!);
    const f = new Float32Array(rows.length * featureSize);
    const l = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      f.set(s.features.subarray(r * featureSize, (r + 1) * featureSize), i * featureSize);
      l[i] = s.labels[r]!;
    });
    parts.push({ f, l });
  }
  const total = parts.reduce((a, x) => a + x.l.length, 0);
  const features = new Float32Array(total * featureSize);
  const labels = new Int32Array(total);
  let at = 0;
  for (const x of parts) {
    features.set(x.f, at * featureSize);
    labels.set(x.l, at);
    at += x.l.length;
  }
  return { features, labels, featureSize };
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
