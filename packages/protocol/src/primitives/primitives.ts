/**
 * The hashing and AEAD primitives the protocol needs, behind one interface so each runtime uses
 * its fastest implementation (ARCHITECTURE §4, MACHINE-NOTES "Crypto"): `node:crypto` and
 * `zlib.crc32` in Node; `crypto.subtle` and `hash-wasm` in browsers. The core never picks one
 * itself: callers get an instance from `@cyxwiz/protocol/primitives`, whose entry point is chosen
 * by the runtime (conditional exports), and hand it in.
 */

/** An incremental SHA-256. */
export interface Sha256Stream {
  update(data: Uint8Array): Sha256Stream;
  /** Finishes the hash; the stream must not be used afterwards. */
  digest(): Uint8Array;
}

/**
 * A sealed chunk and the SHA-256 of its bytes. The sealed bytes (ciphertext || 16-byte tag) come
 * in pieces to be written back to back, so that ciphertext and tag need not be copied together.
 */
export interface SealedAndHashed {
  readonly sealed: readonly Uint8Array[];
  /** Total length of `sealed`. */
  readonly size: number;
  readonly digest: Uint8Array;
  /** CRC-32 of the sealed bytes, when the implementation computed it alongside (a sealing worker does). */
  readonly crc?: number;
  /**
   * The consumed plaintext's buffer, handed back once the cipher no longer needs it (a sealing
   * worker returns it by transfer), for the caller to read the next chunk into.
   */
  readonly spare?: Uint8Array;
}

/** An AES-256-GCM key, imported once and used for many chunks. */
export interface AesGcmKey {
  /** Returns ciphertext || 16-byte tag. */
  encrypt(nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>;
  /** Returns the plaintext, or `undefined` when the tag does not authenticate (never throws for that). */
  decrypt(nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * Optional fast path: encrypts and hashes the sealed bytes in one step, without joining
   * ciphertext and tag (Node), or on a worker thread (`createSealingPool`). With `consume` the
   * caller gives `plaintext` up, and an implementation may detach its buffer instead of copying it.
   */
  sealAndHash?(nonce: Uint8Array, plaintext: Uint8Array, options?: { consume?: boolean }): Promise<SealedAndHashed>;
}

export interface Primitives {
  /** Which implementation this is, for logs and benchmarks: "node", "web" or "web-noble-fallback". */
  readonly name: string;
  /** Warnings the user should see (for example: the slow pure-JS AES-GCM fallback is in use). */
  readonly warnings: readonly string[];
  /** One-shot SHA-256 of a whole buffer (the hot path: one call per chunk). */
  sha256(data: Uint8Array): Promise<Uint8Array>;
  /** Incremental SHA-256 for data that arrives in pieces. */
  createSha256(): Promise<Sha256Stream>;
  /** CRC-32 (IEEE 802.3) of the concatenation of `parts`, without concatenating them. */
  crc32(...parts: Uint8Array[]): number;
  /** Imports a 32-byte AES-256-GCM key. @throws RangeError if the key is not 32 bytes. */
  importAesGcmKey(key: Uint8Array): Promise<AesGcmKey>;
}

export const AES_GCM_KEY_BYTES = 32;
export const AES_GCM_NONCE_BYTES = 12;
export const AES_GCM_TAG_BYTES = 16;

/** Boundary checks shared by every implementation (STYLE §11: labelled RangeErrors). */
export function checkAesGcmArgs(key: Uint8Array | undefined, nonce?: Uint8Array): void {
  if (key !== undefined && key.length !== AES_GCM_KEY_BYTES) {
    throw new RangeError(`AES-256-GCM key must be ${AES_GCM_KEY_BYTES} bytes, got ${key.length}`);
  }
  if (nonce !== undefined && nonce.length !== AES_GCM_NONCE_BYTES) {
    throw new RangeError(`AES-256-GCM nonce must be ${AES_GCM_NONCE_BYTES} bytes, got ${nonce.length}`);
  }
}
