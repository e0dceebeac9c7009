import { create } from "@bufbuild/protobuf";
import { type DataChunk, DataChunkSchema, type DatasetManifest } from "@cyxwiz/protocol/gen";
import { MerkleTree } from "@cyxwiz/protocol/merkle";
import type { GatewayDeps } from "../gateway-deps.js";
import { toConnectError } from "./rpc-errors.js";

/**
 * One stored chunk of a committed version as RequestChunk and GetPreview serve it: the bytes as
 * stored (the blob store re-hashes them on read, so a damaged chunk is DATA_LOSS, never served),
 * their FCS and SHA-256, and the Merkle proof to the manifest's root, so the client verifies the
 * chunk alone (ARCHITECTURE §4).
 */
export async function servedChunk(
  deps: Pick<GatewayDeps, "blobs" | "primitives">,
  transferId: string,
  manifest: DatasetManifest,
  index: number,
): Promise<DataChunk> {
  const digest = manifest.chunkDigests[index]!;
  let payload: Uint8Array | undefined;
  try {
    payload = await deps.blobs.get(digest);
  } catch (e) {
    throw toConnectError(e);
  }
  if (payload === undefined) throw toConnectError(new Error(`blob of chunk ${index} of ${transferId} is missing`));
  const tree = MerkleTree.fromDigests(manifest.chunkDigests);
  return create(DataChunkSchema, {
    transferId,
    chunkIndex: index,
    sequence: BigInt(index),
    payload,
    fcs: deps.primitives.crc32(payload),
    checksum: digest,
    merkleProof: [...tree.proof(index).path],
    isLast: index === manifest.chunkDigests.length - 1,
  });
}
