import type * as arrow from "apache-arrow";
import { dtypeOf, tensorInfo } from "../formats/tensor-field.js";

/** One column as the manifest records it. */
export interface SampleColumn {
  readonly name: string;
  /** Arrow's name of the type: `Float64`, `Utf8`, `FixedSizeList[784]<Uint8>`. */
  readonly arrowType: string;
  readonly role: "feature" | "label";
  /** NumPy-style element type of numeric and tensor columns (`uint8`, `float64`). */
  readonly dtype?: string;
  /** The shape of one sample of a tensor column (`[28, 28]`). */
  readonly shape?: readonly number[];
}

/** How many samples carry one label. */
export interface LabelCount {
  readonly label: string;
  readonly count: number;
}

/** What packing learned about a dataset: plain data for the manifest. */
export interface SampleSummary {
  readonly columns: readonly SampleColumn[];
  readonly numSamples: number;
  /** Samples in each chunk, in chunk order. */
  readonly chunkSampleCounts: readonly number[];
  readonly labelColumn?: string;
  /** Samples per label (labels as text; numeric labels in numeric order, others in code-unit order; nulls not counted). */
  readonly labelHistogram: readonly LabelCount[];
  /** False when the label column had more distinct values than MAX_HISTOGRAM_LABELS: labels past the cap were not counted. */
  readonly labelHistogramComplete: boolean;
}

/** The most distinct labels a histogram counts. */
export const MAX_HISTOGRAM_LABELS = 10_000;

/** The columns of a schema as the manifest records them. */
export function describeColumns(schema: arrow.Schema, labelColumn?: string): SampleColumn[] {
  return schema.fields.map((f) => {
    const tensor = tensorInfo(f);
    const dtype = tensor?.dtype ?? dtypeOf(f.type);
    return {
      name: f.name,
      arrowType: String(f.type),
      role: f.name === labelColumn ? "label" : "feature",
      ...(dtype !== undefined ? { dtype } : {}),
      ...(tensor !== undefined ? { shape: tensor.shape } : {}),
    };
  });
}

/** Counts labels across batches (at most MAX_HISTOGRAM_LABELS distinct ones). */
export class LabelCounter {
  private readonly counts = new Map<string, number>();
  complete = true;

  add(column: arrow.Vector | null): void {
    if (column === null) return;
    for (let i = 0; i < column.length; i++) {
      const v = column.get(i);
      if (v === null || v === undefined) continue;
      const key = String(v);
      const n = this.counts.get(key);
      if (n !== undefined) this.counts.set(key, n + 1);
      else if (this.counts.size < MAX_HISTOGRAM_LABELS) this.counts.set(key, 1);
      else this.complete = false;
    }
  }

  histogram(): LabelCount[] {
    return histogramOf(this.counts);
  }
}

/**
 * Label counts as a histogram in the summary's order: numeric labels in numeric order, others in
 * code-unit order (the one ordering rule, for one pass and for merged passes alike).
 */
export function histogramOf(counts: ReadonlyMap<string, number>): LabelCount[] {
  const labels = [...counts.keys()];
  const numeric = labels.every((l) => l.trim() !== "" && Number.isFinite(Number(l)));
  labels.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return labels.map((label) => ({ label, count: counts.get(label)! }));
}

/** Samples per label of a table's column. */
export function labelHistogram(table: arrow.Table, labelColumn: string): LabelCount[] {
  const counter = new LabelCounter();
  counter.add(table.getChild(labelColumn));
  return counter.histogram();
}
