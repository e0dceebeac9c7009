import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { type BackendSwitch, chooseBackend } from "./backend-choice.js";
import type { BackendName } from "./backend-names.js";
import { presetSpec } from "./model-presets.js";

/** A switch where only `working` backends initialise; `lying` ones return true but stay inactive. */
function fakeSwitch(working: BackendName[], lying: BackendName[] = []): BackendSwitch & { tried: string[] } {
  let active = "cpu";
  const tried: string[] = [];
  return {
    tried,
    setBackend: async (name) => {
      tried.push(name);
      if (working.includes(name)) active = name;
      return working.includes(name) || lying.includes(name);
    },
    getBackend: () => active,
  };
}

describe("chooseBackend: webgpu → wasm → cpu", () => {
  const mlp = presetSpec("mnist-mlp");
  const cnn = presetSpec("mnist-cnn");

  it("takes the first backend that initialises, saying why it passed over the others", async () => {
    expect(await chooseBackend("auto", mlp, fakeSwitch(["webgpu", "wasm", "cpu"]))).toEqual({
      backend: "webgpu",
      reason: "webgpu",
    });
    expect(await chooseBackend("auto", mlp, fakeSwitch(["wasm", "cpu"]))).toEqual({
      backend: "wasm",
      reason: "webgpu did not initialise: wasm",
    });
  });

  it("passes over wasm for a conv model", async () => {
    const s = fakeSwitch(["wasm", "cpu"]);
    expect(await chooseBackend("wasm", cnn, s)).toEqual({
      backend: "cpu",
      reason: "wasm cannot train conv layers in TF.js 4.22: cpu",
    });
    expect(s.tried).toEqual(["cpu"]);
  });

  it("does not trust setBackend's true when getBackend names another backend", async () => {
    const choice = await chooseBackend("auto", mlp, fakeSwitch(["cpu"], ["webgpu", "wasm"]));
    expect(choice.backend).toBe("cpu");
    expect(choice.reason).toBe(
      "webgpu did not initialise (active backend is cpu): wasm did not initialise (active backend is cpu): cpu",
    );
  });

  it("starts at the preference", async () => {
    expect((await chooseBackend("cpu", mlp, fakeSwitch(["webgpu", "wasm", "cpu"]))).backend).toBe("cpu");
  });
});

describe("chooseBackend with TensorFlow.js's own backends", () => {
  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it("leaves the chosen backend active, and never picks wasm for a conv model", async () => {
    const mlp = await chooseBackend("auto", presetSpec("mnist-mlp"));
    expect(tf.getBackend()).toBe(mlp.backend);
    expect(mlp.reason.endsWith(mlp.backend)).toBe(true);
    console.log(`backend for mnist-mlp: ${mlp.reason}`);
    const cnn = await chooseBackend("wasm", presetSpec("mnist-cnn"));
    expect(cnn).toEqual({ backend: "cpu", reason: "wasm cannot train conv layers in TF.js 4.22: cpu" });
    expect(tf.getBackend()).toBe("cpu");
  });
});
