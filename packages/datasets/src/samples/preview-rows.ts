import * as arrow from "apache-arrow";
import { shapeText, tensorInfo } from "../formats/tensor-field.js";

/** The first rows of a table as display text: `rows[r][c]` is the cell of column `columns[c]`. */
export interface PreviewRows {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * The first `n` rows as text for a table view: numbers and strings as they are, nulls as `null`,
 * tensors by dtype and shape (`uint8[28×28]`), other lists by length.
 */
export function previewRows(table: arrow.Table, n: number): PreviewRows {
  const fields = table.schema.fields;
  const count = Math.max(0, Math.min(n, table.numRows));
  const formatters = fields.map((f) => formatterOf(f));
  const vectors = fields.map((f) => table.getChild(f.name)!);
  const rows: string[][] = [];
  for (let r = 0; r < count; r++) rows.push(vectors.map((v, c) => formatters[c]!(v.get(r))));
  return { columns: fields.map((f) => f.name), rows };
}

function formatterOf(field: arrow.Field): (v: unknown) => string {
  const tensor = tensorInfo(field);
  if (tensor !== undefined) {
    const text = `${tensor.dtype}[${shapeText(tensor.shape)}]`;
    return (v) => (v === null ? "null" : text);
  }
  if (arrow.DataType.isFixedSizeList(field.type)) {
    const text = `${String(field.type.children[0]!.type).toLowerCase()}[${field.type.listSize}]`;
    return (v) => (v === null ? "null" : text);
  }
  return (v) => (v === null || v === undefined ? "null" : String(v));
}
