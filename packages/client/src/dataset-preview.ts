import { createChunkReceiver } from "@cyxwiz/protocol/chunk";
import { AckStatus, type DatasetManifest, type DatasetVersion, type GetPreviewResponse } from "@cyxwiz/protocol/gen";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import { ClientError } from "./client-error.js";
import type { GatewayClients } from "./gateway-clients.js";
import { toClientError } from "./rpc-error.js";
import { openVersionCipher } from "./version-cipher.js";

/** What {@link previewDataset} needs. */
export interface PreviewOptions {
  readonly clients: GatewayClients;
  readonly primitives: Primitives;
  /** "name" for the newest version, or "name@vN". */
  readonly ref: string;
  /** The dataset key (DEK), required for an encrypted dataset and refused for a plain one. */
  readonly datasetKey?: Uint8Array;
}

/** A version, its manifest and the verified plaintext of its first chunk. */
export interface DatasetPreview {
  readonly version: DatasetVersion;
  readonly manifest: DatasetManifest;
  /** Chunk 0, decrypted and decompressed; empty for a version without chunks. */
  readonly firstChunk: Uint8Array;
}

/**
 * Reads a version's first chunk with GetPreview and verifies it exactly as a download does
 * (docs/upload-protocol.md §5): FCS, SHA-256, decryption with the DEK, decompression to the
 * declared size and the Merkle proof against the manifest's root, which must be the version's.
 * The key never leaves the caller: the gateway sends the chunk as stored.
 *
 * @throws ClientError: CYXW_CLIENT_NOT_FOUND, CYXW_CLIENT_KEY (key missing, wrong, or given for
 *   plain data), CYXW_CLIENT_INTEGRITY with `chunkIndex` 0 (the chunk failed verification),
 *   CYXW_CLIENT_AUTH, CYXW_CLIENT_UNREACHABLE, CYXW_CLIENT_PROTOCOL.
 * @example
 * const { manifest, firstChunk } = await previewDataset({ clients, primitives, ref: "mnist@v1" });
 */
export async function previewDataset(options: PreviewOptions): Promise<DatasetPreview> {
  const { clients, primitives, ref } = options;
  let got: GetPreviewResponse;
  try {
    got = await clients.datasets.getPreview({ ref });
  } catch (e) {
    throw toClientError(e, `GetPreview ${JSON.stringify(ref)} at ${clients.baseUrl}`);
  }
  const { version, manifest, firstChunk } = got;
  if (version === undefined || manifest === undefined)
    throw new ClientError(
      "CYXW_CLIENT_PROTOCOL",
      `GetPreview ${JSON.stringify(ref)} answered without the version or its manifest`,
    );
  const cipher = await openVersionCipher(primitives, version, manifest, options.datasetKey);
  if ((manifest.metadata?.numChunks ?? 0) === 0) return { version, manifest, firstChunk: new Uint8Array(0) };
  if (firstChunk === undefined || firstChunk.chunkIndex !== 0)
    throw new ClientError("CYXW_CLIENT_PROTOCOL", `GetPreview ${JSON.stringify(ref)} answered without chunk 0`);

  let plaintext: Uint8Array | undefined;
  const made = await createChunkReceiver({
    primitives,
    manifest,
    transferId: version.transferId,
    ...(cipher === undefined ? {} : { cipher }),
    async store(chunk) {
      if (chunk.index === 0) plaintext = chunk.plaintext;
    },
  });
  if (!made.ok)
    throw new ClientError(
      "CYXW_CLIENT_INTEGRITY",
      `${version.ref}: the manifest does not verify: ${made.error.code}: ${made.error.message}`,
    );
  const events = await made.value.receiveDataChunk(firstChunk);
  const ack = events.find((e) => e.kind === "ack");
  const refused = ack?.kind === "ack" && ack.ack.status !== AckStatus.ACK_OK ? ack.ack : undefined;
  const durable = events.some((e) => e.kind === "durable" && e.index === 0);
  if (refused !== undefined || !durable || plaintext === undefined) {
    const why = refused === undefined ? "the chunk was not opened" : refused.errorMessage || AckStatus[refused.status];
    throw new ClientError("CYXW_CLIENT_INTEGRITY", `chunk 0 of ${version.ref} failed verification: ${why}`, {
      chunkIndex: 0,
    });
  }
  return { version, manifest, firstChunk: plaintext };
}
