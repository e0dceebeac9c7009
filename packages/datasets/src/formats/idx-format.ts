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
import { MAGIC, startsWith } from "./sniff.js";
import { batchOf, TENSOR_DTYPES, type TensorDtype, tensorData, tensorField } from "./tensor-field.js";
import { maybeGunzip, readWholeFile } from "./whole-file.js";

/** IDX element types (the magic's third byte); multi-byte values are big-endian in the file. */
const IDX_TYPES: Readonly<Record<number, { dtype: TensorDtype; size: number }>> = {
  8: { dtype: "uint8", size: 1 },
  9: { dtype: "int8", size: 1 },
  11: { dtype: "int16", size: 2 },
  12: { dtype: "int32", size: 4 },
  13: { dtype: "float32", size: 4 },
  14: { dtype: "float64", size: 8 },
};

interface IdxArray {
  file: InputFile;
  dtype: TensorDtype;
  size: number;
  dims: number[];
  /** The values in host (little-endian) order. */
  values: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/**
 * MNIST's IDX format: an images file (magic 0x00000803: N × rows × cols) and an optional labels
 * file (0x00000801: N), each gzipped or not (fflate), given together in either order. Images
 * become one tensor column `image` (shape [rows, cols], the file's dtype), labels a `label`
 * column of that dtype (Uint8 for MNIST). Files are read whole (MNIST's largest is 47 MB raw).
 */
export const idxFormat: FormatReader = {
  name: "idx",
  detect(heads: readonly FileHead[]) {
    if (heads.length === 0 || heads.length > 2) return NOT_MINE;
    // Gzipped files cannot be told from their first bytes without inflating: the name decides.
    if (heads.every((h) => isIdxMagic(h.head))) return BY_CONTENT;
    const named = heads.every(
      (h) =>
        /idx\d-ubyte(\.gz)?$|\.idx\d?(\.gz)?$/i.test(h.path) && (isIdxMagic(h.head) || startsWith(h.head, MAGIC.gzip)),
    );
    return named ? BY_EXTENSION + 0.5 : NOT_MINE;
  },
  async read(files: readonly InputFile[], options: ReaderOptions) {
    if (files.length === 0 || files.length > 2) {
      throw new DatasetError(
        "CYXW_ERR_DS_BAD_OPTION",
        {},
        `idx reads an images file and an optional labels file; got ${files.length}`,
      );
    }
    const progress = new ProgressCounter(
      files.reduce((a, f) => a + f.source.size, 0),
      options.onProgress,
    );
    const arrays: IdxArray[] = [];
    for (const f of files)
      arrays.push(parseIdx(f, maybeGunzip(f, await readWholeFile(f, options.limits, progress), options.limits)));
    const images = arrays.find((a) => a.dims.length >= 2) ?? arrays.find((a) => a.dims.length === 1);
    const labels = arrays.find((a) => a !== images && a.dims.length === 1);
    if (images === undefined || (arrays.length === 2 && labels === undefined)) {
      throw new DatasetError(
        "CYXW_ERR_DS_BAD_OPTION",
        {},
        "give one images file (3 dimensions) and one labels file (1 dimension)",
      );
    }
    if (labels !== undefined && labels.dims[0] !== images.dims[0]) {
      throw new DatasetError(
        "CYXW_ERR_DS_COUNT_MISMATCH",
        { file: labels.file.path },
        `${images.file.path} holds ${images.dims[0]} images but ${labels.file.path} holds ${labels.dims[0]} labels`,
      );
    }
    const fields = [
      images.dims.length >= 2
        ? tensorField("image", images.dtype, images.dims.slice(1))
        : new arrow.Field("value", TENSOR_DTYPES[images.dtype](), false),
    ];
    if (labels !== undefined) fields.push(new arrow.Field("label", TENSOR_DTYPES[labels.dtype](), false));
    const schema = new arrow.Schema(fields);
    return {
      schema,
      ...(labels !== undefined ? { naturalLabel: "label" } : {}),
      batches: batches(schema, images, labels, options.batchRows),
    };
  },
};

function isIdxMagic(head: Uint8Array): boolean {
  return (
    head.length >= 4 &&
    head[0] === 0 &&
    head[1] === 0 &&
    IDX_TYPES[head[2]!] !== undefined &&
    head[3]! >= 1 &&
    head[3]! <= 4
  );
}

function parseIdx(file: InputFile, bytes: Uint8Array): IdxArray {
  const place = { file: file.path };
  if (bytes.length < 4 || !isIdxMagic(bytes)) {
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_HEADER",
      { ...place, byteOffset: 0 },
      "not an IDX file (the magic must be 0x000008TT with TT a type code and 1–4 dimensions)",
    );
  }
  const type = IDX_TYPES[bytes[2]!]!;
  const ndims = bytes[3]!;
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen)
    throw new DatasetError("CYXW_ERR_DS_TRUNCATED", place, "the file ends inside its header");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const dataBytes = bytes.length - headerLen;
  if (count * type.size !== dataBytes) {
    throw new DatasetError(
      "CYXW_ERR_DS_BAD_HEADER",
      { ...place, byteOffset: 4 },
      `the header declares ${dims.join(" × ")} ${type.dtype} values (${count * type.size} bytes) but the file holds ${dataBytes} data bytes`,
    );
  }
  if (dims[0] === 0) throw new DatasetError("CYXW_ERR_DS_EMPTY", place, "the file declares 0 samples");
  const body = bytes.slice(headerLen);
  let values: IdxArray["values"];
  switch (type.dtype) {
    case "uint8":
      values = body;
      break;
    case "int8":
      values = new Int8Array(body.buffer);
      break;
    default: {
      const out = new (
        type.dtype === "int16"
          ? Int16Array
          : type.dtype === "int32"
            ? Int32Array
            : type.dtype === "float32"
              ? Float32Array
              : Float64Array
      )(count);
      const outView = new DataView(out.buffer);
      const inView = new DataView(body.buffer);
      for (let i = 0; i < count; i++) {
        const o = i * type.size;
        if (type.size === 2) outView.setInt16(o, inView.getInt16(o, false), true);
        else if (type.dtype === "int32") outView.setInt32(o, inView.getInt32(o, false), true);
        else if (type.dtype === "float32") outView.setFloat32(o, inView.getFloat32(o, false), true);
        else outView.setFloat64(o, inView.getFloat64(o, false), true);
      }
      values = out;
    }
  }
  return { file, dtype: type.dtype, size: type.size, dims, values };
}

async function* batches(
  schema: arrow.Schema,
  images: IdxArray,
  labels: IdxArray | undefined,
  batchRows: number,
): AsyncGenerator<arrow.RecordBatch> {
  const n = images.dims[0]!;
  const per = images.dims.slice(1).reduce((a, b) => a * b, 1);
  for (let start = 0; start < n; start += batchRows) {
    const rows = Math.min(batchRows, n - start);
    const imageValues = images.values.subarray(start * per, (start + rows) * per);
    const children = [
      images.dims.length >= 2
        ? tensorData(schema.fields[0]!, rows, imageValues)
        : arrow.makeData({ type: schema.fields[0]!.type, length: rows, nullCount: 0, data: imageValues } as never),
    ];
    if (labels !== undefined) {
      children.push(
        arrow.makeData({
          type: schema.fields[1]!.type,
          length: rows,
          nullCount: 0,
          data: labels.values.subarray(start, start + rows),
        } as never),
      );
    }
    yield batchOf(schema, rows, children);
  }
}
