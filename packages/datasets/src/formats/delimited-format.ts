import * as arrow from "apache-arrow";
import type { InputFile } from "../samples/input-file.js";
import { DatasetError } from "./dataset-error.js";
import { type Dialect, readDelimitedRows } from "./delimited-rows.js";
import {
  BY_CONTENT,
  BY_EXTENSION,
  type FileHead,
  type FormatReader,
  NOT_MINE,
  type ReaderOptions,
} from "./format-reader.js";
import { ProgressCounter } from "./progress.js";
import {
  arrowTypeOf,
  kindOfText,
  ScalarBatchBuilder,
  type ScalarKind,
  uniqueNames,
  valueOfText,
  widen,
} from "./scalar-columns.js";
import { extensionOf, looksLikeText } from "./sniff.js";

/**
 * A delimited-text format (CSV, TSV): one file, a header row, then one sample per row.
 *
 * Read in two streamed passes: the first checks every row (field count, quoting, UTF-8) and
 * infers each column's type over the whole file (scalar-columns.ts: Int64 if every non-empty
 * cell is an integer that fits, else Float64 if every one is a number, else Bool if every one is
 * true/false, else Utf8; empty cells are nulls); the second builds the batches. Progress counts
 * both passes (total = 2 × file size).
 */
export function createDelimitedFormat(name: string, dialect: Dialect, extensions: readonly string[]): FormatReader {
  return {
    name,
    detect: (heads) => detectDelimited(heads, dialect.delimiter, extensions),
    read: (files, options) => readDelimited(name, files, dialect, options),
  };
}

function detectDelimited(heads: readonly FileHead[], delimiter: string, extensions: readonly string[]): number {
  if (heads.length !== 1 || heads[0]!.gzipped) return NOT_MINE;
  const { head, path } = heads[0]!;
  const byExt = extensions.includes(extensionOf(path)) ? BY_EXTENSION : NOT_MINE;
  const text = looksLikeText(head);
  if (text === undefined) return byExt;
  if (text.trimStart().startsWith("{")) return byExt;
  const other = delimiter === "\t" ? "," : "\t";
  const lines = text.split("\n").slice(0, 20);
  if (lines.length > 1 && head.length >= 4096) lines.pop(); // the last line may be cut short
  const counts = lines.filter((l) => l.trim() !== "").map((l) => l.split(delimiter).length - 1);
  const otherCounts = lines.filter((l) => l.trim() !== "").map((l) => l.split(other).length - 1);
  const consistent = counts.length > 0 && counts[0]! > 0 && counts.every((c) => c === counts[0]);
  const otherConsistent =
    otherCounts.length > 0 && otherCounts[0]! > 0 && otherCounts.every((c) => c === otherCounts[0]);
  if (consistent && (!otherConsistent || counts[0]! >= otherCounts[0]!)) return BY_CONTENT;
  return byExt;
}

async function readDelimited(name: string, files: readonly InputFile[], dialect: Dialect, options: ReaderOptions) {
  if (files.length !== 1) {
    throw new DatasetError("CYXW_ERR_DS_BAD_OPTION", {}, `${name} reads one file; got ${files.length}`);
  }
  const file = files[0]!;
  const progress = new ProgressCounter(2 * file.source.size, options.onProgress);
  const { names, kinds } = await scanColumns(file, dialect, options, progress);
  const schema = new arrow.Schema(names.map((n, i) => new arrow.Field(n, arrowTypeOf(kinds[i]!), true)));
  return { schema, batches: buildBatches(file, dialect, schema, kinds, options, progress) };
}

async function scanColumns(file: InputFile, dialect: Dialect, options: ReaderOptions, progress: ProgressCounter) {
  let names: string[] | undefined;
  let kinds: ScalarKind[] = [];
  let rows = 0;
  for await (const group of readDelimitedRows(file, dialect, progress)) {
    for (let r = 0; r < group.rows.length; r++) {
      const fields = group.rows[r]!;
      if (names === undefined) {
        if (fields.length > options.limits.maxColumns) {
          throw new DatasetError(
            "CYXW_ERR_DS_TOO_MANY_COLUMNS",
            { file: file.path, line: group.lines[r]! },
            `the header has ${fields.length} columns; the limit is ${options.limits.maxColumns}`,
          );
        }
        names = uniqueNames(fields);
        kinds = names.map(() => "null");
        continue;
      }
      checkWidth(file, fields, names.length, group.lines[r]!);
      for (let c = 0; c < fields.length; c++) {
        const k = kinds[c]!;
        if (k !== "string") kinds[c] = widen(k, kindOfText(fields[c]!));
      }
      rows++;
    }
  }
  if (names === undefined)
    throw new DatasetError("CYXW_ERR_DS_EMPTY", { file: file.path }, "the file has no header row");
  if (rows === 0) throw new DatasetError("CYXW_ERR_DS_EMPTY", { file: file.path }, "the file has a header but no rows");
  return { names, kinds };
}

function checkWidth(file: InputFile, fields: readonly string[], width: number, line: number): void {
  if (fields.length === width) return;
  throw new DatasetError(
    "CYXW_ERR_DS_MALFORMED_ROW",
    { file: file.path, line, column: Math.min(fields.length, width) + 1 },
    `the row has ${fields.length} fields; the header has ${width}`,
  );
}

async function* buildBatches(
  file: InputFile,
  dialect: Dialect,
  schema: arrow.Schema,
  kinds: ScalarKind[],
  options: ReaderOptions,
  progress: ProgressCounter,
): AsyncGenerator<arrow.RecordBatch> {
  const builder = new ScalarBatchBuilder(schema);
  let header = true;
  const values: unknown[] = new Array(kinds.length);
  for await (const group of readDelimitedRows(file, dialect, progress)) {
    for (let r = 0; r < group.rows.length; r++) {
      if (header) {
        header = false;
        continue;
      }
      const fields = group.rows[r]!;
      checkWidth(file, fields, kinds.length, group.lines[r]!);
      for (let c = 0; c < kinds.length; c++) values[c] = valueOfText(fields[c]!, kinds[c]!);
      builder.append(values);
      if (builder.length >= options.batchRows) yield builder.flush();
    }
  }
  if (builder.length > 0) yield builder.flush();
}
