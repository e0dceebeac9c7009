/**
 * The dashboard's upload worker: every byte of every upload is read, compressed, encrypted,
 * hashed and framed here, never on the page's thread (ARCHITECTURE §1, apps/web). The page talks
 * to it with the messages of upload-worker-protocol.ts.
 */
import { canSealInWebWorkers, createWebPrimitives, createWebSealingPool } from "@cyxwiz/protocol/primitives";
import { openDatasetKeyStore } from "../keys/dataset-key-store.js";
import { openIdbTransferStateStore } from "./idb-transfer-state-store.js";
import { createSampleAnalyser } from "./sample-analyser.js";
import { createUploadRunner } from "./upload-runner.js";
import type { PageToWorker, WorkerToPage } from "./upload-worker-protocol.js";

/** The parts of a dedicated worker's global scope used here (the app compiles with the DOM lib). */
interface WorkerScope {
  postMessage(message: WorkerToPage): void;
  addEventListener(type: "message", listener: (event: MessageEvent<PageToWorker>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const post = (message: WorkerToPage) => scope.postMessage(message);
// Chunks are sealed (AES-256-GCM + SHA-256) by a pool of Web Workers, one per core, while this
// worker reads, frames and sends: crypto.subtle calls on one thread do not overlap. Without
// crypto.subtle (not a secure context) everything stays here, on the slow fallback.
const primitives = createWebPrimitives().then((p) => (canSealInWebWorkers() ? createWebSealingPool().wrap(p) : p));
const store = openIdbTransferStateStore();
// Avoid unhandled rejections; each upload reports these failures itself when it awaits them.
primitives.catch(() => undefined);
store.catch(() => undefined);

const runner = createUploadRunner({
  post,
  store,
  primitives,
  openKeys: () => openDatasetKeyStore(),
  analyser: createSampleAnalyser(),
});
scope.addEventListener("message", (event) => runner.handle(event.data));

void (async () => {
  const warnings: string[] = [];
  let name = "none";
  try {
    const p = await primitives;
    name = p.name;
    warnings.push(...p.warnings);
  } catch (e) {
    warnings.push(`This browser cannot upload: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    await store;
  } catch (e) {
    warnings.push(`Uploads cannot start here: ${e instanceof Error ? e.message : String(e)}.`);
  }
  post({ kind: "hello", primitives: name, warnings });
})();
