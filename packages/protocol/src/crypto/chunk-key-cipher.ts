import { create } from "@bufbuild/protobuf";
import { equalBytes } from "@noble/ciphers/utils.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { failure, type ProtocolFailure } from "../errors/error-codes.js";
import { type CipherParameters, CipherParametersSchema } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import type { Primitives } from "../primitives/primitives.js";
import { err, ok, type Result } from "../result.js";
import type { ChunkCipher } from "./chunk-cipher.js";
import {
  checkChunkIndex,
  chunkDecryptMessage,
  chunkNonce,
  DATASET_KEY_BYTES,
  KEY_CHECK_BYTES,
  KEY_CHECK_INFO,
  NONCE_PREFIX_BYTES,
  SALT_BYTES,
  TAG_BYTES,
} from "./chunk-nonce.js";
import { checkBytes, hkdfSha256 } from "./key-agreement.js";

/**
 * The per-chunk-key suite (ARCHITECTURE §4 "Keys"; docs/crypto.md "Per-chunk keys and grants").
 * Each chunk i of a dataset version has its own AES-256-GCM key, so a worker can be given the keys
 * of its shard's chunks and no others:
 *
 *   K_i       = HKDF-SHA256(dataset key, salt, "cyxwiz-chunk-key" || nonce prefix || u32be(i), 32)
 *   key check = HKDF-SHA256(dataset key, salt, "cyxwiz-key-check-v1", 16)   (as STREAM-v1)
 *   nonce     = nonce prefix (7 bytes) || u32be(i) || u8(1 if last chunk else 0)   (as STREAM-v1)
 *
 * The version is identified by its random salt and nonce prefix (the Merkle root is only known
 * after encryption, so it cannot be bound in).
 */
export const CHUNK_KEY_ALGORITHM = "AES-256-GCM-CHUNKKEY-v1";

/** The HKDF info label of a chunk key, before the nonce prefix and the index. */
export const CHUNK_KEY_INFO = "cyxwiz-chunk-key";

const CHUNK_KEY_INFO_BYTES = new TextEncoder().encode(CHUNK_KEY_INFO);

/**
 * Why `p` cannot be this suite's parameters, or undefined when they can. With `withKeyCheck`
 * false the key check is not looked at (a worker holding only chunk keys cannot check it).
 */
export function describeBadChunkKeyParameters(p: CipherParameters, withKeyCheck = true): string | undefined {
  if (p.algorithm !== CHUNK_KEY_ALGORITHM) return `algorithm is "${p.algorithm}", expected "${CHUNK_KEY_ALGORITHM}"`;
  if (p.salt.length !== SALT_BYTES) return `salt is ${p.salt.length} bytes, expected ${SALT_BYTES}`;
  if (p.noncePrefix.length !== NONCE_PREFIX_BYTES) {
    return `nonce prefix is ${p.noncePrefix.length} bytes, expected ${NONCE_PREFIX_BYTES}`;
  }
  if (withKeyCheck && p.keyCheck.length !== KEY_CHECK_BYTES) {
    return `key check is ${p.keyCheck.length} bytes, expected ${KEY_CHECK_BYTES}`;
  }
  return undefined;
}

/**
 * Derives chunk `index`'s 32-byte key K_i from the dataset key and the version's salt and nonce
 * prefix. Deterministic: the same inputs always give the same key.
 *
 * @throws TypeError for non-Uint8Array arguments; RangeError when the dataset key is not 32 bytes,
 *   the salt not 16, the nonce prefix not 7, or the index outside 0..2^32-1.
 */
export function deriveChunkKey(
  datasetKey: Uint8Array,
  salt: Uint8Array,
  noncePrefix: Uint8Array,
  index: number,
): Uint8Array {
  checkBytes("dataset key", datasetKey, DATASET_KEY_BYTES);
  checkBytes("salt", salt, SALT_BYTES);
  checkBytes("nonce prefix", noncePrefix, NONCE_PREFIX_BYTES);
  checkChunkIndex(index);
  const info = new Uint8Array(CHUNK_KEY_INFO_BYTES.length + NONCE_PREFIX_BYTES + 4);
  info.set(CHUNK_KEY_INFO_BYTES, 0);
  info.set(noncePrefix, CHUNK_KEY_INFO_BYTES.length);
  new DataView(info.buffer).setUint32(CHUNK_KEY_INFO_BYTES.length + NONCE_PREFIX_BYTES, index, false);
  return hkdfSha256(datasetKey, salt, info, DATASET_KEY_BYTES);
}

/**
 * Creates the per-chunk-key cipher of one dataset version from its dataset key. Same contract as
 * `createChunkCipher` (which calls this for parameters naming `AES-256-GCM-CHUNKKEY-v1`): without
 * `parameters` it draws a fresh salt and nonce prefix; with them it checks their shape and the key
 * check before any chunk is opened.
 *
 * @returns the cipher; CYXW_ERR_MANIFEST for parameters of another algorithm or wrong lengths;
 *   CYXW_ERR_WRONG_KEY when `datasetKey` does not match the key check.
 * @throws TypeError for a non-Uint8Array key; RangeError when the key is not 32 bytes.
 */
export async function createChunkKeyCipher(
  primitives: Primitives,
  datasetKey: Uint8Array,
  parameters?: CipherParameters,
): Promise<Result<ChunkCipher, ProtocolFailure>> {
  checkBytes("dataset key", datasetKey, DATASET_KEY_BYTES);
  let salt: Uint8Array;
  let noncePrefix: Uint8Array;
  if (parameters === undefined) {
    salt = randomBytes(SALT_BYTES);
    noncePrefix = randomBytes(NONCE_PREFIX_BYTES);
  } else {
    const problem = describeBadChunkKeyParameters(parameters);
    if (problem !== undefined) return err(failure("CYXW_ERR_MANIFEST", `cipher parameters: ${problem}`));
    salt = parameters.salt.slice();
    noncePrefix = parameters.noncePrefix.slice();
  }
  const keyCheck = hkdfSha256(datasetKey, salt, KEY_CHECK_INFO, KEY_CHECK_BYTES);
  if (parameters !== undefined && !equalBytes(keyCheck, parameters.keyCheck)) {
    return err(failure("CYXW_ERR_WRONG_KEY", "the dataset key does not match the manifest's key check"));
  }
  const dek = datasetKey.slice(); // the caller may zero its copy
  const cipherParameters = create(CipherParametersSchema, {
    algorithm: CHUNK_KEY_ALGORITHM,
    salt: salt.slice(),
    noncePrefix: noncePrefix.slice(),
    keyCheck,
  });

  const keyFor = async (index: number) => {
    const chunkKey = deriveChunkKey(dek, salt, noncePrefix, index);
    try {
      return await primitives.importAesGcmKey(chunkKey);
    } finally {
      chunkKey.fill(0);
    }
  };

  const cipher: ChunkCipher = {
    parameters: cipherParameters,
    async seal(index, last, plaintext) {
      const nonce = chunkNonce(noncePrefix, index, last);
      checkBytes("chunk plaintext", plaintext);
      return (await keyFor(index)).encrypt(nonce, plaintext);
    },
    async sealAndHash(index, last, plaintext, options) {
      const nonce = chunkNonce(noncePrefix, index, last);
      checkBytes("chunk plaintext", plaintext);
      const key = await keyFor(index);
      if (key.sealAndHash !== undefined) return key.sealAndHash(nonce, plaintext, options);
      const sealed = await key.encrypt(nonce, plaintext);
      return { sealed: [sealed], size: sealed.length, digest: await primitives.sha256(sealed) };
    },
    async open(index, last, sealed) {
      const nonce = chunkNonce(noncePrefix, index, last);
      checkBytes("sealed chunk", sealed);
      const plain = sealed.length < TAG_BYTES ? undefined : await (await keyFor(index)).decrypt(nonce, sealed);
      if (plain === undefined) return err(failure("CYXW_ERR_DECRYPT", chunkDecryptMessage(index, last)));
      return ok(plain);
    },
  };
  return ok(cipher);
}

/**
 * Opens chunk `index` of a `AES-256-GCM-CHUNKKEY-v1` version with that chunk's key K_i alone (a
 * worker holds chunk keys from a grant, never the dataset key). The key check is not used.
 *
 * @returns the plaintext; CYXW_ERR_MANIFEST when `parameters` are not this suite's or have wrong
 *   lengths; CYXW_ERR_DECRYPT naming the index when the chunk does not authenticate under `chunkKey`
 *   at `index` with this `last` flag (another chunk's key, altered, moved or truncated).
 * @throws TypeError for non-Uint8Array arguments or a non-boolean `last`; RangeError when the key
 *   is not 32 bytes or the index is outside 0..2^32-1.
 */
export async function openChunkWithKey(
  primitives: Primitives,
  chunkKey: Uint8Array,
  parameters: CipherParameters,
  index: number,
  last: boolean,
  sealed: Uint8Array,
): Promise<Result<Uint8Array, ProtocolFailure>> {
  checkBytes("chunk key", chunkKey, DATASET_KEY_BYTES);
  checkBytes("sealed chunk", sealed);
  const problem = describeBadChunkKeyParameters(parameters, false);
  if (problem !== undefined) return err(failure("CYXW_ERR_MANIFEST", `cipher parameters: ${problem}`));
  const nonce = chunkNonce(parameters.noncePrefix, index, last);
  const plain =
    sealed.length < TAG_BYTES ? undefined : await (await primitives.importAesGcmKey(chunkKey)).decrypt(nonce, sealed);
  if (plain === undefined) return err(failure("CYXW_ERR_DECRYPT", chunkDecryptMessage(index, last)));
  return ok(plain);
}
