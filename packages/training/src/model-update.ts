import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { TrainingError } from "./training-error.js";

/** Where each weight lives in the flat vector: names and shapes in the model's order. */
export interface WeightLayout {
  readonly names: readonly string[];
  readonly shapes: readonly (readonly number[])[];
}

export interface FlatWeights {
  readonly values: Float32Array;
  readonly layout: WeightLayout;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The layout's total number of values. */
export function layoutSize(layout: WeightLayout): number {
  return layout.shapes.reduce((a, s) => a + sizeOf(s), 0);
}

/** A model's weights as one flat Float32Array, with their layout. */
export function weightsOf(model: tfl.LayersModel): FlatWeights {
  const weights = model.weights;
  const layout = { names: weights.map((w) => w.name), shapes: weights.map((w) => [...w.shape] as number[]) };
  const values = new Float32Array(layoutSize(layout));
  let at = 0;
  for (const w of weights) {
    const data = w.read().dataSync() as Float32Array;
    values.set(data, at);
    at += data.length;
  }
  return { values, layout };
}

/**
 * weightsOf, reading each weight asynchronously: the way to read them on the webgpu backend, whose
 * synchronous reads are slow in a browser and need OffscreenCanvas, which Node lacks.
 */
export async function readWeights(model: tfl.LayersModel): Promise<FlatWeights> {
  const weights = model.weights;
  const layout = { names: weights.map((w) => w.name), shapes: weights.map((w) => [...w.shape] as number[]) };
  const values = new Float32Array(layoutSize(layout));
  let at = 0;
  for (const w of weights) {
    const data = (await w.read().data()) as Float32Array;
    values.set(data, at);
    at += data.length;
  }
  return { values, layout };
}

/**
 * Sets a model's weights from a flat vector laid out as weightsOf gives.
 * @throws TrainingError CYXW_ERR_TR_LAYOUT_MISMATCH when the length differs (the model is unchanged).
 */
export function setWeights(model: tfl.LayersModel, flat: Float32Array): void {
  const weights = model.weights;
  const total = weights.reduce((a, w) => a + sizeOf(w.shape as number[]), 0);
  if (flat.length !== total)
    throw new TrainingError("CYXW_ERR_TR_LAYOUT_MISMATCH", `${flat.length} values for a model of ${total} weights`);
  let at = 0;
  const tensors = weights.map((w) => {
    const n = sizeOf(w.shape as number[]);
    const t = tf.tensor(flat.subarray(at, at + n), w.shape as number[], "float32");
    at += n;
    return t;
  });
  model.setWeights(tensors);
  for (const t of tensors) t.dispose();
}

/** An update: the trained weights minus the global weights they started from. */
export function deltaOf(trained: Float32Array, global: Float32Array): Float32Array {
  if (trained.length !== global.length)
    throw new TrainingError(
      "CYXW_ERR_TR_LAYOUT_MISMATCH",
      `${trained.length} trained values against ${global.length} global`,
    );
  const d = new Float32Array(trained.length);
  for (let i = 0; i < d.length; i++) d[i] = trained[i]! - global[i]!;
  return d;
}

/** The global weights plus an (aggregated) delta. */
export function applyDelta(global: Float32Array, delta: Float32Array): Float32Array {
  if (delta.length !== global.length)
    throw new TrainingError(
      "CYXW_ERR_TR_LAYOUT_MISMATCH",
      `${delta.length} delta values against ${global.length} global`,
    );
  const out = new Float32Array(global.length);
  for (let i = 0; i < out.length; i++) out[i] = global[i]! + delta[i]!;
  return out;
}

export type UpdateEncoding = "float32" | "float16";
const MAGIC = [0x43, 0x57, 0x55, 0x31]; // "CWU1"
const HEADER = 9; // magic, encoding byte (0 float32, 1 float16), count (uint32 LE)

/**
 * An update's bytes: "CWU1", one encoding byte, the count (uint32 LE), then the values as
 * float32 LE or float16 LE (half the size; about 3 significant digits, docs/training.md "Updates").
 */
export function encodeUpdate(delta: Float32Array, encoding: UpdateEncoding = "float32"): Uint8Array {
  const width = encoding === "float32" ? 4 : 2;
  const out = new Uint8Array(HEADER + delta.length * width);
  out.set(MAGIC, 0);
  out[4] = encoding === "float32" ? 0 : 1;
  const view = new DataView(out.buffer);
  view.setUint32(5, delta.length, true);
  for (let i = 0; i < delta.length; i++) {
    if (width === 4) view.setFloat32(HEADER + i * 4, delta[i]!, true);
    else view.setUint16(HEADER + i * 2, toHalf(delta[i]!), true);
  }
  return out;
}

/** The delta of encodeUpdate's bytes. @throws TrainingError CYXW_ERR_TR_BAD_ENCODING naming what is wrong. */
export function decodeUpdate(bytes: Uint8Array): Float32Array {
  const bad = (d: string): never => {
    throw new TrainingError("CYXW_ERR_TR_BAD_ENCODING", d);
  };
  if (bytes.length < HEADER || MAGIC.some((m, i) => bytes[i] !== m)) bad("not an update (no CWU1 header)");
  const kind = bytes[4];
  if (kind !== 0 && kind !== 1) bad(`unknown encoding byte ${kind} at offset 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(5, true);
  const width = kind === 0 ? 4 : 2;
  if (bytes.length !== HEADER + count * width)
    bad(`${bytes.length} bytes for ${count} values of ${width} bytes (expected ${HEADER + count * width})`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++)
    out[i] = width === 4 ? view.getFloat32(HEADER + i * 4, true) : fromHalf(view.getUint16(HEADER + i * 2, true));
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a number, rounded to nearest even; overflow → ±Inf, NaN kept. */
export function toHalf(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  // Rounding may carry into the exponent, up to Inf: still a valid encoding.
  return sign | half;
}

/** The number of binary16 bits. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The L2 norm of a vector. */
export function l2Norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

export type UpdateCheck =
  | { readonly ok: true; readonly norm: number }
  | { readonly ok: false; readonly reason: "non-finite"; readonly index: number }
  | { readonly ok: false; readonly reason: "norm-too-large"; readonly norm: number; readonly maxNorm: number }
  | { readonly ok: false; readonly reason: "wrong-length"; readonly length: number; readonly expected: number };

/**
 * Checks an update before aggregation: the expected length, no NaN or ±Inf (the first index is
 * named), and an L2 norm of at most `maxNorm`.
 */
export function validateUpdate(delta: Float32Array, limits: { maxNorm: number; length?: number }): UpdateCheck {
  if (limits.length !== undefined && delta.length !== limits.length)
    return { ok: false, reason: "wrong-length", length: delta.length, expected: limits.length };
  for (let i = 0; i < delta.length; i++)
    if (!Number.isFinite(delta[i]!)) return { ok: false, reason: "non-finite", index: i };
  const norm = l2Norm(delta);
  if (norm > limits.maxNorm) return { ok: false, reason: "norm-too-large", norm, maxNorm: limits.maxNorm };
  return { ok: true, norm };
}
