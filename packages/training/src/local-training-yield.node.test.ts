import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { separableBatches as batches } from "../test-support/separable-batches.js";
import { buildModel } from "./build-model.js";
import { trainLocal } from "./local-training.js";

// Node only: a page's timers are throttled by the browser itself (a headless test page fires a
// 20 ms interval about once a second), which would say nothing about trainLocal. The daemon is
// where a starved event loop cost heartbeats.

beforeAll(async () => {
  await tf.setBackend("cpu");
});

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
    // Without yielding, the interval could not fire at all until trainLocal returned (0 ticks). It
    // yields every 200 ms, so a second gives several; on a loaded machine timers fire late, so the
    // test asks only for more than one.
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(ticks).toBeGreaterThanOrEqual(2);
  });
});
