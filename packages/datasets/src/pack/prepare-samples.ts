import type { ByteSource } from "@cyxwiz/protocol/chunk";
import type { SampleLayout } from "@cyxwiz/protocol/gen";
import * as arrow from "apache-arrow";
import { DatasetError } from "../formats/dataset-error.js";
import type { FormatName } from "../formats/format-registry.js";
import { type ReadSamplesOptions, readSamples } from "../formats/read-samples.js";
import type { InputFile } from "../samples/input-file.js";
import { packSampleChunks } from "../samples/pack-sample-chunks.js";
import { histogramOf, type SampleSummary } from "../samples/sample-summary.js";
import { inputFromColumns } from "../sharding/columns-input.js";
import { packOrder } from "../sharding/pack-order.js";
import type { CellValue } from "../sharding/sharding-types.js";
import { chunkListSource } from "./chunk-list-source.js";
import { checkSplit, DEFAULT_SPLIT, type SplitSpec } from "./dataset-split.js";
import { type PackedOrder, sampleLayoutOf } from "./sample-layout-proto.js";

/** Strategies whose shards a pack order makes contiguous (docs/sharding.md "Pack order"). */
export type PackOrderStrategy = "sample" | "class-balanced" | "hash";

export interface PrepareSamplesOptions extends ReadSamplesOptions {
  /** The most plaintext bytes of one chunk (the upload's chunk size). */
  readonly chunkSize: number;
  /**
   * Pack so that each shard of this spec is a contiguous run of whole chunks, so a worker fetches
   * only its shard's chunks. Absent: the source's order.
   */
  readonly order?: {
    readonly strategy: PackOrderStrategy;
    readonly shards: number;
    readonly seed?: number;
    readonly column?: string;
  };
  /** Train/validation/test (default 800/100/100‰, seed 1). */
  readonly split?: SplitSpec;
  /**
   * Changes the whole table before it is packed (the anonymizers of `@cyxwiz/datasets/anonymize`
   * run here, so the original never leaves the reader). Makes the whole dataset pass through memory.
   */
  readonly transform?: (table: arrow.Table) => arrow.Table | Promise<arrow.Table>;
  /** The name the manifest records as the original (default: the first file's path). */
  readonly originalName?: string;
}

/** A dataset read, ordered and packed into chunks of whole samples, ready to upload or write. */
export interface PreparedSamples {
  readonly format: FormatName;
  readonly schema: arrow.Schema;
  readonly labelColumn?: string;
  /** Each chunk's plaintext: one Arrow IPC stream of whole samples. */
  readonly chunks: readonly Uint8Array[];
  /** Each chunk's size: InitiateTransfer's `chunk_plain_sizes`, the chunker's `plainSizes`. */
  readonly plainSizes: readonly number[];
  readonly summary: SampleSummary;
  /** The manifest's sample layout (proto). */
  readonly layout: SampleLayout;
  /** The chunks one after another, for the chunker and the upload session. */
  readonly source: ByteSource;
}

/**
 * Reads dataset files (any format of docs/dataset-formats.md), optionally transforms the table
 * (anonymizers) and orders samples by shard, and packs them into chunks of whole samples,
 * building the manifest's sample layout. The one path from files to a dataset of samples, used by
 * the dashboard's upload worker and the CLI's pack and upload alike, so both give the same bytes.
 *
 * Memory: the packed chunks are held (about the dataset's size as Arrow); with `order` or
 * `transform` the whole table is held too while packing.
 *
 * @throws DatasetError for bad input or options (docs/dataset-formats.md), ShardingError for an
 *   order the samples cannot have (more shards than samples, a missing column).
 * @example
 * const prepared = await prepareSamples([{ path: "iris.csv", source }], { chunkSize: 4 << 20 });
 * const chunker = createChunker(primitives, prepared.source, { plainSizes: prepared.plainSizes, samples: prepared.layout, ... });
 */
export async function prepareSamples(
  files: readonly InputFile[],
  options: PrepareSamplesOptions,
): Promise<PreparedSamples> {
  const split = checkSplit(options.split ?? DEFAULT_SPLIT);
  const read = await readSamples(files, options);
  const labelColumn = read.labelColumn;
  const packOptions = { chunkSize: options.chunkSize, ...(labelColumn === undefined ? {} : { labelColumn }) };
  const chunks: Uint8Array[] = [];
  const summaries: SampleSummary[] = [];
  let schema = read.schema;
  let order: PackedOrder = { strategy: "source", shards: 1, seed: 0, shardSampleCounts: [] };

  const packRuns = async (runSchema: arrow.Schema, runs: AsyncIterable<arrow.RecordBatch>) => {
    const stream = packSampleChunks(runSchema, runs, packOptions);
    for await (const chunk of stream) chunks.push(chunk.bytes);
    summaries.push(stream.summary());
  };

  if (options.order === undefined && options.transform === undefined) {
    await packRuns(schema, read.batches);
  } else {
    let table = await wholeTable(read.schema, read.batches);
    if (options.transform !== undefined) table = await options.transform(table);
    schema = table.schema;
    if (labelColumn !== undefined && table.getChild(labelColumn) === null)
      throw new DatasetError("CYXW_ERR_DS_BAD_OPTION", {}, `the transform removed the label column "${labelColumn}"`);
    if (options.order === undefined) {
      await packRuns(schema, batchesOf(table));
    } else {
      const spec = options.order;
      const column = spec.column ?? (spec.strategy === "class-balanced" ? labelColumn : undefined);
      const input = inputFromColumns(columnsOf(table, column), table.numRows);
      const plan = packOrder(input, {
        strategy: spec.strategy,
        shards: spec.shards,
        ...(column === undefined ? {} : { column }),
        ...(spec.seed === undefined ? {} : { seed: spec.seed }),
      });
      const counts: number[] = [];
      for (let s = 0; s + 1 < plan.boundaries.length; s++) {
        const from = plan.boundaries[s]!;
        const to = plan.boundaries[s + 1]!;
        counts.push(to - from);
        // Each shard is packed on its own, so no chunk spans two shards.
        if (to > from) await packRuns(schema, runsOf(table, plan.order, from, to));
      }
      order = {
        strategy: spec.strategy,
        shards: spec.shards,
        seed: spec.seed ?? 0,
        ...(column === undefined ? {} : { column }),
        shardSampleCounts: counts,
      };
    }
  }
  if (chunks.length === 0)
    throw new DatasetError("CYXW_ERR_DS_EMPTY", { file: files[0]?.path ?? "" }, "the dataset holds no samples");
  const summary = mergeSummaries(summaries);
  const originalSize = files.reduce((a, f) => a + f.source.size, 0);
  const layout = sampleLayoutOf(summary, {
    format: read.format,
    split,
    order,
    originalName: options.originalName ?? files[0]?.path ?? "",
    originalSize,
  });
  return {
    format: read.format,
    schema,
    ...(labelColumn === undefined ? {} : { labelColumn }),
    chunks,
    plainSizes: chunks.map((c) => c.length),
    summary,
    layout,
    source: chunkListSource(chunks),
  };
}

async function wholeTable(schema: arrow.Schema, batches: AsyncIterable<arrow.RecordBatch>): Promise<arrow.Table> {
  const all: arrow.RecordBatch[] = [];
  for await (const b of batches) all.push(b);
  return new arrow.Table(schema, all);
}

async function* batchesOf(table: arrow.Table): AsyncGenerator<arrow.RecordBatch> {
  yield* table.batches;
}

/** The column a pack order reads, as plain values. */
function columnsOf(table: arrow.Table, column: string | undefined): Record<string, ArrayLike<CellValue>> {
  if (column === undefined) return {};
  const vector = table.getChild(column);
  if (vector === null) return {};
  return { [column]: vector.toArray() as ArrayLike<CellValue> };
}

/** The rows `order[from..to)` of `table`, as slices of consecutive runs. */
async function* runsOf(table: arrow.Table, order: Uint32Array, from: number, to: number) {
  let p = from;
  while (p < to) {
    const start = order[p]!;
    let end = start + 1;
    p++;
    while (p < to && order[p] === end) {
      end++;
      p++;
    }
    yield* table.slice(start, end).batches;
  }
}

/** One summary of the shards packed one after another. */
function mergeSummaries(parts: readonly SampleSummary[]): SampleSummary {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const counts = new Map<string, number>();
  for (const p of parts) for (const l of p.labelHistogram) counts.set(l.label, (counts.get(l.label) ?? 0) + l.count);
  return {
    columns: first.columns,
    numSamples: parts.reduce((a, p) => a + p.numSamples, 0),
    chunkSampleCounts: parts.flatMap((p) => p.chunkSampleCounts),
    ...(first.labelColumn === undefined ? {} : { labelColumn: first.labelColumn }),
    labelHistogram: histogramOf(counts),
    labelHistogramComplete: parts.every((p) => p.labelHistogramComplete),
  };
}
