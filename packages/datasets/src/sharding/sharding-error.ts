/**
 * The sharding module's stable error codes, each documented in docs/sharding.md ("Errors"), where
 * a test checks that the two lists agree. Every error names the place: the row, the column, the
 * shard or the argument that was wrong.
 */
export const SHARDING_ERROR_CODES = {
  CYXW_ERR_SHARD_COUNT:
    "The shard count is not a positive integer, or exceeds what can be split (samples; columns for Feature), or column groups and `shards` disagree; also no nodes, more nodes than samples, or capacity weights that leave a node no samples, for a rebalance.",
  CYXW_ERR_SHARD_STRATEGY:
    "The strategy name is not one of the registry's (sample, class-balanced, hash, feature, custom).",
  CYXW_ERR_SHARD_COLUMN:
    "A column the strategy needs was not named, does not exist, has the wrong length, or column groups overlap, leave a column out or name an unknown one.",
  CYXW_ERR_SHARD_VALUE:
    "A row's value cannot be used: a missing label, hash key or shard id, or a shard id that is not an integer in range. Names the row and column.",
  CYXW_ERR_SHARD_ARGUMENT:
    "Any other bad argument: a sample count, seed, epoch, worker, resume point, node list, chunk list or shard index out of range; rebalance weights that are not one finite number > 0 per node; Feature given to packOrder or rebalanceShards.",
} as const;

export type ShardingErrorCode = keyof typeof SHARDING_ERROR_CODES;

/** Where a sharding error happened, as far as it is known. `row` is a 0-based sample index. */
export interface ShardingErrorPlace {
  readonly row?: number;
  readonly column?: string;
}

/**
 * A bad argument or bad data given to the sharding module. Detect it by `name` (STYLE §10):
 * `e.name === "ShardingError"`; `code` is stable, `row` and `column` say where.
 */
export class ShardingError extends Error {
  override readonly name = "ShardingError";
  readonly code: ShardingErrorCode;
  readonly row: number | undefined;
  readonly column: string | undefined;
  constructor(code: ShardingErrorCode, message: string, place: ShardingErrorPlace = {}) {
    super(`${code}: ${message}`);
    this.code = code;
    this.row = place.row;
    this.column = place.column;
  }
}

/** True for a ShardingError from any copy of this package. */
export function isShardingError(e: unknown): e is ShardingError {
  return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "ShardingError";
}
