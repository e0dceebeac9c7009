import { create } from "@bufbuild/protobuf";
import { equalBytes } from "@noble/ciphers/utils.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { failure, ProtocolError, type ProtocolFailure } from "../errors/error-codes.js";
import { type CipherParameters, CipherParametersSchema } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import type { AesGcmKey, Primitives, SealedAndHashed } from "../primitives/primitives.js";
import { err, ok, type Result } from "../result.js";
import { CHUNK_KEY_ALGORITHM, createChunkKeyCipher } from "./chunk-key-cipher.js";
import {
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
 * The chunk AEAD stream (ARCHITECTURE §4; the STREAM construction of Hoang, Reyhanitabar, Rogaway
 * and Vizár, as in Tink's AES-GCM-HKDF streaming AEAD and age). Every chunk of a dataset version is
 * sealed with AES-256-GCM under one stream key, with its position bound into the nonce:
 *
 *   stream key = HKDF-SHA256(dataset key, salt, "cyxwiz-stream-key-v1", 32)
 *   key check  = HKDF-SHA256(dataset key, salt, "cyxwiz-key-check-v1", 16)
 *   nonce      = nonce prefix (7 bytes) || u32be(chunk index) || u8(1 if last chunk else 0)
 *
 * A chunk moved to another index, a chunk from another stream (other salt or key), or a stream
 * cut short (its final chunk was not sealed as last) fails to authenticate. See docs/crypto.md.
 */
export const STREAM_ALGORITHM = "AES-256-GCM-STREAM-v1";

const STREAM_KEY_INFO = "cyxwiz-stream-key-v1";

/** Seals and opens the chunks of one dataset version (either suite: one salt, one nonce prefix). */
export interface ChunkCipher {
  /** The manifest's `cipher` field: algorithm, salt, nonce prefix and key check (never the key). */
  readonly parameters: CipherParameters;
  /**
   * Seals chunk `index`; `last` marks the final chunk of the stream. Each (index, last) pair must
   * be sealed at most once per cipher: a second, different plaintext under the same nonce would
   * break AES-GCM.
   *
   * @returns ciphertext || 16-byte tag.
   * @throws RangeError for an index outside 0..2^32-1; TypeError for a non-boolean `last`.
   */
  seal(index: number, last: boolean, plaintext: Uint8Array): Promise<Uint8Array>;
  /**
   * Seals chunk `index` like {@link seal} and hashes the sealed bytes (the chunk digest), in one
   * step on a worker thread when the primitives have a sealing pool (`createSealingPool`).
   * With `consume` the caller gives `plaintext` up (it may be detached instead of copied).
   */
  sealAndHash(
    index: number,
    last: boolean,
    plaintext: Uint8Array,
    options?: { consume?: boolean },
  ): Promise<SealedAndHashed>;
  /**
   * Opens chunk `index`, which must have been sealed at that index with the same `last`.
   *
   * @returns the plaintext, or CYXW_ERR_DECRYPT naming the chunk index when it does not authenticate.
   * @throws RangeError for an index outside 0..2^32-1; TypeError for a non-boolean `last`.
   */
  open(index: number, last: boolean, sealed: Uint8Array): Promise<Result<Uint8Array, ProtocolFailure>>;
}

/**
 * The suite every new dataset version is encrypted with: `AES-256-GCM-CHUNKKEY-v1`, so a worker can
 * be granted the keys of exactly its shard's chunks (docs/crypto.md "Per-chunk keys"). Versions
 * sealed with `AES-256-GCM-STREAM-v1` before it became the default still open by their manifest.
 */
export const NEW_VERSION_ALGORITHM = CHUNK_KEY_ALGORITHM;

/**
 * Creates the cipher of one dataset version from its 32-byte dataset key (the DEK).
 *
 * Without `parameters` (the owner, encrypting a new version) it makes a cipher of
 * {@link NEW_VERSION_ALGORITHM} with a fresh random salt and nonce prefix, so each version gets its
 * own keys even under the same dataset key. With `parameters` (a reader, from the manifest; a
 * resumed upload, from its saved state) it picks the suite by `parameters.algorithm`
 * (`AES-256-GCM-CHUNKKEY-v1` via `createChunkKeyCipher`, `AES-256-GCM-STREAM-v1` via
 * `createStreamCipher`), checks their shape and that the key matches the key check, compared in
 * constant time, before any chunk is opened.
 *
 * @example
 * const cipher = await createChunkCipher(primitives, datasetKey, manifest.cipher);
 * if (!cipher.ok) return cipher; // CYXW_ERR_WRONG_KEY or CYXW_ERR_MANIFEST
 * @returns the cipher; CYXW_ERR_MANIFEST when `parameters` name an unknown algorithm or have wrong
 *   lengths; CYXW_ERR_WRONG_KEY when `datasetKey` is not the key they were made with.
 * @throws TypeError for a non-Uint8Array key; RangeError when the key is not 32 bytes.
 */
export async function createChunkCipher(
  primitives: Primitives,
  datasetKey: Uint8Array,
  parameters?: CipherParameters,
): Promise<Result<ChunkCipher, ProtocolFailure>> {
  if (parameters === undefined || parameters.algorithm === CHUNK_KEY_ALGORITHM)
    return createChunkKeyCipher(primitives, datasetKey, parameters);
  return createStreamCipher(primitives, datasetKey, parameters);
}

/**
 * Creates an `AES-256-GCM-STREAM-v1` cipher (the suite of versions encrypted before per-chunk keys
 * became the default). Same contract as {@link createChunkCipher}: without `parameters` a fresh
 * salt and nonce prefix; with them their shape and the key check are checked first.
 *
 * @returns the cipher; CYXW_ERR_MANIFEST for parameters of another algorithm or wrong lengths;
 *   CYXW_ERR_WRONG_KEY when `datasetKey` does not match the key check.
 * @throws TypeError for a non-Uint8Array key; RangeError when the key is not 32 bytes.
 */
export async function createStreamCipher(
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
    const problem = describeBadParameters(parameters);
    if (problem !== undefined) return err(failure("CYXW_ERR_MANIFEST", `cipher parameters: ${problem}`));
    salt = parameters.salt.slice();
    noncePrefix = parameters.noncePrefix.slice();
  }

  const keyCheck = hkdfSha256(datasetKey, salt, KEY_CHECK_INFO, KEY_CHECK_BYTES);
  if (parameters !== undefined && !equalBytes(keyCheck, parameters.keyCheck)) {
    return err(failure("CYXW_ERR_WRONG_KEY", "the dataset key does not match the manifest's key check"));
  }

  const streamKey = hkdfSha256(datasetKey, salt, STREAM_KEY_INFO, DATASET_KEY_BYTES);
  let key: AesGcmKey;
  try {
    key = await primitives.importAesGcmKey(streamKey);
  } finally {
    streamKey.fill(0); // every implementation keeps its own copy (STYLE §11: zero key material)
  }

  const nonceFor = (index: number, last: boolean): Uint8Array => chunkNonce(noncePrefix, index, last);

  const cipher: ChunkCipher = {
    parameters: create(CipherParametersSchema, {
      algorithm: STREAM_ALGORITHM,
      salt: salt.slice(),
      noncePrefix: noncePrefix.slice(),
      keyCheck,
    }),
    async seal(index, last, plaintext) {
      const nonce = nonceFor(index, last);
      checkBytes("chunk plaintext", plaintext);
      return key.encrypt(nonce, plaintext);
    },
    async sealAndHash(index, last, plaintext, options) {
      const nonce = nonceFor(index, last);
      checkBytes("chunk plaintext", plaintext);
      if (key.sealAndHash !== undefined) return key.sealAndHash(nonce, plaintext, options);
      const sealed = await key.encrypt(nonce, plaintext);
      return { sealed: [sealed], size: sealed.length, digest: await primitives.sha256(sealed) };
    },
    async open(index, last, sealed) {
      const nonce = nonceFor(index, last);
      checkBytes("sealed chunk", sealed);
      const plain = sealed.length < TAG_BYTES ? undefined : await key.decrypt(nonce, sealed);
      if (plain === undefined) {
        return err(failure("CYXW_ERR_DECRYPT", chunkDecryptMessage(index, last)));
      }
      return ok(plain);
    },
  };
  return ok(cipher);
}

/** Why `p` cannot be this algorithm's parameters, or undefined when they can. */
function describeBadParameters(p: CipherParameters): string | undefined {
  if (p.algorithm !== STREAM_ALGORITHM) return `algorithm is "${p.algorithm}", expected "${STREAM_ALGORITHM}"`;
  if (p.salt.length !== SALT_BYTES) return `salt is ${p.salt.length} bytes, expected ${SALT_BYTES}`;
  if (p.noncePrefix.length !== NONCE_PREFIX_BYTES) {
    return `nonce prefix is ${p.noncePrefix.length} bytes, expected ${NONCE_PREFIX_BYTES}`;
  }
  if (p.keyCheck.length !== KEY_CHECK_BYTES)
    return `key check is ${p.keyCheck.length} bytes, expected ${KEY_CHECK_BYTES}`;
  return undefined;
}

/**
 * Encrypts a byte stream: re-cuts `source`'s pieces (any sizes) into `chunkSize`-byte plaintext
 * chunks and yields each sealed chunk (ciphertext || tag) in order, chunk 0 first. The final
 * chunk (possibly shorter, and the only one when the input is empty: then it is empty) is sealed
 * with last = true; knowing which chunk is final needs one chunk of lookahead, so at most two
 * plaintext chunks are held at a time, whatever the input's size.
 *
 * @example
 * for await (const sealed of encryptStream(cipher, file.stream(), 4 << 20)) send(sealed);
 * @throws RangeError for a `chunkSize` that is not a positive integer, or past chunk 2^32-1;
 *   TypeError for a piece that is not a Uint8Array.
 */
export async function* encryptStream(
  cipher: ChunkCipher,
  source: AsyncIterable<Uint8Array>,
  chunkSize: number,
): AsyncGenerator<Uint8Array> {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunk size must be a positive integer, got ${chunkSize}`);
  }
  let index = 0;
  let held: Uint8Array | undefined; // a full chunk, sealed once we know whether more bytes follow
  let spare: Uint8Array | undefined; // a sealed chunk's plaintext buffer, reused for the next one
  let filling: Uint8Array = new Uint8Array(chunkSize);
  let filled = 0;
  for await (const piece of source) {
    checkBytes("stream piece", piece);
    let at = 0;
    while (at < piece.length) {
      if (held !== undefined) {
        // More bytes exist, so the held chunk is not the last one.
        yield await cipher.seal(index++, false, held);
        spare = held;
        held = undefined;
      }
      const n = Math.min(chunkSize - filled, piece.length - at);
      filling.set(piece.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === chunkSize) {
        held = filling;
        filling = spare ?? new Uint8Array(chunkSize);
        spare = undefined;
        filled = 0;
      }
    }
  }
  if (held !== undefined) yield await cipher.seal(index++, filled === 0, held);
  if (filled > 0 || index === 0) yield await cipher.seal(index, true, filling.subarray(0, filled));
}

/**
 * Decrypts a stream made by `encryptStream`: one sealed chunk per item, yielding each chunk's
 * plaintext as soon as it authenticates. A chunk is tried as non-last first and, only if that
 * fails, as the last one; after a chunk opens as last, the stream must end.
 *
 * @throws ProtocolError CYXW_ERR_DECRYPT naming the chunk index when a chunk does not authenticate
 *   at its position (altered, reordered, duplicated, spliced from another stream, or wrong key),
 *   when an item follows the last chunk, and when the stream ends before a chunk sealed as last
 *   (truncation) or holds no chunk at all.
 */
export async function* decryptStream(
  cipher: ChunkCipher,
  sealed: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let index = 0;
  let ended = false;
  for await (const item of sealed) {
    if (ended) {
      throw new ProtocolError("CYXW_ERR_DECRYPT", `chunk ${index} follows the last chunk (${index - 1})`);
    }
    let opened = await cipher.open(index, false, item);
    if (!opened.ok) {
      const asLast = await cipher.open(index, true, item);
      if (!asLast.ok) {
        throw new ProtocolError(
          "CYXW_ERR_DECRYPT",
          `chunk ${index} did not authenticate at index ${index}, neither as a middle nor as the last chunk ` +
            "(wrong key, altered, reordered, duplicated or spliced from another stream)",
        );
      }
      opened = asLast;
      ended = true;
    }
    yield opened.value;
    index++;
  }
  if (!ended) {
    throw new ProtocolError(
      "CYXW_ERR_DECRYPT",
      index === 0
        ? "the stream holds no chunk: chunk 0 is missing"
        : `the stream ended after chunk ${index - 1}, which was not sealed as the last chunk (truncated)`,
    );
  }
}
