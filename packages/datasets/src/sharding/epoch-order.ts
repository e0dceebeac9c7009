import { sha256 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import { checkNumSamples, checkSeed } from "./create-shards.js";
import { KeystreamRandom } from "./keystream-random.js";
import { ShardingError } from "./sharding-error.js";

const EPOCH_DOMAIN = utf8ToBytes("cyxwiz-epoch-order-v1\0");

/** The ChaCha20 key of one epoch: SHA-256("cyxwiz-epoch-order-v1\0" ‖ seed u64 BE ‖ epoch u64 BE). */
export function epochKey(seed: number, epoch: number): Uint8Array {
  const message = new Uint8Array(EPOCH_DOMAIN.length + 16);
  message.set(EPOCH_DOMAIN, 0);
  const view = new DataView(message.buffer);
  const at = EPOCH_DOMAIN.length;
  view.setUint32(at, Math.floor(seed / 2 ** 32));
  view.setUint32(at + 4, seed >>> 0);
  view.setUint32(at + 8, Math.floor(epoch / 2 ** 32));
  view.setUint32(at + 12, epoch >>> 0);
  return sha256(message);
}

/**
 * The order in which an epoch visits samples `0..numSamples-1`: a Fisher–Yates shuffle (Durstenfeld's
 * form, from the end) driven by the ChaCha20 keystream keyed by (seed, epoch) (docs/sharding.md,
 * "Elastic epochs"). A function of (numSamples, seed, epoch) alone: never of how many workers there
 * are, so any number of workers can split it and a job can resume with a different number.
 *
 * @throws ShardingError CYXW_ERR_SHARD_ARGUMENT for a sample count, seed or epoch out of range.
 */
export function epochOrder(numSamples: number, seed: number, epoch: number): Uint32Array {
  checkNumSamples(numSamples, "numSamples");
  checkSeed(seed);
  checkSeed(epoch, "epoch");
  const order = new Uint32Array(numSamples);
  for (let i = 0; i < numSamples; i++) order[i] = i;
  const random = new KeystreamRandom(epochKey(seed, epoch));
  for (let i = numSamples - 1; i > 0; i--) {
    const j = random.below(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Where a worker's part of an epoch comes from. */
export interface WorkerSliceOptions {
  readonly numSamples: number;
  readonly seed: number;
  readonly epoch: number;
  /** How many samples of this epoch's order were already consumed (the resume point); 0 at the start. */
  readonly start: number;
  readonly workers: number;
  /** This worker, in `[0, workers)`. */
  readonly worker: number;
}

function checkSlice(numSamples: number, start: number, workers: number): void {
  if (!Number.isInteger(start) || start < 0 || start > numSamples) {
    throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", `resume point ${String(start)} is not in [0, ${numSamples}]`);
  }
  if (!Number.isInteger(workers) || workers < 1) {
    throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", `workers is ${String(workers)}; expected an integer ≥ 1`);
  }
}

/**
 * One worker's part of what is left of an epoch: of `epochOrder(numSamples, seed, epoch)` from
 * position `start`, the positions `start + worker`, `start + worker + workers`, … (dealt like
 * cards). After every worker has taken its first c samples, exactly the positions
 * `[start, start + workers·c)` are consumed, so the resume point stays a single number; resume
 * with any worker count from it and every sample of the epoch is seen exactly once. Slices differ
 * in length by at most one (the first `(numSamples − start) % workers` workers hold one more).
 *
 * @throws ShardingError CYXW_ERR_SHARD_ARGUMENT for a resume point, worker count or worker out of range.
 */
export function workerSlice(options: WorkerSliceOptions): Uint32Array {
  const { numSamples, seed, epoch, start, workers, worker } = options;
  checkNumSamples(numSamples, "numSamples");
  checkSlice(numSamples, start, workers);
  if (!Number.isInteger(worker) || worker < 0 || worker >= workers) {
    throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", `worker ${String(worker)} is not in [0, ${workers})`);
  }
  const order = epochOrder(numSamples, seed, epoch);
  const length = sliceLength(numSamples - start, workers, worker);
  const out = new Uint32Array(length);
  for (let t = 0; t < length; t++) out[t] = order[start + worker + t * workers]!;
  return out;
}

/** How many of `remaining` samples worker `worker` of `workers` gets: ceil or floor of remaining / workers. */
export function sliceLength(remaining: number, workers: number, worker: number): number {
  return Math.floor(remaining / workers) + (worker < remaining % workers ? 1 : 0);
}

/**
 * The resume point after each worker has consumed `consumed[w]` samples of its slice: the end of
 * the longest prefix of the remaining order that is wholly consumed. With synchronous steps (every
 * worker consumed the same count, or all of its slice) nothing beyond it was consumed, so resuming
 * there sees each sample exactly once.
 *
 * @throws ShardingError CYXW_ERR_SHARD_ARGUMENT when a count is negative or beyond its slice.
 */
export function resumePoint(numSamples: number, start: number, consumed: readonly number[]): number {
  const workers = consumed.length;
  checkSlice(numSamples, start, workers);
  let point = numSamples;
  consumed.forEach((c, w) => {
    const length = sliceLength(numSamples - start, workers, w);
    if (!Number.isInteger(c) || c < 0 || c > length) {
      throw new ShardingError(
        "CYXW_ERR_SHARD_ARGUMENT",
        `worker ${w} consumed ${String(c)} of a ${length}-sample slice`,
      );
    }
    if (c < length) point = Math.min(point, start + w + workers * c);
  });
  return point;
}

/**
 * How many synchronous steps of `batchSize` samples per worker finish the epoch from `start`: the
 * longest slice's batches. A worker whose slice ends earlier takes part in the remaining steps with
 * an empty batch (weight zero in a sample-weighted average), so no worker waits for samples that
 * do not exist.
 */
export function epochSteps(numSamples: number, start: number, workers: number, batchSize: number): number {
  checkSlice(numSamples, start, workers);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", `batch size ${String(batchSize)} is not an integer ≥ 1`);
  }
  return Math.ceil(sliceLength(numSamples - start, workers, 0) / batchSize);
}
