import { createShards } from "./create-shards.js";
import { ShardingError } from "./sharding-error.js";
import type { IndexRange, ShardingInput, ShardSpec } from "./sharding-types.js";

/** How to write a dataset so that each shard of one spec is a contiguous run of samples. */
export interface PackPlan {
  /** `order[p]` is the index (in the input) of the sample to write at packed position p. */
  readonly order: Uint32Array;
  /**
   * Shard s occupies packed positions `[boundaries[s], boundaries[s + 1])`; the last entry is the
   * sample count. A chunk must end at each boundary (chunkLayout does), so no chunk spans two shards.
   */
  readonly boundaries: readonly number[];
}

/**
 * The order to write samples in at pack time (ARCHITECTURE §6, minimal transfer): shard 0's samples
 * in index order, then shard 1's, and so on. Sharding the packed dataset again with the same spec
 * gives the same shards, now one range each (Sample and Hash trivially; class-balanced because
 * each class is cut into blocks in index order; custom because the ids travel with the rows).
 *
 * @throws ShardingError as createShards does, and CYXW_ERR_SHARD_ARGUMENT for Feature (it splits columns).
 */
export function packOrder(input: ShardingInput, spec: ShardSpec): PackPlan {
  if (spec.strategy === "feature") {
    throw new ShardingError(
      "CYXW_ERR_SHARD_ARGUMENT",
      "feature shards are column groups: every shard reads every sample, so no sample order helps",
    );
  }
  const sharding = createShards(input, spec);
  const order = new Uint32Array(input.numSamples);
  const boundaries = [0];
  let at = 0;
  for (const info of sharding.shards) {
    for (const [start, end] of info.indices) for (let i = start; i < end; i++) order[at++] = i;
    boundaries.push(at);
  }
  return { order, boundaries };
}

function checkCount(value: number, what: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", `${what} is ${String(value)}; expected an integer ≥ ${min}`);
  }
}

/**
 * Samples per chunk for a packed dataset: each segment between two `boundaries` is cut into
 * `ceil(bytes / targetChunkBytes)` chunks of nearly equal bytes (whole samples, at least one per
 * chunk), so a chunk never spans two shards and is at most about `targetChunkBytes` (more only
 * when one sample is larger). `sampleBytes` is each packed sample's size, or one size for all.
 *
 * @throws ShardingError CYXW_ERR_SHARD_ARGUMENT for sizes or boundaries out of range.
 */
export function chunkLayout(
  sampleBytes: number | ArrayLike<number>,
  boundaries: readonly number[],
  targetChunkBytes: number,
): number[] {
  checkCount(targetChunkBytes, "targetChunkBytes", 1);
  const n = boundaries[boundaries.length - 1] ?? 0;
  if (boundaries[0] !== 0) throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", "boundaries must start at 0");
  for (let s = 1; s < boundaries.length; s++) {
    if (!Number.isInteger(boundaries[s]) || boundaries[s]! < boundaries[s - 1]!) {
      throw new ShardingError(
        "CYXW_ERR_SHARD_ARGUMENT",
        `boundary ${s} (${boundaries[s]}) is before boundary ${s - 1}`,
      );
    }
  }
  if (typeof sampleBytes !== "number" && sampleBytes.length !== n) {
    throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", `${sampleBytes.length} sample sizes for ${n} samples`);
  }
  const size = (p: number): number => (typeof sampleBytes === "number" ? sampleBytes : sampleBytes[p]!);
  const counts: number[] = [];
  for (let s = 0; s + 1 < boundaries.length; s++) {
    const from = boundaries[s]!;
    const to = boundaries[s + 1]!;
    if (to === from) continue;
    let bytes = 0;
    for (let p = from; p < to; p++) bytes += size(p);
    const pieces = Math.min(to - from, Math.max(1, Math.ceil(bytes / targetChunkBytes)));
    // Cut where the running byte count passes each of pieces-1 even marks.
    let p = from;
    let running = 0;
    for (let piece = 1; piece <= pieces; piece++) {
      const mark = piece === pieces ? Number.POSITIVE_INFINITY : (bytes * piece) / pieces;
      const first = p;
      const leaveForRest = pieces - piece; // each later chunk needs at least one sample
      while (p < to - leaveForRest && (p === first || running + size(p) <= mark)) running += size(p++);
      counts.push(p - first);
    }
  }
  return counts;
}

/** The chunks one shard needs and what they weigh. */
export interface ShardChunks {
  /** Chunk indices, ascending. */
  readonly chunks: number[];
  /** Sum of the needed chunks' sizes. */
  readonly bytes: number;
}

/**
 * The chunks holding a shard's samples (minimal transfer, ARCHITECTURE §6): given the shard's
 * `indices` (compact ranges, positions in the packed dataset) and each chunk's sample count and
 * size, the chunks to fetch and their total bytes.
 *
 * @throws ShardingError CYXW_ERR_SHARD_ARGUMENT when counts and sizes disagree in length, a count
 *   is not a non-negative integer, or an index lies beyond the last chunk.
 */
export function chunksForShard(
  indices: readonly IndexRange[],
  chunkSampleCounts: ArrayLike<number>,
  chunkBytes: ArrayLike<number>,
): ShardChunks {
  if (chunkSampleCounts.length !== chunkBytes.length) {
    throw new ShardingError(
      "CYXW_ERR_SHARD_ARGUMENT",
      `${chunkSampleCounts.length} chunk sample counts but ${chunkBytes.length} chunk sizes`,
    );
  }
  // starts[c] = first sample of chunk c; starts[length] = total samples.
  const starts = new Float64Array(chunkSampleCounts.length + 1);
  for (let c = 0; c < chunkSampleCounts.length; c++) {
    checkCount(chunkSampleCounts[c]!, `chunk ${c}'s sample count`, 0);
    checkCount(chunkBytes[c]!, `chunk ${c}'s size`, 0);
    starts[c + 1] = starts[c]! + chunkSampleCounts[c]!;
  }
  const total = starts[chunkSampleCounts.length]!;
  const chunks: number[] = [];
  let bytes = 0;
  const take = (c: number): void => {
    if (chunks[chunks.length - 1] === c) return;
    chunks.push(c);
    bytes += chunkBytes[c]!;
  };
  let previousEnd = 0;
  for (const [start, end] of indices) {
    if (end > total || start < previousEnd || end <= start) {
      throw new ShardingError(
        "CYXW_ERR_SHARD_ARGUMENT",
        `range [${start}, ${end}) is not ascending or lies beyond the chunks' ${total} samples`,
      );
    }
    previousEnd = end;
    // The chunk holding `start`: the last c with starts[c] <= start and a non-empty chunk.
    let lo = 0;
    let hi = chunkSampleCounts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    for (let c = lo; c < chunkSampleCounts.length && starts[c]! < end; c++) {
      if (starts[c + 1]! > start && starts[c + 1]! > starts[c]!) take(c);
    }
  }
  return { chunks, bytes };
}
