/**
 * The volunteer tab's worker (docs/compute.md "Dashboard"): runs runWorker from
 * "@cyxwiz/client/worker" off the page's thread, driven by the messages of volunteer-protocol.ts.
 * TF.js chooses webgpu, wasm or cpu here (chooseBackend); the wasm backend's files come from the
 * export's /_next/static/tfjs-wasm/ (next.config.ts).
 */
import { createConnectTransport } from "@connectrpc/connect-web";
import { runWorker } from "@cyxwiz/client/worker";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { FromVolunteerWorker, ToVolunteerWorker } from "./volunteer-protocol.js";
import { createVolunteerRunner } from "./volunteer-runner.js";

/** The parts of a dedicated worker's global scope used here (the app compiles with the DOM lib). */
interface WorkerScope {
  postMessage(message: FromVolunteerWorker): void;
  addEventListener(type: "message", listener: (event: MessageEvent<ToVolunteerWorker>) => void): void;
  readonly navigator: { readonly gpu?: unknown };
}

const scope = globalThis as unknown as WorkerScope;
const runner = createVolunteerRunner({
  runWorker,
  createTransport: (baseUrl) => createConnectTransport({ baseUrl }),
  setWasmPath: (path) => setWasmPaths(path),
  // What the registration announces; chooseBackend still tries webgpu first and says why it fell back.
  expectedBackend: () => (scope.navigator.gpu === undefined ? "wasm" : "webgpu"),
  post: (message) => scope.postMessage(message),
});
scope.addEventListener("message", (event) => runner.handle(event.data));
