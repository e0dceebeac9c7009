import { ClientError, connectGateway, downloadDataset, isClientError, previewDataset } from "@cyxwiz/client";
import { arrowFileOf } from "@cyxwiz/datasets/pack";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import { errorMessage, isAuthFailure } from "../gateway/error-message.js";
import type { DatasetKeyStore } from "../keys/dataset-key-store.js";
import type {
  DownloadFailure,
  DownloadGateway,
  DownloadWorkerToPage,
  PageToDownloadWorker,
} from "./download-worker-protocol.js";

/** What the runner needs from the worker around it. */
export interface DownloadRunnerDeps {
  /** Posts a message; `transfer` lists buffers handed over without a copy. */
  readonly post: (message: DownloadWorkerToPage, transfer?: Transferable[]) => void;
  readonly primitives: Promise<Primitives>;
  /** Opens where this browser keeps dataset keys (closed again once the key is read). */
  readonly openKeys: () => Promise<DatasetKeyStore>;
}

interface Running {
  readonly controller: AbortController;
  /** Resolves the sink's wait once the page has written chunk `index`. */
  readonly written: Map<number, () => void>;
}

/**
 * The download worker's logic: `@cyxwiz/client`'s verified download (FCS, SHA-256, decryption,
 * decompression, Merkle proof per chunk; docs/upload-protocol.md §5) runs here, off the page's
 * thread, and each verified chunk goes to the page, which writes it to the file. The next chunk
 * is handed over only once the page has written the last, so a slow disk slows the download
 * instead of filling memory. The dataset key kept in this browser is read here and never posted.
 */
export function createDownloadRunner(deps: DownloadRunnerDeps): { handle(message: PageToDownloadWorker): void } {
  const running = new Map<string, Running>();
  const { post } = deps;

  async function start(message: Extract<PageToDownloadWorker, { kind: "start" }>): Promise<void> {
    const { id, gateway, ref } = message;
    if (running.has(id)) return;
    const job: Running = { controller: new AbortController(), written: new Map() };
    running.set(id, job);
    let datasetKey: Uint8Array | undefined;
    try {
      if (message.encrypted) {
        datasetKey = message.recoveryKey ?? (await keptKey(deps, gateway, message.transferId));
        if (datasetKey === undefined) {
          post({
            kind: "failed",
            id,
            failure: "key",
            message: `${ref} is encrypted and its key is not kept in this browser: enter its recovery key.`,
          });
          return;
        }
      }
      /** Verified chunks gathered for the Arrow file (arrow downloads only). */
      const gathered: Uint8Array[] = [];
      const handOver = (bytes: Uint8Array, index: number) =>
        new Promise<void>((resolve) => {
          job.written.set(index, resolve);
          post({ kind: "chunk", id, index, bytes }, [bytes.buffer as ArrayBuffer]);
        });
      const result = await downloadDataset({
        clients: connectGateway({ baseUrl: gateway.baseUrl, token: gateway.token }),
        primitives: await deps.primitives,
        ref,
        ...(datasetKey === undefined ? {} : { datasetKey }),
        signal: job.controller.signal,
        // Each chunk gets its own buffer, to transfer (or keep) without touching the receiver's.
        sink: (plaintext, index) => {
          if (message.arrow === true) gathered.push(plaintext.slice());
          else return handOver(plaintext.slice(), index);
        },
        onProgress: (progress) => post({ kind: "progress", id, progress }),
      });
      if (message.arrow === true) {
        const file = arrowFileOf(concat(gathered), result.manifest.plainSizes);
        gathered.length = 0;
        const size = file.length;
        await handOver(file, 0);
        if (job.controller.signal.aborted)
          throw new ClientError("CYXW_CLIENT_CANCELLED", `downloading ${ref} was cancelled`);
        post({ kind: "done", id, bytes: size });
        return;
      }
      post({ kind: "done", id, bytes: result.bytes });
    } catch (e) {
      if (isClientError(e) && e.code === "CYXW_CLIENT_CANCELLED") {
        post({ kind: "cancelled", id });
        return;
      }
      const failure = failureOf(e);
      const chunkIndex = isClientError(e) ? e.chunkIndex : undefined;
      post({
        kind: "failed",
        id,
        failure,
        message: errorMessage(e, `Downloading ${ref}`),
        ...(chunkIndex === undefined ? {} : { chunkIndex }),
      });
    } finally {
      datasetKey?.fill(0); // the chunk cipher keeps its own key; this copy is no longer needed
      running.delete(id);
    }
  }

  async function preview(message: Extract<PageToDownloadWorker, { kind: "preview" }>): Promise<void> {
    const { id, gateway, ref } = message;
    let datasetKey: Uint8Array | undefined;
    try {
      if (message.encrypted) {
        datasetKey = message.recoveryKey ?? (await keptKey(deps, gateway, message.transferId));
        if (datasetKey === undefined) {
          post({
            kind: "failed",
            id,
            failure: "key",
            message: `${ref} is encrypted and its key is not kept in this browser: enter its recovery key.`,
          });
          return;
        }
      }
      const got = await previewDataset({
        clients: connectGateway({ baseUrl: gateway.baseUrl, token: gateway.token }),
        primitives: await deps.primitives,
        ref,
        ...(datasetKey === undefined ? {} : { datasetKey }),
      });
      const firstChunk = got.firstChunk.slice();
      post({ kind: "preview", id, version: got.version, manifest: got.manifest, firstChunk }, [firstChunk.buffer]);
    } catch (e) {
      const chunkIndex = isClientError(e) ? e.chunkIndex : undefined;
      post({
        kind: "failed",
        id,
        failure: failureOf(e),
        message: errorMessage(e, `Previewing ${ref}`),
        ...(chunkIndex === undefined ? {} : { chunkIndex }),
      });
    } finally {
      datasetKey?.fill(0);
    }
  }

  return {
    handle(message) {
      switch (message.kind) {
        case "start":
          void start(message);
          return;
        case "preview":
          void preview(message);
          return;
        case "written": {
          const job = running.get(message.id);
          const resolve = job?.written.get(message.index);
          job?.written.delete(message.index);
          resolve?.();
          return;
        }
        case "cancel": {
          const job = running.get(message.id);
          if (job === undefined) return;
          job.controller.abort();
          // A sink waiting for the page goes on, and the download sees the abort at once.
          for (const resolve of job.written.values()) resolve();
          job.written.clear();
          return;
        }
        default: {
          const unknown: never = message;
          throw new TypeError(`unknown message to the download worker: ${JSON.stringify(unknown)}`);
        }
      }
    },
  };
}

/** The dataset key this browser keeps for the version, if any. */
async function keptKey(deps: DownloadRunnerDeps, gateway: DownloadGateway, transferId: string) {
  const keys = await deps.openKeys();
  try {
    return await keys.get({ gateway: gateway.baseUrl, owner: gateway.owner }, transferId);
  } finally {
    keys.close();
  }
}

/** What the page should offer after `e`: the key form, the chunk named, signing in again, or the message. */
function failureOf(e: unknown): DownloadFailure {
  if (isAuthFailure(e)) return "auth";
  if (!isClientError(e)) return "other";
  if (e.code === "CYXW_CLIENT_KEY") return "key";
  if (e.code === "CYXW_CLIENT_INTEGRITY") return "integrity";
  return "other";
}

/** The chunks one after another. */
function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
