import { base64Encode } from "@bufbuild/protobuf/wire";
import { createChunkPacker, decideCodec, storedSizeBoundsOf } from "@cyxwiz/protocol/chunk";
import { type ChunkCipher, createChunkCipher, generateDatasetKey } from "@cyxwiz/protocol/crypto";
import type { GetGatewayInfoResponse } from "@cyxwiz/protocol/gen";
import { ClientError } from "../client-error.js";
import type { TransferState } from "../transfer-state.js";
import { callGateway } from "./gateway-call.js";
import { createLiveTransfer, type LiveTransfer } from "./live-transfer.js";
import type { UploadContext } from "./upload-context.js";

/**
 * Starts a new transfer (docs/upload-protocol.md §1): checks the chunk size against the gateway's
 * frame bound, decides the codec on the first chunk, generates the DEK and cipher parameters,
 * InitiateTransfer, and saves the state before any frame is sent (a crash from there on resumes).
 *
 * @throws ClientError CYXW_CLIENT_REFUSED (chunks too large for the gateway, or the transfer not
 *   accepted), CYXW_CLIENT_KEY, CYXW_CLIENT_PROTOCOL (accepted without a transfer id).
 */
export async function initiateTransfer(ctx: UploadContext, info: GetGatewayInfoResponse): Promise<LiveTransfer> {
  const { settings, clients, primitives, source, layout } = ctx;
  const { chunkSize, encrypt } = settings;
  const largestChunk = storedSizeBoundsOf(chunkSize, { encrypted: encrypt, compressed: false }).max;
  if (info.maxPayloadBytes > 0 && largestChunk > info.maxPayloadBytes) {
    throw new ClientError(
      "CYXW_CLIENT_REFUSED",
      `chunk size ${chunkSize} is too large for the gateway at ${clients.baseUrl}, which accepts frame payloads of at most ${info.maxPayloadBytes} bytes`,
    );
  }
  const codec = await decideCodec(source, layout, settings.requestedCodec);
  let datasetKey: Uint8Array | undefined;
  let cipher: ChunkCipher | undefined;
  if (encrypt) {
    datasetKey = settings.datasetKey === undefined ? generateDatasetKey() : settings.datasetKey.slice();
    // A new version: the default suite, per-chunk keys (NEW_VERSION_ALGORITHM, docs/crypto.md).
    const made = await createChunkCipher(primitives, datasetKey);
    if (!made.ok) throw new ClientError("CYXW_CLIENT_KEY", made.error.message);
    cipher = made.value;
  }
  const packer = createChunkPacker(primitives, source, {
    layout,
    ...(codec === undefined ? {} : { codec }),
    ...(cipher === undefined ? {} : { cipher }),
  });
  const codecName = codec?.name ?? "none";
  ctx.control.throwIfCancelled();
  const response = await callGateway(clients, "InitiateTransfer", () =>
    clients.dataTransfer.initiateTransfer({
      metadata: {
        name: settings.name,
        type: settings.type,
        totalSize: BigInt(source.size),
        numChunks: layout.numChunks,
        chunkSize,
        classification: settings.classification,
        // Empty: the root is known only after every chunk is packed; the gateway verifies it at commit (checkCommit).
        merkleRoot: new Uint8Array(0),
      },
      // A dataset of samples declares where its chunks are cut (docs/upload-protocol.md §1).
      options: { compression: codecName, chunkSize, chunkPlainSizes: [...(layout.samplePlainSizes ?? [])] },
      security: { encryptPayload: encrypt },
    }),
  );
  if (!response.accepted) {
    throw new ClientError(
      "CYXW_CLIENT_REFUSED",
      `InitiateTransfer at ${clients.baseUrl}: the gateway did not accept the transfer: ${response.errorMessage || "no reason given"}`,
    );
  }
  if (response.transferId === "")
    throw new ClientError("CYXW_CLIENT_PROTOCOL", "InitiateTransfer accepted the transfer but named no transfer id");
  ctx.status.transferId = response.transferId;
  const p = cipher?.parameters;
  const state: TransferState = {
    format: 1,
    transferId: response.transferId,
    name: settings.name,
    type: settings.type,
    classification: settings.classification,
    totalSize: source.size,
    chunkSize,
    numChunks: layout.numChunks,
    ...(layout.samplePlainSizes === undefined ? {} : { plainSizes: [...layout.samplePlainSizes] }),
    requestedCodec: settings.requestedCodec,
    codec: codecName,
    encrypted: encrypt,
    escrow: settings.escrow,
    ...(datasetKey === undefined ? {} : { datasetKey: base64Encode(datasetKey) }),
    ...(p === undefined
      ? {}
      : {
          cipher: {
            algorithm: p.algorithm,
            salt: base64Encode(p.salt),
            noncePrefix: base64Encode(p.noncePrefix),
            keyCheck: base64Encode(p.keyCheck),
          },
        }),
    createdAt: new Date().toISOString(),
    chunks: [],
  };
  const live = createLiveTransfer({ state, packer, datasetKey, cipher, resumed: false, completedOnGateway: false });
  await ctx.saver.saveNow(live.snapshot());
  ctx.emit({ kind: "initiated", transferId: response.transferId, codec: codecName, encrypted: encrypt });
  return live;
}
