import type { PackOrderStrategy, PrepareSamplesOptions } from "@cyxwiz/datasets/pack";
import type { ShardingSpec, ShardingStrategyOption } from "../preview/preview-types.js";

/** The strategy name that keeps the source's order (no pack order). */
export const NO_SHARDING = "none";

/**
 * The sharding choices of the upload page: keep the source order, or one of the strategies a pack
 * order makes contiguous (docs/sharding.md "Pack order"), so each shard is its own run of chunks.
 */
export const UPLOAD_SHARDING_OPTIONS: readonly ShardingStrategyOption[] = [
  { name: NO_SHARDING, label: "None (source order)", description: "Samples stay in the order of the files." },
  {
    name: "sample",
    label: "Samples (shuffled)",
    usesSeed: true,
    description: "Samples shuffled with the seed, then cut into shards of equal size.",
  },
  {
    name: "class-balanced",
    label: "Class-balanced",
    needsColumn: true,
    usesSeed: true,
    description: "Each shard holds every class in the proportions of the whole dataset.",
  },
  {
    name: "hash",
    label: "Hash of a column",
    needsColumn: true,
    usesSeed: true,
    description: "A sample's shard is the hash of its value in the column: equal values share a shard.",
  },
];

/** The pack order of a sharding choice, or undefined for {@link NO_SHARDING}. */
export type PackOrder = NonNullable<PrepareSamplesOptions["order"]>;

/** The pack order (`prepareSamples`'s `order`) of the panel's spec; undefined keeps the source order. */
export function packOrderOf(spec: ShardingSpec): PackOrder | undefined {
  if (spec.strategy === NO_SHARDING) return undefined;
  if (spec.strategy !== "sample" && spec.strategy !== "class-balanced" && spec.strategy !== "hash")
    throw new RangeError(`"${spec.strategy}" is not a pack order (sample, class-balanced or hash)`);
  const strategy: PackOrderStrategy = spec.strategy;
  return {
    strategy,
    shards: spec.shardCount,
    ...(spec.column === undefined ? {} : { column: spec.column }),
    ...(spec.seed === undefined ? {} : { seed: spec.seed }),
  };
}
