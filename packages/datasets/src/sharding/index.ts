/**
 * `@cyxwiz/datasets/sharding`: sharding strategies, rebalancing, pack order for minimal transfer,
 * and elastic deterministic epochs (seed §6, ARCHITECTURE §6; docs/sharding.md). Runs in browsers
 * and Node alike; knows no file format. Hand-picked exports (STYLE §4).
 */

export { inputFromColumns } from "./columns-input.js";
export { createShards, DEFAULT_SEED, getShardIndices, MAX_SAMPLES } from "./create-shards.js";
export {
  epochOrder,
  epochSteps,
  resumePoint,
  sliceLength,
  type WorkerSliceOptions,
  workerSlice,
} from "./epoch-order.js";
export { countInRanges, expandRanges, rangesFromSorted } from "./index-ranges.js";
export { KeystreamRandom, seededRandom } from "./keystream-random.js";
export { chunkLayout, chunksForShard, type PackPlan, packOrder, type ShardChunks } from "./pack-order.js";
export {
  type RebalanceOptions,
  type RebalanceResult,
  rebalanceShards,
  type ShardMove,
} from "./rebalance-shards.js";
export {
  isShardingError,
  SHARDING_ERROR_CODES,
  ShardingError,
  type ShardingErrorCode,
  type ShardingErrorPlace,
} from "./sharding-error.js";
export { type ChunkTable, type ShardingReport, type ShardReportEntry, shardingReport } from "./sharding-report.js";
export type { CellValue, IndexRange, ShardInfo, Sharding, ShardingInput, ShardSpec } from "./sharding-types.js";
export { hashShardOf } from "./strategies/hash-strategy.js";
export { isStrategyName, STRATEGY_NAMES, type StrategyName } from "./strategy-registry.js";
export { type ShardingViolation, validateSharding } from "./validate-sharding.js";
