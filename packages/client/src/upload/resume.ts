import { create } from "@bufbuild/protobuf";
import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";
import { createChunkPacker } from "@cyxwiz/protocol/chunk";
import { loadCodec } from "@cyxwiz/protocol/compress";
import { type ChunkCipher, createChunkCipher } from "@cyxwiz/protocol/crypto";
import {
  CipherParametersSchema,
  TransferState as GatewayTransferState,
  type TransferStatus,
} from "@cyxwiz/protocol/gen";
import { isClientError } from "../client-error.js";
import { parseTransferState, type TransferState } from "../transfer-state.js";
import { callGateway } from "./gateway-call.js";
import { createLiveTransfer, type LiveTransfer } from "./live-transfer.js";
import type { UploadContext } from "./upload-context.js";
import type { UploadSettings } from "./upload-settings.js";

/**
 * Which setting of this upload differs from the saved one (then the saved transfer cannot be
 * continued), or undefined when it can be.
 */
export function savedStateMismatch(
  saved: TransferState,
  settings: UploadSettings,
  sourceSize: number,
): string | undefined {
  if (saved.name !== settings.name) return "name";
  if (saved.type !== settings.type) return "type";
  if (saved.classification !== settings.classification) return "classification";
  if (saved.totalSize !== sourceSize) return "size";
  if (saved.chunkSize !== settings.chunkSize) return "chunk size";
  const plainSizes = settings.samples?.plainSizes;
  if (
    (saved.plainSizes === undefined) !== (plainSizes === undefined) ||
    (plainSizes !== undefined && saved.plainSizes!.some((size, i) => size !== plainSizes[i]))
  )
    return "chunk layout";
  if (saved.requestedCodec !== settings.requestedCodec) return "compression";
  if (saved.encrypted !== settings.encrypt) return "encryption";
  if (saved.escrow !== settings.escrow) return "escrow";
  if (settings.datasetKey !== undefined && saved.datasetKey !== base64Encode(settings.datasetKey)) return "dataset key";
  return undefined;
}

/**
 * The saved transfer, if there is one this upload can continue (docs/upload-protocol.md §3):
 * same settings, still known to the gateway and not cancelled or failed there, and a saved key
 * that opens the saved cipher parameters. Anything else is discarded (a state-discarded event;
 * a superseded transfer is cancelled on the gateway) and the upload starts a new transfer.
 */
export async function resumeSavedTransfer(ctx: UploadContext): Promise<LiveTransfer | undefined> {
  const { store, settings, clients, primitives, source } = ctx;
  if (store === undefined) return undefined;
  const loaded = await store.load(settings.stateKey);
  if (loaded === undefined) return undefined;
  const parsed = parseTransferState(loaded);
  const discard = async (reason: string, cancelOld?: string) => {
    ctx.emit({ kind: "state-discarded", reason });
    if (cancelOld !== undefined)
      await clients.dataTransfer
        .cancelTransfer({ transferId: cancelOld, reason: "superseded by a new upload" })
        .catch(() => undefined);
    await store.delete(settings.stateKey);
    return undefined;
  };
  if (!parsed.ok) return discard(`the saved upload state is unusable (${parsed.reason})`);
  const s = parsed.state;
  const mismatch = savedStateMismatch(s, settings, source.size);
  if (mismatch !== undefined)
    return discard(`the saved upload used another ${mismatch}; starting a new transfer`, s.transferId);
  let status: TransferStatus;
  try {
    status = await callGateway(clients, "GetTransferStatus", () =>
      clients.dataTransfer.getTransferStatus({ transferId: s.transferId }),
    );
  } catch (e) {
    if (isClientError(e) && e.code === "CYXW_CLIENT_NOT_FOUND")
      return discard(`the gateway no longer knows transfer ${s.transferId}; starting a new one`);
    throw e;
  }
  if (status.state === GatewayTransferState.CANCELLED || status.state === GatewayTransferState.FAILED) {
    return discard(`transfer ${s.transferId} is ${GatewayTransferState[status.state]}; starting a new one`);
  }
  let datasetKey: Uint8Array | undefined;
  let cipher: ChunkCipher | undefined;
  if (s.encrypted) {
    datasetKey = base64Decode(s.datasetKey!);
    const c = s.cipher!;
    const made = await createChunkCipher(
      primitives,
      datasetKey,
      create(CipherParametersSchema, {
        algorithm: c.algorithm,
        salt: base64Decode(c.salt),
        noncePrefix: base64Decode(c.noncePrefix),
        keyCheck: base64Decode(c.keyCheck),
      }),
    );
    if (!made.ok)
      return discard(
        `the saved key does not open the saved cipher parameters (${made.error.code}); starting a new transfer`,
        s.transferId,
      );
    cipher = made.value;
  }
  const codec = s.codec === "none" ? undefined : await loadCodec(s.codec);
  ctx.status.transferId = s.transferId;
  return createLiveTransfer({
    state: s,
    packer: createChunkPacker(primitives, source, {
      layout: ctx.layout, // the saved chunk size and total size are this upload's (savedStateMismatch)
      ...(codec === undefined ? {} : { codec }),
      ...(cipher === undefined ? {} : { cipher }),
    }),
    datasetKey,
    cipher,
    resumed: true,
    completedOnGateway: status.state === GatewayTransferState.COMPLETED,
  });
}
