import { chacha20 } from "@noble/ciphers/chacha.js";
import * as tf from "@tensorflow/tfjs-core";
import { buildModel } from "./build-model.js";
import type { ModelSpec } from "./model-spec.js";
import { layoutSize, type WeightLayout } from "./model-update.js";
import { TrainingError } from "./training-error.js";

const DOMAIN = new TextEncoder().encode("cyxwiz-initial-weights-v1"); // 25 bytes; the seed fills 8 of the 32-byte key

/** The ChaCha20 key of a seed: the domain string, zero padding, then the seed as u64 BE (bytes 24..31). */
function keyOf(seed: number): Uint8Array {
  const key = new Uint8Array(32);
  key.set(DOMAIN.subarray(0, 24), 0);
  const view = new DataView(key.buffer);
  view.setUint32(24, Math.floor(seed / 2 ** 32));
  view.setUint32(28, seed >>> 0);
  return key;
}

/**
 * Glorot's uniform limit sqrt(6 / (fanIn + fanOut)) for a kernel, with TensorFlow.js's fans: a
 * dense kernel [in, out]; a conv kernel [kh, kw, in, out] counts kh·kw per channel.
 */
function glorotLimit(shape: readonly number[]): number {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = shape[shape.length - 2]! * receptive;
  const fanOut = shape[shape.length - 1]! * receptive;
  return Math.sqrt(6 / (fanIn + fanOut));
}

/**
 * The deterministic initial weights of a model (round 0 of a job, docs/training.md "Initial
 * weights"): laid out as weightsOf gives, each kernel drawn Glorot-uniform from one ChaCha20
 * keystream (RFC 8439, @noble/ciphers) keyed by the seed, each bias zero. The same numbers in
 * every runtime: the draws are integer keystream words mapped to floats by exact arithmetic.
 * Building the model needs a backend: it awaits `tf.ready()` (the active one, else the best
 * registered) first.
 * @throws TrainingError CYXW_ERR_TR_BAD_OPTION for a seed that is not an integer in [0, 2^53);
 *   CYXW_ERR_TR_BAD_SPEC for a bad spec or class count (buildModel).
 */
export async function initialWeights(spec: ModelSpec, numClasses: number, seed: number): Promise<Float32Array> {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", `seed must be an integer in [0, 2^53), not ${seed}`);
  await tf.ready();
  const model = buildModel(spec, numClasses);
  const layout: WeightLayout = {
    names: model.weights.map((w) => w.name),
    shapes: model.weights.map((w) => [...w.shape] as number[]),
  };
  model.dispose();
  const out = new Float32Array(layoutSize(layout));
  const kernelValues = layout.shapes.reduce((a, s) => (s.length >= 2 ? a + s.reduce((x, y) => x * y, 1) : a), 0);
  const stream = chacha20(keyOf(seed), new Uint8Array(12), new Uint8Array(kernelValues * 4));
  const words = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  let at = 0;
  let drawn = 0;
  for (const shape of layout.shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (shape.length >= 2) {
      const limit = glorotLimit(shape);
      for (let i = 0; i < n; i++, drawn++) {
        // A uniform draw in (-1, 1): the word's midpoint scaled, exact in float64.
        const u = (words.getUint32(drawn * 4, true) + 0.5) / 2 ** 31 - 1;
        out[at + i] = u * limit;
      }
    }
    at += n;
  }
  return out;
}
