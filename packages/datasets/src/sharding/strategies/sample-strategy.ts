import type { RowStrategy } from "../sharding-strategy.js";

/**
 * The first sample of each of `shards` contiguous runs of `numSamples` samples whose sizes differ
 * by at most one (the first `numSamples % shards` runs hold one more), plus `numSamples` at the end.
 */
export function evenSplitStarts(numSamples: number, shards: number): number[] {
  const base = Math.floor(numSamples / shards);
  const extra = numSamples % shards;
  const starts: number[] = [];
  for (let s = 0; s <= shards; s++) starts.push(s * base + Math.min(s, extra));
  return starts;
}

/**
 * Sample sharding (seed §6.1, the default): shard s is one contiguous run of indices, and shard
 * sizes differ by at most one.
 */
export const sampleStrategy: RowStrategy = {
  kind: "rows",
  assign(input, spec) {
    const shardOf = new Uint32Array(input.numSamples);
    const starts = evenSplitStarts(input.numSamples, spec.shards);
    for (let s = 0; s < spec.shards; s++) shardOf.fill(s, starts[s]!, starts[s + 1]!);
    return shardOf;
  },
};
