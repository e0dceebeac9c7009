/**
 * The dashboard's download worker: every chunk of a download is checked (FCS, SHA-256, Merkle
 * proof), decrypted and decompressed here, never on the page's thread (ARCHITECTURE §1,
 * apps/web). The page talks to it with the messages of download-worker-protocol.ts, as the
 * upload worker does with its own.
 */
import { createWebPrimitives } from "@cyxwiz/protocol/primitives";
import { openDatasetKeyStore } from "../keys/dataset-key-store.js";
import { createDownloadRunner } from "./download-runner.js";
import type { DownloadWorkerToPage, PageToDownloadWorker } from "./download-worker-protocol.js";

/** The parts of a dedicated worker's global scope used here (the app compiles with the DOM lib). */
interface WorkerScope {
  postMessage(message: DownloadWorkerToPage, transfer: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent<PageToDownloadWorker>) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const primitives = createWebPrimitives();
// Avoid an unhandled rejection; each download reports the failure itself when it awaits it.
primitives.catch(() => undefined);

const runner = createDownloadRunner({
  post: (message, transfer = []) => scope.postMessage(message, transfer),
  primitives,
  openKeys: () => openDatasetKeyStore(),
});
scope.addEventListener("message", (event) => runner.handle(event.data));
