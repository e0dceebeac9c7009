import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { checkCommit, transferChunkLayout } from "@cyxwiz/protocol/chunk";
import { openSignedManifest } from "@cyxwiz/protocol/crypto";
import { FRAMES_PATH_TEMPLATE } from "@cyxwiz/protocol/frames-endpoint";
import {
  type DatasetManifest,
  DatasetManifestSchema,
  type DatasetService,
  GetDatasetPolicyResponseSchema,
  GetDatasetResponseSchema,
  GetGatewayInfoResponseSchema,
  GetPreviewResponseSchema,
  WrappedKeySchema,
} from "@cyxwiz/protocol/gen";
import { isDataPolicyError, overridesFromProto, policyChanges, policyFor, policyToProto } from "@cyxwiz/protocol/vocab";
import type { Principal } from "../auth/session-tokens.js";
import type { GatewayDeps } from "../gateway-deps.js";
import { releaseBlobs } from "../transfers/release-blobs.js";
import { callerOf, ownedTransfer } from "./data-transfer-service.js";
import { classificationFromProto, datasetVersionToProto, escrowAllowed, parseDatasetRef } from "./proto-mapping.js";
import { failedPrecondition, invalidArgument, notFound, toConnectError } from "./rpc-errors.js";
import { servedChunk } from "./served-chunk.js";

/** The WebSocket path of a transfer's frames; "{transfer_id}" is replaced by the id (@cyxwiz/protocol/frames-endpoint). */
export const FRAMES_PATH = FRAMES_PATH_TEMPLATE;

/** The platform's DatasetService: gateway info, committing uploads, listing and deleting versions. */
export function createDatasetService(deps: GatewayDeps): ServiceImpl<typeof DatasetService> {
  const audit = (actor: Principal, action: string, subject: string, detail: Record<string, unknown> = {}) =>
    deps.store.audit.append({ actor: `user:${actor.username}`, action, subject, detail });

  /**
   * Resolves a ref to the caller's own dataset. A ref naming another owner is answered exactly as
   * a missing dataset of that owner would be (NOT_FOUND "dataset <owner>/<name> not found"),
   * before any lookup, so other owners' datasets and policies cannot be probed for (ARCHITECTURE
   * §7, docs/data-policy.md), as someone else's transfer is answered as a missing one.
   */
  function ownRef(ctx: HandlerContext, text: string) {
    const caller = callerOf(ctx);
    const ref = parseDatasetRef(text);
    if (ref === undefined)
      throw invalidArgument(
        `${JSON.stringify(text)} is not a dataset reference ("name", "name@v2" or "owner/name@v2")`,
      );
    if (ref.owner !== undefined && ref.owner !== caller.username)
      throw notFound(
        `dataset ${ref.owner}/${ref.name}${ref.version === undefined ? "" : `@v${ref.version}`} not found`,
      );
    return { caller, name: ref.name, version: ref.version };
  }

  return {
    async getGatewayInfo() {
      return create(GetGatewayInfoResponseSchema, {
        escrowPublicKey: deps.secrets.escrow.publicKey,
        maxPayloadBytes: deps.config.maxPayloadBytes,
        window: deps.config.window,
        framesPath: FRAMES_PATH,
      });
    },

    async commitUpload(req, ctx) {
      const caller = callerOf(ctx);
      const t = await ownedTransfer(deps, caller, req.transferId);
      let manifest: DatasetManifest | undefined = req.manifest;
      let manifestBytes: Uint8Array | undefined;
      if (req.signedManifest !== undefined) {
        const opened = openSignedManifest(req.signedManifest);
        if (!opened.ok) throw invalidArgument(`${opened.error.code}: ${opened.error.message}`);
        manifest = opened.value;
        manifestBytes = req.signedManifest.manifest; // kept verbatim so the signature still verifies
      }
      if (manifest === undefined) throw invalidArgument("CommitUpload needs the manifest (or a signed manifest)");
      manifestBytes ??= toBinary(DatasetManifestSchema, manifest);
      const recorded = await deps.store.transfers.chunks(t.id);
      const checked = checkCommit(
        manifest,
        {
          layout: transferChunkLayout({
            chunkSize: t.chunkSize,
            totalSize: t.totalSize,
            plainSizes: t.chunkPlainSizes,
          }),
          numChunks: t.numChunks,
          encrypted: t.encrypted,
          digests: new Map(recorded.map((c) => [c.index, c.digest])),
          ...(t.merkleRoot === undefined ? {} : { declaredRoot: t.merkleRoot }),
        },
        { maxPayloadBytes: deps.config.maxPayloadBytes },
      );
      if (!checked.ok) {
        const e = checked.error;
        throw e.code === "CYXW_ERR_INCOMPLETE"
          ? failedPrecondition(`${e.code}: ${e.message}`)
          : invalidArgument(`${e.code}: ${e.message}`);
      }
      if (BigInt(t.totalSize) !== manifest.metadata!.totalSize || t.chunkSize !== manifest.metadata!.chunkSize) {
        throw invalidArgument(
          "CYXW_ERR_MANIFEST: the manifest's sizes differ from those the transfer was initiated with",
        );
      }
      let escrowedKey: Uint8Array | undefined;
      if (req.escrowedKey !== undefined) {
        if (!t.encrypted) throw invalidArgument("a key was escrowed for a dataset that is not encrypted");
        if (!escrowAllowed(t.classification)) {
          throw invalidArgument(
            `CYXW_ERR_POLICY_VIOLATION: ${t.classification} data never leaves its owner unwrapped: its key cannot be escrowed to the gateway (only Public and Internal data may escrow, docs/data-policy.md)`,
          );
        }
        const w = req.escrowedKey;
        if (w.ephemeralPublicKey.length !== 32 || w.nonce.length !== 12 || w.ciphertext.length !== 48) {
          throw invalidArgument("escrowed_key is not a wrapped 32-byte dataset key");
        }
        if (!Buffer.from(w.recipientPublicKey).equals(Buffer.from(deps.secrets.escrow.publicKey))) {
          throw invalidArgument("escrowed_key is wrapped to another key than this gateway's escrow key");
        }
        escrowedKey = toBinary(WrappedKeySchema, w);
      }
      try {
        const version = await deps.store.datasets.createVersion({
          owner: caller.username,
          name: t.name,
          transferId: t.id,
          manifestBytes,
          merkleRoot: manifest.metadata!.merkleRoot,
          escrowedKey,
        });
        deps.hub.drop(t.id);
        await audit(caller, "dataset.commit", `dataset:${version.owner}/${version.name}@v${version.version}`, {
          transferId: t.id,
          numChunks: version.numChunks,
          escrowed: escrowedKey !== undefined,
        });
        deps.log.info({ transferId: t.id, ref: `${version.name}@v${version.version}` }, "dataset version committed");
        return { version: datasetVersionToProto(version) };
      } catch (e) {
        throw toConnectError(e);
      }
    },

    async listDatasets(_req, ctx) {
      const caller = callerOf(ctx);
      const list = await deps.store.datasets.list(caller.username);
      return { datasets: list.map(datasetVersionToProto) };
    },

    async getDataset(req, ctx) {
      const { caller, name, version } = ownRef(ctx, req.ref);
      try {
        const v = await deps.store.datasets.get(caller.username, name, version);
        await audit(caller, "dataset.read", `dataset:${v.owner}/${v.name}@v${v.version}`);
        return create(GetDatasetResponseSchema, {
          version: datasetVersionToProto(v),
          manifest: fromBinary(DatasetManifestSchema, v.manifestBytes),
        });
      } catch (e) {
        throw toConnectError(e);
      }
    },

    async getPreview(req, ctx) {
      const { caller, name, version } = ownRef(ctx, req.ref);
      try {
        const v = await deps.store.datasets.get(caller.username, name, version);
        const manifest = fromBinary(DatasetManifestSchema, v.manifestBytes);
        const firstChunk = await servedChunk(deps, v.transferId, manifest, 0);
        await audit(caller, "dataset.preview", `dataset:${v.owner}/${v.name}@v${v.version}`, { chunk: 0 });
        return create(GetPreviewResponseSchema, { version: datasetVersionToProto(v), manifest, firstChunk });
      } catch (e) {
        throw toConnectError(e);
      }
    },

    async listVersions(req, ctx) {
      const { caller, name } = ownRef(ctx, req.name);
      try {
        return { versions: (await deps.store.datasets.versions(caller.username, name)).map(datasetVersionToProto) };
      } catch (e) {
        throw toConnectError(e);
      }
    },

    async getDatasetPolicy(req, ctx) {
      const { caller, name, version } = ownRef(ctx, req.ref);
      try {
        const v = await deps.store.datasets.get(caller.username, name, version);
        await audit(caller, "dataset.policy.read", `dataset:${v.owner}/${v.name}@v${v.version}`);
        return create(GetDatasetPolicyResponseSchema, {
          ref: `${v.name}@v${v.version}`,
          policy: policyToProto(v.policy, v.expiresAt),
        });
      } catch (e) {
        throw toConnectError(e);
      }
    },

    async setDatasetPolicy(req, ctx) {
      const { caller, name, version } = ownRef(ctx, req.ref);
      const level = classificationFromProto(req.classification);
      if (level === undefined)
        throw invalidArgument(`CYXW_ERR_POLICY: classification: unknown value ${req.classification}`);
      let policy: ReturnType<typeof policyFor>;
      try {
        policy = policyFor(level, overridesFromProto(req.overrides));
      } catch (e) {
        if (isDataPolicyError(e)) throw invalidArgument(e.message);
        throw toConnectError(e);
      }
      try {
        const { before, version: changed } = await deps.store.datasets.setPolicy(
          caller.username,
          name,
          version,
          policy,
        );
        await audit(caller, "dataset.policy.set", `dataset:${changed.owner}/${changed.name}@v${changed.version}`, {
          before,
          after: changed.policy,
          changes: policyChanges(before, changed.policy),
        });
        deps.log.info(
          { ref: `${changed.name}@v${changed.version}`, classification: changed.policy.classification },
          "dataset policy set",
        );
        return { version: datasetVersionToProto(changed) };
      } catch (e) {
        throw toConnectError(e);
      }
    },

    async deleteDataset(req, ctx) {
      const { caller, name, version } = ownRef(ctx, req.ref);
      try {
        const removed = await deps.store.datasets.delete(caller.username, name, version);
        await releaseBlobs(deps, removed.unreferencedDigests);
        await audit(
          caller,
          "dataset.delete",
          `dataset:${caller.username}/${name}${version === undefined ? "" : `@v${version}`}`,
          {
            versions: removed.versionsDeleted,
          },
        );
        return { versionsDeleted: removed.versionsDeleted };
      } catch (e) {
        throw toConnectError(e);
      }
    },
  };
}
