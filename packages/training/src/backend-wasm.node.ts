import { createRequire } from "node:module";
import { dirname } from "node:path";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/**
 * Points the WASM backend at the package's own .wasm files (its dist folder), so it finds them in
 * Node however the code is bundled (docs/training.md "Backend choice"). Call once before chooseBackend.
 */
export function useNodeWasmFiles(): string {
  const require = createRequire(import.meta.url);
  const dist = `${dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"))}/`;
  setWasmPaths(dist);
  return dist;
}
