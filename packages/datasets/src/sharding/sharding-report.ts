import { chunksForShard } from "./pack-order.js";
import type { IndexRange, Sharding } from "./sharding-types.js";

/** One shard as `cyxwiz shard` prints it and the dashboard's sharding panel shows it. */
export interface ShardReportEntry {
  readonly shard: number;
  readonly node?: string;
  /** Compact `[start, end)` ranges (positions in the dataset as stored). */
  readonly indices: readonly IndexRange[];
  readonly count: number;
  /** Chunks the shard needs, when the chunk layout is known. */
  readonly chunks?: readonly number[];
  /** Their total stored bytes. */
  readonly bytes?: number;
  readonly labels?: Readonly<Record<string, number>>;
  readonly columns?: readonly string[];
}

/** The JSON the CLI prints: `{"samples","strategy","shards":[{"shard","indices","chunks","bytes","labels"}]}`. */
export interface ShardingReport {
  readonly samples: number;
  readonly strategy: Sharding["strategy"];
  readonly shards: readonly ShardReportEntry[];
}

/** Per chunk of the stored dataset, in order: how many samples it holds and its stored size. */
export interface ChunkTable {
  readonly sampleCounts: ArrayLike<number>;
  readonly bytes: ArrayLike<number>;
}

/**
 * A sharding as one plain, JSON-ready object, with each shard's chunks and bytes when the dataset's
 * chunk table is given (one shape for the CLI and the dashboard).
 *
 * @throws ShardingError CYXW_ERR_SHARD_ARGUMENT when the chunk table does not fit the shards.
 * @example
 * console.log(JSON.stringify(shardingReport(sharding, { sampleCounts, bytes })));
 */
export function shardingReport(sharding: Sharding, chunks?: ChunkTable): ShardingReport {
  return {
    samples: sharding.numSamples,
    strategy: sharding.strategy,
    shards: sharding.shards.map((info) => {
      const need = chunks === undefined ? undefined : chunksForShard(info.indices, chunks.sampleCounts, chunks.bytes);
      return {
        shard: info.shard,
        ...(info.node === undefined ? {} : { node: info.node }),
        indices: info.indices,
        count: info.count,
        ...(need === undefined ? {} : { chunks: need.chunks, bytes: need.bytes }),
        ...(info.labels === undefined ? {} : { labels: info.labels }),
        ...(info.columns === undefined ? {} : { columns: info.columns }),
      };
    }),
  };
}
