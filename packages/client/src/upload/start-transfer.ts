import type { GetGatewayInfoResponse } from "@cyxwiz/protocol/gen";
import { ClientError } from "../client-error.js";
import { initiateTransfer } from "./initiate.js";
import type { LiveTransfer } from "./live-transfer.js";
import { resumeSavedTransfer } from "./resume.js";
import type { UploadContext } from "./upload-context.js";

/** @throws ClientError CYXW_CLIENT_ESCROW when escrow is asked for and the gateway offers no escrow key. */
function checkEscrowKey(ctx: UploadContext, info: GetGatewayInfoResponse): void {
  if (ctx.settings.escrow && info.escrowPublicKey.length !== 32) {
    throw new ClientError(
      "CYXW_CLIENT_ESCROW",
      `the gateway at ${ctx.clients.baseUrl} offers no escrow key; upload without escrow`,
    );
  }
}

/**
 * The transfer this upload sends to (docs/upload-protocol.md §1): the saved one when it can be
 * continued (a resumed event), else a new one (an initiated event).
 */
export async function startTransfer(ctx: UploadContext, info: GetGatewayInfoResponse): Promise<LiveTransfer> {
  const resumed = await resumeSavedTransfer(ctx);
  checkEscrowKey(ctx, info);
  if (resumed === undefined) return initiateTransfer(ctx, info);
  const { transferId, numChunks } = resumed.state;
  ctx.emit({ kind: "resumed", transferId, chunksDone: resumed.durable.size, totalChunks: numChunks });
  return resumed;
}
