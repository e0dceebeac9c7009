/**
 * The chunk nonce and parameter sizes shared by both chunk cipher suites (docs/crypto.md):
 * nonce = nonce prefix (7 bytes) || u32be(chunk index) || u8(1 if last chunk else 0).
 */

export const DATASET_KEY_BYTES = 32;
export const SALT_BYTES = 16;
export const NONCE_PREFIX_BYTES = 7;
export const KEY_CHECK_BYTES = 16;
export const TAG_BYTES = 16;
export const MAX_CHUNK_INDEX = 0xffff_ffff;
/** The HKDF info of the key check: HKDF-SHA256(dataset key, salt, this, 16) (both suites). */
export const KEY_CHECK_INFO = "cyxwiz-key-check-v1";

/**
 * Checks a chunk index.
 *
 * @throws RangeError for an index outside 0..2^32-1.
 */
export function checkChunkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > MAX_CHUNK_INDEX) {
    throw new RangeError(`chunk index must be an integer in 0..${MAX_CHUNK_INDEX}, got ${index}`);
  }
}

/**
 * The 12-byte AES-GCM nonce of chunk `index`.
 *
 * @throws RangeError for an index outside 0..2^32-1; TypeError for a non-boolean `last`.
 */
export function chunkNonce(noncePrefix: Uint8Array, index: number, last: boolean): Uint8Array {
  checkChunkIndex(index);
  if (typeof last !== "boolean") throw new TypeError("chunk `last` flag must be a boolean");
  const nonce = new Uint8Array(NONCE_PREFIX_BYTES + 5);
  nonce.set(noncePrefix, 0);
  new DataView(nonce.buffer).setUint32(NONCE_PREFIX_BYTES, index, false);
  nonce[NONCE_PREFIX_BYTES + 4] = last ? 1 : 0;
  return nonce;
}

/** The CYXW_ERR_DECRYPT message for chunk `index` that did not authenticate. */
export function chunkDecryptMessage(index: number, last: boolean): string {
  return (
    `chunk ${index} did not authenticate as ${last ? "the last" : "a non-last"} chunk at index ${index} ` +
    "(wrong key, altered, reordered, spliced from another stream, or truncated)"
  );
}
