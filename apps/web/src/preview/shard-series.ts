import type { ShardPreview } from "./preview-types.js";

/** A shard chart's rows and series, as recharts reads them. */
export interface ShardSeries {
  /** One row per shard: `shard` (its label) and one number per series key. */
  readonly rows: readonly Record<string, number | string>[];
  /** Series keys in order: `samples` alone, or one per class label (first seen first). */
  readonly keys: readonly string[];
  /** Whether the bars are stacked by class. */
  readonly stacked: boolean;
}

/**
 * Rows for the shard chart. When any shard gives per-class counts, one series per class label
 * (a shard without a label counts 0 for it) and the bars stack; otherwise one `samples` series.
 * Class keys are prefixed so a label such as "shard" cannot clash with the row's own fields.
 */
export function shardSeries(shards: readonly ShardPreview[]): ShardSeries {
  const stacked = shards.some((s) => s.classes !== undefined && s.classes.length > 0);
  if (!stacked)
    return { rows: shards.map((s) => ({ shard: `Shard ${s.shard}`, samples: s.samples })), keys: ["samples"], stacked };
  const labels: string[] = [];
  const seen = new Set<string>();
  for (const s of shards)
    for (const c of s.classes ?? [])
      if (!seen.has(c.label)) {
        seen.add(c.label);
        labels.push(c.label);
      }
  const keys = labels.map(classKey);
  const rows = shards.map((s) => {
    const row: Record<string, number | string> = { shard: `Shard ${s.shard}` };
    for (const k of keys) row[k] = 0;
    for (const c of s.classes ?? []) row[classKey(c.label)] = (row[classKey(c.label)] as number) + c.count;
    return row;
  });
  return { rows, keys, stacked };
}

/** The series key of a class label. */
export function classKey(label: string): string {
  return `class:${label}`;
}
