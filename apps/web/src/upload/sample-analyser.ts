import { isDatasetError, readSamples } from "@cyxwiz/datasets/formats";
import type { InputFile } from "@cyxwiz/datasets/samples";
import { createShards, inputFromColumns } from "@cyxwiz/datasets/sharding";
import { type RecordBatch, Table } from "apache-arrow";
import type { ShardingSpec, ShardPreview } from "../preview/preview-types.js";
import { NO_SHARDING } from "./pack-order-choice.js";
import { analyseTable, type SampleAnalysis } from "./sample-analysis.js";

/** What analysing a dataset's files came to. */
export type AnalysisOutcome =
  | { readonly kind: "samples"; readonly analysis: SampleAnalysis }
  /** No sample format recognises the files: they upload as bytes. */
  | { readonly kind: "opaque" }
  /** A sample format recognised them, but they are bad (the DatasetError's message names the place). */
  | { readonly kind: "invalid"; readonly message: string };

/**
 * The upload worker's reading of datasets: reads the files as samples (whole table in memory),
 * shapes the analysis for the page, and keeps the table per upload id so sharding previews are
 * computed here, over every sample, with only the counts sent back.
 */
export function createSampleAnalyser() {
  const tables = new Map<string, { readonly table: Table; readonly labelColumn?: string }>();

  return {
    async analyse(
      id: string,
      files: readonly InputFile[],
      onProgress: (fraction: number) => void,
    ): Promise<AnalysisOutcome> {
      let read: Awaited<ReturnType<typeof readSamples>>;
      try {
        read = await readSamples(files, { onProgress: (done, total) => onProgress(total > 0 ? done / total : 0) });
      } catch (e) {
        if (isDatasetError(e) && e.code === "CYXW_ERR_DS_UNKNOWN_FORMAT") return { kind: "opaque" };
        if (isDatasetError(e)) return { kind: "invalid", message: e.message };
        throw e;
      }
      try {
        const batches: RecordBatch[] = [];
        for await (const b of read.batches) batches.push(b);
        const table = new Table(read.schema, batches);
        tables.set(id, { table, ...(read.labelColumn === undefined ? {} : { labelColumn: read.labelColumn }) });
        return { kind: "samples", analysis: analyseTable(table, read.format, read.labelColumn) };
      } catch (e) {
        if (isDatasetError(e)) return { kind: "invalid", message: e.message };
        throw e;
      }
    },

    /** Samples (and classes) per shard of `spec` over the analysed table; empty for {@link NO_SHARDING}. */
    shardPreview(id: string, spec: ShardingSpec): ShardPreview[] {
      const entry = tables.get(id);
      if (entry === undefined) throw new Error("this dataset is no longer analysed here; choose its files again");
      if (spec.strategy === NO_SHARDING) return [];
      const { table, labelColumn } = entry;
      const names = new Set([spec.column, labelColumn].filter((n): n is string => n !== undefined));
      const columns = Object.fromEntries(
        [...names].map((n) => {
          const v = table.getChild(n);
          if (v === null) throw new Error(`the dataset has no column "${n}"`);
          return [n, v.toArray() as ArrayLike<string | number | bigint | null>];
        }),
      );
      const sharding = createShards(inputFromColumns(columns, table.numRows), {
        strategy: spec.strategy,
        shards: spec.shardCount,
        ...(spec.column === undefined ? {} : { column: spec.column }),
        ...(spec.seed === undefined ? {} : { seed: spec.seed }),
        ...(labelColumn === undefined ? {} : { labelColumn }),
      });
      return sharding.shards.map((s) => ({
        shard: s.shard,
        samples: s.count,
        ...(s.labels === undefined
          ? {}
          : { classes: Object.entries(s.labels).map(([label, count]) => ({ label, count })) }),
      }));
    },

    forget(id: string): void {
      tables.delete(id);
    },
  };
}
