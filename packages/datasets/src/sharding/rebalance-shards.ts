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

/** The node holding each current shard: its `node`, or else the node at its position in `nodes`. */
function currentHolders(current: Sharding, nodes: readonly string[]): string[] {
  return current.shards.map((info, i) => info.node ?? nodes[i] ?? `shard-${i}`);
}

/**
 * Reassigns a horizontal sharding to the nodes now present (`nodes`: joined, left or both) moving
 * as few samples as possible (ARCHITECTURE §6). The result is balanced the way the strategy
 * promises: shard sizes within one (sample, hash, custom), or per-class counts within one of the
 * global ratio (class-balanced, which needs `input` for the labels). A node that stays keeps its
 * lowest-indexed samples up to its new size, so its shard stays a few long runs; a departed node's
 * samples and every node's surplus go, ascending, to the nodes below their new size. `moved`
 * always equals `minimumPossible`: the bound is met, and a test checks it. A shard with no `node`
 * is taken to be held by the node at its position in `nodes`.
 *
 * @throws ShardingError CYXW_ERR_SHARD_COUNT (no nodes, or more nodes than samples),
 *   CYXW_ERR_SHARD_ARGUMENT (a repeated node id, a Feature sharding, a label column without `input`).
 */
export function rebalanceShards(current: Sharding, nodes: readonly string[], input?: ShardingInput): RebalanceResult {
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
    minimumPossible += balanceGroup(group, before, after, totals, k);
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
 * Balances one group (ascending sample indices) over k nodes: sizes q or q+1, the r = size % k
 * larger ones going to nodes that can keep a sample more (then to the smallest totals so far), each
 * node keeping its lowest indices. Writes `after`, adds to `totals`, and returns the group's
 * minimum: size − (Σ_j min(s_j, q) + min(r, #{j : s_j > q})), what any balanced split must move.
 */
function balanceGroup(
  group: Uint32Array,
  before: Int32Array,
  after: Uint32Array,
  totals: Float64Array,
  k: number,
): number {
  const size = group.length;
  const q = Math.floor(size / k);
  const r = size % k;
  const held = new Float64Array(k);
  for (const i of group) if (before[i]! >= 0) held[before[i]!]!++;
  const byPreference = Array.from({ length: k }, (_, j) => j).sort(
    (a, b) => Number(held[b]! > q) - Number(held[a]! > q) || totals[a]! - totals[b]! || a - b,
  );
  const target = new Float64Array(k).fill(q);
  for (const j of byPreference.slice(0, r)) target[j] = q + 1;
  let canKeepOneMore = 0;
  let keptBound = 0;
  for (let j = 0; j < k; j++) {
    keptBound += Math.min(held[j]!, q);
    if (held[j]! > q) canKeepOneMore++;
  }
  keptBound += Math.min(r, canKeepOneMore);
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
