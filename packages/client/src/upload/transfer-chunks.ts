import { TransferState as GatewayTransferState, type GetGatewayInfoResponse } from "@cyxwiz/protocol/gen";
import { ClientError } from "../client-error.js";
import { closeError, framesUrl, isFinalClose, openFrameSocket } from "../frame-socket.js";
import { isTransient } from "../rpc-error.js";
import { sleep } from "../timers.js";
import { backoffDelay, backoffExhausted } from "./backoff.js";
import { pumpFrames } from "./frame-pump.js";
import { callGateway } from "./gateway-call.js";
import type { LiveTransfer } from "./live-transfer.js";
import { windowSize } from "./send-window.js";
import type { UploadContext } from "./upload-context.js";

/**
 * Asks the gateway which chunks are missing (GetTransferStatus) and marks every other chunk
 * durable. An acknowledged chunk is never sent again (docs/upload-protocol.md §3), so one the
 * gateway acknowledged but now lists as missing is a protocol error.
 *
 * @returns the missing chunks, ascending.
 * @throws ClientError CYXW_CLIENT_REFUSED (the transfer is cancelled or failed on the gateway),
 *   CYXW_CLIENT_PROTOCOL (an index outside the transfer, or an acknowledged chunk gone missing).
 */
export async function refreshStatus(ctx: UploadContext, live: LiveTransfer): Promise<number[]> {
  const { transferId, numChunks } = live.state;
  const status = await callGateway(ctx.clients, "GetTransferStatus", () =>
    ctx.clients.dataTransfer.getTransferStatus({ transferId }),
  );
  if (status.state === GatewayTransferState.CANCELLED || status.state === GatewayTransferState.FAILED) {
    throw new ClientError(
      "CYXW_CLIENT_REFUSED",
      `transfer ${transferId} is ${GatewayTransferState[status.state]} on the gateway`,
    );
  }
  const missing = new Set<number>();
  for (const i of status.missingChunks) {
    if (!Number.isInteger(i) || i < 0 || i >= numChunks) {
      throw new ClientError(
        "CYXW_CLIENT_PROTOCOL",
        `GetTransferStatus lists chunk ${i} as missing; transfer ${transferId} has ${numChunks} chunks`,
      );
    }
    if (live.durable.has(i) && live.chunks[i] !== null) {
      throw new ClientError(
        "CYXW_CLIENT_PROTOCOL",
        `the gateway acknowledged chunk ${i} of transfer ${transferId} as durable but now reports it missing; ` +
          "an acknowledged chunk is never sent again (docs/upload-protocol.md §3)",
        { chunkIndex: i },
      );
    }
    missing.add(i);
  }
  for (let i = 0; i < numChunks; i++) if (!missing.has(i)) live.markDurable(i);
  return [...missing].sort((a, b) => a - b);
}

/**
 * Sends every chunk the gateway lacks (docs/upload-protocol.md §2-§3): GetTransferStatus, a
 * frames socket, the frames; after a dropped socket or a transient failure, backs off and asks
 * the status again. A socket that gets a chunk acknowledged resets the failure count.
 *
 * @throws ClientError CYXW_CLIENT_UNREACHABLE after the allowed reconnects, a final close's error,
 *   or whatever the status check and the pump throw that is not transient.
 */
export async function transferChunks(
  ctx: UploadContext,
  live: LiveTransfer,
  info: GetGatewayInfoResponse,
): Promise<void> {
  const { control, status, clients, settings } = ctx;
  const window = windowSize(info.window, settings.window);
  const url = framesUrl(clients.baseUrl, info.framesPath, live.state.transferId);
  const memory = { retries: new Map<number, number>(), sentBefore: new Set<number>() };
  let failures = 0;
  for (;;) {
    control.throwIfCancelled();
    let why: string;
    try {
      const missing = await refreshStatus(ctx, live);
      ctx.progress.report(live);
      if (missing.length === 0) return;
      const socket = await openFrameSocket({ createWebSocket: ctx.createWebSocket, url, token: clients.token });
      status.socket = socket;
      const before = live.durable.size;
      const closed = await pumpFrames(ctx, live, socket, missing, window, memory);
      if (closed === undefined) return; // every chunk acknowledged
      if (live.durable.size > before) failures = 0;
      ctx.emit({ kind: "disconnected", code: closed.code, reason: closed.reason });
      if (isFinalClose(closed))
        throw closeError(closed, `the gateway closed the frames socket of transfer ${live.state.transferId}`);
      why = `frames socket closed (code ${closed.code}${closed.reason === "" ? "" : `, ${closed.reason}`})`;
    } catch (e) {
      if (control.cancelled !== undefined) control.throwIfCancelled();
      if (!isTransient(e)) throw e;
      why = (e as Error).message;
    } finally {
      status.socket = undefined;
    }
    failures++;
    if (backoffExhausted(failures, settings.backoff)) {
      throw new ClientError(
        "CYXW_CLIENT_UNREACHABLE",
        `gave up on transfer ${live.state.transferId} after ${settings.backoff.attempts} reconnects: ${why}`,
      );
    }
    const delayMs = backoffDelay(failures, settings.backoff);
    ctx.emit({ kind: "reconnecting", attempt: failures, delayMs, why });
    await sleep(delayMs, control.cancelledSignal);
  }
}
