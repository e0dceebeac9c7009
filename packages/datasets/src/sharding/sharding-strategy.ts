import type { ShardingInput } from "./sharding-types.js";

/** A ShardSpec after its common checks: a known strategy, a valid shard count and seed. */
export interface CheckedSpec {
  readonly shards: number;
  readonly seed: number;
  readonly column?: string;
  readonly columnGroups?: readonly (readonly string[])[];
  readonly labelColumn?: string;
}

/** A horizontal strategy: every sample goes to exactly one shard. */
export interface RowStrategy {
  readonly kind: "rows";
  /** The shard of each sample (`result[i]` in `[0, spec.shards)`), a pure function of its arguments. */
  assign(input: ShardingInput, spec: CheckedSpec): Uint32Array;
}

/** A vertical strategy: every shard holds every sample, and a group of the columns. */
export interface ColumnStrategy {
  readonly kind: "columns";
  /** The columns of each shard: disjoint, covering `input.columns`, none empty. */
  groups(input: ShardingInput, spec: CheckedSpec): string[][];
}

export type ShardingStrategy = RowStrategy | ColumnStrategy;
