import { checkBytes } from "./key-agreement.js";

/** The domain tag that starts every node registration message (docs/node-daemon.md). */
export const NODE_REGISTER_DOMAIN = "cyxwiz-node-register-v1";

/** The gateway's registration challenge nonce is exactly 32 random bytes. */
export const REGISTRATION_NONCE_BYTES = 32;

const KEY_BYTES = 32;
const DOMAIN_BYTES = new TextEncoder().encode(NODE_REGISTER_DOMAIN);

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
