import { type BackendPreference, chooseBackend, type ModelSpec } from "@cyxwiz/training";
import { installNodeWebGpu, type NodeWebGpu } from "./node-webgpu.js";

/**
 * The daemon's backend choice (docs/node-daemon.md "Backends"): webgpu through the optional
 * `webgpu` npm package when it finds a hardware adapter (a software one only with `--backend
 * webgpu`); then wasm (in plain Node, TF.js finds its .wasm files in its own node_modules folder),
 * conv models included (the training package gives wasm the filter gradient TF.js 4.22 lacks);
 * then cpu. The reason names each backend passed over and why.
 */
export function daemonBackendChooser(
  preference: BackendPreference,
  probe: (allowFallback: boolean) => Promise<NodeWebGpu> = installNodeWebGpu,
): (spec: ModelSpec) => Promise<{ backend: string; reason: string }> {
  let gpu: Promise<NodeWebGpu> | undefined;
  return async (spec) => {
    const passed: string[] = [];
    let from: BackendPreference = preference;
    if (preference === "auto" || preference === "webgpu") {
      gpu ??= probe(preference === "webgpu");
      const found = await gpu;
      if (found.usable) from = "webgpu";
      else {
        passed.push(`webgpu passed over: ${found.reason}`);
        from = "wasm";
      }
    }
    const choice = await chooseBackend(from, spec);
    // Past webgpu, wasm starting first time is no "first choice": name it after what was passed over.
    const chosen = passed.length > 0 && !choice.reason.endsWith(choice.backend) ? choice.backend : choice.reason;
    return { backend: choice.backend, reason: [...passed, chosen].join(": ") };
  };
}
