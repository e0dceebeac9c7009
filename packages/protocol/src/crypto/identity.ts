import { equalBytes } from "@noble/ciphers/utils.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { failure, type ProtocolFailure } from "../errors/error-codes.js";
import { err, ok, type Result } from "../result.js";
import { checkBytes } from "./key-agreement.js";

/**
 * An Ed25519 identity (seed §4.4 `NodeIdentity`; ARCHITECTURE §4 "Keys"). The seed's 64-byte
 * secret key is the RFC 8032 seed followed by the public key; only the 32-byte seed is kept here,
 * and the public key beside it.
 */
export interface Identity {
  /** The 32-byte RFC 8032 secret key (seed). Never leaves the machine that made it. */
  readonly secretKey: Uint8Array;
  /** The 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
}

const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const IDENTITY_KIND = "cyxwiz-ed25519-identity";
const IDENTITY_VERSION = 1;
const HEX_KEY = /^[0-9a-f]{64}$/;

/**
 * A new random identity (seed from `globalThis.crypto.getRandomValues`).
 *
 * @throws Error when the runtime has no `crypto.getRandomValues`.
 */
export function generateIdentity(): Identity {
  return identityFromSeed(ed25519.utils.randomSecretKey());
}

/**
 * The identity whose RFC 8032 secret key is `seed`.
 *
 * @throws TypeError for a non-Uint8Array; RangeError when `seed` is not 32 bytes.
 */
export function identityFromSeed(seed: Uint8Array): Identity {
  checkBytes("Ed25519 seed", seed, KEY_BYTES);
  const secretKey = seed.slice();
  return Object.freeze({ secretKey, publicKey: ed25519.getPublicKey(secretKey) });
}

/**
 * The 64-byte Ed25519 signature (RFC 8032 §5.1.6, deterministic) of `message`.
 *
 * @throws TypeError for a non-Uint8Array message or key; RangeError for a secret key that is not 32 bytes.
 */
export function signMessage(identity: Identity, message: Uint8Array): Uint8Array {
  checkBytes("Ed25519 secret key", identity.secretKey, KEY_BYTES);
  checkBytes("message", message);
  return ed25519.sign(message, identity.secretKey);
}

/**
 * Whether `signature` is `publicKey`'s Ed25519 signature of `message`, verified strictly as
 * RFC 8032 §5.1.7 says: S must be below the group order L (no malleable s + L signatures), and
 * A and R must be canonical encodings (ZIP-215's looser decoding is off). Small-order public keys
 * are refused too. With these settings @noble/curves agrees with every Wycheproof
 * ed25519_test.json case.
 *
 * @returns false for any malformed input (wrong types or lengths, undecodable points); never throws.
 */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    return false;
  }
  if (publicKey.length !== KEY_BYTES || signature.length !== SIGNATURE_BYTES) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * The identity as a small JSON text, to keep in a file only its owner can read:
 * `{"kind":"cyxwiz-ed25519-identity","version":1,"publicKey":hex,"secretKey":hex}`.
 * It holds the secret key in the clear.
 */
export function serializeIdentity(identity: Identity): string {
  checkBytes("Ed25519 secret key", identity.secretKey, KEY_BYTES);
  checkBytes("Ed25519 public key", identity.publicKey, KEY_BYTES);
  return JSON.stringify({
    kind: IDENTITY_KIND,
    version: IDENTITY_VERSION,
    publicKey: bytesToHex(identity.publicKey),
    secretKey: bytesToHex(identity.secretKey),
  });
}

/**
 * Reads a text written by `serializeIdentity`, checking that its public key is the one its
 * secret key gives (a file with a mismatched pair would sign as someone else than it claims).
 *
 * @returns the identity, or CYXW_ERR_BAD_KEY when the text is not such a JSON object, holds keys
 *   that are not 64 lowercase hex digits, or a public key that does not match the secret key.
 * @throws TypeError when `text` is not a string.
 */
export function parseIdentity(text: string): Result<Identity, ProtocolFailure> {
  if (typeof text !== "string") throw new TypeError("identity text must be a string");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return err(failure("CYXW_ERR_BAD_KEY", "identity text is not JSON"));
  }
  if (typeof value !== "object" || value === null) {
    return err(failure("CYXW_ERR_BAD_KEY", "identity text is not a JSON object"));
  }
  const o = value as Record<string, unknown>;
  if (o.kind !== IDENTITY_KIND || o.version !== IDENTITY_VERSION) {
    return err(failure("CYXW_ERR_BAD_KEY", `identity is not a "${IDENTITY_KIND}" version ${IDENTITY_VERSION}`));
  }
  if (typeof o.publicKey !== "string" || !HEX_KEY.test(o.publicKey)) {
    return err(failure("CYXW_ERR_BAD_KEY", "identity publicKey is not 64 lowercase hex digits"));
  }
  if (typeof o.secretKey !== "string" || !HEX_KEY.test(o.secretKey)) {
    return err(failure("CYXW_ERR_BAD_KEY", "identity secretKey is not 64 lowercase hex digits"));
  }
  const seed = hexToBytes(o.secretKey);
  const identity = identityFromSeed(seed);
  seed.fill(0);
  if (!equalBytes(identity.publicKey, hexToBytes(o.publicKey))) {
    return err(failure("CYXW_ERR_BAD_KEY", "identity publicKey does not match its secretKey"));
  }
  return ok(identity);
}
