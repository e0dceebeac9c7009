import { createRequire } from "node:module";
import { dirname } from "node:path";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/**
 * Points the WASM backend at the package's own .wasm files (its dist folder) so it initialises in
 * Node, where it cannot fetch them relative to a page. Call once before chooseBackend.
 */
export function useNodeWasmFiles(): string {
  const require = createRequire(import.meta.url);
  const dist = `${dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"))}/`;
  setWasmPaths(dist);
  return dist;
}
