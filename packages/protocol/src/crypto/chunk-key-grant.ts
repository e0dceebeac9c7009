import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { equalBytes } from "@noble/ciphers/utils.js";
import { failure, ProtocolError, type ProtocolFailure } from "../errors/error-codes.js";
import {
  type ChunkKeyGrant,
  type ChunkKeyGrantContent,
  ChunkKeyGrantContentSchema,
  ChunkKeyGrantSchema,
  type CipherParameters,
  CipherParametersSchema,
} from "../gen/cyxwiz/data/v1/manifest_pb.js";
import type { Primitives } from "../primitives/primitives.js";
import { err, ok, type Result } from "../result.js";
import { CHUNK_KEY_ALGORITHM, deriveChunkKey, describeBadChunkKeyParameters } from "./chunk-key-cipher.js";
import { checkChunkIndex, DATASET_KEY_BYTES, KEY_CHECK_BYTES, KEY_CHECK_INFO } from "./chunk-nonce.js";
import { checkBytes, hkdfSha256 } from "./key-agreement.js";
import { openForRecipient, sealForRecipient } from "./key-wrap.js";

/**
 * Chunk-key grants (ARCHITECTURE §4 "Keys", seed §5.3; docs/crypto.md "Per-chunk keys and
 * grants"): the owner gives a worker the keys K_i of its shard's chunks, sealed for the worker's
 * X25519 key with the dataset-key wrap construction under its own HKDF info, so a grant can never
 * be opened as a wrapped dataset key nor the reverse.
 */
export const CHUNK_GRANT_INFO = "cyxwiz-chunk-grant";

/** Granted chunk keys of one version: the parameters a worker opens chunks with, and K_i by index. */
export interface OpenedGrant {
  /** algorithm, salt and nonce prefix of the version (no key check: a worker cannot check it). */
  readonly parameters: CipherParameters;
  /** K_i for each granted index i. */
  readonly keys: Map<number, Uint8Array>;
}

/**
 * Grants the keys of chunks `chunkIndices` of the `AES-256-GCM-CHUNKKEY-v1` version described by
 * `parameters` to the holder of `recipientPublicKey`'s X25519 secret key.
 *
 * @example
 * const grant = await grantChunkKeys(primitives, datasetKey, manifest.cipher, [2, 5], worker.x25519PublicKey);
 * @throws ProtocolError CYXW_ERR_MANIFEST when `parameters` are not this suite's;
 *   CYXW_ERR_WRONG_KEY when `datasetKey` does not match their key check; CYXW_ERR_BAD_KEY for a
 *   low-order public key. RangeError for an empty or duplicated index list, an index outside
 *   0..2^32-1, or keys of the wrong length; TypeError for non-Uint8Array keys.
 */
export async function grantChunkKeys(
  primitives: Primitives,
  datasetKey: Uint8Array,
  parameters: CipherParameters,
  chunkIndices: readonly number[],
  recipientPublicKey: Uint8Array,
): Promise<ChunkKeyGrant> {
  checkBytes("dataset key", datasetKey, DATASET_KEY_BYTES);
  const problem = describeBadChunkKeyParameters(parameters);
  if (problem !== undefined) throw new ProtocolError("CYXW_ERR_MANIFEST", `cipher parameters: ${problem}`);
  const keyCheck = hkdfSha256(datasetKey, parameters.salt, KEY_CHECK_INFO, KEY_CHECK_BYTES);
  if (!equalBytes(keyCheck, parameters.keyCheck)) {
    throw new ProtocolError("CYXW_ERR_WRONG_KEY", "the dataset key does not match the cipher parameters' key check");
  }
  if (chunkIndices.length === 0) throw new RangeError("a chunk-key grant needs at least one chunk index");
  for (const i of chunkIndices) checkChunkIndex(i);
  const indices = [...chunkIndices].sort((a, b) => a - b);
  for (let n = 1; n < indices.length; n++) {
    if (indices[n] === indices[n - 1]) throw new RangeError(`chunk index ${indices[n]} is granted twice`);
  }
  const content = create(ChunkKeyGrantContentSchema, {
    salt: parameters.salt.slice(),
    noncePrefix: parameters.noncePrefix.slice(),
    keys: indices.map((index) => ({
      index,
      key: deriveChunkKey(datasetKey, parameters.salt, parameters.noncePrefix, index),
    })),
  });
  const plaintext = toBinary(ChunkKeyGrantContentSchema, content);
  for (const k of content.keys) k.key.fill(0);
  try {
    const wrapped = await sealForRecipient(primitives, plaintext, recipientPublicKey, CHUNK_GRANT_INFO);
    return create(ChunkKeyGrantSchema, {
      algorithm: CHUNK_KEY_ALGORITHM,
      salt: parameters.salt.slice(),
      noncePrefix: parameters.noncePrefix.slice(),
      chunkIndices: indices,
      wrapped,
    });
  } finally {
    plaintext.fill(0);
  }
}

/**
 * Opens a chunk-key grant with the recipient's X25519 secret key.
 *
 * @returns the version's parameters and K_i per granted index; CYXW_ERR_KEY_UNWRAP when the grant
 *   was made for another key, is malformed, was altered (sealed content or clear fields), or names
 *   another algorithm; CYXW_ERR_BAD_KEY for a malformed ephemeral key.
 * @throws TypeError for a non-Uint8Array secret key; RangeError when it is not 32 bytes.
 */
export async function openGrant(
  primitives: Primitives,
  recipientSecretKey: Uint8Array,
  grant: ChunkKeyGrant,
): Promise<Result<OpenedGrant, ProtocolFailure>> {
  checkBytes("recipient secret key", recipientSecretKey, 32);
  if (grant.algorithm !== CHUNK_KEY_ALGORITHM) {
    return err(
      failure(
        "CYXW_ERR_KEY_UNWRAP",
        `chunk-key grant: algorithm is "${grant.algorithm}", expected "${CHUNK_KEY_ALGORITHM}"`,
      ),
    );
  }
  if (grant.wrapped === undefined) return err(failure("CYXW_ERR_KEY_UNWRAP", "chunk-key grant: no sealed content"));
  const opened = await openForRecipient(
    primitives,
    grant.wrapped,
    recipientSecretKey,
    CHUNK_GRANT_INFO,
    undefined,
    "chunk-key grant",
  );
  if (!opened.ok) return opened;
  try {
    return readContent(grant, opened.value);
  } finally {
    opened.value.fill(0); // decoded bytes fields are views into it: everything kept is copied first
  }
}

/** Decodes and checks a grant's sealed content against its clear fields. */
function readContent(grant: ChunkKeyGrant, plaintext: Uint8Array): Result<OpenedGrant, ProtocolFailure> {
  let content: ChunkKeyGrantContent;
  try {
    content = fromBinary(ChunkKeyGrantContentSchema, plaintext);
  } catch (e) {
    return err(failure("CYXW_ERR_KEY_UNWRAP", `chunk-key grant: sealed content does not decode: ${String(e)}`));
  }
  const sealedIndices = content.keys.map((k) => k.index);
  if (
    !equalBytes(content.salt, grant.salt) ||
    !equalBytes(content.noncePrefix, grant.noncePrefix) ||
    sealedIndices.length !== grant.chunkIndices.length ||
    sealedIndices.some((i, n) => i !== grant.chunkIndices[n])
  ) {
    return err(
      failure("CYXW_ERR_KEY_UNWRAP", "chunk-key grant: clear fields differ from the sealed content (altered)"),
    );
  }
  const keys = new Map<number, Uint8Array>();
  for (const k of content.keys) {
    if (k.key.length !== DATASET_KEY_BYTES || keys.has(k.index)) {
      return err(failure("CYXW_ERR_KEY_UNWRAP", `chunk-key grant: key of chunk ${k.index} is malformed or repeated`));
    }
    keys.set(k.index, k.key.slice());
  }
  return ok({
    parameters: create(CipherParametersSchema, {
      algorithm: CHUNK_KEY_ALGORITHM,
      salt: content.salt.slice(),
      noncePrefix: content.noncePrefix.slice(),
    }),
    keys,
  });
}
