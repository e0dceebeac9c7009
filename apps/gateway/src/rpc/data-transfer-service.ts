import { randomBytes } from "node:crypto";
import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { type ChunkLayout, storedSizeBoundsOf, transferChunkLayout } from "@cyxwiz/protocol/chunk";
import { codecFromName, codecName } from "@cyxwiz/protocol/compress";
import {
  CancelResponseSchema,
  DataClassification,
  DatasetManifestSchema,
  type DataTransferService,
  IntegrityResponseSchema,
  type TransferAck,
  TransferResponseSchema,
  TransferStatusSchema,
} from "@cyxwiz/protocol/gen";
import { MerkleTree } from "@cyxwiz/protocol/merkle";
import type { Principal } from "../auth/session-tokens.js";
import type { GatewayDeps } from "../gateway-deps.js";
import type { TransferRecord } from "../store/index.js";
import { findOwnedTransfer, noTransferMessage } from "../transfers/owned-transfer.js";
import { releaseBlobs } from "../transfers/release-blobs.js";
import { countEvents } from "../transfers/transfer-hub.js";
import { admitWithinQuota } from "../transfers/user-quota.js";
import { classificationFromProto, transferStateToProto } from "./proto-mapping.js";
import { principalKey } from "./request-context.js";
import {
  failedPrecondition,
  invalidArgument,
  notFound,
  permissionDenied,
  resourceExhausted,
  toConnectError,
} from "./rpc-errors.js";
import { servedChunk } from "./served-chunk.js";

/** The authenticated caller (the interceptor guarantees one on every DataTransferService call). */
export function callerOf(ctx: HandlerContext): Principal {
  const p = ctx.values.get(principalKey);
  if (p === undefined) throw permissionDenied("no authenticated caller");
  return p;
}

/**
 * A transfer the caller owns. Someone else's transfer is answered exactly as a missing one, so
 * transfer ids cannot be probed for (ARCHITECTURE §7, docs/errors.md).
 * @throws NOT_FOUND "no transfer <id>" for none and for someone else's; INVALID_ARGUMENT for a
 *   malformed id.
 */
export async function ownedTransfer(deps: GatewayDeps, caller: Principal, transferId: string): Promise<TransferRecord> {
  let t: TransferRecord | undefined;
  try {
    t = await findOwnedTransfer(deps.store, caller.username, transferId);
  } catch (e) {
    throw toConnectError(e);
  }
  if (t === undefined) throw notFound(noTransferMessage(transferId));
  return t;
}

export function newTransferId(): string {
  return `tr_${randomBytes(12).toString("base64url")}`;
}

/**
 * The seed's DataTransferService (§5.2). Uploads run in streaming mode (docs/upload-protocol.md):
 * InitiateTransfer records the transfer, frames arrive over WebSocket or StreamData, the status
 * says which chunks are missing, RequestChunk and VerifyIntegrity serve committed versions.
 */
export function createDataTransferService(deps: GatewayDeps): ServiceImpl<typeof DataTransferService> {
  const audit = (actor: Principal, action: string, subject: string, detail: Record<string, unknown> = {}) =>
    deps.store.audit.append({ actor: `user:${actor.username}`, action, subject, detail });

  async function versionOf(t: TransferRecord) {
    const list = await deps.store.datasets.versions(t.owner, t.name).catch(() => []);
    const v = list.find((x) => x.transferId === t.id);
    return v === undefined ? undefined : deps.store.datasets.get(t.owner, t.name, v.version);
  }

  return {
    async initiateTransfer(req, ctx) {
      const caller = callerOf(ctx);
      const meta = req.metadata;
      if (meta === undefined) throw invalidArgument("TransferRequest.metadata is required");
      const classification = classificationFromProto(meta.classification);
      if (classification === undefined) throw invalidArgument(`unknown classification ${meta.classification}`);
      const encrypted = req.security?.encryptPayload === true;
      if (!encrypted && meta.classification >= DataClassification.CONFIDENTIAL) {
        throw invalidArgument(
          `${DataClassification[meta.classification]} data must be encrypted (seed §4.3): set security.encrypt_payload`,
        );
      }
      const chunkSize = meta.chunkSize || req.options?.chunkSize || 0;
      const total = meta.totalSize;
      if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidArgument("total_size is too large");
      // Every chunk's size follows from these (docs/upload-protocol.md "Chunk sizes"): fixed chunks
      // of chunk_size, or the listed sizes of chunks of whole samples. The receiver holds each
      // chunk to it.
      const plainSizes = req.options?.chunkPlainSizes ?? [];
      if (plainSizes.length > deps.config.maxChunks)
        throw invalidArgument(
          `chunk_plain_sizes lists ${plainSizes.length} chunks, more than the ${deps.config.maxChunks} this gateway takes (CYXWIZ_MAX_CHUNKS)`,
        );
      let layout: ChunkLayout;
      try {
        layout = transferChunkLayout({ chunkSize, totalSize: Number(total), plainSizes });
      } catch (e) {
        throw invalidArgument(`chunk_size ${chunkSize} and total_size ${total}: ${(e as Error).message}`);
      }
      const n = meta.numChunks;
      if (n !== layout.numChunks) {
        throw invalidArgument(
          plainSizes.length > 0
            ? `num_chunks ${n} does not match the ${plainSizes.length} chunk_plain_sizes listed`
            : `num_chunks ${n} does not match total_size ${total} in chunks of ${chunkSize} (expected ${layout.numChunks})`,
        );
      }
      // No chunk is larger than chunk_size, in either layout.
      const largestChunk = storedSizeBoundsOf(chunkSize, { encrypted, compressed: false }).max;
      if (largestChunk > deps.config.maxPayloadBytes) {
        throw invalidArgument(
          `chunk_size ${chunkSize} makes stored chunks of up to ${largestChunk} bytes; this gateway accepts payloads of at most ${deps.config.maxPayloadBytes}`,
        );
      }
      // CommitUpload's body cap is sized for this many chunks (http/body-limits.ts).
      if (n > deps.config.maxChunks)
        throw invalidArgument(
          `num_chunks ${n} is more than the ${deps.config.maxChunks} this gateway takes (CYXWIZ_MAX_CHUNKS): use larger chunks`,
        );
      let compression: ReturnType<typeof codecName>;
      try {
        compression = codecName(codecFromName(req.options?.compression || "none"));
      } catch (e) {
        throw invalidArgument((e as Error).message);
      }
      if (meta.merkleRoot.length !== 0 && meta.merkleRoot.length !== 32)
        throw invalidArgument("metadata.merkle_root must be empty or 32 bytes");
      const id = newTransferId();
      // What this upload can cost the disk counts against the owner's quota from now until it is
      // committed (then its stored size counts), cancelled or deleted.
      const needed = layout.maxStoredTotal(encrypted);
      let created: TransferRecord;
      try {
        created = await deps.store.transfers.create(
          {
            id,
            owner: caller.username,
            name: meta.name,
            classification,
            numChunks: n,
            chunkSize,
            totalSize: Number(total),
            chunkPlainSizes: layout.samplePlainSizes,
            merkleRoot: meta.merkleRoot.length === 32 ? meta.merkleRoot : undefined,
            encrypted,
            compression,
          },
          { admit: admitWithinQuota(deps.config.userQuotaBytes, needed) },
        );
      } catch (e) {
        throw toConnectError(e);
      }
      await audit(caller, "transfer.initiate", `transfer:${id}`, {
        name: created.name, // as stored: NFC (docs/upload-protocol.md §6)
        classification,
        numChunks: n,
        totalSize: Number(total),
        layout: plainSizes.length > 0 ? "samples" : "fixed",
        encrypted,
      });
      deps.log.info({ transferId: id, owner: caller.username, name: created.name, numChunks: n }, "transfer initiated");
      return create(TransferResponseSchema, {
        accepted: true,
        transferId: id,
        recipientPublicKey: deps.secrets.escrow.publicKey,
      });
    },

    async *streamData(requests, ctx) {
      const caller = callerOf(ctx);
      let transfer: TransferRecord | undefined;
      for await (const chunk of requests) {
        // The transport's payload bound, as the WebSocket's maxPayload is for frames: a chunk past
        // it ends the call before anything else looks at it.
        if (chunk.payload.length > deps.config.maxPayloadBytes) {
          throw resourceExhausted(
            `CYXW_ERR_PAYLOAD_TOO_LARGE: chunk ${chunk.chunkIndex} carries ${chunk.payload.length} bytes; this gateway accepts payloads of at most ${deps.config.maxPayloadBytes}`,
          );
        }
        transfer ??= await ownedTransfer(deps, caller, chunk.transferId);
        if (chunk.transferId !== transfer.id) throw invalidArgument("one StreamData call carries one transfer");
        if (transfer.state !== "pending" && transfer.state !== "in_progress")
          throw failedPrecondition(`transfer ${transfer.id} is ${transfer.state}`);
        const receiver = await deps.hub.receiver(transfer);
        const events = await receiver.receiveDataChunk(chunk);
        countEvents(deps.metrics, events);
        for (const e of events) if (e.kind === "ack") yield e.ack satisfies TransferAck;
      }
    },

    async getTransferStatus(req, ctx) {
      const caller = callerOf(ctx);
      const t = await ownedTransfer(deps, caller, req.transferId);
      const chunks = await deps.store.transfers.chunks(t.id);
      const have = new Set(chunks.map((c) => c.index));
      const missing: number[] = [];
      for (let i = 0; i < t.numChunks; i++) if (!have.has(i)) missing.push(i);
      const bytes = chunks.reduce((s, c) => s + c.storedSize, 0);
      const seconds = Math.max(0.001, (Date.now() - t.createdAt.getTime()) / 1000);
      const rate = bytes / seconds;
      const fraction = t.numChunks === 0 ? 1 : chunks.length / t.numChunks;
      const remaining = rate > 0 && fraction < 1 ? (bytes / fraction - bytes) / rate : 0;
      return create(TransferStatusSchema, {
        transferId: t.id,
        state: transferStateToProto(t.state),
        chunksReceived: chunks.length,
        chunksTotal: t.numChunks,
        bytesTransferred: BigInt(bytes),
        bytesTotal: BigInt(t.totalSize),
        transferRateMbps: (rate * 8) / 1e6,
        startedAt: timestampFromDate(t.createdAt),
        eta: timestampFromDate(new Date(Date.now() + remaining * 1000)),
        missingChunks: missing,
      });
    },

    async cancelTransfer(req, ctx) {
      const caller = callerOf(ctx);
      const t = await ownedTransfer(deps, caller, req.transferId);
      if (t.state === "completed")
        return create(CancelResponseSchema, {
          success: false,
          message: `transfer ${t.id} is already committed; delete the dataset version instead`,
        });
      deps.hub.drop(t.id);
      try {
        await deps.store.transfers.setState(t.id, "cancelled");
        const removed = await deps.store.transfers.delete(t.id);
        await releaseBlobs(deps, removed.unreferencedDigests);
      } catch (e) {
        throw toConnectError(e);
      }
      await audit(caller, "transfer.cancel", `transfer:${t.id}`, { reason: req.reason });
      return create(CancelResponseSchema, { success: true, message: `transfer ${t.id} cancelled` });
    },

    async requestChunk(req, ctx) {
      const caller = callerOf(ctx);
      const t = await ownedTransfer(deps, caller, req.transferId);
      if (!Number.isInteger(req.chunkIndex) || req.chunkIndex >= t.numChunks) {
        throw invalidArgument(`chunk ${req.chunkIndex} does not exist: transfer ${t.id} has ${t.numChunks} chunks`);
      }
      const version = await versionOf(t);
      if (version === undefined) throw failedPrecondition(`transfer ${t.id} is not committed as a dataset version yet`);
      const manifest = fromBinary(DatasetManifestSchema, version.manifestBytes);
      const chunk = await servedChunk(deps, t.id, manifest, req.chunkIndex);
      await audit(caller, "chunk.read", `dataset:${version.owner}/${version.name}@v${version.version}`, {
        chunk: req.chunkIndex,
      });
      return chunk;
    },

    async verifyIntegrity(req, ctx) {
      const caller = callerOf(ctx);
      const t = await ownedTransfer(deps, caller, req.transferId);
      const version = await versionOf(t);
      if (version === undefined) throw failedPrecondition(`transfer ${t.id} is not committed as a dataset version yet`);
      const recorded = await deps.store.transfers.chunks(t.id);
      const corrupt: number[] = [];
      if (req.fullVerification) {
        for (const c of recorded) {
          try {
            const bytes = await deps.blobs.get(c.digest); // the blob store re-hashes on read
            if (bytes === undefined) corrupt.push(c.index);
          } catch {
            corrupt.push(c.index);
          }
        }
      }
      const computed = MerkleTree.fromDigests(recorded.map((c) => c.digest)).root;
      const rootMatches =
        Buffer.from(computed).equals(Buffer.from(version.merkleRoot)) && recorded.length === t.numChunks;
      const valid = rootMatches && corrupt.length === 0;
      if (!valid && version.status === "ready")
        await deps.store.datasets.setStatus(version.owner, version.name, version.version, "corrupt");
      if (valid && version.status === "corrupt")
        await deps.store.datasets.setStatus(version.owner, version.name, version.version, "ready");
      await audit(caller, "dataset.verify", `dataset:${version.owner}/${version.name}@v${version.version}`, {
        full: req.fullVerification,
        valid,
      });
      return create(IntegrityResponseSchema, {
        valid,
        computedMerkleRoot: computed,
        corruptChunks: corrupt,
        errorMessage: valid
          ? ""
          : corrupt.length > 0
            ? `${corrupt.length} stored chunks are missing or damaged`
            : "the recorded chunk digests do not give the version's Merkle root",
      });
    },
  };
}
