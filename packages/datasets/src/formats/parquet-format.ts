import * as arrow from "apache-arrow";
import type { AsyncBuffer, FileMetaData, SchemaTree } from "hyparquet";
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
import { ScalarBatchBuilder } from "./scalar-columns.js";
import { extensionOf, MAGIC, startsWith } from "./sniff.js";

type Convert = (v: unknown) => unknown;

/**
 * Apache Parquet, read with hyparquet (pure JavaScript: no wasm to download, ~21 kB gzipped; see
 * docs/dataset-formats.md). One row group is read at a time. Plain columns keep their type
 * (BOOLEAN → Bool, INT32 → Int32, INT64 → Int64, FLOAT → Float32, DOUBLE → Float64, UTF8 strings →
 * Utf8); every other column (dates, decimals, nested groups, binary) becomes Utf8 text.
 */
export const parquetFormat: FormatReader = {
  name: "parquet",
  detect(heads: readonly FileHead[]) {
    if (heads.length !== 1) return NOT_MINE;
    if (startsWith(heads[0]!.head, MAGIC.parquet)) return BY_CONTENT;
    return extensionOf(heads[0]!.path) === "parquet" ? BY_EXTENSION : NOT_MINE;
  },
  async read(files: readonly InputFile[], options: ReaderOptions) {
    if (files.length !== 1)
      throw new DatasetError("CYXW_ERR_DS_BAD_OPTION", {}, `parquet reads one file; got ${files.length}`);
    const file = files[0]!;
    if (file.source.size === 0)
      throw new DatasetError("CYXW_ERR_DS_EMPTY", { file: file.path }, "the file is empty (0 bytes)");
    const progress = new ProgressCounter(file.source.size, options.onProgress);
    const buffer = asyncBufferOf(file, progress);
    // Loaded when a Parquet file is read, not when files are detected.
    const { parquetMetadataAsync, parquetReadObjects, parquetSchema } = await import("hyparquet");
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(buffer);
    } catch (e) {
      const head = await file.source.read(0, 4);
      const cut = startsWith(head, MAGIC.parquet);
      throw new DatasetError(
        cut ? "CYXW_ERR_DS_TRUNCATED" : "CYXW_ERR_DS_BAD_HEADER",
        { file: file.path, byteOffset: file.source.size },
        cut
          ? `the Parquet file is cut short or its footer is damaged (${(e as Error).message})`
          : `not a Parquet file (${(e as Error).message})`,
        { cause: e },
      );
    }
    const tree = parquetSchema(metadata);
    if (tree.children.length > options.limits.maxColumns) {
      throw new DatasetError(
        "CYXW_ERR_DS_TOO_MANY_COLUMNS",
        { file: file.path },
        `the file has ${tree.children.length} columns; the limit is ${options.limits.maxColumns}`,
      );
    }
    const columns = tree.children.map(columnOf);
    const schema = new arrow.Schema(columns.map((c) => c.field));
    return {
      schema,
      batches: readBatches(
        parquetReadObjects,
        file,
        buffer,
        metadata,
        schema,
        columns.map((c) => c.convert),
        options,
      ),
    };
  },
};

function asyncBufferOf(file: InputFile, progress: ProgressCounter): AsyncBuffer {
  return {
    byteLength: file.source.size,
    async slice(start, end) {
      const stop = Math.min(end ?? file.source.size, file.source.size);
      const out = new Uint8Array(Math.max(0, stop - start));
      for (let done = 0; done < out.length; ) {
        const part = await file.source.read(start + done, out.length - done);
        if (part.length === 0)
          throw new DatasetError(
            "CYXW_ERR_DS_TRUNCATED",
            { file: file.path, byteOffset: start + done },
            "the file ended early",
          );
        out.set(part, done);
        done += part.length;
      }
      progress.add(out.length);
      return out.buffer;
    },
  };
}

function columnOf(node: SchemaTree): { field: arrow.Field; convert: Convert } {
  const e = node.element;
  const name = e.name;
  const nullable = e.repetition_type !== "REQUIRED";
  const plain = node.children.length === 0 && e.logical_type === undefined;
  const conv = e.converted_type;
  if (plain && e.type === "BOOLEAN")
    return { field: new arrow.Field(name, new arrow.Bool(), nullable), convert: (v) => v };
  if (plain && e.type === "INT32" && (conv === undefined || conv === "INT_32"))
    return { field: new arrow.Field(name, new arrow.Int32(), nullable), convert: (v) => v };
  if (plain && e.type === "INT64" && (conv === undefined || conv === "INT_64")) {
    return {
      field: new arrow.Field(name, new arrow.Int64(), nullable),
      convert: (v) => (typeof v === "number" ? BigInt(v) : v),
    };
  }
  if (plain && e.type === "FLOAT")
    return { field: new arrow.Field(name, new arrow.Float32(), nullable), convert: (v) => v };
  if (plain && e.type === "DOUBLE")
    return { field: new arrow.Field(name, new arrow.Float64(), nullable), convert: (v) => v };
  return { field: new arrow.Field(name, new arrow.Utf8(), true), convert: toText };
}

function toText(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint" || typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Uint8Array) return Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
  return JSON.stringify(v, (_k, x) =>
    typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? Array.from(x) : x,
  );
}

async function* readBatches(
  parquetReadObjects: typeof import("hyparquet").parquetReadObjects,
  file: InputFile,
  buffer: AsyncBuffer,
  metadata: FileMetaData,
  schema: arrow.Schema,
  converts: Convert[],
  options: ReaderOptions,
): AsyncGenerator<arrow.RecordBatch> {
  const names = schema.fields.map((f) => f.name);
  const builder = new ScalarBatchBuilder(schema);
  const values: unknown[] = new Array(names.length);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd });
    } catch (e) {
      throw new DatasetError(
        "CYXW_ERR_DS_TRUNCATED",
        { file: file.path },
        `cannot read rows ${rowStart}–${rowEnd - 1}: ${(e as Error).message}`,
        { cause: e },
      );
    }
    for (const row of rows) {
      for (let c = 0; c < names.length; c++) values[c] = converts[c]!(row[names[c]!] ?? null);
      builder.append(values);
      if (builder.length >= options.batchRows) yield builder.flush();
    }
    rowStart = rowEnd;
  }
  if (builder.length > 0) yield builder.flush();
}
