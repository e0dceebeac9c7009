import * as arrow from "apache-arrow";
import type { InputFile } from "../samples/input-file.js";
import { DatasetError } from "./dataset-error.js";
import {
  BY_CONTENT,
  BY_EXTENSION,
  type FileHead,
  type FormatReader,
  NOT_MINE,
  type ReaderOptions,
} from "./format-reader.js";
import { ProgressCounter } from "./progress.js";
import { arrowTypeOf, ScalarBatchBuilder, type ScalarKind, widen } from "./scalar-columns.js";
import { extensionOf, looksLikeText } from "./sniff.js";
import { readUtf8Pieces } from "./utf8-text.js";

/**
 * JSON Lines: one JSON object per line, one sample per object. Columns are the keys in order of
 * first appearance; a key missing from an object is a null. Types are inferred over the whole file
 * in a first streamed pass: Int64 if every value is an integer, Float64 if every value is a
 * number, Bool, else Utf8 (nested arrays and objects are kept as their JSON text).
 */
export const jsonlFormat: FormatReader = {
  name: "jsonl",
  detect(heads: readonly FileHead[]) {
    if (heads.length !== 1 || heads[0]!.gzipped) return NOT_MINE;
    const byExt = ["jsonl", "ndjson"].includes(extensionOf(heads[0]!.path)) ? BY_EXTENSION : NOT_MINE;
    const text = looksLikeText(heads[0]!.head);
    if (text === undefined) return byExt;
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    if (lines.length > 1 && heads[0]!.head.length >= 4096) lines.pop();
    try {
      const parsed = lines.map((l) => JSON.parse(l) as unknown);
      return parsed.length > 0 && parsed.every(isPlainObject) ? BY_CONTENT : byExt;
    } catch {
      return byExt;
    }
  },
  async read(files: readonly InputFile[], options: ReaderOptions) {
    if (files.length !== 1)
      throw new DatasetError("CYXW_ERR_DS_BAD_OPTION", {}, `jsonl reads one file; got ${files.length}`);
    const file = files[0]!;
    const progress = new ProgressCounter(2 * file.source.size, options.onProgress);
    const columns = new Map<string, number>();
    const kinds: ScalarKind[] = [];
    let rows = 0;
    for await (const { object } of readObjects(file, progress)) {
      for (const [key, value] of Object.entries(object)) {
        let c = columns.get(key);
        if (c === undefined) {
          c = columns.size;
          if (c >= options.limits.maxColumns) {
            throw new DatasetError(
              "CYXW_ERR_DS_TOO_MANY_COLUMNS",
              { file: file.path },
              `the objects have more than ${options.limits.maxColumns} distinct keys; the limit is ${options.limits.maxColumns}`,
            );
          }
          columns.set(key, c);
          kinds.push("null");
        }
        kinds[c] = widen(kinds[c]!, kindOfJson(value));
      }
      rows++;
    }
    if (rows === 0) throw new DatasetError("CYXW_ERR_DS_EMPTY", { file: file.path }, "the file holds no JSON objects");
    const names = [...columns.keys()];
    const schema = new arrow.Schema(names.map((n, i) => new arrow.Field(n, arrowTypeOf(kinds[i]!), true)));
    return { schema, batches: buildBatches(file, schema, names, kinds, options, progress) };
  },
};

async function* buildBatches(
  file: InputFile,
  schema: arrow.Schema,
  names: string[],
  kinds: ScalarKind[],
  options: ReaderOptions,
  progress: ProgressCounter,
): AsyncGenerator<arrow.RecordBatch> {
  const builder = new ScalarBatchBuilder(schema);
  const values: unknown[] = new Array(names.length);
  for await (const { object } of readObjects(file, progress)) {
    for (let c = 0; c < names.length; c++) values[c] = valueOfJson(object[names[c]!], kinds[c]!);
    builder.append(values);
    if (builder.length >= options.batchRows) yield builder.flush();
  }
  if (builder.length > 0) yield builder.flush();
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function kindOfJson(v: unknown): ScalarKind {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") return Number.isSafeInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  return "string";
}

function valueOfJson(v: unknown, kind: ScalarKind): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case "int":
      return BigInt(v as number);
    case "float":
    case "bool":
      return v;
    case "string":
    case "null":
      return typeof v === "string" ? v : JSON.stringify(v);
    default: {
      const never: never = kind;
      throw new TypeError(`unknown kind ${String(never)}`);
    }
  }
}

async function* readObjects(file: InputFile, progress: ProgressCounter) {
  let carry = "";
  let line = 1;
  const parse = (text: string) => {
    const at = line++;
    if (text.trim() === "") return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new DatasetError(
        "CYXW_ERR_DS_MALFORMED_JSON",
        { file: file.path, line: at },
        `not JSON: ${(e as Error).message}`,
      );
    }
    if (!isPlainObject(value)) {
      throw new DatasetError(
        "CYXW_ERR_DS_MALFORMED_JSON",
        { file: file.path, line: at },
        "each line must be a JSON object",
      );
    }
    return value;
  };
  for await (const piece of readUtf8Pieces(file, progress)) {
    const parts = (carry + piece.text).split("\n");
    carry = parts.pop()!;
    for (const part of parts) {
      const object = parse(part);
      if (object !== undefined) yield { object };
    }
  }
  const object = parse(carry);
  if (object !== undefined) yield { object };
}
