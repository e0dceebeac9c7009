import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import * as tf from "@tensorflow/tfjs-core";
import { BACKENDS, type BackendName, type BackendPreference } from "./backend-names.js";
import { hasConvLayers, type ModelSpec } from "./model-spec.js";
import { registerWasmConvGradients } from "./wasm-conv-gradients.js";

export interface BackendChoice {
  readonly backend: BackendName;
  /**
   * Why, in words for a log line or a page: each backend passed over and why, then the one chosen
   * ("webgpu did not initialise: wasm"); or, when the first one tried started, that it was the
   * first choice or the one asked for ("the first choice (webgpu, wasm, cpu), and it started").
   */
  readonly reason: string;
}

/** How chooseBackend switches backends; tests replace it. Default: TensorFlow.js's own. */
export interface BackendSwitch {
  setBackend(name: BackendName): Promise<boolean>;
  getBackend(): string;
  /** Whether wasm can train conv layers (registering the kernel it lacks, once). */
  wasmTrainsConv(): boolean;
}

const tfSwitch: BackendSwitch = {
  setBackend: async (name) => {
    try {
      return await tf.setBackend(name);
    } catch {
      return false;
    }
  },
  getBackend: () => tf.getBackend(),
  wasmTrainsConv: registerWasmConvGradients,
};

/**
 * Chooses and sets the TensorFlow.js backend to train `spec` on: from `preference` ("auto" =
 * webgpu) down the list webgpu → wasm → cpu, passing over any backend that does not initialise.
 * For a model with conv layers it first gives wasm the filter gradient TF.js 4.22 lacks
 * (registerWasmConvGradients); should that fail, wasm is passed over for it. `setBackend`
 * returning true is not trusted alone: `getBackend()` must name it. In Node call
 * `useNodeWasmFiles()` (backend-wasm.node.ts) first, so wasm finds its .wasm files.
 */
export async function chooseBackend(
  preference: BackendPreference,
  spec: ModelSpec,
  backendSwitch: BackendSwitch = tfSwitch,
): Promise<BackendChoice> {
  const start = preference === "auto" ? 0 : BACKENDS.indexOf(preference);
  const passed: string[] = [];
  for (const name of BACKENDS.slice(start)) {
    if (name === "wasm" && hasConvLayers(spec) && !backendSwitch.wasmTrainsConv()) {
      passed.push("wasm cannot train conv layers (no Conv2DBackpropFilter kernel)");
      continue;
    }
    const ok = await backendSwitch.setBackend(name);
    const active = backendSwitch.getBackend();
    if (ok && active === name) {
      const first =
        preference === "auto"
          ? `the first choice (${BACKENDS.join(", ")}), and it started`
          : "as asked, and it started";
      return { backend: name, reason: passed.length === 0 ? first : [...passed, name].join(": ") };
    }
    passed.push(`${name} did not initialise${ok ? ` (active backend is ${active})` : ""}`);
  }
  // cpu always registers; reaching here means even it failed.
  throw new Error(`no TensorFlow.js backend initialised: ${passed.join("; ")}`);
}
