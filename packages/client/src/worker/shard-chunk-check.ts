import type { ChunkCodec } from "@cyxwiz/protocol/compress";
import { type OpenedGrant, openChunkWithKey } from "@cyxwiz/protocol/crypto";
import { equalDigests } from "@cyxwiz/protocol/frame";
import type { DataChunk } from "@cyxwiz/protocol/gen";
import { verifyMerkleProof } from "@cyxwiz/protocol/merkle";
import type { Primitives } from "@cyxwiz/protocol/primitives";
import { ClientError } from "../client-error.js";
import { leafProofHolds } from "./merkle-leaf-check.js";

/** How to read one assignment's chunks: the version's root, its granted keys and its codec. */
export interface ShardReading {
  readonly merkleRoot: Uint8Array;
  /** Unset for unencrypted data. */
  readonly grant?: OpenedGrant;
  /** Unset for codec "none". */
  readonly codec?: ChunkCodec;
}

/** Arrow IPC's continuation marker: every sample chunk (an IPC stream) starts with it. */
const ARROW_CONTINUATION = [0xff, 0xff, 0xff, 0xff];

/**
 * Verifies a fetched chunk as the download does (docs/compute.md "A round, for a worker"): its
 * FCS (CRC-32), SHA-256 and Merkle proof to the assignment's root. A chunk failing any check is
 * never opened or trained on.
 *
 * @returns the hex SHA-256 of the bytes as fetched.
 * @throws ClientError CYXW_CLIENT_INTEGRITY naming the chunk and the check that failed.
 */
export async function verifyShardChunk(
  primitives: Primitives,
  chunk: DataChunk,
  root: Uint8Array,
  numChunks = 0,
): Promise<string> {
  const i = chunk.chunkIndex;
  const bad = (why: string) => new ClientError("CYXW_CLIENT_INTEGRITY", `chunk ${i}: ${why}`, { chunkIndex: i });
  if (primitives.crc32(chunk.payload) !== chunk.fcs) throw bad("the payload's CRC-32 does not match its fcs");
  const digest = await primitives.sha256(chunk.payload);
  if (!equalDigests(digest, chunk.checksum)) throw bad("the payload's SHA-256 does not match its checksum");
  const holds =
    numChunks > 0
      ? i < numChunks && verifyMerkleProof(digest, { index: i, leafCount: numChunks, path: chunk.merkleProof }, root)
      : leafProofHolds(digest, i, chunk.merkleProof, root);
  if (!holds) throw bad("its Merkle proof does not lead to the assignment's Merkle root");
  return hexOf(digest);
}

/**
 * Opens a verified chunk's bytes as fetched: decrypts with its granted key (when encrypted), then
 * decompresses per the codec (a chunk the packer kept raw, because it did not shrink, is an Arrow
 * stream already).
 *
 * @throws ClientError CYXW_CLIENT_KEY when the grant holds no key for the chunk;
 *   CYXW_CLIENT_INTEGRITY naming the chunk when it does not decrypt or decompress.
 */
export async function openShardChunk(
  primitives: Primitives,
  reading: ShardReading,
  index: number,
  last: boolean,
  stored: Uint8Array,
  plain?: { readonly size: number; readonly compressed: boolean },
): Promise<Uint8Array> {
  let body = stored;
  if (reading.grant !== undefined) {
    const key = reading.grant.keys.get(index);
    if (key === undefined)
      throw new ClientError("CYXW_CLIENT_KEY", `chunk ${index} is not in this worker's key grant`, {
        chunkIndex: index,
      });
    const opened = await openChunkWithKey(primitives, key, reading.grant.parameters, index, last, stored);
    if (!opened.ok)
      throw new ClientError("CYXW_CLIENT_INTEGRITY", `chunk ${index}: ${opened.error.code}: ${opened.error.message}`, {
        chunkIndex: index,
      });
    body = opened.value;
  }
  if (plain !== undefined) {
    if (!plain.compressed || reading.codec === undefined) return body;
    const out = reading.codec.decompress(body, plain.size);
    if (!out.ok)
      throw new ClientError("CYXW_CLIENT_INTEGRITY", `chunk ${index}: ${out.error.code}: ${out.error.message}`, {
        chunkIndex: index,
      });
    return out.value;
  }
  if (reading.codec === undefined || ARROW_CONTINUATION.every((b, k) => body[k] === b)) return body;
  // The codecs decompress to an exact declared size (bounded against bombs), which only an
  // assignment with chunk_plain_sizes gives (docs/node-daemon.md "Not yet").
  throw new ClientError(
    "CYXW_CLIENT_PROTOCOL",
    `chunk ${index} is ${reading.codec.name}-compressed, and the assignment does not give its plain size`,
    { chunkIndex: index },
  );
}

/** Lowercase hex of bytes (chunk-store keys). */
export function hexOf(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
