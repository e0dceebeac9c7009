import { readLabels } from "../column-values.js";
import type { RowStrategy } from "../sharding-strategy.js";

/**
 * Class-balanced sharding (seed §6.1): every shard holds `floor(n_c / k)` or `ceil(n_c / k)` of
 * the `n_c` samples of each class c, so its label distribution is within one sample per class of
 * the global ratio; shard sizes also differ by at most one.
 *
 * How: the samples of each class, in index order, are cut into k contiguous blocks, block s to
 * shard s. The `n_c % k` blocks that hold one more are dealt round-robin across the classes
 * (classes in sorted label order), which keeps shard totals within one. Because a class's blocks
 * follow index order, packing the dataset shard by shard (packOrder) and sharding it again gives
 * the very same shards, now contiguous runs.
 */
export const classBalancedStrategy: RowStrategy = {
  kind: "rows",
  assign(input, spec) {
    const k = spec.shards;
    const { classOf, classes } = readLabels(input, spec.column);
    const sizes = new Array<number>(classes.length).fill(0);
    for (const c of classOf) sizes[c]!++;
    // For each class, the running shard and how many of that class it may still take.
    const shardNow = new Uint32Array(classes.length);
    const leftInBlock = new Float64Array(classes.length);
    const blockSize = (c: number, s: number, offset: number): number => {
      const n = sizes[c]!;
      return Math.floor(n / k) + ((s - offset + k) % k < n % k ? 1 : 0);
    };
    const offsets = new Array<number>(classes.length);
    let offset = 0;
    for (let c = 0; c < classes.length; c++) {
      offsets[c] = offset;
      offset = (offset + (sizes[c]! % k)) % k;
      leftInBlock[c] = blockSize(c, 0, offsets[c]!);
    }
    const shardOf = new Uint32Array(input.numSamples);
    for (let i = 0; i < input.numSamples; i++) {
      const c = classOf[i]!;
      while (leftInBlock[c] === 0) {
        shardNow[c]!++;
        leftInBlock[c] = blockSize(c, shardNow[c]!, offsets[c]!);
      }
      shardOf[i] = shardNow[c]!;
      leftInBlock[c]!--;
    }
    return shardOf;
  },
};
