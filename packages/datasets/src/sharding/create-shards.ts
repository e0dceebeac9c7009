import { readLabels } from "./column-values.js";
import { expandRanges, RangeBuilder } from "./index-ranges.js";
import { ShardingError } from "./sharding-error.js";
import type { CheckedSpec } from "./sharding-strategy.js";
import type { ShardInfo, Sharding, ShardingInput, ShardSpec } from "./sharding-types.js";
import { type StrategyName, strategyNamed } from "./strategy-registry.js";

/** The seed used when a spec names none (seed §6.2 `int seed = 42`). */
export const DEFAULT_SEED = 42;

/** Most samples a sharding addresses: indices travel as Uint32Array. */
export const MAX_SAMPLES = 2 ** 32 - 1;

/** @throws ShardingError CYXW_ERR_SHARD_ARGUMENT unless `numSamples` is an integer in [0, MAX_SAMPLES]. */
export function checkNumSamples(numSamples: number, what = "input.numSamples"): void {
  if (!Number.isInteger(numSamples) || numSamples < 0 || numSamples > MAX_SAMPLES) {
    throw new ShardingError(
      "CYXW_ERR_SHARD_ARGUMENT",
      `${what} is ${String(numSamples)}; expected an integer in [0, ${MAX_SAMPLES}]`,
    );
  }
}

/** @throws ShardingError CYXW_ERR_SHARD_ARGUMENT unless `seed` is a non-negative safe integer. */
export function checkSeed(seed: number, what = "seed"): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ShardingError(
      "CYXW_ERR_SHARD_ARGUMENT",
      `${what} is ${String(seed)}; expected a non-negative safe integer`,
    );
  }
}

/** The spec's strategy and its common checks (shard count, seed, sample count). */
export function checkSpec(input: ShardingInput, spec: ShardSpec): { name: StrategyName; checked: CheckedSpec } {
  const strategy = strategyNamed(spec.strategy);
  const name = spec.strategy as StrategyName;
  checkNumSamples(input.numSamples);
  if (!Number.isInteger(spec.shards) || spec.shards < 1) {
    throw new ShardingError("CYXW_ERR_SHARD_COUNT", `spec.shards is ${String(spec.shards)}; expected an integer ≥ 1`);
  }
  if (strategy.kind === "rows" && spec.shards > input.numSamples) {
    throw new ShardingError(
      "CYXW_ERR_SHARD_COUNT",
      `spec.shards is ${spec.shards} but the dataset has only ${input.numSamples} samples; a shard would be empty`,
    );
  }
  const seed = spec.seed ?? DEFAULT_SEED;
  checkSeed(seed, "spec.seed");
  const checked: CheckedSpec = {
    shards: spec.shards,
    seed,
    ...(spec.column === undefined ? {} : { column: spec.column }),
    ...(spec.columnGroups === undefined ? {} : { columnGroups: spec.columnGroups }),
    ...(spec.labelColumn === undefined ? {} : { labelColumn: spec.labelColumn }),
  };
  return { name, checked };
}

/** The label column whose per-class counts a sharding reports, if any. */
export function labelColumnOf(name: StrategyName, spec: Pick<ShardSpec, "column" | "labelColumn">): string | undefined {
  return spec.labelColumn ?? (name === "class-balanced" ? spec.column : undefined);
}

/**
 * Shards in the compact form from each sample's shard: ranges where indices are contiguous, the
 * count and, with labels, per-class counts. Shared by createShards and rebalanceShards.
 */
export function shardsFromAssignment(
  shardOf: Uint32Array,
  shards: number,
  labels: { readonly classOf: Uint32Array; readonly classes: readonly string[] } | undefined,
  nodes?: readonly string[],
): ShardInfo[] {
  const builders = Array.from({ length: shards }, () => new RangeBuilder());
  const perClass =
    labels === undefined ? undefined : Array.from({ length: shards }, () => new Uint32Array(labels.classes.length));
  for (let i = 0; i < shardOf.length; i++) {
    const s = shardOf[i]!;
    builders[s]!.push(i);
    if (perClass !== undefined) perClass[s]![labels!.classOf[i]!]!++;
  }
  return builders.map((b, shard) => {
    const info: ShardInfo = { shard, indices: b.ranges(), count: b.count };
    return {
      ...info,
      ...(nodes === undefined ? {} : { node: nodes[shard]! }),
      ...(perClass === undefined
        ? {}
        : { labels: Object.fromEntries(labels!.classes.map((c, j) => [c, perClass[shard]![j]!])) }),
    };
  });
}

/**
 * Splits a dataset into shards (seed §6, ARCHITECTURE §6; docs/sharding.md). Horizontal strategies
 * (sample, class-balanced, hash, custom) put every sample in exactly one shard; Feature gives each
 * shard a group of columns and every sample. A pure function of `input` and `spec`.
 *
 * @throws ShardingError CYXW_ERR_SHARD_STRATEGY (unknown strategy), CYXW_ERR_SHARD_COUNT (0 shards,
 *   or more shards than samples), CYXW_ERR_SHARD_COLUMN (a needed column not named or absent),
 *   CYXW_ERR_SHARD_VALUE (a row's label, key or shard id missing or out of range, naming the row).
 * @example
 * const sharding = createShards(input, { strategy: "class-balanced", shards: 7, column: "label" });
 * sharding.shards[0]; // { shard: 0, indices: [[0, 12], [40, 51], ...], count: 8572, labels: { "0": 846, ... } }
 */
export function createShards(input: ShardingInput, spec: ShardSpec): Sharding {
  const { name, checked } = checkSpec(input, spec);
  const strategy = strategyNamed(name);
  const labelColumn = labelColumnOf(name, spec);
  const common = {
    strategy: name,
    numSamples: input.numSamples,
    seed: checked.seed,
    ...(checked.column === undefined ? {} : { column: checked.column }),
    ...(labelColumn === undefined ? {} : { labelColumn }),
  };
  if (strategy.kind === "columns") {
    const groups = strategy.groups(input, checked);
    const whole = input.numSamples > 0 ? ([[0, input.numSamples]] as const) : [];
    const labels = labelColumn === undefined ? undefined : readLabels(input, labelColumn);
    const counts =
      labels === undefined ? undefined : shardsFromAssignment(new Uint32Array(input.numSamples), 1, labels)[0]!.labels;
    return {
      ...common,
      shards: groups.map((columns, shard) => ({
        shard,
        indices: whole,
        count: input.numSamples,
        columns,
        ...(counts === undefined ? {} : { labels: counts }),
      })),
    };
  }
  const shardOf = strategy.assign(input, checked);
  const labels = labelColumn === undefined ? undefined : readLabels(input, labelColumn);
  return { ...common, shards: shardsFromAssignment(shardOf, checked.shards, labels) };
}

/**
 * Every sample index of one shard, ascending (the compact `indices` expanded).
 *
 * @throws ShardingError CYXW_ERR_SHARD_ARGUMENT when `shard` is not one of the sharding's shards.
 */
export function getShardIndices(sharding: Sharding, shard: number): Uint32Array {
  const info = Number.isInteger(shard) ? sharding.shards[shard] : undefined;
  if (info === undefined) {
    throw new ShardingError(
      "CYXW_ERR_SHARD_ARGUMENT",
      `shard ${String(shard)} is not in this sharding (shards 0..${sharding.shards.length - 1})`,
    );
  }
  return expandRanges(info.indices);
}
