import { readLabels } from "./column-values.js";
import { shardsFromAssignment } from "./create-shards.js";
import { RangeBuilder } from "./index-ranges.js";
import { ShardingError } from "./sharding-error.js";
import type { IndexRange, Sharding, ShardingInput } from "./sharding-types.js";

/** Samples that change holder: `from` held them (a departed node's, too), `to` holds them now. */
export interface ShardMove {
  readonly from: string;
  readonly to: string;
  readonly indices: readonly IndexRange[];
  readonly count: number;
}

/** A rebalanced sharding and what it cost. */
export interface RebalanceResult {
  /** Shard i is held by `nodes[i]` (its `node`). */
  readonly sharding: Sharding;
  /** Samples whose holder changed. */
  readonly moved: number;
  /** What any balanced assignment for these nodes must move (docs/sharding.md, "Rebalance"). */
  readonly minimumPossible: number;
  /** `moved / numSamples`. */
  readonly fraction: number;
  readonly moves: readonly ShardMove[];
}

/** How rebalanceShards splits the samples among the nodes (docs/sharding.md, "Rebalance"). */
export interface RebalanceOptions {
  /**
   * `weights[j]` is node `nodes[j]`'s relative capacity (e.g. its measured samples per second): each
   * group (all samples, or each class for class-balanced) is apportioned in proportion to it.
   * Finite and > 0, one per node; absent or all equal, the split is the equal one.
   */
  readonly weights?: readonly number[];
}

/** The node holding each current shard: its `node`, or else the node at its position in `nodes`. */
function currentHolders(current: Sharding, nodes: readonly string[]): string[] {
  return current.shards.map((info, i) => info.node ?? nodes[i] ?? `shard-${i}`);
}

/**
 * Reassigns a horizontal sharding to the nodes now present (`nodes`: joined, left or both) moving
 * as few samples as possible (ARCHITECTURE §6). The result is balanced the way the strategy
 * promises: shard sizes within one (sample, hash, custom), or per-class counts within one of the
 * global ratio (class-balanced, which needs `input` for the labels). With `options.weights`, each
 * group is instead apportioned in proportion to the nodes' capacities: node j gets its share
 * size·w_j/Σw rounded down or up (largest remainder; docs/sharding.md, "Rebalance"). A node that stays
 * keeps its lowest-indexed samples up to its new size, so its shard stays a few long runs; a
 * departed node's samples and every node's surplus go, ascending, to the nodes below their new
 * size. `moved` always equals `minimumPossible`: the bound is met, and a test checks it. A shard
 * with no `node` is taken to be held by the node at its position in `nodes`.
 *
 * @throws ShardingError CYXW_ERR_SHARD_COUNT (no nodes, more nodes than samples, or weights that
 *   leave a node no samples at all), CYXW_ERR_SHARD_ARGUMENT (a repeated node id, a Feature
 *   sharding, a label column without `input`, weights not one finite positive number per node).
 */
export function rebalanceShards(
  current: Sharding,
  nodes: readonly string[],
  input?: ShardingInput,
  options: RebalanceOptions = {},
): RebalanceResult {
  const n = current.numSamples;
  if (nodes.length === 0) throw new ShardingError("CYXW_ERR_SHARD_COUNT", "no nodes to rebalance onto");
  if (nodes.length > n) {
    throw new ShardingError("CYXW_ERR_SHARD_COUNT", `${nodes.length} nodes for ${n} samples; a shard would be empty`);
  }
  const position = new Map<string, number>();
  nodes.forEach((id, j) => {
    if (position.has(id)) throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", `node "${id}" is listed twice`);
    position.set(id, j);
  });
  const weights = exactWeights(options.weights, nodes.length);
  if (current.strategy === "feature") {
    throw new ShardingError(
      "CYXW_ERR_SHARD_ARGUMENT",
      "a feature sharding splits columns, not samples: create it again with new column groups",
    );
  }
  let labels: ReturnType<typeof readLabels> | undefined;
  if (current.labelColumn !== undefined) {
    if (input === undefined || input.numSamples !== n) {
      throw new ShardingError(
        "CYXW_ERR_SHARD_ARGUMENT",
        `the sharding reports labels from "${current.labelColumn}": pass the dataset (input) with its ${n} samples`,
        { column: current.labelColumn },
      );
    }
    labels = readLabels(input, current.labelColumn);
  }
  const holders = currentHolders(current, nodes);
  // Each sample's holder now: its position in `nodes`, or -1 when its node has left.
  const before = new Int32Array(n).fill(-1);
  const fromName = new Array<string>(n);
  current.shards.forEach((info, s) => {
    const j = position.get(holders[s]!) ?? -1;
    for (const [start, end] of info.indices) {
      before.fill(j, start, end);
      for (let i = start; i < end; i++) fromName[i] = holders[s]!;
    }
  });
  const k = nodes.length;
  const after = new Uint32Array(n);
  const totals = new Float64Array(k);
  let minimumPossible = 0;
  for (const group of sampleGroups(n, current.strategy === "class-balanced" ? labels : undefined)) {
    minimumPossible += balanceGroup(group, before, after, totals, weights);
  }
  // With weights, a node may not end empty (docs/sharding.md, "Rebalance"); without, nothing changes.
  const given = options.weights;
  const empty = given === undefined ? -1 : totals.indexOf(0);
  if (given !== undefined && empty >= 0) {
    const share = (n * given[empty]!) / given.reduce((a, w) => a + w, 0);
    throw new ShardingError(
      "CYXW_ERR_SHARD_COUNT",
      `the weights leave node "${nodes[empty]}" no samples (weight ${given[empty]}, a share of ${share.toPrecision(3)} of ${n} samples, rounded per group): raise its weight or leave it out`,
    );
  }
  const moveBuilders = new Map<string, { from: string; to: string; builder: RangeBuilder }>();
  let moved = 0;
  for (let i = 0; i < n; i++) {
    if (before[i] === after[i]) continue;
    moved++;
    const from = fromName[i] ?? "(none)";
    const to = nodes[after[i]!]!;
    const key = `${from}\u0000${to}`;
    let entry = moveBuilders.get(key);
    if (entry === undefined) {
      entry = { from, to, builder: new RangeBuilder() };
      moveBuilders.set(key, entry);
    }
    entry.builder.push(i);
  }
  const moves = [...moveBuilders.values()].map(({ from, to, builder }) => ({
    from,
    to,
    indices: builder.ranges(),
    count: builder.count,
  }));
  const { shards: _old, ...rest } = current;
  return {
    sharding: { ...rest, shards: shardsFromAssignment(after, k, labels, nodes) },
    moved,
    minimumPossible,
    fraction: n === 0 ? 0 : moved / n,
    moves,
  };
}

/** The groups balanced separately: every sample at once, or (class-balanced) each class. */
function* sampleGroups(n: number, labels: ReturnType<typeof readLabels> | undefined): Generator<Uint32Array> {
  if (labels === undefined) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    yield all;
    return;
  }
  const members = labels.classes.map(() => [] as number[]);
  for (let i = 0; i < n; i++) members[labels.classOf[i]!]!.push(i);
  for (const m of members) yield Uint32Array.from(m);
}

/**
 * The weights as integers in the same ratio, exactly: each weight is read as the decimal it prints
 * as (`String(w)`), so 0.1 : 0.2 : 0.7 is 1 : 2 : 7, and one common power of ten makes them all
 * integers (`[1n, …]` when `weights` is absent). Exact arithmetic keeps the apportionment free of
 * rounding: a whole share stays whole, and equal weights give the equal split.
 */
function exactWeights(weights: readonly number[] | undefined, k: number): bigint[] {
  if (weights === undefined) return new Array<bigint>(k).fill(1n);
  if (weights.length !== k) {
    throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", `${weights.length} weights for ${k} nodes; give one per node`);
  }
  const decimals = weights.map((w, j) => {
    if (!Number.isFinite(w) || !(w > 0)) {
      throw new ShardingError("CYXW_ERR_SHARD_ARGUMENT", `weight ${j} is ${w}; a weight is a finite number > 0`);
    }
    // "123", "0.25", "1e-7", "1.5e+300": digits × 10^exponent.
    const [mantissa = "", exponent = "0"] = String(w).split("e");
    const [whole = "", fraction = ""] = mantissa.split(".");
    return { digits: BigInt(whole + fraction), exponent: Number(exponent) - fraction.length };
  });
  const lowest = Math.min(...decimals.map((d) => d.exponent));
  return decimals.map(({ digits, exponent }) => digits * 10n ** BigInt(exponent - lowest));
}

/**
 * Apportions one group (ascending sample indices) over the nodes in proportion to `weights`
 * (largest remainder): node j's share is size·w_j/W, its target f_j = ⌊share⌋ or, when the share
 * is not whole, ⌈share⌉ = f_j + 1. The R = size − Σ f_j larger targets go to nodes that can keep a
 * sample more (s_j > f_j), then to the largest remainders, then to the smallest totals so far
 * relative to weight, then by index. With equal weights that is the equal split: q or q+1, the
 * r = size % k larger ones by the same order. Each node keeps its lowest indices up to its target.
 * Writes `after`, adds to `totals`, and returns the group's minimum:
 * size − (Σ_j min(s_j, f_j) + min(R, #{j : s_j > f_j, share not whole})), what any assignment
 * giving each node ⌊share⌋ or ⌈share⌉ must move.
 */
function balanceGroup(
  group: Uint32Array,
  before: Int32Array,
  after: Uint32Array,
  totals: Float64Array,
  weights: readonly bigint[],
): number {
  const k = weights.length;
  const size = group.length;
  const whole = weights.reduce((a, w) => a + w, 0n);
  // Node j's share is numerator[j] / whole.
  const numerator = weights.map((w) => BigInt(size) * w);
  const floor = numerator.map((x) => Number(x / whole));
  const remainder = numerator.map((x) => x % whole);
  const seats = size - floor.reduce((a, f) => a + f, 0);
  const held = new Float64Array(k);
  for (const i of group) if (before[i]! >= 0) held[before[i]!]!++;
  const sign = (x: bigint): number => (x > 0n ? 1 : x < 0n ? -1 : 0);
  // Only a node whose share is not whole may take a seat (no target leaves ⌊share⌋..⌈share⌉); there
  // are at least R such nodes, and sorting by remainder puts the whole ones last.
  const keepsMore = (j: number): boolean => remainder[j]! > 0n && held[j]! > floor[j]!;
  const byPreference = Array.from({ length: k }, (_, j) => j).sort(
    (a, b) =>
      Number(keepsMore(b)) - Number(keepsMore(a)) ||
      sign(remainder[b]! - remainder[a]!) ||
      sign(BigInt(totals[a]!) * weights[b]! - BigInt(totals[b]!) * weights[a]!) ||
      a - b,
  );
  const target = Float64Array.from(floor);
  for (const j of byPreference.slice(0, seats)) target[j]!++;
  let canKeepOneMore = 0;
  let keptBound = 0;
  for (let j = 0; j < k; j++) {
    keptBound += Math.min(held[j]!, floor[j]!);
    if (keepsMore(j)) canKeepOneMore++;
  }
  keptBound += Math.min(seats, canKeepOneMore);
  const kept = new Float64Array(k);
  const pool: number[] = [];
  for (const i of group) {
    const j = before[i]!;
    if (j >= 0 && kept[j]! < target[j]!) {
      kept[j]!++;
      after[i] = j;
    } else pool.push(i);
  }
  let j = 0;
  for (const i of pool) {
    while (kept[j]! >= target[j]!) j++;
    kept[j]!++;
    after[i] = j;
  }
  for (let x = 0; x < k; x++) totals[x]! += target[x]!;
  return size - keptBound;
}
