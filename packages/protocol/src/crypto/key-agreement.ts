import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { failure, type ProtocolFailure } from "../errors/error-codes.js";
import { err, ok, type Result } from "../result.js";

/**
 * The HKDF `info` of the key that wraps a dataset key for one recipient (seed §4.4
 * `KeyExchange::DeriveAESKey`, context "cyxwiz-data-transfer"; ARCHITECTURE §4).
 */
export const KEY_WRAP_INFO = "cyxwiz-data-transfer";

/** X25519 secret keys, public keys and shared secrets are 32 bytes (RFC 7748 §5; seed §4.4). */
const X25519_BYTES = 32;
/** RFC 5869 §2.3: L <= 255 * HashLen. */
const HKDF_SHA256_MAX_LENGTH = 255 * 32;

/** Throws TypeError unless `value` is a Uint8Array, and RangeError unless it is `length` bytes. */
export function checkBytes(label: string, value: unknown, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${label} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${label} must be ${length} bytes, got ${value.length}`);
  }
}

/**
 * A fresh X25519 key pair (seed §4.4 `KeyExchange::GenerateKeyPair`). The secret key comes from
 * `globalThis.crypto.getRandomValues` (through @noble/curves), which fails loudly where missing.
 *
 * @returns a 32-byte secret key and its 32-byte public key.
 * @throws Error when the runtime has no `crypto.getRandomValues`.
 */
export function generateX25519KeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const { secretKey, publicKey } = x25519.keygen();
  return { secretKey, publicKey };
}

/**
 * The X25519 public key of a 32-byte secret key (to reload a stored key pair).
 * @throws TypeError / RangeError for a secret key that is not 32 bytes.
 */
export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  checkBytes("secretKey", secretKey, 32);
  return x25519.getPublicKey(secretKey);
}

/**
 * X25519(secretKey, publicKey) (RFC 7748 §5; seed §4.4 `KeyExchange::DeriveSharedSecret`).
 * Public keys of small order are refused before the ladder runs (@noble/curves keeps the same
 * blocklist as libsodium): they would give the all-zero secret RFC 7748 §6.1 tells us to reject,
 * a value an attacker knows. Non-canonical encodings and points on the twist are processed as
 * RFC 7748 §5 requires.
 *
 * @example
 * const shared = x25519SharedSecret(mine.secretKey, theirPublicKey);
 * if (!shared.ok) return shared; // CYXW_ERR_BAD_KEY
 * @returns the 32-byte shared secret, or CYXW_ERR_BAD_KEY for a low-order public key.
 * @throws TypeError for a non-Uint8Array argument; RangeError when either key is not 32 bytes.
 */
export function x25519SharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Result<Uint8Array, ProtocolFailure> {
  checkBytes("X25519 secret key", secretKey, X25519_BYTES);
  checkBytes("X25519 public key", publicKey, X25519_BYTES);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(secretKey, publicKey);
  } catch {
    // With both lengths checked, the only failure left is a low-order public key.
    return err(failure("CYXW_ERR_BAD_KEY", "the X25519 public key is of low order: it gives no shared secret"));
  }
  let any = 0;
  for (const b of shared) any |= b;
  if (any === 0) return err(failure("CYXW_ERR_BAD_KEY", "the X25519 shared secret is all zeros (low-order key)"));
  return ok(shared);
}

/**
 * HKDF-SHA256 (RFC 5869): extract with `salt`, expand with `info` to `length` bytes.
 *
 * @param info a string is encoded as UTF-8.
 * @param length output bytes, 0 to 8160 (255 * 32, RFC 5869 §2.3).
 * @throws TypeError for a non-Uint8Array `ikm` or `salt`; RangeError for a `length` outside 0..8160.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array, length: number): Uint8Array {
  checkBytes("HKDF ikm", ikm);
  checkBytes("HKDF salt", salt);
  if (!Number.isInteger(length) || length < 0 || length > HKDF_SHA256_MAX_LENGTH) {
    throw new RangeError(`HKDF-SHA256 length must be an integer in 0..${HKDF_SHA256_MAX_LENGTH}, got ${length}`);
  }
  const infoBytes = typeof info === "string" ? new TextEncoder().encode(info) : info;
  checkBytes("HKDF info", infoBytes);
  return hkdf(sha256, ikm, salt, infoBytes, length);
}
