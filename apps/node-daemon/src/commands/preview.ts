import { stat } from "node:fs/promises";
import { readSamples } from "@cyxwiz/datasets/formats";
import { summaryOfLayout } from "@cyxwiz/datasets/pack";
import {
  type ColumnStats,
  columnStats,
  describeColumns,
  type LabelCount,
  labelHistogram,
  previewRows,
  type SampleColumn,
} from "@cyxwiz/datasets/samples";
import * as arrow from "apache-arrow";
import { parseCount } from "../dataset-choice.js";
import { withDatasetErrors } from "../dataset-errors.js";
import { openDatasetInput } from "../dataset-input.js";
import type { Output } from "../output.js";
import { manifestPath } from "../pack-dir.js";
import { readSamplePack } from "../sample-pack.js";
import { textTable } from "../text-table.js";

export interface PreviewCommandOptions {
  rows?: string;
  format?: string;
  keyFile?: string;
  json?: boolean;
}

interface Preview {
  schema: SampleColumn[];
  rows: { columns: readonly string[]; rows: readonly (readonly string[])[] };
  stats: ColumnStats[];
  labelHistogram: LabelCount[];
  samples: number;
}

/**
 * `cyxwiz preview <pack-dir|file...>`: the schema, the first rows, per-column statistics and
 * the label histogram. A pack directory is read only as far as its first chunk (schema, samples
 * and histogram come from its manifest; rows and statistics from that chunk); files are read
 * whole. JSON: `{schema, rows, stats, labelHistogram, samples}`.
 */
export async function previewCommand(
  paths: readonly string[],
  opts: PreviewCommandOptions,
  out: Output,
): Promise<void> {
  const n = opts.rows === undefined ? 10 : parseCount(opts.rows, "--rows", 0);
  const preview =
    paths.length === 1 && (await isPackDir(paths[0]!))
      ? await previewPack(paths[0]!, opts.keyFile, n)
      : await previewFiles(paths, opts.format, n);
  out.result({ ...preview }, describe(preview));
}

async function isPackDir(path: string): Promise<boolean> {
  return stat(manifestPath(path)).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function previewPack(dir: string, keyFile: string | undefined, n: number): Promise<Preview> {
  const pack = await readSamplePack(dir, keyFile, "preview", 1);
  const first = pack.tables[0]!;
  const summary = summaryOfLayout(pack.layout);
  return {
    schema: [...summary.columns],
    rows: previewRows(first, n),
    stats: columnStats(first),
    labelHistogram: [...summary.labelHistogram],
    samples: summary.numSamples,
  };
}

async function previewFiles(paths: readonly string[], format: string | undefined, n: number): Promise<Preview> {
  const input = await openDatasetInput(paths);
  try {
    return await withDatasetErrors(async () => {
      const read = await readSamples(input.files, format === undefined || format === "auto" ? {} : { format });
      const batches: arrow.RecordBatch[] = [];
      for await (const b of read.batches) batches.push(b);
      const table = new arrow.Table(read.schema, batches);
      return {
        schema: describeColumns(read.schema, read.labelColumn),
        rows: previewRows(table, n),
        stats: columnStats(table),
        labelHistogram: read.labelColumn === undefined ? [] : labelHistogram(table, read.labelColumn),
        samples: table.numRows,
      };
    });
  } finally {
    await input.close();
  }
}

function describe(p: Preview): string {
  const out: string[] = [`${p.samples} samples, ${p.schema.length} columns`, ""];
  out.push(
    textTable([
      ["column", "type", "role", "dtype", "shape"],
      ...p.schema.map((c) => [c.name, c.arrowType, c.role, c.dtype ?? "", c.shape?.join("×") ?? ""]),
    ]),
    "",
    `first ${p.rows.rows.length} rows:`,
    textTable([[...p.rows.columns], ...p.rows.rows.map((r) => [...r])]),
    "",
    textTable([
      ["column", "type", "nulls", "min", "max", "mean", "distinct"],
      ...p.stats.map((s) => [
        s.name,
        s.type,
        String(s.nulls),
        s.min === undefined ? "" : String(s.min),
        s.max === undefined ? "" : String(s.max),
        s.mean === undefined ? "" : s.mean.toPrecision(6),
        `${s.distinct}${s.distinctIsLowerBound ? "+" : ""}`,
      ]),
    ]),
  );
  if (p.labelHistogram.length > 0) {
    const most = Math.max(...p.labelHistogram.map((l) => l.count));
    const width = Math.max(...p.labelHistogram.map((l) => l.label.length));
    out.push("", "labels:");
    for (const l of p.labelHistogram)
      out.push(`${l.label.padStart(width)} ${"#".repeat(Math.max(1, Math.round((l.count / most) * 40)))} ${l.count}`);
  }
  return out.join("\n");
}
