import type { DownloadProgress } from "@cyxwiz/client";
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
}

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
      });
      return { cancel: () => worker.postMessage({ kind: "cancel", id }) };
    },
    close() {
      worker.terminate();
      for (const id of [...active.keys()]) void finish(id, { kind: "cancelled" });
    },
  };
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
