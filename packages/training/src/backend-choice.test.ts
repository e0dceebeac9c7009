import * as tf from "@tensorflow/tfjs-core";
import { afterAll, describe, expect, it } from "vitest";
import { type BackendSwitch, chooseBackend } from "./backend-choice.js";
import type { BackendName } from "./backend-names.js";
import { presetSpec } from "./model-presets.js";

/** A switch where only `working` backends initialise; `lying` ones return true but stay inactive. */
function fakeSwitch(
  working: BackendName[],
  lying: BackendName[] = [],
  wasmConv = true,
): BackendSwitch & { tried: string[] } {
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
    wasmTrainsConv: () => wasmConv,
  };
}

describe("chooseBackend: webgpu → wasm → cpu", () => {
  const mlp = presetSpec("mnist-mlp");
  const cnn = presetSpec("mnist-cnn");

  it("takes the first backend that initialises, saying why it passed over the others", async () => {
    expect(await chooseBackend("auto", mlp, fakeSwitch(["webgpu", "wasm", "cpu"]))).toEqual({
      backend: "webgpu",
      reason: "the first choice (webgpu, wasm, cpu), and it started",
    });
    expect(await chooseBackend("auto", mlp, fakeSwitch(["wasm", "cpu"]))).toEqual({
      backend: "wasm",
      reason: "webgpu did not initialise: wasm",
    });
  });

  it("takes wasm for a conv model once it has the filter gradient, and passes it over without", async () => {
    expect(await chooseBackend("wasm", cnn, fakeSwitch(["wasm", "cpu"]))).toEqual({
      backend: "wasm",
      reason: "as asked, and it started",
    });
    const s = fakeSwitch(["wasm", "cpu"], [], false);
    expect(await chooseBackend("wasm", cnn, s)).toEqual({
      backend: "cpu",
      reason: "wasm cannot train conv layers (no Conv2DBackpropFilter kernel): cpu",
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

  it("leaves the chosen backend active, and gives wasm the filter gradient for a conv model", async () => {
    const mlp = await chooseBackend("auto", presetSpec("mnist-mlp"));
    expect(tf.getBackend()).toBe(mlp.backend);
    expect(mlp.reason.endsWith(mlp.backend) || mlp.reason.startsWith("the first choice")).toBe(true);
    console.log(`backend for mnist-mlp: ${mlp.reason}`);
    // wasm may not initialise where its .wasm files are not served (Node without useNodeWasmFiles).
    const cnn = await chooseBackend("wasm", presetSpec("mnist-cnn"));
    expect(tf.getBackend()).toBe(cnn.backend);
    expect(cnn.reason).not.toMatch(/cannot train conv/);
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
  });
});
