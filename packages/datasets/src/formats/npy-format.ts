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
import { extensionOf, MAGIC, startsWith } from "./sniff.js";
import { batchOf, TENSOR_DTYPES, type TensorDtype, tensorData, tensorField } from "./tensor-field.js";

/** NumPy `descr` codes this reader takes (little-endian or byte-order-free), by dtype. */
const DESCR: Readonly<Record<string, TensorDtype | "bool">> = {
  "|u1": "uint8",
  "|i1": "int8",
  "<u2": "uint16",
  "<i2": "int16",
  "<u4": "uint32",
  "<i4": "int32",
  "<u8": "uint64",
  "<i8": "int64",
  "<f4": "float32",
  "<f8": "float64",
  "|b1": "bool",
};

const ARRAYS = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  uint64: BigUint64Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

interface NpyHeader {
  dtype: TensorDtype | "bool";
  itemSize: number;
  shape: number[];
  dataOffset: number;
}

/** Names a labels `.npy` goes by (its stem): `y.npy`, `labels.npy`, `train_labels.npy`. */
const LABEL_STEM = /(^|[_-])(y|labels?|targets?|class(es)?)$/i;

/**
 * NumPy `.npy` (format versions 1–3): the first axis is the sample axis. An array of shape (N,)
 * is a scalar column; (N, d1, d2, ...) is a tensor column of shape [d1, d2, ...]. The column is
 * named after the file (`x.npy` → `x`). A second `.npy` with the same N is the labels: the one
 * whose name is y/label(s)/target(s)/class(es), or else the one-dimensional one; it becomes a
 * scalar `label` column. Read `batchRows` samples at a time straight from the file.
 */
export const npyFormat: FormatReader = {
  name: "npy",
  detect(heads: readonly FileHead[]) {
    if (heads.length === 0 || heads.length > 2) return NOT_MINE;
    if (heads.every((h) => startsWith(h.head, MAGIC.npy))) return BY_CONTENT;
    return heads.every((h) => extensionOf(h.path) === "npy") ? BY_EXTENSION : NOT_MINE;
  },
  async read(files: readonly InputFile[], options: ReaderOptions) {
    if (files.length === 0 || files.length > 2) {
      throw new DatasetError(
        "CYXW_ERR_DS_BAD_OPTION",
        {},
        `npy reads one data file and an optional labels file; got ${files.length}`,
      );
    }
    const headers = await Promise.all(files.map(readHeader));
    let dataIndex = 0;
    let labelIndex: number | undefined;
    if (files.length === 2) {
      const named = files.map((f) => LABEL_STEM.test(stem(f.path)));
      const oneD = headers.map((h) => h.shape.length === 1);
      if (named[0] !== named[1]) labelIndex = named[0] ? 0 : 1;
      else if (oneD[0] !== oneD[1]) labelIndex = oneD[0] ? 0 : 1;
      else
        throw new DatasetError(
          "CYXW_ERR_DS_BAD_OPTION",
          {},
          "of two .npy files, name the labels file y.npy or labels.npy",
        );
      dataIndex = 1 - labelIndex;
      const [d, l] = [headers[dataIndex]!, headers[labelIndex]!];
      if (l.shape.length !== 1) {
        throw new DatasetError(
          "CYXW_ERR_DS_BAD_HEADER",
          { file: files[labelIndex]!.path },
          `labels must be one-dimensional; shape is (${l.shape.join(", ")})`,
        );
      }
      if (d.shape[0] !== l.shape[0]) {
        throw new DatasetError(
          "CYXW_ERR_DS_COUNT_MISMATCH",
          { file: files[labelIndex]!.path },
          `${files[dataIndex]!.path} holds ${d.shape[0]} samples but ${files[labelIndex]!.path} holds ${l.shape[0]} labels`,
        );
      }
    }
    const parts = [{ file: files[dataIndex]!, header: headers[dataIndex]!, name: columnName(files[dataIndex]!.path) }];
    if (labelIndex !== undefined) parts.push({ file: files[labelIndex]!, header: headers[labelIndex]!, name: "label" });
    const fields = parts.map((p) => fieldOf(p.name, p.header));
    const schema = new arrow.Schema(fields);
    const total = parts.reduce((a, p) => a + p.file.source.size, 0);
    const progress = new ProgressCounter(total, options.onProgress);
    return {
      schema,
      ...(labelIndex !== undefined ? { naturalLabel: "label" } : {}),
      batches: readBatches(schema, parts, options.batchRows, progress),
    };
  },
};

function stem(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return base.replace(/\.npy$/i, "");
}

function columnName(path: string): string {
  const s = stem(path);
  return s === "" || s === "label" ? "x" : s;
}

function fieldOf(name: string, h: NpyHeader): arrow.Field {
  if (h.shape.length === 1) {
    return new arrow.Field(name, h.dtype === "bool" ? new arrow.Bool() : TENSOR_DTYPES[h.dtype](), false);
  }
  if (h.dtype === "bool") return tensorField(name, "uint8", h.shape.slice(1));
  return tensorField(name, h.dtype, h.shape.slice(1));
}

async function readHeader(file: InputFile): Promise<NpyHeader> {
  const place = { file: file.path };
  if (file.source.size === 0) throw new DatasetError("CYXW_ERR_DS_EMPTY", place, "the file is empty");
  const pre = await file.source.read(0, 12);
  if (!startsWith(pre, MAGIC.npy))
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_HEADER",
      { ...place, byteOffset: 0 },
      "not a .npy file (no \\x93NUMPY magic)",
    );
  if (pre.length < 10) throw new DatasetError("CYXW_ERR_DS_TRUNCATED", place, "the file ends inside its header");
  const major = pre[6]!;
  const view = new DataView(pre.buffer, pre.byteOffset, pre.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3)
    throw new DatasetError(
      "CYXW_ERR_DS_UNSUPPORTED",
      { ...place, byteOffset: 6 },
      `.npy format version ${major} is not supported (1–3 are)`,
    );
  if (pre.length < 8 + lenBytes)
    throw new DatasetError("CYXW_ERR_DS_TRUNCATED", place, "the file ends inside its header");
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lenBytes + headerLen;
  if (dataOffset > file.source.size)
    throw new DatasetError("CYXW_ERR_DS_TRUNCATED", place, `the header claims ${headerLen} bytes; the file is shorter`);
  const dict = new TextDecoder().decode(await file.source.read(8 + lenBytes, headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(dict)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_HEADER",
      { ...place, byteOffset: 8 + lenBytes },
      `cannot read the header ${JSON.stringify(dict.trim())}`,
    );
  }
  const dtype = DESCR[descr];
  if (dtype === undefined)
    throw new DatasetError(
      "CYXW_ERR_DS_UNSUPPORTED",
      place,
      `dtype '${descr}' is not supported (${Object.keys(DESCR).join(" ")})`,
    );
  if (fortran === "True")
    throw new DatasetError(
      "CYXW_ERR_DS_UNSUPPORTED",
      place,
      "Fortran-order arrays are not supported; save with np.ascontiguousarray",
    );
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(Number);
  if (shape.length === 0 || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new DatasetError("CYXW_ERR_DS_BAD_HEADER", place, `shape (${shapeText}) has no sample axis`);
  }
  const itemSize = dtype === "bool" ? 1 : ARRAYS[dtype].BYTES_PER_ELEMENT;
  const expected = shape.reduce((a, b) => a * b, 1) * itemSize;
  if (dataOffset + expected > file.source.size) {
    throw new DatasetError(
      "CYXW_ERR_DS_TRUNCATED",
      { ...place, byteOffset: file.source.size },
      `shape (${shape.join(", ")}) of ${descr} needs ${expected} data bytes; the file holds ${file.source.size - dataOffset}`,
    );
  }
  if (shape[0] === 0) throw new DatasetError("CYXW_ERR_DS_EMPTY", place, "the array holds no samples");
  return { dtype, itemSize, shape, dataOffset };
}

async function* readBatches(
  schema: arrow.Schema,
  parts: { file: InputFile; header: NpyHeader }[],
  batchRows: number,
  progress: ProgressCounter,
): AsyncGenerator<arrow.RecordBatch> {
  const n = parts[0]!.header.shape[0]!;
  for (let start = 0; start < n; start += batchRows) {
    const rows = Math.min(batchRows, n - start);
    const children: arrow.Data[] = [];
    for (let p = 0; p < parts.length; p++) {
      const { file, header } = parts[p]!;
      const rowBytes = header.shape.slice(1).reduce((a, b) => a * b, 1) * header.itemSize;
      const bytes = await readExactly(file, header.dataOffset + start * rowBytes, rows * rowBytes);
      progress.add(bytes.length);
      const field = schema.fields[p]!;
      const values =
        header.dtype === "bool"
          ? bytes
          : new ARRAYS[header.dtype](bytes.buffer as ArrayBuffer, 0, bytes.length / header.itemSize);
      if (header.shape.length > 1) children.push(tensorData(field, rows, values));
      else if (header.dtype === "bool") children.push(boolData(bytes));
      else children.push(arrow.makeData({ type: field.type, length: rows, nullCount: 0, data: values } as never));
    }
    yield batchOf(schema, rows, children);
  }
}

/** A fresh, aligned copy of `length` bytes at `offset`. */
async function readExactly(file: InputFile, offset: number, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const part = await file.source.read(offset + done, length - done);
    if (part.length === 0)
      throw new DatasetError(
        "CYXW_ERR_DS_TRUNCATED",
        { file: file.path, byteOffset: offset + done },
        "the file ended early",
      );
    out.set(part, done);
    done += part.length;
  }
  return out;
}

function boolData(bytes: Uint8Array): arrow.Data {
  const bits = new Uint8Array(Math.ceil(bytes.length / 8));
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) bits[i >> 3]! |= 1 << (i & 7);
  return arrow.makeData({ type: new arrow.Bool(), length: bytes.length, nullCount: 0, data: bits });
}
