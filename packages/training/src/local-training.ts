import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { SampleBatch } from "./sample-batches.js";
import { TrainingError } from "./training-error.js";

/** Makes the batches of one pass; trainLocal calls it once per epoch. */
export type BatchSource = () => AsyncIterable<SampleBatch> | Iterable<SampleBatch>;

export interface TrainLocalOptions {
  /** Passes over the batches (default 1). */
  readonly epochs?: number;
  /** Stop after this many batches in all (default: no limit). */
  readonly steps?: number;
  readonly onBatch?: (info: { step: number; epoch: number; loss: number; accuracy: number; samples: number }) => void;
}

export interface TrainResult {
  /** Samples trained on (counting each epoch). */
  readonly samples: number;
  /** Sample-weighted mean loss and accuracy over the batches trained on. */
  readonly loss: number;
  readonly accuracy: number;
  readonly samplesPerSecond: number;
}

function tensorsOf(model: tfl.LayersModel, b: SampleBatch): { xs: tf.Tensor; ys: tf.Tensor } {
  const inputShape = model.inputs[0]!.shape.slice(1) as number[];
  const xs = tf.tensor(b.features, [b.size, ...inputShape], "float32");
  return { xs, ys: tf.tensor1d(b.labels, "float32") };
}

/**
 * How long training may hold the thread before letting timers and I/O run. TF.js's CPU and WASM
 * backends resolve their promises at once, so a loop of trainOnBatch calls never reaches the event
 * loop on its own: a worker's heartbeats (docs/compute.md "Heartbeats") would stop for the whole
 * epoch, and the gateway would count a busy worker as lost.
 */
const YIELD_EVERY_MS = 200;

/** A macrotask turn: timers and network callbacks run before it resolves. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Trains a compiled model (buildModel) on batches, one optimizer step per batch, and disposes
 * every tensor it makes.
 * @throws TrainingError CYXW_ERR_TR_BAD_OPTION for bad epochs or steps.
 */
export async function trainLocal(
  model: tfl.LayersModel,
  batches: BatchSource,
  options: TrainLocalOptions = {},
): Promise<TrainResult> {
  const epochs = options.epochs ?? 1;
  const steps = options.steps ?? Number.POSITIVE_INFINITY;
  if (!Number.isInteger(epochs) || epochs < 1)
    throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", `epochs must be a positive integer, not ${epochs}`);
  if (!(steps >= 1)) throw new TrainingError("CYXW_ERR_TR_BAD_OPTION", `steps must be at least 1, not ${steps}`);
  const start = performance.now();
  let lastYield = start;
  let samples = 0;
  let lossSum = 0;
  let accSum = 0;
  let step = 0;
  outer: for (let epoch = 0; epoch < epochs; epoch++) {
    for await (const b of batches()) {
      if (step >= steps) break outer;
      const { xs, ys } = tensorsOf(model, b);
      let out: number | number[];
      try {
        out = (await model.trainOnBatch(xs, ys)) as number[];
      } finally {
        xs.dispose();
        ys.dispose();
      }
      const [loss, accuracy] = out as [number, number];
      samples += b.size;
      lossSum += loss * b.size;
      accSum += accuracy * b.size;
      step++;
      options.onBatch?.({ step, epoch, loss, accuracy, samples });
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    samples,
    loss: samples === 0 ? Number.NaN : lossSum / samples,
    accuracy: samples === 0 ? Number.NaN : accSum / samples,
    samplesPerSecond: seconds > 0 ? samples / seconds : 0,
  };
}

/** Loss and accuracy of a model over batches (no training), sample-weighted. */
export async function evaluate(
  model: tfl.LayersModel,
  batches: AsyncIterable<SampleBatch> | Iterable<SampleBatch>,
): Promise<{ samples: number; loss: number; accuracy: number }> {
  let samples = 0;
  let lossSum = 0;
  let correct = 0;
  for await (const b of batches) {
    const { xs, ys } = tensorsOf(model, b);
    const [loss, right] = tf.tidy(() => {
      const probs = model.predict(xs) as tf.Tensor2D;
      const picked = tf.sum(tf.mul(tf.oneHot(tf.cast(ys, "int32"), probs.shape[1]), probs), 1);
      const lossT = tf.neg(tf.mean(tf.log(tf.maximum(picked, 1e-7))));
      const rightT = tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), tf.cast(ys, "int32")), "float32"));
      return [lossT, rightT] as [tf.Tensor, tf.Tensor];
    });
    lossSum += (await loss.data())[0]! * b.size;
    correct += (await right.data())[0]!;
    loss.dispose();
    right.dispose();
    xs.dispose();
    ys.dispose();
    samples += b.size;
  }
  return {
    samples,
    loss: samples === 0 ? Number.NaN : lossSum / samples,
    accuracy: samples === 0 ? Number.NaN : correct / samples,
  };
}
