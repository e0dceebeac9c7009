import * as arrow from "apache-arrow";
import { batchOf } from "./tensor-field.js";

/**
 * The scalar column types text formats are read into. Each column's type is decided before any
 * batch is built, so every batch of a dataset has the same schema.
 */
export type ScalarKind = "null" | "int" | "float" | "bool" | "string";

/** The Arrow type of a scalar kind; a column that held only nulls becomes Utf8. */
export function arrowTypeOf(kind: ScalarKind): arrow.DataType {
  switch (kind) {
    case "int":
      return new arrow.Int64();
    case "float":
      return new arrow.Float64();
    case "bool":
      return new arrow.Bool();
    case "string":
    case "null":
      return new arrow.Utf8();
    default: {
      const never: never = kind;
      throw new TypeError(`unknown kind ${String(never)}`);
    }
  }
}

/** The kind two observations of one column share: int widens to float, any other mix is string. */
export function widen(a: ScalarKind, b: ScalarKind): ScalarKind {
  if (a === b || b === "null") return a;
  if (a === "null") return b;
  if ((a === "int" && b === "float") || (a === "float" && b === "int")) return "float";
  return "string";
}

const INT_RE = /^[+-]?\d+$/;
const FLOAT_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i;
const BOOL_RE = /^(true|false)$/i;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** The kind of one CSV cell: empty is null; then int (fits Int64), float, true/false, else string. */
export function kindOfText(s: string): ScalarKind {
  if (s === "") return "null";
  if (INT_RE.test(s)) {
    if (s.length < 19) return "int";
    const v = BigInt(s);
    return v <= INT64_MAX && v >= INT64_MIN ? "int" : "float";
  }
  if (FLOAT_RE.test(s)) return "float";
  if (BOOL_RE.test(s)) return "bool";
  return "string";
}

/** The value of a CSV cell in a column of `kind` (the kind `kindOfText` inferred over the whole column). */
export function valueOfText(s: string, kind: ScalarKind): unknown {
  if (s === "") return null;
  switch (kind) {
    case "int":
      return BigInt(s);
    case "float": {
      const lower = s.toLowerCase().replace(/^\+/, "");
      if (lower === "nan" || lower === "-nan") return Number.NaN;
      if (lower === "inf" || lower === "infinity") return Number.POSITIVE_INFINITY;
      if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
      return Number(s);
    }
    case "bool":
      return s.toLowerCase() === "true";
    case "string":
    case "null":
      return s;
    default: {
      const never: never = kind;
      throw new TypeError(`unknown kind ${String(never)}`);
    }
  }
}

/** Builds record batches of scalar columns row by row (values already of the column's type, or null). */
export class ScalarBatchBuilder {
  private builders: arrow.Builder[];
  private rows = 0;

  constructor(readonly schema: arrow.Schema) {
    this.builders = this.fresh();
  }

  private fresh(): arrow.Builder[] {
    return this.schema.fields.map((f) => arrow.makeBuilder({ type: f.type, nullValues: [null, undefined] }));
  }

  get length(): number {
    return this.rows;
  }

  append(values: readonly unknown[]): void {
    for (let i = 0; i < this.builders.length; i++) this.builders[i]!.append(values[i]);
    this.rows++;
  }

  /** The rows appended since the last flush, as one batch. */
  flush(): arrow.RecordBatch {
    const children = this.builders.map((b) => b.finish().flush());
    const batch = batchOf(this.schema, this.rows, children);
    this.builders = this.fresh();
    this.rows = 0;
    return batch;
  }
}

/** Unique, non-empty column names: blanks become `column_N`, repeats get `_2`, `_3`. */
export function uniqueNames(raw: readonly string[]): string[] {
  const seen = new Set<string>();
  return raw.map((r, i) => {
    const base = r.trim() === "" ? `column_${i + 1}` : r.trim();
    let name = base;
    for (let k = 2; seen.has(name); k++) name = `${base}_${k}`;
    seen.add(name);
    return name;
  });
}
