import { presetSpec } from "@cyxwiz/training";
import { describe, expect, it } from "vitest";
import { daemonBackendChooser } from "./daemon-backend.js";
import { installNodeWebGpu } from "./node-webgpu.js";

describe("the daemon's backend choice", () => {
  it("auto passes over a missing or software WebGPU adapter, saying why, and trains dense models on wasm", async () => {
    for (const reason of [
      "no WebGPU adapter (no GPU driver Dawn can use)",
      "the WebGPU adapter is a software fallback (swiftshader)",
    ]) {
      const probe = async (allowFallback: boolean) => {
        expect(allowFallback).toBe(false);
        return { usable: false as const, reason };
      };
      const choice = await daemonBackendChooser("auto", probe)(presetSpec("mnist-mlp"));
      expect(choice.backend).toBe("wasm");
      expect(choice.reason).toBe(`webgpu passed over: ${reason}: wasm`);
    }
  });

  it("conv models train on wasm too (with the filter gradient the training package adds)", async () => {
    const probe = async () => ({ usable: false as const, reason: "no WebGPU adapter" });
    const choice = await daemonBackendChooser("auto", probe)(presetSpec("mnist-cnn"));
    expect(choice).toEqual({ backend: "wasm", reason: "webgpu passed over: no WebGPU adapter: wasm" });
  });

  it("an explicit --backend webgpu accepts a software adapter; the probe runs once per daemon", async () => {
    let probes = 0;
    const choose = daemonBackendChooser("webgpu", async (allowFallback) => {
      probes++;
      expect(allowFallback).toBe(true);
      return { usable: false as const, reason: 'the optional "webgpu" package does not load (test)' };
    });
    await choose(presetSpec("mnist-mlp"));
    await choose(presetSpec("mnist-mlp"));
    expect(probes).toBe(1);
  });

  it("the real probe answers with a reason or an adapter, never throws", async () => {
    const found = await installNodeWebGpu(false);
    if (found.usable) expect(found.adapter).not.toBe("");
    else expect(found.reason).toMatch(/webgpu|WebGPU/);
  });
});
