import type { DownloadProgress } from "@cyxwiz/client";
import type { DatasetManifest, DatasetVersion } from "@cyxwiz/protocol/gen";
import type {
  DownloadFailure,
  DownloadGateway,
  DownloadWorkerToPage,
  PageToDownloadWorker,
} from "./download-worker-protocol.js";
import type { SaveTarget } from "./save-target.js";

/** What a row hears about its download. */
export type DownloadUpdate =
  | { readonly kind: "progress"; readonly progress: DownloadProgress }
  | { readonly kind: "done"; readonly bytes: number; readonly savedTo: SaveTarget["kind"] }
  | {
      readonly kind: "failed";
      readonly failure: DownloadFailure;
      readonly message: string;
      readonly chunkIndex?: number;
    }
  | { readonly kind: "cancelled" };

/** One version to download. */
export interface DownloadRequest {
  readonly ref: string;
  readonly transferId: string;
  readonly encrypted: boolean;
  /** A recovery key the person entered; otherwise the key kept in this browser is used. */
  readonly recoveryKey?: Uint8Array;
  /** Save a dataset of samples as one Arrow IPC file. */
  readonly arrow?: boolean;
}

/** A preview's answer: verified and decrypted in the worker. */
export type PreviewOutcome =
  | {
      readonly kind: "ok";
      readonly version: DatasetVersion;
      readonly manifest: DatasetManifest;
      readonly firstChunk: Uint8Array;
    }
  | {
      readonly kind: "failed";
      readonly failure: DownloadFailure;
      readonly message: string;
      readonly chunkIndex?: number;
    };

/** The worker as this module uses it (a `Worker`, or a fake in tests). */
export interface DownloadWorkerPort {
  postMessage(message: PageToDownloadWorker): void;
  addEventListener(type: "message", listener: (event: { data: DownloadWorkerToPage }) => void): void;
  addEventListener(type: "error", listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

/** Starts downloads in the download worker and writes what it hands over to each one's target. */
export interface DownloadClient {
  /** @returns how to cancel it; `onUpdate` hears progress, then exactly one of done, failed, cancelled. */
  start(request: DownloadRequest, target: SaveTarget, onUpdate: (update: DownloadUpdate) => void): { cancel(): void };
  /** Reads the version's first chunk in the worker (the key is read or used there only). */
  preview(request: Omit<DownloadRequest, "arrow">): Promise<PreviewOutcome>;
  /** Stops the worker and every download in it (their targets are aborted). */
  close(): void;
}

interface Active {
  readonly target: SaveTarget;
  readonly onUpdate: (update: DownloadUpdate) => void;
  /** Set once a write failed: the worker's own answer to the cancel is then not reported. */
  writeFailed: boolean;
}

/**
 * The page's side of the download worker: routes its messages by download id, writes each
 * verified chunk to the download's {@link SaveTarget} and only then tells the worker it may send
 * the next (so memory holds a few chunks, whatever the file's size), finishes or aborts the target.
 */
export function createDownloadClient(worker: DownloadWorkerPort, gateway: DownloadGateway): DownloadClient {
  const active = new Map<string, Active>();
  const previews = new Map<string, (outcome: PreviewOutcome) => void>();
  let next = 0;

  /** Ends a download: the target is finished or dropped first, then the row hears the outcome. */
  async function finish(id: string, update: DownloadUpdate): Promise<void> {
    const a = active.get(id);
    if (a === undefined) return;
    active.delete(id);
    if (update.kind === "done") {
      try {
        await a.target.close();
      } catch (e) {
        a.onUpdate({ kind: "failed", failure: "other", message: `Saving the file failed: ${describe(e)}` });
        return;
      }
      a.onUpdate(update);
      return;
    }
    await a.target.abort().catch(() => undefined);
    a.onUpdate(update);
  }

  worker.addEventListener("message", ({ data: m }) => {
    const answer = previews.get(m.id);
    if (answer !== undefined) {
      previews.delete(m.id);
      if (m.kind === "preview")
        answer({ kind: "ok", version: m.version, manifest: m.manifest, firstChunk: m.firstChunk });
      else if (m.kind === "failed")
        answer({
          kind: "failed",
          failure: m.failure,
          message: m.message,
          ...(m.chunkIndex === undefined ? {} : { chunkIndex: m.chunkIndex }),
        });
      return;
    }
    const a = active.get(m.id);
    if (a === undefined) return;
    switch (m.kind) {
      case "chunk":
        a.target.write(m.bytes).then(
          () => worker.postMessage({ kind: "written", id: m.id, index: m.index }),
          (e: unknown) => {
            a.writeFailed = true;
            worker.postMessage({ kind: "cancel", id: m.id });
            void finish(m.id, {
              kind: "failed",
              failure: "other",
              message: `Writing chunk ${m.index} to the file failed: ${describe(e)}`,
            });
          },
        );
        return;
      case "preview":
        return; // answers a preview, handled above
      case "progress":
        a.onUpdate({ kind: "progress", progress: m.progress });
        return;
      case "done":
        void finish(m.id, { kind: "done", bytes: m.bytes, savedTo: a.target.kind });
        return;
      case "failed":
        if (!a.writeFailed)
          void finish(m.id, {
            kind: "failed",
            failure: m.failure,
            message: m.message,
            ...(m.chunkIndex === undefined ? {} : { chunkIndex: m.chunkIndex }),
          });
        return;
      case "cancelled":
        if (!a.writeFailed) void finish(m.id, { kind: "cancelled" });
        return;
      default: {
        const unknown: never = m;
        throw new TypeError(`unknown message from the download worker: ${JSON.stringify(unknown)}`);
      }
    }
  });
  worker.addEventListener("error", (event) => {
    for (const [id, answer] of [...previews]) {
      previews.delete(id);
      answer({
        kind: "failed",
        failure: "other",
        message: `The download worker failed: ${event.message || "it could not be loaded"}. Reload the page to try again.`,
      });
    }
    for (const id of [...active.keys()])
      void finish(id, {
        kind: "failed",
        failure: "other",
        message: `The download worker failed: ${event.message || "it could not be loaded"}. Reload the page to try again.`,
      });
  });

  return {
    start(request, target, onUpdate) {
      const id = `download-${++next}`;
      active.set(id, { target, onUpdate, writeFailed: false });
      worker.postMessage({
        kind: "start",
        id,
        gateway,
        ref: request.ref,
        transferId: request.transferId,
        encrypted: request.encrypted,
        ...(request.recoveryKey === undefined ? {} : { recoveryKey: request.recoveryKey }),
        ...(request.arrow === true ? { arrow: true } : {}),
      });
      return { cancel: () => worker.postMessage({ kind: "cancel", id }) };
    },
    preview(request) {
      const id = `preview-${++next}`;
      return new Promise<PreviewOutcome>((resolve) => {
        previews.set(id, resolve);
        worker.postMessage({
          kind: "preview",
          id,
          gateway,
          ref: request.ref,
          transferId: request.transferId,
          encrypted: request.encrypted,
          ...(request.recoveryKey === undefined ? {} : { recoveryKey: request.recoveryKey }),
        });
      });
    },
    close() {
      worker.terminate();
      for (const [id, answer] of [...previews]) {
        previews.delete(id);
        answer({ kind: "failed", failure: "other", message: "The page closed the download worker." });
      }
      for (const id of [...active.keys()]) void finish(id, { kind: "cancelled" });
    },
  };
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
