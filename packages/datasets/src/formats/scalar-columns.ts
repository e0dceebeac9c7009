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

/**
 * Builds record batches of scalar columns row by row (values already of the column's type, or
 * null): each column fills a typed array (strings are encoded once per batch), which keeps the
 * garbage low (Arrow's generic builders were 3× slower on a 20 MB CSV).
 */
export class ScalarBatchBuilder {
  private columns: ColumnFill[];
  private rows = 0;

  constructor(readonly schema: arrow.Schema) {
    this.columns = schema.fields.map((f) => new ColumnFill(f.type));
  }

  get length(): number {
    return this.rows;
  }

  append(values: readonly unknown[]): void {
    for (let i = 0; i < this.columns.length; i++) this.columns[i]!.push(this.rows, values[i]);
    this.rows++;
  }

  /** The rows appended since the last flush, as one batch. */
  flush(): arrow.RecordBatch {
    const children = this.columns.map((c) => c.finish(this.rows));
    const batch = batchOf(this.schema, this.rows, children);
    this.rows = 0;
    return batch;
  }
}

type Fixed = Int32Array | BigInt64Array | Float32Array | Float64Array;

/** One column's values for the batch being built. */
class ColumnFill {
  private capacity = 1024;
  private valid = new Uint8Array(this.capacity >> 3);
  private nulls = 0;
  private fixed: Fixed | undefined;
  private bits: Uint8Array | undefined;
  private strings: string[] | undefined;

  constructor(private readonly type: arrow.DataType) {
    this.reset();
  }

  private reset(): void {
    this.valid = new Uint8Array(this.capacity >> 3);
    this.nulls = 0;
    if (arrow.DataType.isUtf8(this.type)) this.strings = [];
    else if (arrow.DataType.isBool(this.type)) this.bits = new Uint8Array(this.capacity >> 3);
    else this.fixed = this.newFixed(this.capacity);
  }

  private newFixed(n: number): Fixed {
    const t = this.type;
    if (arrow.DataType.isInt(t)) return t.bitWidth === 64 ? new BigInt64Array(n) : new Int32Array(n);
    if (arrow.DataType.isFloat(t))
      return t.precision === arrow.Precision.SINGLE ? new Float32Array(n) : new Float64Array(n);
    throw new TypeError(`ScalarBatchBuilder: unsupported type ${String(t)}`);
  }

  private grow(): void {
    this.capacity *= 2;
    const valid = new Uint8Array(this.capacity >> 3);
    valid.set(this.valid);
    this.valid = valid;
    if (this.bits !== undefined) {
      const bits = new Uint8Array(this.capacity >> 3);
      bits.set(this.bits);
      this.bits = bits;
    }
    if (this.fixed !== undefined) {
      const fixed = this.newFixed(this.capacity);
      fixed.set(this.fixed as never);
      this.fixed = fixed;
    }
  }

  push(row: number, value: unknown): void {
    if (row >= this.capacity) this.grow();
    if (value === null || value === undefined) {
      this.nulls++;
      this.strings?.push("");
      return;
    }
    this.valid[row >> 3]! |= 1 << (row & 7);
    if (this.strings !== undefined) this.strings.push(value as string);
    else if (this.bits !== undefined) {
      if (value) this.bits[row >> 3]! |= 1 << (row & 7);
    } else (this.fixed as Fixed)[row] = value as never;
  }

  finish(length: number): arrow.Data {
    const bytes = Math.ceil(length / 8);
    const nullBitmap = this.nulls > 0 ? this.valid.slice(0, bytes) : undefined;
    const base = {
      type: this.type,
      length,
      nullCount: this.nulls,
      ...(nullBitmap !== undefined ? { nullBitmap } : {}),
    };
    let data: arrow.Data;
    if (this.strings !== undefined) {
      const { valueOffsets, values } = encodeStrings(this.strings);
      data = arrow.makeData({ ...base, type: this.type as arrow.Utf8, valueOffsets, data: values });
    } else if (this.bits !== undefined) {
      data = arrow.makeData({ ...base, type: this.type as arrow.Bool, data: this.bits.slice(0, bytes) });
    } else {
      data = arrow.makeData({ ...base, data: (this.fixed as Fixed).slice(0, length) } as never);
    }
    this.reset();
    return data;
  }
}

const encoder = new TextEncoder();

function encodeStrings(strings: readonly string[]): { valueOffsets: Int32Array; values: Uint8Array } {
  const valueOffsets = new Int32Array(strings.length + 1);
  let size = 0;
  for (const s of strings) size += s.length;
  let values = new Uint8Array(size * 3 + 16);
  let at = 0;
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i]!;
    if (s.length > 0) {
      const bytes = encoder.encode(s);
      values.set(bytes, at);
      at += bytes.length;
    }
    valueOffsets[i + 1] = at;
  }
  values = values.slice(0, at);
  return { valueOffsets, values };
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
