import { create } from "@bufbuild/protobuf";
import { equalBytes } from "@noble/ciphers/utils.js";
import { x25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { failure, ProtocolError, type ProtocolFailure } from "../errors/error-codes.js";
import { type WrappedKey, WrappedKeySchema } from "../gen/cyxwiz/data/v1/manifest_pb.js";
import type { Primitives } from "../primitives/primitives.js";
import { err, ok, type Result } from "../result.js";
import { checkBytes, generateX25519KeyPair, hkdfSha256, KEY_WRAP_INFO, x25519SharedSecret } from "./key-agreement.js";

/**
 * Wrapping a dataset key (DEK) for one recipient (seed §4.4 `KeyExchange`, §5.3 step 4;
 * ARCHITECTURE §4 "Keys"), an ECIES in the shape of HPKE's base mode:
 *
 *   (e, E)  = fresh ephemeral X25519 key pair
 *   shared  = X25519(e, R)                                  R: the recipient's public key
 *   KEK     = HKDF-SHA256(shared, salt = E || R, info = "cyxwiz-data-transfer", 32)
 *   wrapped = AES-256-GCM(KEK, random 12-byte nonce, DEK, aad = E || R)
 *
 * Binding E and R into both the salt and the AAD means a wrapped key opens only for the recipient
 * it names, and cannot be re-labelled for another one.
 */

const DATASET_KEY_BYTES = 32;
const X25519_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A fresh random 32-byte dataset key (DEK), from `globalThis.crypto.getRandomValues`.
 *
 * @throws Error when the runtime has no `crypto.getRandomValues`.
 */
export function generateDatasetKey(): Uint8Array {
  return randomBytes(DATASET_KEY_BYTES);
}

/**
 * Wraps `datasetKey` so that only the holder of `recipientPublicKey`'s secret key can unwrap it.
 * Each call uses a new ephemeral key and nonce, so wrapping the same key twice gives unrelated
 * outputs.
 *
 * @example
 * const wrapped = await wrapDatasetKey(primitives, datasetKey, worker.x25519PublicKey);
 * @throws TypeError for non-Uint8Array arguments; RangeError when the dataset key or the public key
 *   is not 32 bytes; ProtocolError CYXW_ERR_BAD_KEY when the public key is of low order (no
 *   secret could be shared with it).
 */
export async function wrapDatasetKey(
  primitives: Primitives,
  datasetKey: Uint8Array,
  recipientPublicKey: Uint8Array,
): Promise<WrappedKey> {
  checkBytes("dataset key", datasetKey, DATASET_KEY_BYTES);
  return sealForRecipient(primitives, datasetKey, recipientPublicKey, KEY_WRAP_INFO);
}

/**
 * The wrap construction above for any plaintext and HKDF `info` (a distinct `info` per use, so a
 * wrapped dataset key can never be opened as, say, a chunk-key grant). Used by chunk-key grants.
 *
 * @throws as {@link wrapDatasetKey}.
 */
export async function sealForRecipient(
  primitives: Primitives,
  plaintext: Uint8Array,
  recipientPublicKey: Uint8Array,
  info: string,
): Promise<WrappedKey> {
  checkBytes("plaintext", plaintext);
  checkBytes("recipient public key", recipientPublicKey, X25519_BYTES);
  const recipient = recipientPublicKey.slice();
  const ephemeral = generateX25519KeyPair();
  const shared = x25519SharedSecret(ephemeral.secretKey, recipient);
  ephemeral.secretKey.fill(0);
  if (!shared.ok) throw ProtocolError.from(shared.error);

  const context = concat(ephemeral.publicKey, recipient);
  const kek = hkdfSha256(shared.value, context, info, DATASET_KEY_BYTES);
  shared.value.fill(0);
  const nonce = randomBytes(NONCE_BYTES);
  let ciphertext: Uint8Array;
  try {
    ciphertext = await (await primitives.importAesGcmKey(kek)).encrypt(nonce, plaintext, context);
  } finally {
    kek.fill(0);
  }
  return create(WrappedKeySchema, {
    ephemeralPublicKey: ephemeral.publicKey,
    recipientPublicKey: recipient,
    nonce,
    ciphertext,
  });
}

/**
 * Unwraps a dataset key with the recipient's X25519 secret key.
 *
 * @returns the 32-byte dataset key; CYXW_ERR_KEY_UNWRAP when it was wrapped for another key, is
 *   malformed, or was altered (the AES-GCM tag covers the ciphertext and both public keys);
 *   CYXW_ERR_BAD_KEY when the ephemeral public key is malformed or of low order.
 * @throws TypeError for a non-Uint8Array secret key; RangeError when it is not 32 bytes.
 */
export async function unwrapDatasetKey(
  primitives: Primitives,
  wrapped: WrappedKey,
  recipientSecretKey: Uint8Array,
): Promise<Result<Uint8Array, ProtocolFailure>> {
  return openForRecipient(primitives, wrapped, recipientSecretKey, KEY_WRAP_INFO, DATASET_KEY_BYTES, "wrapped key");
}

/**
 * Opens what {@link sealForRecipient} sealed under the same `info`.
 *
 * @param plaintextBytes the exact plaintext length expected, or undefined for any length.
 * @param label names the object in error messages ("wrapped key", "chunk-key grant").
 * @returns the plaintext, or the failures of {@link unwrapDatasetKey}.
 * @throws as {@link unwrapDatasetKey}.
 */
export async function openForRecipient(
  primitives: Primitives,
  wrapped: WrappedKey,
  recipientSecretKey: Uint8Array,
  info: string,
  plaintextBytes: number | undefined,
  label: string,
): Promise<Result<Uint8Array, ProtocolFailure>> {
  checkBytes("recipient secret key", recipientSecretKey, X25519_BYTES);
  if (wrapped.ephemeralPublicKey.length !== X25519_BYTES) {
    return err(
      failure("CYXW_ERR_BAD_KEY", `${label}: ephemeral public key is ${wrapped.ephemeralPublicKey.length} bytes`),
    );
  }
  const badLength =
    plaintextBytes === undefined
      ? wrapped.ciphertext.length < TAG_BYTES
      : wrapped.ciphertext.length !== plaintextBytes + TAG_BYTES;
  if (wrapped.nonce.length !== NONCE_BYTES || badLength) {
    return err(
      failure(
        "CYXW_ERR_KEY_UNWRAP",
        `${label} is malformed: nonce ${wrapped.nonce.length} bytes (expected ${NONCE_BYTES}), ` +
          `ciphertext ${wrapped.ciphertext.length} bytes (expected ${plaintextBytes === undefined ? `at least ${TAG_BYTES}` : plaintextBytes + TAG_BYTES})`,
      ),
    );
  }
  const ownPublicKey = x25519.getPublicKey(recipientSecretKey);
  if (!equalBytes(ownPublicKey, wrapped.recipientPublicKey)) {
    return err(failure("CYXW_ERR_KEY_UNWRAP", `the ${label} was made for another recipient's public key`));
  }
  const shared = x25519SharedSecret(recipientSecretKey, wrapped.ephemeralPublicKey);
  if (!shared.ok) return shared;

  const context = concat(wrapped.ephemeralPublicKey, ownPublicKey);
  const kek = hkdfSha256(shared.value, context, info, DATASET_KEY_BYTES);
  shared.value.fill(0);
  let plaintext: Uint8Array | undefined;
  try {
    plaintext = await (await primitives.importAesGcmKey(kek)).decrypt(wrapped.nonce, wrapped.ciphertext, context);
  } finally {
    kek.fill(0);
  }
  if (plaintext === undefined) {
    return err(failure("CYXW_ERR_KEY_UNWRAP", `the ${label} did not authenticate: altered, or not for this key`));
  }
  return ok(plaintext);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
