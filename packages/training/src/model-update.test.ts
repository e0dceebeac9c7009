import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "./build-model.js";
import { presetSpec } from "./model-presets.js";
import {
  applyDelta,
  decodeUpdate,
  deltaOf,
  encodeUpdate,
  fromHalf,
  layoutSize,
  setWeights,
  toHalf,
  validateUpdate,
  weightsOf,
} from "./model-update.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("model updates: flat weights, deltas, encoding and checks", () => {
  it("weightsOf and setWeights round-trip a model's weights through one flat vector with its layout", () => {
    const a = buildModel(presetSpec("mnist-mlp"), 10);
    const b = buildModel(presetSpec("mnist-mlp"), 10);
    const wa = weightsOf(a);
    expect(wa.layout.shapes).toEqual([[784, 128], [128], [128, 10], [10]]);
    expect(wa.values.length).toBe(layoutSize(wa.layout));
    expect(wa.values.length).toBe(784 * 128 + 128 + 128 * 10 + 10);
    expect(weightsOf(b).values).not.toEqual(wa.values);
    setWeights(b, wa.values);
    expect(weightsOf(b).values).toEqual(wa.values);
    expect(() => setWeights(b, new Float32Array(5))).toThrow(/CYXW_ERR_TR_LAYOUT_MISMATCH: 5 values/);
    expect(weightsOf(b).values).toEqual(wa.values);
    a.dispose();
    b.dispose();
  });

  it("a delta applied to the global weights gives the trained weights", () => {
    const global = Float32Array.of(1, 2, 3);
    const trained = Float32Array.of(1.5, 1, 3.25);
    expect([...deltaOf(trained, global)]).toEqual([0.5, -1, 0.25]);
    expect([...applyDelta(global, deltaOf(trained, global))]).toEqual([...trained]);
  });

  it("encodes float32 exactly and float16 in half the bytes within its precision; bad bytes are typed errors", () => {
    const delta = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 0.01 * (i % 7));
    const bytes = encodeUpdate(delta);
    expect(bytes.length).toBe(9 + 4000);
    expect(decodeUpdate(bytes)).toEqual(delta);
    const half = encodeUpdate(delta, "float16");
    expect(half.length).toBe(9 + 2000);
    const back = decodeUpdate(half);
    for (let i = 0; i < delta.length; i++)
      expect(Math.abs(back[i]! - delta[i]!)).toBeLessThanOrEqual(Math.abs(delta[i]!) * 1e-3 + 1e-7);
    expect(() => decodeUpdate(bytes.subarray(0, 100))).toThrow(/CYXW_ERR_TR_BAD_ENCODING: 100 bytes/);
    expect(() => decodeUpdate(Uint8Array.of(1, 2, 3))).toThrow(/CWU1/);
  });

  it("float16 conversion matches IEEE binary16 at its edges", () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(1e6)).toBe(0x7c00);
    expect(fromHalf(toHalf(2 ** -24))).toBe(2 ** -24);
    expect(Number.isNaN(fromHalf(toHalf(Number.NaN)))).toBe(true);
    expect(fromHalf(toHalf(0.1))).toBeCloseTo(0.1, 4);
  });

  it("validateUpdate rejects NaN, Inf, an outlying norm and a wrong length, with the reason", () => {
    expect(validateUpdate(Float32Array.of(3, 4), { maxNorm: 5 })).toEqual({ ok: true, norm: 5 });
    expect(validateUpdate(Float32Array.of(0, Number.NaN), { maxNorm: 5 })).toEqual({
      ok: false,
      reason: "non-finite",
      index: 1,
    });
    expect(validateUpdate(Float32Array.of(Number.POSITIVE_INFINITY), { maxNorm: 5 })).toMatchObject({
      reason: "non-finite",
      index: 0,
    });
    expect(validateUpdate(Float32Array.of(30, 40), { maxNorm: 5 })).toEqual({
      ok: false,
      reason: "norm-too-large",
      norm: 50,
      maxNorm: 5,
    });
    expect(validateUpdate(Float32Array.of(1), { maxNorm: 5, length: 2 })).toMatchObject({ reason: "wrong-length" });
  });
});
