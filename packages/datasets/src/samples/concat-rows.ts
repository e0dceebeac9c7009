import * as arrow from "apache-arrow";

/**
 * One record batch holding the rows of several (sliced) batches of one schema, in fresh buffers
 * that start at offset 0, so the IPC bytes written for it depend only on the rows, never on how
 * the reader happened to batch or slice them. Handles the types the readers produce: integers,
 * floats, Bool, Utf8 and fixed-size lists of those (tensors).
 */
export function concatRows(schema: arrow.Schema, parts: readonly arrow.RecordBatch[]): arrow.RecordBatch {
  const length = parts.reduce((a, p) => a + p.numRows, 0);
  const children = schema.fields.map((_f, c) =>
    concatData(
      schema.fields[c]!.type,
      parts.map((p) => p.data.children[c]!),
    ),
  );
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length, nullCount: 0, children });
  return new arrow.RecordBatch(schema, data);
}

function concatData(type: arrow.DataType, parts: readonly arrow.Data[]): arrow.Data {
  const length = parts.reduce((a, p) => a + p.length, 0);
  const nullCount = parts.reduce((a, p) => a + p.nullCount, 0);
  const nullBitmap = nullCount > 0 ? validity(parts, length) : undefined;
  const base = { type, length, nullCount, ...(nullBitmap !== undefined ? { nullBitmap } : {}) };
  if (arrow.DataType.isFixedSizeList(type)) {
    const child = concatData(
      type.children[0]!.type,
      parts.map((p) => p.children[0]!),
    );
    return arrow.makeData({ ...base, type, child });
  }
  if (arrow.DataType.isUtf8(type)) {
    let bytes = 0;
    for (const p of parts) bytes += p.valueOffsets[p.length]! - p.valueOffsets[0]!;
    const valueOffsets = new Int32Array(length + 1);
    const data = new Uint8Array(bytes);
    let row = 0;
    let at = 0;
    for (const p of parts) {
      const o = p.valueOffsets;
      const start = o[0]!;
      for (let i = 1; i <= p.length; i++) valueOffsets[row + i] = at + o[i]! - start;
      data.set(p.values.subarray(start, o[p.length]!), at);
      at += o[p.length]! - start;
      row += p.length;
    }
    return arrow.makeData({ ...base, type, valueOffsets, data });
  }
  if (arrow.DataType.isBool(type)) {
    const bits = new Uint8Array(Math.ceil(length / 8));
    let row = 0;
    for (const p of parts) {
      const v = p.values as Uint8Array;
      for (let i = 0; i < p.length; i++, row++) {
        const b = p.offset + i;
        if ((v[b >> 3]! >> (b & 7)) & 1) bits[row >> 3]! |= 1 << (row & 7);
      }
    }
    return arrow.makeData({ ...base, type, data: bits });
  }
  if (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type)) {
    const first = parts[0]!.values as Uint8Array;
    const Ctor = first.constructor as new (n: number) => Uint8Array;
    const out = new Ctor(length * parts[0]!.stride);
    let at = 0;
    for (const p of parts) {
      const v = (p.values as Uint8Array).subarray(0, p.length * p.stride);
      out.set(v, at);
      at += v.length;
    }
    return arrow.makeData({ ...base, type, data: out } as never);
  }
  throw new TypeError(`concatRows: the Arrow type ${String(type)} is not one the readers produce`);
}

function validity(parts: readonly arrow.Data[], length: number): Uint8Array {
  const bits = new Uint8Array(Math.ceil(length / 8));
  let row = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++, row++) if (p.getValid(i)) bits[row >> 3]! |= 1 << (row & 7);
  }
  return bits;
}
