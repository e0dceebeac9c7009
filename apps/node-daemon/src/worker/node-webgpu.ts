/**
 * WebGPU for the daemon (docs/node-daemon.md "Backends"): Node has no `navigator.gpu`, so the
 * optional `webgpu` npm package (Dawn) provides one. TensorFlow.js's WebGPU backend then trains
 * on the machine's GPU. A software adapter (SwiftShader, `isFallbackAdapter`) is no faster than
 * the CPU — WASM beats it ten to one here (MACHINE-NOTES) — so `auto` passes over it and only an
 * explicit `--backend webgpu` uses one.
 */

import { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import * as tf from "@tensorflow/tfjs-core";

/** What was found, and why it will or will not be used. */
export type NodeWebGpu =
  | { readonly usable: true; readonly adapter: string }
  | { readonly usable: false; readonly reason: string };

interface GpuAdapterLike {
  readonly isFallbackAdapter?: boolean;
  readonly limits: Record<string, number>;
  requestDevice(descriptor: object): Promise<unknown>;
  readonly info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

interface WebGpuModule {
  create(flags: string[]): { requestAdapter(): Promise<GpuAdapterLike | null> };
  globals: Record<string, unknown>;
}

/**
 * Loads the `webgpu` package, asks for an adapter and, when one is usable, installs
 * `navigator.gpu` and the WebGPU constants globally so `@tensorflow/tfjs-backend-webgpu` finds
 * them. Never throws: a missing package or adapter is a reason, logged by the caller.
 * @param allowFallback use a software (fallback) adapter too (`--backend webgpu`).
 */
export async function installNodeWebGpu(allowFallback: boolean): Promise<NodeWebGpu> {
  let mod: WebGpuModule;
  try {
    mod = (await import("webgpu")) as unknown as WebGpuModule;
  } catch (e) {
    return {
      usable: false,
      reason: `the optional "webgpu" package does not load (${(e as Error).message.split("\n")[0]})`,
    };
  }
  let adapter: GpuAdapterLike | null;
  let gpu: ReturnType<WebGpuModule["create"]>;
  try {
    gpu = mod.create([]);
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { usable: false, reason: `WebGPU did not start (${(e as Error).message.split("\n")[0]})` };
  }
  if (adapter === null) return { usable: false, reason: "no WebGPU adapter (no GPU driver Dawn can use)" };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter((x) => x !== undefined && x !== "").join(" ");
  const fallback = adapter.isFallbackAdapter ?? info.isFallbackAdapter ?? false;
  if (fallback && !allowFallback)
    return { usable: false, reason: `the WebGPU adapter is a software fallback (${name}), slower than wasm` };
  Object.assign(globalThis, mod.globals);
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav === undefined) Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true });
  else Object.defineProperty(nav, "gpu", { value: gpu, configurable: true });
  // The backend package registers itself only when navigator.gpu existed as it loaded, which in
  // Node it did not: register it here on the adapter found, with the limits it asks for.
  if (tf.findBackendFactory("webgpu") === null) {
    const found = adapter;
    tf.registerBackend(
      "webgpu",
      async () => {
        const l = found.limits;
        const device = await found.requestDevice({
          requiredLimits: {
            maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
            maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
            maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
            maxBufferSize: l.maxBufferSize,
            maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
            maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
          },
        });
        return new WebGPUBackend(device as ConstructorParameters<typeof WebGPUBackend>[0], found.info as never);
      },
      3,
    );
  }
  return { usable: true, adapter: name };
}
