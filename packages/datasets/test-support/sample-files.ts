import { bytesByteSource } from "@cyxwiz/protocol/chunk";
import type * as arrow from "apache-arrow";
import type { InputFile } from "../src/samples/input-file.js";

/** Test files in memory: runs in Node and Chromium alike. */
export function memoryFile(path: string, content: Uint8Array | string): InputFile {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  return { path, source: bytesByteSource(bytes) };
}

/** All the batches of an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

/** The rows of batches as plain objects (`batch.get(i).toJSON()`). */
export function rowsOf(batches: readonly arrow.RecordBatch[]): Record<string, unknown>[] {
  return batches.flatMap((b) =>
    Array.from({ length: b.numRows }, (_, i) => b.get(i)!.toJSON() as Record<string, unknown>),
  );
}

/** A NumPy .npy file (format 1.0) of `values` with `descr` and `shape`. */
export function npyBytes(
  descr: string,
  shape: readonly number[],
  values: ArrayBufferView,
  fortran = false,
): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${shapeText}, }`;
  const total = 10 + dict.length + 1;
  dict += `${" ".repeat((64 - (total % 64)) % 64)}\n`;
  const header = new TextEncoder().encode(dict);
  const out = new Uint8Array(10 + header.length + values.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(header, 10);
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 10 + header.length);
  return out;
}

/** An IDX file of uint8 values: magic 0x000008NN then the dimensions (big-endian). */
export function idxBytes(dims: readonly number[], values: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 0x08, dims.length]);
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  out.set(values, 4 + 4 * dims.length);
  return out;
}

/** A deterministic pseudo-random generator (mulberry32), so generated files are the same everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A CSV of `rows` rows (same bytes everywhere): an integer id, a float, a bool, a text column
 * with quoted commas and some empty cells (nulls), and a `label` of 5 classes.
 */
export function generatedCsv(rows: number, seed = 1): string {
  const rand = seededRandom(seed);
  const lines = ["id,score,flag,note,label"];
  for (let i = 0; i < rows; i++) {
    const score = (rand() * 200 - 100).toFixed(4);
    const flag = rand() < 0.5 ? "true" : "false";
    const r = rand();
    const note = r < 0.1 ? "" : r < 0.2 ? `"word, ${i}"` : `note ${Math.floor(rand() * 1000)} é`;
    lines.push(`${i},${score},${flag},${note},c${Math.floor(rand() * 5)}`);
  }
  return `${lines.join("\n")}\n`;
}
