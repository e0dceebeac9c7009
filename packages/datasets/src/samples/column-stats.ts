import * as arrow from "apache-arrow";
import { tensorInfo } from "../formats/tensor-field.js";

/** Statistics of one column, for the dataset preview. */
export interface ColumnStats {
  readonly name: string;
  /** Arrow's name of the type. */
  readonly type: string;
  /** Non-null values. */
  readonly count: number;
  readonly nulls: number;
  /** Numeric columns (over every element, for tensors); NaN is left out. */
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  /** Distinct non-null values (rows, for tensors), exact up to the cap. */
  readonly distinct: number;
  /** True when counting stopped at the cap: there are at least `distinct` distinct values. */
  readonly distinctIsLowerBound: boolean;
}

/** Distinct values counted exactly before `distinct` becomes a lower bound. */
export const DISTINCT_CAP = 10_000;

/**
 * Per-column statistics of a table (a decoded chunk, or a preview's first rows).
 * @example columnStats(decodeSampleChunk(chunk.bytes)) // [{ name: "image", min: 0, max: 255, ... }]
 */
export function columnStats(table: arrow.Table, distinctCap = DISTINCT_CAP): ColumnStats[] {
  return table.schema.fields.map((field) => {
    const vector = table.getChild(field.name)!;
    const numeric = new NumberSummary();
    const seen = new Set<unknown>();
    let lowerBound = false;
    const tensor = tensorInfo(field) !== undefined || arrow.DataType.isFixedSizeList(field.type);
    for (const data of vector.data) {
      if (tensor) {
        const child = data.children[0]!;
        const size = (field.type as arrow.FixedSizeList).listSize;
        const values = child.values as ArrayLike<number | bigint>;
        for (let r = 0; r < data.length; r++) {
          if (!data.getValid(r)) continue;
          const row = Array.prototype.slice.call(values, r * size, (r + 1) * size) as (number | bigint)[];
          for (const v of row) numeric.add(Number(v));
          if (seen.size < distinctCap) seen.add(row.join(","));
          else if (!seen.has(row.join(","))) lowerBound = true;
        }
        continue;
      }
      const isNumber = arrow.DataType.isInt(field.type) || arrow.DataType.isFloat(field.type);
      const v = arrow.makeVector(data);
      for (let r = 0; r < data.length; r++) {
        const x = v.get(r);
        if (x === null || x === undefined) continue;
        if (isNumber) numeric.add(Number(x));
        if (seen.size < distinctCap) seen.add(typeof x === "number" && Number.isNaN(x) ? "NaN" : x);
        else if (!seen.has(x)) lowerBound = true;
      }
    }
    const nulls = vector.nullCount;
    return {
      name: field.name,
      type: String(field.type),
      count: vector.length - nulls,
      nulls,
      ...numeric.result(),
      distinct: seen.size,
      distinctIsLowerBound: lowerBound,
    };
  });
}

class NumberSummary {
  private n = 0;
  private sum = 0;
  private lo = Number.POSITIVE_INFINITY;
  private hi = Number.NEGATIVE_INFINITY;

  add(x: number): void {
    if (Number.isNaN(x)) return;
    this.n++;
    this.sum += x;
    if (x < this.lo) this.lo = x;
    if (x > this.hi) this.hi = x;
  }

  result(): { min?: number; max?: number; mean?: number } {
    return this.n === 0 ? {} : { min: this.lo, max: this.hi, mean: this.sum / this.n };
  }
}
