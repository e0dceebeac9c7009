import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "./build-model.js";
import { initialWeights } from "./initial-weights.js";
import { presetSpec } from "./model-presets.js";
import { setWeights, weightsOf } from "./model-update.js";
import { isTrainingError } from "./training-error.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

async function sha256Hex(values: Float32Array): Promise<string> {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes.slice()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * SHA-256 of the float32 (little-endian) bytes of initialWeights(preset, 10, seed). The same
 * file runs in Node and in Chromium: both must give these digests (weights identical in both).
 */
const PINNED = {
  "mnist-mlp seed 0": "da301f8c6e133423c419493ff006ea7e9caea81597840f23dea41c0a645b7725",
  "mnist-cnn seed 7": "093a9a40eaf192a451c77623abe27526804285f4fcf07daa30e0b81218227100",
};

describe("initialWeights: the deterministic round-0 model", () => {
  it("gives the same bytes for a seed in every runtime (pinned digests), other bytes for another seed", async () => {
    const mlp = presetSpec("mnist-mlp");
    const cnn = presetSpec("mnist-cnn");
    const a = await initialWeights(mlp, 10, 0);
    expect(await sha256Hex(a)).toBe(PINNED["mnist-mlp seed 0"]);
    expect(await sha256Hex(await initialWeights(cnn, 10, 7))).toBe(PINNED["mnist-cnn seed 7"]);
    expect(await initialWeights(mlp, 10, 0)).toEqual(a);
    const b = await initialWeights(mlp, 10, 1);
    expect(b.length).toBe(a.length);
    expect(b).not.toEqual(a);
  });

  it("is laid out as weightsOf gives: Glorot-uniform kernels within their limit, zero biases", async () => {
    const spec = presetSpec("mnist-cnn");
    const w = await initialWeights(spec, 10, 3);
    const model = buildModel(spec, 10);
    setWeights(model, w);
    const { values, layout } = weightsOf(model);
    model.dispose();
    expect(values).toEqual(w);
    let at = 0;
    for (const shape of layout.shapes) {
      const n = shape.reduce((x, y) => x * y, 1);
      const part = w.subarray(at, at + n);
      at += n;
      if (shape.length === 1) {
        expect(part.every((v) => v === 0)).toBe(true);
        continue;
      }
      const receptive = shape.slice(0, -2).reduce((x, y) => x * y, 1);
      const limit = Math.sqrt(6 / ((shape.at(-2)! + shape.at(-1)!) * receptive));
      const max = part.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(max).toBeLessThanOrEqual(limit);
      expect(max).toBeGreaterThan(0.9 * limit);
      // A uniform draw on [-limit, limit] has mean 0 and variance limit²/3.
      const mean = part.reduce((s, v) => s + v, 0) / n;
      const variance = part.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
      expect(Math.abs(mean)).toBeLessThan((4 * limit) / Math.sqrt(3 * n));
      expect(variance / (limit * limit)).toBeGreaterThan(1 / 3 - 0.1);
      expect(variance / (limit * limit)).toBeLessThan(1 / 3 + 0.1);
    }
  });

  it("rejects a seed that is not a non-negative safe integer, and a bad spec, with typed errors", async () => {
    const spec = presetSpec("mnist-mlp");
    for (const seed of [-1, 1.5, Number.NaN, 2 ** 53]) {
      const e = await initialWeights(spec, 10, seed).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isTrainingError(e) && e.code).toBe("CYXW_ERR_TR_BAD_OPTION");
      expect(String(e)).toContain(`seed must be an integer in [0, 2^53), not ${seed}`);
    }
    await expect(initialWeights(spec, 1, 0)).rejects.toThrow("CYXW_ERR_TR_BAD_SPEC: numClasses");
    await expect(initialWeights({ inputShape: [4], layers: [{ type: "dense", units: 0 }] }, 10, 0)).rejects.toThrow(
      "CYXW_ERR_TR_BAD_SPEC: layers[0].units",
    );
  });
});
