import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "./build-model.js";
import { trainLocal } from "./local-training.js";
import type { SampleBatch } from "./sample-batches.js";

// Node only: a page's timers are throttled by the browser itself (a headless test page fires a
// 20 ms interval about once a second), which would say nothing about trainLocal. The daemon is
// where a starved event loop cost heartbeats.

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** Batches of random 4-feature samples. */
function batches(count: number, size: number): SampleBatch[] {
  let s = 7;
  const r = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
  return Array.from({ length: count }, () => {
    const features = Float32Array.from({ length: size * 4 }, r);
    const labels = Int32Array.from({ length: size }, (_, i) => (features[i * 4]! > 0 ? 1 : 0));
    return { features, labels, size, featureSize: 4 };
  });
}

describe("trainLocal and the event loop", () => {
  it("lets timers run while it trains (a worker's heartbeats keep going during a long epoch)", async () => {
    const model = buildModel(
      {
        inputShape: [4],
        layers: [{ type: "dense", units: 256, activation: "relu" }],
        optimizer: "sgd",
        learningRate: 0.01,
      },
      2,
    );
    const data = batches(40, 256);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const started = performance.now();
    // One trainLocal call lasting a second: far past the yield interval.
    function* forASecond() {
      for (let i = 0; performance.now() - started < 1000; i++) yield data[i % data.length]!;
    }
    try {
      await trainLocal(model, forASecond);
    } finally {
      clearInterval(timer);
    }
    const seconds = (performance.now() - started) / 1000;
    // Without yielding, the interval could not fire at all until trainLocal returned.
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(seconds / 0.2) - 1);
  });
});
