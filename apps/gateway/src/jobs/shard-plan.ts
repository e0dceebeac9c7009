import {
  type CellValue,
  createShards,
  expandRanges,
  type IndexRange,
  isShardingError,
  rangesFromSorted,
  rebalanceShards,
  type Sharding,
  type ShardingInput,
  type StrategyName,
} from "@cyxwiz/datasets/sharding";
import type { SampleLayout } from "@cyxwiz/protocol/gen";
import type { NewShard, SampleRange, ShardRecord } from "../store/index.js";
import { chunkStarts, splitIndices } from "./job-dataset.js";
import type { JobPlan } from "./job-spec.js";

// A job's shards (docs/compute.md "Scheduling"): the sharding module's strategies over the TRAIN
// samples only (validation and test never reach a worker), mapped back to dataset-wide sample
// ranges and the chunks that hold them.

/** Every value of a column over the whole dataset, for column strategies; undefined when unreadable. */
export type DatasetColumns = (name: string) => ArrayLike<CellValue> | undefined;

function lowerBound(sorted: Uint32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The sharding module's input: the train samples, their column values picked from the dataset's. */
function trainInput(train: Uint32Array, columns: DatasetColumns | undefined): ShardingInput {
  return {
    numSamples: train.length,
    column(name) {
      const all = columns?.(name);
      if (all === undefined) return undefined;
      return Array.from(train, (i) => all[i] ?? null);
    },
  };
}

/** A shard of train positions as stored: dataset-wide ranges, the chunks holding them, each chunk's first sample. */
export function shardOf(
  shard: number,
  trainRanges: readonly IndexRange[],
  train: Uint32Array,
  starts: readonly number[],
  nodeId: string | undefined,
): NewShard {
  const positions = expandRanges(trainRanges);
  const sampleRanges = rangesFromSorted(Array.from(positions, (p) => train[p]!)).map(([s, e]) => [s, e] as SampleRange);
  const chunks = new Set<number>();
  let c = 0;
  for (const [s, e] of sampleRanges) {
    while (starts[c + 1]! <= s) c++;
    for (let k = c; k < starts.length - 1 && starts[k]! < e; k++) chunks.add(k);
  }
  const chunkIndices = [...chunks].sort((a, b) => a - b);
  return {
    shard,
    chunkIndices,
    chunkFirstSamples: chunkIndices.map((k) => starts[k]!),
    sampleRanges,
    samples: positions.length,
    nodeId,
  };
}

/** Train positions of a shard's dataset-wide ranges (every sample in them is a train sample). */
function trainRangesOf(ranges: readonly SampleRange[], train: Uint32Array): IndexRange[] {
  const out: [number, number][] = [];
  for (const [s, e] of ranges) {
    const from = lowerBound(train, s);
    const to = lowerBound(train, e);
    if (to <= from) continue;
    const prev = out[out.length - 1];
    if (prev !== undefined && prev[1] === from) prev[1] = to;
    else out.push([from, to]);
  }
  return out;
}

/**
 * One shard per node (in the given order) of the train samples, by the job's strategy.
 * @throws ShardingError when the strategy cannot split them (fewer samples than nodes, a column
 *   it needs is unreadable).
 */
export function planShards(
  layout: SampleLayout,
  plan: Pick<JobPlan, "strategy" | "seed" | "column">,
  nodeIds: readonly string[],
  columns?: DatasetColumns,
): NewShard[] {
  const { train } = splitIndices(layout);
  const starts = chunkStarts(layout);
  const sharding = createShards(trainInput(train, columns), {
    strategy: plan.strategy,
    shards: nodeIds.length,
    seed: plan.seed,
    ...(plan.column === undefined || plan.strategy === "sample" ? {} : { column: plan.column }),
  });
  return sharding.shards.map((s) => shardOf(s.shard, s.indices, train, starts, nodeIds[s.shard]));
}

/**
 * The shards spread over `nodes` (in order: shard i to nodes[i]) with the fewest samples moved
 * (rebalanceShards): a departed worker's samples go to those that stay or to a newcomer. With
 * `weights` (nodes[j]'s samples per second), each node's share is in proportion to its weight
 * (docs/compute.md "Shards sized by throughput"); without, the shares are equal.
 */
export function rebalance(
  layout: SampleLayout,
  plan: Pick<JobPlan, "strategy" | "seed" | "column">,
  current: readonly ShardRecord[],
  nodes: readonly string[],
  columns?: DatasetColumns,
  weights?: readonly number[],
): NewShard[] {
  const { train } = splitIndices(layout);
  const starts = chunkStarts(layout);
  const sharding: Sharding = {
    strategy: plan.strategy as StrategyName,
    numSamples: train.length,
    seed: plan.seed,
    ...(plan.column === undefined || plan.strategy === "sample" ? {} : { column: plan.column }),
    shards: current.map((s) => {
      const indices = trainRangesOf(s.sampleRanges, train);
      return {
        shard: s.shard,
        node: s.nodeId ?? `departed:${s.shard}`,
        indices,
        count: indices.reduce((a, [x, y]) => a + y - x, 0),
      };
    }),
  };
  const needsInput = plan.strategy === "class-balanced";
  const input = needsInput ? trainInput(train, columns) : undefined;
  let result: ReturnType<typeof rebalanceShards>;
  try {
    result = rebalanceShards(sharding, nodes, input, weights === undefined ? {} : { weights });
  } catch (e) {
    // Weights so uneven that a node would get no sample (tiny data): equal shares instead.
    if (weights === undefined || !isShardingError(e) || e.code !== "CYXW_ERR_SHARD_COUNT") throw e;
    result = rebalanceShards(sharding, nodes, input);
  }
  // A worker trains one shard (job_workers.shard): when the rebalance hands a node the samples of
  // a departed worker's shard as well as its own, they become one shard, numbered by the lowest.
  const byNode = new Map<string, { shard: number; ranges: IndexRange[] }>();
  for (const s of result.sharding.shards) {
    const node = s.node ?? `departed:${s.shard}`;
    const held = byNode.get(node);
    if (held === undefined) byNode.set(node, { shard: s.shard, ranges: [...s.indices] });
    else {
      held.shard = Math.min(held.shard, s.shard);
      held.ranges.push(...s.indices);
    }
  }
  return [...byNode].map(([node, held]) =>
    shardOf(held.shard, mergeRanges(held.ranges), train, starts, node.startsWith("departed:") ? undefined : node),
  );
}

/** Ranges sorted and joined where they touch or overlap. */
function mergeRanges(ranges: readonly IndexRange[]): IndexRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const prev = out[out.length - 1];
    if (prev !== undefined && s <= prev[1]) prev[1] = Math.max(prev[1], e);
    else out.push([s, e]);
  }
  return out;
}
