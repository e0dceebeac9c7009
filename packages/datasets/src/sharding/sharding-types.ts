import type { StrategyName } from "./strategy-registry.js";

/** One cell of a column as the sharding module reads it; `null` is a missing value. */
export type CellValue = number | string | bigint | null;

/**
 * A dataset as the sharding module sees it: a sample count and columns by name, nothing about any
 * file format. Labels, hash keys and shard-id columns come through `column`; Feature sharding also
 * needs `columns`, the names of every column in order.
 */
export interface ShardingInput {
  readonly numSamples: number;
  /** The column's values, one per sample, or `undefined` when there is no such column. */
  column(name: string): ArrayLike<CellValue> | undefined;
  /** Every column's name, in dataset order (needed by Feature sharding). */
  readonly columns?: readonly string[];
}

/** What to shard by. `column` is the label (class-balanced), the key (hash) or the shard id (custom). */
export interface ShardSpec {
  readonly strategy: StrategyName | (string & {});
  readonly shards: number;
  readonly column?: string;
  /** Hash strategy only: a non-negative safe integer; default 42 (seed §6.2). */
  readonly seed?: number;
  /** Feature strategy only: the columns of each shard; default: `columns` split in `shards` runs. */
  readonly columnGroups?: readonly (readonly string[])[];
  /** A label column whose per-class counts each shard reports; class-balanced uses `column`. */
  readonly labelColumn?: string;
}

/** A half-open run of sample indices `[start, end)`. */
export type IndexRange = readonly [start: number, end: number];

/** One shard of a Sharding. */
export interface ShardInfo {
  readonly shard: number;
  /** The node holding this shard, once rebalanceShards has assigned nodes. */
  readonly node?: string;
  /** The shard's sample indices, compact: sorted, disjoint, non-adjacent `[start, end)` runs. */
  readonly indices: readonly IndexRange[];
  /** How many samples the shard holds. */
  readonly count: number;
  /** Per-class sample counts, when a label column was given (keys are the labels' text). */
  readonly labels?: Readonly<Record<string, number>>;
  /** Feature strategy: the columns this shard holds (it holds every sample). */
  readonly columns?: readonly string[];
}

/** The result of createShards (or rebalanceShards): every shard of one dataset. */
export interface Sharding {
  readonly strategy: StrategyName;
  readonly numSamples: number;
  /** The seed the sharding used (hash); kept so a sharding can be recreated. */
  readonly seed: number;
  readonly column?: string;
  readonly labelColumn?: string;
  readonly shards: readonly ShardInfo[];
}
