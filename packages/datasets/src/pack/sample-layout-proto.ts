import { create } from "@bufbuild/protobuf";
import { ColumnRole, type SampleLayout, SampleLayoutSchema } from "@cyxwiz/protocol/gen";
import type { SampleColumn, SampleSummary } from "../samples/sample-summary.js";
import type { SplitSpec } from "./dataset-split.js";

/** How samples were ordered when packed: the source's order, or grouped by shard. */
export interface PackedOrder {
  readonly strategy: "source" | "sample" | "class-balanced" | "hash";
  readonly shards: number;
  readonly seed: number;
  readonly column?: string;
  /** Samples per shard, in order (empty for "source"). */
  readonly shardSampleCounts: readonly number[];
}

/**
 * The longest label text the manifest's histogram keeps (longer labels are cut, with "…"), so a
 * manifest stays within the gateway's CommitUpload cap whatever the label column holds.
 */
export const MAX_LABEL_TEXT = 100;

/** What the manifest records of a dataset of samples (proto `SampleLayout`, docs/dataset-formats.md). */
export function sampleLayoutOf(
  summary: SampleSummary,
  context: {
    readonly format: string;
    readonly split: SplitSpec;
    readonly order: PackedOrder;
    readonly originalName: string;
    readonly originalSize: number;
  },
): SampleLayout {
  return create(SampleLayoutSchema, {
    sourceFormat: context.format,
    columns: summary.columns.map((c) => ({
      name: c.name,
      arrowType: c.arrowType,
      role: c.role === "label" ? ColumnRole.LABEL : ColumnRole.FEATURE,
      dtype: c.dtype ?? "",
      shape: c.shape === undefined ? [] : [...c.shape],
    })),
    numSamples: BigInt(summary.numSamples),
    chunkSampleCounts: [...summary.chunkSampleCounts],
    labelColumn: summary.labelColumn ?? "",
    labelHistogram: summary.labelHistogram.map((l) => ({
      label: l.label.length > MAX_LABEL_TEXT ? `${l.label.slice(0, MAX_LABEL_TEXT - 1)}…` : l.label,
      count: BigInt(l.count),
    })),
    split: {
      trainPermille: context.split.trainPermille,
      validationPermille: context.split.validationPermille,
      testPermille: context.split.testPermille,
      seed: BigInt(context.split.seed),
    },
    order: {
      strategy: context.order.strategy,
      shards: context.order.shards,
      seed: BigInt(context.order.seed),
      column: context.order.column ?? "",
      shardSampleCounts: context.order.shardSampleCounts.map(BigInt),
    },
    originalName: context.originalName,
    originalSize: BigInt(context.originalSize),
  });
}

/** The summary a manifest's sample layout records, back as plain data (for previews and the CLI). */
export function summaryOfLayout(layout: SampleLayout): SampleSummary {
  const columns: SampleColumn[] = layout.columns.map((c) => ({
    name: c.name,
    arrowType: c.arrowType,
    role: c.role === ColumnRole.LABEL ? "label" : "feature",
    ...(c.dtype === "" ? {} : { dtype: c.dtype }),
    ...(c.shape.length === 0 ? {} : { shape: [...c.shape] }),
  }));
  return {
    columns,
    numSamples: Number(layout.numSamples),
    chunkSampleCounts: [...layout.chunkSampleCounts],
    ...(layout.labelColumn === "" ? {} : { labelColumn: layout.labelColumn }),
    labelHistogram: layout.labelHistogram.map((l) => ({ label: l.label, count: Number(l.count) })),
    labelHistogramComplete: true,
  };
}
