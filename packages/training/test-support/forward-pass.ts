import * as tf from "@tensorflow/tfjs-core";
import { type BackendName, buildModel, type ModelSpec, setWeights } from "../src/index.js";

/**
 * `n` MNIST-shaped samples with values in [0, 1): a fixed integer hash of the index (Knuth's
 * multiplicative constant), the same in every runtime and run.
 */
export function fixedInputs(n: number, featureSize: number): Float32Array {
  const out = new Float32Array(n * featureSize);
  for (let i = 0; i < out.length; i++) out[i] = (Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32;
  return out;
}

/**
 * The model's output probabilities for `inputs` on `backend`: switches to it, asserts it really
 * runs (setBackend can resolve false, or true with another backend active), builds the spec,
 * sets the weights and predicts.
 */
export async function forwardOn(
  backend: BackendName,
  spec: ModelSpec,
  weights: Float32Array,
  inputs: Float32Array,
  n: number,
): Promise<Float32Array> {
  const ok = await tf.setBackend(backend);
  if (!ok || tf.getBackend() !== backend)
    throw new Error(`backend ${backend} did not initialise (setBackend ${ok}, active ${tf.getBackend()})`);
  const model = buildModel(spec, 10);
  try {
    setWeights(model, weights);
    const x = tf.tensor(inputs, [n, ...spec.inputShape], "float32");
    const y = model.predict(x) as tf.Tensor;
    const out = (await y.data()) as Float32Array;
    x.dispose();
    y.dispose();
    return out;
  } finally {
    model.dispose();
  }
}

/** The largest |a[i] − b[i]|. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
