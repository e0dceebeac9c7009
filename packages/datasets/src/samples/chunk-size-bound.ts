import * as arrow from "apache-arrow";

const pad8 = (n: number) => (n + 7) & ~7;

/**
 * An upper bound on the body bytes of an Arrow IPC record batch holding `rows` rows of a column
 * of `type`, with `stringBytes(i)` the UTF-8 bytes of the rows (for the i-th string column met in
 * depth-first order): every buffer padded to 8 bytes as the IPC format does, and a validity bitmap
 * counted for every column (and list child) that `mayHaveNulls` (the writer sends none without
 * nulls), in depth-first order.
 */
export function bodyBound(
  fields: readonly arrow.Field[],
  rows: number,
  stringBytes: readonly number[],
  mayHaveNulls: readonly boolean[],
): number {
  let total = 0;
  let s = 0;
  let v = 0;
  const visit = (type: arrow.DataType, n: number): void => {
    if (mayHaveNulls[v++] !== false) total += pad8(Math.ceil(n / 8));
    if (arrow.DataType.isFixedSizeList(type)) visit(type.children[0]!.type, n * type.listSize);
    else if (arrow.DataType.isUtf8(type)) total += pad8(4 * (n + 1)) + pad8(stringBytes[s++] ?? 0);
    else if (arrow.DataType.isBool(type)) total += pad8(Math.ceil(n / 8));
    else if (arrow.DataType.isInt(type) || arrow.DataType.isFloat(type)) total += pad8(n * byteWidth(type));
    else throw new TypeError(`the Arrow type ${String(type)} is not one the readers produce`);
  };
  for (const f of fields) visit(f.type, rows);
  return total;
}

function byteWidth(type: arrow.Int | arrow.Float): number {
  if (arrow.DataType.isInt(type)) return type.bitWidth / 8;
  return type.precision === arrow.Precision.HALF ? 2 : type.precision === arrow.Precision.SINGLE ? 4 : 8;
}

/** The string columns of a schema (depth-first), whose bytes `bodyBound` needs. */
export function stringColumnIndexes(schema: arrow.Schema): number[] {
  return schema.fields.flatMap((f, i) => (arrow.DataType.isUtf8(f.type) ? [i] : []));
}

/** For each column and list child (depth-first, as `bodyBound` visits them): whether any of the batches has a null there. */
export function nullsPresent(schema: arrow.Schema, batches: readonly arrow.RecordBatch[]): boolean[] {
  const out: boolean[] = [];
  const visit = (datas: arrow.Data[], type: arrow.DataType): void => {
    out.push(datas.some((d) => d.nullCount !== 0));
    if (arrow.DataType.isFixedSizeList(type))
      visit(
        datas.map((d) => d.children[0]!),
        type.children[0]!.type,
      );
  };
  for (const [c, f] of schema.fields.entries()) {
    visit(
      batches.map((b) => b.data.children[c]!),
      f.type,
    );
  }
  return out;
}
