import { type ChunkCipher, createChunkCipher } from "@cyxwiz/protocol/crypto";
import { equalDigests } from "@cyxwiz/protocol/frame";
import type { DatasetManifest, DatasetVersion } from "@cyxwiz/protocol/gen";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import { ClientError } from "./client-error.js";

/**
 * The checks every read of a version starts with (docs/upload-protocol.md §5), shared by the
 * download and the preview: the manifest's Merkle root is the version's, and the dataset key,
 * given exactly when the manifest names a cipher, opens it.
 *
 * @returns the chunk cipher, or undefined for plain data.
 * @throws ClientError CYXW_CLIENT_INTEGRITY (the roots differ, or the cipher parameters are
 *   damaged), CYXW_CLIENT_KEY (key missing, wrong, or given for plain data).
 */
export async function openVersionCipher(
  primitives: Primitives,
  version: DatasetVersion,
  manifest: DatasetManifest,
  datasetKey: Uint8Array | undefined,
): Promise<ChunkCipher | undefined> {
  const meta = manifest.metadata;
  if (meta !== undefined && version.merkleRoot.length > 0 && !equalDigests(version.merkleRoot, meta.merkleRoot)) {
    throw new ClientError("CYXW_CLIENT_INTEGRITY", `${version.ref}: the manifest's Merkle root is not the version's`);
  }
  if (manifest.cipher === undefined) {
    if (datasetKey !== undefined)
      throw new ClientError("CYXW_CLIENT_KEY", `${version.ref} is not encrypted: no dataset key is needed`);
    return undefined;
  }
  if (datasetKey === undefined)
    throw new ClientError("CYXW_CLIENT_KEY", `${version.ref} is encrypted: its dataset key is needed to read it`);
  const made = await createChunkCipher(primitives, datasetKey, manifest.cipher);
  if (!made.ok) {
    throw made.error.code === "CYXW_ERR_WRONG_KEY"
      ? new ClientError("CYXW_CLIENT_KEY", `${version.ref}: the dataset key given is not this dataset's key`)
      : new ClientError("CYXW_CLIENT_INTEGRITY", `${version.ref}: ${made.error.code}: ${made.error.message}`);
  }
  return made.value;
}
