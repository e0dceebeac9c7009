import { createRequire } from "node:module";
import { type BackendPreference, chooseBackend, type ModelSpec } from "@cyxwiz/training";

/** The npm package that gives Node a WebGPU adapter (Dawn); TF.js's webgpu backend needs one. */
export const WEBGPU_PACKAGE = "webgpu";

/**
 * The daemon's backend choice (docs/node-daemon.md "Backends"): webgpu only through the `webgpu`
 * npm package, when it is installed (Node has no `navigator.gpu` of its own); then wasm (in plain
 * Node, TF.js finds its .wasm files in its own node_modules folder) for dense models; cpu for conv models (TF.js 4.22's wasm
 * backend cannot train them). The reason names each backend passed over and why.
 */
export function daemonBackendChooser(
  preference: BackendPreference,
  resolve: (name: string) => string = createRequire(import.meta.url).resolve,
): (spec: ModelSpec) => Promise<{ backend: string; reason: string }> {
  return async (spec) => {
    const passed: string[] = [];
    let from: BackendPreference = preference;
    if (preference === "auto" || preference === "webgpu") {
      const gpu = await installWebGpu(resolve);
      if (gpu !== undefined) {
        passed.push(gpu);
        from = "wasm";
      } else from = "webgpu";
    }
    const choice = await chooseBackend(from, spec);
    return { backend: choice.backend, reason: [...passed, choice.reason].join(": ") };
  };
}

/** Gives Node `navigator.gpu` from the `webgpu` package; returns why webgpu is passed over, if it is. */
async function installWebGpu(resolve: (name: string) => string): Promise<string | undefined> {
  try {
    resolve(WEBGPU_PACKAGE);
  } catch {
    return `webgpu passed over: the "${WEBGPU_PACKAGE}" npm package is not installed (npm install ${WEBGPU_PACKAGE} to use a GPU)`;
  }
  try {
    const mod = (await import(WEBGPU_PACKAGE)) as {
      create(options: string[]): unknown;
      globals: Record<string, unknown>;
    };
    Object.assign(globalThis, mod.globals);
    const nav = ((globalThis as { navigator?: object }).navigator ?? {}) as { gpu?: unknown };
    if (nav.gpu === undefined) {
      Object.defineProperty(nav, "gpu", { value: mod.create([]), configurable: true });
      if ((globalThis as { navigator?: object }).navigator === undefined)
        Object.defineProperty(globalThis, "navigator", { value: nav, configurable: true });
    }
    return undefined;
  } catch (e) {
    return `webgpu passed over: the "${WEBGPU_PACKAGE}" package did not load (${(e as Error).message})`;
  }
}
