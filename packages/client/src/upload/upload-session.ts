import { transferChunkLayout } from "@cyxwiz/protocol/chunk";
import { ClientError } from "../client-error.js";
import { commitUpload, findCommittedVersion, manifestOf } from "./commit.js";
import { callGateway } from "./gateway-call.js";
import { createProgressMeter } from "./progress-meter.js";
import { createSessionControl } from "./session-control.js";
import { startTransfer } from "./start-transfer.js";
import { createStateSaver } from "./state-saver.js";
import { transferChunks } from "./transfer-chunks.js";
import type { SessionStatus, UploadContext } from "./upload-context.js";
import { checkUploadOptions } from "./upload-settings.js";
import type { UploadEvent, UploadOptions, UploadResult, UploadSession } from "./upload-types.js";

/**
 * Creates the upload engine of docs/upload-protocol.md §1-§4: GetGatewayInfo → resume from the
 * saved state, or decide the codec, generate the DEK and cipher parameters and InitiateTransfer →
 * GetTransferStatus → send only the missing chunks over the frames WebSocket with at most
 * `window` unacknowledged (REQUIRES_ACK; RETRANSMIT on a resend) → after a dropped socket,
 * reconnect with backoff and ask GetTransferStatus again (an acknowledged chunk is never sent
 * again) → CommitUpload with the manifest built from the saved per-chunk records.
 *
 * @throws ClientError CYXW_CLIENT_ESCROW at once, before anything is sent, when escrow is asked
 *   for Confidential or higher data or for an unencrypted upload; TypeError/RangeError for bad
 *   options (chunk size, window, a store without a state key, a DEK that is not 32 bytes).
 * @example
 * const session = createUploadSession({ clients, createWebSocket, primitives, source, name: "mnist", encrypt: true, store, stateKey });
 * const { version } = await session.run();
 */
export function createUploadSession(options: UploadOptions): UploadSession {
  const settings = checkUploadOptions(options);
  const { clients, source } = options;
  const emit = (e: UploadEvent) => options.onEvent?.(e);
  const control = createSessionControl();
  const saver = createStateSaver(options.store, settings.stateKey, emit);
  const status: SessionStatus = { transferId: undefined, socket: undefined, framesSent: 0, chunksInFlight: 0 };
  let running: Promise<UploadResult> | undefined;
  let committed = false;

  async function runUpload(): Promise<UploadResult> {
    control.throwIfCancelled();
    const info = await callGateway(clients, "GetGatewayInfo", () => clients.datasets.getGatewayInfo({}));
    control.throwIfCancelled();
    const ctx: UploadContext = {
      settings,
      clients,
      createWebSocket: options.createWebSocket,
      primitives: options.primitives,
      source,
      layout: transferChunkLayout({
        chunkSize: settings.chunkSize,
        totalSize: source.size,
        plainSizes: settings.samples?.plainSizes,
      }),
      store: options.store,
      control,
      saver,
      progress: createProgressMeter(source.size, options.onProgress),
      status,
      emit,
    };
    const live = await startTransfer(ctx, info);
    ctx.progress.start();
    try {
      if (live.completedOnGateway) {
        // An earlier session committed this transfer, then stopped before forgetting its state.
        const version = await findCommittedVersion(ctx, live);
        if (version === undefined) {
          throw new ClientError(
            "CYXW_CLIENT_PROTOCOL",
            `transfer ${live.state.transferId} is COMPLETED on the gateway but no version of ${live.state.name} names it`,
          );
        }
        committed = true;
        await saver.forget();
        emit({ kind: "committed", ref: version.ref });
        return {
          version,
          manifest: await manifestOf(live, settings.samples?.layout),
          transferId: live.state.transferId,
          resumed: true,
          keyEscrowed: version.keyEscrowed,
          framesSent: status.framesSent,
        };
      }
      await transferChunks(ctx, live, info);
      await saver.settled();
      const done = await commitUpload(ctx, live, info);
      committed = true;
      await saver.forget();
      emit({ kind: "committed", ref: done.version.ref });
      return { ...done, transferId: live.state.transferId, resumed: live.resumed, framesSent: status.framesSent };
    } finally {
      live.datasetKey?.fill(0); // always this session's own copy: zero it (STYLE §11)
      await saver.settled();
    }
  }

  return {
    run() {
      running ??= runUpload();
      return running;
    },
    pause: () => control.pause(),
    resume: () => control.resume(),
    async cancel(reason = "") {
      if (committed || !control.cancel(reason)) return;
      status.socket?.close(1000, "cancelled");
      await running?.catch(() => undefined);
      if (committed) return;
      const transferId = status.transferId;
      if (transferId !== undefined) {
        await callGateway(clients, "CancelTransfer", () =>
          clients.dataTransfer.cancelTransfer({ transferId, reason: reason || "cancelled by the owner" }),
        );
      }
      await saver.forget();
    },
    get paused() {
      return control.paused;
    },
    get chunksInFlight() {
      return status.chunksInFlight;
    },
    get transferId() {
      return status.transferId;
    },
  };
}
