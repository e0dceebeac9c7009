import { columnStats, imageSamples, labelHistogram, previewRows } from "@cyxwiz/datasets/samples";
import { scanTable } from "@cyxwiz/datasets/scan";
import type { ClassificationName } from "@cyxwiz/protocol/vocab";
import type { Table } from "apache-arrow";
import type { ClassCount, ColumnStats, PreviewColumn, PreviewImage } from "../preview/preview-types.js";

/** Rows shown in the preview table. */
export const PREVIEW_ROWS = 20;
/** Thumbnails shown for an image dataset. */
export const PREVIEW_IMAGES = 24;

/** One column the personal-data scan flagged: what it found and the classification that calls for. */
export interface ScannedColumn {
  readonly name: string;
  readonly findings: readonly { readonly type: string; readonly count: number; readonly rate: number }[];
  /** The classification of this column alone (docs/personal-data.md: the highest of its finding types). */
  readonly classification: ClassificationName;
}

/**
 * What the upload worker tells the page about a dataset of samples: plain data for the preview
 * components (apps/web/src/preview) and the scan, never the table itself.
 */
export interface SampleAnalysis {
  readonly format: string;
  readonly schema: readonly PreviewColumn[];
  readonly numSamples: number;
  readonly labelColumn?: string;
  readonly rows: readonly (readonly (string | null)[])[];
  readonly stats: readonly ColumnStats[];
  readonly images: readonly PreviewImage[];
  readonly histogram: readonly ClassCount[];
  /** Columns with at least one finding, in schema order. */
  readonly scanned: readonly ScannedColumn[];
  readonly suggestedClassification: ClassificationName;
}

/**
 * Shapes the analysis of a table read by `readSamples`: schema, first rows, column statistics,
 * up to {@link PREVIEW_IMAGES} thumbnails, the label histogram and the personal-data scan. Each
 * flagged column is scanned again alone so the page knows the classification it calls for.
 */
export function analyseTable(table: Table, format: string, labelColumn: string | undefined): SampleAnalysis {
  const schema = table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) }));
  const preview = previewRows(table, PREVIEW_ROWS);
  const stats = columnStats(table).map(
    (s): ColumnStats => ({
      name: s.name,
      type: s.type,
      nulls: s.nulls,
      count: s.count,
      distinct: s.distinct,
      ...(s.min === undefined ? {} : { min: s.min }),
      ...(s.max === undefined ? {} : { max: s.max }),
      ...(s.mean === undefined ? {} : { mean: s.mean }),
    }),
  );
  const images = imageSamples(table, PREVIEW_IMAGES, labelColumn === undefined ? {} : { labelColumn })
    .filter((i) => i.channels === 1 || i.channels === 3 || i.channels === 4)
    .map(
      (i): PreviewImage => ({
        label: i.label ?? "",
        width: i.width,
        height: i.height,
        channels: i.channels as 1 | 3 | 4,
        pixels: i.pixels,
      }),
    );
  const histogram = labelColumn === undefined ? [] : labelHistogram(table, labelColumn);
  const report = scanTable(table);
  const scanned = report.columns
    .filter((c) => c.findings.length > 0)
    .map(
      (c): ScannedColumn => ({
        name: c.name,
        findings: c.findings.map((f) => ({ type: f.type, count: f.count, rate: f.rate })),
        classification: scanTable(table.select([c.name])).suggestedClassification,
      }),
    );
  return {
    format,
    schema,
    numSamples: table.numRows,
    ...(labelColumn === undefined ? {} : { labelColumn }),
    rows: preview.rows,
    stats,
    images,
    histogram,
    scanned,
    suggestedClassification: report.suggestedClassification,
  };
}
