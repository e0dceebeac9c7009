import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { checkBytes } from "./key-agreement.js";

/** The domain tag that starts every node registration message (docs/node-daemon.md). */
export const NODE_REGISTER_DOMAIN = "cyxwiz-node-register-v1";

/** The gateway's registration challenge nonce is exactly 32 random bytes. */
export const REGISTRATION_NONCE_BYTES = 32;

const KEY_BYTES = 32;
const DOMAIN_BYTES = new TextEncoder().encode(NODE_REGISTER_DOMAIN);
/** How many bytes of SHA-256(Ed25519 public key) a node id keeps. */
const NODE_ID_BYTES = 16;

/**
 * A node's id as the daemon and the gateway show it: `"node_"` + lowercase hex of the first 16
 * bytes of SHA-256(Ed25519 public key) (the one place this rule lives; docs/node-daemon.md).
 * 128 bits make an accidental clash negligible; registration still checks the full public key.
 *
 * @throws TypeError for a non-Uint8Array; RangeError when the key is not 32 bytes.
 */
export function nodeIdOf(signingPublicKey: Uint8Array): string {
  checkBytes("Ed25519 public key", signingPublicKey, KEY_BYTES);
  return `node_${bytesToHex(sha256(signingPublicKey).subarray(0, NODE_ID_BYTES))}`;
}

/**
 * The bytes a node signs to answer the gateway's registration challenge, and the gateway
 * verifies: `"cyxwiz-node-register-v1" || nonce (32) || Ed25519 public key (32) || X25519
 * public key (32)`. Every part has a fixed length, so the concatenation is unambiguous; the
 * domain tag keeps the signature from being valid in any other CyxWiz protocol, and binding the
 * X25519 key proves the node owns the key-agreement key it announces (docs/node-daemon.md).
 *
 * @example
 * const message = registrationMessage({ nonce, signingPublicKey, agreementPublicKey });
 * verifySignature(signingPublicKey, message, signature);
 * @throws TypeError for a non-Uint8Array; RangeError when the nonce or a key is not 32 bytes.
 */
export function registrationMessage(parts: {
  nonce: Uint8Array;
  signingPublicKey: Uint8Array;
  agreementPublicKey: Uint8Array;
}): Uint8Array {
  checkBytes("registration nonce", parts.nonce, REGISTRATION_NONCE_BYTES);
  checkBytes("Ed25519 public key", parts.signingPublicKey, KEY_BYTES);
  checkBytes("X25519 public key", parts.agreementPublicKey, KEY_BYTES);
  const out = new Uint8Array(DOMAIN_BYTES.length + REGISTRATION_NONCE_BYTES + 2 * KEY_BYTES);
  let at = 0;
  for (const part of [DOMAIN_BYTES, parts.nonce, parts.signingPublicKey, parts.agreementPublicKey]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
