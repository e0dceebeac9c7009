/**
 * Samples seen to reach a held-out accuracy: FedAvg over 1, 2 and 4 simulated workers against
 * single-process training of the same model (docs/training.md "Benchmark"). Runtime-neutral; the
 * bench runs it in Node on wasm.
 *
 * Data: MNIST t10k decoded from its packed chunks; the first `train` samples train, the last
 * `heldOut` evaluate. Worker w of W holds the training samples i with i mod W = w (each class in
 * proportion). Round r: every worker starts from the global weights, trains one epoch over its
 * shard in the order epochOrder(shard size, seed, r) (@cyxwiz/datasets/sharding), and the next
 * global is the FedAvg (weighted by samples) of their deltas. Single process: epoch e visits the
 * whole training set in epochOrder(train, seed, e). Both start from initialWeights(spec, 10, seed),
 * use the spec's optimizer, learning rate and the same batch size, and are evaluated after every
 * `train` samples seen (a round, an epoch), so both are measured at the same points.
 */
import { epochOrder } from "@cyxwiz/datasets/sharding";
import {
  applyDelta,
  buildModel,
  deltaOf,
  evaluate,
  fedAvg,
  initialWeights,
  type ModelSpec,
  type SampleBatch,
  setWeights,
  trainLocal,
  weightsOf,
} from "../src/index.js";

/** Decoded samples: `features` row-major `count × featureSize`. */
export interface SampleSet {
  readonly features: Float32Array;
  readonly labels: Int32Array;
  readonly featureSize: number;
}

export interface ConvergenceOptions {
  readonly spec: ModelSpec;
  readonly numClasses: number;
  readonly data: SampleSet;
  readonly train: number;
  readonly heldOut: number;
  readonly workers: readonly number[];
  readonly targetAccuracy: number;
  /** The most rounds (epochs) before giving up on the target. */
  readonly maxRounds: number;
  readonly batchSize: number;
  readonly seed: number;
}

/** One run: the held-out accuracy after each round (epoch), and the samples seen when it first reached the target. */
export interface ConvergenceRun {
  readonly label: string;
  readonly workers: number;
  readonly curve: readonly { readonly samplesSeen: number; readonly accuracy: number }[];
  /** Samples seen when held-out accuracy first reached the target; null when it never did within maxRounds. */
  readonly samplesToTarget: number | null;
  readonly seconds: number;
}

/** Batches of `batchSize` of the samples `indices` (global indices into `data`), in that order. */
function* batchesOf(data: SampleSet, indices: ArrayLike<number>, batchSize: number): Generator<SampleBatch> {
  const f = data.featureSize;
  for (let at = 0; at < indices.length; at += batchSize) {
    const size = Math.min(batchSize, indices.length - at);
    const features = new Float32Array(size * f);
    const labels = new Int32Array(size);
    for (let k = 0; k < size; k++) {
      const i = indices[at + k]!;
      features.set(data.features.subarray(i * f, (i + 1) * f), k * f);
      labels[k] = data.labels[i]!;
    }
    yield { features, labels, size, featureSize: f };
  }
}

const range = (from: number, to: number) => Uint32Array.from({ length: to - from }, (_, k) => from + k);

/** The samples of a shard visited in the epoch's order. */
function ordered(shard: Uint32Array, seed: number, epoch: number): Uint32Array {
  const order = epochOrder(shard.length, seed, epoch);
  return order.map((k) => shard[k]!);
}

async function heldOutAccuracy(model: ReturnType<typeof buildModel>, o: ConvergenceOptions): Promise<number> {
  const held = range(o.train, o.train + o.heldOut);
  return (await evaluate(model, batchesOf(o.data, held, 500))).accuracy;
}

/** Single-process training: one model, one epoch over all training samples between evaluations. */
export async function singleProcess(
  o: ConvergenceOptions,
  log: (line: string) => void = () => {},
): Promise<ConvergenceRun> {
  const t0 = performance.now();
  const model = buildModel(o.spec, o.numClasses);
  setWeights(model, await initialWeights(o.spec, o.numClasses, o.seed));
  const all = range(0, o.train);
  const curve: { samplesSeen: number; accuracy: number }[] = [];
  let seen = 0;
  let reached: number | null = null;
  for (let epoch = 0; epoch < o.maxRounds && reached === null; epoch++) {
    const r = await trainLocal(model, () => batchesOf(o.data, ordered(all, o.seed, epoch), o.batchSize));
    seen += r.samples;
    const accuracy = await heldOutAccuracy(model, o);
    curve.push({ samplesSeen: seen, accuracy });
    log(`single process, epoch ${epoch + 1}: ${seen} samples seen, held-out accuracy ${accuracy.toFixed(4)}`);
    if (accuracy >= o.targetAccuracy) reached = seen;
  }
  model.dispose();
  return {
    label: "single process",
    workers: 1,
    curve,
    samplesToTarget: reached,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * FedAvg rounds over `workers` simulated workers, in this process, one after the other. The global
 * weights move `serverLearningRate` × the average each round (the gateway's
 * `Aggregation.server_learning_rate`; 1: plain FedAvg).
 */
export async function federated(
  o: ConvergenceOptions,
  workers: number,
  log: (line: string) => void = () => {},
  serverLearningRate = 1,
): Promise<ConvergenceRun> {
  const t0 = performance.now();
  const shards = Array.from({ length: workers }, (_, w) => range(0, o.train).filter((i) => i % workers === w));
  const models = shards.map(() => buildModel(o.spec, o.numClasses));
  const global = buildModel(o.spec, o.numClasses);
  let globalWeights = await initialWeights(o.spec, o.numClasses, o.seed);
  const curve: { samplesSeen: number; accuracy: number }[] = [];
  let seen = 0;
  let reached: number | null = null;
  for (let round = 0; round < o.maxRounds && reached === null; round++) {
    const updates = [];
    for (const [w, model] of models.entries()) {
      setWeights(model, globalWeights);
      const r = await trainLocal(model, () => batchesOf(o.data, ordered(shards[w]!, o.seed, round), o.batchSize));
      updates.push({ delta: deltaOf(weightsOf(model).values, globalWeights), samples: r.samples });
      seen += r.samples;
    }
    const average = fedAvg(updates);
    globalWeights = applyDelta(
      globalWeights,
      serverLearningRate === 1 ? average : average.map((d) => d * serverLearningRate),
    );
    setWeights(global, globalWeights);
    const accuracy = await heldOutAccuracy(global, o);
    curve.push({ samplesSeen: seen, accuracy });
    log(
      `${workers} worker(s), server lr ${serverLearningRate}, round ${round + 1}: ${seen} samples seen, held-out accuracy ${accuracy.toFixed(4)}`,
    );
    if (accuracy >= o.targetAccuracy) reached = seen;
  }
  for (const m of [global, ...models]) m.dispose();
  return {
    label: `FedAvg, ${workers} worker${workers === 1 ? "" : "s"}${serverLearningRate === 1 ? "" : `, server lr ${serverLearningRate}`}`,
    workers,
    curve,
    samplesToTarget: reached,
    seconds: (performance.now() - t0) / 1000,
  };
}
