import { createShards, inputFromColumns } from "@cyxwiz/datasets/sharding";
import type { SampleLayout } from "@cyxwiz/protocol/gen";
import type { ShardingSpec, ShardPreview } from "../preview/preview-types.js";

/**
 * What the job form can preview of a sharding from the manifest alone (no chunk is read): the
 * manifest has the label histogram, not the order of the samples. A class-balanced split on the
 * label column depends only on how many samples each class has, so its per-class counts are
 * exact; a "sample" split's shard sizes are exact, its class mix is not known, so only sizes are
 * given. Anything else (a hash of a column, a class balance on another column) needs the values:
 * undefined.
 */
export function jobShardPreview(layout: SampleLayout, spec: ShardingSpec): ShardPreview[] | undefined {
  const numSamples = Number(layout.numSamples);
  if (numSamples === 0) return undefined;
  if (spec.strategy === "sample") {
    const sharding = createShards(inputFromColumns({}, numSamples), {
      strategy: "sample",
      shards: spec.shardCount,
      ...(spec.seed === undefined ? {} : { seed: spec.seed }),
    });
    return sharding.shards.map((s) => ({ shard: s.shard, samples: s.count }));
  }
  const label = layout.labelColumn;
  if (spec.strategy !== "class-balanced" || label === "" || spec.column !== label) return undefined;
  const total = layout.labelHistogram.reduce((n, c) => n + Number(c.count), 0);
  if (total !== numSamples) return undefined; // a histogram that does not cover every sample
  // The labels in class order: class-balanced depends on class sizes, not on where samples are.
  const labels: string[] = new Array(numSamples);
  let at = 0;
  for (const c of layout.labelHistogram) {
    const end = at + Number(c.count);
    labels.fill(c.label, at, end);
    at = end;
  }
  const sharding = createShards(inputFromColumns({ [label]: labels }, numSamples), {
    strategy: "class-balanced",
    shards: spec.shardCount,
    column: label,
    labelColumn: label,
    ...(spec.seed === undefined ? {} : { seed: spec.seed }),
  });
  return sharding.shards.map((s) => ({
    shard: s.shard,
    samples: s.count,
    ...(s.labels === undefined ? {} : { classes: Object.entries(s.labels).map(([l, count]) => ({ label: l, count })) }),
  }));
}
