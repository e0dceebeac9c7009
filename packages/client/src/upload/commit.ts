import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";
import { Code } from "@connectrpc/connect";
import { createManifestBuilder } from "@cyxwiz/protocol/chunk";
import { wrapDatasetKey } from "@cyxwiz/protocol/crypto";
import type {
  DatasetManifest,
  DatasetVersion,
  GetGatewayInfoResponse,
  SampleLayout,
  WrappedKey,
} from "@cyxwiz/protocol/gen";
import { codecFromName } from "@cyxwiz/protocol/vocab";
import { ClientError } from "../client-error.js";
import { isTransient } from "../rpc-error.js";
import { sleep } from "../timers.js";
import { backoffDelay, backoffExhausted } from "./backoff.js";
import { callGateway } from "./gateway-call.js";
import type { LiveTransfer } from "./live-transfer.js";
import type { UploadContext } from "./upload-context.js";

/** Whether a failed CommitUpload says the transfer is already committed (ALREADY_EXISTS). */
function isAlreadyCommitted(e: unknown): boolean {
  const cause = (e as { cause?: unknown } | null)?.cause as { name?: unknown; code?: unknown } | undefined;
  return cause?.name === "ConnectError" && cause.code === Code.AlreadyExists;
}

/**
 * The manifest of `live` (docs/upload-protocol.md §4), from the per-chunk records saved as the
 * gateway acknowledged them. Chunks the gateway holds but whose acknowledgement this client never
 * saw (a socket dropped between store and ack, or state saved before the ack) are packed again
 * locally: the bytes are identical, nothing is sent.
 */
export async function manifestOf(live: LiveTransfer, samples?: SampleLayout): Promise<DatasetManifest> {
  const { state, packer, chunks } = live;
  const builder = createManifestBuilder(state.numChunks);
  for (let i = 0; i < state.numChunks; i++) {
    let record = chunks[i] ?? null;
    if (record === null) {
      const c = await packer.pack(i);
      record = { storedSize: c.storedSize, digest: base64Encode(c.digest), compressed: c.compressed };
      chunks[i] = record;
    }
    builder.add(i, {
      plainSize: packer.layout.plainSizeOf(i),
      storedSize: record.storedSize,
      digest: base64Decode(record.digest),
      compressed: record.compressed,
    });
  }
  return builder.build({
    metadata: { name: state.name, type: state.type, classification: state.classification },
    totalSize: state.totalSize,
    chunkSize: state.chunkSize,
    codec: codecFromName(state.codec),
    ...(live.cipher === undefined ? {} : { cipher: live.cipher.parameters }),
    createdAt: new Date(state.createdAt),
    ...(samples === undefined ? {} : { samples }),
  });
}

/** The version that transfer `live` became, when it was committed. */
export async function findCommittedVersion(
  ctx: UploadContext,
  live: LiveTransfer,
): Promise<DatasetVersion | undefined> {
  const { clients } = ctx;
  const versions = await callGateway(clients, "ListVersions", () =>
    clients.datasets.listVersions({ name: live.state.name }),
  );
  return versions.versions.find((v) => v.transferId === live.state.transferId);
}

/** What a commit gives back. */
export interface Committed {
  readonly version: DatasetVersion;
  readonly manifest: DatasetManifest;
  readonly keyEscrowed: boolean;
}

/**
 * CommitUpload with the manifest (docs/upload-protocol.md §4), the DEK wrapped to the gateway's
 * escrow key when escrow was asked for. Transient failures are retried with backoff; an
 * ALREADY_EXISTS after a retry means an earlier attempt committed and its answer was lost, and
 * the committed version is looked up instead.
 *
 * @throws ClientError CYXW_CLIENT_PROTOCOL (no version in the answer), CYXW_CLIENT_CANCELLED, or
 *   the commit's own failure once it is not transient or the retries are spent.
 */
export async function commitUpload(
  ctx: UploadContext,
  live: LiveTransfer,
  info: GetGatewayInfoResponse,
): Promise<Committed> {
  const { clients, control, settings } = ctx;
  const manifest = await manifestOf(live, ctx.settings.samples?.layout);
  let escrowedKey: WrappedKey | undefined;
  if (live.state.escrow && live.datasetKey !== undefined)
    escrowedKey = await wrapDatasetKey(ctx.primitives, live.datasetKey, info.escrowPublicKey);
  let failures = 0;
  for (;;) {
    control.throwIfCancelled();
    try {
      const response = await callGateway(clients, "CommitUpload", () =>
        clients.datasets.commitUpload({
          transferId: live.state.transferId,
          manifest,
          ...(escrowedKey === undefined ? {} : { escrowedKey }),
        }),
      );
      if (response.version === undefined)
        throw new ClientError("CYXW_CLIENT_PROTOCOL", "CommitUpload answered without the dataset version");
      return { version: response.version, manifest, keyEscrowed: escrowedKey !== undefined };
    } catch (e) {
      if (failures > 0 && isAlreadyCommitted(e)) {
        // An earlier attempt committed, but its answer was lost on the way back.
        const version = await findCommittedVersion(ctx, live);
        if (version !== undefined) return { version, manifest, keyEscrowed: version.keyEscrowed };
      }
      if (!isTransient(e) || backoffExhausted(++failures, settings.backoff)) throw e;
      const delayMs = backoffDelay(failures, settings.backoff);
      ctx.emit({ kind: "reconnecting", attempt: failures, delayMs, why: (e as Error).message });
      await sleep(delayMs, control.cancelledSignal);
    }
  }
}
