/**
 * Training throughput of the worker's path beside plain TF.js, on one backend (runtime-neutral:
 * bench/train-node.ts runs it in Node, bench/train-browser-entry.ts on a Chromium page).
 *
 * - ours: what a worker runs, sampleBatches over the packed Arrow chunks (decode, uint8 → [0, 1],
 *   prefetch) → trainLocal (one trainOnBatch per batch);
 * - plain: single-process TF.js, `model.fit` on the same samples already in tensors, same batch
 *   size, one epoch, no shuffle.
 *
 * Both train the same mnist-mlp model (from initialWeights), so neither gains from a warmer or
 * smaller heap: warmed up by both paths, then timed for the same number of steps; the repeats
 * alternate which goes first, and each figure is the median of its repeats.
 */
import { decodeSampleChunk } from "@cyxwiz/datasets/samples";
import * as tf from "@tensorflow/tfjs-core";
import {
  type BackendName,
  buildModel,
  chooseBackend,
  chunkSamples,
  initialWeights,
  labelIds,
  presetSpec,
  sampleBatches,
  setWeights,
  trainLocal,
} from "../src/index.js";

export interface ThroughputOptions {
  readonly backend: BackendName;
  /** Packed sample chunks (Arrow IPC, as uploaded): MNIST t10k. */
  readonly chunks: readonly Uint8Array[];
  /** The manifest's label order. */
  readonly labels: readonly string[];
  readonly batchSize: number;
  /** Timed steps (batches) per measurement. */
  readonly steps: number;
  readonly warmupSteps: number;
  readonly repeats: number;
  readonly seed: number;
}

export interface ThroughputRow {
  readonly backend: BackendName;
  readonly batchSize: number;
  readonly steps: number;
  readonly repeats: number;
  /** Median samples/s of the worker's path and of plain model.fit, and ours / plain. */
  readonly ours: number;
  readonly plain: number;
  readonly ratio: number;
  readonly oursRuns: readonly number[];
  readonly plainRuns: readonly number[];
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Switches to `backend` as a worker does (chooseBackend, which also keeps the backends' modules in
 * a bundle) and checks it is the one that runs: chooseBackend would fall back to the next.
 */
export async function useBackend(backend: BackendName): Promise<void> {
  const choice = await chooseBackend(backend, presetSpec("mnist-mlp"));
  if (choice.backend !== backend || tf.getBackend() !== backend)
    throw new Error(`backend ${backend} did not initialise (${choice.reason}; active ${tf.getBackend()})`);
}

/** Measures one backend; see the module comment. @throws Error when the backend does not initialise. */
export async function measureThroughput(o: ThroughputOptions): Promise<ThroughputRow> {
  await useBackend(o.backend);
  const spec = presetSpec("mnist-mlp");
  const numClasses = o.labels.length;
  const w0 = await initialWeights(spec, numClasses, o.seed);
  const model = buildModel(spec, numClasses);
  setWeights(model, w0);

  // The plain baseline's tensors: the same samples, decoded before the clock starts.
  const n = o.steps * o.batchSize;
  const ids = labelIds(o.labels);
  const features = new Float32Array(n * 784);
  const labels = new Float32Array(n);
  let have = 0;
  for (const c of o.chunks) {
    if (have === n) break;
    const s = chunkSamples(decodeSampleChunk(c), { featureColumns: ["image"], labelColumn: "label" }, ids);
    const take = Math.min(n - have, s.labels.length);
    features.set(s.features.subarray(0, take * 784), have * 784);
    labels.set(s.labels.subarray(0, take), have);
    have += take;
  }
  if (have < n) throw new Error(`${o.steps} steps of ${o.batchSize} need ${n} samples; the chunks hold ${have}`);
  const xs = tf.tensor2d(features, [n, 784]);
  const ys = tf.tensor1d(labels);

  const batchOptions = { featureColumns: ["image"], labelColumn: "label", labels: o.labels, batchSize: o.batchSize };
  const runOurs = async (steps: number) => {
    const t0 = performance.now();
    const r = await trainLocal(model, () => sampleBatches(o.chunks, batchOptions), { steps });
    return r.samples / ((performance.now() - t0) / 1000);
  };
  const runPlain = async (steps: number) => {
    const m = steps * o.batchSize;
    const [x, y] = m === n ? [xs, ys] : [tf.slice(xs, [0, 0], [m, 784]), tf.slice(ys, [0], [m])];
    const t0 = performance.now();
    await model.fit(x, y, { batchSize: o.batchSize, epochs: 1, shuffle: false, verbose: 0 });
    const rate = m / ((performance.now() - t0) / 1000);
    if (x !== xs) tf.dispose([x, y]);
    return rate;
  };

  try {
    await runOurs(o.warmupSteps);
    await runPlain(o.warmupSteps);
    const oursRuns: number[] = [];
    const plainRuns: number[] = [];
    for (let r = 0; r < o.repeats; r++) {
      if (r % 2 === 0) {
        oursRuns.push(await runOurs(o.steps));
        plainRuns.push(await runPlain(o.steps));
      } else {
        plainRuns.push(await runPlain(o.steps));
        oursRuns.push(await runOurs(o.steps));
      }
    }
    const [a, b] = [median(oursRuns), median(plainRuns)];
    return {
      backend: o.backend,
      batchSize: o.batchSize,
      steps: o.steps,
      repeats: o.repeats,
      ours: a,
      plain: b,
      ratio: a / b,
      oursRuns,
      plainRuns,
    };
  } finally {
    tf.dispose([xs, ys]);
    model.dispose();
  }
}
