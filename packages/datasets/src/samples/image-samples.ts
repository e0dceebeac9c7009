import type * as arrow from "apache-arrow";
import { DEFAULT_LABEL_NAMES } from "../formats/read-samples.js";
import { tensorInfo } from "../formats/tensor-field.js";

/** One image of a table, for painting a thumbnail (pixels row-major, `channels` bytes each). */
export interface ImageSample {
  readonly label: string | null;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly pixels: Uint8Array;
}

/**
 * The first `n` images of a table's image column: a uint8 tensor column of shape [h, w] or
 * [h, w, c] with c 1–4 (the first such column unless `column` names one). Labels come from
 * `labelColumn`, else a column named label/class/target/y. No image column: an empty list.
 */
export function imageSamples(
  table: arrow.Table,
  n: number,
  options: { column?: string; labelColumn?: string } = {},
): ImageSample[] {
  const field = table.schema.fields.find(
    (f) => (options.column === undefined || f.name === options.column) && imageShape(f) !== undefined,
  );
  if (field === undefined) return [];
  const [height, width, channels] = imageShape(field)!;
  const images = table.getChild(field.name)!;
  const labelName =
    options.labelColumn ??
    table.schema.fields.find((f) => (DEFAULT_LABEL_NAMES as readonly string[]).includes(f.name.toLowerCase()))?.name;
  const labels = labelName === undefined ? null : table.getChild(labelName);
  const out: ImageSample[] = [];
  for (let r = 0; r < Math.min(n, table.numRows); r++) {
    const cell = images.get(r) as arrow.Vector | null;
    if (cell === null) continue;
    const label = labels?.get(r);
    out.push({
      label: label === null || label === undefined ? null : String(label),
      width,
      height,
      channels,
      pixels: Uint8Array.from(cell.toArray() as Uint8Array),
    });
  }
  return out;
}

function imageShape(field: arrow.Field): [number, number, number] | undefined {
  const t = tensorInfo(field);
  if (t === undefined || t.dtype !== "uint8") return undefined;
  if (t.shape.length === 2) return [t.shape[0]!, t.shape[1]!, 1];
  if (t.shape.length === 3 && t.shape[2]! >= 1 && t.shape[2]! <= 4) return [t.shape[0]!, t.shape[1]!, t.shape[2]!];
  return undefined;
}
